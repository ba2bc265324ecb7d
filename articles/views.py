from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRedirect

from articles import incoming, roles, search
from articles.forms import ArticleSearchForm, OlderPageForm, UploadForm
from articles.ingest import ingest_files, start_batch
from articles.models import Article, IngestBatch

M = TypeVar("M", bound=Model)


def _require_editor(request: HttpRequest) -> None:
    if not roles.is_editor(request.user):
        raise PermissionDenied(roles.EDITORS_ONLY)


@require_safe
@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    form = ArticleSearchForm(request.GET)
    if not form.is_valid():
        context = {"articles": [], "query": request.GET.get("q", ""), "errors": form.errors}
        return render(request, "articles/article_list.html", context, status=400)
    query = form.cleaned_data["q"].strip()
    articles = Article.objects.select_related("source").defer("raw_bytes", "text")
    if query:
        articles = articles.filter(search_vector=search.matching(query))
    page, pager = older_page(articles, form.cleaned_data["before"])
    context = {"articles": page, "query": query, **pager}
    return render(request, "articles/article_list.html", context)


def older_page(rows: QuerySet[M], before: int | None) -> tuple[list[M], dict[str, object]]:
    """A page of ``rows``, newest (highest id) first, below ``before``; and the template's
    links: ``next_before`` (None on the last page) and ``is_first_page``.

    By keyset, not page number, so a page deep in the list costs no more than the first and
    rows ingested meanwhile do not shift the pages."""
    if before:
        rows = rows.filter(pk__lt=before)
    page_size = settings.NEWSREADER_PAGE_SIZE
    page = list(rows.order_by("-pk")[: page_size + 1])
    next_before = page[page_size - 1].pk if len(page) > page_size else None
    return page[:page_size], {"next_before": next_before, "is_first_page": not before}


@require_safe
@login_required
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.select_related("source", "batch", "current_cleaning", "current_revision"),
        pk=article_id,
    )
    tab = "raw" if request.GET.get("tab") == "raw" else "article"
    cleaning, revision = article.current_cleaning, article.current_revision
    # What annotators read once an editor approved it; the cleaner's output until then.
    if revision is not None:
        title = revision.title
        blocks = [revision.text[start:end] for start, end in revision.blocks]
    elif cleaning is not None:
        title = cleaning.title
        blocks = [article.text[start:end] for start, end in cleaning.blocks]
    else:
        title, blocks = "", []
    template = "articles/article_detail.html"
    if request.htmx:
        template += "#tabs"
    return render(
        request,
        template,
        {
            "article": article,
            "cleaning": cleaning,
            "revision": revision,
            "title": title,
            "byline": article.display_byline,
            "blocks": blocks,
            "tab": tab,
            "can_edit": roles.is_editor(request.user),
            "previous_cleanings": article.cleanings.count() - 1 if cleaning else 0,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["files"]
        batch = start_batch(
            source_name=form.cleaned_data["source"].strip() or "upload",
            origin=IngestBatch.Origin.WEB,
            description=", ".join(upload.name for upload in uploads),
            created_by=request.user,
        )
        files = (
            item
            for upload in uploads
            for item in incoming.from_upload(
                upload.name,
                upload,
                glob="*.txt",
                max_bytes=settings.NEWSREADER_MAX_FILE_BYTES,
            )
        )
        ingest_files(files, batch=batch)
        if request.htmx:
            # The upload went through htmx for its progress bar: the report is a new page.
            return HttpResponseClientRedirect(batch.get_absolute_url())
        return redirect(batch)
    template = "articles/upload.html"
    if request.htmx:
        template += "#upload-form"
    return render(request, template, {"form": form})


@require_safe
@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = OlderPageForm(request.GET)
    if not form.is_valid():
        context = {"batches": [], "errors": form.errors}
        return render(request, "articles/batch_list.html", context, status=400)
    batches = IngestBatch.objects.select_related("source", "created_by")
    page, pager = older_page(batches, form.cleaned_data["before"])
    return render(request, "articles/batch_list.html", {"batches": page, **pager})


# A batch report lists this many of its rejected, skipped and duplicate files; the admin has all.
REPORT_ROWS = 1000


@require_safe
@login_required
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    _require_editor(request)
    batch = get_object_or_404(
        IngestBatch.objects.select_related("source", "created_by"), pk=batch_id
    )
    # Ingest is done when this page shows; cleaning its new articles is what may still run.
    states = dict(batch.articles.order_by().values_list("state").annotate(Count("id")))
    template = "articles/batch_detail.html"
    if request.htmx:
        template += "#cleaning-progress"
    return render(
        request,
        template,
        {
            "batch": batch,
            "cleaned": states.get(Article.State.CLEANED, 0),
            "failed": states.get(Article.State.FAILED, 0),
            "waiting": states.get(Article.State.QUEUED, 0) + states.get(Article.State.CLEANING, 0),
            "rejections": batch.rejections.all()[:REPORT_ROWS],
            "skipped": batch.skipped.all()[:REPORT_ROWS],
            "duplicates": batch.duplicates.select_related("article").defer(
                "article__raw_bytes", "article__text", "article__search_vector"
            )[:REPORT_ROWS],
            "articles": batch.articles.defer("raw_bytes", "text").order_by("pk")[:200],
        },
    )
