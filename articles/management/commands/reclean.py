from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles import pipeline, tasks
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Queue articles for a new cleaning; each run adds a cleaning result and keeps the "
        "previous ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--all", action="store_true", help="every article")
        group.add_argument("--failed", action="store_true", help="articles whose cleaning failed")
        group.add_argument("--source", metavar="NAME", help="the articles of one source")

    def handle(self, *args: Any, **options: Any) -> str:
        articles = Article.objects.all()
        if options["failed"]:
            articles = articles.filter(state=Article.State.FAILED)
        elif options["source"]:
            articles = articles.filter(source__name=options["source"])
            if not articles.exists():
                raise CommandError(f"no articles from source {options['source']!r}")
        ids = pipeline.requeue(articles)
        tasks.queue_cleaning(ids)
        return f"queued for cleaning: {len(ids)} articles"
