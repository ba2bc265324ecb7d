"""Splitting text into lines with exact offsets (\r\n, \r and \n all end a line)."""

from __future__ import annotations

import re

_BREAK = re.compile(r"(\r\n|\r|\n)")


def split_lines(text: str) -> list[tuple[int, int, int, int]]:
    """Return (start, end, stripped_start, stripped_end) for every line, blank ones included.

    ``end`` excludes the line terminator; a blank line has stripped_start == stripped_end.
    """
    if "\r" in text:
        # Pieces alternate: line, terminator, line, terminator, ..., line.
        parts = _BREAK.split(text)
        pieces = parts[::2]
        widths = [len(t) for t in parts[1::2]]
    else:
        pieces = text.split("\n")
        widths = None
    out = []
    pos = 0
    for n, piece in enumerate(pieces):
        size = len(piece)
        stripped = piece.strip()
        if stripped:
            s = pos + size - len(piece.lstrip())
            out.append((pos, pos + size, s, s + len(stripped)))
        else:
            out.append((pos, pos + size, pos + size, pos + size))
        pos += size + (1 if widths is None else (widths[n] if n < len(widths) else 0))
    return out
