"""Editor review pages: the queue, and one article's lines beside its resulting text.

Every action is a plain form POST (redirect after success). With htmx the same POST answers
with out-of-band fragments of the review page: the changed lines, the head and the side panel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from articles import review, roles
from articles.forms import (
    REVIEW_LABELS,
    BulkReviewForm,
    BylineForm,
    CutForm,
    LinesForm,
    RecleanForm,
    RejectForm,
    ReviewQueueForm,
    TitleForm,
    VersionedForm,
)
from articles.models import Article, ReviewEvent, TextRevision

TEMPLATE = "articles/review_detail.html"
HISTORY_SIZE = 20


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users go to the login page; signed-in non-editors get 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not roles.is_editor(request.user):
            raise PermissionDenied(
                "Only editors review articles. Ask an administrator if you need this role."
            )
        return view(request, *args, **kwargs)

    return wrapped


def _get_article(article_id: int) -> Article:
    articles = Article.objects.select_related("source", "current_cleaning", "current_revision")
    return get_object_or_404(articles.defer("raw_bytes", "search_vector"), pk=article_id)


# ---------------------------------------------------------------- queue


@require_GET
@editor_required
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    form = ReviewQueueForm(request.GET)
    template = "articles/review_queue.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    errors = [
        f"{form[name].label if name in form.fields else 'Filters'}: {message}"
        for name, messages in form.errors.items()
        for message in messages
    ]
    if not errors:
        filters = form.filters()
        try:
            page = review.queue_page(
                filters,
                after=form.cleaned_data["after"],
                before=form.cleaned_data["before"],
                size=settings.NEWSREADER_PAGE_SIZE,
            )
        except review.ReviewError as error:
            errors = [str(error)]
    if errors:
        context = {
            "form": form,
            "articles": [],
            "errors": errors,
            "status": request.GET.get("status", ""),
            "statuses": review.QUEUE_STATUSES,
        }
        return render(request, template, context, status=400)
    params = {k: v for k, v in request.GET.items() if k not in PAGE_FIELDS and v}
    return render(
        request,
        template,
        {
            "form": form,
            "articles": page.articles,
            "status": filters.status,
            "statuses": review.QUEUE_STATUSES,
            "next_url": _page_url(params, after=page.next_after),
            "previous_url": _page_url(params, before=page.previous_before),
            "first_url": f"?{urlencode(params)}"
            if form.cleaned_data["after"] or page.previous_before
            else "",
            "this_url": request.get_full_path(),
            # The review page keeps the filters and sort, so its Next follows them.
            "queue_qs": _queue_qs(form),
            "filtered": any(v for k, v in params.items() if k not in ("status", "sort")),
        },
    )


@require_POST
@editor_required
def review_bulk(request: HtmxHttpRequest) -> HttpResponse:
    form = BulkReviewForm(request.POST)
    back = _safe_back(request)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    action = (
        review.bulk_approve if form.cleaned_data["action"] == "approve" else review.bulk_reclean
    )
    done, failed = action(user=request.user, versions=form.cleaned_data["articles"])
    verb = "Approved" if form.cleaned_data["action"] == "approve" else "Queued for cleaning"
    if done:
        messages.success(request, f"{verb}: {len(done)} article{'s' if len(done) != 1 else ''}.")
    for article_id, reason in sorted(failed.items()):
        messages.error(request, f"Article {article_id}: {reason}")
    return redirect(back)


PAGE_FIELDS = ("after", "before")


def _page_url(params: dict[str, str], **cursor: str) -> str:
    """The queue's URL with ``params`` and the page ``cursor`` ("" if the cursor is empty)."""
    return f"?{urlencode({**params, **cursor})}" if all(cursor.values()) else ""


def _queue_qs(form: ReviewQueueForm) -> str:
    """A queue form's filters and sort as a query string ("?…" or ""), its page left out;
    filters that do not validate are dropped, the review page works without them."""
    if not form.data or not form.is_valid():
        return ""
    kept = [name for name in form.fields if name not in PAGE_FIELDS and form.data.get(name)]
    query = urlencode({name: form.data[name] for name in kept})
    return f"?{query}" if query else ""


def _queue_qs_of(request: HttpRequest) -> str:
    """The query string of the queue the review page was opened from (see ``_queue_qs``)."""
    return _queue_qs(ReviewQueueForm(request.GET))


def _safe_back(request: HttpRequest) -> str:
    back = request.POST.get("back", "")
    queue = reverse("articles-review-queue")
    # Only back to the queue itself, with its filters: never an open redirect.
    return back if back.startswith(queue + "?") or back == queue else queue


# ---------------------------------------------------------------- one article

# One <li> per raw line, built here rather than in the template: a page has hundreds of lines,
# and template nodes per line were most of the render time (measured by tests/bench/review.py).
# format_html escapes every value, the article text included.
_LINE = (
    '<li id="line-{0}" class="line lab-{1}{2}" data-line="{3}">'
    '<button type="submit" form="toggle-form" name="line" value="{3}" class="ln">{3}</button>'
    '<span class="lab">{1}</span><span class="text" dir="auto">{4}</span></li>'
)
# The same, swapped in out of band when htmx answers an edit.
_LINE_OOB = _LINE.replace('data-line="{3}">', 'data-line="{3}" hx-swap-oob="true">', 1)


def line_html(line: review.ReviewLine, *, oob: bool = False) -> SafeString:
    if line.cuts:
        text = format_html_join(
            "",
            "{}",
            (
                (format_html('<del title="cut">{}</del>', piece) if cut else piece,)
                for piece, cut in line.pieces
            ),
        )
    else:
        text = line.text
    return format_html(
        _LINE_OOB if oob else _LINE,
        line.index,
        line.label,
        " edited" if line.edited else "",
        line.number,
        text,
    )


def _lines_html(lines: Sequence[review.ReviewLine], *, oob: bool = False) -> SafeString:
    return format_html_join("", "{}", ((line_html(line, oob=oob),) for line in lines))


def _context(
    article: Article,
    current: review.Review,
    changed: Sequence[review.ReviewLine] | None = None,
    *,
    queue_qs: str,
    **extra: Any,
) -> dict[str, Any]:
    """The review page's context; ``changed`` lines only are rendered when given."""
    # A line edit's answer prepends its own event to the history on the page.
    size = 1 if changed is not None else HISTORY_SIZE
    history = list(ReviewEvent.objects.filter(article=article).select_related("user")[:size])
    revision = article.current_revision
    pending = review.pending_revision(article)
    context = {
        "article": article,
        "review": current,
        "queue_qs": queue_qs,
        "history": history,
        "labels": REVIEW_LABELS,
        "reject_reasons": Article.RejectReason.choices,
        "revision": revision,
        "lines_html": _lines_html(current.lines) if changed is None else "",
        "changed_html": _lines_html(changed, oob=True) if changed is not None else "",
        "partial_lines": changed is not None,
        "pending": pending,
        "reclean_warning": review.reclean_warning(article, current.draft),
        # Measured against the newest approved revision: one waiting for re-anchoring too.
        "unpublished": revision is not None and _unpublished(current, pending or revision),
        **extra,
    }
    if "can_undo" not in context:
        context["can_undo"] = bool(current.cleaning) and (
            ReviewEvent.objects.filter(
                article=article,
                cleaning=article.current_cleaning_id,
                action__in=review.DRAFT_ACTIONS,
                undone=False,
            ).exists()
        )
    return context


def _unpublished(current: review.Review, revision: TextRevision) -> bool:
    """Whether the corrected cleaning differs from what was last approved."""
    if current.cleaning is None:
        return False
    byline_changed = current.byline != current.article.display_byline
    return byline_changed or current.composed_text() != revision.text


@require_GET
@editor_required
def review_detail(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    article = _get_article(article_id)
    context = _context(article, review.review_load(article), queue_qs=_queue_qs_of(request))
    return render(request, TEMPLATE, context)


def _act(
    request: HtmxHttpRequest,
    article_id: int,
    form_class: type[Form],
    action: Callable[[Article, dict[str, Any]], Any],
    changed: Callable[[review.Review, dict[str, Any]], Sequence[int] | None] | None = None,
    success: str | Callable[[Any], str] = "",
    action_is_edit: bool = False,
) -> HttpResponse:
    """Validate, run one review action, and answer: fragments for htmx, else a redirect."""
    # The services lock and read the article themselves (DoesNotExist there means 404): a
    # query here would only cost a round trip on every keystroke.
    article = Article(pk=article_id)
    form = form_class(request.POST)
    if not form.is_valid():
        errors = " ".join(e for field_errors in form.errors.values() for e in field_errors)
        return _failure(request, article_id, errors, status=400)
    try:
        result = action(article, form.cleaned_data)
    except Article.DoesNotExist as error:
        raise Http404("No such article.") from error
    except review.EditConflict as error:
        return _failure(request, article_id, str(error), status=409)
    except review.NeedsConfirmation as error:
        # The message comes with a form that sends the same action again, confirmed.
        return _failure(request, article_id, str(error), status=400, needs_confirmation=True)
    except review.ReviewError as error:
        return _failure(request, article_id, str(error), status=400)
    notice = success(result) if callable(success) else success
    if not request.htmx:
        if notice:
            messages.success(request, notice)
        return redirect(reverse("articles-review", args=[article.pk]) + _queue_qs_of(request))
    extra: dict[str, Any] = {}
    if isinstance(result, review.Review):
        article, current = result.article, result
        if action_is_edit:
            extra["can_undo"] = True
    else:
        article = _get_article(article_id)
        current = review.review_load(article)
    indexes = changed(current, form.cleaned_data) if changed else ()
    lines = None if indexes is None else [current.lines[i] for i in indexes]
    return render(
        request,
        TEMPLATE + "#update",
        _context(
            article,
            current,
            changed=lines,
            queue_qs=_queue_qs_of(request),
            oob=True,
            notice=notice,
            **extra,
        ),
    )


def _failure(
    request: HtmxHttpRequest, article_id: int, error: str, *, status: int, **extra: Any
) -> HttpResponse:
    article = _get_article(article_id)
    current = review.review_load(article)
    context = _context(article, current, queue_qs=_queue_qs_of(request), error=error, **extra)
    template = TEMPLATE
    if request.htmx:
        # Fresh head and side panel too: after a conflict they show the other editor's state.
        template += "#update"
        context["oob"] = True
    return render(request, template, context, status=status)


@require_POST
@editor_required
def review_lines(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    def act(article: Article, data: dict[str, Any]) -> review.Review:
        common = {
            "article": article,
            "user": request.user,
            "expected_version": data["version"],
            "indexes": data["indexes"],
        }
        if data["label"] in ("toggle", "boilerplate"):
            body = None if data["label"] == "toggle" else False
            return review.lines_toggle(**common, body=body)
        return review.lines_relabel(**common, label=data["label"])

    return _act(request, article_id, LinesForm, act, changed=_changed_lines, action_is_edit=True)


def _changed_lines(current: review.Review, data: dict[str, Any]) -> list[int]:
    return [i for i in data["indexes"] if i < len(current.lines)]


@require_POST
@editor_required
def review_cut(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    def act(article: Article, data: dict[str, Any]) -> review.Review:
        return review.line_cut(
            article=article,
            user=request.user,
            expected_version=data["version"],
            index=data["line"] - 1,
            fragment=data["fragment"],
        )

    return _act(
        request,
        article_id,
        CutForm,
        act,
        changed=lambda _, data: [data["line"] - 1],
        action_is_edit=True,
    )


@require_POST
@editor_required
def review_title(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    return _text_edit(request, article_id, TitleForm, review.title_edit, "title")


@require_POST
@editor_required
def review_byline(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    return _text_edit(request, article_id, BylineForm, review.byline_edit, "byline")


def _text_edit(
    request: HtmxHttpRequest,
    article_id: int,
    form_class: type[Form],
    edit: Callable[..., review.Review],
    name: str,
) -> HttpResponse:
    def act(article: Article, data: dict[str, Any]) -> review.Review:
        return edit(
            article=article,
            user=request.user,
            expected_version=data["version"],
            **{name: data[name]},
        )

    success = f"{name.capitalize()} saved."
    return _act(request, article_id, form_class, act, success=success, action_is_edit=True)


@require_POST
@editor_required
def review_undo(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    def act(article: Article, data: dict[str, Any]) -> review.Review:
        return review.review_undo(
            article=article, user=request.user, expected_version=data["version"]
        )

    # Undo may touch any line: all of them are sent again.
    return _act(request, article_id, VersionedForm, act, changed=lambda _, __: None)


@require_POST
@editor_required
def review_approve(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    def act(article: Article, data: dict[str, Any]) -> TextRevision:
        return review.article_approve(
            article=article, user=request.user, expected_version=data["version"]
        )

    def success(revision: TextRevision) -> str:
        if revision.article.current_revision_id == revision.pk:
            return f"Approved: revision {revision.number} is what annotators see."
        return (
            f"Approved: revision {revision.number} is saved, and waits for the annotations to "
            "be moved onto it before it replaces the current one."
        )

    return _act(request, article_id, VersionedForm, act, success=success)


@require_POST
@editor_required
def review_reject(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    def act(article: Article, data: dict[str, Any]) -> None:
        review.article_reject(
            article=article,
            user=request.user,
            expected_version=data["version"],
            reason=data["reason"],
            note=data["note"],
        )

    return _act(request, article_id, RejectForm, act, success="Rejected.")


@require_POST
@editor_required
def review_reclean(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    def act(article: Article, data: dict[str, Any]) -> None:
        review.article_reclean(
            article=article,
            user=request.user,
            expected_version=data["version"],
            confirmed=data["confirm"],
        )

    response = _act(request, article_id, RecleanForm, act, success="Queued for a new cleaning.")
    if request.htmx and response.status_code == 200:
        # The lines will change under the editor: show the page afresh.
        page = reverse("articles-review", args=[article_id]) + _queue_qs_of(request)
        return HttpResponseClientRedirect(page)
    return response


@require_GET
@editor_required
def review_next(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    """The next article of the queue the page was opened from (its filters and sort; by
    default: needing review, newest first), wrapping around."""
    form = ReviewQueueForm(request.GET)
    queue = reverse("articles-review-queue")
    if not form.is_valid():
        # The queue says what is wrong with the filters.
        return redirect(f"{queue}?{request.GET.urlencode()}")
    # Its place in the queue is all Next needs of the article: not its texts.
    place = Article.objects.select_related("current_cleaning").only(
        "pk", "current_cleaning__id", "current_cleaning__confidence"
    )
    following = review.queue_next(form.filters(), get_object_or_404(place, pk=article_id))
    queue_qs = _queue_qs(form)
    if following is None:
        messages.info(request, "No other article is in this queue.")
        return redirect(queue + queue_qs)
    return redirect(reverse("articles-review", args=[following]) + queue_qs)
