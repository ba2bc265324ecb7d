"""Ingest + cleaning of 20,000 files end to end with one Celery worker (its default pool: one
process per core), next to the pure cleaner's speed on the same pages in this process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from articles import cleaning, incoming
from articles.ingest import ingest_files, start_batch
from articles.models import Article, IngestBatch
from tests.bench import corpus
from tests.bench.ingest import reset

FILES = 20_000
PURE_SAMPLE = 4_000
REPO = Path(__file__).resolve().parents[2]


def pure_cleaner_rate(texts: list[str]) -> float:
    stats = cleaning.corpus_stats(texts)
    started = time.perf_counter()
    for text in texts:
        cleaning.clean(text, stats)
    return len(texts) / (time.perf_counter() - started)


def start_worker(log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NEWSREADER_PROCESS": "bench-worker"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "newsreader", "worker", "-Q", "cleaning,default",
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    time.sleep(1)
    return process


def purge_broker() -> None:
    from newsreader import celery_app

    with celery_app.connection_for_write() as conn:
        for queue in ("cleaning", "default"):
            conn.default_channel.queue_purge(queue)


def run() -> list[str]:
    reset()
    purge_broker()
    pages = corpus.pages(FILES, seed=1)
    pure = pure_cleaner_rate([page.decode() for page in pages[:PURE_SAMPLE]])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for number, data in enumerate(pages):
            (folder / f"{number:06d}.txt").write_bytes(data)
        worker = start_worker(folder / "worker.log")
        try:
            started = time.perf_counter()
            batch = start_batch(source_name="bench", origin=IngestBatch.Origin.COMMAND)
            files = incoming.from_paths(
                [folder], glob="*.txt", max_bytes=settings.NEWSREADER_MAX_FILE_BYTES
            )
            ingest_files(files, batch=batch)
            ingested = time.perf_counter() - started
            mine = Article.objects.filter(batch=batch)
            while mine.exclude(state=Article.State.CLEANED).exists():
                if worker.poll() is not None:
                    raise RuntimeError((folder / "worker.log").read_text()[-2000:])
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    failed = mine.filter(state=Article.State.FAILED).count()
    connection.close()
    reset()
    rate = FILES / elapsed
    return [
        f"{FILES:,} files ingested in {ingested:.1f} s, all cleaned ({failed} failed) "
        f"in {elapsed:.1f} s with one worker ({os.cpu_count()} pool processes)",
        f"ingest + clean, end to end  {rate:8,.0f} articles/s",
        f"pure cleaner, one process   {pure:8,.0f} docs/s ({PURE_SAMPLE:,} of the same pages)",
        f"end to end / pure cleaner   {rate / pure:8.0%}"
        f" ({rate / pure / (os.cpu_count() or 1):.0%} per pool process)",
    ]
