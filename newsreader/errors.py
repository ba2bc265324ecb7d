"""Error pages: JSON under /api/ (what API clients parse), the site's HTML pages elsewhere."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

API_PREFIX = "/api/"


def for_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if for_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Django stops reading at the first file over the limit, before any view runs (the CSRF
    # check reads the form): this is the only place that can say why.
    message = too_many_files_message() if isinstance(exception, TooManyFilesSent) else None
    if for_api(request):
        return JsonResponse({"detail": message or "Bad request."}, status=400)
    if message is None:
        return defaults.bad_request(request, exception)
    if request.headers.get("HX-Request") == "true":
        # upload.js shows a text/plain answer as it is.
        return HttpResponse(message, content_type="text/plain; charset=utf-8", status=400)
    return render(request, "400.html", {"message": message, "back": request.path}, status=400)


def too_many_files_message() -> str:
    limit = settings.NEWSREADER_UPLOAD_MAX_FILES
    return (
        f"Too many files: at most {limit:,} can be sent at once, and nothing was uploaded. "
        "Send fewer at a time, or put them in a .zip or .tar.gz archive (one file)."
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if for_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
