"""A signed-out htmx request sends the whole page to the login form, coming back to the page."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_signed_out_htmx_post_redirects_the_page_to_login() -> None:
    client = Client()
    page = "/annotate/projects/1/articles/2/"
    response = client.post(
        f"{page}topic-stance/",
        {"topic": "Climate", "label": "FAVOR"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )
    assert response.status_code == 200
    assert (
        response["HX-Redirect"]
        == "/accounts/login/?next=%2Fannotate%2Fprojects%2F1%2Farticles%2F2%2F"
    )
    plain = client.post(f"{page}topic-stance/", {"topic": "Climate", "label": "FAVOR"})
    assert plain.status_code == 302 and plain["Location"].startswith("/accounts/login/?next=")
