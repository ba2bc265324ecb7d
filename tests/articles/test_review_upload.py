"""Upload with a progress bar (htmx) and the batch report with its cleaning progress."""

from __future__ import annotations

import io
import re
import zipfile
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from articles.ingest import start_batch
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


def too_many_files(count: int) -> list[io.BytesIO]:
    files = []
    for number in range(count):
        page = io.BytesIO(f"Headline {number}\nBody.\n".encode())
        page.name = f"{number}.txt"
        files.append(page)
    return files


def test_the_form_states_the_file_limit(editor, settings) -> None:
    settings.NEWSREADER_UPLOAD_MAX_FILES = 1200
    page = client_for(editor).get(reverse("articles-upload")).content.decode()
    assert "up to 1,200 files at a time" in page
    assert 'id="upload-message"' in page


@pytest.mark.parametrize("htmx", [False, True])
def test_too_many_files_are_refused_with_the_reason(editor, settings, htmx) -> None:
    settings.NEWSREADER_UPLOAD_MAX_FILES = settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    response = client_for(editor).post(
        reverse("articles-upload"),
        {"files": too_many_files(4), "source": "desk"},
        **(HTMX if htmx else {}),
    )
    reason = "Too many files: at most 3 can be sent at once, and nothing was uploaded."
    assert response.status_code == 400
    assert not IngestBatch.objects.exists()
    if htmx:  # upload.js shows it as it is.
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode().startswith(reason)
    else:  # A page that says why and leads back to the form.
        page = response.content.decode()
        assert reason in page and "archive" in page
        assert f'<a href="{reverse("articles-upload")}">Back to the form</a>' in page


def test_too_many_files_for_the_api_is_json(editor, settings) -> None:
    settings.NEWSREADER_UPLOAD_MAX_FILES = settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1
    response = client_for(editor).post("/api/ingest/", {"file": too_many_files(2)})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Too many files: at most 1 ")


def test_other_bad_requests_keep_the_plain_page(editor, settings) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1
    response = client_for(editor).post(reverse("articles-upload"), {"a": 1, "b": 2})
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()


def test_the_report_names_skipped_archive_entries(editor) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.txt", PAGE)
        zipped.writestr("pics/", b"")
        zipped.writestr("pics/<b>x</b>.png", b"\x89PNG")
        zipped.writestr("more.zip", b"PK\x03\x04 corrupt")
    archive.name = "mixed.zip"
    archive.seek(0)
    client = client_for(editor)
    with mock.patch("articles.tasks.queue_cleaning"):
        client.post(reverse("articles-upload"), {"files": [archive], "source": "desk"})
    batch = IngestBatch.objects.get()
    assert (batch.new_count, batch.rejected_count, batch.skipped_count) == (1, 0, 2)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "<dt>Skipped in archives (not pages)</dt><dd>2</dd>" in page
    assert "<td>mixed.zip!pics/&lt;b&gt;x&lt;/b&gt;.png</td><td>not a .txt file</td>" in page
    assert "<td>mixed.zip!more.zip</td><td>nested archive: not opened</td>" in page
    assert "pics/<" not in page and "mixed.zip!pics/</td>" not in page
    listing = client.get(reverse("articles-batches")).content.decode()
    assert re.search(r"<td>0</td>\s*<td>2</td>", listing)  # Rejected, skipped.


def test_the_report_says_when_its_lists_stop_short(editor, monkeypatch) -> None:
    monkeypatch.setattr("articles.views.REPORT_ROWS", 2)
    batch = start_batch(source_name="desk", origin=IngestBatch.Origin.WEB, created_by=editor)
    for n in range(3):
        batch.rejections.create(name=f"{n}.txt", reason="empty", size_bytes=11_570_000)
    IngestBatch.objects.filter(pk=batch.pk).update(rejected_count=3)
    page = client_for(editor).get(batch.get_absolute_url()).content.decode()
    assert page.count("<td>empty</td>") == 2
    assert "The first 2 of 3." in page  # Not staff: no admin link.
    assert "<td>11,570,000</td>" in page
    editor.is_staff = editor.is_superuser = True
    editor.save()
    page = client_for(editor).get(batch.get_absolute_url()).content.decode()
    admin = f"/admin/articles/ingestrejection/?batch__exact={batch.pk}"
    assert f'The first 2 of 3; <a href="{admin}">all of them in the admin</a>.' in page
    assert client_for(editor).get(admin).status_code == 200


def test_the_batch_list_pages_back_through_all_batches(editor, settings) -> None:
    settings.NEWSREADER_PAGE_SIZE = 2
    ids = [
        start_batch(source_name="desk", origin=IngestBatch.Origin.WEB, created_by=editor).pk
        for _ in range(5)
    ]
    client = client_for(editor)
    url = reverse("articles-batches")
    seen, page, links = [], client.get(url), []
    while True:
        seen += [batch.pk for batch in page.context["batches"]]
        html = page.content.decode()
        links.append("« Newest" in html)
        if (older := re.search(r'<a rel="next" href="(\?before=\d+)">Older »</a>', html)) is None:
            break
        page = client.get(url + older[1])
    assert seen == ids[::-1]  # Newest first, each once, none left out.
    assert links == [False, True, True]
    past_the_end = client.get(url, {"before": ids[0]}).content.decode()
    assert "No older batches." in past_the_end and f'href="{url}"' in past_the_end
    bad = client.get(url, {"before": "nonsense"})
    assert bad.status_code == 400 and "Page: Enter a whole number." in bad.content.decode()


def test_the_empty_batch_list_says_how_to_ingest(editor) -> None:
    page = client_for(editor).get(reverse("articles-batches")).content.decode()
    assert "Nothing ingested yet." in page and "manage.py ingest PATH" in page
