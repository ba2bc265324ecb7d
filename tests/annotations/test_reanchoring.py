"""Re-anchoring in the database: preview, activation, the Celery task and its idempotency."""

from __future__ import annotations

from unittest import mock

import pytest

from annotations import services, tasks
from annotations.models import AnnotationEvent, Claim, EntityMention, ReanchorRun
from articles.models import Article
from articles.revisions import revision_create
from tests.annotations.factories import BLOCKS, approved_article, project_for, span_of

pytestmark = pytest.mark.django_db

TITLE = "Leaders meet in Paris"


@pytest.fixture
def annotated(annotator):
    article = approved_article()
    project = project_for(annotator, article=article)

    def mention(exact: str, occurrence: int = 0) -> EntityMention:
        return services.mention_create(
            project=project,
            article=article,
            annotator=annotator,
            span=span_of(article, exact, occurrence),
            label="MISC",
        )

    spans = {
        "macron": mention("Emmanuel Macron"),
        "claim": services.claim_create(
            project=project,
            article=article,
            annotator=annotator,
            span=span_of(article, "emissions would fall by 40% before 2030"),
            cue=span_of(article, "said"),
        ),
        "berlin": mention("Critics in Berlin"),
    }
    return article, project, spans


def new_revision(article: Article, blocks: list[str], title: str = TITLE):
    return revision_create(article=article, title=title, blocks=blocks, created_by=None)


def activate(article: Article, revision) -> None:
    with mock.patch("annotations.tasks.reanchor_revision.delay") as delay:
        services.revision_activate(article=article, revision=revision, user=None)
    # Called from on_commit; the test transaction never commits, so run what it would.
    tasks.reanchor_revision(revision.pk)
    assert delay.call_count in (0, 1)


def test_preview_counts_and_changes_nothing(annotated) -> None:
    article, _, _ = annotated
    old = article.current_revision
    new = new_revision(article, ["A new lead paragraph. 🎉", *BLOCKS[:2]])
    report = services.revision_reanchor_preview(old=old, new=new)
    assert report.counts == {"migrated": 3, "fuzzy": 0, "orphaned": 1}
    assert [span.exact for span, _ in report.needs_review] == ["Critics in Berlin"]
    assert EntityMention.objects.filter(revision=old).count() == 2
    assert not AnnotationEvent.objects.filter(action="reanchor").exists()


def test_insertion_deletion_and_an_edit_inside_a_span(annotated) -> None:
    article, _, spans = annotated
    new = new_revision(
        article,
        [
            "A new lead paragraph with 👩‍👩‍👧 emoji.",
            BLOCKS[0],
            "The chancellor said that emissions will fall by 40% before 2030.",
        ],
    )
    activate(article, new)
    macron = EntityMention.objects.get(pk=spans["macron"].pk)
    assert (macron.anchor_state, macron.revision_id) == ("migrated", new.pk)
    assert new.text[macron.start : macron.end] == "Emmanuel Macron"
    claim = Claim.objects.get(pk=spans["claim"].pk)
    assert claim.anchor_state == "fuzzy"
    assert claim.exact == "emissions will fall by 40% before 2030"
    cue = claim.support.get()
    assert (cue.anchor_state, new.text[cue.start : cue.end]) == ("migrated", "said")
    # Deleted paragraph: orphaned, kept on the old revision with its old offsets, not deleted.
    berlin = EntityMention.objects.get(pk=spans["berlin"].pk)
    assert berlin.anchor_state == "orphaned"
    assert berlin.revision_id != new.pk
    assert berlin.exact == "Critics in Berlin"
    article.refresh_from_db()
    assert article.current_revision_id == new.pk
    run = ReanchorRun.objects.get(to_revision=new)
    assert run.status == "done"
    assert run.counts == {"migrated": 2, "fuzzy": 1, "orphaned": 1}


def test_a_duplicated_sentence_keeps_the_span_on_its_own_copy(annotated) -> None:
    article, _, spans = annotated
    new = new_revision(article, [BLOCKS[0], BLOCKS[0], BLOCKS[1], BLOCKS[2]])
    activate(article, new)
    macron = EntityMention.objects.get(pk=spans["macron"].pk)
    assert macron.anchor_state == "migrated"
    # The diff sees the earlier copy as the insertion: the span stays with the paragraph that
    # still has its old neighbours, and is not left ambiguous between two equal quotes.
    assert macron.start == new.text.rindex("Emmanuel Macron")
    assert new.text[macron.end : macron.end + len(macron.suffix)] == macron.suffix


def test_the_task_is_idempotent_and_audited(annotated) -> None:
    article, _, spans = annotated
    new = new_revision(article, [BLOCKS[0], BLOCKS[1]])
    activate(article, new)
    states = dict(EntityMention.objects.values_list("pk", "anchor_state"))
    events = AnnotationEvent.objects.filter(action="reanchor").count()
    assert events == 4  # three moved, one orphaned
    assert tasks.reanchor_revision(new.pk) == {"migrated": 0, "fuzzy": 0, "orphaned": 1}
    assert dict(EntityMention.objects.values_list("pk", "anchor_state")) == states
    assert AnnotationEvent.objects.filter(action="reanchor").count() == events
    event = AnnotationEvent.objects.filter(action="reanchor", object_id=spans["macron"].pk).get()
    assert event.actor is None
    assert event.before["revision"] == spans["macron"].revision_id
    assert event.after["method"] == "diff"


def test_activation_enqueues_the_task_after_commit(
    annotated, django_capture_on_commit_callbacks
) -> None:
    article, _, _ = annotated
    new = new_revision(article, list(BLOCKS))
    with (
        mock.patch("annotations.tasks.reanchor_revision.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.revision_activate(article=article, revision=new, user=None)
        assert delay.call_count == 0
    delay.assert_called_once_with(new.pk)


def test_spans_needing_attention_lists_fuzzy_orphaned_and_pending(annotated, annotator) -> None:
    article, project, spans = annotated
    new = new_revision(
        article, [BLOCKS[0], "The chancellor said that emissions will fall by 40% before 2030."]
    )
    with mock.patch("annotations.tasks.reanchor_revision.delay"):
        services.revision_activate(article=article, revision=new, user=None)
    article.refresh_from_db()
    pending = services.spans_needing_attention(
        project=project, article=article, annotator=annotator
    )
    assert len(pending) == 4  # nothing moved yet: all still on revision 1
    tasks.reanchor_revision(new.pk)
    attention = services.spans_needing_attention(
        project=project, article=article, annotator=annotator
    )
    assert sorted(s.anchor_state for s in attention) == ["fuzzy", "orphaned"]
    # Resolving: confirm the fuzzy claim, place the orphan on the new text.
    claim = Claim.objects.get(pk=spans["claim"].pk)
    services.span_confirm(obj=claim, user=annotator)
    berlin = EntityMention.objects.get(pk=spans["berlin"].pk)
    services.span_resize(obj=berlin, user=annotator, span=span_of(article, "chancellor"))
    assert (
        services.spans_needing_attention(project=project, article=article, annotator=annotator)
        == []
    )


def test_the_report_page_shows_counts_and_makes_the_revision_live(
    annotated, editor, annotator
) -> None:
    from django.test import Client

    from tests.conftest import PASSWORD

    article, _, _ = annotated
    new = new_revision(article, ["A new lead paragraph. 🎉", *BLOCKS[:2]])
    page = f"/annotate/revisions/{new.pk}/reanchor/"
    annotators = Client()
    annotators.login(username=annotator.username, password=PASSWORD)
    assert annotators.get(page).status_code == 403
    client = Client()
    client.login(username=editor.username, password=PASSWORD)
    html = client.get(page).content.decode()
    assert '<output id="count-migrated">3</output>' in html
    assert '<output id="count-orphaned">1</output>' in html
    assert "Critics in Berlin" in html
    article.refresh_from_db()
    assert article.current_revision_id != new.pk  # the preview changed nothing
    with mock.patch("annotations.tasks.reanchor_revision.delay"):
        assert client.post(page).status_code == 302
    article.refresh_from_db()
    assert article.current_revision_id == new.pk


def test_a_new_revision_waits_while_annotations_point_into_the_current_one(
    annotated, editor
) -> None:
    """The review app's gate, with real annotations (their links to revisions are hidden)."""
    from articles import review

    article, _, _ = annotated
    live = article.current_revision
    new = new_revision(article, [*BLOCKS[:2], "Critics called it bold."])
    assert review.revision_propose(article=article, revision=new, user=editor) is False
    article.refresh_from_db()
    assert article.current_revision == live
    assert review.pending_revision(article) == new
    bare = approved_article(title="Nobody annotated this")
    fresh = new_revision(bare, list(BLOCKS[1:]), title="Nobody annotated this")
    assert review.revision_propose(article=bare, revision=fresh, user=editor) is True


def test_an_older_revision_is_not_made_live_again(annotated, editor) -> None:
    """Re-anchoring moves spans forward only: the old revision's page offered its button, and
    pressing it made the old text live while every span stayed on the newer one."""
    from django.test import Client

    from tests.conftest import PASSWORD

    article, _, spans = annotated
    old = article.current_revision
    new = new_revision(article, ["A new lead paragraph.", *BLOCKS[:2]])
    activate(article, new)
    client = Client()
    client.login(username=editor.username, password=PASSWORD)
    page = f"/annotate/revisions/{old.pk}/reanchor/"
    html = client.get(page).content.decode()
    assert "Revision 1 is older than the live revision 2" in html
    assert "Make revision 1 live" not in html
    refused = client.post(page, follow=True).content.decode()
    assert "Not changed: revision 1 is older than the live revision 2" in refused
    article.refresh_from_db()
    spans["macron"].refresh_from_db()
    assert article.current_revision_id == spans["macron"].revision_id == new.pk
    assert not ReanchorRun.objects.filter(from_revision=new, to_revision=old).exists()
    with pytest.raises(services.AnnotationError, match="older than the live revision"):
        services.revision_activate(article=article, revision=old, user=editor)
