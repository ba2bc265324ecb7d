"""Changing one's password in the app's own pages; no reset by email (Newsreader sends none)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_a_user_changes_their_password(annotator) -> None:
    client = Client()
    client.force_login(annotator)
    page = client.get("/accounts/password_change/").content.decode()
    assert "Django administration" not in page and "Change password" in page
    assert 'href="/accounts/password_change/"' in client.get("/").content.decode()
    wrong = client.post(
        "/accounts/password_change/",
        {"old_password": "nope", "new_password1": "a", "new_password2": "a"},
    )
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    new = "a much longer new passphrase"
    done = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Password changed" in done.content.decode()
    annotator.refresh_from_db()
    assert annotator.check_password(new)


@pytest.mark.django_db
def test_there_is_no_reset_by_email() -> None:
    assert Client().get("/accounts/password_reset/").status_code == 404
