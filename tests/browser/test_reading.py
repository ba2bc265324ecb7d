"""A new user's first minutes, in Chromium: log in, find an article, read it, see the raw text."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from articles.tasks import clean_articles
from tests.articles.factories import make_article
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "articles" / "sample_corpus"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/accounts/login/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/")


def test_reading_an_article(page: Page, live_server, editor) -> None:
    hostile = make_article((SAMPLE / "109_markup-in-text.txt").read_text(), name="109.txt")
    seed = make_article((SAMPLE / "003_da5bc25322853d1b.txt").read_text(), name="003.txt")
    clean_articles([hostile.pk, seed.pk])
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    log_in(page, live_server.url, "bob")
    page.get_by_role("searchbox", name="Search articles").fill("Lavrov Wonsan")
    page.keyboard.press("Enter")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link").click()

    expect(page.locator("h1")).to_contain_text("Identical views on all strategic issues")
    expect(page.locator("#tab-panel")).not_to_contain_text("by Taboola")
    page.get_by_role("tab", name="Raw text").click()
    expect(page.locator("pre.raw")).to_contain_text("by Taboola")
    expect(page.get_by_role("tab", name="Raw text")).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(f"{live_server.url}/articles/{seed.pk}/?tab=raw")

    page.goto(f"{live_server.url}/articles/{hostile.pk}/")
    expect(page.locator("#tab-panel")).to_contain_text('<script>alert("xss")</script>')
    page.get_by_role("tab", name="Raw text").click()
    expect(page.locator("pre.raw")).to_contain_text("<img src=x onerror=alert(1)>")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "article-raw.png", full_page=True)
    assert dialogs == [], "hostile article text ran as script"
    assert page.locator("script:not([src])").count() == 0
