"""Per-line features: length, punctuation, shape, boilerplate patterns, corpus frequency.

Speed matters (thousands of pages per second): per line only ``str`` methods run; the
regex-heavy pattern checks first look for their keywords once in the whole lower-cased
document and then examine just the lines that hold one.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from .keys import key_of_normalised, normalise_line
from .lines import split_lines
from .patterns import (
    ABOUT_AUTHOR,
    CAPTION,
    COOKIES,
    COPYRIGHT,
    FRAGMENT_HINT,
    LINE_PATTERN,
    OPENS_SECTION,
    PHOTO_POSITION,
    READ_TIME,
    RELATED_PREFIX,
    SEPARATORS,
    SUBSCRIBE,
)
from .result import LABELS
from .stats import CorpusStats

# Han, kana and CJK compatibility ideographs: scripts written without spaces.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+")
# One CJK character counts as this many words.
CJK_WORD = 0.6
# Thai, Lao, Myanmar and Khmer also run words together (spaces separate phrases); their
# words are longer in characters.
SEA = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
SEA_RUN = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+")
SEA_WORD = 0.22
SENT_END_CHARS = frozenset(".!?。！？…")
END_PUNCT_CHARS = SENT_END_CHARS | frozenset(":;；：")
CLOSERS = frozenset("\"'”’»)]」』）")
INNER_PUNCT = re.compile(r"[,;:，、；：。．]|[.!?](?=\s)")
# Punctuation standing alone between spaces ("-", "|", "&") is not a word.
LONE_PUNCT = re.compile(r"(?<!\S)[^\w\s]+(?!\S)")
_LONE_AFTER_SPACE = re.compile(r"\s[^\w\s]+(?!\S)")
_LONE_AFTER_SP = re.compile(r" [^\w\s]+(?!\S)")
_LONE_AFTER_NL = re.compile(r"\n[^\w\s]+(?!\S)")
# CJK or SEA: one scan rules both out.
_WIDE = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
    r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"
)
RULE = re.compile(r"[-_=*~.•·]{5,}$")
_DECORATION = " \t-–—•*#>|:·»›[]"
# Section headers that end an article: other stories, reader comments, the author's bio.
TERMINAL = frozenset({"related", "comments", "author_bio", "other"})
# "More from Europe", "Mehr aus Berlin": a navigation header that opens a list of stories.
MORE_FROM = re.compile(r"(?:more|mehr|más|plus|più|meer|mais)\b", re.IGNORECASE)

# Kinds of lines.
CONTENT = "C"
MEDIUM = "M"
SHORT = "S"
BOILER = "B"


class Line:
    """One non-blank line of the input and its features."""

    __slots__ = (
        "_inner",
        "_key",
        "_norm",
        "caption",
        "df_boiler",
        "e",
        "end",
        "end_punct",
        "fragment",
        "hint",
        "idx",
        "kind",
        "nw",
        "opens",
        "pat",
        "s",
        "sent_end",
        "seps",
        "start",
        "stems",
        "terminal",
        "text",
        "tokens",
    )

    def __init__(self, idx: int, start: int, end: int, s: int, e: int, text: str) -> None:
        self.idx = idx
        self.start = start
        self.end = end
        self.s = s
        self.e = e
        self.text = text
        self.nw: float = len(text.split())
        last = text[-1]
        if last in CLOSERS and len(text) > 1:
            last = text[-2]
        self.sent_end = last in SENT_END_CHARS
        self.end_punct = last in END_PUNCT_CHARS
        self.seps = 0
        self.pat: str | None = None
        self.opens = False
        self.caption = False
        self.fragment = False
        self.df_boiler = 0.0
        self.hint: str | None = None
        self.kind = SHORT
        self.terminal = False
        self.tokens: list[str] | None = None
        self.stems: list[str] | None = None
        self._norm: str | None = None
        self._key: int | None = None
        self._inner: bool | None = None

    @property
    def norm(self) -> str:
        """Normalised text (what repeats of a line share)."""
        if self._norm is None:
            self._norm = normalise_line(self.text)
        return self._norm

    @property
    def key(self) -> int:
        """The line's corpus/hint key (computed on first use)."""
        if self._key is None:
            self._key = key_of_normalised(self.norm)
        return self._key

    @property
    def inner(self) -> bool:
        """Whether the line has punctuation inside (commas, colons, sentence breaks)."""
        if self._inner is None:
            self._inner = INNER_PUNCT.search(self.text) is not None
        return self._inner


def make_lines(text: str) -> list[Line]:
    out: list[Line] = []
    append = out.append
    if "\r" in text:
        for a, b, s, e in split_lines(text):
            if s < e:
                append(Line(len(out), a, b, s, e, text[s:e]))
    else:
        # The common case, split_lines inlined: only \n ends a line.
        pos = 0
        idx = 0
        for piece in text.split("\n"):
            size = len(piece)
            stripped = piece.strip()
            if stripped:
                n = len(stripped)
                s = pos if n == size else pos + size - len(piece.lstrip())
                append(Line(idx, pos, pos + size, s, s + n, stripped))
                idx += 1
            pos += size + 1
    # Standalone punctuation ("-", "|") is not a word: one pass over the whole text.
    starts = [ln.s for ln in out]
    # LONE_PUNCT's matches: one at the very start, the others right after a space (a
    # pattern that starts with a character class scans far faster than a lookbehind).
    if LONE_PUNCT.match(text):
        out[0].nw -= 1
    if text.replace("\n", " ").isprintable():
        # No whitespace but spaces and line breaks (every other one is unprintable): two
        # scans for a literal first character, far cheaper than a character class. Their
        # matches cannot overlap, so together they are _LONE_AFTER_SPACE's.
        found = [m.start() for m in _LONE_AFTER_SP.finditer(text)]
        found += [m.start() for m in _LONE_AFTER_NL.finditer(text)]
    else:
        found = [m.start() for m in _LONE_AFTER_SPACE.finditer(text)]
    for pos in found:
        out[bisect_right(starts, pos + 1) - 1].nw -= 1
    if text.isascii() or _latin1(text) or _WIDE.search(text) is None:
        return out
    if CJK.search(text):
        for ln in out:
            if CJK.search(ln.text):
                ncjk = len(CJK.findall(ln.text))
                rest = CJK_RUN.sub(" ", ln.text)
                ln.nw = len(rest.split()) - len(LONE_PUNCT.findall(rest)) + ncjk * CJK_WORD
    if SEA.search(text):
        for ln in out:
            if SEA.search(ln.text):
                nsea = len(SEA.findall(ln.text))
                rest = SEA_RUN.sub(" ", ln.text)
                ln.nw = len(rest.split()) - len(LONE_PUNCT.findall(rest)) + nsea * SEA_WORD
    return out


def _latin1(text: str) -> bool:
    """Whether every character is below U+0100 (no CJK or SEA then): encoding to Latin-1
    copies such text and stops at the first other character."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def assign_kinds(lines: list[Line], text: str, stats: CorpusStats | None) -> None:
    """Pattern categories, corpus evidence, hints and the kind of every line."""
    low = text.lower()
    starts = [ln.s for ln in lines]
    # Lower-casing can change offsets in rare scripts: then every line is checked.
    exact = len(low) == len(text)
    # SEPARATORS' two alternatives never overlap: each is found by its own faster scan.
    positions = []
    for char in _SEP_CHARS:
        pos = text.find(char)
        while pos >= 0:
            positions.append(pos)
            pos = text.find(char, pos + 1)
    if " - " in text or " / " in text or " > " in text:
        positions += [m.start() for m in _SEP_SPACED.finditer(text)]
    for pos in positions:
        i = bisect_right(starts, pos) - 1
        if i >= 0:
            lines[i].seps += 1
    if not exact:
        _assign_all(lines, stats)
        return
    # Keyword searches over the whole lower-cased text find the few lines that may hold a
    # copyright, subscription, cookie, caption or fragment phrase (-1: before the first line).
    copyright_lines = COPYRIGHT.lines_with_keywords(low, starts)
    subscribe_lines = SUBSCRIBE.lines_with_keywords(low, starts)
    cookie_lines = COOKIES.lines_with_keywords(low, starts)
    caption_lines = CAPTION.lines_with_keywords(low, starts)
    for idx in FRAGMENT_HINT.lines_with_keywords(low, starts):
        if idx >= 0:
            lines[idx].fragment = True
    special = copyright_lines | subscribe_lines | cookie_lines
    search_caption = CAPTION.pattern.search
    for idx in caption_lines:
        if idx >= 0:
            ln = lines[idx]
            if search_caption(ln.text) is not None:
                ln.caption = True
                special.add(idx)
    cache = _PATTERN_CACHE
    plain = stats is None
    for ln in lines:
        idx = ln.idx
        nw = ln.nw
        text = ln.text
        if idx in special:
            pat, opens = _match(
                ln, idx in copyright_lines, idx in subscribe_lines, idx in cookie_lines
            )
        else:
            # _match for a line without copyright, cookie, subscription or caption words.
            pat = None
            opens = False
            if nw <= 40:
                if nw == 0 and RULE.match(text):
                    pat = "other"
                    opens = True
                else:
                    if nw <= 16:
                        low_line = text.lower().strip(_DECORATION)
                        label = cache.get(low_line, _MISS)
                        if label is _MISS:
                            label = _line_pattern(low_line)
                        if label is not None:
                            pat = label
                            opens = OPENS_SECTION.get(label, False)
                        elif nw <= 5:
                            bare = text.strip(_DECORATION)
                            if bare.startswith(_ABOUT) and ABOUT_AUTHOR.fullmatch(bare):
                                pat = "author_bio"
                                opens = True
                    if (
                        pat is None
                        and nw <= 30
                        and text[0] in _RELATED_FIRST
                        and RELATED_PREFIX.match(text)
                    ):
                        pat = "related"
        if pat is None and nw <= 40 and text[-4:].lower() == "read" and READ_TIME.search(text):
            pat = "related"
        ln.pat = pat
        ln.opens = opens
        if plain:
            # kind_of and the terminal flag without corpus evidence or hints.
            if pat is not None:
                ln.kind = BOILER
                ln.terminal = (opens and pat in TERMINAL) or (
                    pat == "navigation" and MORE_FROM.match(text) is not None
                )
            else:
                seps = ln.seps
                if seps >= 2 and seps * 6 >= nw:
                    ln.kind = BOILER
                elif nw >= 15 or (
                    ln.sent_end and (nw >= 8 or (nw >= 6 and INNER_PUNCT.search(text) is not None))
                ):
                    ln.kind = CONTENT
                elif nw >= 4:
                    ln.kind = MEDIUM
    if not plain:
        _corpus_evidence(lines, stats)
        _kinds(lines)


def _assign_all(lines: list[Line], stats: CorpusStats | None) -> None:
    """assign_kinds checking every line for every phrase (when offsets do not map)."""
    for ln in lines:
        ln.fragment = True
        ln.caption = CAPTION.pattern.search(ln.text) is not None
        ln.pat, ln.opens = _match(ln, True, True, True)
    if stats is not None:
        _corpus_evidence(lines, stats)
    _kinds(lines)


def _kinds(lines: list[Line]) -> None:
    for ln in lines:
        ln.kind = kind_of(ln)
        ln.terminal = (ln.opens and ln.pat in TERMINAL) or (
            ln.pat == "navigation" and MORE_FROM.match(ln.text) is not None
        )
        if ln.hint is not None:
            ln.terminal = ln.hint in TERMINAL


def _match(
    line: Line, maybe_copyright: bool, maybe_subscribe: bool, maybe_cookies: bool
) -> tuple[str | None, bool]:
    """Boilerplate category of a whole line by known phrases, and whether it opens a section."""
    nw = line.nw
    if nw > 80:
        return None, False
    text = line.text
    if maybe_copyright and COPYRIGHT.pattern.search(text):
        return "other", True
    if maybe_cookies and COOKIES.pattern.search(text):
        return "other", False
    if nw > 40:
        return None, False
    if nw == 0 and RULE.match(text):
        return "other", True  # a horizontal rule closes the article
    if line.caption and PHOTO_POSITION.search(text):
        return "caption", False
    if nw <= 16:
        label = _line_pattern(text.lower().strip(_DECORATION))
        if label is not None:
            return label, OPENS_SECTION.get(label, False)
        if nw <= 5 and ABOUT_AUTHOR.fullmatch(text.strip(_DECORATION)):
            return "author_bio", True
    if nw <= 30:
        if RELATED_PREFIX.match(text):
            return "related", False
        if maybe_subscribe and SUBSCRIBE.pattern.search(text):
            return "newsletter", False
        if line.caption and not line.sent_end:
            return "caption", False
    return None, False


def _corpus_evidence(lines: list[Line], stats: CorpusStats) -> None:
    """Document frequencies and editor hints of every line."""
    hints = stats.hints
    long_words = flagged_words = 0.0
    for ln in lines:
        ln.df_boiler = corpus_boilerplate(ln, stats)
        if hints:
            hint = hints.get(ln.key)
            if hint in LABELS:
                ln.hint = hint
        if ln.nw >= 15:
            long_words += ln.nw
            if ln.df_boiler >= 0.5:
                flagged_words += ln.nw
    if flagged_words > 0.5 * long_words:
        # Most of the text recurs elsewhere: a copy or update of another page, not template
        # text. Only short lines keep their corpus evidence.
        for ln in lines:
            if ln.nw >= 15:
                ln.df_boiler = 0.0


_SEP_CHARS = "|•·»›"
_SEP_SPACED = re.compile(r" [-/>] ")
assert SEPARATORS.pattern == f"[{_SEP_CHARS}]|{_SEP_SPACED.pattern}"
_PATTERN_CACHE: dict[str, str | None] = {}
_MISS = "\0miss"
# "About Jane Doe": what ABOUT_AUTHOR can start with (it is case-sensitive).
_ABOUT = ("About ", "Über ", "Sobre ", "À propos de ")
# Every character RELATED_PREFIX (case-insensitive) can match first, "ſ" included.
_RELATED_FIRST = frozenset("aArRsSſmMwWlLvVpPgGcCàÀчЧ相延推関관")
_PATTERN_CACHE_SIZE = 50_000


def _line_pattern(low: str) -> str | None:
    """The category of a short lower-cased line by whole-line phrases (memoised: menus and
    footers repeat from page to page)."""
    try:
        return _PATTERN_CACHE[low]
    except KeyError:
        pass
    m = LINE_PATTERN.fullmatch(low)
    label = (m.lastgroup or "other") if m is not None else None
    if len(_PATTERN_CACHE) >= _PATTERN_CACHE_SIZE:
        _PATTERN_CACHE.clear()
    _PATTERN_CACHE[low] = label
    return label


def _headline_with_number(line: Line) -> bool:
    """Headline-shaped (5 to 20 words, no full stop at the end), with a digit (a 0 in the key)."""
    return 5 <= line.nw <= 20 and not line.sent_end and "0" in line.norm


def corpus_boilerplate(line: Line, stats: CorpusStats) -> float:
    """0..1: how strongly corpus frequencies say the line is boilerplate."""
    best = 0.0
    if stats.source_documents >= 5 and stats.source_line_doc_freq:
        df = stats.source_line_doc_freq.get(line.key, 0)
        if df >= 3:
            # Within one source a line in many pages is template text whatever its length.
            best = min(1.0, 0.4 + 3.0 * df / stats.source_documents)
    if stats.documents >= 10 and stats.line_doc_freq:
        df = stats.line_doc_freq.get(line.key, 0)
        if df >= 3:
            share = df / stats.documents
            # Across sources long lines repeat through syndication: trust short lines only.
            weight = 1.0 if line.nw <= 12 else (0.5 if line.nw <= 25 else 0.0)
            best = max(best, weight * min(1.0, 0.5 + share * 10))
    if best >= 0.5 and _headline_with_number(line):
        # Keys map digits to 0, so a series of headlines ("Round 12: …", "532 new cases in
        # …") recurs like a template: kept below the bar, the line's own features decide.
        return 0.45
    return best


def kind_of(line: Line) -> str:
    hint = line.hint
    if hint is not None:
        return CONTENT if hint == "body" else BOILER
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
