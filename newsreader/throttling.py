"""API rate limits: a counter per client and fixed window, in this process's memory.

DRF's throttles keep the time of every request within the rate's duration in one list in
the cache and store it back on each request. At the default 6,000 requests a minute, that
list (pickled by the local-memory cache both ways) costs more than the rest of a page of 100
rows. A counter per window does the same job; the price is that a client can make up to
twice the rate across the edge between two windows. Like the local-memory cache the counts
were kept in, they are per process: the rates are set for that (see settings).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from rest_framework import throttling
from rest_framework.request import Request


class WindowCounts:
    """Requests per (key, window); windows that have ended are dropped as new ones start."""

    def __init__(self, prune_above: int = 1000) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()
        self._least = self._prune_above = prune_above

    def count(self, key: str, window: int) -> int:
        """One more request for ``key`` in ``window``: how many there are now."""
        with self._lock:
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
            if len(self._counts) > self._prune_above:
                self._counts = {k: n for k, n in self._counts.items() if k[1] >= window}
                # Many clients in one window: prune again only once their number doubles.
                self._prune_above = max(self._least, 2 * len(self._counts))
            return count

    def __len__(self) -> int:
        return len(self._counts)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


COUNTS = WindowCounts()


class WindowCounter(throttling.SimpleRateThrottle):
    wait_seconds: float | None = None

    def __init__(self) -> None:
        # DRF's, with each rate parsed once: a throttle is made anew for every request.
        if not getattr(self, "rate", None):
            self.rate = self.get_rate()
        self.num_requests, self.duration = _parsed(self.rate)

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        count = COUNTS.count(self.key, window)
        self.wait_seconds = (window + 1) * self.duration - now
        return count <= self.num_requests

    def wait(self) -> float | None:
        return self.wait_seconds


@functools.cache
def _parsed(rate: str | None) -> tuple[int | None, int | None]:
    return throttling.SimpleRateThrottle.parse_rate(None, rate)  # type: ignore[arg-type]


class AnonThrottle(WindowCounter, throttling.AnonRateThrottle):
    """Requests without a user, by client address (``anon`` rate)."""


class UserThrottle(WindowCounter, throttling.UserRateThrottle):
    """Requests of a signed-in user or token, by user (``user`` rate)."""

    def get_cache_key(self, request: Request, view: Any) -> str:
        user = request.user  # DRF's, reading request.user once instead of three times.
        ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenThrottle(AnonThrottle):
    """Password guessing is throttled by client address whether or not a session is open."""

    key_scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.key_scope, "ident": self.get_ident(request)}


class FailedTokenThrottle(TokenThrottle):
    """Requests whose token is refused, by client address (``anon`` rate): authentication
    fails before throttles run, so a client retrying a revoked or mistyped token would
    otherwise never be slowed down."""

    key_scope = "bad-token"
