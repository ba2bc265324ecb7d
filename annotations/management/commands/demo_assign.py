from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from annotations.demo import demo_assign


class Command(BaseCommand):
    help = (
        "Approve the cleaned sample articles and assign them to the demo annotator in the demo "
        "project. Safe to run again: it only adds what is missing."
    )

    def handle(self, *args: Any, **options: Any) -> str:
        return demo_assign()
