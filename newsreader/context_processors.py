from __future__ import annotations

from django.http import HttpRequest

from articles import roles


def user_roles(request: HttpRequest) -> dict[str, bool]:
    return {"is_editor": roles.is_editor(request.user)}
