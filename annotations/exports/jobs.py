"""Running an export job: claim it, collect, render, store the file (or the error)."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.utils import timezone

from annotations.exports import FORMATS, render
from annotations.exports.collect import collect
from annotations.models import ExportJob

logger = logging.getLogger(__name__)


def export_job_run(*, job_id: int) -> str:
    # Claimed with a conditional UPDATE: a redelivered message finds nothing to do.
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportJob.State.PENDING).update(
        state=ExportJob.State.RUNNING
    )
    if claimed != 1:
        return "not pending"
    job = ExportJob.objects.select_related("project").get(pk=job_id)
    try:
        if job.format not in FORMATS:
            raise ValueError(f"unknown format {job.format!r}")
        docs = collect(job.project, job.filters.get("annotator"))
        filename, content_type, content = render(job.format, docs)
    except (OperationalError, InterfaceError):
        # Transient: back in the queue for the task's retry.
        ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.PENDING)
        raise
    except Exception as error:
        # Bad data or a bug: recorded on the job for the person polling it, and logged.
        logger.exception("export %s failed", job_id)
        job.state = ExportJob.State.FAILED
        job.error = str(error) or type(error).__name__
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "error", "finished_at"])
        return "failed"
    job.filename = f"project-{job.project_id}-{filename}"
    job.content_type = content_type
    job.content = content
    job.size_bytes = len(content)
    job.state = ExportJob.State.DONE
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "filename",
            "content_type",
            "content",
            "size_bytes",
            "state",
            "finished_at",
        ]
    )
    return "done"
