"""The cleaner: page text in, labelled lines and article body spans out."""

from __future__ import annotations

import re

from .features import BOILER, CONTENT, MEDIUM, SHORT, Line, assign_kinds, make_lines
from .fragments import cut_fragments
from .patterns import BYLINE, DATE
from .result import CLEANER_VERSION, EMPTY_RESULT, LABELS, CleanResult, LineLabel, Span
from .select import Selection, select
from .stats import CorpusStats

_LABELS = frozenset(LABELS)
# The longest list kept after a line ending in a colon.
MAX_LIST = 80


def clean(text: str, stats: CorpusStats | None = None) -> CleanResult:
    """Find the article in page text: title, byline, body blocks and a label per line."""
    if not text or not text.strip():
        return EMPTY_RESULT
    lines = make_lines(text)
    assign_kinds(lines, text, stats)
    sel = select(lines)
    title = sel.title
    body = _body_lines(lines, sel)
    title_line = lines[title] if title is not None else None

    labels: list[str] = [""] * len(lines)
    for i in body:
        labels[i] = "body"
    # The headline: every copy is a title line, never body.
    if title_line is not None:
        size = len(title_line.text)
        for ln in lines:
            # Same length give or take spacing, then the same normalised text.
            if abs(len(ln.text) - size) <= 3 and ln.norm == title_line.norm:
                labels[ln.idx] = "title"
    _trim_reader_comments(lines, labels)
    if stats is not None and stats.hints:
        _apply_hints(lines, labels)  # lines have hints only from stats.hints
    _dedupe_body(lines, labels)
    body_first = next((i for i, lab in enumerate(labels) if lab == "body"), None)
    byline = _find_byline(lines, labels, title, body_first)
    if byline is not None:
        _author_bio_tail(lines, labels, lines[byline].text)
    _label_rest(lines, labels, title, byline)

    confidence = round(sel.confidence, 4)
    blocks: list[Span] = []
    out: list[LineLabel] = []
    append = out.append
    new = object.__new__
    set_state = object.__setattr__
    for ln, label in zip(lines, labels, strict=True):
        cut: tuple[Span, ...] = ()
        if label == "body":
            if ln.fragment:
                kept, cuts = cut_fragments(text, ln.s, ln.e)
                cut = tuple(cuts)
            else:
                kept = [Span(ln.s, ln.e)]
            if not kept:
                label = "advertisement"
            else:
                blocks.extend(kept)
        # _line_score, inlined.
        if ln.hint is not None or (ln.pat is not None and label == ln.pat):
            score = 1.0
        elif label != "body" and ln.df_boiler >= 0.5:
            score = round(ln.df_boiler, 4)
        else:
            score = confidence
        # LineLabel(ln.start, ln.end, label, score, cut) without the frozen dataclass's
        # per-field object.__setattr__ calls: the same instance state, built in one step.
        item = new(LineLabel)
        set_state(
            item,
            "__dict__",
            {"start": ln.start, "end": ln.end, "label": label, "score": score, "cut": cut},
        )
        append(item)

    if not blocks:
        confidence = 0.0
    elif title is None:
        # Without a title the article cannot be approved: low, so the queue shows it early.
        confidence = round(confidence / 2, 4)
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
        confidence=confidence,
        version=CLEANER_VERSION,
    )


def _line_score(ln: Line, label: str, confidence: float) -> float:
    """How sure the label is: known phrases and editor hints are sure, corpus evidence as
    strong as it is, everything else as sure as the article selection."""
    if ln.hint is not None or (ln.pat is not None and label == ln.pat):
        return 1.0
    if label != "body" and ln.df_boiler >= 0.5:
        return round(ln.df_boiler, 4)
    return confidence


def _body_lines(lines: list[Line], sel: Selection) -> list[int]:
    """Indices of body lines: segment lines minus boilerplate, plus subheads at the seams."""
    out: list[int] = []
    segs = sel.segments
    for n, seg in enumerate(segs):
        if n:
            # Short heading-like lines right above a merged segment are subheadings.
            gap = lines[segs[n - 1].last + 1 : seg.first]
            lead = []
            for ln in reversed(gap):
                if ln.kind == BOILER or ln.nw > 14 or ln.nw < 2 or len(lead) >= 2:
                    break
                lead.append(ln.idx)
            if seg.list_before:
                out.extend(ln.idx for ln in gap if ln.kind != BOILER)
            # Not when a boilerplate section (an ad block, say) opened above them.
            elif lead and not any(ln.opens for ln in gap):
                out.extend(reversed(lead))
        for ln in lines[seg.first : seg.last + 1]:
            if ln.kind != BOILER:
                out.append(ln.idx)
    if segs:
        last = segs[-1].last
        if lines[last].text.endswith((":", "：")) or (
            last + 1 < len(lines) and lines[last + 1].text.endswith((":", "："))
        ):
            # A list announced at the end of the article runs until boilerplate.
            for ln in lines[last + 1 : last + 1 + MAX_LIST]:
                if ln.kind not in (MEDIUM, SHORT):
                    break
                out.append(ln.idx)
            return out
        for ln in lines[last + 1 : last + 3]:
            if ln.kind == BOILER or not ln.sent_end or ln.nw < 3 or DATE.search(ln.text):
                break
            out.append(ln.idx)
    return out


# Reader comments: an all-lower-case first word ("i hope ...") or a "name, town, country" line.
_LOWER_FIRST = re.compile(r"[a-zß-ÿ]+\b")
_SIGNATURE = re.compile(r"^[^,.!?]{2,40}(?:,[^,.!?]{2,40}){1,3}$")


def _trim_reader_comments(lines: list[Line], labels: list[str]) -> None:
    """Drop comment-like lines from the end of the body (they follow articles unmarked)."""
    body = [ln for ln in lines if labels[ln.idx] == "body"]
    for ln in body[1:][-8:][::-1]:
        if _LOWER_FIRST.match(ln.text) or (ln.nw <= 8 and _SIGNATURE.match(ln.text)):
            labels[ln.idx] = "comments"
        else:
            break


def _apply_hints(lines: list[Line], labels: list[str]) -> None:
    for ln in lines:
        hint = ln.hint
        if hint and hint in _LABELS:
            labels[ln.idx] = hint


def _dedupe_body(lines: list[Line], labels: list[str]) -> None:
    """A paragraph printed twice (a page template repeating the story) is body once."""
    seen: set[str] = set()
    for ln in lines:
        if labels[ln.idx] != "body":
            continue
        if ln.text in seen and ln.nw >= 3:
            labels[ln.idx] = "other"
        seen.add(ln.text)


_BYLINE_PREFIX = re.compile(r"^\W*(?:by|von|por|par|di|da|door|av|af|от)\s+", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|&|\band\b|\bund\b|\by\b|\bet\b|\be\b|\||/)\s*")


def _author_bio_tail(lines: list[Line], labels: list[str], byline: str) -> None:
    """The article's last lines that start with the byline's author name are a bio."""
    names = [n for n in _NAME_SPLIT.split(_BYLINE_PREFIX.sub("", byline)) if len(n.split()) >= 2]
    if not names:
        return
    starts = tuple(names)
    listed = tuple(n + "," for n in names)
    body = [ln for ln in lines if labels[ln.idx] == "body"]
    for ln in body[1:][-3:][::-1]:
        if ln.text.startswith(starts) and not ln.text.startswith(listed):
            labels[ln.idx] = "author_bio"
        else:
            break


def _find_byline(
    lines: list[Line], labels: list[str], title: int | None, body_first: int | None
) -> int | None:
    """The author line between headline and body, else a dateline there."""
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
    lines: list[Line], labels: list[str], title: int | None, byline: int | None
) -> None:
    """Labels of the lines that are neither body nor title."""
    section: str | None = None
    seen_body = False
    for ln in lines:
        i = ln.idx
        if labels[i] in ("body", "title"):
            seen_body = seen_body or labels[i] == "body"
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
        elif section is not None and not (
            section == "navigation" and ln.kind == CONTENT and ln.nw >= 20
        ):
            labels[i] = section
        elif ln.caption:
            labels[i] = "caption"
        elif not seen_body and (title is None or i < title):
            labels[i] = "navigation"
        elif not seen_body and ln.nw <= 12 and DATE.search(ln.text):
            labels[i] = "other"  # dateline under the headline
        elif ln.kind == CONTENT and ln.nw >= 20:
            labels[i] = "related" if seen_body else "other"
        else:
            labels[i] = "navigation" if ln.nw <= 6 else "other"
