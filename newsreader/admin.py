"""Admin pieces the apps share, and the users' admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from rest_framework.authtoken import admin as token_admin
from rest_framework.authtoken.models import TokenProxy

from newsreader.models import ApiToken


class MadeByTheAppAdmin(admin.ModelAdmin):
    """For working records the app makes and keeps (counts, hints, drafts, jobs): readable,
    and deletable to clear out a wrong or stale one, but never made or edited by hand, which
    would only give the app records no process of its own produced."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(MadeByTheAppAdmin):
    """For append-only records (audit trails, sync tombstones): readable here, never edited
    nor deleted, since consumers and reviewers rely on them as written."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserAdmin(auth_admin.UserAdmin):
    """Users are deactivated, not deleted: a delete would take their annotations along
    without the tombstones API consumers sync deletions by, and leave holes in the audit."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.unregister(User)
admin.site.register(User, UserAdmin)


class TokenAdmin(token_admin.TokenAdmin):
    """DRF's token admin, the key shown once, when it is made, as on the tokens page.

    DRF's shows every user's whole key: anyone who can read the admin could call the API as
    any of them. Here a token goes by the start of its key, enough to tell one from another.
    """

    list_display = ("key_start", "user", "created")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Moving a token to another user would let whoever holds it act as that user.
        return ("user",) if obj is not None else ()

    @admin.display(description="key")
    def key_start(self, token: ApiToken) -> str:
        return f"{token.key[:6]}…"

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        return TemplateResponse(
            request,
            "admin/authtoken/token_made.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"Token made for {obj.user}",
                "token": obj,
            },
        )


admin.site.unregister(TokenProxy)
admin.site.register(ApiToken, TokenAdmin)
