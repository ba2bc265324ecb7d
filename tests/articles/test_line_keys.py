"""The whole-document line keys used at ingest equal the cleaner's per-line keys."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from articles.cleaning import line_key
from articles.cleaning.stats import document_keys

LINE_BREAK = re.compile(r"\r\n|\r|\n")
pieces = st.sampled_from(
    [
        "Menu",
        " ",
        "\t",
        "\r\n",
        "\n",
        "\r",
        "Ⅻ",
        "ﬁ",
        "ß",
        "İ",
        "Σ",
        "e\u0301",
        "\u00a0",
        "\u3000",
        "2026",
        "٣",
        "日本",
        "\u200d",
        "\u2028",
        "\x0b",
        "ＡＢＣ",
        "x",
    ]
)


@given(st.lists(pieces | st.text(max_size=5), max_size=40).map("".join))
def test_document_keys_equal_per_line_keys(text: str) -> None:
    expected = {line_key(line) for line in LINE_BREAK.split(text) if line.strip()}
    assert document_keys(text) == expected
