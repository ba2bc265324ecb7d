"""A project's annotations in sync order are one index range, for every kind of annotation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import Q

from annotations.models import Claim, Entity, EntityMention, Stance, SupportSpan

pytestmark = pytest.mark.django_db

KINDS = {
    "entity": Entity,
    "mention": EntityMention,
    "claim": Claim,
    "stance": Stance,
    "support": SupportSpan,
}


@pytest.mark.parametrize("prefix", KINDS)
def test_a_projects_page_after_a_cursor_reads_one_index_range(prefix: str) -> None:
    model = KINDS[prefix]
    when = datetime(2026, 1, 1, tzinfo=UTC)
    # The page query of ?project= after a cursor, as KeysetPagination writes it.
    page = (
        model.objects.filter(project_id=1, updated_at__gte=when)
        .filter(Q(updated_at__gt=when) | Q(updated_at=when, id__gt=5))
        .order_by("updated_at", "id")[:101]
    )
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # The test tables are nearly empty.
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"{prefix}_project_sync_idx" in plan, plan
    assert "Sort" not in plan, plan  # In order from the index: no reading the whole project.
