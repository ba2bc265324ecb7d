"""Benchmark the cleaner on a directory of page texts with gold bodies.

    python -m articles.cleaning.benchmark ../shared/bench/dev [--stats] [--pred-dir DIR]
        [--worst N] [--repeat N]

Reads ``<id>.txt`` pages and ``<id>.gold.txt`` bodies, prints the reference scorer's
summary figures and the throughput of ``clean()`` (documents per second, one process).
With ``--stats`` the pages themselves serve as the corpus for line document frequencies.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .cleaner import clean
from .scoring import score_document, summarise
from .stats import corpus_stats

GOLD_SUFFIX = ".gold.txt"


def load_pairs(directory: Path) -> list[tuple[str, str, str]]:
    """(id, page text, gold body) for every gold file in the directory."""
    out = []
    for gold_path in sorted(directory.glob(f"*{GOLD_SUFFIX}")):
        doc_id = gold_path.name[: -len(GOLD_SUFFIX)]
        page = directory / f"{doc_id}.txt"
        if page.exists():
            out.append(
                (
                    doc_id,
                    page.read_text(encoding="utf-8", errors="replace"),
                    gold_path.read_text(encoding="utf-8"),
                )
            )
    return out


def run(
    directory: Path,
    use_stats: bool = False,
    pred_dir: Path | None = None,
    repeat: int = 1,
) -> tuple[dict[str, float | int], list, float]:
    """Clean every page; return (summary, per-document scores, documents per second)."""
    pairs = load_pairs(directory)
    stats = corpus_stats(text for _id, text, _gold in pairs) if use_stats else None
    started = time.perf_counter()
    for _ in range(max(1, repeat)):
        bodies = [clean(text, stats).body(text) for _id, text, _gold in pairs]
    elapsed = time.perf_counter() - started
    rate = len(pairs) * max(1, repeat) / elapsed if elapsed else 0.0
    if pred_dir is not None:
        pred_dir.mkdir(parents=True, exist_ok=True)
        for (doc_id, _text, _gold), body in zip(pairs, bodies, strict=True):
            (pred_dir / f"{doc_id}.txt").write_text(body, encoding="utf-8")
    scores = [
        score_document(doc_id, body, gold)
        for (doc_id, _t, gold), body in zip(pairs, bodies, strict=True)
    ]
    return summarise(scores), scores, rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--stats", action="store_true", help="use the pages as corpus")
    parser.add_argument("--pred-dir", type=Path, help="write predicted bodies here")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst documents")
    parser.add_argument("--repeat", type=int, default=1, help="timing repetitions")
    args = parser.parse_args(argv)
    if not args.directory.is_dir():
        print(f"no such directory: {args.directory}", file=sys.stderr)
        return 2
    summary, scores, rate = run(args.directory, args.stats, args.pred_dir, args.repeat)
    for key, value in summary.items():
        print(f"{key:18s} {value:.4f}" if isinstance(value, float) else f"{key:18s} {value}")
    print(f"{'docs_per_second':18s} {rate:.1f}")
    for s in sorted(scores, key=lambda s: s.f1)[: args.worst]:
        print(f"{s.f1:.3f} P{s.precision:.2f} R{s.recall:.2f} {s.doc_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
