from __future__ import annotations

import io
import tarfile
import zipfile
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from articles import review
from articles.models import Article, IngestBatch
from articles.revisions import revision_create
from articles.tasks import clean_articles
from tests.articles.factories import make_article
from tests.conftest import PASSWORD

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
PAGE = (
    "Menu\n"
    f"Headline with {XSS}\n"
    f"The body quotes {XSS} as literal text, and goes on for a while to look like prose.\n"
    "It has a second paragraph about the harbour, which is long enough to count as body.\n"
)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cleaned(db) -> Article:
    article = make_article(PAGE)
    clean_articles([article.pk])
    article.refresh_from_db()
    return article


def test_anonymous_users_go_to_the_login_page(client: Client, db) -> None:
    for url in (reverse("articles-list"), reverse("articles-upload"), "/articles/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


def test_login_page_works(client: Client, editor) -> None:
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"


def test_the_list_shows_articles(annotator, cleaned: Article) -> None:
    response = client_for(annotator).get("/")
    assert response.status_code == 200
    assert reverse("articles-detail", args=[cleaned.pk]).encode() in response.content
    assert b"<script>alert" not in response.content
    assert b"&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in response.content
    # Cleaned articles show their review: whether annotators get them.
    assert b'<span class="state review-needs_review">Needs review</span>' in response.content
    Article.objects.filter(pk=cleaned.pk).update(review_status=Article.Review.APPROVED)
    approved = client_for(annotator).get("/").content
    assert b'<span class="state review-approved">Approved</span>' in approved
    detail = client_for(annotator).get(reverse("articles-detail", args=[cleaned.pk])).content
    assert b'<span class="state review-approved">Approved</span>' in detail


def test_the_list_searches_full_text(annotator, cleaned: Article) -> None:
    other = make_article(
        "Menu\nA story about tulips\nTulips bloom in spring across the valley, farmers say.\n"
    )
    clean_articles([other.pk])
    client = client_for(annotator)
    page = client.get("/", {"q": "harbour"}).content.decode()
    assert f"/articles/{cleaned.pk}/" in page and f"/articles/{other.pk}/" not in page
    page = client.get("/", {"q": "tulips"}).content.decode()
    assert f"/articles/{other.pk}/" in page and f"/articles/{cleaned.pk}/" not in page
    assert "No articles match" in client.get("/", {"q": "zeppelin"}).content.decode()


def test_the_list_paginates_by_keyset(annotator, settings) -> None:
    settings.NEWSREADER_PAGE_SIZE = 2
    ids = [make_article(f"Page {n}\nBody {n}\n").pk for n in range(5)]
    client = client_for(annotator)
    first = client.get("/")
    assert [a.pk for a in first.context["articles"]] == ids[::-1][:2]
    second = client.get("/", {"before": first.context["next_before"]})
    assert [a.pk for a in second.context["articles"]] == ids[::-1][2:4]
    assert client.get("/", {"before": "nonsense"}).status_code == 400


def test_a_bad_search_shows_the_page_and_the_reason(annotator) -> None:
    client = client_for(annotator)
    response = client.get("/", {"q": "<b>x</b>" * 100})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Search: Ensure this value has at most 500 characters (it has 800)." in page
    assert 'maxlength="500"' in page and "Log out" in page
    assert "<b>x</b>" not in page  # The query comes back escaped.
    response = client.get("/", {"before": "abc"})
    assert response.status_code == 400
    assert "Page: Enter a whole number." in response.content.decode()


def test_error_pages_explain_and_lead_back(annotator) -> None:
    client = client_for(annotator)
    refused = client.get("/review/")
    assert refused.status_code == 403
    assert "Only editors review articles." in refused.content.decode()
    assert 'href="/"' in refused.content.decode()
    missing = client.get("/articles/999999/")
    assert missing.status_code == 404
    assert "Nothing is at <code>/articles/999999/</code>" in missing.content.decode()


def test_the_empty_list_explains_what_to_do(annotator) -> None:
    assert b"No articles yet" in client_for(annotator).get("/").content


def test_the_article_page_escapes_hostile_text(annotator, cleaned: Article) -> None:
    client = client_for(annotator)
    for tab in ("article", "raw"):
        content = client.get(cleaned.get_absolute_url(), {"tab": tab}).content.decode()
        assert "<script>alert" not in content
        assert "<img src=x" not in content
        assert "&lt;script&gt;" in content
    assert "Menu" in client.get(cleaned.get_absolute_url(), {"tab": "raw"}).content.decode()


def test_the_article_page_shows_the_approved_text_once_there_is_one(
    annotator, editor, cleaned: Article
) -> None:
    client = client_for(annotator)
    before = client.get(cleaned.get_absolute_url()).content.decode()
    assert "the cleaner's output (not approved yet)" in before
    assert "about the harbour" in before
    revision = revision_create(
        article=cleaned,
        title="An edited <title>",
        blocks=["Only the edited paragraph."],
        created_by=editor,
    )
    review.revision_activate(article=cleaned, revision=revision)
    after = client.get(cleaned.get_absolute_url()).content.decode()
    # Each paragraph takes its direction from its own text: Arabic or Hebrew run right to left.
    assert '<h1 dir="auto">An edited &lt;title&gt;</h1>' in after
    assert '<p dir="auto">Only the edited paragraph.</p>' in after
    assert "about the harbour" not in after
    assert "approved revision 1" in after


def test_the_article_tabs_render_as_htmx_partials(annotator, cleaned: Article) -> None:
    response = client_for(annotator).get(
        cleaned.get_absolute_url(), {"tab": "raw"}, headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="article-tabs"')
    assert "<html" not in content


def test_a_missing_article_is_404(annotator) -> None:
    assert client_for(annotator).get("/articles/999999/").status_code == 404


def test_failed_articles_show_the_error_and_can_be_retried(
    editor, django_capture_on_commit_callbacks
) -> None:
    article = make_article(PAGE)
    Article.objects.filter(pk=article.pk).update(
        state=Article.State.FAILED, error="ValueError: boom"
    )
    client = client_for(editor)
    assert b"ValueError: boom" in client.get(article.get_absolute_url()).content
    with (
        mock.patch("articles.tasks.clean_articles.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("articles-review-reclean", args=[article.pk]), {"version": 0}
        )
    assert response.status_code == 302
    delay.assert_called_once_with([article.pk])
    article.refresh_from_db()
    assert article.state == Article.State.QUEUED


def test_editors_find_the_review_page_from_the_article(editor, annotator, cleaned: Article) -> None:
    review_url = reverse("articles-review", args=[cleaned.pk])
    assert review_url in client_for(editor).get(cleaned.get_absolute_url()).content.decode()
    assert review_url not in client_for(annotator).get(cleaned.get_absolute_url()).content.decode()


def test_annotators_cannot_reclean_or_upload(annotator, cleaned: Article) -> None:
    client = client_for(annotator)
    reclean = reverse("articles-review-reclean", args=[cleaned.pk])
    assert client.post(reclean, {"version": 0}).status_code == 403
    assert client.get(reverse("articles-upload")).status_code == 403
    assert client.get(reverse("articles-batches")).status_code == 403


def test_editors_upload_files_and_archives(editor) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.txt", "Title A\nBody of A, long enough.\n")
        zipped.writestr("empty.txt", "")
    archive.seek(0)
    archive.name = "pages.zip"
    single = io.BytesIO(b"Title B\nBody of B, long enough.\n")
    single.name = "b.txt"
    nothing = io.BytesIO(b"")
    nothing.name = "nothing.txt"
    client = client_for(editor)
    with mock.patch("articles.tasks.queue_cleaning"):
        response = client.post(
            reverse("articles-upload"), {"files": [archive, single, nothing], "source": "desk"}
        )
    batch = IngestBatch.objects.get()
    assert response.status_code == 302
    assert response.url == batch.get_absolute_url()
    assert (batch.origin, batch.created_by, batch.source.name) == ("web", editor, "desk")
    report = client.get(response.url).content.decode()
    assert "ingested: 2 new, 0 duplicate, 2 rejected" in report
    assert "pages.zip!empty.txt" in report and "empty file" in report
    assert "nothing.txt" in report
    assert f"#{batch.pk}" in client.get(reverse("articles-batches")).content.decode()


def test_an_oversized_upload_is_reported_with_its_own_size(editor, settings) -> None:
    settings.NEWSREADER_MAX_FILE_BYTES = 1000
    big = io.BytesIO(b"x" * 5000)
    big.name = "big.txt"
    client = client_for(editor)
    response = client.post(reverse("articles-upload"), {"files": [big], "source": "desk"})
    report = client.get(response.url).content.decode()
    assert "too large: 5,000 bytes, the limit is 1,000" in report


def test_upload_without_files_shows_the_form_error(editor) -> None:
    response = client_for(editor).post(reverse("articles-upload"), {"source": "desk"})
    assert response.status_code == 200
    assert b"This field is required" in response.content


class TestIngestApi:
    url = "/api/ingest/"

    def test_it_creates_then_reports_the_duplicate(self, editor) -> None:
        client = client_for(editor)
        with mock.patch("articles.tasks.queue_cleaning"):
            created = client.post(
                self.url, {"text": PAGE, "name": "x.txt"}, content_type="application/json"
            )
            again = client.post(self.url, {"text": PAGE}, content_type="application/json")
        assert created.status_code == 201
        assert created.json()["original_name"] == "x.txt"
        assert created.json()["duplicate"] is False
        assert again.status_code == 200
        assert again.json()["id"] == created.json()["id"]
        assert again.json()["duplicate"] is True

    def test_it_accepts_a_file(self, editor) -> None:
        upload = io.BytesIO("Titre\nCorps de l’article, assez long.\n".encode("cp1252"))
        upload.name = "fr.txt"
        with mock.patch("articles.tasks.queue_cleaning"):
            response = client_for(editor).post(self.url, {"file": upload, "source": "scraper"})
        assert response.status_code == 201
        article = Article.objects.get(pk=response.json()["id"])
        assert (article.encoding, article.source.name) == ("cp1252", "scraper")
        assert article.text == "Titre\nCorps de l’article, assez long.\n"

    @pytest.mark.parametrize(
        ("payload", "status", "message"),
        [
            ({"text": ""}, 400, "empty file"),
            ({}, 400, "exactly one"),
            ({"text": "a", "name": "x" * 600}, 400, "no more than 500"),
            ({"text": "a", "title": "x"}, 400, "{'title': ['Unknown field.']}"),
        ],
    )
    def test_it_rejects_bad_input(self, editor, payload, status, message) -> None:
        response = client_for(editor).post(self.url, payload, content_type="application/json")
        assert response.status_code == status
        assert message in str(response.json())

    def test_a_text_as_large_as_a_file_may_be_is_accepted_as_json(self, editor, settings) -> None:
        # Django caps a request body it reads at DATA_UPLOAD_MAX_MEMORY_SIZE, which DRF applies
        # to JSON; a page sent as text is held to the file limit instead, as a file is.
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        settings.NEWSREADER_MAX_FILE_BYTES = 4000
        client = client_for(editor)
        text = "A headline\n\n" + "Some words of the story. " * 150
        with mock.patch("articles.tasks.queue_cleaning"):
            response = client.post(self.url, {"text": text}, content_type="application/json")
        assert response.status_code == 201, response.content
        assert response.json()["size_bytes"] == len(text)
        larger = client.post(self.url, {"text": "x" * 5000}, content_type="application/json")
        assert larger.status_code == 413
        assert larger.json() == {"detail": "too large: 5,000 bytes, the limit is 4,000"}
        huge = client.post(self.url, {"text": "x" * 50000}, content_type="application/json")
        assert huge.status_code == 413
        assert "send the page as a multipart file" in huge.json()["detail"]

    def test_it_rejects_binary_and_oversized_files(self, editor, settings) -> None:
        settings.NEWSREADER_MAX_FILE_BYTES = 100
        client = client_for(editor)
        binary = io.BytesIO(b"\x00\x01\x02\x03" * 10)
        binary.name = "x.txt"
        assert client.post(self.url, {"file": binary}).status_code == 415
        big = io.BytesIO(b"x" * 101)
        big.name = "big.txt"
        response = client.post(self.url, {"file": big})
        assert response.status_code == 413
        assert "limit is 100" in response.json()["detail"]

    @pytest.mark.parametrize(
        ("name", "kind"),
        [
            ("pages.zip", "a .zip archive"),
            ("pages.tar.gz", "gzip-compressed (a .tar.gz archive?)"),
            ("pages.tar", "a .tar archive"),
            ("renamed.txt", "a .zip archive"),  # By content, not by name.
        ],
    )
    def test_it_sends_archives_to_the_upload_page(self, editor, name, kind) -> None:
        stream = io.BytesIO()
        if ".tar" in name:
            with tarfile.open(fileobj=stream, mode="w:gz" if name.endswith("gz") else "w") as tar:
                info = tarfile.TarInfo("a.txt")
                info.size = len(PAGE.encode())
                tar.addfile(info, io.BytesIO(PAGE.encode()))
        else:
            with zipfile.ZipFile(stream, "w") as zipped:
                zipped.writestr("a.txt", PAGE)
        stream.seek(0)
        stream.name = name
        response = client_for(editor).post(self.url, {"file": stream})
        assert response.status_code == 415
        assert response.json()["detail"] == (
            f"rejected: {kind}, not text. This API takes one text file per request; send "
            "archives to the upload page (http://testserver/upload/) or to `manage.py ingest`, "
            "which open them."
        )
        assert not Article.objects.exists()

    def test_malformed_json_is_a_400(self, editor) -> None:
        response = client_for(editor).post(self.url, "{not json", content_type="application/json")
        assert response.status_code == 400

    def test_it_needs_an_editor(self, annotator, client: Client) -> None:
        assert client.post(self.url, {"text": PAGE}).status_code == 401
        assert client_for(annotator).post(self.url, {"text": PAGE}).status_code == 403
