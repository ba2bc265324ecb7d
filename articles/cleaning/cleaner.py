"""The cleaner: page text in, labelled lines and article body spans out."""

from __future__ import annotations

from .features import BOILER, CONTENT, Line, assign_kinds, make_lines
from .fragments import cut_fragments
from .patterns import BYLINE, CAPTION, DATE
from .result import CLEANER_VERSION, EMPTY_RESULT, LABELS, CleanResult, LineLabel, Span
from .select import select
from .stats import CorpusStats

_LABELS = frozenset(LABELS)


def clean(text: str, stats: CorpusStats | None = None) -> CleanResult:
    """Find the article in page text: title, byline, body blocks and a label per line."""
    if not text or not text.strip():
        return EMPTY_RESULT
    lines = make_lines(text)
    assign_kinds(lines, stats)
    sel = select(lines)
    title = sel.title
    body = _body_lines(lines, sel)
    title_key = lines[title].key if title is not None else None

    labels: list[str] = [""] * len(lines)
    for i in body:
        labels[i] = "body"
    # The headline: every copy is a title line, never body.
    if title_key is not None:
        for ln in lines:
            if ln.key == title_key:
                labels[ln.idx] = "title"
    _apply_hints(lines, labels)
    _dedupe_body(lines, labels)
    body_first = next((i for i, lab in enumerate(labels) if lab == "body"), None)
    byline = _find_byline(lines, labels, title, body_first)
    _label_rest(lines, labels, title, body_first, byline)

    blocks: list[Span] = []
    out: list[LineLabel] = []
    for ln, label in zip(lines, labels):
        cut: tuple[Span, ...] = ()
        if label == "body":
            kept, cuts = cut_fragments(text, ln.s, ln.e)
            if not kept:
                label = "advertisement"
            else:
                blocks.extend(kept)
            cut = tuple(cuts)
        out.append(LineLabel(ln.start, ln.end, label, 0.0, cut))

    title_span = None
    title_text = ""
    if title is not None:
        t = lines[title]
        title_span = Span(t.s, t.e)
        title_text = t.text
    byline_span = None
    byline_text = ""
    if byline is not None:
        b = lines[byline]
        byline_span = Span(b.s, b.e)
        byline_text = b.text
    return CleanResult(
        title=title_text,
        title_span=title_span,
        byline=byline_text,
        byline_span=byline_span,
        blocks=tuple(blocks),
        lines=tuple(out),
        confidence=round(sel.confidence, 4) if blocks else 0.0,
        version=CLEANER_VERSION,
    )


def _body_lines(lines: list[Line], sel) -> list[int]:
    """Indices of body lines: segment lines minus boilerplate, plus subheads at the seams."""
    out: list[int] = []
    segs = sel.segments
    for n, seg in enumerate(segs):
        if n:
            # Short heading-like lines right above a merged segment are subheadings.
            prev_last = segs[n - 1].last
            lead = []
            for ln in reversed(lines[prev_last + 1 : seg.first]):
                if ln.kind == BOILER or ln.nw > 14 or len(lead) >= 2:
                    break
                lead.append(ln.idx)
            out.extend(reversed(lead))
        for ln in lines[seg.first : seg.last + 1]:
            if ln.kind != BOILER:
                out.append(ln.idx)
    if segs:
        last = segs[-1].last
        for ln in lines[last + 1 : last + 3]:
            if ln.kind == BOILER or not ln.sent_end or ln.nw < 3 or DATE.search(ln.text):
                break
            out.append(ln.idx)
    return out


def _apply_hints(lines: list[Line], labels: list[str]) -> None:
    for ln in lines:
        hint = ln.hint
        if hint and hint in _LABELS:
            labels[ln.idx] = hint


def _dedupe_body(lines: list[Line], labels: list[str]) -> None:
    seen: set[int] = set()
    for ln in lines:
        if labels[ln.idx] != "body":
            continue
        if ln.key in seen and ln.nw >= 3:
            labels[ln.idx] = "other"
        seen.add(ln.key)


def _find_byline(
    lines: list[Line], labels: list[str], title: int | None, body_first: int | None
) -> int | None:
    if body_first is None:
        return None
    lo = title + 1 if title is not None else max(0, body_first - 6)
    dated = None
    for ln in lines[lo:body_first]:
        if labels[ln.idx] or ln.nw > 16:
            continue
        if BYLINE.search(ln.text):
            return ln.idx
        if dated is None and DATE.search(ln.text) and ln.nw <= 12:
            dated = ln.idx
    return dated


def _label_rest(
    lines: list[Line],
    labels: list[str],
    title: int | None,
    body_first: int | None,
    byline: int | None,
) -> None:
    section: str | None = None
    seen_body = False
    for ln in lines:
        i = ln.idx
        if labels[i] == "body":
            seen_body = True
            section = None
            continue
        if ln.pat is not None:
            if ln.opens:
                section = ln.pat
            if not labels[i]:
                labels[i] = ln.pat
            continue
        if labels[i]:
            continue
        if i == byline:
            labels[i] = "other"
        elif section is not None:
            labels[i] = section
        elif CAPTION.search(ln.text):
            labels[i] = "caption"
        elif not seen_body and (title is None or i < title):
            labels[i] = "navigation"
        elif ln.kind == CONTENT and ln.nw >= 20:
            labels[i] = "related" if seen_body else "other"
        else:
            labels[i] = "navigation" if ln.nw <= 6 else "other"
