"""The cleaner against trafilatura, jusText, boilerpipe and a longest-block baseline on the
dev set (each line given to the HTML tools as a <p>), and its speed next to trafilatura's."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from articles.cleaning.scoring import score_document, summarise
from articles.management.commands.clean_files import GOLD_SUFFIX, clean_folder, page_paths

REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / "shared" / "bench" / "dev"
WORD = re.compile(r"\w+")


def as_html(text: str) -> str:
    paragraphs = "".join(
        f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip()
    )
    return f"<html><head><title></title></head><body>{paragraphs}</body></html>"


def trafilatura_body(text: str) -> str:
    import trafilatura

    return trafilatura.extract(as_html(text)) or ""


def justext_body(text: str) -> str:
    import justext

    paragraphs = justext.justext(as_html(text), justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def boilerpipe_body(text: str) -> str:
    from boilerpy3 import extractors

    return extractors.LargestContentExtractor(raise_on_failure=False).get_content(as_html(text))


def longest_block_body(text: str, min_words: int = 10) -> str:
    """The run of consecutive lines of at least ``min_words`` words with the most words."""
    best: list[str] = []
    run: list[str] = []
    for line in [*text.splitlines(), ""]:
        if len(WORD.findall(line)) >= min_words:
            run.append(line)
            continue
        if sum(len(WORD.findall(x)) for x in run) > sum(len(WORD.findall(x)) for x in best):
            best = run
        run = []
    return "\n".join(best)


def score(bodies: dict[str, str]) -> dict[str, float | int]:
    scores = []
    for name, body in bodies.items():
        gold = DEV / (name.removesuffix(".txt") + GOLD_SUFFIX)
        scores.append(score_document(name, body, gold.read_text(encoding="utf-8")))
    return summarise(scores)


def each_page(extract: Callable[[str], str]) -> dict[str, str]:
    return {path.name: extract(path.read_text(encoding="utf-8")) for path in page_paths(DEV)}


TRAFILATURA_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.bench.cleaner import trafilatura_body
out = Path(sys.argv[2])
for path in sorted(Path(sys.argv[1]).glob("*.txt")):
    if not path.name.endswith(".gold.txt"):
        (out / path.name).write_text(trafilatura_body(path.read_text()))
"""


def whole_process_seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - started


def run() -> list[str]:
    if not DEV.is_dir():
        return [f"skipped: {DEV} is not here"]
    lines = [f"{'extractor':24s} {'mean F1':>8s} {'median':>8s} {'F1>=0.9':>8s}"]
    results = {
        "newsreader": clean_folder(DEV),
        "trafilatura": each_page(trafilatura_body),
        "jusText (English)": each_page(justext_body),
        "boilerpipe (largest)": each_page(boilerpipe_body),
        "longest block": each_page(longest_block_body),
    }
    for name, bodies in results.items():
        figures = score(bodies)
        lines.append(
            f"{name:24s} {figures['f1_mean']:8.3f} {figures['f1_median']:8.3f}"
            f" {figures['f1_ge_0_9']:8.2f}"
        )
    pages = len(page_paths(DEV))
    with tempfile.TemporaryDirectory() as ours_out, tempfile.TemporaryDirectory() as theirs_out:
        ours = whole_process_seconds(
            [sys.executable, "manage.py", "clean_files", str(DEV), ours_out]
        )
        theirs = whole_process_seconds(
            [sys.executable, "-c", TRAFILATURA_SCRIPT.format(repo=str(REPO)), str(DEV), theirs_out]
        )
    lines.append(
        f"whole process over {pages} pages: newsreader {ours:.2f} s ({pages / ours:,.0f} docs/s),"
        f" trafilatura {theirs:.2f} s ({pages / theirs:,.0f} docs/s): {theirs / ours:.1f}x faster"
    )
    return lines
