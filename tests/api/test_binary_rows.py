"""newsreader.binary_rows reads rows on Django's connection, with Django's connection care."""

from __future__ import annotations

import psycopg
import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from newsreader.binary_rows import fetch_all


def _new_request() -> None:
    """As Django at a request's start: the persistent connection is to be checked again."""
    connection.health_check_done = False
    connection.health_check_enabled = True  # Set from the settings at connect; on in production.


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_dropped_is_opened_again() -> None:
    first = fetch_all("SELECT pg_backend_pid()")[0][0]
    params = {**connection.get_connection_params(), "autocommit": True}
    with psycopg.connect(**params) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [first])
    _new_request()
    again = fetch_all("SELECT pg_backend_pid(), %s::int + 1", [41])
    assert again[0][1] == 42 and again[0][0] != first
    assert connection.health_check_done


@pytest.mark.django_db(transaction=True)
def test_a_working_connection_is_not_pinged(monkeypatch: pytest.MonkeyPatch) -> None:
    fetch_all("SELECT 1")
    _new_request()
    pings: list[None] = []
    monkeypatch.setattr(connection, "is_usable", lambda: pings.append(None) or True)
    assert fetch_all("SELECT 2") == [(2,)]
    assert pings == []
    # Nor by Django's own cursors later in the request: the connection has just worked.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 3")
    assert pings == []


@pytest.mark.django_db
def test_reads_are_logged_as_written_once_prepared_too() -> None:
    sql = "SELECT %s::int + 1"
    with CaptureQueriesContext(connection) as logged:
        for _ in range(4):  # Prepared after two runs (NEWSREADER_PREPARE_THRESHOLD).
            assert fetch_all(sql, [1]) == [(2,)]
    assert [query["sql"] for query in logged.captured_queries] == [sql] * 4


@pytest.mark.django_db(transaction=True)
def test_errors_are_djangos_and_the_next_read_works() -> None:
    with pytest.raises(DatabaseError, match="division by zero"):
        fetch_all("SELECT 1 / %s::int", [0])
    assert fetch_all("SELECT 1 / %s::int", [1]) == [(1,)]


@pytest.mark.django_db
def test_execute_wrappers_see_each_read() -> None:
    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert fetch_all("SELECT %s::int", [5]) == [(5,)]
    assert seen == ["SELECT %s::int"]
