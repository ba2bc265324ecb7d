"""Main-article selection: dense segments, title anchoring and coherent merging."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .features import BOILER, CONTENT, MEDIUM, SHORT, Line
from .patterns import BYLINE, DATE
from .tokens import content_tokens

# Section headers after which a page shows other stories or reader text.
TERMINAL = frozenset({"related", "comments", "author_bio", "other"})
# Title candidates closer than this many lines after such a header are teaser headlines.
HEADER_REACH = 30
DEBUG = False
# How many lines above a segment a title is looked for.
TITLE_REACH = 40


@dataclass
class Segment:
    first: int
    last: int
    words: float
    ncontent: int
    tokens: set[str] = field(default_factory=set)
    cohesion: float = 0.0
    teaser: float = 0.0


@dataclass
class Selection:
    title: int | None
    segments: list[Segment]
    confidence: float


def _gap_ok(pending: list[Line]) -> bool:
    """Whether non-content lines between two content lines stay inside one segment."""
    if len(pending) <= 3:
        return True
    if len(pending) <= 10:
        listy = sum(1 for ln in pending if ln.end_punct or ln.inner)
        return listy * 2 >= len(pending)
    return False


def build_segments(lines: list[Line]) -> list[Segment]:
    segs: list[Segment] = []
    cur: Segment | None = None
    pending: list[Line] = []
    for ln in lines:
        if ln.kind == CONTENT:
            if cur is not None and _gap_ok(pending):
                cur.last = ln.idx
                cur.words += ln.nw + sum(p.nw for p in pending)
                cur.ncontent += 1
            else:
                cur = Segment(ln.idx, ln.idx, ln.nw, 1)
                segs.append(cur)
            pending = []
        elif ln.kind == BOILER:
            cur = None
            pending = []
        else:
            pending.append(ln)
    for seg in segs:
        _describe(lines, seg)
    return segs


def _describe(lines: list[Line], seg: Segment) -> None:
    """Token set, internal cohesion and teaser-list shape of a segment."""
    counts: dict[str, int] = {}
    members = [ln for ln in lines[seg.first : seg.last + 1] if ln.kind != BOILER]
    for ln in members:
        if not ln.tokens:
            ln.tokens = list(content_tokens(ln.text))
        for t in ln.tokens:
            counts[t] = counts.get(t, 0) + 1
    seg.tokens = set(counts)
    # Cohesion: share of a paragraph's words that recur elsewhere in the segment.
    shares = []
    for ln in members:
        if ln.kind == CONTENT and len(ln.tokens) >= 5:
            shares.append(sum(1 for t in ln.tokens if counts[t] > 1) / len(ln.tokens))
    seg.cohesion = sum(shares) / len(shares) if shares else 0.0
    # Teaser list: headline, one-paragraph summary, headline, summary...
    heads = 0
    for a, b in zip(members, members[1:]):
        if a.kind != CONTENT and not a.end_punct and b.kind == CONTENT and a.nw >= 3:
            heads += 1
    seg.teaser = heads / seg.ncontent if seg.ncontent >= 3 and heads >= 3 else 0.0


def _tokens_after(lines: list[Line], idx: int, last: int) -> set[str]:
    out: set[str] = set()
    for ln in lines[idx + 1 : last + 1]:
        if ln.kind != BOILER:
            out.update(ln.tokens)
    return out


def _headline_like(ln: Line) -> bool:
    """A short line that reads as a headline rather than a lead sentence."""
    if ln.nw > 16:
        return False
    if not ln.sent_end:
        return True
    words = [w for w in ln.text.split() if w[:1].isalpha()]
    upper = sum(1 for w in words if w[0].isupper())
    return len(words) >= 3 and upper >= 0.6 * len(words)


def _title_shape(ln: Line) -> float:
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
    return score


def _headers_before(lines: list[Line], segs: list[Segment]) -> list[int]:
    """For each line, the last terminal section header at or before it, or -1.

    Only headers below a substantial text segment count: menus at the top of a page
    also name "Comments" or "Related" without opening such a section.
    """
    strong = [seg.last for seg in segs if seg.words >= 50]
    first_strong = min(strong) if strong else len(lines)
    out = []
    last = -1
    for ln in lines:
        if ln.pat in TERMINAL and ln.opens and ln.idx > first_strong:
            last = ln.idx
        out.append(last)
    return out


def choose(lines: list[Line], segs: list[Segment]) -> tuple[int | None, Segment | None, float]:
    """Pick the (title, anchor segment) pair with the best joint score."""
    if not segs:
        return None, None, 0.0
    key_count: dict[int, int] = {}
    for ln in lines:
        key_count[ln.key] = key_count.get(ln.key, 0) + 1
    headers = _headers_before(lines, segs)
    shapes: dict[int, float] = {}
    # meta_after[i]: the first date/byline line within 3 lines after line i, else 0.
    meta_after = [0] * len(lines)
    for ln in lines:
        if ln.nw <= 12 and (DATE.search(ln.text) or BYLINE.search(ln.text)):
            for j in range(max(0, ln.idx - 3), ln.idx):
                if not meta_after[j]:
                    meta_after[j] = ln.idx
    # prefix[i]: non-boilerplate lines before line i.
    prefix = [0]
    for ln in lines:
        prefix.append(prefix[-1] + (ln.kind != BOILER))
    best: tuple[float, int | None, Segment | None] = (-1e9, None, None)
    seg_best: list[float] = []
    for seg in segs:
        base = math.log2(1.0 + seg.words)
        # No title at all.
        top = (base - 2.0 - 4.0 * seg.teaser, None)
        lo = max(0, seg.first - TITLE_REACH)
        # A headline may also sit among the first lines of a segment, after junk.
        hi = seg.first
        for ln in lines[seg.first : min(seg.last, seg.first + 6)]:
            if ln.kind == CONTENT and ln.idx > seg.first:
                hi = ln.idx
        for ln in lines[lo:hi]:
            if ln.kind == CONTENT and (ln.idx < seg.first or not _headline_like(ln)):
                continue
            shape = shapes.get(ln.idx)
            if shape is None:
                shape = _title_shape(ln)
                shapes[ln.idx] = shape
            if shape <= -9.0:
                continue
            if not ln.tokens:
                ln.tokens = list(content_tokens(ln.text))
            toks = ln.tokens
            if ln.idx >= seg.first:
                after = _tokens_after(lines, ln.idx, seg.last)
                overlap = sum(1 for t in toks if t in after) / len(toks) if toks else 0.0
            else:
                overlap = sum(1 for t in toks if t in seg.tokens) / len(toks) if toks else 0.0
            reps = key_count[ln.key]
            rep = 0.8 if reps == 2 else (1.2 if reps >= 3 else 0.0)
            if ln.idx >= seg.first:
                # Inside the segment: only what follows the headline is the article.
                dist = 0
                dist_pen = 0.3
            else:
                dist = prefix[seg.first] - prefix[ln.idx + 1]
                dist_pen = min(3.0, 0.12 * dist + 0.04 * (seg.first - ln.idx - 1 - dist))
            hdr = headers[ln.idx]
            teaser = 2.5 if hdr >= 0 and ln.idx - hdr <= HEADER_REACH else 0.0
            meta = 0.7 if meta_after[ln.idx] and meta_after[ln.idx] < seg.first else 0.0
            score = (
                base + 3.0 * overlap + rep + shape + meta - dist_pen - teaser - 4.0 * seg.teaser
            )
            if DEBUG:
                print(f"  seg {seg.first}-{seg.last} w{seg.words:.0f} t{ln.idx} {score:.2f} "
                      f"coh{seg.cohesion:.2f} tz{seg.teaser:.2f} base{base:.2f} ov{overlap:.2f} rep{rep} sh{shape} d{dist_pen:.2f} "
                      f"tz{teaser}")
            if score > top[0]:
                top = (score, ln.idx)
        seg_best.append(top[0])
        if top[0] > best[0]:
            best = (top[0], top[1], seg)
    score, title, anchor = best
    others = [s for s, seg in zip(seg_best, segs) if seg is not anchor]
    margin = score - max(others) if others else 3.0
    confidence = 1.0 / (1.0 + math.exp(-(margin - 0.5)))
    return title, anchor, confidence


def _coherence(seg: Segment, vocab: set[str]) -> float:
    if not seg.tokens:
        return 0.0
    return sum(1 for t in seg.tokens if t in vocab) / len(seg.tokens)


def _gap_allows(lines: list[Line], a: int, b: int) -> tuple[bool, int]:
    """Whether lines strictly between a and b may separate two parts of one article.

    Returns (no terminal section header in the gap, gap length in lines).
    """
    gap = lines[a + 1 : b]
    for ln in gap:
        if ln.pat in TERMINAL or (ln.hint is not None and ln.hint in TERMINAL):
            return False, len(gap)
    return True, len(gap)


def merge(
    lines: list[Line], segs: list[Segment], anchor: Segment, title: int | None
) -> list[Segment]:
    """Grow the article from the anchor segment over coherent neighbours."""
    vocab = set(anchor.tokens)
    if title is not None:
        vocab.update(lines[title].tokens)
    chosen = [anchor]
    pos = segs.index(anchor)
    # Forward.
    last = anchor
    for seg in segs[pos + 1 :]:
        ok, gap = _gap_allows(lines, last.last, seg.first)
        if not _accept(seg, gap, vocab, ok):
            break
        chosen.append(seg)
        vocab.update(seg.tokens)
        last = seg
    # Backward, not above the title.
    first = anchor
    for seg in reversed(segs[:pos]):
        if title is not None and seg.first <= title:
            break
        ok, gap = _gap_allows(lines, seg.last, first.first)
        if not _accept(seg, gap, vocab, ok):
            break
        chosen.insert(0, seg)
        vocab.update(seg.tokens)
        first = seg
    return chosen


def _accept(seg: Segment, gap: int, vocab: set[str], open_gap: bool) -> bool:
    coh = _coherence(seg, vocab)
    if not open_gap:
        # A "related"/"comments" header between: only a short interruption of an article
        # that clearly goes on (several coherent paragraphs) is crossed.
        return gap <= 5 and seg.ncontent >= 3 and coh >= 0.35
    if gap <= 2:
        return coh >= 0.08 or seg.words >= 40
    if gap <= 6:
        return coh >= 0.2
    if gap <= 15:
        return coh >= 0.3
    return False


def _split_at(lines: list[Line], segs: list[Segment], seg: Segment, title: int) -> Segment:
    """Cut a segment at its headline; return the part after it (which replaces it)."""
    start = next(ln.idx for ln in lines[title + 1 : seg.last + 1] if ln.kind == CONTENT)
    part = Segment(start, seg.last, 0.0, 0, set(seg.tokens))
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


__all__ = ["Segment", "Selection", "build_segments", "select", "MEDIUM", "SHORT"]
