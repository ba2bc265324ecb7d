"""Review pages: who may see them, each action with and without htmx, conflicts, bad input."""

from __future__ import annotations

import re
from html import unescape
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Cleaning, ReviewEvent, TextRevision
from tests.articles.test_review import LINES, reviewable

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
XSS = '<script>alert("xss")</script>'


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def article() -> Article:
    return reviewable()


def url(name: str, article: Article) -> str:
    return reverse(name, args=[article.pk])


ACTIONS = (
    "articles-review-lines",
    "articles-review-cut",
    "articles-review-title",
    "articles-review-undo",
    "articles-review-approve",
    "articles-review-reject",
    "articles-review-reclean",
)


def test_anonymous_users_go_to_the_login_page(client: Client, article: Article) -> None:
    for target in (reverse("articles-review-queue"), url("articles-review", article)):
        response = client.get(target)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")
    response = client.post(url("articles-review-approve", article), {"version": 0})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_annotators_get_403_everywhere(annotator, article: Article) -> None:
    client = client_for(annotator)
    assert client.get(reverse("articles-review-queue")).status_code == 403
    assert client.get(url("articles-review", article)).status_code == 403
    assert client.get(url("articles-review-next", article)).status_code == 403
    for name in ACTIONS:
        assert client.post(url(name, article), {"version": 0, "line": 4}).status_code == 403
    assert client.post(reverse("articles-review-bulk"), {}).status_code == 403
    assert ReviewEvent.objects.count() == 0


def test_editors_and_admins_see_the_review_page(editor, admin_user, article: Article) -> None:
    for user in (editor, admin_user):
        response = client_for(user).get(url("articles-review", article))
        assert response.status_code == 200
        assert b'id="line-7"' in response.content
        assert b"lab-advertisement" in response.content
        # Right-to-left lines (Arabic, Hebrew) run right to left.
        assert b'<span class="text" dir="auto">Advertisement</span>' in response.content
        assert 'data-version="0"' in response.content.decode()


def test_hostile_text_is_escaped(editor) -> None:
    hostile = reviewable([(f"Title {XSS}", "title"), (f"Body with {XSS} in it, long", "body")])
    response = client_for(editor).get(url("articles-review", hostile))
    assert XSS.encode() not in response.content
    assert b"&lt;script&gt;" in response.content


def test_missing_articles_are_404(editor) -> None:
    client = client_for(editor)
    assert client.get("/review/999999/").status_code == 404
    assert client.post("/review/999999/lines/", {"version": 0, "line": 1}).status_code == 404
    assert client.post("/review/999999/approve/", {"version": 0}).status_code == 404


def test_toggling_without_htmx_redirects_back(editor, article: Article) -> None:
    response = client_for(editor).post(
        url("articles-review-lines", article), {"version": 0, "line": 4}
    )
    assert response.status_code == 302
    assert response.url == url("articles-review", article)
    assert ReviewEvent.objects.get().after == {"labels": {"3": "other"}}


def test_toggling_with_htmx_sends_the_changed_lines_only(editor, article: Article) -> None:
    response = client_for(editor).post(
        url("articles-review-lines", article), {"version": 0, "first": 5, "last": 6}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="line-4" class="line lab-body edited"' in html
    assert 'id="line-5"' in html
    assert 'id="line-3"' not in html
    assert html.count('hx-swap-oob="true"') == 5  # message, head, preview and two lines
    assert 'data-version="1"' in html
    # Its own history entry only, prepended to the list on the page.
    assert 'hx-swap-oob="afterbegin:#history-list"' in html
    assert html.count("<details>") == 1


def test_setting_a_label_on_a_range(editor, article: Article) -> None:
    client_for(editor).post(
        url("articles-review-lines", article),
        {"version": 0, "first": 1, "last": 3, "label": "navigation"},
    )
    assert ReviewEvent.objects.get().after == {
        "labels": {"0": None, "1": "navigation", "2": "navigation"}
    }


def test_cutting_and_editing_the_title(editor, article: Article) -> None:
    client = client_for(editor)
    response = client.post(
        url("articles-review-cut", article),
        {"version": 0, "line": 6, "fragment": "READ MORE: Win a cruise!"},
        **HTMX,
    )
    assert response.status_code == 200
    assert '<del title="cut">READ MORE: Win a cruise!</del>' in response.content.decode()
    response = client.post(url("articles-review-title", article), {"version": 1, "title": "Hi"})
    assert response.status_code == 302
    page = client.get(url("articles-review", article)).content.decode()
    assert '<p dir="auto">The second paragraph goes on about the harbour.</p>' in page
    assert 'required dir="auto">Hi</textarea>' in page
    assert "Title saved." in page  # The flashed message, without JavaScript.
    response = client.post(
        url("articles-review-title", article), {"version": 2, "title": "Hello"}, **HTMX
    )
    assert '<p class="alert">Title saved.</p>' in response.content.decode()


def test_correcting_the_byline(editor, annotator, article: Article) -> None:
    Cleaning.objects.filter(pk=article.current_cleaning_id).update(byline="By Someone")
    reading = client_for(annotator).get(article.get_absolute_url()).content.decode()
    assert '<p class="byline" dir="auto">By Someone</p>' in reading  # The cleaner's, till approved.
    client = client_for(editor)
    response = client.post(
        url("articles-review-byline", article), {"version": 0, "byline": f"By Ann {XSS}"}
    )
    assert response.status_code == 302
    page = client.get(url("articles-review", article)).content.decode()
    assert 'name="byline" value="By Ann &lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;"' in (
        page
    )
    assert "Byline saved." in page
    assert "edited the byline" in page
    response = client.post(
        url("articles-review-byline", article), {"version": 1, "byline": "By Ann Example"}, **HTMX
    )
    assert '<p class="alert">Byline saved.</p>' in response.content.decode()
    assert 'value="By Ann Example"' in response.content.decode()
    long = {"version": 2, "byline": "x" * 1001}
    assert client.post(url("articles-review-byline", article), long).status_code == 400
    client.post(url("articles-review-approve", article), {"version": 2})
    reading = client_for(annotator).get(article.get_absolute_url()).content.decode()
    assert '<p class="byline" dir="auto">By Ann Example</p>' in reading
    # A later correction waits for approval, on the page and for readers.
    client.post(url("articles-review-byline", article), {"version": 3, "byline": "By Ann"})
    page = client.get(url("articles-review", article)).content.decode()
    assert "your changes are not approved yet" in page
    reading = client_for(annotator).get(article.get_absolute_url()).content.decode()
    assert '<p class="byline" dir="auto">By Ann Example</p>' in reading


def test_undo(editor, article: Article) -> None:
    client = client_for(editor)
    client.post(url("articles-review-lines", article), {"version": 0, "line": 4})
    response = client.post(url("articles-review-undo", article), {"version": 1}, **HTMX)
    assert response.status_code == 200
    # Undo may change any line: the whole list comes back.
    assert 'id="lines"' in response.content.decode()
    assert 'id="line-3" class="line lab-body"' in response.content.decode()
    response = client.post(url("articles-review-undo", article), {"version": 2}, **HTMX)
    assert response.status_code == 400
    assert "There is no change to undo." in response.content.decode()


def test_a_stale_version_gets_409_with_a_clear_message(editor, admin_user, article) -> None:
    client_for(admin_user).post(url("articles-review-lines", article), {"version": 0, "line": 4})
    client = client_for(editor)
    for extra in ({}, HTMX):
        response = client.post(
            url("articles-review-lines", article), {"version": 0, "line": 6}, **extra
        )
        assert response.status_code == 409
        assert "Someone else changed this article" in response.content.decode()
        # The answer shows the other editor's change, never the stale one.
        assert 'data-version="1"' in response.content.decode()
    assert ReviewEvent.objects.count() == 1


def test_bad_input_is_400(editor, article: Article) -> None:
    client = client_for(editor)
    cases = [
        ("articles-review-lines", {"version": 0}),
        ("articles-review-lines", {"version": "x", "line": 1}),
        ("articles-review-lines", {"version": 0, "line": 99}),
        ("articles-review-lines", {"version": 0, "line": 1, "label": "nonsense"}),
        ("articles-review-cut", {"version": 0, "line": 1, "fragment": "not there"}),
        ("articles-review-title", {"version": 0, "title": ""}),
        ("articles-review-reject", {"version": 0, "reason": "bored"}),
        ("articles-review-reject", {"version": 0, "reason": "other"}),
    ]
    for name, data in cases:
        assert client.post(url(name, article), data).status_code == 400, (name, data)
    assert ReviewEvent.objects.count() == 0
    sideways = client.get(reverse("articles-review-queue"), {"sort": "sideways"})
    assert sideways.status_code == 400
    assert "Sort: Select a valid choice. sideways is not one of" in sideways.content.decode()
    long = client.get(reverse("articles-review-queue"), {"q": "x" * 501})
    assert "Search: Ensure this value has at most 500 characters" in long.content.decode()
    assert client.get(reverse("articles-review-queue"), {"after": "1;drop"}).status_code == 400
    for broken in ("0.5_12", "1e999"):  # A confidence sort's page link, without its sort.
        response = client.get(reverse("articles-review-queue"), {"after": broken})
        assert response.status_code == 400, broken
        assert "That page link is broken." in response.content.decode()


def test_approving(editor, article: Article) -> None:
    client = client_for(editor)
    response = client.post(url("articles-review-approve", article), {"version": 0})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.review_status == "approved"
    revision = TextRevision.objects.get(article=article)
    assert article.current_revision == revision
    assert revision.title == "Café owners win the harbour vote"
    page = client.get(url("articles-review", article)).content.decode()
    assert "annotators see revision 1" in page
    assert "Approved: revision 1 is what annotators see." in page


def test_approving_with_htmx_updates_the_head(editor, article: Article) -> None:
    response = client_for(editor).post(
        url("articles-review-approve", article), {"version": 0}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="review review-approved">Approved</span>' in html
    assert "Approved: revision 1 is what annotators see." in html


def test_rejecting(editor, article: Article) -> None:
    response = client_for(editor).post(
        url("articles-review-reject", article), {"version": 0, "reason": "other", "note": "spam"}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.review_status, article.reject_reason, article.reject_note) == (
        "rejected",
        "other",
        "spam",
    )


def test_recleaning(editor, article: Article) -> None:
    with mock.patch("articles.tasks.queue_cleaning"):
        response = client_for(editor).post(url("articles-review-reclean", article), {"version": 0})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.state == Article.State.QUEUED


def test_recleaning_away_corrections_asks_first(editor, article: Article) -> None:
    client = client_for(editor)
    page = client.get(url("articles-review", article)).content.decode()
    assert "hx-confirm" not in page  # Nothing to lose yet.
    client.post(url("articles-review-title", article), {"version": 0, "title": "Mine"})
    client.post(url("articles-review-approve", article), {"version": 1})
    page = client.get(url("articles-review", article)).content.decode()
    assert (
        'hx-confirm="Cleaning again starts over from the raw text and does not carry over '
        "your corrections (the title): approving the new cleaning makes a text without them. "
        'Annotators keep seeing revision 1 until then. Clean again anyway?"'
    ) in page
    assert """hx-vals='{"confirm": "on"}'""" in page
    with mock.patch("articles.tasks.queue_cleaning"):
        for extra in ({}, HTMX):
            response = client.post(url("articles-review-reclean", article), {"version": 2}, **extra)
            assert response.status_code == 400
            html = response.content.decode()
            assert "does not carry over your corrections (the title)" in html
            assert '<input type="hidden" name="confirm" value="on">' in html
            assert "Clean again anyway</button>" in html
        article.refresh_from_db()
        assert article.state == Article.State.CLEANED
        assert not ReviewEvent.objects.filter(action="reclean").exists()
        response = client.post(
            url("articles-review-reclean", article), {"version": 2, "confirm": "on"}
        )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.state == Article.State.QUEUED


def test_the_history_shows_who_did_what(editor, article: Article) -> None:
    client = client_for(editor)
    client.post(url("articles-review-lines", article), {"version": 0, "line": 4})
    client.post(url("articles-review-title", article), {"version": 1, "title": "New"})
    page = client.get(url("articles-review", article)).content.decode()
    history = page[page.index('aria-label="History"') :]
    assert history.index("edited the title") < history.index("changed line labels")
    assert "<strong>bob</strong>" in history


def test_the_queue_lists_filters_and_pages(editor) -> None:
    articles = [reviewable(name=f"{n}.txt", lines=[*LINES, (f"n{n}", "other")]) for n in range(3)]
    client = client_for(editor)
    with mock.patch("django.conf.settings.NEWSREADER_PAGE_SIZE", 2):
        response = client.get(reverse("articles-review-queue"))
        html = response.content.decode()
        assert response.status_code == 200
        assert url("articles-review", articles[2]) in html
        assert url("articles-review", articles[0]) not in html
        assert f"after={articles[1].pk}" in html
        assert "Previous page" not in html and "First page" not in html
        second = client.get(reverse("articles-review-queue"), {"after": articles[1].pk})
        html = second.content.decode()
        assert url("articles-review", articles[0]) in html
        # Back a page by its link, without JavaScript: the first page again, which has none.
        previous = re.search(r'<a rel="prev" href="\?([^"]+)">‹ Previous page</a>', html)
        assert previous and "First page" in html
        back = client.get(reverse("articles-review-queue") + "?" + unescape(previous[1]))
        html = back.content.decode()
        assert url("articles-review", articles[2]) in html and "Previous page" not in html
        # A page whose articles have all left the queue says so and leads back to the first.
        left = Article.objects.filter(pk=articles[0].pk)
        status = left.get().review_status
        left.update(review_status="rejected")
        emptied = client.get(reverse("articles-review-queue"), {"after": articles[1].pk})
        html = emptied.content.decode()
        assert "No articles on this page any more" in html and "« First page" in html
        assert "no article is in this state" not in html
        left.update(review_status=status)
    partial = client.get(reverse("articles-review-queue"), {"status": "approved"}, **HTMX)
    assert partial.content.decode().startswith('\n<div id="results">')
    assert "Nothing here: no article is in this state." in partial.content.decode()
    filtered = client.get(reverse("articles-review-queue"), {"q": "zeppelin"}, **HTMX)
    assert "No articles here with these filters." in filtered.content.decode()
    backwards = {"min_confidence": "0.9", "max_confidence": "0.1"}
    response = client.get(reverse("articles-review-queue"), backwards)
    assert response.status_code == 400
    assert "Confidence from 0.9 to 0.1 is an empty range" in response.content.decode()


def test_bulk_actions(editor) -> None:
    first = reviewable(name="1.txt", lines=[*LINES, ("one", "other")])
    second = reviewable(name="2.txt", lines=[*LINES, ("two", "other")])
    client = client_for(editor)
    response = client.post(
        reverse("articles-review-bulk"),
        {
            "action": "approve",
            "articles": [f"{first.pk}:0", f"{second.pk}:7"],
            "back": "/review/?status=needs_review",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/review/?status=needs_review"
    html = response.content.decode()
    assert "Approved: 1 article." in html
    assert f"Article {second.pk}: Someone else changed this article" in html
    with mock.patch("articles.tasks.queue_cleaning"):
        response = client.post(
            reverse("articles-review-bulk"),
            {"action": "reclean", "articles": [f"{second.pk}:0"], "back": "https://evil.example/"},
        )
    assert response.url == "/review/"
    second.refresh_from_db()
    assert second.state == Article.State.QUEUED
    response = client.post(reverse("articles-review-bulk"), {"action": "approve"}, follow=True)
    assert "Select at least one article." in response.content.decode()
    # Digits that are not ASCII ("²" passes str.isdigit(), not int()): refused, not a 500.
    bad = {"action": "approve", "articles": [f"{second.pk}:\u00b2"]}
    response = client.post(reverse("articles-review-bulk"), bad, follow=True)
    assert response.status_code == 200 and "Bad selection." in response.content.decode()


def test_next_goes_to_the_next_article_needing_review(editor) -> None:
    older = reviewable(name="1.txt", lines=[*LINES, ("one", "other")])
    newer = reviewable(name="2.txt", lines=[*LINES, ("two", "other")])
    client = client_for(editor)
    assert client.get(url("articles-review-next", newer)).url == url("articles-review", older)
    # Wraps around to the newest.
    assert client.get(url("articles-review-next", older)).url == url("articles-review", newer)
    Article.objects.filter(pk=newer.pk).update(review_status="approved")
    assert client.get(url("articles-review-next", older)).url == reverse("articles-review-queue")


def test_next_follows_the_filters_and_sort_of_the_queue(editor) -> None:
    elsewhere = reviewable(name="0.txt", source="other", lines=[*LINES, ("0", "other")])
    first, third, second = (
        reviewable(name=f"{n}.txt", source="wire", lines=[*LINES, (str(n), "other")])
        for n in (1, 2, 3)
    )
    for article, confidence in ((elsewhere, 0.1), (first, 0.2), (second, 0.5), (third, 0.9)):
        Cleaning.objects.filter(pk=article.current_cleaning_id).update(confidence=confidence)
    query = f"?source={first.source_id}&sort=conf"
    client = client_for(editor)
    queue = client.get(reverse("articles-review-queue") + query + "&after=&q=").content.decode()
    assert f'href="{url("articles-review", first)}?source={first.source_id}&amp;sort=conf"' in queue
    page = client.get(url("articles-review", first) + query).content.decode()
    assert (
        f'href="{url("articles-review-next", first)}?source={first.source_id}&amp;sort=conf"'
        in page
    )
    assert f'href="/review/?source={first.source_id}&amp;sort=conf">Review queue' in page
    assert client.get(url("articles-review-next", first) + query).url == (
        url("articles-review", second) + query
    )
    assert client.get(url("articles-review-next", second) + query).url == (
        url("articles-review", third) + query
    )
    # Wraps around to the first, and never leaves the source.
    assert client.get(url("articles-review-next", third) + query).url == (
        url("articles-review", first) + query
    )
    # Actions without JavaScript come back to the page with the queue's query.
    response = client.post(url("articles-review-lines", second) + query, {"version": 0, "line": 4})
    assert response.url == url("articles-review", second) + query
    # Filters that do not validate are the queue's to explain.
    response = client.get(url("articles-review-next", first), {"sort": "sideways"})
    assert response.url == "/review/?sort=sideways"
    assert client.get(response.url).status_code == 400


def test_the_nav_links_to_the_queue_for_editors_only(editor, annotator) -> None:
    queue = f'href="{reverse("articles-review-queue")}"'
    assert queue in client_for(editor).get("/").content.decode()
    assert queue not in client_for(annotator).get("/").content.decode()


def test_a_pending_revision_links_to_the_reanchoring_report(editor, article: Article) -> None:
    client = client_for(editor)
    client.post(url("articles-review-approve", article), {"version": 0})
    client.post(url("articles-review-lines", article), {"version": 1, "line": 8})
    with mock.patch("articles.review._revision_in_use", return_value=True):
        client.post(url("articles-review-approve", article), {"version": 2})
    pending = TextRevision.objects.get(article=article, number=2)
    page = client.get(url("articles-review", article)).content.decode()
    assert "revision 2 waits for the annotations" in page
    assert reverse("annotations-reanchor", args=[pending.pk]) in page
    assert "annotators see revision 1" in page
    # What waits is approved: nothing is left to approve.
    assert "not approved yet" not in page


def test_a_failed_article_shows_why(editor, article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(
        state=Article.State.FAILED, error=f"ValueError: {XSS}"
    )
    client = client_for(editor)
    page = client.get(url("articles-review", article)).content.decode()
    assert "ValueError: &lt;script&gt;" in page
    queue = client.get(reverse("articles-review-queue"), {"status": "failed"}).content.decode()
    assert url("articles-review", article) in queue
    response = client.post(url("articles-review-approve", article), {"version": 0})
    assert response.status_code == 400
    assert "no finished cleaning" in response.content.decode()
