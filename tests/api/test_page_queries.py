"""List pages run a kept compiled query with each request's cursor (newsreader.page_queries):
the rows must be the ORM's, and a kept query must never outlive what it was compiled for."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from rest_framework.utils.urls import replace_query_param

from annotations import services
from annotations.models import EntityMention, Membership
from articles.models import Article
from newsreader.api import PAGE_QUERIES, PlainListMixin
from newsreader.page_queries import (
    STAND_IN_HORIZON,
    STAND_IN_ID,
    STAND_IN_TIME,
    PageQueries,
    PageQuery,
    page_query,
    stand_ins,
)
from tests.annotations.factories import approved_article, project_for, span_of
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_kept_queries() -> None:
    PAGE_QUERIES.clear()


def _walk(client: Any, url: str, **query: Any) -> list[int]:
    seen: list[int] = []
    response = client.get(url, {"page_size": 1, **query})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [row["id"] for row in body["results"]]
        if not body["next"]:
            return seen
        response = client.get(body["next"])


def _compiles() -> Any:
    return mock.patch.object(
        PlainListMixin, "_page_query", autospec=True, side_effect=PlainListMixin._page_query
    )


def test_pages_after_the_first_reuse_the_compiled_query(editor: User) -> None:
    for n in range(4):
        approved_article(title=f"Article {n}")
    client = client_for(editor)
    with _compiles() as compiled:
        first = _walk(client, "/api/articles/", approved="true")
        # One compile for the first page, one (with stand-ins) for every page after it.
        assert compiled.call_count == 2
        again = _walk(client, "/api/articles/", approved="true")
        assert compiled.call_count == 2
    expected = Article.objects.filter(review_status=Article.Review.APPROVED).order_by(
        "updated_at", "id"
    )
    assert first == again == list(expected.values_list("id", flat=True))


def test_a_kept_query_is_per_user_scope(annotator: User, editor: User) -> None:
    """An annotator sees only their own annotations (blind mode) until made a project editor."""
    article = approved_article()
    project = project_for(annotator, editor, article=article)
    for user, exact in ((annotator, "Angela Merkel"), (editor, "Paris")):
        services.mention_create(
            project=project,
            article=article,
            annotator=user,
            span=span_of(article, exact),
            label="PER",
        )
    mine = EntityMention.objects.get(annotator=annotator).pk
    everyone = sorted(EntityMention.objects.values_list("pk", flat=True))
    client = client_for(annotator)
    assert _walk(client, "/api/mentions/", project=project.pk) == [mine]
    assert _walk(client, "/api/mentions/", project=project.pk) == [mine]
    assert sorted(_walk(client_for(editor), "/api/mentions/", project=project.pk)) == everyone
    services.membership_set(project=project, user=annotator, role=Membership.Role.EDITOR)
    assert sorted(_walk(client, "/api/mentions/", project=project.pk)) == everyone
    Membership.objects.filter(user=annotator).delete()
    assert _walk(client, "/api/mentions/", project=project.pk) == []


def test_a_filter_value_equal_to_a_stand_in_is_not_kept_but_still_served(editor: User) -> None:
    for n in range(3):
        approved_article(title=f"Article {n}")
    client = client_for(editor)
    since = STAND_IN_TIME.isoformat().replace("+00:00", "Z")
    with _compiles() as compiled:
        seen = _walk(client, "/api/articles/", updated_after=since)
        # Nothing kept: each page compiles twice (with stand-ins, found wanting, then plain).
        assert compiled.call_count == 2 * len(seen) == 6
    assert seen == list(Article.objects.order_by("updated_at", "id").values_list("id", flat=True))


def test_stand_ins_are_found_where_the_cursor_goes() -> None:
    when, pk = datetime(2026, 1, 2, tzinfo=UTC), 41
    horizon = datetime(2026, 1, 3, tzinfo=UTC)
    sql = "… WHERE t < %s AND p = %s AND t >= %s AND (t > %s OR (t = %s AND id > %s)) …"
    h, t = STAND_IN_HORIZON, STAND_IN_TIME
    kept = page_query(sql, [h, 7, t, t, t, STAND_IN_ID], True, False)
    assert kept == PageQuery(
        sql, (h, 7, *stand_ins(False)[:1] * 3, STAND_IN_ID), (2, 3, 4), (5,), (0,)
    )
    assert kept.params_for([when, pk], horizon) == [horizon, 7, when, when, when, pk]
    by_id = page_query("… id > %s", [STAND_IN_ID], True, True)
    assert by_id is not None and by_id.params_for([pk, pk], horizon) == [pk]
    first = page_query("… t < %s AND p = %s", [h, 7], False, False)
    assert first.params_for(None, horizon) == [horizon, 7]
    # A filter holding a stand-in's value: the places are ambiguous.
    assert page_query(sql, [h, t, t, t, t, STAND_IN_ID], True, False) is None
    assert page_query(sql, [h, h, t, t, t, STAND_IN_ID], True, False) is None
    assert page_query(sql, [STAND_IN_ID], False, False) is None
    # Without the horizon where the time orders the list: not kept.
    assert page_query("… p = %s", [7], False, False) is None


def test_kept_queries_are_bounded() -> None:
    kept = PageQueries(size=2)
    for key in "abc":
        kept.keep(key, PageQuery(key))
    assert len(kept) == 2 and kept.get("a") is None and kept.get("c") == PageQuery("c")


def test_the_next_link_is_drfs_with_the_cursor_replaced(editor: User) -> None:
    for n in range(3):
        approved_article(title=f"Article {n}")
    client = client_for(editor)
    # Parameters after the cursor's name, and one to escape, are kept as DRF keeps them.
    query = [("page_size", "1"), ("updated_after", "2000-01-01T00:00+00:00"), ("approved", "1")]
    url = "http://testserver/api/articles/?" + urlencode(query)
    first = client.get(url).json()
    assert first["next"] == replace_query_param(url, "cursor", first["next_cursor"])
    second = client.get(first["next"]).json()
    assert second["next"] == replace_query_param(url, "cursor", second["next_cursor"])
    assert "updated_after=2000-01-01T00%3A00%2B00%3A00" in second["next"]


def test_next_links_follow_each_requests_scheme_and_host(editor: User) -> None:
    for _ in range(3):
        approved_article()
    client = client_for(editor)
    asked = [
        ("localhost", {}),
        ("127.0.0.1", {}),
        ("127.0.0.1", {"HTTP_X_FORWARDED_PROTO": "https"}),
        ("127.0.0.1:8443", {"HTTP_X_FORWARDED_PROTO": "https"}),
    ]
    links = []
    for host, headers in asked:
        response = client.get("/api/articles/?page_size=1", HTTP_HOST=host, **headers)
        body = response.json()
        url = response.wsgi_request.build_absolute_uri()
        assert body["next"] == replace_query_param(url, "cursor", body["next_cursor"])
        links.append(body["next"])
    assert [link.split("/api/")[0] for link in links] == [
        "http://localhost",
        "http://127.0.0.1",
        "https://127.0.0.1",
        "https://127.0.0.1:8443",
    ]


def test_cursors_saved_before_times_were_written_with_z_still_resume() -> None:
    import base64
    import json

    from newsreader.api import decode_cursor, encode_cursor

    when = datetime(2026, 11, 23, 4, 5, 6, 789, tzinfo=UTC)
    old = base64.urlsafe_b64encode(json.dumps([when.isoformat(), 7]).encode()).decode()
    assert decode_cursor(old.rstrip("="), [datetime, int]) == [when, 7]
    assert decode_cursor(encode_cursor([when, 7]), [datetime, int]) == [when, 7]
