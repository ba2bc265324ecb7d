"""A signed-out htmx request goes to the login page as a whole page, with the page it came from.

Django's login_required answers 302; the browser follows it inside the htmx request, so the
login form would be swapped into a panel (and an annotation's "Saved." shown for nothing)
and, once signed in, the user would land on the POST-only URL the request was for.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code not in (301, 302):
            return response  # Before asking for htmx: that reads (and builds) every header.
        htmx = getattr(request, "htmx", None)
        if not htmx:
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != login:
            return response
        back = htmx.current_url_abs_path or request.get_full_path()
        return HttpResponseClientRedirect(f"{login}?{urlencode({'next': back})}")
