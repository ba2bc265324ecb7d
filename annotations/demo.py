"""Demo data: one project, and the cleaned sample corpus approved and assigned to the annotator."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from annotations import services
from annotations.models import Membership, Project
from articles import review
from articles.models import Article
from articles.revisions import revision_create

PROJECT_NAME = "News stances (demo)"
TOPICS = ["Russia–Ukraine war", "Climate policy", "Migration", "Economy"]
GUIDELINES = """\
Tag every named person (PER), organisation (ORG), country or city (GPE), other place (LOC),
named event (EVENT) and other name (MISC). Link repeated mentions of one entity to it, with its
Wikidata QID when you know it (NIL when it has none).

Mark claims (a clause or sentence that asserts something checkable), say who makes them and
how (direct quote, reported speech, or the author's own assertion), and select the reporting
verb as the cue.

Give the article's stance on each topic with keys 1–4: FAVOR, AGAINST or NONE.
"""


def demo_project_setup() -> Project:
    """The demo project, its members (the demo annotator and editor) if they exist. Idempotent."""
    project = Project.objects.filter(name=PROJECT_NAME).first() or services.project_create(
        name=PROJECT_NAME, topics=TOPICS, guidelines=GUIDELINES
    )
    users = get_user_model().objects.filter(username__in=["annotator", "editor"])
    for user in users:
        role = Membership.Role.EDITOR if user.username == "editor" else Membership.Role.ANNOTATOR
        services.membership_set(project=project, user=user, role=role)
    return project


def approve_cleaned(*, approver: Any) -> list[Article]:
    """Approve every cleaned article that has no text revision yet, as its cleaner left it."""
    approved = []
    candidates = (
        Article.objects.filter(
            state=Article.State.CLEANED,
            current_cleaning__isnull=False,
            current_revision__isnull=True,
        )
        .exclude(review_status=Article.Review.REJECTED)
        .select_related("current_cleaning")
        .order_by("id")
    )
    for article in candidates:
        cleaning = article.current_cleaning
        blocks = review.review_load(article).blocks
        if not cleaning.title.strip() or not any(b.strip() for b in blocks):
            continue
        with transaction.atomic():
            revision = revision_create(
                article=article,
                title=cleaning.title,
                blocks=blocks,
                created_by=approver,
                cleaning=cleaning,
            )
            review.revision_activate(article=article, revision=revision)
            article.review_status = Article.Review.APPROVED
            article.byline = cleaning.byline  # As an editor's approval sets it.
            article.save(update_fields=["review_status", "byline", "updated_at"])
        approved.append(article)
    return approved


def demo_assign() -> str:
    """Approve the cleaned sample articles and assign every approved one to the demo annotator."""
    user_model = get_user_model()
    approver = user_model.objects.filter(username="admin").first()
    annotator = user_model.objects.filter(username="annotator").first()
    if annotator is None:
        return "No demo annotator: run demo_setup first."
    project = demo_project_setup()
    approved = approve_cleaned(approver=approver)
    articles = Article.objects.filter(
        review_status=Article.Review.APPROVED, current_revision__isnull=False
    ).order_by("id")
    assigned = services.assignments_distribute(
        project=project, articles=articles, annotators=[annotator], assigned_by=approver
    )
    return (
        f"{len(approved)} article(s) approved, {assigned} assigned to “annotator” "
        f"in “{project.name}”."
    )
