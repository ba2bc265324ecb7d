"""Anchors that survive new text revisions: position + quote, diff mapping, verified fuzzy search.

Pure Python, no Django: offsets are Unicode code points (Python string indices) into NFC text,
as the W3C TextPositionSelector defines them. A span is re-anchored in three steps, after
Hypothesis' anchoring but stricter where Hypothesis is known to go wrong (client#7571):

1. map its offsets through a diff of the old and the new text, and keep the result only if the
   new text there equals the stored quote exactly ("migrated");
2. otherwise search for the quote approximately, in a window around the mapped position only,
   and accept the best candidate only above a score threshold, with its context agreeing and
   with a clear margin over the runner-up ("fuzzy", which a person confirms);
3. otherwise report it orphaned. Nothing is ever dropped or moved without saying so.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CONTEXT = 32
# A candidate must score at least this (0..1) to be offered as a fuzzy match …
THRESHOLD = 0.8
# … its prefix or suffix must look like the stored context at least this much …
CONTEXT_THRESHOLD = 0.5
# … and it must beat the runner-up by this much, or the choice is a guess.
MARGIN = 0.1
# Both sides of a span mapped through an edited line must agree this much to count as migrated.
STRONG_CONTEXT = 0.8
# Quotes shorter than this match by accident ("Linus" in "chines", h#2634): exact only.
MIN_FUZZY_LENGTH = 8
# Longer quotes are searched for by their first and last HEAD characters.
LONG_QUOTE = 160
HEAD = 64
# Char-level diffs of replaced regions larger than this are not worth their quadratic cost.
MAX_INNER_DIFF = 20_000

# Every character belongs to exactly one token: words, runs of spaces, single other characters.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

ANCHORED = "anchored"
MIGRATED = "migrated"
FUZZY = "fuzzy"
ORPHANED = "orphaned"


@dataclass(frozen=True)
class Quote:
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Result:
    state: str
    start: int
    end: int
    score: float
    method: str

    @property
    def found(self) -> bool:
        return self.state != ORPHANED


def quote_at(text: str, start: int, end: int, context: int = CONTEXT) -> Quote:
    """The TextQuoteSelector for text[start:end]."""
    return Quote(text[start:end], text[max(0, start - context) : start], text[end : end + context])


def valid_span(text: str, start: int, end: int) -> bool:
    return 0 <= start < end <= len(text)


def verify(text: str, start: int, end: int, exact: str) -> bool:
    return valid_span(text, start, end) and text[start:end] == exact


# ---------------------------------------------------------------- diff mapping

Opcode = tuple[str, int, int, int, int]


def diff_opcodes(old: str, new: str) -> list[Opcode]:
    """Character opcodes old → new: lines are diffed first, then changed lines by character.

    Diffing 60,000 characters directly is quadratic; lines keep it near linear for the usual
    re-cleaning (blocks added, dropped or edited in place).
    """
    # A final newline on both sides: otherwise a last line that gains a successor differs from
    # itself ("end" vs "end\n"). Offsets below len(old) are unaffected.
    old, new = old + "\n", new + "\n"
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    old_at = _line_starts(old_lines)
    new_at = _line_starts(new_lines)
    opcodes: list[Opcode] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        i1, i2, j1, j2 = old_at[a1], old_at[a2], new_at[b1], new_at[b2]
        if tag == "replace" and (i2 - i1) + (j2 - j1) <= MAX_INNER_DIFF:
            opcodes.extend(_token_opcodes(old[i1:i2], new[j1:j2], i1, j1))
        else:
            opcodes.append((tag, i1, i2, j1, j2))
    return opcodes


def _token_opcodes(old: str, new: str, i0: int, j0: int) -> list[Opcode]:
    """Character opcodes of changed lines, diffed by word: by character it is quadratic.

    "match" marks unchanged words inside changed lines: weaker evidence than "equal" lines.
    """
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    old_at, new_at = _line_starts(old_tokens), _line_starts(new_tokens)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    return [
        (
            "match" if t == "equal" else t,
            i0 + old_at[a1],
            i0 + old_at[a2],
            j0 + new_at[b1],
            j0 + new_at[b2],
        )
        for t, a1, a2, b1, b2 in matcher.get_opcodes()
    ]


def _line_starts(lines: Sequence[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


class OffsetMap:
    """Maps code-point offsets of the old text to the new one through the diff opcodes."""

    def __init__(self, opcodes: Sequence[Opcode]) -> None:
        # Only opcodes that cover old characters: pure insertions never contain one.
        self.opcodes = [op for op in opcodes if op[2] > op[1]]
        self.starts = [op[1] for op in self.opcodes]

    def _containing(self, position: int) -> Opcode | None:
        index = bisect.bisect_right(self.starts, position) - 1
        if index < 0:
            return None
        op = self.opcodes[index]
        return op if op[1] <= position < op[2] else None

    def char(self, position: int) -> int | None:
        """Where the old character at ``position`` is in the new text, if it survived."""
        op = self._containing(position)
        if op is None or op[0] not in ("equal", "match"):
            return None
        return op[3] + position - op[1]

    def trusted(self, start: int, end: int) -> bool:
        """Whether the whole span sits in one run of unchanged lines."""
        op = self._containing(start)
        return op is not None and op[0] == "equal" and end <= op[2]

    def near(self, position: int) -> int:
        """The best guess of where ``position`` went, even if its character did not survive."""
        op = self._containing(position)
        if op is None:
            return self.opcodes[-1][4] if self.opcodes else 0
        if op[0] in ("equal", "match"):
            return op[3] + position - op[1]
        return op[3]

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The span's new offsets if its first and last characters both survived."""
        first, last = self.char(start), self.char(end - 1)
        if first is None or last is None or last < first:
            return None
        return first, last + 1


# ---------------------------------------------------------------- fuzzy search


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    if len(a) + len(b) > 2 * LONG_QUOTE:
        # By word for long strings: by character, difflib is quadratic on repetitive text (and
        # with autojunk, spaces and common words do not anchor matches: fine for a score).
        a_tokens, b_tokens = _TOKEN.findall(a), _TOKEN.findall(b)
        return difflib.SequenceMatcher(None, a_tokens, b_tokens).ratio()
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _context_similarity(expected: str, actual: str, *, prefix: bool) -> float:
    """Compare context; near the start or end of a text the stored context may be short."""
    if not expected:
        return 1.0
    actual = actual[-len(expected) :] if prefix else actual[: len(expected)]
    return _similarity(expected, actual)


def _best_ends(pattern: str, window: str) -> list[tuple[int, int, int]]:
    """Sellers' approximate substring search: (distance, start, end) for every end in window.

    Dynamic programming over edit distance in which a match may begin anywhere in the window;
    each cell carries the start of its alignment so the candidate spans come out directly.
    """
    m = len(pattern)
    # Column for the empty prefix of the window: matching the first i pattern chars costs i.
    previous = [(i, 0) for i in range(m + 1)]
    results: list[tuple[int, int, int]] = []
    for j, char in enumerate(window, start=1):
        current = [(0, j)]
        for i in range(1, m + 1):
            diagonal = previous[i - 1]
            cost = diagonal[0] + (pattern[i - 1] != char)
            best = (cost, diagonal[1])
            up = current[i - 1]
            if up[0] + 1 < best[0]:
                best = (up[0] + 1, up[1])
            left = previous[i]
            if left[0] + 1 < best[0]:
                best = (left[0] + 1, left[1])
            current.append(best)
        results.append((current[m][0], current[m][1], j))
        previous = current
    return results


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    score: float


def _score(text: str, anchor: Anchor, start: int, end: int, hint: int, radius: int) -> Candidate:
    quote_sim = _similarity(anchor.exact, text[start:end])
    prefix_sim = _context_similarity(
        anchor.prefix, text[max(0, start - CONTEXT) : start], prefix=True
    )
    suffix_sim = _context_similarity(anchor.suffix, text[end : end + CONTEXT], prefix=False)
    if max(prefix_sim, suffix_sim) < CONTEXT_THRESHOLD:
        return Candidate(start, end, 0.0)
    # Weighted like Hypothesis' matchQuote (50 quote, 20 + 20 context, 2 position), except that
    # the better context side counts more: the text on one side of a span is often what changed.
    closeness = 1 - min(1.0, abs(start - hint) / max(1, radius))
    better, worse = max(prefix_sim, suffix_sim), min(prefix_sim, suffix_sim)
    score = (50 * quote_sim + 30 * better + 10 * worse + 2 * closeness) / 92
    return Candidate(start, end, score)


def _places(pattern: str, window: str, count: int = 4) -> list[tuple[int, int]]:
    """The ``count`` best approximate matches of pattern in window, none overlapping another."""
    budget = max(1, len(pattern) // 3)
    ends = sorted(r for r in _best_ends(pattern, window) if r[0] <= budget)
    taken: list[tuple[int, int]] = []
    for _, start, end in ends:
        # One candidate per place: the runner-up must be elsewhere, not a shifted copy.
        if end <= start or any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        if len(taken) == count:
            break
    return taken


def _strong_context(text: str, anchor: Anchor, start: int, end: int) -> bool:
    prefix = _context_similarity(anchor.prefix, text[max(0, start - CONTEXT) : start], prefix=True)
    suffix = _context_similarity(anchor.suffix, text[end : end + CONTEXT], prefix=False)
    return min(prefix, suffix) >= STRONG_CONTEXT


def fuzzy_find(text: str, anchor: Anchor, hint: int, radius: int | None = None) -> Result:
    """Search for the anchor's quote in text[hint - radius : hint + len + radius] only."""
    length = len(anchor.exact)
    if radius is None:
        radius = max(256, min(2 * length, 1024))
    low = max(0, hint - radius)
    high = min(len(text), hint + length + radius)
    window = text[low:high]
    spans: set[tuple[int, int]] = set()
    position = window.find(anchor.exact)
    while position != -1:
        spans.add((low + position, low + position + length))
        position = window.find(anchor.exact, position + 1)
    if MIN_FUZZY_LENGTH <= length <= LONG_QUOTE and window:
        spans.update((low + start, low + end) for start, end in _places(anchor.exact, window))
    elif length > LONG_QUOTE and window:
        # The search is quadratic in the quote's length: align its head and its tail instead,
        # and take each pairing of a head and a later tail of about the right length.
        heads = _places(anchor.exact[:HEAD], window)
        tails = _places(anchor.exact[-HEAD:], window)
        spans.update(
            (low + head, low + tail)
            for head, _ in heads
            for _, tail in tails
            if length / 2 <= tail - head <= length * 3 / 2
        )
    candidates = sorted(
        (_score(text, anchor, start, end, hint, radius) for start, end in spans),
        key=lambda c: (-c.score, abs(c.start - hint)),
    )
    candidates = [c for c in candidates if c.score > 0]
    if not candidates:
        return Result(ORPHANED, anchor.start, anchor.end, 0.0, "none")
    best = candidates[0]
    runner_up = next(
        (c.score for c in candidates[1:] if not (c.start < best.end and best.start < c.end)), 0.0
    )
    exact_unique = text[best.start : best.end] == anchor.exact and len(spans) == 1
    if length < MIN_FUZZY_LENGTH and not exact_unique:
        return Result(ORPHANED, anchor.start, anchor.end, best.score, "too-short")
    if best.score < THRESHOLD:
        return Result(ORPHANED, anchor.start, anchor.end, best.score, "below-threshold")
    if best.score - runner_up < MARGIN:
        return Result(ORPHANED, anchor.start, anchor.end, best.score, "ambiguous")
    return Result(FUZZY, best.start, best.end, round(best.score, 4), "fuzzy")


# ---------------------------------------------------------------- the whole procedure


def reanchor_one(new_text: str, offsets: OffsetMap, anchor: Anchor) -> Result:
    mapped = offsets.span(anchor.start, anchor.end)
    if mapped and verify(new_text, mapped[0], mapped[1], anchor.exact):
        if offsets.trusted(anchor.start, anchor.end):
            return Result(MIGRATED, mapped[0], mapped[1], 1.0, "diff")
        # Inside an edited line the diff may have paired the span with a lookalike: keep it
        # only if the text on both sides is still (nearly) what it was.
        if _strong_context(new_text, anchor, *mapped):
            return Result(MIGRATED, mapped[0], mapped[1], 1.0, "diff-context")
    # Otherwise the span has to win the fuzzy search, margin included, like any candidate.
    return fuzzy_find(new_text, anchor, hint=mapped[0] if mapped else offsets.near(anchor.start))


def reanchor(old_text: str, new_text: str, anchors: Iterable[Anchor]) -> list[Result]:
    """Re-anchor every anchor of ``old_text`` in ``new_text``, in order."""
    offsets = OffsetMap(diff_opcodes(old_text, new_text))
    return [reanchor_one(new_text, offsets, anchor) for anchor in anchors]
