"""The token page: make, replace and revoke a token without JS; the docs load no CDN."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_user_makes_replaces_and_revokes_a_token(annotator: User, client: Client) -> None:
    assert client.get("/account/tokens/").status_code == 302  # login first
    client.login(username="alice", password=PASSWORD)
    assert b"You have no token" in client.get("/account/tokens/").content
    response = client.post("/account/tokens/", {"action": "create"}, follow=True)
    first = Token.objects.get(user=annotator).key
    assert first.encode() in response.content
    assert b"Token made." in response.content
    # Shown once only.
    assert first.encode() not in client.get("/account/tokens/").content
    response = client.post("/account/tokens/", {"action": "create"}, follow=True)
    assert b"New token made; the old one no longer works." in response.content
    second = Token.objects.get(user=annotator).key
    assert second != first
    assert (
        b"Token revoked."
        in client.post("/account/tokens/", {"action": "revoke"}, follow=True).content
    )
    assert not Token.objects.filter(user=annotator).exists()
    assert client.post("/account/tokens/", {"action": "steal"}).status_code == 302


def test_docs_are_served_without_a_cdn(annotator: User, client: Client) -> None:
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "https://" not in page.replace("https://swagger.io", "")
    assert client.get("/api/schema/").status_code == 200
