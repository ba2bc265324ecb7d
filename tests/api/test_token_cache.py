"""Token rows are kept on a connection until PostgreSQL notifies a change of credentials.

Changes are made on a second connection, as by another worker or the web UI. The notification
reaches this connection a moment after the change commits, hence ``_status_soon``.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from annotations.models import Project
from articles import roles
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)


def _elsewhere(sql: str, params: list[Any]) -> None:
    with psycopg.connect(**{**connection.get_connection_params(), "autocommit": True}) as other:
        other.execute(sql, params)


def _status_soon(client: Any, url: str, status: int, seconds: float = 2.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(url)
        if response.status_code == status or time.monotonic() > deadline:
            assert response.status_code == status
            return response
        time.sleep(0.01)


def _warm(client: Any) -> None:
    """The first request starts listening; the second keeps the row."""
    for _ in range(2):
        assert client.get("/api/sources/").status_code == 200


def test_a_kept_token_is_not_read_again(annotator: User) -> None:
    client = client_for(annotator)
    _warm(client)
    with CaptureQueriesContext(connection) as kept:
        assert client.get("/api/sources/").status_code == 200
    with override_settings(NEWSREADER_TOKEN_CACHE=False), CaptureQueriesContext(connection) as read:
        assert client.get("/api/sources/").status_code == 200
    assert len(read) == len(kept) + 1


def test_a_token_revoked_elsewhere_is_refused(annotator: User) -> None:
    client = client_for(annotator)
    _warm(client)
    _elsewhere("DELETE FROM authtoken_token WHERE user_id = %s", [annotator.pk])
    response = _status_soon(client, "/api/sources/", 401)
    assert response.json() == {"detail": "Invalid token."}


def test_a_user_deactivated_elsewhere_is_refused(annotator: User) -> None:
    client = client_for(annotator)
    _warm(client)
    _elsewhere("UPDATE auth_user SET is_active = false WHERE id = %s", [annotator.pk])
    _status_soon(client, "/api/sources/", 401)


def test_a_role_taken_elsewhere_applies(editor: User) -> None:
    project = Project.objects.create(name="Desk")
    client = client_for(editor)
    _warm(client)
    assert [p["id"] for p in client.get("/api/projects/").json()["results"]] == [project.pk]
    group = Group.objects.get(name=roles.EDITOR)
    _elsewhere(
        "DELETE FROM auth_user_groups WHERE user_id = %s AND group_id = %s",
        [editor.pk, group.pk],
    )
    deadline = time.monotonic() + 2
    while client.get("/api/projects/").json()["results"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert client.get("/api/projects/").json()["results"] == []


def test_inside_a_transaction_the_token_is_read_each_time(annotator: User) -> None:
    client = client_for(annotator)
    _warm(client)
    with transaction.atomic():
        # Uncommitted, so nothing is notified; this transaction's own view counts.
        User.objects.filter(pk=annotator.pk).update(is_active=False)
        assert client.get("/api/sources/").status_code == 401
        transaction.set_rollback(True)
    assert client.get("/api/sources/").status_code == 200


def test_a_dropped_connection_listens_again(annotator: User) -> None:
    client = client_for(annotator)
    _warm(client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    _elsewhere("SELECT pg_terminate_backend(%s)", [pid])
    connection.health_check_done = False  # A new request, as Django marks it.
    _warm(client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), pg_listening_channels()")
        assert cursor.fetchall() != [(pid, "newsreader_credentials")]
        cursor.execute("SELECT pg_listening_channels()")
        assert cursor.fetchall() == [("newsreader_credentials",)]
    _elsewhere("DELETE FROM authtoken_token WHERE user_id = %s", [annotator.pk])
    _status_soon(client, "/api/sources/", 401)


@override_settings(NEWSREADER_TOKEN_CACHE=False)
def test_turned_off_nothing_listens(annotator: User) -> None:
    _warm(client_for(annotator))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_listening_channels()")
        assert cursor.fetchall() == []
