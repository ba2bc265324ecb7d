"""The Celery app. `celery -A newsreader worker` on any machine with the same URLs joins in."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsreader.settings")

app = Celery("newsreader", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def start_embedded_database(**kwargs: Any) -> None:
    from django.conf import settings

    if settings.EMBEDDED_DATABASE:
        from newsreader import embedded_postgres

        embedded_postgres.ensure_running(settings.DATABASES["default"]["NAME"])


@signals.worker_ready.connect
def recover_interrupted_cleaning(**kwargs: Any) -> None:
    # Work claimed by a worker that died (SIGKILL, OOM, power loss) is queued again at once.
    from articles.tasks import requeue_stalled_articles

    requeue_stalled_articles.delay()
