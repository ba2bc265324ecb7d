"""Ingestion: incoming files to stored articles, in bulk, idempotently.

Each chunk of files is one transaction: the rows are COPY'd into a temporary table and moved
with ``INSERT … ON CONFLICT (sha256) DO NOTHING``, so the unique constraint (not a prior
SELECT) decides what is new, and two processes ingesting the same files store each once.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from articles.cleaning import line_key
from articles.decoding import Rejected, decode
from articles.incoming import IncomingFile
from articles.models import Article, IngestBatch, IngestRejection, LineStat, Source

CHUNK_SIZE = 1000
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Outcome:
    NEW = "new"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


# Called once per file: (name or path, outcome, reason or "").
FileCallback = Callable[[str, str, str], None]


@dataclass
class _Prepared:
    incoming: IncomingFile
    sha256: str
    data: bytes
    text: str
    encoding: str


def start_batch(
    *,
    source_name: str,
    origin: str,
    description: str = "",
    created_by: AbstractBaseUser | None = None,
) -> IngestBatch:
    source, _ = Source.objects.get_or_create(name=source_name)
    return IngestBatch.objects.create(
        source=source, origin=origin, description=description[:2000], created_by=created_by
    )


def ingest_files(
    files: Iterable[IncomingFile],
    *,
    batch: IngestBatch,
    on_file: FileCallback | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> IngestBatch:
    """Store every acceptable file of ``files`` in ``batch``; return the batch with its counts."""
    iterator = iter(files)
    while chunk := list(islice(iterator, chunk_size)):
        _ingest_chunk(chunk, batch=batch, on_file=on_file)
    batch.finished_at = timezone.now()
    batch.save(update_fields=["finished_at"])
    batch.refresh_from_db()
    return batch


def ingest_one(data: bytes, *, name: str, batch: IngestBatch) -> tuple[str, Article]:
    """One file known to decode (the API's case): (new or duplicate, the stored article)."""
    outcomes: list[str] = []
    incoming = IncomingFile(name=name, path=name, data=data, size=len(data))
    ingest_files([incoming], batch=batch, on_file=lambda _, outcome, __: outcomes.append(outcome))
    if outcomes[0] == Outcome.REJECTED:
        raise Rejected("rejected although it decoded")
    return outcomes[0], Article.objects.get(sha256=hashlib.sha256(data).hexdigest())


def _ingest_chunk(
    chunk: list[IncomingFile], *, batch: IngestBatch, on_file: FileCallback | None
) -> None:
    rejections: list[IngestRejection] = []
    prepared: dict[str, _Prepared] = {}
    # (file, sha256 or None when rejected), in the order given, for the per-file report.
    order: list[tuple[IncomingFile, str | None, str]] = []
    for incoming in chunk:
        try:
            item = _prepare(incoming)
        except Rejected as error:
            rejections.append(
                IngestRejection(
                    batch=batch, name=incoming.path, reason=str(error), size_bytes=incoming.size
                )
            )
            order.append((incoming, None, str(error)))
            continue
        order.append((incoming, item.sha256, ""))
        prepared.setdefault(item.sha256, item)

    with transaction.atomic():
        new = _insert_articles(list(prepared.values()), batch=batch)
        new_ids = list(new.values())
        _count_lines([prepared[sha].text for sha in new], source_id=batch.source_id)
        IngestRejection.objects.bulk_create(rejections)
        Source.objects.filter(pk=batch.source_id).update(
            article_count=F("article_count") + len(new)
        )
        IngestBatch.objects.filter(pk=batch.pk).update(
            new_count=F("new_count") + len(new),
            duplicate_count=F("duplicate_count") + len(chunk) - len(rejections) - len(new),
            rejected_count=F("rejected_count") + len(rejections),
        )
        if new_ids:
            from articles.tasks import queue_cleaning

            transaction.on_commit(lambda: queue_cleaning(new_ids))

    if on_file is not None:
        unclaimed_new = set(new)
        for incoming, sha, reason in order:
            if sha is None:
                on_file(incoming.path, Outcome.REJECTED, reason)
            elif sha in unclaimed_new:
                unclaimed_new.discard(sha)  # A second copy in the same chunk is a duplicate.
                on_file(incoming.path, Outcome.NEW, "")
            else:
                on_file(incoming.path, Outcome.DUPLICATE, "")


def _prepare(incoming: IncomingFile) -> _Prepared:
    if incoming.error is not None:
        raise Rejected(incoming.error)
    assert incoming.data is not None
    text, encoding = decode(incoming.data)
    return _Prepared(
        incoming=incoming,
        sha256=hashlib.sha256(incoming.data).hexdigest(),
        data=incoming.data,
        text=text,
        encoding=encoding,
    )


_STAGE_COLUMNS = "sha256, raw_bytes, text, encoding, original_name, original_path, size_bytes"


def _insert_articles(items: list[_Prepared], *, batch: IngestBatch) -> dict[str, int]:
    """Insert what is not stored yet; return {sha256: id} of the rows this call inserted."""
    if not items:
        return {}
    table = Article._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS ingest_stage ("
            " sha256 text, raw_bytes bytea, text text, encoding text, original_name text,"
            " original_path text, size_bytes bigint)"
        )
        # Emptied here, not ON COMMIT: the caller may hold an outer transaction.
        cursor.execute("TRUNCATE ingest_stage")
        with cursor.copy(f"COPY ingest_stage ({_STAGE_COLUMNS}) FROM STDIN") as copy:
            for item in items:
                copy.write_row(
                    (
                        item.sha256,
                        item.data,
                        item.text,
                        item.encoding,
                        item.incoming.name[:500],
                        item.incoming.path,
                        len(item.data),
                    )
                )
        cursor.execute(
            f"INSERT INTO {table} ({_STAGE_COLUMNS}, source_id, batch_id, created_at, updated_at,"
            " state, state_changed_at, error, attempts, title)"
            f" SELECT {_STAGE_COLUMNS}, %s, %s, now(), now(), %s, now(), '', 0, ''"
            " FROM ingest_stage ORDER BY sha256"
            " ON CONFLICT (sha256) DO NOTHING RETURNING sha256, id",
            [batch.source_id, batch.pk, Article.State.QUEUED],
        )
        return dict(cursor.fetchall())


def document_line_keys(text: str) -> set[int]:
    return {line_key(line) for line in _LINE_BREAK.split(text) if line.strip()}


def _count_lines(texts: list[str], *, source_id: int) -> None:
    """Add these documents to the per-source line statistics the cleaner reads."""
    counts: Counter[int] = Counter()
    for text in texts:
        counts.update(document_line_keys(text))
    if not counts:
        return
    table = LineStat._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS linestat_stage (key bigint, documents integer)"
        )
        cursor.execute("TRUNCATE linestat_stage")
        with cursor.copy("COPY linestat_stage (key, documents) FROM STDIN") as copy:
            for key, documents in counts.items():
                copy.write_row((key, documents))
        # Sorted, so two ingests updating the same keys lock them in the same order.
        cursor.execute(
            f"INSERT INTO {table} (source_id, key, documents)"
            " SELECT %s, key, documents FROM linestat_stage ORDER BY key"
            " ON CONFLICT (key, source_id)"
            f" DO UPDATE SET documents = {table}.documents + EXCLUDED.documents",
            [source_id],
        )


def iter_chunks(items: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
