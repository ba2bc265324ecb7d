from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.cleaning import clean, corpus_stats

GOLD_SUFFIX = ".gold.txt"


def page_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.txt") if not p.name.endswith(GOLD_SUFFIX))


def clean_folder(folder: Path) -> dict[str, str]:
    """{file name: article body, a block per line} for every page in ``folder``.

    The folder is one corpus: its pages (never the gold files) give the line statistics.
    """
    texts = {
        path.name: path.read_text(encoding="utf-8", errors="replace") for path in page_paths(folder)
    }
    stats = corpus_stats(texts.values())
    return {name: clean(text, stats).body(text) for name, text in texts.items()}


class Command(BaseCommand):
    help = "Clean each *.txt page of IN_DIR (not *.gold.txt) into OUT_DIR: body, a block a line."
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("in_dir", type=Path)
        parser.add_argument("out_dir", type=Path)

    def handle(self, *args: Any, in_dir: Path, out_dir: Path, **options: Any) -> str:
        if not in_dir.is_dir():
            raise CommandError(f"no such folder: {in_dir}", returncode=2)
        bodies = clean_folder(in_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, body in bodies.items():
            (out_dir / name).write_text(body + "\n" if body else "", encoding="utf-8")
        return f"cleaned {len(bodies)} pages into {out_dir}"
