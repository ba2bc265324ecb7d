"""API authentication: DRF's token scheme, cheaper (it runs on every API request)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

from newsreader.binary_rows import fetch_all
from newsreader.throttling import FailedTokenThrottle

# Sent by triggers whenever a token, a user or a user's groups change (newsreader/migrations).
CREDENTIALS_CHANNEL = "newsreader_credentials"
MAX_KEPT_TOKENS = 1000


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, the token and its user read by one SQL statement made once,
    and kept on the connection until PostgreSQL says a credential changed.

    The ORM's ``select_related("user").get(key=…)`` costs as much CPU as the whole of a
    trivial view; this reads the same row and builds the same two objects with ``from_db``.
    """

    _sql: str | None = None

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:
        try:
            return super().authenticate(_AuthorizationOnly(request))
        except exceptions.AuthenticationFailed:
            failures = FailedTokenThrottle()
            if not failures.allow_request(request, None):
                raise exceptions.Throttled(failures.wait()) from None
            raise

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user_model = Token.user.field.related_model  # get_user_model() looks it up by name.
        row = _token_row(self._query(), key)
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        split = len(Token._meta.concrete_fields)
        user = _from_db(user_model, row[split:-1])
        user._newsreader_groups = set(row[-1])  # articles.roles' cache of them.
        token = _from_db(Token, row[:split])
        Token.user.field.set_cached_value(token, user)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token

    @classmethod
    def _query(cls) -> str:
        if cls._sql is None:
            user_model = get_user_model()
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
            cls._sql = (
                f"SELECT {', '.join(columns)} FROM {quote(Token._meta.db_table)} t"
                f" JOIN {quote(user_model._meta.db_table)} u"
                f" ON u.{quote(user_model._meta.pk.column)} = t.{quote(Token.user.field.column)}"
                f" WHERE t.{quote(Token._meta.pk.column)} = %s"
            )
        return cls._sql


class _AuthorizationOnly:
    """All of a request that DRF's token authentication reads: its Authorization header.

    DRF reads it from ``request.headers``, which Django builds from every header of the
    request when first read: a fifth of the authentication's cost. This reads the one.
    """

    def __init__(self, request: Request) -> None:
        meta = getattr(request, "_request", request).META
        self.headers = {"authorization": meta.get("HTTP_AUTHORIZATION", b"")}


def _from_db(model: type[Model], values: Sequence[Any]) -> Model:
    """``model.from_db`` with every concrete field's value, in their order.

    Model.__init__ is most of from_db's cost, and for a row read whole does nothing but set
    the attributes and send the init signals. Where a signal has a receiver, from_db it is.
    """
    if pre_init.receivers or post_init.receivers:  # Any model's: has_listeners costs more.
        return model.from_db(DEFAULT_DB_ALIAS, list(_attnames(model)), values)
    instance = model.__new__(model)
    instance.__dict__.update(zip(_attnames(model), values, strict=True))
    state = instance._state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS  # Where _token_row reads.
    return instance


@functools.cache
def _attnames(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


class _KeptRows:
    """Token rows read on one connection, dropped whenever a credential changes.

    The connection LISTENs on the credentials channel; PostgreSQL delivers a notification
    as soon as the changing transaction commits, and it waits in the connection's socket
    until read. A request reads what has arrived (no round trip) before using a kept row.
    """

    def __init__(self, conn: psycopg.Connection) -> None:
        self.rows: dict[str, tuple[Any, ...]] = {}
        self.changes = 0  # Counts notifications: a row read while one arrived is not kept.
        conn.add_notify_handler(self._changed)

    def _changed(self, notify: psycopg.Notify) -> None:
        self.changes += 1
        self.rows.clear()


# Per psycopg connection, so a connection Django opens again starts empty (and listens anew).
# Django gives each thread its own connection: a thread only reaches its own entry.
_KEPT: WeakKeyDictionary[psycopg.Connection, _KeptRows] = WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def _token_row(sql: str, key: str) -> tuple[Any, ...] | None:
    db = connections[DEFAULT_DB_ALIAS]
    kept = _kept_rows(db)
    if kept is not None and (row := kept.rows.get(key)) is not None:
        return row
    changes = kept.changes if kept is not None else 0
    rows = fetch_all(sql, [key])
    row = rows[0] if rows else None
    if kept is None:
        _listen(db)  # Rows read from now on can be kept.
    elif row is not None and kept.changes == changes:
        if len(kept.rows) >= MAX_KEPT_TOKENS:
            kept.rows.clear()
        kept.rows[key] = row
    return row


def _may_keep(db: BaseDatabaseWrapper) -> bool:
    # Inside a transaction no notification arrives, and this one may yet change tokens.
    return settings.NEWSREADER_TOKEN_CACHE and not db.in_atomic_block and db.connection is not None


def _kept_rows(db: BaseDatabaseWrapper) -> _KeptRows | None:
    """The connection's kept rows, up to date; None where they cannot be trusted."""
    if not _may_keep(db):
        return None
    kept = _KEPT.get(db.connection)
    if kept is None:
        return None
    pgconn = db.connection.pgconn
    try:
        pgconn.consume_input()  # What the server has sent; libpq's socket never blocks.
        while notify := pgconn.notifies():
            pgconn.notify_handler(notify)
    except psycopg.Error:
        kept.rows.clear()  # A broken connection: what it missed is unknown.
        return None
    if pgconn.status != psycopg.pq.ConnStatus.OK:
        kept.rows.clear()
        return None
    return kept


def _listen(db: BaseDatabaseWrapper) -> None:
    if not _may_keep(db) or db.connection in _KEPT:  # In _KEPT: rows just not trusted once.
        return
    with db.cursor() as cursor:
        cursor.execute(f"LISTEN {CREDENTIALS_CHANNEL}")
    with _KEPT_LOCK:
        _KEPT[db.connection] = _KeptRows(db.connection)
