"""Marks in the text: nesting, crossing spans split into pieces, escaping, and the block cache."""

from __future__ import annotations

import re
import uuid

from annotations.rendering import Mark, render_blocks

TEXT = "Title\n\n<b>Angela</b> Merkel met Macron & co."
BLOCKS = [[0, 5], [7, len(TEXT)]]


def mark(key: str, exact: str, occurrence: int = 0) -> Mark:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(exact, start + 1)
    return Mark(key, "mention", "PER", "lab-0", start, start + len(exact), "PER")


def html(marks: list[Mark], key: str | None = None) -> str:
    [block] = render_blocks(TEXT, BLOCKS, marks, only={1}, revision_key=key or uuid.uuid4().hex)
    return block.html


def test_text_is_escaped_and_unchanged_between_the_tags() -> None:
    out = html([mark("mention-1", "Merkel")])
    assert "&lt;b&gt;Angela&lt;/b&gt;" in out and "&amp; co." in out
    unescaped = re.sub(r"<[^>]+>", "", out).replace("&lt;", "<").replace("&gt;", ">")
    assert unescaped.replace("&amp;", "&") == TEXT[7:]


def test_nested_spans_nest_and_crossing_spans_split() -> None:
    outer = mark("mention-1", "<b>Angela</b> Merkel")
    inner = mark("mention-2", "Merkel")
    crossing = mark("mention-3", "Merkel met Macron")
    out = html([outer, inner, crossing])
    opened = re.findall(r'data-key="([^"]+)" style="--d:(\d)"', out)
    # The crossing span opens inside the outer one, then again on its own after it closes.
    assert opened == [
        ("mention-1", "0"),
        ("mention-3", "1"),
        ("mention-2", "2"),
        ("mention-3", "0"),
    ]
    assert out.count("<mark") == out.count("</mark>")


def test_the_cache_gives_the_same_html_and_follows_the_marks() -> None:
    key = uuid.uuid4().hex
    cold = html([mark("mention-1", "Merkel")], key)
    assert html([mark("mention-1", "Merkel")], key) == cold
    assert html([mark("mention-1", "Macron")], key) != cold
    assert html([], key) == "&lt;b&gt;Angela&lt;/b&gt; Merkel met Macron &amp; co."
