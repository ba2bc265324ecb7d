"""A mirror misses nothing that commits late: the sync lists stop short of open transactions."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from annotations import api, services
from annotations.models import EntityMention
from tests.annotations.factories import approved_article, project_for, span_of
from tests.api.conftest import client_for

# Real commits, seen from other connections.
pytestmark = pytest.mark.django_db(transaction=True)


def _mention(project, article, annotator, exact: str) -> EntityMention:
    return services.mention_create(
        project=project,
        article=article,
        annotator=annotator,
        span=span_of(article, exact),
        label="PER",
    )


def test_a_change_committed_late_reaches_a_mirror_that_read_meanwhile(
    annotator: User, editor: User
) -> None:
    article = approved_article()
    project = project_for(annotator, article=article)
    client = client_for(editor)
    written, release = threading.Event(), threading.Event()

    def slow_write() -> None:
        # A long transaction (an import of thousands of spans, say): its row is written,
        # and timed, now, but others see it only when it commits.
        try:
            with transaction.atomic():
                _mention(project, article, annotator, "Angela Merkel")
                written.set()
                assert release.wait(20)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_write)
    writer.start()
    try:
        assert written.wait(20)
        _mention(project, article, annotator, "Paris")  # Later, and committed at once.
        lists = {
            "changes": f"/api/changes/?project={project.pk}",
            "mentions": f"/api/mentions/?project={project.pk}",
        }
        # Meanwhile a consumer syncs: neither row is served yet, and its cursor stays put.
        cursors = {}
        for name, url in lists.items():
            page = client.get(url).json()
            assert page["results"] == [], name
            cursors[name] = page["next_cursor"]
    finally:
        release.set()
        writer.join(20)
    # Once it has committed, resuming gives both, in the order they were written.
    for name, url in lists.items():
        cursor = cursors[name]
        page = client.get(url + (f"&cursor={cursor}" if cursor else "")).json()
        rows = [row.get("data", row) for row in page["results"]]
        assert [row["exact"] for row in rows] == ["Angela Merkel", "Paris"], name


def test_the_latest_changes_wait_for_the_settling_margin(annotator: User, editor: User) -> None:
    article = approved_article()
    project = project_for(annotator, article=article)
    _mention(project, article, annotator, "Paris")
    client = client_for(editor)
    url = f"/api/mentions/?project={project.pk}"
    with override_settings(NEWSREADER_SYNC_SETTLE_MS=60_000):
        assert client.get(url).json()["results"] == []
    assert len(client.get(url).json()["results"]) == 1


def test_each_process_reads_the_horizon_at_most_so_often(editor: User) -> None:
    client = client_for(editor)
    with (
        override_settings(NEWSREADER_SYNC_HORIZON_REFRESH_MS=60_000),
        CaptureQueriesContext(connection) as queries,
    ):
        for url in ("/api/mentions/", "/api/articles/", "/api/changes/", "/api/mentions/"):
            assert client.get(url).status_code == 200
    reads = [q for q in queries.captured_queries if "newsreader_sync_horizon" in q["sql"]]
    assert len(reads) == 1


def test_a_row_deleted_while_its_changes_page_is_read_is_still_on_it(
    annotator: User, editor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = approved_article()
    project = project_for(annotator, article=article)
    mention = _mention(project, article, annotator, "Paris")
    read_rows = api._change_rows

    def deleted_meanwhile(page):  # By someone else, between the page's two reads.
        thread = threading.Thread(target=_delete_elsewhere, args=(mention.pk,))
        thread.start()
        thread.join(20)
        return read_rows(page)

    monkeypatch.setattr(api, "_change_rows", deleted_meanwhile)
    page = client_for(editor).get(f"/api/changes/?project={project.pk}")
    assert page.status_code == 200
    assert [(row["op"], row["id"]) for row in page.json()["results"]] == [("upsert", mention.pk)]
    assert not EntityMention.objects.filter(pk=mention.pk).exists()


def _delete_elsewhere(pk: int) -> None:
    try:
        EntityMention.objects.filter(pk=pk).delete()
    finally:
        connection.close()
