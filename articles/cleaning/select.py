"""Main-article selection: dense segments, title anchoring and coherent merging."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

from .features import BOILER, CONTENT, MEDIUM, SHORT, Line
from .patterns import BYLINE, DATE, STAMP
from .tokens import line_stems

_log = logging.getLogger(__name__)

# Title candidates this close below a "Related"/"Comments" header are teaser headlines.
HEADER_REACH = 30
# How many lines above a segment a title is looked for.
TITLE_REACH = 60
# Lines of a segment that title overlap and the prose share look at.
HEAD_LINES = 20
# Length helps up to a few hundred words; beyond that the title decides.
LONG_ENOUGH = 300.0
# The most a title can add to a segment's score (overlap, repeats, shape, byline).
MAX_BONUS = 3.0 + 1.2 + 0.5 + 0.7
# Title shape of a line editors marked as a headline: it wins unless far from any text.
HINT_BONUS = 6.0
COLONS = (":", "：")
# "3. Another story": an item of a numbered list of links.
_NUMBERED = re.compile(r"\d{1,2}[.)]\s")
# Words starting in lower / upper case (Latin, Greek, Cyrillic; other scripts count as neither).
# One scan finds both: the group holds lower-case starts, upper-case ones match empty.
_CASED_START = re.compile(r"(?<!\w)(?:([a-zß-öø-ÿα-ωа-я])|[A-ZÀ-ÖØ-ÞΑ-ΩА-Я])")


@dataclass
class Segment:
    """A run of text lines (with short lines between them) that may be (part of) the article."""

    first: int
    last: int
    words: float
    ncontent: int
    # Share of content lines preceded by a headline: a list of teasers, not an article.
    teaser: float = 0.0
    # Content tokens, and those found in two or more lines (topic words); computed lazily.
    tokens: set[str] | None = None
    keys: set[str] = field(default_factory=set)
    # Share of cased words that start in lower case: prose ~0.7, lists of names ~0.1.
    prose: float = 0.5
    # The lines between the previous chosen segment and this one are a list (keep them).
    list_before: bool = False
    # Whether ``tokens`` covers the whole segment (not only its first lines).
    full: bool = False


@dataclass
class Selection:
    """The headline line (index into the non-blank lines) and the article's segments."""

    title: int | None
    segments: list[Segment]
    confidence: float


def _gap_ok(pending: list[Line]) -> bool:
    """Whether non-content lines between two content lines stay inside one segment.

    A subheading or two, or a short list, do; longer interruptions split the segment and
    merging decides on coherence.
    """
    if len(pending) <= 1:
        return True
    listy = sum(1 for ln in pending if ln.end_punct)
    if len(pending) <= 2:
        return listy >= 1
    return len(pending) <= 12 and listy * 3 >= len(pending) * 2


def build_segments(lines: list[Line]) -> list[Segment]:
    segs: list[Segment] = []
    cur: Segment | None = None
    pending: list[Line] = []
    heads = 0
    for ln in lines:
        kind = ln.kind
        if kind == CONTENT:
            if cur is not None and _gap_ok(pending):
                cur.last = ln.idx
                cur.words += ln.nw + sum(p.nw for p in pending)
                cur.ncontent += 1
                # Teaser lists: headline, one-paragraph summary, headline, summary...
                if pending and any(not p.end_punct and p.nw >= 2 for p in pending):
                    heads += 1
            else:
                _close(cur, heads)
                cur = Segment(ln.idx, ln.idx, ln.nw, 1)
                heads = 0
                segs.append(cur)
            pending = []
        elif kind == BOILER:
            _close(cur, heads)
            cur = None
            pending = []
        else:
            pending.append(ln)
    _close(cur, heads)
    return segs


def _close(seg: Segment | None, heads: int) -> None:
    """Articles have a subheading every few paragraphs; teaser lists before every one."""
    if seg is not None and seg.ncontent >= 3 and heads >= 3:
        seg.teaser = max(0.0, heads / seg.ncontent - 0.3) / 0.7


def _stems_of(lines: list[Line], a: int, b: int) -> list[str]:
    """The content tokens of the non-boilerplate lines a..b-1 (each line's cached once)."""
    out: list[str] = []
    for ln in lines[a:b]:
        if ln.kind != BOILER:
            stems = ln.stems
            if stems is None:
                stems = ln.stems = line_stems(ln.text)
            out += stems
    return out


def ensure_tokens(lines: list[Line], seg: Segment) -> set[str]:
    """Compute (once) a segment's token set and topic words (tokens seen twice or more)."""
    if seg.tokens is not None and seg.full:
        return seg.tokens
    counts = Counter(_stems_of(lines, seg.first, seg.last + 1))
    seg.tokens = set(counts)
    seg.keys = {t for t, c in counts.items() if c > 1}
    seg.full = True
    return seg.tokens


def ensure_head(lines: list[Line], seg: Segment) -> set[str]:
    """Tokens of a segment's first lines (where a headline's words recur) and its prose share."""
    if seg.tokens is not None:
        return seg.tokens
    end = min(seg.last + 1, seg.first + HEAD_LINES)
    prose = " ".join([ln.text for ln in lines[seg.first : end] if ln.kind == CONTENT])
    starts = _CASED_START.findall(prose)
    cased = len(starts)
    if cased >= 20:
        seg.prose = (cased - starts.count("")) / cased
    if end > seg.last:
        return ensure_tokens(lines, seg)
    seg.tokens = set(_stems_of(lines, seg.first, end))
    return seg.tokens


def line_tokens(ln: Line) -> list[str]:
    toks = ln.tokens
    if toks is None:
        stems = ln.stems
        if stems is None:
            stems = ln.stems = line_stems(ln.text)
        toks = ln.tokens = list(set(stems))
    return toks


def _tokens_after(lines: list[Line], idx: int, last: int) -> set[str]:
    """Tokens of the first lines below a headline candidate inside a segment."""
    return set(_stems_of(lines, idx + 1, min(last + 1, idx + 1 + HEAD_LINES)))


def _headline_like(ln: Line) -> bool:
    """A short line that reads as a headline rather than a lead sentence."""
    if not ln.sent_end:
        return ln.nw <= 30
    if ln.nw > 16:
        return False
    words = [w for w in ln.text.split() if w[:1].isalpha()]
    upper = sum(1 for w in words if w[0].isupper())
    return len(words) >= 3 and upper >= 0.6 * len(words)


def _title_shape(ln: Line) -> float:
    if ln.hint == "title":
        return HINT_BONUS  # editors marked this line as the headline before
    nw = ln.nw
    if ln.kind == BOILER or nw < 2 or nw > 40:
        return -9.0
    score = 0.0
    if 4 <= nw <= 24:
        score += 0.5
    elif nw < 3:
        score -= 0.8
    if ln.sent_end and ln.text[-1] in ".。":
        score -= 0.7
    if ln.seps:
        score -= 0.5
    if _NUMBERED.match(ln.text):
        score -= 1.0  # an item of a numbered list of links
    return score


def _title_penalty(ln: Line, cache: dict[int, float]) -> float:
    """Bylines and time stamps are not headlines (regex checks, so only when needed)."""
    key = -1 - ln.idx
    pen = cache.get(key)
    if pen is None:
        pen = 0.0
        if BYLINE.search(ln.text):
            pen = -2.0
        elif ln.nw <= 10 and STAMP.search(ln.text):
            pen = -1.5
        cache[key] = pen
    return pen


def _headers_before(lines: list[Line], segs: list[Segment]) -> list[int]:
    """For each line, the last terminal section header at or before it, or -1.

    Only headers below a substantial text segment count: menus at the top of a page
    also name "Comments" or "Related" without opening such a section.
    """
    strong = [seg.last for seg in segs if seg.words >= 100]
    first_strong = min(strong) if strong else len(lines)
    out = [-1] * len(lines)
    heads = [ln.idx for ln in lines[first_strong + 1 :] if ln.terminal]
    for n, idx in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        out[idx:end] = [idx] * (end - idx)
    return out


def choose(lines: list[Line], segs: list[Segment]) -> tuple[int | None, Segment | None, float]:
    """Pick the (title, anchor segment) pair with the best joint score."""
    if not segs:
        return None, None, 0.0
    norm_count = Counter([ln.text for ln in lines])
    headers = _headers_before(lines, segs)
    shapes: dict[int, float] = {}
    metas: dict[int, bool] = {}
    meta_lines: dict[int, bool] = {}
    # prefix[i]: non-boilerplate lines before line i.
    prefix = list(accumulate([ln.kind != BOILER for ln in lines], initial=0))
    bases = []
    earlier = 0.0
    for seg in segs:
        # The article is usually the first substantial text: later text pays a little.
        late = 0.6 * min(1.5, earlier / 200.0)
        bases.append(math.log2(1.0 + min(seg.words, LONG_ENOUGH)) - 4.0 * seg.teaser - late)
        if seg.words >= 40:
            earlier += seg.words
    # Only repeated lines can earn the repeat bonus: a tighter bound when there are none.
    bound = MAX_BONUS if any(c > 1 for c in norm_count.values()) else MAX_BONUS - 1.2
    if any(ln.hint == "title" for ln in lines):
        bound += HINT_BONUS
    order = sorted(range(len(segs)), key=lambda i: (-bases[i], i))
    debug = _log.isEnabledFor(logging.DEBUG)
    best: tuple[float, int, int | None] = (-1e9, -1, None)
    runner_up = -1e9
    for i in order:
        seg = segs[i]
        base = bases[i]
        if base + bound <= best[0]:
            # Neither this segment nor any shorter one can win any more.
            runner_up = max(runner_up, base + bound / 2)
            break
        ensure_head(lines, seg)
        # Lists of names and places (footers, link lists) are not prose.
        listy = max(0.0, 0.4 - seg.prose) * 6.0
        top, title = base - 2.0 - listy, None
        for ln, inside in _candidates(lines, seg):
            shape = shapes.get(ln.idx)
            if shape is None:
                shape = shapes[ln.idx] = _title_shape(ln)
            if shape <= -9.0:
                continue
            if inside:
                dist_pen = 0.3
            else:
                dist = prefix[seg.first] - prefix[ln.idx + 1]
                dist_pen = min(3.0, 0.12 * dist + 0.04 * (seg.first - ln.idx - 1 - dist))
            reps = norm_count[ln.text]
            rep = 0.0 if reps < 2 else (0.8 if reps == 2 else 1.2)
            hdr = headers[ln.idx]
            teaser = 2.5 if hdr >= 0 and ln.idx - hdr <= HEADER_REACH else 0.0
            fixed = base + shape - dist_pen - teaser - listy
            if fixed + 3.0 + rep + 0.7 <= max(top, best[0]):
                continue  # cannot win even with full overlap
            shape += _title_penalty(ln, shapes)
            toks = line_tokens(ln)
            if not toks:
                continue
            if len(toks) < 3:
                rep = 0.0
            target = _tokens_after(lines, ln.idx, seg.last) if inside else seg.tokens or set()
            overlap = sum(1 for t in toks if t in target) / max(4, len(toks))
            if overlap == 0.0:
                # A headline shares words with its article.
                overlap = -0.35
            meta = metas.get(ln.idx)
            if meta is None:
                meta = metas[ln.idx] = _meta_follows(lines, ln.idx, meta_lines)
            score = base + 3.0 * overlap + rep + shape + 0.7 * meta - dist_pen - teaser - listy
            if debug:
                _log.debug(
                    "segment %d-%d title %d: %.2f (base %.2f overlap %.2f repeats %.1f "
                    "shape %.1f distance %.2f teaser %.1f meta %s listy %.2f)",
                    seg.first,
                    seg.last,
                    ln.idx,
                    score,
                    base,
                    overlap,
                    rep,
                    shape,
                    dist_pen,
                    teaser,
                    meta,
                    listy,
                )
            if score > top:
                top, title = score, ln.idx
        if top > best[0]:
            runner_up = max(runner_up, best[0])
            best = (top, i, title)
        else:
            runner_up = max(runner_up, top)
    score, index, title = best
    margin = score - runner_up if runner_up > -1e9 else 3.0
    confidence = 1.0 / (1.0 + math.exp(-(margin - 0.5)))
    return title, segs[index], confidence


def _candidates(lines: list[Line], seg: Segment) -> list[tuple[Line, bool]]:
    """Title candidates for a segment: lines above it, and headlines among its first lines."""
    # Nearest first: close candidates score best, so far ones are mostly pruned.
    above = lines[max(0, seg.first - TITLE_REACH) : seg.first][::-1]
    out = [(ln, False) for ln in above if (ln.kind != CONTENT and ln.nw >= 2) or ln.hint == "title"]
    hi = seg.first
    for ln in lines[seg.first : min(seg.last, seg.first + 6)]:
        if ln.kind == CONTENT and ln.idx > seg.first:
            hi = ln.idx
    for ln in lines[seg.first : hi]:
        if ln.kind != CONTENT or _headline_like(ln):
            out.append((ln, True))
    return out


def _meta_follows(lines: list[Line], idx: int, cache: dict[int, bool]) -> bool:
    """Whether a date or byline line is within three lines of a headline candidate."""
    for ln in lines[max(0, idx - 2) : idx + 4]:
        if ln.idx == idx:
            continue
        meta = cache.get(ln.idx)
        if meta is None:
            meta = cache[ln.idx] = ln.nw <= 12 and bool(
                DATE.search(ln.text) or BYLINE.search(ln.text)
            )
        if meta:
            return True
    return False


def _coherence(seg: Segment, vocab: set[str], keys: set[str]) -> float:
    """How much a segment is about the article: its words in the article's vocabulary, or
    the article's topic words in it, whichever is higher."""
    if not seg.tokens:
        return 0.0
    own = sum(1 for t in seg.tokens if t in vocab) / len(seg.tokens)
    if not keys:
        return own
    topic = sum(1 for t in keys if t in seg.tokens) / len(keys)
    return max(own, topic)


def _gap_allows(lines: list[Line], a: int, b: int) -> tuple[bool, int]:
    """Whether lines strictly between a and b may separate two parts of one article.

    Returns (no terminal section header in the gap, gap length in lines).
    """
    gap = lines[a + 1 : b]
    # Advertisement markers are transparent: ads interrupt articles.
    size = 0
    for n, ln in enumerate(gap):
        if ln.terminal:
            return False, len(gap)
        if ln.pat != "advertisement":
            size += 1
        # A headline with a byline or date under it starts another article.
        if ln.kind == MEDIUM and not ln.end_punct and any(_is_meta(x) for x in gap[n + 1 : n + 3]):
            return False, len(gap)
    return True, size


def _is_meta(ln: Line) -> bool:
    return ln.nw <= 12 and bool(BYLINE.search(ln.text) or STAMP.search(ln.text))


def merge(
    lines: list[Line], segs: list[Segment], anchor: Segment, title: int | None
) -> list[Segment]:
    """Grow the article from the anchor segment over coherent neighbours."""
    vocab = set(ensure_tokens(lines, anchor))
    keys = set(anchor.keys)
    if title is not None:
        vocab.update(line_tokens(lines[title]))
        keys.update(line_tokens(lines[title]))
    chosen = [anchor]
    pos = segs.index(anchor)
    # Forward.
    last = anchor
    for seg in segs[pos + 1 :]:
        ok, gap = _gap_allows(lines, last.last, seg.first)
        ensure_tokens(lines, seg)
        if ok and is_list(lines, last.last + 1, seg.first):
            seg.list_before = True
            gap = 0
        if not _accept(seg, gap, vocab, keys, ok):
            seg.list_before = False
            break
        chosen.append(seg)
        vocab.update(seg.tokens or ())
        last = seg
    # Backward, not above the title; between the title and the anchor long gaps (fact
    # boxes, galleries) may separate coherent parts.
    first = anchor
    for seg in reversed(segs[:pos]):
        if title is not None and seg.first <= title:
            break
        ok, gap = _gap_allows(lines, seg.last, first.first)
        ensure_tokens(lines, seg)
        if title is not None and ok and _coherence(seg, vocab, keys) >= 0.3:
            gap = min(gap, 6)
        if not _accept(seg, gap, vocab, keys, ok):
            break
        chosen.insert(0, seg)
        vocab.update(seg.tokens or ())
        first = seg
    return chosen


def is_list(lines: list[Line], a: int, b: int) -> bool:
    """Whether lines a..b-1 are a list announced by a line ending in a colon (line a-1, the
    end of the text above, or line a)."""
    if a > 0 and lines[a - 1].text.endswith(COLONS):
        items = lines[a:b]
    elif b - a >= 2 and lines[a].text.endswith(COLONS):
        items = lines[a + 1 : b]
    else:
        return False
    return bool(items) and all(ln.kind in (MEDIUM, SHORT) for ln in items)


def _accept(seg: Segment, gap: int, vocab: set[str], keys: set[str], open_gap: bool) -> bool:
    coh = _coherence(seg, vocab, keys)
    if _log.isEnabledFor(logging.DEBUG):
        _log.debug(
            "merge %d-%d? gap %d open %s coherence %.2f", seg.first, seg.last, gap, open_gap, coh
        )
    if not open_gap:
        # A "related"/"comments" header between: only a short interruption of an article
        # that clearly goes on (several coherent paragraphs) is crossed.
        return (
            gap <= 6
            and (seg.ncontent >= 3 or (seg.ncontent >= 2 and seg.words >= 50))
            and seg.teaser == 0.0
            and coh >= 0.18
        )
    if gap == 0:
        # Only an advertisement marker between: the article goes on after the ad.
        return seg.teaser == 0.0
    if gap <= 2:
        return coh >= 0.15 or (seg.words >= 40 and coh >= 0.05)
    if gap <= 6:
        return coh >= 0.2
    if gap <= 15:
        return coh >= 0.3
    return False


def _split_at(lines: list[Line], segs: list[Segment], seg: Segment, title: int) -> Segment:
    """Cut a segment at its headline; return the part after it (which replaces it)."""
    start = next(ln.idx for ln in lines[title + 1 : seg.last + 1] if ln.kind == CONTENT)
    part = Segment(start, seg.last, 0.0, 0)
    for ln in lines[start : seg.last + 1]:
        if ln.kind != BOILER:
            part.words += ln.nw
            part.ncontent += ln.kind == CONTENT
    segs[segs.index(seg)] = part
    return part


def select(lines: list[Line]) -> Selection:
    segs = build_segments(lines)
    title, anchor, confidence = choose(lines, segs)
    if anchor is None:
        return Selection(title=None, segments=[], confidence=0.0)
    if title is not None and anchor.first <= title < anchor.last:
        anchor = _split_at(lines, segs, anchor, title)
    chosen = merge(lines, segs, anchor, title)
    return Selection(title=title, segments=chosen, confidence=confidence)
