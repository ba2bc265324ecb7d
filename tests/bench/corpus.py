"""Synthetic page texts of about 6 KB for throughput runs, made from the sample corpus."""

from __future__ import annotations

import random
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "articles" / "sample_corpus"
TARGET_BYTES = 6 * 1024


def pages(count: int, *, seed: int = 0) -> list[bytes]:
    """``count`` distinct pages: sample pages cut or padded to ~6 KB, with a unique line."""
    rng = random.Random(seed)
    sources = [path.read_text().splitlines() for path in sorted(SAMPLE.glob("*.txt"))]
    result = []
    for number in range(count):
        lines = list(rng.choice(sources))
        while sum(len(line) + 1 for line in lines) < TARGET_BYTES:
            lines += rng.choice(sources)[5:]
        text, size = [], 0
        for line in lines:
            if size + len(line) > TARGET_BYTES:
                break
            text.append(line)
            size += len(line.encode()) + 1
        text.insert(len(text) // 2, f"Page {number} of the benchmark corpus, seed {seed}.")
        result.append("\n".join(text).encode() + b"\n")
    return result


def write(folder: Path, count: int, *, seed: int = 0) -> int:
    """Write the pages as files; return the total number of bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for number, data in enumerate(pages(count, seed=seed)):
        (folder / f"{number:06d}.txt").write_bytes(data)
        total += len(data)
    return total
