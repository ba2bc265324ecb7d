"""API rate limits, counted per fixed window in the cache: two small cache calls a request.

DRF's throttles keep the time of every request within the rate's duration in one list and
store it back on each request. At the default 6,000 requests a minute, that list (pickled by
the local-memory cache both ways) costs more than the rest of a page of 100 rows. A counter
per window does the same job; the price is that a client can make up to twice the rate
across the edge between two windows.
"""

from __future__ import annotations

from typing import Any

from rest_framework import throttling
from rest_framework.request import Request


class WindowCounter(throttling.SimpleRateThrottle):
    wait_seconds: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"{self.key}:{window}"
        if self.cache.add(key, 1, self.duration):
            count = 1
        else:
            try:
                count = self.cache.incr(key)
            except ValueError:  # Expired between the two calls: the window is new again.
                self.cache.set(key, 1, self.duration)
                count = 1
        self.wait_seconds = (window + 1) * self.duration - now
        return count <= self.num_requests

    def wait(self) -> float | None:
        return self.wait_seconds


class AnonThrottle(WindowCounter, throttling.AnonRateThrottle):
    """Requests without a user, by client address (``anon`` rate)."""


class UserThrottle(WindowCounter, throttling.UserRateThrottle):
    """Requests of a signed-in user or token, by user (``user`` rate)."""


class TokenThrottle(AnonThrottle):
    """Password guessing is throttled by client address whether or not a session is open."""

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": "token", "ident": self.get_ident(request)}
