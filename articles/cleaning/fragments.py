"""Inline boilerplate fragments: cut them out of a body line, keep exact offsets."""

from __future__ import annotations

import re

from .patterns import FRAGMENT
from .result import Span

_ALNUM = re.compile(r"[^\W_]")


def cut_fragments(text: str, s: int, e: int) -> tuple[list[Span], list[Span]]:
    """Split text[s:e] around boilerplate fragments.

    Returns (kept spans, cut spans); kept spans are stripped of surrounding whitespace.
    """
    line = text[s:e]
    cuts = [(m.start(), m.end()) for m in FRAGMENT.finditer(line) if m.end() > m.start()]
    if not cuts:
        return [Span(s, e)], []
    kept: list[Span] = []
    cut: list[Span] = []
    pos = 0
    for a, b in cuts:
        _keep(line, s, pos, a, kept)
        cut.append(Span(s + a, s + b))
        pos = b
    _keep(line, s, pos, len(line), kept)
    return kept, cut


def _keep(line: str, base: int, a: int, b: int, out: list[Span]) -> None:
    piece = line[a:b]
    stripped = piece.strip()
    if not _ALNUM.search(stripped):
        return
    start = a + len(piece) - len(piece.lstrip())
    out.append(Span(base + start, base + start + len(stripped)))
