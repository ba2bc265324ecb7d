"""Admin pieces the apps share, and the users' admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import User
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only records (audit trails, sync tombstones): readable here, never edited,
    since consumers and reviewers rely on them as written."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MadeByTheAppAdmin(admin.ModelAdmin):
    """For working records the app makes and keeps (counts, hints, drafts, jobs): readable,
    and deletable to clear out a wrong or stale one, but never made or edited by hand, which
    would only give the app records no process of its own produced."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserAdmin(auth_admin.UserAdmin):
    """Users are deactivated, not deleted: a delete would take their annotations along
    without the tombstones API consumers sync deletions by, and leave holes in the audit."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
