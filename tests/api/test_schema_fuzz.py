"""schemathesis against the OpenAPI schema, through Django's WSGI app: no 5xx, and every answer
matches the schema (body and content type). Examples are few per operation, to stay quick."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from annotations import services
from tests.annotations.factories import approved_article, project_for, span_of
from tests.conftest import _user

CHECKS = [
    schemathesis.checks.not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
]


# The schema endpoint is public and touches no database: loading it needs no test data.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_connection() -> Iterator[None]:
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db: None) -> str:
    """A superuser's token (every code path open), and data for the ids to find."""
    root = _user("fuzz", is_staff=True, is_superuser=True)
    article = approved_article()
    project = project_for(root, article=article)
    services.mention_create(
        project=project,
        article=article,
        annotator=root,
        span=span_of(article, "Paris"),
        label="GPE",
    )
    return Token.objects.create(user=root).key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_schema(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
