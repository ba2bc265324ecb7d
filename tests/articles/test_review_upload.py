"""Upload with a progress bar (htmx) and the batch report with its cleaning progress."""

from __future__ import annotations

import io
import zipfile
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import IngestBatch
from articles.tasks import clean_articles

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PAGE = "Headline\nA body paragraph that is long enough to count as the article body text.\n"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, **extra: str):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.txt", PAGE)
        zipped.writestr("b.txt", PAGE)  # the same bytes: a duplicate
        zipped.writestr("c.txt", b"\x00\x01binary\x00")
    archive.name = "pages.zip"
    archive.seek(0)
    with mock.patch("articles.tasks.queue_cleaning"):
        return client.post(
            reverse("articles-upload"), {"files": [archive], "source": "desk"}, **extra
        )


def test_an_htmx_upload_sends_the_browser_to_the_report(editor) -> None:
    response = upload(client_for(editor), **HTMX)
    batch = IngestBatch.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == batch.get_absolute_url()
    assert (batch.new_count, batch.duplicate_count, batch.rejected_count) == (1, 1, 1)


def test_an_invalid_htmx_upload_answers_with_the_form_and_its_error(editor) -> None:
    response = client_for(editor).post(reverse("articles-upload"), {"source": "desk"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="upload-form"')
    assert "This field is required." in html
    assert "<h1>" not in html


def test_the_report_shows_counts_reasons_and_cleaning_progress(editor) -> None:
    client = client_for(editor)
    upload(client)
    batch = IngestBatch.objects.get()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "<dt>Duplicates (already stored)</dt><dd>1</dd>" in page
    # Named, with the article it already is (a.txt, stored from the same archive).
    stored = batch.articles.get()
    assert f'<td>pages.zip!b.txt</td><td><a href="{stored.get_absolute_url()}">' in page
    assert "c.txt" in page
    assert "0 cleaned, 0 failed, 1 waiting" in page
    assert 'hx-trigger="every 2s"' in page
    assert f"?batch={batch.pk}" in page

    clean_articles(list(batch.articles.values_list("pk", flat=True)))
    partial = client.get(batch.get_absolute_url(), **HTMX).content.decode()
    assert partial.lstrip().startswith('<section id="cleaning-progress"')
    assert "1 cleaned, 0 failed, 0 waiting" in partial
    # The list of new articles refreshes with it: cleaned, under the title found.
    article = batch.articles.get()
    cleaned = '</a> <span class="state state-cleaned">Cleaned</span>'
    assert f"{article.display_title}{cleaned}" in partial
    # Nothing left to wait for: the polling stops.
    assert "hx-trigger" not in partial


def test_annotators_cannot_see_batches(annotator, editor) -> None:
    upload(client_for(editor))
    batch = IngestBatch.objects.get()
    assert client_for(annotator).get(batch.get_absolute_url(), **HTMX).status_code == 403
