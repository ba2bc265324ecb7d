"""newsreader.binary_rows reads rows on Django's connection, with Django's connection care."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from newsreader.binary_rows import fetch_all


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_dropped_is_opened_again() -> None:
    first = fetch_all("SELECT pg_backend_pid()")[0][0]
    params = {**connection.get_connection_params(), "autocommit": True}
    with psycopg.connect(**params) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [first])
    # A new request: Django checks the persistent connection once before its first query.
    connection.health_check_done = False
    connection.health_check_enabled = True  # Set from the settings at connect; on in production.
    again = fetch_all("SELECT pg_backend_pid(), %s::int + 1", [41])
    assert again[0][1] == 42 and again[0][0] != first
