"""Ingest of 20,000 files of ~6 KB, next to a raw psycopg COPY of the same bytes."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.db import connection

from articles import incoming
from articles.ingest import ingest_files, start_batch
from articles.models import IngestBatch
from tests.bench import corpus

FILES = 20_000


def reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE articles_article, articles_cleaning, articles_ingestbatch,"
            " articles_ingestrejection, articles_linestat, articles_source,"
            " articles_textrevision, articles_cleaninghint CASCADE"
        )


def raw_copy(folder: Path) -> float:
    """Seconds to read the files and COPY their bytes into a bare table."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw")
        cursor.execute("CREATE TABLE bench_raw (name text, data bytea)")
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.copy("COPY bench_raw (name, data) FROM STDIN") as copy,
    ):
        for path in sorted(folder.iterdir()):
            copy.write_row((path.name, path.read_bytes()))
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw")
    return elapsed


def ingest(folder: Path) -> float:
    batch = start_batch(source_name="bench", origin=IngestBatch.Origin.COMMAND)
    files = incoming.from_paths(
        [folder], glob="*.txt", max_bytes=settings.NEWSREADER_MAX_FILE_BYTES
    )
    started = time.perf_counter()
    # Queueing the cleaning is measured by the pipeline section; here only storage counts.
    with mock.patch("articles.tasks.queue_cleaning"):
        batch = ingest_files(files, batch=batch)
    elapsed = time.perf_counter() - started
    assert batch.new_count == FILES, batch.summary
    return elapsed


def run() -> list[str]:
    reset()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        total = corpus.write(folder, FILES)
        megabytes = total / 1e6
        copy_seconds = raw_copy(folder)
        ingest_seconds = ingest(folder)
    reset()
    lines = [f"{FILES:,} files, {megabytes:.1f} MB"]
    for name, seconds in (("raw COPY (bytes only)", copy_seconds), ("ingest", ingest_seconds)):
        lines.append(f"{name:24s} {FILES / seconds:8,.0f} files/s {megabytes / seconds:7.1f} MB/s")
    lines.append(f"ingest / raw COPY         {copy_seconds / ingest_seconds:8.0%}")
    return lines
