"""The annotated text as blocks of properly nested marks, for the template to escape and print.

Overlapping spans cannot nest in HTML, so a span that crosses another is split into pieces that
share its id; each piece knows its depth, which the stylesheet turns into a lower underline, so
overlaps and nesting stay visible. Work is O(segments × depth), in one pass per block.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise
from typing import NamedTuple

from django.core.cache.backends.locmem import LocMemCache
from django.template.loader import get_template
from django.utils.safestring import SafeString


class Mark(NamedTuple):
    key: str  # "mention-12": what a click edits
    kind: str  # mention | claim | cue | evidence
    label: str
    css: str
    start: int
    end: int
    title: str


@dataclass
class Block:
    """A paragraph as (markup, text) parts: the template prints the markup, escapes the text.

    The markup (mark tags) is built from ids, label names and depths only, each escaped
    (``html.escape``); article text never goes into it.
    """

    index: int
    start: int
    end: int
    parts: list[tuple[SafeString, str]] = field(default_factory=list)
    closing: SafeString = field(default_factory=lambda: SafeString(""))
    # The rendered inside of the paragraph, from the template (escaped there), maybe cached.
    html: SafeString | None = None

    @property
    def is_title(self) -> bool:
        return self.index == 0


CLOSE = SafeString("</mark>")


def _open_tag(mark: Mark, depth: int, cache: dict[str, tuple[str, str]]) -> str:
    # Escaped once per mark, not once per piece: a long article has thousands of pieces.
    if mark.key not in cache:
        kind, css, key, title = (
            escape(value, quote=True) for value in (mark.kind, mark.css, mark.key, mark.title)
        )
        cache[mark.key] = (
            f'<mark class="an an-{kind} {css}" data-key="{key}" style="--d:',
            f'" title="{title}">',
        )
    head, tail = cache[mark.key]
    return f"{head}{depth:d}{tail}"


def _order(mark: Mark) -> tuple[int, int, str]:
    # Outer (earlier, longer) spans open first, so they enclose the inner ones.
    return (mark.start, -mark.end, mark.key)


# Rendered paragraphs by (revision and its text's hash, block, digest of its marks): a key can
# only ever name one output. Private to this process, like Django's default cache.
_BLOCKS = LocMemCache("annotation-blocks", {"OPTIONS": {"MAX_ENTRIES": 20_000}, "TIMEOUT": 3600})


def _digest(marks: list[Mark]) -> str:
    return hashlib.blake2b(repr(marks).encode(), digest_size=16).hexdigest()


def render_blocks(
    text: str,
    blocks: Sequence[Sequence[int]],
    marks: Iterable[Mark],
    only: set[int] | None = None,
    *,
    revision_key: str,
) -> list[Block]:
    """Every block (or those in ``only``) with its HTML, rendered by the block template.

    A long article has a thousand pieces of text between marks; a save changes a block or two,
    so the others come from the cache.
    """
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
    wanted = [index for index in range(len(blocks)) if only is None or index in only]
    keys = {index: f"{revision_key}:{index}:{_digest(per_block[index])}" for index in wanted}
    cached = _BLOCKS.get_many(keys.values())
    template = get_template("annotations/_block_inner.html")
    rendered, fresh = [], {}
    for index in wanted:
        start, end = blocks[index]
        html = cached.get(keys[index])
        if html is None:
            block = _render_block(text, index, start, end, per_block[index])
            html = fresh[keys[index]] = template.render({"block": block})
        rendered.append(Block(index, start, end, html=html))
    if fresh:
        _BLOCKS.set_many(fresh)
    return rendered


def _render_block(text: str, index: int, start: int, end: int, marks: list[Mark]) -> Block:
    block = Block(index, start, end)
    if not marks:
        block.parts.append((SafeString(""), text[start:end]))
        return block
    cuts = {start, end}
    for mark in marks:
        cuts.add(max(start, mark.start))
        cuts.add(min(end, mark.end))
    points = sorted(cuts)
    stack: list[Mark] = []
    cache: dict[str, tuple[str, str]] = {}
    for left, right in pairwise(points):
        active = sorted((m for m in marks if m.start <= left and m.end >= right), key=_order)
        keep = 0
        while keep < len(stack) and keep < len(active) and stack[keep] is active[keep]:
            keep += 1
        tags: list[str] = [CLOSE] * (len(stack) - keep)
        del stack[keep:]
        for mark in active[keep:]:
            tags.append(_open_tag(mark, len(stack), cache))
            stack.append(mark)
        # Only tags built above from escaped ids, labels and depths: no article text.
        block.parts.append((SafeString("".join(tags)), text[left:right]))
    block.closing = SafeString(CLOSE * len(stack))
    return block


def marks_for(
    mentions: Iterable[tuple[int, str, int, int]],
    claims: Iterable[tuple[int, int, int]],
    support: Iterable[tuple[int, str, int, int]],
    label_css: dict[str, str],
) -> list[Mark]:
    """Marks from (id, label, start, end), (id, start, end) and (id, role, start, end) rows."""
    marks = [
        Mark(f"mention-{pk}", "mention", label, label_css.get(label, "lab-x"), start, end, label)
        for pk, label, start, end in mentions
    ]
    marks += [Mark(f"claim-{pk}", "claim", "CLAIM", "claim", s, e, "claim") for pk, s, e in claims]
    marks += [Mark(f"{role}-{pk}", role, role, role, s, e, role) for pk, role, s, e in support]
    return marks
