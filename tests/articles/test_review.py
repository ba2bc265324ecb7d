"""Review services: corrections on a cleaning, undo, conflicts, approval, rejection, queue."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from articles import review, search
from articles.models import (
    Article,
    Cleaning,
    CleaningHint,
    ReviewDraft,
    ReviewEvent,
    TextRevision,
)
from tests.articles.factories import make_article

pytestmark = pytest.mark.django_db

# (line, label): a decomposed "é" in the title, CRLF line ends, an inline promo to cut.
LINES: Sequence[tuple[str, str]] = (
    ("Menu  Home  Sport", "navigation"),
    ("Cafe\u0301 owners win the harbour vote", "title"),
    ("By Ann Example", "other"),
    ("The first paragraph of the story is long enough to be body text.", "body"),
    ("Advertisement", "advertisement"),
    ("The second paragraph READ MORE: Win a cruise! goes on about the harbour.", "body"),
    ("Related stories", "related"),
    ("A third paragraph closes the story with a quote from the mayor.", "body"),
)


def reviewable(
    lines: Sequence[tuple[str, str]] = LINES, *, source: str = "test", name: str = "page.txt"
) -> Article:
    text = "\r\n".join(line for line, _ in lines) + "\r\n"
    article = make_article(text, source=source, name=name)
    spans, position = [], 0
    for line, label in lines:
        spans.append([position, position + len(line), label, []])
        position += len(line) + 2
    title = next((span for span in spans if span[2] == "title"), None)
    cleaning = Cleaning.objects.create(
        article=article,
        cleaner_version="test",
        title=text[title[0] : title[1]] if title else "",
        title_span=title[:2] if title else None,
        lines=spans,
        blocks=[span[:2] for span in spans if span[2] == "body"],
        confidence=0.5,
    )
    Article.objects.filter(pk=article.pk).update(
        current_cleaning=cleaning, state=Article.State.CLEANED, title=cleaning.title
    )
    article.refresh_from_db()
    return article


def fresh(article: Article) -> Article:
    return Article.objects.select_related("current_cleaning", "current_revision").get(pk=article.pk)


def test_the_review_applies_no_corrections_at_first() -> None:
    article = reviewable()
    current = review.review_load(fresh(article))
    assert [line.label for line in current.lines] == [label for _, label in LINES]
    assert current.title == "Cafe\u0301 owners win the harbour vote"
    assert current.blocks == [LINES[3][0], LINES[5][0], LINES[7][0]]
    assert current.is_edited is False


def test_toggling_a_body_line_makes_it_boilerplate_and_records_a_correction(editor) -> None:
    article = reviewable()
    after = review.lines_toggle(article=article, user=editor, expected_version=0, indexes=[3])
    assert after.lines[3].label == "other"
    assert LINES[3][0] not in after.blocks
    assert fresh(article).edit_version == 1
    event = ReviewEvent.objects.get(article=article)
    assert (event.action, event.user, event.before, event.after) == (
        "label",
        editor,
        {"labels": {"3": None}},
        {"labels": {"3": "other"}},
    )
    hint = CleaningHint.objects.get(source=article.source)
    assert hint.label == "other"
    # The cleaning itself is never edited.
    assert fresh(article).current_cleaning.lines[3][2] == "body"


def test_a_range_follows_the_first_line(editor) -> None:
    article = reviewable()
    # Line 4 is advertisement: the whole range becomes body.
    after = review.lines_toggle(article=article, user=editor, expected_version=0, indexes=[4, 5, 6])
    assert [line.label for line in after.lines[4:7]] == ["body", "body", "body"]
    # Back again: each returns to what the cleaner called it, body lines to "other".
    after = review.lines_toggle(article=article, user=editor, expected_version=1, indexes=[4, 5, 6])
    assert [line.label for line in after.lines[4:7]] == ["advertisement", "other", "related"]
    assert after.draft.labels == {"5": "other"}


def test_relabelling_a_line_as_title_makes_it_the_title(editor) -> None:
    article = reviewable()
    review.lines_relabel(
        article=article, user=editor, expected_version=0, indexes=[1], label="other"
    )
    after = review.lines_relabel(
        article=article, user=editor, expected_version=1, indexes=[2], label="title"
    )
    assert after.title == "By Ann Example"
    with pytest.raises(review.ReviewError, match="Unknown label"):
        review.lines_relabel(
            article=article, user=editor, expected_version=2, indexes=[2], label="bogus"
        )
    with pytest.raises(review.ReviewError, match="lines 1 to 8"):
        review.lines_toggle(article=article, user=editor, expected_version=2, indexes=[8])


def test_cutting_a_fragment_removes_it_from_the_body(editor) -> None:
    article = reviewable()
    after = review.line_cut(
        article=article,
        user=editor,
        expected_version=0,
        index=5,
        fragment="READ MORE: Win a cruise!",
    )
    # The line's two sides stay one paragraph, so a span can still run across the cut.
    assert after.blocks[1] == "The second paragraph goes on about the harbour."
    assert [cut for _, cut in after.lines[5].pieces] == [False, True, False]
    with pytest.raises(review.ReviewError, match="does not contain"):
        review.line_cut(
            article=article, user=editor, expected_version=1, index=5, fragment="READ MORE"
        )
    assert fresh(article).edit_version == 1


def test_editing_the_title(editor) -> None:
    article = reviewable()
    after = review.title_edit(
        article=article, user=editor, expected_version=0, title="  Café   owners win  "
    )
    assert after.title == "Café owners win"
    with pytest.raises(review.ReviewError, match="cannot be empty"):
        review.title_edit(article=article, user=editor, expected_version=1, title="   ")


def test_correcting_the_byline(editor) -> None:
    article = reviewable()  # "By Ann Example" is a line the cleaner called "other".
    Cleaning.objects.filter(pk=article.current_cleaning_id).update(byline="By Someone Else")
    assert review.review_load(fresh(article)).byline == "By Someone Else"
    current = review.byline_edit(
        article=article, user=editor, expected_version=0, byline="  By Ann\nExample "
    )
    assert (current.byline, current.draft.byline, current.is_edited) == (
        "By Ann Example",
        "By Ann Example",
        True,
    )
    assert review.review_load(fresh(article)).byline == "By Ann Example"
    # Empty: the article has none.
    assert (
        review.byline_edit(article=article, user=editor, expected_version=1, byline="").byline == ""
    )
    assert review.review_undo(article=article, user=editor, expected_version=2).byline == (
        "By Ann Example"
    )
    review.article_approve(article=article, user=editor, expected_version=3)
    assert fresh(article).byline == "By Ann Example"
    assert ReviewEvent.objects.get(action="approve").after["byline"] == "By Ann Example"
    assert [event.action for event in ReviewEvent.objects.order_by("id")] == [
        "byline",
        "byline",
        "undo",
        "approve",
    ]
    # The cleaner's byline again is no correction.
    current = review.byline_edit(
        article=article, user=editor, expected_version=4, byline="By Someone Else"
    )
    assert (current.byline, current.draft.byline) == ("By Someone Else", None)


def test_undo_walks_back_the_changes_one_by_one(editor) -> None:
    article = reviewable()
    review.lines_toggle(article=article, user=editor, expected_version=0, indexes=[3])
    review.title_edit(article=article, user=editor, expected_version=1, title="New title")
    after = review.review_undo(article=article, user=editor, expected_version=2)
    assert after.title == LINES[1][0]
    assert after.lines[3].label == "other"
    after = review.review_undo(article=article, user=editor, expected_version=3)
    assert after.lines[3].label == "body"
    assert after.is_edited is False
    with pytest.raises(review.ReviewError, match="no change to undo"):
        review.review_undo(article=article, user=editor, expected_version=4)
    actions = list(ReviewEvent.objects.filter(article=article).values_list("action", "undone"))
    assert actions == [("undo", False), ("undo", False), ("title", True), ("label", True)]
    # The restored label is taught to the cleaner too.
    assert CleaningHint.objects.get(source=article.source).label == "body"


def test_a_stale_version_is_a_conflict_and_changes_nothing(editor, admin_user) -> None:
    article = reviewable()
    review.lines_toggle(article=article, user=admin_user, expected_version=0, indexes=[3])
    with pytest.raises(review.EditConflict, match="Someone else changed this article"):
        review.lines_toggle(article=article, user=editor, expected_version=0, indexes=[5])
    with pytest.raises(review.EditConflict):
        review.article_approve(article=article, user=editor, expected_version=0)
    current = review.review_load(fresh(article))
    assert current.lines[5].label == "body"
    assert fresh(article).review_status == Article.Review.NEEDS_REVIEW
    assert ReviewEvent.objects.filter(article=article).count() == 1


def test_approving_creates_an_nfc_revision_and_makes_it_current(editor) -> None:
    article = reviewable()
    review.line_cut(
        article=article,
        user=editor,
        expected_version=0,
        index=5,
        fragment="READ MORE: Win a cruise!",
    )
    revision = review.article_approve(article=article, user=editor, expected_version=1)
    article = fresh(article)
    assert article.current_revision == revision
    assert article.review_status == Article.Review.APPROVED
    assert revision.number == 1
    assert revision.title == "Café owners win the harbour vote"
    assert unicodedata.is_normalized("NFC", revision.text)
    assert revision.text == (
        "Café owners win the harbour vote\n\n"
        "The first paragraph of the story is long enough to be body text.\n\n"
        "The second paragraph goes on about the harbour.\n\n"
        "A third paragraph closes the story with a quote from the mayor."
    )
    assert [revision.text[s:e] for s, e in revision.blocks][2] == (
        "The second paragraph goes on about the harbour."
    )
    assert revision.cleaning == article.current_cleaning
    assert revision.created_by == editor
    event = ReviewEvent.objects.filter(action="approve").get()
    assert event.before["status"] == "needs_review"
    assert event.after == {
        "status": "approved",
        "reason": "",
        "note": "",
        "revision": 1,
        "live": True,
        "byline": "",
    }


def test_approving_unchanged_text_again_keeps_the_revision(editor) -> None:
    article = reviewable()
    first = review.article_approve(article=article, user=editor, expected_version=0)
    again = review.article_approve(article=article, user=editor, expected_version=1)
    assert again == first
    assert TextRevision.objects.filter(article=article).count() == 1
    # Nothing changed: no version for another editor's page to conflict with, no event.
    assert fresh(article).edit_version == 1
    assert ReviewEvent.objects.filter(article=article, action="approve").count() == 1


def test_an_approved_article_is_found_by_the_text_annotators_see(editor) -> None:
    """Not by its cleaning's any more, and in NFC whichever form the query comes in."""
    article = reviewable()
    title = "Cafe\u0301 owners in Zu\u0308rich"  # Decomposed, as scraped pages may be.
    review.title_edit(article=article, user=editor, expected_version=0, title=title)
    review.article_approve(article=article, user=editor, expected_version=1)

    def found(query: str) -> bool:
        return Article.objects.filter(search_vector=search.matching(query)).exists()

    assert found("Zürich") and found("Zu\u0308rich") and found("café owners")
    # Editing it again: found by the new revision's text once that is live.
    review.title_edit(article=article, user=editor, expected_version=2, title="Bakers in Bern")
    review.article_approve(article=article, user=editor, expected_version=3)
    assert found("Bern") and not found("Zürich")


def test_editing_an_approved_article_makes_a_new_revision_and_keeps_the_old(editor) -> None:
    article = reviewable()
    first = review.article_approve(article=article, user=editor, expected_version=0)
    review.lines_toggle(article=article, user=editor, expected_version=1, indexes=[7])
    second = review.article_approve(article=article, user=editor, expected_version=2)
    assert second.number == 2
    assert fresh(article).current_revision == second
    first.refresh_from_db()
    assert "third paragraph" in first.text
    assert "third paragraph" not in second.text


def test_a_revision_others_depend_on_is_not_replaced_silently(editor) -> None:
    article = reviewable()
    first = review.article_approve(article=article, user=editor, expected_version=0)
    review.lines_toggle(article=article, user=editor, expected_version=1, indexes=[7])
    with mock.patch("articles.review._revision_in_use", return_value=True):
        second = review.article_approve(article=article, user=editor, expected_version=2)
    article = fresh(article)
    assert article.current_revision == first
    assert review.pending_revision(article) == second
    assert ReviewEvent.objects.filter(action="approve").first().after["live"] is False
    # Approved again while it waits: the same revision, not a copy of it.
    with mock.patch("articles.review._revision_in_use", return_value=True):
        again = review.article_approve(article=article, user=editor, expected_version=3)
    assert again == second
    assert TextRevision.objects.filter(article=article).count() == 2
    review.revision_activate(article=article, revision=second)
    assert fresh(article).current_revision == second
    assert review.pending_revision(fresh(article)) is None


def test_approving_needs_a_title_and_a_body(editor) -> None:
    article = reviewable()
    review.lines_toggle(article=article, user=editor, expected_version=0, indexes=[3, 4, 5, 6, 7])
    with pytest.raises(review.ReviewError, match="No line is marked as body"):
        review.article_approve(article=article, user=editor, expected_version=1)
    untitled = reviewable([("Just one body line that is long enough to be a body.", "body")])
    with pytest.raises(review.ReviewError, match="title"):
        review.article_approve(article=untitled, user=editor, expected_version=0)


def test_rejecting_needs_a_reason_and_a_note_for_other(editor) -> None:
    article = reviewable()
    with pytest.raises(review.ReviewError, match="Unknown reason"):
        review.article_reject(article=article, user=editor, expected_version=0, reason="meh")
    with pytest.raises(review.ReviewError, match="Say why"):
        review.article_reject(article=article, user=editor, expected_version=0, reason="other")
    review.article_reject(
        article=article, user=editor, expected_version=0, reason="paywall", note=" half "
    )
    article = fresh(article)
    assert (article.review_status, article.reject_reason, article.reject_note) == (
        "rejected",
        "paywall",
        "half",
    )
    event = ReviewEvent.objects.get(action="reject")
    assert event.before["status"] == "needs_review"
    assert event.after["reason"] == "paywall"


def test_recleaning_queues_the_article_after_commit(editor, django_capture_on_commit_callbacks):
    article = reviewable()
    review.lines_toggle(article=article, user=editor, expected_version=0, indexes=[3])
    with (
        mock.patch("articles.tasks.queue_cleaning") as queue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        review.article_reclean(article=article, user=editor, expected_version=1, confirmed=True)
    queue.assert_called_once_with([article.pk])
    assert fresh(article).state == Article.State.QUEUED
    assert ReviewEvent.objects.filter(action="reclean").exists()
    # Corrections need a finished cleaning.
    with pytest.raises(review.ReviewError, match="no finished cleaning"):
        review.lines_toggle(article=article, user=editor, expected_version=2, indexes=[3])


def test_recleaning_away_corrections_needs_confirmation(editor) -> None:
    article = reviewable()
    review.title_edit(article=article, user=editor, expected_version=0, title="New title")
    review.lines_relabel(
        article=article, user=editor, expected_version=1, indexes=[0, 6], label="other"
    )
    review.line_cut(article=article, user=editor, expected_version=2, index=5, fragment="READ MORE")
    review.article_approve(article=article, user=editor, expected_version=3)
    with mock.patch("articles.tasks.queue_cleaning"):
        with pytest.raises(review.NeedsConfirmation) as refused:
            review.article_reclean(article=article, user=editor, expected_version=4)
        assert str(refused.value) == (
            "Cleaning again starts over from the raw text and does not carry over your "
            "corrections (the title, 2 line labels, cuts in 1 line): approving the new "
            "cleaning makes a text without them. Annotators keep seeing revision 1 until then."
        )
        assert fresh(article).state == Article.State.CLEANED
        assert not ReviewEvent.objects.filter(action="reclean").exists()
        done, failed = review.bulk_reclean(user=editor, versions={article.pk: 4})
        assert (done, list(failed)) == ([], [article.pk])
        assert failed[article.pk].endswith("Clean it again from its review page to confirm.")
        review.article_reclean(article=article, user=editor, expected_version=4, confirmed=True)
    assert fresh(article).state == Article.State.QUEUED


def test_recleaning_without_corrections_needs_no_confirmation(editor) -> None:
    article = reviewable()
    review.lines_toggle(article=article, user=editor, expected_version=0, indexes=[3])
    review.review_undo(article=article, user=editor, expected_version=1)
    review.article_approve(article=article, user=editor, expected_version=2)
    assert review.reclean_warning(fresh(article), ReviewDraft.objects.get()) == ""
    with mock.patch("articles.tasks.queue_cleaning"):
        review.article_reclean(article=article, user=editor, expected_version=3)
    assert fresh(article).state == Article.State.QUEUED


def test_corrections_of_an_older_cleaning_do_not_apply_to_a_new_one(editor) -> None:
    article = reviewable()
    review.lines_toggle(article=article, user=editor, expected_version=0, indexes=[3])
    old = fresh(article).current_cleaning
    newer = Cleaning.objects.create(
        article=article, cleaner_version="test", lines=old.lines, blocks=old.blocks
    )
    Article.objects.filter(pk=article.pk).update(current_cleaning=newer)
    assert review.review_load(fresh(article)).lines[3].label == "body"
    with pytest.raises(review.ReviewError, match="no change to undo"):
        review.review_undo(article=article, user=editor, expected_version=1)


# ---------------------------------------------------------------- queue


def walk_forward(filters: review.QueueFilters, size: int) -> list[list[int]]:
    """The queue's pages by Next; then checks that Previous from the last goes back through
    the same pages to the first, which has no Previous."""
    pages, page = [], review.queue_page(filters, size=size)
    assert page.previous_before == ""
    while True:
        pages.append([a.pk for a in page.articles])
        if not page.next_after:
            break
        page = review.queue_page(filters, after=page.next_after, size=size)
    back, before = [], page.previous_before
    while before:
        page = review.queue_page(filters, before=before, size=size)
        back.insert(0, [a.pk for a in page.articles])
        before = page.previous_before
    assert back == pages[:-1]
    return pages


def test_the_queue_pages_by_keyset_and_filters(editor) -> None:
    articles = [
        reviewable(name=f"{n}.txt", lines=[*LINES, (f"line {n}", "other")]) for n in range(5)
    ]
    ids = [a.pk for a in articles]
    pages = walk_forward(review.QueueFilters(), size=2)
    assert [pk for page in pages for pk in page] == sorted(ids, reverse=True)

    oldest, *_ = review.queue_page(review.QueueFilters(sort="old"), size=2)
    assert [a.pk for a in oldest] == sorted(ids)[:2]

    review.article_reject(article=articles[0], user=editor, expected_version=0, reason="duplicate")
    rejected, *_ = review.queue_page(review.QueueFilters(status="rejected"))
    assert [a.pk for a in rejected] == [ids[0]]
    Article.objects.filter(pk=ids[1]).update(state=Article.State.FAILED)
    failed, *_ = review.queue_page(review.QueueFilters(status="failed"))
    assert [a.pk for a in failed] == [ids[1]]
    other = reviewable(name="x.txt", source="elsewhere", lines=[*LINES, ("x", "other")])
    by_source, *_ = review.queue_page(review.QueueFilters(source=other.source_id))
    assert [a.pk for a in by_source] == [other.pk]
    by_batch, *_ = review.queue_page(review.QueueFilters(batch=articles[2].batch_id))
    assert [a.pk for a in by_batch] == [ids[2]]
    day = timezone.localdate()
    Article.objects.filter(pk=ids[3]).update(created_at=timezone.now() - timedelta(days=3))
    since_today, *_ = review.queue_page(review.QueueFilters(since=day))
    assert ids[3] not in [a.pk for a in since_today] and ids[4] in [a.pk for a in since_today]
    until, *_ = review.queue_page(review.QueueFilters(until=day - timedelta(days=1)))
    assert [a.pk for a in until] == [ids[3]]


def test_the_queue_sorts_by_confidence_with_a_keyset(editor) -> None:
    articles = [reviewable(name=f"{n}.txt", lines=[*LINES, (f"c {n}", "other")]) for n in range(5)]
    for confidence, article in zip([0.9, 0.1, 0.5, 0.5, 0.3], articles, strict=True):
        Cleaning.objects.filter(pk=article.current_cleaning_id).update(confidence=confidence)
    pages = walk_forward(review.QueueFilters(sort="conf"), size=2)
    seen = [Article.objects.get(pk=pk).current_cleaning.confidence for p in pages for pk in p]
    assert seen == [0.1, 0.3, 0.5, 0.5, 0.9]
    top, *_ = review.queue_page(review.QueueFilters(sort="-conf", min_confidence=0.4), size=10)
    assert [a.current_cleaning.confidence for a in top] == [0.9, 0.5, 0.5]
    with pytest.raises(review.ReviewError):
        review.queue_page(review.QueueFilters(sort="conf"), after="nonsense")


def test_bulk_approval_skips_stale_articles(editor) -> None:
    first = reviewable(name="1.txt", lines=[*LINES, ("one", "other")])
    second = reviewable(name="2.txt", lines=[*LINES, ("two", "other")])
    review.lines_toggle(article=second, user=editor, expected_version=0, indexes=[3])
    done, failed = review.bulk_approve(user=editor, versions={first.pk: 0, second.pk: 0})
    assert done == [first.pk]
    assert list(failed) == [second.pk]
    assert fresh(first).review_status == "approved"
    assert fresh(second).review_status == "needs_review"
