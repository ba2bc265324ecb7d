"""Splitting text into lines with exact offsets (\r\n, \r and \n all end a line)."""

from __future__ import annotations

import re

_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[tuple[int, int, int, int]]:
    """Return (start, end, stripped_start, stripped_end) for every line, blank ones included."""
    out = []
    pos = 0
    for m in _BREAK.finditer(text):
        out.append(_strip(text, pos, m.start()))
        pos = m.end()
    out.append(_strip(text, pos, len(text)))
    return out


def _strip(text: str, a: int, b: int) -> tuple[int, int, int, int]:
    seg = text[a:b]
    left = seg.lstrip()
    if not left:
        return a, b, b, b
    s = a + len(seg) - len(left)
    e = a + len(seg.rstrip())
    return a, b, s, e
