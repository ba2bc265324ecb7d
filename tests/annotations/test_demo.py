from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from annotations.demo import PROJECT_NAME
from annotations.models import Assignment, Membership, Project
from articles.models import Article
from articles.tasks import clean_articles
from tests.articles.factories import make_article

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "articles" / "sample_corpus"


def test_demo_setup_then_demo_assign(monkeypatch) -> None:
    monkeypatch.setenv("NEWSREADER_DEMO_PASSWORD", "demo")
    call_command("demo_setup")
    project = Project.objects.get(name=PROJECT_NAME)
    assert set(project.memberships.values_list("user__username", "role")) == {
        ("annotator", Membership.Role.ANNOTATOR),
        ("editor", Membership.Role.EDITOR),
    }
    files = sorted(SAMPLE.glob("*.txt"))[:3]
    articles = [make_article(f.read_text(), name=f.name) for f in files]
    clean_articles([a.pk for a in articles])
    summary = call_command("demo_assign")
    approved = Article.objects.filter(review_status="approved", current_revision__isnull=False)
    assert approved.count() >= 1
    assert Assignment.objects.filter(annotator__username="annotator").count() == approved.count()
    assert f"{approved.count()} assigned" in summary
    for article in approved:
        revision = article.current_revision
        assert revision.number == 1 and revision.text.startswith(revision.title)
        # Approved as the cleaner left it: its byline too, as the API gives it.
        assert article.byline == article.current_cleaning.byline
    assert any(article.byline for article in approved)
    # Again: nothing new, nothing duplicated.
    assert call_command("demo_assign").startswith("0 article(s) approved, 0 assigned")
    call_command("demo_setup")
    assert Project.objects.filter(name=PROJECT_NAME).count() == 1
