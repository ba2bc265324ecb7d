"""API authentication: DRF's token scheme, cheaper (it runs on every API request)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from newsreader.binary_rows import fetch_all


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, the token and its user read by one SQL statement made once.

    The ORM's ``select_related("user").get(key=…)`` costs as much CPU as the whole of a
    trivial view; this reads the same row and builds the same two objects with ``from_db``.
    """

    _sql: str | None = None

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user_model = get_user_model()
        token_fields = [f.attname for f in Token._meta.concrete_fields]
        user_fields = [f.attname for f in user_model._meta.concrete_fields]
        if self._sql is None:
            quote = connection.ops.quote_name
            columns = [f"t.{quote(f.column)}" for f in Token._meta.concrete_fields] + [
                f"u.{quote(f.column)}" for f in user_model._meta.concrete_fields
            ]
            # The user's group names too: every API view asks for the user's role.
            through = user_model.groups.through
            group = user_model.groups.field.related_model
            in_group, of_user = (
                quote(through._meta.get_field(name).column) for name in ("group", "user")
            )
            columns.append(
                f"ARRAY(SELECT g.{quote(group._meta.get_field('name').column)}"
                f" FROM {quote(through._meta.db_table)} ug"
                f" JOIN {quote(group._meta.db_table)} g"
                f" ON g.{quote(group._meta.pk.column)} = ug.{in_group}"
                f" WHERE ug.{of_user} = u.{quote(user_model._meta.pk.column)})"
            )
            type(self)._sql = (
                f"SELECT {', '.join(columns)} FROM {quote(Token._meta.db_table)} t"
                f" JOIN {quote(user_model._meta.db_table)} u"
                f" ON u.{quote(user_model._meta.pk.column)} = t.{quote(Token.user.field.column)}"
                f" WHERE t.{quote(Token._meta.pk.column)} = %s"
            )
        rows = fetch_all(self._sql, [key])
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        row = rows[0]
        split = len(token_fields)
        user = user_model.from_db(connection.alias, user_fields, row[split:-1])
        user._newsreader_groups = set(row[-1])  # articles.roles' cache of them.
        token = Token.from_db(connection.alias, token_fields, row[:split])
        Token.user.field.set_cached_value(token, user)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token
