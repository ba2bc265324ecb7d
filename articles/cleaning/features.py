"""Per-line features: length, punctuation, shape, boilerplate patterns, corpus frequency."""

from __future__ import annotations

import re

from .keys import line_key
from .lines import split_lines
from .patterns import CAPTION, COPYRIGHT, LINE_PATTERN, OPENS_SECTION, SEPARATORS
from .stats import CorpusStats

# Han, kana and CJK compatibility ideographs: scripts written without spaces.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+")
# One CJK character counts as this many words.
CJK_WORD = 0.6
END_PUNCT = re.compile(r"[.!?。！？…:;；：][\"'”’»)\]」』）]*$")
SENT_END = re.compile(r"[.!?。！？…][\"'”’»)\]」』）]*$")
INNER_PUNCT = re.compile(r"[,;:，、；：。．]|[.!?](?=\s)")

# Kinds of lines.
CONTENT = "C"
MEDIUM = "M"
SHORT = "S"
BOILER = "B"


class Line:
    """One non-blank line of the input and its features."""

    __slots__ = (
        "idx",
        "start",
        "end",
        "s",
        "e",
        "text",
        "key",
        "nw",
        "nchars",
        "sent_end",
        "end_punct",
        "inner",
        "seps",
        "pat",
        "opens",
        "df_boiler",
        "hint",
        "kind",
        "tokens",
    )

    def __init__(self, idx: int, start: int, end: int, s: int, e: int, text: str) -> None:
        self.idx = idx
        self.start = start
        self.end = end
        self.s = s
        self.e = e
        self.text = text
        self.key = line_key(text)
        self.hint: str | None = None
        self.df_boiler = 0.0
        if CJK.search(text):
            ncjk = len(CJK.findall(text))
            self.nw = len(CJK_RUN.sub(" ", text).split()) + ncjk * CJK_WORD
        else:
            self.nw = float(len(text.split()))
        self.nchars = len(text)
        tail = text[-6:]
        self.sent_end = bool(SENT_END.search(tail))
        self.end_punct = self.sent_end or bool(END_PUNCT.search(tail))
        self.inner = len(INNER_PUNCT.findall(text))
        self.seps = len(SEPARATORS.findall(text))
        self.pat: str | None = None
        self.opens = False
        self.kind = SHORT
        self.tokens: list[str] = []


def make_lines(text: str) -> list[Line]:
    out = []
    for a, b, s, e in split_lines(text):
        if s < e:
            out.append(Line(len(out), a, b, s, e, text[s:e]))
    return out


def match_pattern(line: Line) -> tuple[str | None, bool]:
    """Boilerplate category of a whole line by known phrases, and whether it opens a section."""
    text = line.text
    if line.nw <= 40 and COPYRIGHT.search(text):
        return "other", True
    if line.nw <= 16:
        stripped = text.strip(" \t-–—•*#>|:·»›[]()")
        m = LINE_PATTERN.fullmatch(stripped)
        if m is not None:
            label = m.lastgroup or "other"
            return label, OPENS_SECTION.get(label, False)
    if line.nw <= 30 and not line.sent_end and CAPTION.search(text):
        return "caption", False
    return None, False


def assign_kinds(lines: list[Line], stats: CorpusStats | None) -> None:
    for line in lines:
        line.pat, line.opens = match_pattern(line)
        if stats is not None:
            line.df_boiler = corpus_boilerplate(line, stats)
            hint = stats.hints.get(line.key)
            if hint:
                line.hint = hint
        line.kind = kind_of(line)


def corpus_boilerplate(line: Line, stats: CorpusStats) -> float:
    """0..1: how strongly corpus frequencies say the line is boilerplate."""
    best = 0.0
    if stats.source_documents >= 3:
        df = stats.source_line_doc_freq.get(line.key, 0)
        if df >= 2:
            share = df / stats.source_documents
            # Within one source a repeated line is template text whatever its length.
            best = max(best, min(1.0, share * 4 + 0.3 * (df >= 3)))
    if stats.documents >= 10:
        df = stats.line_doc_freq.get(line.key, 0)
        if df >= 3:
            share = df / stats.documents
            # Across sources long lines repeat through syndication: trust short lines only.
            weight = 1.0 if line.nw <= 12 else (0.5 if line.nw <= 25 else 0.0)
            best = max(best, weight * min(1.0, 0.5 + share * 10))
    return best


def kind_of(line: Line) -> str:
    if line.pat is not None or line.df_boiler >= 0.5:
        return BOILER
    nw = line.nw
    if line.seps >= 2 and line.seps * 6 >= nw:
        return BOILER
    if nw >= 15 or (nw >= 8 and line.sent_end) or (nw >= 6 and line.sent_end and line.inner):
        return CONTENT
    if nw >= 4:
        return MEDIUM
    return SHORT
