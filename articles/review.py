"""Editor review: corrections on top of a cleaning, approval into text revisions, the queue.

An editor's corrections live in a ``ReviewDraft`` (per-line labels and cuts, title, byline) applied
on top of the article's current ``Cleaning``, which stays as the cleaner wrote it. Every
action bumps ``Article.edit_version`` and is audited as a ``ReviewEvent``; a change based on an
older version raises ``EditConflict`` instead of overwriting someone else's work.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from articles import learning, pipeline, search
from articles.cleaning import LABELS
from articles.models import (
    Article,
    Cleaning,
    ReviewDraft,
    ReviewEvent,
    TextRevision,
)
from articles.revisions import compose, revision_create

BODY = "body"
TITLE = "title"
# Undo walks back these, newest first; decisions (approve, reject) are not undone.
DRAFT_ACTIONS = (
    ReviewEvent.Action.LABEL,
    ReviewEvent.Action.CUT,
    ReviewEvent.Action.TITLE,
    ReviewEvent.Action.BYLINE,
)
# The draft's whole-article corrections, next to its per-line labels and cuts.
DRAFT_TEXTS = ("title", "byline")


class ReviewError(Exception):
    """The action cannot be done on this article as it is (the message says why)."""


class EditConflict(ReviewError):
    """The change was based on an older version of the article than the stored one."""


class NeedsConfirmation(ReviewError):
    """The action would throw away the editor's work: it runs only when confirmed."""


# ---------------------------------------------------------------- the corrected cleaning


@dataclass(slots=True)
class ReviewLine:
    index: int
    start: int
    end: int
    text: str
    label: str
    cleaner_label: str
    # Absolute [start, end] spans cut out of the line, sorted and disjoint.
    cuts: tuple[tuple[int, int], ...]
    edited: bool

    @property
    def number(self) -> str:
        # A string: the template would localise an int, which costs time on long pages.
        return str(self.index + 1)

    @property
    def is_body(self) -> bool:
        return self.label == BODY

    @property
    def pieces(self) -> list[tuple[str, bool]]:
        """The line's text as (text, is cut) pieces, for display."""
        out, position = [], self.start
        for cut_start, cut_end in self.cuts:
            if cut_start > position:
                out.append((self.text[position - self.start : cut_start - self.start], False))
            out.append((self.text[cut_start - self.start : cut_end - self.start], True))
            position = cut_end
        if position < self.end:
            out.append((self.text[position - self.start :], False))
        return out

    @property
    def kept(self) -> list[str]:
        """What of a body line goes into the article: the pieces between cuts."""
        return [text.strip() for text, cut in self.pieces if not cut and text.strip()]


@dataclass
class Review:
    """An article's cleaning with the editor's corrections applied."""

    article: Article
    cleaning: Cleaning | None
    draft: ReviewDraft | None
    lines: list[ReviewLine] = field(default_factory=list)
    title: str = ""
    byline: str = ""

    @property
    def blocks(self) -> list[str]:
        """One paragraph per body line: a fragment cut out of a line (an ad inside a sentence)
        leaves the line's two sides one paragraph, so a span can still cross where it was."""
        return [text for line in self.lines if line.is_body and (text := " ".join(line.kept))]

    @property
    def is_edited(self) -> bool:
        draft = self.draft
        return bool(
            draft
            and (draft.labels or draft.cuts or draft.title is not None or draft.byline is not None)
        )

    def composed_text(self) -> str:
        return compose(self.title, self.blocks)[0]


def review_load(article: Article) -> Review:
    """The corrected cleaning of ``article`` (its current cleaning and still-valid draft)."""
    cleaning = article.current_cleaning
    if cleaning is None:
        return Review(article=article, cleaning=None, draft=None)
    draft = ReviewDraft.objects.filter(article=article, cleaning=cleaning).first()
    return _build(article, cleaning, draft)


def _build(article: Article, cleaning: Cleaning, draft: ReviewDraft | None) -> Review:
    text = article.text
    lines = [_line(text, index, raw, draft) for index, raw in enumerate(cleaning.lines)]
    return Review(
        article=article,
        cleaning=cleaning,
        draft=draft,
        lines=lines,
        title=_title(cleaning, draft, lines),
        byline=_byline(cleaning, draft),
    )


def _line(text: str, index: int, raw: list[Any], draft: ReviewDraft | None) -> ReviewLine:
    start, end, cleaner_label, cleaner_cuts = raw
    key = str(index)
    labels = draft.labels if draft else {}
    cut_overrides = draft.cuts if draft else {}
    return ReviewLine(
        index=index,
        start=start,
        end=end,
        text=text[start:end],
        label=labels.get(key, cleaner_label),
        cleaner_label=cleaner_label,
        cuts=tuple((s, e) for s, e in cut_overrides.get(key, cleaner_cuts)),
        edited=key in labels or key in cut_overrides,
    )


def _rebuild(old: Review, draft: ReviewDraft, changed: Iterable[str]) -> Review:
    """``old`` with ``draft`` applied to the ``changed`` lines only: a toggle on a long page
    need not rebuild every line."""
    assert old.cleaning is not None
    lines = list(old.lines)
    for key in changed:
        index = int(key)
        lines[index] = _line(old.article.text, index, old.cleaning.lines[index], draft)
    return Review(
        article=old.article,
        cleaning=old.cleaning,
        draft=draft,
        lines=lines,
        title=_title(old.cleaning, draft, lines),
        byline=_byline(old.cleaning, draft),
    )


def _title(cleaning: Cleaning, draft: ReviewDraft | None, lines: list[ReviewLine]) -> str:
    if draft is not None and draft.title is not None:
        return draft.title
    title_lines = [line for line in lines if line.label == TITLE]
    # The cleaner's title stands while its line is still labelled title.
    if cleaning.title_span and any(
        line.start <= cleaning.title_span[0] < line.end for line in title_lines
    ):
        return cleaning.title
    return " ".join(title_lines[0].kept) if title_lines else ""


def _byline(cleaning: Cleaning, draft: ReviewDraft | None) -> str:
    return draft.byline if draft is not None and draft.byline is not None else cleaning.byline


# ---------------------------------------------------------------- editing


def _lock(article: Article, expected_version: int) -> Article:
    """Lock the article row and check the change is based on its current version."""
    locked = (
        Article.objects.select_for_update(of=("self",))
        .select_related("current_cleaning", "current_revision", "source")
        .defer("raw_bytes")
        .get(pk=article.pk)
    )
    if locked.edit_version != expected_version:
        raise EditConflict(
            "Someone else changed this article while you were looking at it "
            f"(you had version {expected_version}, it is now at version "
            f"{locked.edit_version}). Your change was not saved: reload to see theirs."
        )
    return locked


def _bump(article: Article, *fields: str) -> None:
    article.edit_version += 1
    article.save(update_fields=["edit_version", "updated_at", *fields])


def _draft_for(article: Article) -> ReviewDraft:
    cleaning = article.current_cleaning
    if cleaning is None or article.state != Article.State.CLEANED:
        raise ReviewError("This article has no finished cleaning to correct yet.")
    draft, _ = ReviewDraft.objects.select_for_update().get_or_create(
        article=article, defaults={"cleaning": cleaning}
    )
    if draft.cleaning_id != cleaning.pk:
        # Corrections of an earlier cleaning do not apply to a new one.
        draft.cleaning, draft.labels, draft.cuts = cleaning, {}, {}
        draft.title = draft.byline = None
    return draft


def _apply(draft: ReviewDraft, patch: dict[str, Any]) -> None:
    """Apply a draft patch: {"labels": {i: label|None}, "cuts": {i: spans|None}, "title"?,
    "byline"?}."""
    for name in ("labels", "cuts"):
        values = getattr(draft, name)
        for key, value in patch.get(name, {}).items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = value
    for name in DRAFT_TEXTS:
        if name in patch:
            setattr(draft, name, patch[name])


def _edit(
    *,
    article: Article,
    user: AbstractBaseUser,
    expected_version: int,
    action: str,
    make_patch: Any,
) -> Review:
    """Run one draft edit: lock, build the patch from the current review, apply, audit."""
    with transaction.atomic():
        locked = _lock(article, expected_version)
        draft = _draft_for(locked)
        review = _build(locked, locked.current_cleaning, draft)
        after = make_patch(review)
        before = {
            name: {key: getattr(draft, name).get(key) for key in after[name]}
            for name in ("labels", "cuts")
            if name in after
        }
        before.update({name: getattr(draft, name) for name in DRAFT_TEXTS if name in after})
        _apply(draft, after)
        draft.save()
        _bump(locked)
        ReviewEvent.objects.create(
            article=locked,
            user=user,
            action=action,
            before=before,
            after=after,
            cleaning=locked.current_cleaning,
        )
        changed = {*after.get("labels", {}), *after.get("cuts", {})}
        new_review = _rebuild(review, draft, changed)
        _record_label_changes(locked, review, new_review)
    return new_review


def _record_label_changes(article: Article, old: Review, new: Review) -> None:
    # Every label an editor changes teaches the cleaner about this source.
    for before, after in zip(old.lines, new.lines, strict=True):
        if before.label != after.label:
            learning.record_correction(article=article, line=after.text, label=after.label)


def _label_patch(review: Review, indexes: Iterable[int], label: str) -> dict[str, Any]:
    labels = {}
    for index in indexes:
        line = review.lines[index]
        labels[str(index)] = None if label == line.cleaner_label else label
    return {"labels": labels}


def _check_indexes(review: Review, indexes: Sequence[int]) -> list[int]:
    if not indexes:
        raise ReviewError("Choose at least one line.")
    if any(not 0 <= index < len(review.lines) for index in indexes):
        raise ReviewError(f"There are lines 1 to {len(review.lines)} only.")
    return sorted(set(indexes))


def lines_toggle(
    *,
    article: Article,
    user: AbstractBaseUser,
    expected_version: int,
    indexes: Sequence[int],
    body: bool | None = None,
) -> Review:
    """Make lines body (``body=True``) or boilerplate (``False``).

    With ``body=None`` the lines toggle, and the first one decides the direction.
    """

    def patch(review: Review) -> dict[str, Any]:
        chosen = _check_indexes(review, indexes)
        make_body = not review.lines[chosen[0]].is_body if body is None else body
        if not make_body:
            labels: dict[str, str | None] = {}
            for index in chosen:
                line = review.lines[index]
                # Back to what the cleaner called it, unless the cleaner called it body.
                boiler = line.cleaner_label if line.cleaner_label != BODY else "other"
                labels[str(index)] = None if boiler == line.cleaner_label else boiler
            return {"labels": labels}
        return _label_patch(review, chosen, BODY)

    return _edit(
        article=article,
        user=user,
        expected_version=expected_version,
        action=ReviewEvent.Action.LABEL,
        make_patch=patch,
    )


def lines_relabel(
    *,
    article: Article,
    user: AbstractBaseUser,
    expected_version: int,
    indexes: Sequence[int],
    label: str,
) -> Review:
    if label not in LABELS:
        raise ReviewError(f"Unknown label {label!r}.")
    return _edit(
        article=article,
        user=user,
        expected_version=expected_version,
        action=ReviewEvent.Action.LABEL,
        make_patch=lambda review: _label_patch(review, _check_indexes(review, indexes), label),
    )


def line_cut(
    *, article: Article, user: AbstractBaseUser, expected_version: int, index: int, fragment: str
) -> Review:
    """Cut the first occurrence of ``fragment`` (not already cut) out of line ``index``."""

    def patch(review: Review) -> dict[str, Any]:
        line = review.lines[_check_indexes(review, [index])[0]]
        wanted = fragment.strip()
        if not wanted:
            raise ReviewError("Say which text to cut.")
        position = line.text.find(wanted)
        while position != -1 and any(s <= line.start + position < e for s, e in line.cuts):
            position = line.text.find(wanted, position + 1)
        if position == -1:
            raise ReviewError(f"Line {index + 1} does not contain that text (outside cuts).")
        start = line.start + position
        cuts = _merge([*line.cuts, (start, start + len(wanted))])
        return {"cuts": {str(index): [list(span) for span in cuts]}}

    return _edit(
        article=article,
        user=user,
        expected_version=expected_version,
        action=ReviewEvent.Action.CUT,
        make_patch=patch,
    )


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def title_edit(
    *, article: Article, user: AbstractBaseUser, expected_version: int, title: str
) -> Review:
    if not title.strip():
        raise ReviewError("The title cannot be empty.")
    return _text_edit(
        article=article,
        user=user,
        expected_version=expected_version,
        name=TITLE,
        value=title,
        cleaner_value=lambda review: _title(review.cleaning, None, review.lines),  # type: ignore[arg-type]
    )


def byline_edit(
    *, article: Article, user: AbstractBaseUser, expected_version: int, byline: str
) -> Review:
    """Correct the byline; an empty one says the article has none."""
    return _text_edit(
        article=article,
        user=user,
        expected_version=expected_version,
        name="byline",
        value=byline,
        cleaner_value=lambda review: review.cleaning.byline if review.cleaning else "",
    )


def _text_edit(
    *,
    article: Article,
    user: AbstractBaseUser,
    expected_version: int,
    name: str,
    value: str,
    cleaner_value: Callable[[Review], str],
) -> Review:
    """Set the draft's ``name`` (title or byline); back to the cleaner's it is no correction."""
    wanted = " ".join(value.split())
    return _edit(
        article=article,
        user=user,
        expected_version=expected_version,
        action=ReviewEvent.Action(name),
        make_patch=lambda review: {name: None if wanted == cleaner_value(review) else wanted},
    )


def review_undo(*, article: Article, user: AbstractBaseUser, expected_version: int) -> Review:
    """Revert the latest not yet undone correction of the current cleaning."""
    with transaction.atomic():
        locked = _lock(article, expected_version)
        draft = _draft_for(locked)
        last = (
            ReviewEvent.objects.select_for_update()
            .filter(
                article=locked,
                cleaning=locked.current_cleaning,
                action__in=DRAFT_ACTIONS,
                undone=False,
            )
            .order_by("-id")
            .first()
        )
        if last is None:
            raise ReviewError("There is no change to undo.")
        old = _build(locked, locked.current_cleaning, draft)
        _apply(draft, last.before)
        draft.save()
        last.undone = True
        last.save(update_fields=["undone"])
        _bump(locked)
        ReviewEvent.objects.create(
            article=locked,
            user=user,
            action=ReviewEvent.Action.UNDO,
            before={**last.after, "event": last.pk},
            after=last.before,
            cleaning=locked.current_cleaning,
        )
        new = _build(locked, locked.current_cleaning, draft)
        _record_label_changes(locked, old, new)
    return new


# ---------------------------------------------------------------- decisions


def article_approve(
    *, article: Article, user: AbstractBaseUser, expected_version: int
) -> TextRevision:
    """Approve the corrected cleaning as a new immutable, NFC-normalised text revision.

    The first approval makes the revision current at once. Later ones (an approved article
    edited again) go through ``revision_propose``: when annotations point into the current
    revision, the new one waits until the annotations app has re-anchored them and calls
    ``revision_activate``; that re-anchoring is added on top of this function by the
    annotations app, and needs nothing more than the two revisions' texts and blocks.
    An approval that changes no text re-approves the current revision instead of copying it;
    approving again what is approved already (a key pressed twice) changes nothing.
    """
    with transaction.atomic():
        locked = _lock(article, expected_version)
        draft = _draft_for(locked)
        review = _build(locked, locked.current_cleaning, draft)
        if not review.title.strip():
            raise ReviewError("Give the article a title before approving it.")
        if not review.blocks:
            raise ReviewError("No line is marked as body: there is no article to approve.")
        before = _decision_state(locked)
        current = locked.current_revision
        text = review.composed_text()
        latest = pending_revision(locked) or current
        if (
            locked.review_status == Article.Review.APPROVED
            and latest is not None
            and latest.text == text
            and locked.byline == review.byline
        ):
            return latest
        if current is not None and current.text == text:
            revision, live = current, True
        else:
            revision = revision_create(
                article=locked,
                title=review.title,
                blocks=review.blocks,
                created_by=user,
                cleaning=locked.current_cleaning,
            )
            live = revision_propose(article=locked, revision=revision, user=user)
        locked.review_status = Article.Review.APPROVED
        locked.reject_reason, locked.reject_note = "", ""
        if live:
            locked.title = revision.title
        # At once, live or not: no annotation depends on it.
        locked.byline = review.byline
        _bump(locked, "review_status", "reject_reason", "reject_note", "title", "byline")
        ReviewEvent.objects.create(
            article=locked,
            user=user,
            action=ReviewEvent.Action.APPROVE,
            before=before,
            after={
                **_decision_state(locked),
                "revision": revision.number,
                "live": live,
                "byline": locked.byline,
            },
        )
    return revision


def revision_propose(*, article: Article, revision: TextRevision, user: AbstractBaseUser) -> bool:
    """Make ``revision`` current unless other apps' rows point into the current revision.

    Returns whether it went live. The gate is generic (any model outside this app with a
    relation to TextRevision, i.e. annotations), so the annotations app can re-anchor and then
    call ``revision_activate`` without this app knowing its models.
    """
    current = article.current_revision
    if current is None or not _revision_in_use(current):
        revision_activate(article=article, revision=revision)
        return True
    return False


def revision_activate(*, article: Article, revision: TextRevision) -> None:
    if revision.article_id != article.pk:
        raise ReviewError("That revision belongs to another article.")
    article.current_revision = revision
    article.title = revision.title
    article.save(update_fields=["current_revision", "title", "updated_at"])
    # Found by what it now says (its text holds the title too, as block 0).
    Article.objects.filter(pk=article.pk).update(
        search_vector=search.vector(revision.title, revision.text)
    )


def _revision_in_use(revision: TextRevision) -> bool:
    """Whether rows of another app hold on to ``revision``: relations that refuse its deletion
    (annotations anchored to its text). Hidden relations (``related_name="+"``) included."""
    for relation in TextRevision._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.one_to_many):
            continue
        model = relation.related_model
        if model._meta.app_label == Article._meta.app_label:
            continue
        if relation.on_delete not in (models.RESTRICT, models.PROTECT):
            continue
        if model._base_manager.filter(**{relation.field.name: revision}).exists():
            return True
    return False


def pending_revision(article: Article) -> TextRevision | None:
    """A revision newer than the current one that waits for re-anchoring, if any."""
    current = article.current_revision
    if current is None:
        return None
    return article.revisions.filter(number__gt=current.number).order_by("-number").first()


def article_reject(
    *, article: Article, user: AbstractBaseUser, expected_version: int, reason: str, note: str = ""
) -> None:
    if reason not in Article.RejectReason.values:
        raise ReviewError(f"Unknown reason {reason!r}.")
    if reason == Article.RejectReason.OTHER and not note.strip():
        raise ReviewError("Say why when the reason is “other”.")
    with transaction.atomic():
        locked = _lock(article, expected_version)
        before = _decision_state(locked)
        locked.review_status = Article.Review.REJECTED
        locked.reject_reason, locked.reject_note = reason, note.strip()
        _bump(locked, "review_status", "reject_reason", "reject_note")
        ReviewEvent.objects.create(
            article=locked,
            user=user,
            action=ReviewEvent.Action.REJECT,
            before=before,
            after=_decision_state(locked),
        )


def reclean_warning(article: Article, draft: ReviewDraft | None) -> str:
    """What cleaning ``article`` again throws away ("" for nothing): the corrections in
    ``draft``, the draft of its current cleaning, apply to that cleaning's lines only."""
    if draft is None or draft.cleaning_id != article.current_cleaning_id:
        return ""
    corrections = [
        *(["the title"] if draft.title is not None else []),
        *(["the byline"] if draft.byline is not None else []),
        *([_count(len(draft.labels), "line label")] if draft.labels else []),
        *([f"cuts in {_count(len(draft.cuts), 'line')}"] if draft.cuts else []),
    ]
    if not corrections:
        return ""
    warning = (
        "Cleaning again starts over from the raw text and does not carry over your "
        f"corrections ({', '.join(corrections)}): approving the new cleaning makes a text "
        "without them."
    )
    if revision := article.current_revision:
        warning += f" Annotators keep seeing revision {revision.number} until then."
    return warning


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def article_reclean(
    *, article: Article, user: AbstractBaseUser, expected_version: int, confirmed: bool = False
) -> None:
    """Queue a new cleaning; the draft of the old one stays in the history, not in the text.

    Raises ``NeedsConfirmation`` (with what would be lost) unless ``confirmed`` when the
    current cleaning has corrections.
    """
    from articles.tasks import queue_cleaning

    with transaction.atomic():
        locked = _lock(article, expected_version)
        if locked.state == Article.State.CLEANING:
            raise ReviewError("The article is being cleaned right now.")
        if not confirmed:
            draft = ReviewDraft.objects.filter(article=locked).first()
            if warning := reclean_warning(locked, draft):
                raise NeedsConfirmation(warning)
        queued = pipeline.requeue(Article.objects.filter(pk=locked.pk))
        locked.refresh_from_db(fields=["state", "updated_at"])
        _bump(locked)
        ReviewEvent.objects.create(
            article=locked,
            user=user,
            action=ReviewEvent.Action.RECLEAN,
            before={"cleaning": locked.current_cleaning_id},
            after={"state": locked.state},
        )
        transaction.on_commit(lambda: queue_cleaning(queued))


def _decision_state(article: Article) -> dict[str, Any]:
    return {
        "status": article.review_status,
        "reason": article.reject_reason,
        "note": article.reject_note,
    }


# ---------------------------------------------------------------- the queue


class QueueSort:
    NEWEST = "new"
    OLDEST = "old"
    LEAST_CONFIDENT = "conf"
    MOST_CONFIDENT = "-conf"
    CHOICES = (
        (NEWEST, "newest first"),
        (OLDEST, "oldest first"),
        (LEAST_CONFIDENT, "least confident first"),
        (MOST_CONFIDENT, "most confident first"),
    )


FAILED = "failed"
QUEUE_STATUSES = (
    (Article.Review.NEEDS_REVIEW, "needs review"),
    (Article.Review.APPROVED, "approved"),
    (Article.Review.REJECTED, "rejected"),
    (FAILED, "failed to clean"),
)


@dataclass(frozen=True)
class QueueFilters:
    status: str = Article.Review.NEEDS_REVIEW
    source: int | None = None
    batch: int | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None
    query: str = ""
    sort: str = QueueSort.NEWEST


class QueuePage(NamedTuple):
    articles: list[Article]
    next_after: str  # The next page's cursor; "" on the last page.
    previous_before: str  # The previous page's; "" on the first.


def queue_page(
    filters: QueueFilters, *, after: str = "", before: str = "", size: int = 50
) -> QueuePage:
    """One page of the review queue: the page after the cursor ``after``, or the one before
    ``before``, or the first.

    Keyset pagination on (sort key, id), so page 10,000 costs what page 1 does. A page before
    a cursor is read walking the order backwards from it; where less than a page is left
    there (articles approved since, say), the first page comes instead.
    """
    backward = bool(before) and not after
    cursor = before if backward else after
    articles = _queue_queryset(filters)
    if filters.sort in (QueueSort.LEAST_CONFIDENT, QueueSort.MOST_CONFIDENT):
        # (confidence, cleaning id) follows cleaning_confidence_idx; one current cleaning
        # per article keeps the key unique.
        descending = (filters.sort == QueueSort.MOST_CONFIDENT) != backward
        articles = articles.filter(current_cleaning__isnull=False)
        if cursor:
            confidence, cleaning_id = _split_cursor(cursor)
            op = "lt" if descending else "gt"
            # The first condition alone bounds the index scan; the second drops the few rows
            # of equal confidence already shown. (An OR alone would scan from the start.)
            articles = articles.filter(
                Q(**{f"current_cleaning__confidence__{op}e": confidence}),
                Q(**{f"current_cleaning__confidence__{op}": confidence})
                | Q(
                    current_cleaning__confidence=confidence,
                    **{f"current_cleaning_id__{op}": cleaning_id},
                ),
            )
        prefix = "-" if descending else ""
        ordering = [f"{prefix}current_cleaning__confidence", f"{prefix}current_cleaning_id"]
    else:
        descending = (filters.sort != QueueSort.OLDEST) != backward
        if cursor:
            articles = articles.filter(**{"pk__lt" if descending else "pk__gt": _id_cursor(cursor)})
        ordering = ["-pk" if descending else "pk"]
    rows = list(articles.order_by(*ordering)[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    if backward:
        if not more:
            return queue_page(filters, size=size)
        rows.reverse()
    return QueuePage(
        rows,
        next_after=_cursor(filters, rows[-1]) if rows and (more or backward) else "",
        previous_before=_cursor(filters, rows[0]) if rows and cursor else "",
    )


def _cursor(filters: QueueFilters, article: Article) -> str:
    """Where ``article`` stands in the queue's order ("" for nowhere), as a page cursor."""
    if filters.sort not in (QueueSort.LEAST_CONFIDENT, QueueSort.MOST_CONFIDENT):
        return str(article.pk)
    cleaning = article.current_cleaning
    return f"{cleaning.confidence!r}_{cleaning.pk}" if cleaning else ""


def queue_next(filters: QueueFilters, article: Article) -> int | None:
    """The id of the article after ``article`` in the queue ``filters`` make, wrapping around
    to the first; None when no other article is in it.

    ``article`` itself need not be in the queue any more (just approved, say): its place in the
    order is enough.
    """
    if after := _cursor(filters, article):
        following = queue_page(filters, after=after, size=1).articles
        if following:
            return following[0].pk
    first = queue_page(filters, size=2).articles
    return next((other.pk for other in first if other.pk != article.pk), None)


def _id_cursor(after: str) -> int:
    try:
        return int(after)
    except ValueError as error:  # A confidence sort's link used with another sort, say.
        raise ReviewError("That page link is broken.") from error


def _split_cursor(after: str) -> tuple[float, int]:
    try:
        confidence, cleaning_id = after.rsplit("_", 1)
        return float(confidence), int(cleaning_id)
    except ValueError as error:
        raise ReviewError("That page link is broken.") from error


def _queue_queryset(filters: QueueFilters) -> QuerySet[Article]:
    articles = Article.objects.select_related("source", "current_cleaning").only(
        "pk",
        "title",
        "original_name",
        "created_at",
        "state",
        "review_status",
        "reject_reason",
        "edit_version",
        "source__name",
        "current_cleaning__confidence",
        "batch_id",
    )
    if filters.status == FAILED:
        articles = articles.filter(state=Article.State.FAILED)
    else:
        articles = articles.filter(review_status=filters.status)
    if filters.source:
        articles = articles.filter(source_id=filters.source)
    if filters.batch:
        articles = articles.filter(batch_id=filters.batch)
    # Day bounds as timestamps: a range on created_at itself, not a function of it.
    if filters.since:
        articles = articles.filter(created_at__gte=_day_start(filters.since))
    if filters.until:
        articles = articles.filter(
            created_at__lt=_day_start(filters.until + datetime.timedelta(days=1))
        )
    if filters.min_confidence is not None:
        articles = articles.filter(current_cleaning__confidence__gte=filters.min_confidence)
    if filters.max_confidence is not None:
        articles = articles.filter(current_cleaning__confidence__lte=filters.max_confidence)
    if filters.query:
        articles = articles.filter(search_vector=search.matching(filters.query))
    return articles


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def bulk_approve(
    *, user: AbstractBaseUser, versions: dict[int, int]
) -> tuple[list[int], dict[int, str]]:
    """Approve each article at its expected version: (approved ids, {id: why not})."""
    done, failed = [], {}
    for article in Article.objects.filter(pk__in=versions).order_by("pk"):
        try:
            article_approve(article=article, user=user, expected_version=versions[article.pk])
        except ReviewError as error:
            failed[article.pk] = str(error)
        else:
            done.append(article.pk)
    return done, failed


def bulk_reclean(
    *, user: AbstractBaseUser, versions: dict[int, int]
) -> tuple[list[int], dict[int, str]]:
    done, failed = [], {}
    for article in Article.objects.filter(pk__in=versions).order_by("pk"):
        try:
            article_reclean(article=article, user=user, expected_version=versions[article.pk])
        except NeedsConfirmation as error:
            failed[article.pk] = f"{error} Clean it again from its review page to confirm."
        except ReviewError as error:
            failed[article.pk] = str(error)
        else:
            done.append(article.pk)
    return done, failed
