"""Errors under /api/ are JSON for API clients; the site's own pages stay HTML."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from newsreader.errors import server_error


@pytest.mark.django_db
def test_unknown_api_urls_answer_json_and_site_urls_html() -> None:
    client = Client()
    for path in ("/api/nonexistent/", "/api/articles/abc/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_is_json() -> None:
    factory = RequestFactory()
    response = server_error(factory.get("/api/articles/"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Server error."}
    page = server_error(factory.get("/review/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_opening_a_form_action_shows_a_page_not_a_blank_405(editor) -> None:
    client = Client()
    client.force_login(editor)
    page = client.get(reverse("articles-review-bulk"))
    assert page.status_code == 405 and page["Allow"] == "POST"
    assert page["Content-Type"].startswith("text/html")
    assert "is where a form of this site sends its changes" in page.content.decode()
    api = client.get("/api/auth/token/")
    assert api.status_code == 405 and api.json() == {"detail": 'Method "GET" not allowed.'}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["articles-list", "articles-batches", "annotations-queue"])
def test_sending_a_form_to_a_page_to_read_is_a_405_that_says_nothing_was_saved(
    name: str, editor
) -> None:
    client = Client()
    client.force_login(editor)
    page = client.post(reverse(name), {"anything": "1"})
    assert page.status_code == 405 and page["Allow"] == "GET, HEAD"
    assert "takes no changes, and nothing was saved" in page.content.decode()


@pytest.mark.django_db
def test_a_request_for_another_host_is_a_400_not_a_server_error() -> None:
    # Django refuses the Host in the first middleware, before a user is attached to the
    # request: the error page must not need one.
    client = Client(raise_request_exception=False)
    page = client.get("/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
    assert "could not be understood" in page.content.decode()
    api = client.get("/api/articles/", HTTP_HOST="evil.example")
    assert api.status_code == 400
    assert api.json() == {"detail": "Bad request."}
