"""Review speed: the review page of a 10,000-word raw page, and one line toggle, server-side.

Targets (issue 4): the page renders in < 150 ms, a toggle costs < 50 ms. Timed through Django's
test client, so the figures include middleware, session, queries and template rendering, and
exclude the network and the browser.

Also the review queue at a million articles (NEWSREADER_BENCH_QUEUE_ROWS, 0 to skip): the first
page and one deep in the keyset, for each sort, on rows inserted with SQL in a transaction that
is rolled back afterwards.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from unittest import mock

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import roles
from articles.ingest import ingest_one, start_batch
from articles.models import Article, IngestBatch, Source
from articles.tasks import clean_articles

SAMPLE = Path(__file__).resolve().parents[2] / "articles" / "sample_corpus"
WORDS = 10_000
RENDERS = 30
TOGGLES = 60
QUEUE_ROWS = int(os.environ.get("NEWSREADER_BENCH_QUEUE_ROWS", "1000000"))
QUEUE_RENDERS = 10


def raw_page(words: int = WORDS) -> str:
    """Sample pages one after another (numbered, so lines differ) up to ``words`` words."""
    pages = [path.read_text() for path in sorted(SAMPLE.glob("*.txt"))]
    lines: list[str] = []
    count, round_ = 0, 0
    while count < words:
        for page in pages:
            for line in page.splitlines():
                if count >= words:
                    break
                if line.strip() and round_:
                    line = f"{line} ({round_})"
                lines.append(line)
                count += len(line.split())
        round_ += 1
    return "\n".join(lines) + "\n"


def _article() -> Article:
    text = raw_page()
    batch = start_batch(source_name="bench-review", origin=IngestBatch.Origin.COMMAND)
    with mock.patch("articles.tasks.queue_cleaning"):
        _, article = ingest_one(text.encode(), name="review-bench.txt", batch=batch)
    clean_articles([article.pk])
    article.refresh_from_db()
    if article.current_cleaning is None:
        raise RuntimeError(f"the benchmark page did not clean: {article.error}")
    return article


def _editor() -> User:
    user, _ = User.objects.get_or_create(username="bench-review-editor")
    user.groups.add(Group.objects.get_or_create(name=roles.EDITOR)[0])
    return user


def _summary(name: str, seconds: list[float], cpu: list[float], target_ms: float) -> str:
    """Wall time, and this process's CPU time: on a busy machine the wall time also counts
    waiting for a core (and PostgreSQL's share), the CPU time does not."""
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    median = statistics.median(ms)
    verdict = "ok" if median < target_ms else "SLOWER THAN TARGET"
    return (
        f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms over"
        f" {len(ms)} runs (target < {target_ms:.0f} ms: {verdict});"
        f" Django CPU median {statistics.median(cpu) * 1000:.1f} ms"
    )


# The test client's host, plain HTTP, and static URLs without a collectstatic manifest.
@override_settings(
    ALLOWED_HOSTS=["testserver"],
    SECURE_SSL_REDIRECT=False,
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
)
def run() -> list[str]:
    article = _article()
    words = len(article.text.split())
    lines = len(article.current_cleaning.lines)
    client = Client()
    client.force_login(_editor())
    page_url = reverse("articles-review", args=[article.pk])
    toggle_url = reverse("articles-review-lines", args=[article.pk])

    assert client.get(page_url).status_code == 200  # warm up: template and connection
    renders, render_cpu = [], []
    for _ in range(RENDERS):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(page_url)
        renders.append(time.perf_counter() - started)
        render_cpu.append(time.process_time() - cpu)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as page_queries:
        client.get(page_url)

    body_line = next(
        i for i, line in enumerate(article.current_cleaning.lines) if line[2] == "body"
    )
    toggles, toggle_cpu = [], []
    for _ in range(TOGGLES):
        version = Article.objects.values_list("edit_version", flat=True).get(pk=article.pk)
        started, cpu = time.perf_counter(), time.process_time()
        response = client.post(
            toggle_url, {"version": version, "line": body_line + 1}, HTTP_HX_REQUEST="true"
        )
        toggles.append(time.perf_counter() - started)
        toggle_cpu.append(time.process_time() - cpu)
        assert response.status_code == 200, response.content[:500]
    with CaptureQueriesContext(connection) as toggle_queries:
        version = Article.objects.values_list("edit_version", flat=True).get(pk=article.pk)
        client.post(toggle_url, {"version": version, "line": body_line + 1}, HTTP_HX_REQUEST="true")

    lines_out = [
        f"raw page: {words:,} words, {lines:,} lines, {len(article.text):,} characters",
        _summary("review page render", renders, render_cpu, 150),
        f"  {len(page_queries)} queries per page render",
        _summary("line toggle (htmx)", toggles, toggle_cpu, 50),
        f"  {len(toggle_queries) - 1} queries and {len(response.content):,} bytes per toggle",
    ]
    if QUEUE_ROWS:
        lines_out += _queue(client, QUEUE_ROWS)
    return lines_out


def _fill_queue(rows: int) -> IngestBatch:
    """``rows`` cleaned articles, a third in each review state, with random confidences."""
    source, _ = Source.objects.get_or_create(name="bench-review-queue")
    batch = IngestBatch.objects.create(source=source, origin=IngestBatch.Origin.COMMAND)
    # Explicit ids let each article point at its cleaning as it is inserted (the foreign keys
    # are deferred), instead of rewriting a million rows with an UPDATE afterwards.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM articles_article")
        first_article = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM articles_cleaning")
        first_cleaning = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO articles_article (id, source_id, batch_id, sha256, raw_bytes, text,"
            " encoding, original_name, original_path, size_bytes, created_at, updated_at, state,"
            " state_changed_at, error, attempts, title, review_status, reject_reason, reject_note,"
            " edit_version, current_cleaning_id)"
            " SELECT %s + g, %s, %s, md5('queue' || g) || md5('bench' || g), '\\x00'::bytea,"
            " 'page ' || g, 'utf-8', 'q' || g || '.txt', '', 1,"
            " now() - make_interval(secs => %s - g), now(), 'cleaned', now(), '', 1,"
            " 'Queue article ' || g,"
            " (ARRAY['needs_review', 'approved', 'rejected'])[1 + g %% 3], '', '', 0, %s + g"
            " FROM generate_series(1, %s) AS g",
            [first_article, source.pk, batch.pk, rows, first_cleaning, rows],
        )
        cursor.execute(
            "INSERT INTO articles_cleaning (id, article_id, cleaner_version, created_at, title,"
            " byline, body, blocks, lines, confidence, hints_version)"
            " SELECT %s + g, %s + g, 'bench', now(), '', '', '', '[]', '[]', random(), 0"
            " FROM generate_series(1, %s) AS g",
            [first_cleaning, first_article, rows],
        )
        for table, last in (
            ("articles_article", first_article + rows),
            ("articles_cleaning", first_cleaning + rows),
        ):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [last])
        cursor.execute("ANALYZE articles_article")
        cursor.execute("ANALYZE articles_cleaning")
    return batch


def _queue(client: Client, rows: int) -> list[str]:
    # One transaction, rolled back at the end: deleting a million rows would take minutes. The
    # test client's requests run on this thread's connection, so they see the rows.
    with transaction.atomic():
        out = _time_queue(client, rows)
        transaction.set_rollback(True)
    return out


def _time_queue(client: Client, rows: int) -> list[str]:
    started = time.perf_counter()
    batch = _fill_queue(rows)
    out = [f"review queue over {rows:,} articles (filled in {time.perf_counter() - started:.0f} s)"]
    middle = Article.objects.filter(batch=batch).order_by("pk")[rows // 2 : rows // 2 + 1]
    deep_id = middle.get().pk
    queue_url = reverse("articles-review-queue")
    cases = [
        ("newest first, page 1", {}),
        ("newest first, deep page", {"after": deep_id}),
        ("oldest first, deep page", {"sort": "old", "after": deep_id}),
        ("least confident, page 1", {"sort": "conf"}),
        ("least confident, deep page", {"sort": "conf", "after": f"0.5_{deep_id}"}),
        ("most confident, deep page", {"sort": "-conf", "after": f"0.5_{deep_id}"}),
        (
            "approved, from a date, deep",
            {"status": "approved", "after": deep_id, "since": "2000-01-01"},
        ),
    ]
    for name, params in cases:
        assert client.get(queue_url, params).status_code == 200
        seconds, query_ms = [], []
        for _ in range(QUEUE_RENDERS):
            begun = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(queue_url, params)
            seconds.append(time.perf_counter() - begun)
            query_ms.append(max(float(q["time"]) for q in queries.captured_queries) * 1000)
            assert response.status_code == 200
            assert response.content.count(b'name="articles"') == 50, name
        ms = sorted(s * 1000 for s in seconds)
        out.append(
            f"  {name}: page median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms;"
            f" slowest query median {statistics.median(query_ms):.1f} ms"
        )
    return out
