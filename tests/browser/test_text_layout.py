"""Article text in Chromium, wherever it is shown: a line with no break in it wraps, it does not
widen the page; right-to-left paragraphs run right to left."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from annotations import services
from annotations.demo import demo_project_setup
from tests.annotations.factories import approved_article
from tests.articles.test_review import reviewable
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Overflows as a 20,000-character one does; Chromium takes seconds to wrap that one (shaping the
# rest of the line again for every line it breaks), which is no test of ours.
UNBROKEN = "A" * 5_000
LINES = (
    ("A short title", "title"),
    (UNBROKEN, "body"),
    ("The second paragraph is long enough to be body text, and ordinary.", "body"),
)


@pytest.fixture
def demo_users(monkeypatch) -> None:
    monkeypatch.setenv("NEWSREADER_DEMO_PASSWORD", PASSWORD)
    call_command("demo_setup")


def log_in(page: Page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 375, "height": 800}]
)
def test_a_long_unbroken_line_wraps(page: Page, live_server, demo_users, viewport) -> None:
    page.set_viewport_size(viewport)
    article = reviewable(LINES)
    log_in(page, live_server.url, "editor")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    expect(page.locator("#tab-panel")).to_contain_text("AAAA")
    assert_no_sideways_scroll(page)
    page.goto(f"{live_server.url}/review/{article.pk}/")
    expect(page.locator("#preview-body")).to_contain_text("AAAA")
    assert_no_sideways_scroll(page)
    # The side panel scrolls on its own (it is sticky): not sideways either.
    side = page.locator("#review-side").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert side[0] <= side[1]

    approved = approved_article(title="A short title", blocks=[UNBROKEN, "Then more."])
    project = demo_project_setup()
    annotator = project.members.get(username="annotator")
    services.assignment_create(
        project=project, article=approved, annotator=annotator, assigned_by=None
    )
    log_in(page, live_server.url, "annotator")
    page.goto(live_server.url + reverse("annotations-workspace", args=[project.pk, approved.pk]))
    expect(page.locator(".ws-text")).to_contain_text("AAAA")
    assert_no_sideways_scroll(page)


def test_right_to_left_paragraphs_run_right_to_left(page: Page, live_server, demo_users) -> None:
    article = reviewable(
        [
            ("عنوان المقال عن الميناء", "title"),
            ("هذه فقرة عربية طويلة بما يكفي لتكون من نص المقال.", "body"),
            ("An English paragraph after it stays left to right, and is long.", "body"),
        ]
    )
    log_in(page, live_server.url, "editor")
    direction = "e => getComputedStyle(e).direction"
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    assert page.locator("h1").evaluate(direction) == "rtl"
    paragraphs = page.locator("#tab-panel p")
    assert paragraphs.evaluate_all(f"ps => ps.map({direction})") == ["rtl", "ltr"]
    page.goto(f"{live_server.url}/review/{article.pk}/")
    paragraphs = page.locator("#preview-body p")
    assert paragraphs.evaluate_all(f"ps => ps.map({direction})") == ["rtl", "ltr"]
    assert page.locator("#line-1 .text").evaluate(direction) == "rtl"
    assert page.locator("#line-2 .text").evaluate(direction) == "ltr"
    assert page.locator("#review-title").evaluate(direction) == "rtl"
