"""An editor's review in Chromium: toggle lines by mouse and keyboard, cut, retitle, approve."""

from __future__ import annotations

import os
import re
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Dialog, Page, expect

from articles import review
from articles.models import Article, Cleaning, ReviewEvent, TextRevision
from tests.articles.test_review import LINES, reviewable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEMO_PASSWORD = "demo editor password"
XSS = '<script>alert("xss")</script>'


@pytest.fixture
def demo_editor(db: None) -> str:
    with mock.patch.dict(os.environ, {"NEWSREADER_DEMO_PASSWORD": DEMO_PASSWORD}):
        call_command("demo_setup")
    return "editor"


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/review/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/review/")


def test_reviewing_an_article(page: Page, live_server, demo_editor: str) -> None:
    article = reviewable(
        [
            ("Menu  Home  Sport", "navigation"),
            ("Cafe\u0301 owners win the harbour vote", "title"),
            (f"By Ann Example {XSS}", "other"),
            ("The first paragraph of the story is long enough to be body text.", "body"),
            ("Advertisement", "advertisement"),
            ("The second paragraph READ MORE: Win a cruise! goes on about the harbour.", "body"),
            ("Related stories", "related"),
            ("A third paragraph closes the story with a quote from the mayor.", "body"),
            ("Share on Facebook", "navigation"),
        ]
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server.url, demo_editor, DEMO_PASSWORD)
    page.get_by_role("link", name="Café owners win the harbour vote").click()
    expect(page).to_have_url(f"{live_server.url}/review/{article.pk}/")
    lines = page.locator("#lines")
    preview = page.locator("#preview-body")
    version = page.locator("#review-head")

    # A click toggles a body line off, in place.
    expect(preview).to_contain_text("The first paragraph")
    lines.locator("#line-3 .text").click()
    expect(page.locator("#line-3")).to_contain_class("lab-other edited")
    expect(preview).not_to_contain_text("The first paragraph")
    expect(version).to_have_attribute("data-version", "1")

    # Keyboard: the click put the cursor on line 4; j moves down to the ad, space makes it body.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("#line-4")).to_contain_class("lab-advertisement cursor")
    page.keyboard.press(" ")
    expect(page.locator("#line-4")).to_contain_class("lab-body edited cursor")
    expect(version).to_have_attribute("data-version", "2")
    # ... and u undoes it.
    page.keyboard.press("u")
    expect(page.locator("#line-4")).to_contain_class("lab-advertisement cursor")
    expect(page.locator("#line-4")).not_to_contain_class("edited")
    expect(version).to_have_attribute("data-version", "3")

    # Shift-click gives the range the state of the line clicked before: body...
    lines.locator("#line-8 .ln").click()
    expect(page.locator("#line-8")).to_contain_class("lab-body edited")
    lines.locator("#line-6 .ln").click(modifiers=["Shift"])
    expect(page.locator("#line-6")).to_contain_class("lab-body edited")
    expect(page.locator("#line-7")).to_contain_class("lab-body")
    expect(version).to_have_attribute("data-version", "5")
    # ... or boilerplate, each line back to the cleaner's label or "other".
    lines.locator("#line-6 .ln").click()
    expect(page.locator("#line-6")).to_contain_class("lab-related")
    lines.locator("#line-8 .ln").click(modifiers=["Shift"])
    expect(page.locator("#line-8")).to_contain_class("lab-navigation")
    expect(page.locator("#line-8")).not_to_contain_class("edited")
    expect(page.locator("#line-7")).to_contain_class("lab-other edited")
    expect(version).to_have_attribute("data-version", "7")

    # Cut an inline promo by selecting it.
    page.locator("#line-5 .text").evaluate(
        """(el) => {
            const text = el.firstChild, start = text.data.indexOf("READ MORE");
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, start + "READ MORE: Win a cruise!".length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            el.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }"""
    )
    page.keyboard.press("x")
    expect(page.locator("#line-5 del")).to_have_text("READ MORE: Win a cruise!")
    expect(preview).to_contain_text("goes on about the harbour.")
    expect(preview).not_to_contain_text("Win a cruise")

    # Retitle.
    page.get_by_label("Title", exact=True).fill("Café owners win the vote")
    page.get_by_role("button", name="Save title").click()
    expect(page.locator("#review-history, .history")).to_contain_text("edited the title")
    expect(version).to_have_attribute("data-version", "9")

    # The byline line the cleaner called "other": corrected in its own field.
    page.get_by_label("Byline", exact=True).fill("By Ann Example")
    page.get_by_label("Byline", exact=True).press("Enter")
    expect(page.locator("#review-message")).to_have_text("Byline saved.")
    expect(version).to_have_attribute("data-version", "10")
    page.keyboard.press("Escape")  # Out of the field: the page's keys work again.

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "review-page.png", full_page=True)

    page.keyboard.press("a")
    expect(page.locator("#review-head .review")).to_have_text("Approved")
    expect(page.locator("#review-message")).to_contain_text("revision 1 is what annotators see")

    article.refresh_from_db()
    revision = TextRevision.objects.get(article=article)
    assert article.current_revision == revision
    assert article.review_status == Article.Review.APPROVED
    assert revision.text == (
        "Café owners win the vote\n\nThe second paragraph goes on about the harbour."
    )
    assert article.byline == "By Ann Example"
    assert ReviewEvent.objects.filter(article=article).count() == 11
    assert dialogs == [], "article text ran as script"
    assert page.locator("script:not([src])").count() == 0


def test_cleaning_again_asks_before_throwing_corrections_away(
    page: Page, live_server, demo_editor: str
) -> None:
    article = reviewable()
    editor = User.objects.get(username=demo_editor)
    review.title_edit(article=article, user=editor, expected_version=0, title="Mine")
    review.article_approve(article=article, user=editor, expected_version=1)
    answers = ["dismiss", "accept"]
    dialogs: list[str] = []

    def answer(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        getattr(dialog, answers.pop(0))()

    page.on("dialog", answer)
    log_in(page, live_server.url, demo_editor, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/review/{article.pk}/")
    with mock.patch("articles.tasks.queue_cleaning") as queue:
        page.get_by_role("button", name="Clean again").click()
        expect(page.get_by_role("button", name="Clean again")).to_be_enabled()
        assert len(dialogs) == 1
        assert "does not carry over your corrections (the title)" in dialogs[0]
        assert "Annotators keep seeing revision 1 until then." in dialogs[0]
        page.wait_for_load_state("networkidle")
        article.refresh_from_db()
        assert article.state == Article.State.CLEANED  # Dismissed: nothing happened.
        page.get_by_role("button", name="Clean again").click()
        expect(page.locator("#review-head")).to_contain_text("Queued")
        queue.assert_called_once_with([article.pk])
    assert len(dialogs) == 2
    article.refresh_from_db()
    assert article.state == Article.State.QUEUED


def test_a_stale_page_shows_the_conflict(page: Page, live_server, demo_editor: str) -> None:
    article = reviewable()
    log_in(page, live_server.url, demo_editor, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/review/{article.pk}/")
    # Another editor changes the article meanwhile.
    Article.objects.filter(pk=article.pk).update(edit_version=5)
    page.locator("#line-3 .ln").click()
    expect(page.get_by_role("alert")).to_contain_text("Someone else changed this article")
    expect(page.locator("#line-3")).to_contain_class("lab-body")
    expect(page.locator("#review-head")).to_have_attribute("data-version", "5")
    # With the fresh version the next click works.
    page.locator("#line-3 .ln").click()
    expect(page.locator("#line-3")).to_contain_class("lab-other edited")


def test_a_failed_action_says_so_and_an_ended_session_goes_to_login(
    page: Page, live_server, demo_editor: str
) -> None:
    article = reviewable()
    log_in(page, live_server.url, demo_editor, DEMO_PASSWORD)
    review_url = f"{live_server.url}/review/{article.pk}/"
    page.goto(review_url)
    # Signing in again elsewhere rotates the CSRF token: this page's POSTs get a 403.
    page.evaluate("document.cookie = 'csrftoken=stale; path=/'")
    page.locator("#line-3 .ln").click()
    expect(page.get_by_role("alert")).to_contain_text("Not saved (error 403)")
    page.reload()
    page.context.clear_cookies(name="sessionid")  # The session ends; the CSRF cookie stays.
    page.locator("#line-3 .ln").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Freview%2F"))
    page.get_by_label("Username").fill(demo_editor)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(review_url)


def test_rejecting_and_moving_on_by_keyboard(page: Page, live_server, demo_editor: str) -> None:
    older = reviewable(name="older.txt", lines=[*LINES, ("older", "other")])
    newer = reviewable(name="newer.txt", lines=[*LINES, ("newer", "other")])
    log_in(page, live_server.url, demo_editor, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/review/{newer.pk}/")
    page.keyboard.press("r")
    reason = page.get_by_label("Reason to reject")
    expect(reason).to_be_focused()
    reason.press("Enter")  # No reason chosen yet: the page says so, and waits for one.
    expect(page.get_by_role("alert")).to_have_text("Choose a reason to reject the article.")
    expect(reason).to_be_focused()
    expect(page.locator("#review-head .review")).to_have_text("needs review")
    reason.select_option("paywall")
    reason.press("Enter")
    expect(page.locator("#review-head .review")).to_have_text("Rejected")
    newer.refresh_from_db()
    assert (newer.review_status, newer.reject_reason) == ("rejected", "paywall")
    page.keyboard.press("n")  # At once: the reason no longer has the focus.
    expect(page).to_have_url(f"{live_server.url}/review/{older.pk}/")


def test_n_follows_the_queue_it_came_from(page: Page, live_server, demo_editor: str) -> None:
    elsewhere = reviewable(name="0.txt", source="other", lines=[*LINES, ("0", "other")])
    unsure = reviewable(name="1.txt", source="wire", lines=[*LINES, ("1", "other")])
    sure = reviewable(name="2.txt", source="wire", lines=[*LINES, ("2", "other")])
    for article, confidence in ((elsewhere, 0.3), (unsure, 0.2), (sure, 0.9)):
        Cleaning.objects.filter(pk=article.current_cleaning_id).update(confidence=confidence)
    log_in(page, live_server.url, demo_editor, DEMO_PASSWORD)
    query = f"?source={unsure.source_id}&sort=conf"
    page.goto(f"{live_server.url}/review/{query}")
    page.locator("table.list tbody a").first.click()
    expect(page).to_have_url(f"{live_server.url}/review/{unsure.pk}/{query}")
    page.locator("#line-3 .ln").click()  # An edit keeps the queue in the page's links.
    expect(page.locator("#review-head")).to_have_attribute("data-version", "1")
    page.keyboard.press("n")
    expect(page).to_have_url(f"{live_server.url}/review/{sure.pk}/{query}")
    page.get_by_role("link", name="Review queue").click()
    expect(page).to_have_url(f"{live_server.url}/review/{query}")


def test_space_on_a_focused_button_presses_it(page: Page, live_server, demo_editor: str) -> None:
    article = reviewable()
    log_in(page, live_server.url, demo_editor, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/review/{article.pk}/")
    page.keyboard.press("j")  # A line cursor, which Space would otherwise toggle.
    labels = page.locator("#lines .line").evaluate_all("lines => lines.map(l => l.className)")
    page.locator("#approve").focus()
    page.keyboard.press(" ")
    expect(page.locator("#review-head .review")).to_have_text("Approved")
    after = page.locator("#lines .line").evaluate_all("lines => lines.map(l => l.className)")
    assert [label.replace(" cursor", "") for label in after] == [
        label.replace(" cursor", "") for label in labels
    ]
    article.refresh_from_db()
    assert article.review_status == "approved"


def test_a_queue_search_asks_once_and_back_restores_it(
    page: Page, live_server, demo_editor: str
) -> None:
    reviewable(LINES)
    log_in(page, live_server.url, "editor", DEMO_PASSWORD)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/review/?" in r.url else None)
    search = page.get_by_role("textbox", name="Search")
    search.fill("harbour")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/review/\?.*q=harbour"))
    page.wait_for_load_state("networkidle")
    assert len(asked) == 1, asked
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/review/")
    expect(search).to_have_value("")


def test_one_box_selects_every_article_of_the_page(
    page: Page, live_server, demo_editor: str
) -> None:
    articles = [reviewable([*LINES, (f"line {n}", "other")], name=f"{n}.txt") for n in range(3)]
    log_in(page, live_server.url, "editor", DEMO_PASSWORD)
    every = page.get_by_label("Select all articles on this page")
    every.check()
    for article in articles:
        expect(page.get_by_label(f"Select article {article.pk}")).to_be_checked()
    page.get_by_label(f"Select article {articles[0].pk}").uncheck()
    expect(every).not_to_be_checked()
    assert page.evaluate("document.querySelector('[data-select-all]').indeterminate")
    every.check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.locator(".messages")).to_contain_text("Approved: 3 articles.")
    # Results a search swaps in have the box too.
    page.goto(f"{live_server.url}/review/?status=approved")
    expect(every).to_be_visible()
    search = page.get_by_role("textbox", name="Search")
    search.fill("zeppelin")
    search.press("Enter")
    expect(every).to_have_count(0)
    search.fill("")
    search.press("Enter")
    expect(every).to_be_visible()
    # A filter the server refuses shows why, as without JavaScript.
    page.get_by_label("Confidence ≥").fill("0.9")
    page.get_by_label("≤", exact=True).fill("0.1")
    page.get_by_label("≤", exact=True).press("Enter")
    expect(page.locator("#results")).to_contain_text("Confidence from 0.9 to 0.1 is an empty range")


def test_on_a_phone_the_review_page_keeps_the_text_readable(
    page: Page, live_server, demo_editor: str
) -> None:
    article = reviewable()
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, live_server.url, demo_editor, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/review/{article.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page.get_by_role("button", name="Log out")).to_be_in_viewport()
    width = page.locator("#line-3 .text").evaluate("e => e.getBoundingClientRect().width")
    assert width > 150
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


def test_the_lines_are_one_tab_stop_that_j_and_k_move(
    page: Page, live_server, demo_editor: str
) -> None:
    article = reviewable()
    log_in(page, live_server.url, demo_editor, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/review/{article.pk}/")
    stops = page.locator("#lines .ln:not([tabindex='-1'])")
    expect(stops).to_have_count(1)
    page.locator("#line-0 .ln").focus()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("#line-1 .ln")).to_be_focused()
    page.keyboard.press("Space")  # Presses the focused line's button: a toggle.
    expect(page.locator("#line-1")).to_contain_class("edited")
    expect(stops).to_have_count(1)  # The swapped-in line is no extra stop.
    expect(page.locator("#line-1 .ln")).to_have_attribute("tabindex", "0")
    expect(page.locator("#line-1 .ln")).to_be_focused()
