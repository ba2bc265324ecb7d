"""The cleaning pipeline's database side: claim articles, gather corpus statistics, save.

The worker's claim on an article is the PostgreSQL backend pid of its connection. A worker that
dies loses its connection, so its claims are recognisably stale at once, without timeouts.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Now
from django.utils import timezone
from psycopg.types.json import Jsonb

from articles import cleaning, learning, search
from articles.cleaning.stats import document_keys
from articles.models import Article, Cleaning, LineStat, Source

logger = logging.getLogger(__name__)

_TABLE = Article._meta.db_table
_CLAIMER_GONE = "NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = claimed_pid)"


def claim(article_ids: Sequence[int]) -> list[Article]:
    """Mark queued articles (or ones a dead worker held) as cleaning by this connection."""
    _give_up_on_repeated_deaths(article_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} SET state = %s, claimed_pid = pg_backend_pid(),"
            " attempts = attempts + 1, error = '', state_changed_at = now(), updated_at = now()"
            f" WHERE id = ANY(%s) AND (state = %s OR (state = %s AND {_CLAIMER_GONE}))"
            " RETURNING id",
            [
                Article.State.CLEANING,
                list(article_ids),
                Article.State.QUEUED,
                Article.State.CLEANING,
            ],
        )
        claimed = [row[0] for row in cursor.fetchall()]
    return list(
        Article.objects.filter(pk__in=claimed)
        .select_related("source")
        .defer("raw_bytes", "search_vector")
        .order_by("pk")
    )


def _give_up_on_repeated_deaths(article_ids: Sequence[int]) -> None:
    """An article whose cleaning killed its worker every time is failed, not retried forever."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} SET state = %s, claimed_pid = NULL, error = %s,"
            " state_changed_at = now(), updated_at = now()"
            f" WHERE id = ANY(%s) AND state = %s AND attempts >= %s AND {_CLAIMER_GONE}",
            [
                Article.State.FAILED,
                "gave up: the worker cleaning this article died or hit the hard time limit "
                f"{settings.NEWSREADER_MAX_CLEANING_ATTEMPTS} times",
                list(article_ids),
                Article.State.CLEANING,
                settings.NEWSREADER_MAX_CLEANING_ATTEMPTS,
            ],
        )


def line_keys(articles: Iterable[Article]) -> dict[int, set[int]]:
    return {article.pk: document_keys(article.text) for article in articles}


def corpus_stats(
    articles: Sequence[Article], keys: dict[int, set[int]]
) -> dict[int, cleaning.CorpusStats]:
    """The corpus statistics each article's cleaning needs, in one query for the batch.

    Articles cleaned for the first time are counted in as they will be once saved, so every
    article sees a corpus that includes itself.
    """
    per_source: dict[int, Counter[int]] = defaultdict(Counter)
    overall: Counter[int] = Counter()
    all_keys = set().union(*keys.values()) if keys else set()
    for key, source_id, documents in LineStat.objects.filter(key__in=all_keys).values_list(
        "key", "source_id", "documents"
    ):
        per_source[source_id][key] += documents
        overall[key] += documents
    source_sizes = Counter(dict(Source.objects.values_list("pk", "counted_articles")))
    for article in articles:
        if article.current_cleaning_id is None:
            per_source[article.source_id].update(keys[article.pk])
            overall.update(keys[article.pk])
            source_sizes[article.source_id] += 1
    total = source_sizes.total()
    hints = learning.hints_for({article.source_id for article in articles})
    return {
        article.pk: cleaning.CorpusStats(
            documents=total,
            line_doc_freq=overall,
            source_documents=source_sizes[article.source_id],
            source_line_doc_freq=per_source[article.source_id],
            hints=hints[article.source_id],
        )
        for article in articles
    }


def save_results(
    results: Sequence[tuple[Article, cleaning.CleanResult]], keys: dict[int, set[int]]
) -> int:
    """Store each result as a new Cleaning and make it current; return how many were saved.

    Only articles still claimed by this connection are written, so a redelivered batch that
    another worker already finished changes nothing. An article's lines enter the corpus
    statistics with its first cleaning, in the same transaction, so they count exactly once.
    """
    if not results:
        return 0
    with transaction.atomic():
        ours, first_time = _still_claimed([article.pk for article, _ in results])
        _count_lines([a for a, _ in results if a.pk in first_time], keys)
        saved = [(a, r) for a, r in results if a.pk in ours]
        if saved:
            _copy_cleanings(saved)
            with connection.cursor() as cursor:
                # Each article's newest cleaning is the one just copied: the rows are locked.
                cursor.execute(
                    f"UPDATE {_TABLE} AS a SET state = %s, claimed_pid = NULL, error = '',"
                    " state_changed_at = now(), updated_at = now(),"
                    " current_cleaning_id = c.id, title = c.title,"
                    f" search_vector = {search.VECTOR_SQL.format(title='c.title', body='c.body')}"
                    " FROM (SELECT DISTINCT ON (article_id) id, article_id, title, body"
                    f" FROM {Cleaning._meta.db_table} WHERE article_id = ANY(%s)"
                    " ORDER BY article_id, id DESC) AS c"
                    " WHERE a.id = c.article_id",
                    [
                        Article.State.CLEANED,
                        [article.pk for article, _ in saved],
                    ],
                )
    return len(saved)


def mark_failed(article: Article, error: str) -> None:
    Article.objects.filter(pk=article.pk, state=Article.State.CLEANING).update(
        state=Article.State.FAILED,
        claimed_pid=None,
        error=error[:5000],
        state_changed_at=Now(),
        updated_at=Now(),
    )


def release(articles: Iterable[Article]) -> list[int]:
    """Give claimed articles back to the queue (the batch ran out of time before them)."""
    ids = [article.pk for article in articles]
    Article.objects.filter(pk__in=ids, state=Article.State.CLEANING).update(
        state=Article.State.QUEUED, claimed_pid=None, state_changed_at=Now(), updated_at=Now()
    )
    return ids


def release_stalled() -> list[int]:
    """Ids to queue again: claims of dead workers, and queued articles whose message was lost."""
    with connection.cursor() as cursor:
        dead = [
            row[0]
            for row in cursor.execute(
                f"SELECT id FROM {_TABLE} WHERE state = %s AND {_CLAIMER_GONE}",
                [Article.State.CLEANING],
            ).fetchall()
        ]
        _give_up_on_repeated_deaths(dead)
        cursor.execute(
            f"UPDATE {_TABLE} SET state = %s, claimed_pid = NULL, state_changed_at = now()"
            f" WHERE (id = ANY(%s) AND state = %s AND {_CLAIMER_GONE})"
            " OR (state = %s AND state_changed_at < now() - make_interval(secs => %s))"
            " RETURNING id",
            [
                Article.State.QUEUED,
                dead,
                Article.State.CLEANING,
                Article.State.QUEUED,
                settings.NEWSREADER_REQUEUE_AFTER,
            ],
        )
        return sorted(row[0] for row in cursor.fetchall())


def requeue(articles: QuerySet[Article]) -> list[int]:
    """Put articles (not being cleaned right now) back in the queue for a new cleaning."""
    queryset = articles.exclude(state=Article.State.CLEANING)
    with connection.cursor() as cursor:
        sql, params = queryset.values("pk").query.sql_with_params()
        cursor.execute(
            f"UPDATE {_TABLE} SET state = %s, attempts = 0, claimed_pid = NULL, error = '',"
            f" state_changed_at = now(), updated_at = now() WHERE id IN ({sql}) RETURNING id",
            [Article.State.QUEUED, *params],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _still_claimed(article_ids: list[int]) -> tuple[set[int], set[int]]:
    """(ids still claimed by this connection, those of them never cleaned before)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, current_cleaning_id IS NULL FROM {_TABLE} WHERE id = ANY(%s)"
            " AND state = %s AND claimed_pid = pg_backend_pid() FOR UPDATE",
            [article_ids, Article.State.CLEANING],
        )
        rows = cursor.fetchall()
    return {pk for pk, _ in rows}, {pk for pk, first in rows if first}


def _count_lines(articles: Sequence[Article], keys: dict[int, set[int]]) -> None:
    """Add these articles to their sources' line statistics."""
    by_source: dict[int, Counter[int]] = defaultdict(Counter)
    documents: Counter[int] = Counter()
    for article in articles:
        by_source[article.source_id].update(keys[article.pk])
        documents[article.source_id] += 1
    table = LineStat._meta.db_table
    with connection.cursor() as cursor:
        for source_id, counts in sorted(by_source.items()):
            # Sorted, so workers updating the same keys lock them in the same order.
            rows = sorted(counts.items())
            cursor.execute(
                f"INSERT INTO {table} (source_id, key, documents)"
                " SELECT %s, key, documents"
                " FROM unnest(%s::bigint[], %s::int[]) AS counts(key, documents)"
                " ON CONFLICT (key, source_id)"
                f" DO UPDATE SET documents = {table}.documents + EXCLUDED.documents",
                [source_id, [key for key, _ in rows], [count for _, count in rows]],
            )
            Source.objects.filter(pk=source_id).update(
                counted_articles=F("counted_articles") + documents[source_id]
            )


_CLEANING_COLUMNS = (
    "article_id, cleaner_version, created_at, title, title_span, byline, byline_span, body,"
    " blocks, lines, confidence, hints_version"
)
_CLEANING_TYPES = [
    "int8", "text", "timestamptz", "text", "jsonb", "text", "jsonb", "text",
    "jsonb", "jsonb", "float8", "int4",
]  # fmt: skip


def _copy_cleanings(results: Sequence[tuple[Article, cleaning.CleanResult]]) -> None:
    """COPY the new Cleaning rows: an INSERT of this much JSON costs several times more."""

    def span(value: cleaning.Span | None) -> Jsonb | None:
        return Jsonb([value.start, value.end]) if value else None

    now = timezone.now()
    table = Cleaning._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({_CLEANING_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(_CLEANING_TYPES)
        for article, result in results:
            copy.write_row(
                (
                    article.pk,
                    result.version,
                    now,
                    result.title,
                    span(result.title_span),
                    result.byline,
                    span(result.byline_span),
                    result.body(article.text),
                    Jsonb([[block.start, block.end] for block in result.blocks]),
                    Jsonb(
                        [
                            [line.start, line.end, line.label, [[c.start, c.end] for c in line.cut]]
                            for line in result.lines
                        ]
                    ),
                    result.confidence,
                    article.source.hints_version,
                )
            )
