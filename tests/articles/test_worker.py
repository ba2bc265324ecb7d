"""Cleaning through real Celery worker processes, including one killed mid-batch."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from articles import incoming
from articles.ingest import ingest_files, start_batch
from articles.models import Article, Cleaning, IngestBatch
from tests.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "articles" / "sample_corpus"


def ingest_sample(copies: int = 1, *, padding: int = 0) -> list[int]:
    """Ingest the sample corpus ``copies`` times over, each copy made unique."""
    files = []
    for copy in range(copies):
        for path in sorted(SAMPLE.glob("*.txt")):
            text = path.read_text() + f"\nCopy {copy}\n" + "Filler line of a long page.\n" * padding
            files.append(incoming.IncomingFile(path.name, f"{copy}/{path.name}", text.encode()))
    batch = start_batch(source_name="worker-test", origin=IngestBatch.Origin.COMMAND)
    ingest_files(files, batch=batch)
    return list(Article.objects.values_list("pk", flat=True))


def states() -> Counter[str]:
    return Counter(Article.objects.values_list("state", flat=True))


def test_a_worker_cleans_what_is_ingested(start_worker) -> None:
    start_worker()
    ids = ingest_sample()

    def all_cleaned() -> bool:
        return states() == Counter({Article.State.CLEANED: len(ids)})

    wait_for(all_cleaned, timeout=60)
    article = Article.objects.get(original_name="003_da5bc25322853d1b.txt")
    assert article.title.startswith("'Identical views on all strategic issues'")


def test_a_worker_killed_mid_batch_loses_nothing(start_worker) -> None:
    env = {"NEWSREADER_CLEANING_BATCH": "5"}
    # Long pages, so that a batch takes long enough to be caught half-way.
    ids = ingest_sample(copies=4, padding=4000)
    first = start_worker(**env)

    def some_being_cleaned() -> bool:
        return Article.objects.filter(state=Article.State.CLEANING).exists()

    wait_for(some_being_cleaned, timeout=60, interval=0.01)
    first.kill()
    interrupted = set(
        Article.objects.filter(state=Article.State.CLEANING).values_list("pk", flat=True)
    )
    assert interrupted, "the worker was not killed mid-batch"

    start_worker(**env)

    def all_cleaned() -> bool:
        return states() == Counter({Article.State.CLEANED: len(ids)})

    wait_for(all_cleaned, timeout=120)
    per_article = Counter(Cleaning.objects.values_list("article_id", flat=True))
    assert set(per_article) == set(ids)
    assert set(per_article.values()) == {1}, "an article was cleaned more than once"
    assert all(
        attempts == 2
        for attempts in Article.objects.filter(pk__in=interrupted).values_list(
            "attempts", flat=True
        )
    )
