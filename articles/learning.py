"""Editors' corrections as cleaning signal for their source.

A correction says "this line of this source is <label>". Lines recur across a source's pages
(menus, promos, sign-offs), so the next article from that source gets the corrected label for
the same line through ``CorpusStats.hints``.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from articles.cleaning import LABELS, line_key
from articles.models import Article, CleaningHint, Source


def record_correction(*, article: Article, line: str, label: str) -> None:
    """Remember that ``line`` (text of one raw line of ``article``) is ``label`` in its source."""
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}")
    if not line.strip():
        return
    key = line_key(line)
    with transaction.atomic():
        hint, created = CleaningHint.objects.select_for_update().get_or_create(
            source_id=article.source_id, key=key, defaults={"label": label}
        )
        if not created:
            hint.corrections = F("corrections") + 1
            hint.label = label
            hint.save(update_fields=["corrections", "label", "updated_at"])
        Source.objects.filter(pk=article.source_id).update(hints_version=F("hints_version") + 1)


def hints_for(source_ids: set[int]) -> dict[int, dict[int, str]]:
    """{source id: {line key: label}} for the given sources."""
    hints: dict[int, dict[int, str]] = {source_id: {} for source_id in source_ids}
    for source_id, key, label in CleaningHint.objects.filter(source_id__in=source_ids).values_list(
        "source_id", "key", "label"
    ):
        hints[source_id][key] = label
    return hints
