"""Roles are Django groups: editors review and ingest, annotators annotate; admins do all."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

EDITOR = "editor"
ANNOTATOR = "annotator"
# What a 403 says to someone who is not an editor, in every app.
EDITORS_ONLY = "Only editors can do this. Ask an administrator if you need this role."


def _groups(user: Any) -> set[str]:
    # Cached on the user object, so a request asks the database once.
    if not hasattr(user, "_newsreader_groups"):
        user._newsreader_groups = set(user.groups.values_list("name", flat=True))
    return user._newsreader_groups


def is_editor(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or EDITOR in _groups(user))


def is_annotator(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or ANNOTATOR in _groups(user))
