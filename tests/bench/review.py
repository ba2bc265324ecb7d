"""Review speed: the review page of a 10,000-word raw page, and one line toggle, server-side.

Targets (issue 4): the page renders in < 150 ms, a toggle costs < 50 ms. Timed through Django's
test client, so the figures include middleware, session, queries and template rendering, and
exclude the network and the browser.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from unittest import mock

from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import roles
from articles.ingest import ingest_one, start_batch
from articles.models import Article, IngestBatch
from articles.tasks import clean_articles

SAMPLE = Path(__file__).resolve().parents[2] / "articles" / "sample_corpus"
WORDS = 10_000
RENDERS = 30
TOGGLES = 60


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


def _summary(name: str, seconds: list[float], target_ms: float) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    verdict = "ok" if p95 < target_ms else "SLOWER THAN TARGET"
    return (
        f"{name}: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, "
        f"max {ms[-1]:.1f} ms over {len(ms)} runs (target < {target_ms:.0f} ms: {verdict})"
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
    renders = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        response = client.get(page_url)
        renders.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as page_queries:
        client.get(page_url)

    body_line = next(
        i for i, line in enumerate(article.current_cleaning.lines) if line[2] == "body"
    )
    toggles = []
    for _ in range(TOGGLES):
        version = Article.objects.values_list("edit_version", flat=True).get(pk=article.pk)
        started = time.perf_counter()
        response = client.post(
            toggle_url, {"version": version, "line": body_line + 1}, HTTP_HX_REQUEST="true"
        )
        toggles.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:500]
    with CaptureQueriesContext(connection) as toggle_queries:
        version = Article.objects.values_list("edit_version", flat=True).get(pk=article.pk)
        client.post(toggle_url, {"version": version, "line": body_line + 1}, HTTP_HX_REQUEST="true")

    return [
        f"raw page: {words:,} words, {lines:,} lines, {len(article.text):,} characters",
        _summary("review page render", renders, 150)
        + f", {len(response.content):,} bytes per toggle answer",
        f"  {len(page_queries)} queries per page render",
        _summary("line toggle (htmx)", toggles, 50),
        f"  {len(toggle_queries) - 1} queries per toggle",
    ]
