"""Rows of a read query in PostgreSQL's binary format, on Django's connection.

Django's psycopg cursors bind parameters on the client, which allows only text results, and
Django reads every text ``timestamptz`` through a Python loader: for a page of 100 rows that
parsing costs more than PostgreSQL spends on the whole query. A cursor that binds on the
server can ask for binary results, which psycopg reads in C. Its statements are prepared
after ``NEWSREADER_PREPARE_THRESHOLD`` runs on a connection (psycopg's ``prepare_threshold``,
which Django's client-side cursors ignore), saving PostgreSQL the parse and plan each time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


class _BinaryCursor(psycopg.Cursor):
    def __init__(self, conn: psycopg.Connection) -> None:
        super().__init__(conn)
        self.format = psycopg.pq.Format.BINARY


class _LoggedCursor(CursorDebugWrapper):
    """Logs a statement as written, its parameters beside it. Django would log the text
    psycopg sent, and psycopg keeps none for a statement it has prepared: None in the log."""

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


def fetch_all(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """``sql`` (``%s`` placeholders, as Django writes them) run with ``params``: every row.

    Through Django's cursor wrapper, so errors become ``django.db`` errors and the query is
    logged where Django logs queries (``DEBUG``, ``CaptureQueriesContext``).

    A persistent connection the server has dropped is opened again, not an error, as with
    Django's own cursors (``CONN_HEALTH_CHECKS``). Django pings the connection before a
    request's first query, a round trip on every request; a read outside a transaction can
    instead just run, and run once more on a new connection if the old one turns out dead.
    """
    db = connections[DEFAULT_DB_ALIAS]  # Once: each use of the proxy looks it up again.
    may_retry = (
        db.health_check_enabled
        and not db.health_check_done
        and db.connection is not None
        and not db.in_atomic_block
    )
    if not may_retry:
        db.close_if_health_check_failed()
    try:
        rows = _fetch_all(db, sql, params)
    except Error:  # django.db.Error: the driver's errors, as Django wraps them.
        if not may_retry or db.is_usable():
            raise
        db.close()
        rows = _fetch_all(db, sql, params)
    db.health_check_done = True  # The connection works: the request's other queries need no ping.
    return rows


def _fetch_all(db: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    db.ensure_connection()
    db.validate_thread_sharing()
    if db.queries_logged or db.execute_wrappers:
        raw = _BinaryCursor(db.connection)
        cursor = _LoggedCursor(raw, db) if db.queries_logged else db.make_cursor(raw)
        with cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # What Django's cursor wrapper does when nothing is logged or wrapped, on a cursor kept
    # per connection: making a cursor and its wrapper costs a third of running a small query.
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        cursor = _kept_cursor(db)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _kept_cursor(db: BaseDatabaseWrapper) -> _BinaryCursor:
    """The connection's binary cursor (each thread has its own connection); it holds its last
    result, a page at most, until the next read."""
    cursor: _BinaryCursor | None = getattr(db, "_newsreader_binary_cursor", None)
    if cursor is None or cursor.connection is not db.connection:  # Opened again since.
        cursor = db._newsreader_binary_cursor = _BinaryCursor(db.connection)
    return cursor
