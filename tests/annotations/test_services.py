"""Annotation services and the database's guarantees: anchors, constraints, audit, tombstones."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from annotations import services
from annotations.models import (
    AnnotationEvent,
    Assignment,
    Claim,
    EntityMention,
    Stance,
    SupportSpan,
    Tombstone,
)
from annotations.services import AnnotationError, Span
from tests.annotations.factories import approved_article, edit_text, project_for, span_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(annotator):
    article = approved_article()
    project = project_for(annotator, article=article)
    return project, article, annotator


def paris(setup) -> EntityMention:
    """The annotator's GPE mention of "Paris"."""
    project, article, user = setup
    return services.mention_create(
        project=project,
        article=article,
        annotator=user,
        span=span_of(article, "Paris"),
        label="GPE",
    )


def test_a_mention_stores_position_and_quote(setup) -> None:
    project, article, user = setup
    mention = services.mention_create(
        project=project,
        article=article,
        annotator=user,
        span=span_of(article, "Macron"),
        label="PER",
    )
    text = article.current_revision.text
    assert text[mention.start : mention.end] == "Macron"
    assert mention.prefix == text[max(0, mention.start - 32) : mention.start]
    assert mention.suffix == text[mention.end : mention.end + 32]
    assert len(mention.prefix) == 32
    assert mention.anchor_state == "anchored"
    assert mention.origin == "human"
    assert mention.revision_id == article.current_revision_id


def test_the_quote_must_match_the_offsets(setup) -> None:
    project, article, user = setup
    span = span_of(article, "Macron")
    with pytest.raises(AnnotationError, match="does not match"):
        services.mention_create(
            project=project,
            article=article,
            annotator=user,
            span=Span(span.start + 1, span.end + 1, "Macron"),
            label="PER",
        )
    with pytest.raises(AnnotationError, match="outside"):
        services.mention_create(
            project=project,
            article=article,
            annotator=user,
            span=Span(10_000, 10_006, "Macron"),
            label="PER",
        )
    assert not EntityMention.objects.exists()


def test_a_stale_revision_is_refused(setup) -> None:
    project, article, user = setup
    loaded = edit_text(article)
    mention = {"project": project, "article": article, "annotator": user, "label": "PER"}
    with pytest.raises(services.StaleRevision):
        services.mention_create(**mention, span=span_of(article, "Macron"), revision_id=loaded)
    with pytest.raises(AnnotationError, match="is not a revision of this article"):
        services.mention_create(**mention, span=span_of(article, "Macron"), revision_id=10**9)


def test_a_mention_lies_within_one_paragraph(setup) -> None:
    project, article, user = setup
    text = article.current_revision.text
    start = text.index("Monday.")
    across = Span(start, start + 12, text[start : start + 12])
    assert "\n" in across.exact
    with pytest.raises(AnnotationError, match="within one paragraph"):
        services.mention_create(
            project=project, article=article, annotator=user, span=across, label="PER"
        )
    macron = span_of(article, "Macron")
    mention = services.mention_create(
        project=project, article=article, annotator=user, span=macron, label="PER"
    )
    with pytest.raises(AnnotationError, match="within one paragraph"):
        services.span_resize(obj=mention, user=user, span=across)


def test_unknown_labels_are_refused(setup) -> None:
    project, article, user = setup
    with pytest.raises(AnnotationError, match="not a label"):
        services.mention_create(
            project=project,
            article=article,
            annotator=user,
            span=span_of(article, "Macron"),
            label="WEAPON",
        )


def test_the_database_keeps_spans_inside_the_text(setup) -> None:
    _, article, _ = setup
    mention = paris(setup)
    length = len(article.current_revision.text)
    for start, end in [(-1, 3), (5, 5), (7, 3), (length - 2, length + 1)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            EntityMention.objects.filter(pk=mention.pk).update(start=start, end=end)
    EntityMention.objects.filter(pk=mention.pk).update(start=length - 1, end=length)


def test_overlapping_and_nested_spans_are_allowed(setup) -> None:
    project, article, user = setup
    for exact in ("Angela Merkel met Emmanuel Macron", "Merkel", "Merkel met"):
        services.mention_create(
            project=project,
            article=article,
            annotator=user,
            span=span_of(article, exact),
            label="MISC",
        )
    assert EntityMention.objects.count() == 3


def test_a_claim_with_an_entity_claimant_and_a_cue(setup) -> None:
    project, article, user = setup
    merkel = services.entity_create(
        project=project,
        article=article,
        annotator=user,
        name="Angela Merkel",
        label="PER",
        kb_id="Q567",
    )
    claim = services.claim_create(
        project=project,
        article=article,
        annotator=user,
        span=span_of(article, "emissions would fall by 40% before 2030"),
        checkworthiness=Claim.Worthiness.CFS,
        claim_type=Claim.Type.QUANTITY,
        claimant_kind=Claim.Claimant.ENTITY,
        claimant=merkel,
        attribution=Claim.Attribution.REPORTED,
        cue=span_of(article, "said"),
    )
    assert claim.claimant == merkel
    assert [s.exact for s in claim.support.all()] == ["said"]
    # A second cue replaces the first, leaving a tombstone.
    services.support_create(claim=claim, role="cue", span=span_of(article, "called"), user=user)
    assert [s.exact for s in claim.support.all()] == ["called"]
    assert Tombstone.objects.filter(model="supportspan").count() == 1


def test_claimant_kind_and_entity_agree_in_the_database(setup) -> None:
    project, article, user = setup
    claim = services.claim_create(
        project=project, article=article, annotator=user, span=span_of(article, "Critics in Berlin")
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(claimant_kind="entity")
    # Through the services, a clear message rather than the constraint's.
    said_by = "needs that entity as its claimant"
    with pytest.raises(AnnotationError, match=said_by):
        services.claim_update(claim=claim, user=user, claimant_kind="entity")
    with pytest.raises(AnnotationError, match=said_by):
        services.claim_create(
            project=project,
            article=article,
            annotator=user,
            span=span_of(article, "Critics in Berlin"),
            claimant_kind="entity",
        )


def test_a_claimant_alone_says_an_entity_said_it(setup) -> None:
    """Naming the claimant is enough; naming it beside another kind is refused, not dropped."""
    project, article, user = setup
    merkel = services.entity_create(
        project=project, article=article, annotator=user, name="Merkel", label="PER"
    )
    span = span_of(article, "Critics in Berlin")
    claim = services.claim_create(
        project=project, article=article, annotator=user, span=span, claimant=merkel
    )
    assert (claim.claimant_kind, claim.claimant) == ("entity", merkel)
    unwanted = 'Only a claim said by an entity \\(claimant_kind "entity"\\) has a claimant'
    with pytest.raises(AnnotationError, match=unwanted):
        services.claim_create(
            project=project,
            article=article,
            annotator=user,
            span=span_of(article, "emissions would fall by 40% before 2030"),
            claimant_kind="author",
            claimant=merkel,
        )
    services.claim_update(claim=claim, user=user, claimant_kind="author")
    claim.refresh_from_db()
    assert (claim.claimant_kind, claim.claimant) == ("author", None)
    services.claim_update(claim=claim, user=user, claimant=merkel)
    claim.refresh_from_db()
    assert (claim.claimant_kind, claim.claimant) == ("entity", merkel)
    with pytest.raises(AnnotationError, match=unwanted):
        services.claim_update(claim=claim, user=user, claimant_kind="author", claimant=merkel)


def test_stance_labels_depend_on_the_target(setup) -> None:
    project, article, user = setup
    claim = services.claim_create(
        project=project, article=article, annotator=user, span=span_of(article, "Critics in Berlin")
    )
    with pytest.raises(AnnotationError):
        services.stance_create(
            project=project,
            article=article,
            annotator=user,
            label="FAVOR",
            target_kind="claim",
            target_claim=claim,
        )
    with pytest.raises(AnnotationError):
        services.stance_create(
            project=project,
            article=article,
            annotator=user,
            label="AGREE",
            target_kind="topic",
            target_topic="Climate policy",
        )
    with pytest.raises(AnnotationError, match="not a topic"):
        services.stance_create(
            project=project,
            article=article,
            annotator=user,
            label="FAVOR",
            target_kind="topic",
            target_topic="Football",
        )
    with pytest.raises(AnnotationError, match="Choose one of your entities"):
        services.stance_create(
            project=project, article=article, annotator=user, label="FAVOR", target_kind="entity"
        )
    stance = services.stance_create(
        project=project,
        article=article,
        annotator=user,
        label="DISCUSS",
        target_kind="claim",
        target_claim=claim,
        evidence=[span_of(article, "unrealistic")],
    )
    assert [e.exact for e in stance.evidence.all()] == ["unrealistic"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Stance.objects.filter(pk=stance.pk).update(label="FAVOR")


def test_the_article_stance_on_a_topic_is_set_changed_and_cleared(setup) -> None:
    project, article, user = setup
    kwargs = {"project": project, "article": article, "annotator": user, "topic": "Climate policy"}
    first = services.article_topic_stance_set(**kwargs, label="FAVOR")
    second = services.article_topic_stance_set(**kwargs, label="AGAINST")
    assert first.pk == second.pk
    assert Stance.objects.get().label == "AGAINST"
    services.article_topic_stance_set(**kwargs, label=None)
    assert not Stance.objects.exists()
    assert Tombstone.objects.filter(model="stance", object_id=first.pk).exists()


def test_each_project_has_its_own_article_stance_on_a_topic(setup) -> None:
    project, article, user = setup
    other = project_for(user, article=article)
    for which, label in ((project, "FAVOR"), (other, "AGAINST")):
        services.article_topic_stance_set(
            project=which, article=article, annotator=user, topic="Climate policy", label=label
        )
    assert dict(Stance.objects.values_list("project", "label")) == {
        project.pk: "FAVOR",
        other.pk: "AGAINST",
    }


def test_every_change_is_audited(setup) -> None:
    project, article, user = setup
    mention = paris(setup)
    services.mention_update(mention=mention, user=user, label="LOC")
    services.span_resize(obj=mention, user=user, span=span_of(article, "in Paris"))
    pk = mention.pk
    services.annotation_delete(obj=mention, user=user)
    events = list(
        AnnotationEvent.objects.filter(model="entitymention", object_id=pk).order_by("id")
    )
    assert [e.action for e in events] == ["create", "update", "update", "delete"]
    assert events[1].before["label"] == "GPE" and events[1].after["label"] == "LOC"
    assert events[2].after["exact"] == "in Paris"
    assert events[3].after is None and events[3].actor == user
    tombstone = Tombstone.objects.get(model="entitymention", object_id=pk)
    assert tombstone.project == project and tombstone.annotator == user


def test_an_update_that_changes_nothing_writes_nothing(setup) -> None:
    project, article, user = setup
    mention = paris(setup)
    kwargs = {"project": project, "article": article, "annotator": user, "topic": "Climate policy"}
    stance = services.article_topic_stance_set(**kwargs, label="FAVOR")
    written = {m: m.updated_at for m in (mention, stance)}
    events = AnnotationEvent.objects.count()
    same = [
        services.mention_update(mention=mention, user=user, label="GPE", entity=None),
        services.span_resize(obj=mention, user=user, span=span_of(article, "Paris")),
        services.span_confirm(obj=mention, user=user),
        services.article_topic_stance_set(**kwargs, label="FAVOR"),
    ]
    assert [obj.unchanged for obj in same] == [True] * 4
    assert AnnotationEvent.objects.count() == events
    for obj, updated_at in written.items():
        obj.refresh_from_db()
        assert obj.updated_at == updated_at
    # A real change still is one.
    changed = services.mention_update(mention=mention, user=user, label="LOC")
    assert changed.unchanged is False
    assert AnnotationEvent.objects.count() == events + 1


def test_resizing_keeps_links(setup) -> None:
    project, article, user = setup
    entity = services.entity_create(
        project=project, article=article, annotator=user, name="Macron", label="PER"
    )
    claim = services.claim_create(
        project=project,
        article=article,
        annotator=user,
        span=span_of(article, "emissions would fall"),
        claimant_kind="entity",
        claimant=entity,
    )
    stance = services.stance_create(
        project=project,
        article=article,
        annotator=user,
        label="AGREE",
        target_kind="claim",
        target_claim=claim,
    )
    services.span_resize(
        obj=claim, user=user, span=span_of(article, "emissions would fall by 40% before 2030")
    )
    claim.refresh_from_db()
    assert claim.exact == "emissions would fall by 40% before 2030"
    assert claim.claimant == entity
    assert Stance.objects.get(pk=stance.pk).target_claim == claim


def test_deleting_a_claim_takes_its_stances_and_cue_along_with_tombstones(setup) -> None:
    project, article, user = setup
    claim = services.claim_create(
        project=project,
        article=article,
        annotator=user,
        span=span_of(article, "emissions would fall"),
        cue=span_of(article, "said"),
    )
    services.stance_create(
        project=project,
        article=article,
        annotator=user,
        label="AGREE",
        target_kind="claim",
        target_claim=claim,
    )
    services.annotation_delete(obj=claim, user=user)
    assert not (Claim.objects.exists() or Stance.objects.exists() or SupportSpan.objects.exists())
    assert sorted(Tombstone.objects.values_list("model", flat=True)) == [
        "claim",
        "stance",
        "supportspan",
    ]


def test_an_entity_in_use_is_not_deleted(setup) -> None:
    project, article, user = setup
    entity = services.entity_create(
        project=project, article=article, annotator=user, name="X", label="PER"
    )
    services.claim_create(
        project=project,
        article=article,
        annotator=user,
        span=span_of(article, "Critics"),
        claimant_kind="entity",
        claimant=entity,
    )
    with pytest.raises(AnnotationError, match="claimant"):
        services.annotation_delete(obj=entity, user=user)


def test_only_the_annotator_changes_an_annotation(setup, editor) -> None:
    mention = paris(setup)
    with pytest.raises(PermissionError):
        services.mention_update(mention=mention, user=editor, label="LOC")
    with pytest.raises(PermissionError):
        services.annotation_delete(obj=mention, user=editor)


def test_assignment_needs_an_approved_article_and_respects_n(
    annotator, editor, django_user_model
) -> None:
    article = approved_article()
    project = project_for(annotator)
    services.assignment_create(
        project=project, article=article, annotator=annotator, assigned_by=editor
    )
    other = django_user_model.objects.create_user("carol")
    with pytest.raises(AnnotationError, match="already has 1"):
        services.assignment_create(
            project=project, article=article, annotator=other, assigned_by=editor
        )
    draft = approved_article(title="Draft")
    draft.review_status = "needs_review"
    draft.save()
    with pytest.raises(AnnotationError, match="approved"):
        services.assignment_create(
            project=project, article=draft, annotator=annotator, assigned_by=editor
        )


def test_distribution_gives_each_article_n_annotators_least_loaded_first(
    annotator, editor, django_user_model
) -> None:
    carol = django_user_model.objects.create_user("carol")
    project = project_for(annotator, carol)
    project.annotators_per_article = 2
    project.save()
    articles = [approved_article(title=f"Article {i}") for i in range(3)]
    created = services.assignments_distribute(
        project=project, articles=articles, annotators=[annotator, carol], assigned_by=editor
    )
    assert created == 6
    assert Assignment.objects.filter(annotator=carol).count() == 3
    # Running it again assigns nothing more.
    assert (
        services.assignments_distribute(
            project=project, articles=articles, annotators=[annotator, carol], assigned_by=editor
        )
        == 0
    )


def test_queue_progress_and_submit(annotator) -> None:
    first, second = approved_article(title="One"), approved_article(title="Two")
    project = project_for(annotator)
    for article in (first, second):
        services.assignment_create(
            project=project, article=article, annotator=annotator, assigned_by=None
        )
    assert services.assignment_next(project=project, user=annotator).article == first
    assert services.assignment_progress(project=project, user=annotator) == (0, 2)
    services.assignment_submit(
        assignment=services.assignment_next(project=project, user=annotator), user=annotator
    )
    assert services.assignment_next(project=project, user=annotator).article == second
    assert services.assignment_progress(project=project, user=annotator) == (1, 2)


def test_submitting_waits_for_spans_that_need_checking(setup) -> None:
    project, article, user = setup
    mention = services.mention_create(
        project=project,
        article=article,
        annotator=user,
        span=span_of(article, "Macron"),
        label="PER",
    )
    EntityMention.objects.filter(pk=mention.pk).update(anchor_state=EntityMention.State.FUZZY)
    assignment = services.assignment_next(project=project, user=user)
    with pytest.raises(AnnotationError, match="Resolve the 1 span under “To resolve” first"):
        services.assignment_submit(assignment=assignment, user=user)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ASSIGNED
    EntityMention.objects.filter(pk=mention.pk).update(anchor_state=EntityMention.State.ANCHORED)
    services.assignment_submit(assignment=assignment, user=user)
    assert assignment.status == Assignment.Status.SUBMITTED


def test_revision_create_and_annotations_on_unicode_text(annotator) -> None:
    # CRLF in the raw input, NBSP, combining marks, ZWJ emoji and RTL text.
    blocks = ["Caf\u0065\u0301 👩‍👩‍👧 met\r\nשלום\u00a0עולם 🇺🇦 in Kyiv."]
    article = approved_article(title="Ünïcode", blocks=blocks)
    revision = article.current_revision
    assert "\r" not in revision.text
    project = project_for(annotator, article=article)
    for exact in ("Café", "👩‍👩‍👧", "שלום\u00a0עולם", "🇺🇦", "Kyiv"):
        span = span_of(article, exact)
        mention = services.mention_create(
            project=project, article=article, annotator=annotator, span=span, label="MISC"
        )
        assert revision.text[mention.start : mention.end] == exact
