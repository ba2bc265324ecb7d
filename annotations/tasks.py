from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from annotations import services
from articles.models import TextRevision

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def reanchor_revision(revision_id: int) -> dict[str, int]:
    """Move every annotation of the revision's article onto it. Safe to run twice."""
    revision = TextRevision.objects.filter(pk=revision_id).first()
    if revision is None:
        return {}
    counts = services.article_reanchor(revision=revision)
    logger.info("re-anchored onto revision %s: %s", revision_id, counts)
    return counts


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def run_export(job_id: int) -> str:
    """Render an export job's file into the database. A job already claimed is left alone."""
    from annotations.exports.jobs import export_job_run

    return export_job_run(job_id=job_id)
