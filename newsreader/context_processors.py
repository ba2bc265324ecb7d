from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from articles import roles


def user_roles(request: HttpRequest) -> dict[str, bool]:
    # No user on a request refused before AuthenticationMiddleware (a bad Host: a 400 page).
    return {"is_editor": roles.is_editor(getattr(request, "user", AnonymousUser()))}
