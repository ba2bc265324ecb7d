from __future__ import annotations

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles import incoming
from articles.ingest import Outcome, ingest_files, start_batch
from articles.models import IngestBatch


class Command(BaseCommand):
    help = "Ingest raw text files, folders (recursively), .zip and .tar.gz archives."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--source", default="default", help="source name (default: default)")
        parser.add_argument(
            "--glob", default="*.txt", help="file pattern inside folders and archives (*.txt)"
        )

    def handle(self, *paths: str, **options: Any) -> None:
        if not options["source"].strip():
            raise CommandError("--source must not be empty", returncode=2)
        verbose = options["verbosity"] >= 2
        progress = _Progress(self.stderr) if self.stderr.isatty() else None

        def on_file(name: str, outcome: str, reason: str) -> None:
            if progress:
                progress.advance()
            if outcome == Outcome.REJECTED:
                self._print(progress, f"rejected: {name}: {reason}")
            elif outcome == Outcome.SKIPPED:
                # Printed like a rejection but without failing the run: named, not lost.
                self._print(progress, f"skipped: {name}: {reason}")
            elif verbose:
                self._print(progress, f"{outcome}: {name}")

        batch = start_batch(
            source_name=options["source"].strip(),
            origin=IngestBatch.Origin.COMMAND,
            description=" ".join(options["paths"]),
        )
        files = incoming.from_paths(
            options["paths"], glob=options["glob"], max_bytes=settings.NEWSREADER_MAX_FILE_BYTES
        )
        batch = ingest_files(files, batch=batch, on_file=on_file)
        if progress:
            progress.finish()
        self.stdout.write(batch.summary)
        if batch.rejected_count:
            sys.exit(1)

    def _print(self, progress: _Progress | None, line: str) -> None:
        if progress:
            progress.clear()
        self.stdout.write(line)


class _Progress:
    """A one-line progress display on a terminal (stderr), redrawn at most 10 times a second."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.count = 0
        self.started = time.monotonic()
        self.drawn = 0.0

    def advance(self) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.drawn >= 0.1:
            self.drawn = now
            rate = self.count / max(now - self.started, 1e-6)
            self.stream.write(f"\r{self.count:,} files, {rate:,.0f} files/s", ending="")
            self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\033[K", ending="")

    def finish(self) -> None:
        self.clear()
        self.stream.flush()
