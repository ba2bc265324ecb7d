"""A 411 for a request body sent without a length (``Transfer-Encoding: chunked``).

Django reads CONTENT_LENGTH bytes of a body and, without one, none: a chunked body would
reach the view as empty, and the client be told that every field is missing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from newsreader.errors import for_api

MESSAGE = "Length required: send the body with a Content-Length header; a chunked body is not read."


class LengthRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if "HTTP_TRANSFER_ENCODING" in meta and not meta.get("CONTENT_LENGTH"):
            if for_api(request):
                return JsonResponse({"detail": MESSAGE}, status=411)
            return HttpResponse(MESSAGE, content_type="text/plain; charset=utf-8", status=411)
        return self.get_response(request)
