from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.cleaning.scoring import score_document, summarise
from articles.management.commands.clean_files import GOLD_SUFFIX, clean_folder


class Command(BaseCommand):
    help = (
        "Clean the pages of DIR as clean_files does and score the bodies against DIR/<id>.gold.txt "
        "with the reference scorer's metric."
    )
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)
        parser.add_argument("--worst", type=int, default=0, help="also list the N worst pages")

    def handle(self, *args: Any, dir: Path, worst: int, **options: Any) -> None:
        if not dir.is_dir():
            raise CommandError(f"no such folder: {dir}", returncode=2)
        bodies = clean_folder(dir)
        scores = []
        for name, body in bodies.items():
            gold = dir / (name.removesuffix(".txt") + GOLD_SUFFIX)
            if gold.exists():
                scores.append(score_document(name, body, gold.read_text(encoding="utf-8")))
        if not scores:
            raise CommandError(f"no <id>{GOLD_SUFFIX} files in {dir}", returncode=2)
        for key, value in summarise(scores).items():
            line = f"{key:18s} {value:.4f}" if isinstance(value, float) else f"{key:18s} {value}"
            self.stdout.write(line)
        for score in sorted(scores, key=lambda s: s.f1)[:worst]:
            self.stdout.write(
                f"{score.f1:.3f} P{score.precision:.2f} R{score.recall:.2f} {score.doc_id}"
            )
