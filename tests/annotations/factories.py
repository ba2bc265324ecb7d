from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from annotations import services
from annotations.models import Project
from articles.models import Article
from articles.revisions import revision_create
from tests.articles.factories import make_article

BLOCKS = (
    "Angela Merkel met Emmanuel Macron in Paris on Monday.",
    "The chancellor said that emissions would fall by 40% before 2030.",
    "Critics in Berlin called the promise unrealistic.",
)


def approved_article(
    title: str = "Leaders meet in Paris", blocks: Sequence[str] = BLOCKS, *, by: Any = None
) -> Article:
    """An ingested article whose revision 1 is approved and live, as annotators get it."""
    raw = f"{title}\n\n" + "\n\n".join(blocks) + f"\n\n<!-- {uuid.uuid4()} -->"
    article = make_article(raw, name=f"{uuid.uuid4().hex}.txt")
    revision = revision_create(article=article, title=title, blocks=blocks, created_by=by)
    article.current_revision = revision
    article.review_status = Article.Review.APPROVED
    article.save(update_fields=["current_revision", "review_status"])
    return article


def project_for(
    *annotators: Any, article: Article | None = None, topics: Sequence[str] = ("Climate policy",)
) -> Project:
    project = services.project_create(name=f"Project {uuid.uuid4().hex[:8]}", topics=topics)
    for user in annotators:
        services.membership_set(project=project, user=user)
        if article is not None:
            project.annotators_per_article = len(annotators)
            project.save()
            services.assignment_create(
                project=project, article=article, annotator=user, assigned_by=None
            )
    return project


def span_of(article: Article, exact: str, occurrence: int = 0) -> services.Span:
    text = article.current_revision.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(exact, start + 1)
    return services.Span(start, start + len(exact), exact)


def edit_text(article: Article) -> int:
    """Make a new revision of ``article`` current, as an editor's correction does; the id
    of the revision it had (now stale)."""
    loaded = article.current_revision_id
    article.current_revision = revision_create(
        article=article,
        title=article.title,
        blocks=[*BLOCKS[:2], "Critics agreed."],
        created_by=None,
    )
    article.save(update_fields=["current_revision"])
    return loaded
