"""The annotated text as blocks of properly nested marks, for the template to escape and print.

Overlapping spans cannot nest in HTML, so a span that crosses another is split into pieces that
share its id; each piece knows its depth, which the stylesheet turns into a lower underline, so
overlaps and nesting stay visible. Work is O(segments × depth), in one pass per block.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any


@dataclass(frozen=True)
class Mark:
    key: str  # "mention-12": what a click edits
    kind: str  # mention | claim | cue | evidence
    label: str
    css: str
    start: int
    end: int
    title: str


@dataclass
class Token:
    # One of: text (text set), open (mark set), close.
    kind: str
    text: str = ""
    mark: Mark | None = None
    depth: int = 0


@dataclass
class Block:
    index: int
    start: int
    end: int
    tokens: list[Token] = field(default_factory=list)

    @property
    def is_title(self) -> bool:
        return self.index == 0


def _order(mark: Mark) -> tuple[int, int, str]:
    # Outer (earlier, longer) spans open first, so they enclose the inner ones.
    return (mark.start, -mark.end, mark.key)


def render_blocks(text: str, blocks: Sequence[Sequence[int]], marks: Iterable[Mark]) -> list[Block]:
    block_starts = [start for start, _ in blocks]
    per_block: list[list[Mark]] = [[] for _ in blocks]
    for mark in marks:
        first = max(0, bisect.bisect_right(block_starts, mark.start) - 1)
        for index in range(first, len(blocks)):
            start, end = blocks[index]
            if start >= mark.end:
                break
            if end > mark.start:
                per_block[index].append(mark)
    return [
        _render_block(text, index, start, end, per_block[index])
        for index, (start, end) in enumerate(blocks)
    ]


def _render_block(text: str, index: int, start: int, end: int, marks: list[Mark]) -> Block:
    block = Block(index, start, end)
    if not marks:
        block.tokens.append(Token("text", text[start:end]))
        return block
    cuts = {start, end}
    for mark in marks:
        cuts.add(max(start, mark.start))
        cuts.add(min(end, mark.end))
    points = sorted(cuts)
    stack: list[Mark] = []
    for left, right in pairwise(points):
        active = sorted((m for m in marks if m.start <= left and m.end >= right), key=_order)
        keep = 0
        while keep < len(stack) and keep < len(active) and stack[keep] is active[keep]:
            keep += 1
        for _ in range(len(stack) - keep):
            stack.pop()
            block.tokens.append(Token("close"))
        for mark in active[keep:]:
            block.tokens.append(Token("open", mark=mark, depth=len(stack)))
            stack.append(mark)
        block.tokens.append(Token("text", text[left:right]))
    block.tokens.extend(Token("close") for _ in stack)
    return block


def marks_for(
    mentions: Iterable[Any], claims: Iterable[Any], support: Iterable[Any], label_css: dict
) -> list[Mark]:
    marks = [
        Mark(
            f"mention-{m.pk}",
            "mention",
            m.label,
            label_css.get(m.label, "lab-x"),
            m.start,
            m.end,
            m.label,
        )
        for m in mentions
    ]
    marks += [
        Mark(f"claim-{c.pk}", "claim", "CLAIM", "claim", c.start, c.end, "claim") for c in claims
    ]
    marks += [
        Mark(f"{s.role}-{s.pk}", s.role, s.role, s.role, s.start, s.end, s.role) for s in support
    ]
    return marks
