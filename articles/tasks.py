from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from itertools import islice

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from articles import cleaning, pipeline

logger = logging.getLogger(__name__)


def iter_chunks(items: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def queue_cleaning(article_ids: Iterable[int]) -> None:
    """One task per batch of articles: a task per article would cap at the broker's rate."""
    for chunk in iter_chunks(article_ids, settings.NEWSREADER_CLEANING_BATCH):
        clean_articles.delay(chunk)


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def clean_articles(article_ids: list[int]) -> None:
    articles = pipeline.claim(article_ids)
    keys = pipeline.line_keys(articles)
    stats = pipeline.corpus_stats(articles, keys)
    results = []
    for position, article in enumerate(articles):
        try:
            results.append((article, cleaning.clean(article.text, stats[article.pk])))
        except SoftTimeLimitExceeded:
            pipeline.save_results(results, keys)
            pipeline.mark_failed(article, "cleaning took longer than the time limit")
            queue_cleaning(pipeline.release(articles[position + 1 :]))
            return
        except Exception as error:
            # A cleaner bug on one page fails that article, visibly, and not the batch.
            logger.exception("cleaning article %s failed", article.pk)
            pipeline.mark_failed(article, f"{type(error).__name__}: {error}")
    pipeline.save_results(results, keys)


@shared_task
def requeue_stalled_articles() -> int:
    ids = pipeline.release_stalled()
    if ids:
        logger.info("queued %d stalled articles again", len(ids))
        queue_cleaning(ids)
    return len(ids)
