"""The shortcut for plain JSON requests picks what DRF's negotiation would; the rest is DRF's."""

from __future__ import annotations

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from newsreader.negotiation import JSONFirstNegotiation


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", " application/json "])
def test_plain_requests_get_what_drf_would_pick(accept: str | None) -> None:
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get("/api/articles/", {"page_size": 5}, **headers))
    renderers = [JSONRenderer(), BrowsableAPIRenderer()]
    picked = JSONFirstNegotiation().select_renderer(request, renderers)
    assert picked == DefaultContentNegotiation().select_renderer(request, renderers)
    assert picked == (renderers[0], "application/json")


def test_anything_else_is_negotiated_by_drf() -> None:
    request = Request(APIRequestFactory().get("/x/", {"format": "api"}))
    renderers = [JSONRenderer(), BrowsableAPIRenderer()]
    renderer, _ = JSONFirstNegotiation().select_renderer(request, renderers)
    assert isinstance(renderer, BrowsableAPIRenderer)
    request = Request(APIRequestFactory().get("/x/", HTTP_ACCEPT="text/html"))
    renderer, _ = JSONFirstNegotiation().select_renderer(request, renderers)
    assert isinstance(renderer, BrowsableAPIRenderer)


def test_the_api_refuses_what_it_cannot_write() -> None:
    client = APIClient()
    assert client.get("/api/health/", HTTP_ACCEPT="text/html").status_code == 406
    assert client.get("/api/health/", {"format": "xml"}).status_code == 404
    assert client.get("/api/health/", {"format": "json"}).json() == {"status": "ok"}
    assert client.get("/api/health/", HTTP_ACCEPT="application/json; indent=2").status_code == 200
