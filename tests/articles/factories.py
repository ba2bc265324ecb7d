from __future__ import annotations

import hashlib
from unittest import mock

from articles.ingest import ingest_one, start_batch
from articles.models import Article, IngestBatch


def make_article(text: str, *, source: str = "test", name: str = "page.txt") -> Article:
    """An article stored through the real ingest path, not yet cleaned."""
    batch = start_batch(source_name=source, origin=IngestBatch.Origin.COMMAND)
    with mock.patch("articles.tasks.queue_cleaning"):
        _, article = ingest_one(text.encode(), name=name, batch=batch)
    return article


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
