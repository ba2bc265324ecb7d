"""Rate limits: a counter per user (or client address) and fixed window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from newsreader.throttling import COUNTS, WindowCounter, WindowCounts
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 60 * 16_667 + 20.0  # 20 s into a minute-long window.

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    clock = Clock()
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"}
    )
    monkeypatch.setattr(WindowCounter, "timer", lambda self: clock())
    COUNTS.clear()
    yield clock
    COUNTS.clear()


def test_a_user_over_the_rate_waits_for_the_next_window(
    clock: Clock, annotator: User, editor: User
) -> None:
    client = client_for(annotator)
    assert [client.get("/api/projects/").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/projects/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    assert "throttled" in refused.json()["detail"].lower()
    # Counted per user: somebody else is not held back.
    assert client_for(editor).get("/api/projects/").status_code == 200
    clock.now += 40
    assert client.get("/api/projects/").status_code == 200


def test_token_requests_are_limited_by_address(clock: Clock, annotator: User) -> None:
    annotator.set_password("correct horse")
    annotator.save()
    client = APIClient()
    wrong = {"username": annotator.username, "password": "guess"}
    right = {"username": annotator.username, "password": "correct horse"}

    def token(body: dict[str, str]) -> int:
        return client.post("/api/auth/token/", body, format="json").status_code

    assert [token(wrong), token(wrong), token(right)] == [400, 400, 429]
    clock.now += 60
    assert token(right) == 200


def test_refused_tokens_are_limited_by_address(clock: Clock, annotator: User) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    refused = [client.get("/api/projects/") for _ in range(3)]
    assert [r.status_code for r in refused] == [401, 401, 429]
    assert refused[-1]["Retry-After"] == "40"
    # A good token from the same address still works: only refusals are counted.
    assert client_for(annotator).get("/api/projects/").status_code == 200
    clock.now += 40
    assert client.get("/api/projects/").status_code == 401


def test_ended_windows_are_forgotten() -> None:
    counts = WindowCounts(prune_above=3)
    assert [counts.count("a", 1), counts.count("a", 1), counts.count("b", 1)] == [1, 2, 1]
    assert [counts.count("c", 1), counts.count("d", 2)] == [1, 1]
    assert len(counts) == 1  # Window 1 ended when window 2 began.
    assert [counts.count(key, 2) for key in "efgh"] == [1, 1, 1, 1]
    assert len(counts) == 5  # All in the current window: nothing to forget.
    assert counts.count("d", 2) == 2
