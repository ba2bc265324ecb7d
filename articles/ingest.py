"""Ingestion: incoming files to stored articles, in bulk, idempotently.

Each chunk of files is one transaction: the rows are COPY'd into a temporary table and moved
with ``INSERT … ON CONFLICT (sha256) DO NOTHING``, so the unique constraint (not a prior
SELECT) decides what is new, and two processes ingesting the same files store each once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

import psycopg
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from articles import tasks
from articles.decoding import Rejected, decode
from articles.incoming import IncomingFile
from articles.models import (
    Article,
    IngestBatch,
    IngestDuplicate,
    IngestRejection,
    IngestSkip,
    Source,
)

CHUNK_SIZE = 1000


class Outcome:
    NEW = "new"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    SKIPPED = "skipped"


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
    skipped: list[IngestSkip] = []
    prepared: dict[str, _Prepared] = {}
    # (file, sha256 or None when rejected or skipped, reason), in the order given, for the report.
    order: list[tuple[IncomingFile, str | None, str]] = []
    for incoming in chunk:
        if incoming.skipped is not None:
            skipped.append(
                IngestSkip(
                    batch=batch,
                    name=incoming.path,
                    reason=incoming.skipped,
                    size_bytes=incoming.size,
                )
            )
            order.append((incoming, None, incoming.skipped))
            continue
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
        new_ids = sorted(new.values())
        outcomes = _outcomes(order, new)
        IngestRejection.objects.bulk_create(rejections)
        IngestSkip.objects.bulk_create(skipped)
        _record_duplicates(outcomes, batch=batch)
        if new:
            Source.objects.filter(pk=batch.source_id).update(
                article_count=F("article_count") + len(new)
            )
        IngestBatch.objects.filter(pk=batch.pk).update(
            new_count=F("new_count") + len(new),
            duplicate_count=F("duplicate_count")
            + (len(chunk) - len(rejections) - len(skipped) - len(new)),
            rejected_count=F("rejected_count") + len(rejections),
            skipped_count=F("skipped_count") + len(skipped),
        )
        if new_ids:
            transaction.on_commit(lambda: tasks.queue_cleaning(new_ids))

    if on_file is not None:
        for incoming, outcome, reason, _ in outcomes:
            on_file(incoming.path, outcome, reason)


def _outcomes(
    order: list[tuple[IncomingFile, str | None, str]], new: dict[str, int]
) -> list[tuple[IncomingFile, Outcome, str, str | None]]:
    """(file, outcome, reason, sha256) for each file of a chunk, in order."""
    outcomes = []
    unclaimed_new = set(new)
    for incoming, sha, reason in order:
        if incoming.skipped is not None:
            outcomes.append((incoming, Outcome.SKIPPED, reason, sha))
        elif sha is None:
            outcomes.append((incoming, Outcome.REJECTED, reason, sha))
        elif sha in unclaimed_new:
            unclaimed_new.discard(sha)  # A second copy in the same chunk is a duplicate.
            outcomes.append((incoming, Outcome.NEW, "", sha))
        else:
            outcomes.append((incoming, Outcome.DUPLICATE, "", sha))
    return outcomes


def _record_duplicates(
    outcomes: list[tuple[IncomingFile, Outcome, str, str | None]], *, batch: IngestBatch
) -> None:
    """Name each file of the chunk that was stored already, with the article it is."""
    duplicates = [
        (incoming.path, sha)
        for incoming, outcome, _, sha in outcomes
        if outcome == Outcome.DUPLICATE
    ]
    if not duplicates:
        return
    ids = dict(
        Article.objects.filter(sha256__in={sha for _, sha in duplicates}).values_list(
            "sha256", "pk"
        )
    )
    IngestDuplicate.objects.bulk_create(
        IngestDuplicate(batch=batch, name=name, article_id=ids[sha]) for name, sha in duplicates
    )


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


_COLUMNS = (
    "sha256, raw_bytes, text, encoding, original_name, original_path, size_bytes,"
    " source_id, batch_id, created_at, updated_at, state, state_changed_at, error, attempts, title"
)
_TYPES = [
    "text", "bytea", "text", "text", "text", "text", "int8",
    "int8", "int8", "timestamptz", "timestamptz", "text", "timestamptz", "text", "int2", "text",
]  # fmt: skip


def _insert_articles(items: list[_Prepared], *, batch: IngestBatch) -> dict[str, int]:
    """Insert what is not stored yet; return {sha256: id} of the rows this call inserted.

    The fast path COPYs the rows not found by a lookup straight into the table. When another
    ingest stores one of them in between, the unique constraint stops the COPY and the chunk
    goes through a staging table with ON CONFLICT DO NOTHING instead.
    """
    if not items:
        return {}
    table = Article._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sha256 FROM {table} WHERE sha256 = ANY(%s)", [[i.sha256 for i in items]]
        )
        stored = {row[0] for row in cursor.fetchall()}
        # In hash order, as the staged path inserts: two ingests racing on the same files then
        # wait for each other's rows in one order and cannot deadlock.
        fresh = sorted((i for i in items if i.sha256 not in stored), key=lambda i: i.sha256)
        if not fresh:
            return {}
        try:
            with transaction.atomic():
                _copy_rows(cursor, table, fresh, batch=batch)
        except (IntegrityError, psycopg.errors.UniqueViolation):
            return _insert_staged(cursor, fresh, batch=batch)
        cursor.execute(
            f"SELECT sha256, id FROM {table} WHERE sha256 = ANY(%s)", [[i.sha256 for i in fresh]]
        )
        return dict(cursor.fetchall())


def _copy_rows(cursor: Any, table: str, items: list[_Prepared], *, batch: IngestBatch) -> None:
    now = timezone.now()
    with cursor.copy(f"COPY {table} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_TYPES)
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
                    batch.source_id,
                    batch.pk,
                    now,
                    now,
                    Article.State.QUEUED,
                    now,
                    "",
                    0,
                    "",
                )
            )


def _insert_staged(cursor: Any, items: list[_Prepared], *, batch: IngestBatch) -> dict[str, int]:
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS ingest_stage AS"
        f" SELECT {_COLUMNS} FROM {Article._meta.db_table} WITH NO DATA"
    )
    # Emptied here, not ON COMMIT: the caller may hold an outer transaction.
    cursor.execute("TRUNCATE ingest_stage")
    _copy_rows(cursor, "ingest_stage", items, batch=batch)
    cursor.execute(
        f"INSERT INTO {Article._meta.db_table} ({_COLUMNS}) SELECT {_COLUMNS} FROM ingest_stage"
        " ORDER BY sha256 ON CONFLICT (sha256) DO NOTHING RETURNING sha256, id"
    )
    return dict(cursor.fetchall())
