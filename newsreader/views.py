"""Account pages: the API token of the signed-in user (DRF's authtoken: one token a user)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token


@require_http_methods(["GET", "POST"])
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """GET shows whether there is a token; POST creates (or replaces) or revokes it.

    The key is shown once, right after it is made, as GitHub does with its tokens.
    """
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("create", "revoke"):
            messages.error(request, "Unknown action.")
            return redirect("account-tokens")
        replaced, _ = Token.objects.filter(user=request.user).delete()
        if action == "create":
            token = Token.objects.create(user=request.user)
            request.session["new_token"] = token.key
            messages.success(
                request,
                "New token made; the old one no longer works." if replaced else "Token made.",
            )
        else:
            messages.success(request, "Token revoked." if replaced else "There was no token.")
        return redirect("account-tokens")
    token = Token.objects.filter(user=request.user).first()
    new_key = request.session.pop("new_token", None)
    return render(
        request,
        "account/tokens.html",
        {"token": token, "new_key": new_key if token and new_key == token.key else None},
    )
