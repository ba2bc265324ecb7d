"""An editor's upload in Chromium: every failure says why and leaves the form ready to retry."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from playwright.sync_api import Page, Route, expect

from articles.models import IngestBatch
from tests.browser.test_reading import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pages(count: int) -> list[dict]:
    return [
        {
            "name": f"{number}.txt",
            "mimeType": "text/plain",
            "buffer": f"Headline {number}\nThe body of page {number}, long enough.\n".encode(),
        }
        for number in range(count)
    ]


def test_a_failed_upload_says_why_and_can_be_sent_again(
    page: Page, live_server, editor, settings
) -> None:
    settings.NEWSREADER_UPLOAD_MAX_FILES = settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    log_in(page, live_server.url, "bob")
    page.goto(f"{live_server.url}/upload/")
    expect(page.get_by_text("up to 3 files at a time")).to_be_visible()
    files = page.get_by_label("Files")
    button = page.get_by_role("button", name="Upload and ingest")
    alert = page.get_by_role("alert")

    # Too many files: Django refuses them before any view; the page says why.
    files.set_input_files(pages(4))
    button.click()
    expect(alert).to_contain_text("Too many files: at most 3 can be sent at once")
    expect(button).to_be_enabled()
    expect(page.locator("#upload-status")).to_have_text("")
    assert not IngestBatch.objects.exists()

    # A lost CSRF cookie (as after signing out elsewhere) is a 403: said, not a hang.
    files.set_input_files(pages(2))
    page.context.clear_cookies(name="csrftoken")
    button.click()
    expect(alert).to_contain_text("Not uploaded: not allowed, or your session expired.")
    expect(button).to_be_enabled()

    # No connection: the files are still chosen, so sending again is one click.
    page.reload()
    files.set_input_files(pages(2))

    def drop(route: Route) -> None:
        route.abort() if route.request.method == "POST" else route.continue_()

    page.route("**/upload/", drop)
    button.click()
    expect(alert).to_contain_text("The connection to the server was lost")
    expect(button).to_be_enabled()
    page.unroute("**/upload/")
    with mock.patch("articles.tasks.queue_cleaning"):
        button.click()
        expect(page).to_have_url(re.compile(r"/batches/\d+/$"))
    expect(page.get_by_text("ingested: 2 new, 0 duplicate, 0 rejected")).to_be_visible()
