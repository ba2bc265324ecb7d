"""Annotation workflows: projects, assignments, annotations with audit, and re-anchoring."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Model, Q
from django.forms.models import model_to_dict
from django.utils import timezone

from annotations import anchoring
from annotations.models import (
    DEFAULT_ENTITY_LABELS,
    HUMAN,
    SPAN_MODELS,
    Anchored,
    AnnotationEvent,
    Assignment,
    Claim,
    Entity,
    EntityMention,
    Membership,
    Project,
    ReanchorRun,
    Stance,
    SupportSpan,
    Tombstone,
)
from articles import review, roles
from articles.models import Article, TextRevision


class AnnotationError(Exception):
    """Input a person can correct: shown to them, never a 500. ``field`` names the input
    at fault, where one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StaleRevision(AnnotationError):
    """The article got a new revision since the page was loaded."""


class ChangedElsewhere(AnnotationError):
    """The annotation was saved from another tab or window since this form showed it."""


CHANGED_ELSEWHERE = (
    "Not saved: this annotation was changed in another tab or window after you opened it. "
    "It is shown as it is now; make your change again if it still applies."
)


def check_unchanged_since(obj: Any, seen: datetime | None) -> None:
    """Refuses an edit made on a form older than the annotation's last save.

    Two tabs on the same article would otherwise each overwrite what the other saved, without
    a word. ``seen`` is the ``updated_at`` the form was shown with; None skips the check (a
    form that does not carry it). A save that changed nothing keeps ``updated_at``, so it
    does not make other forms stale.
    """
    if seen is not None and obj.updated_at != seen:
        raise ChangedElsewhere(CHANGED_ELSEWHERE)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    exact: str


# ---------------------------------------------------------------- access


def project_role(user: Any, project: Project) -> str | None:
    """ "editor", "annotator" or None. Site editors and admins are editors of every project."""
    if not user.is_authenticated:
        return None
    if roles.is_editor(user):
        return Membership.Role.EDITOR
    role = (
        Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()
    )
    return role


def visible_annotator(user: Any, project: Project, role: str | None = None) -> Any | None:
    """Blind by default: annotators see their own annotations (the user); editors all (None)."""
    role = role or project_role(user, project)
    return None if role == Membership.Role.EDITOR else user


# ---------------------------------------------------------------- audit


def _snapshot(obj: Model) -> dict[str, Any]:
    data = model_to_dict(obj)
    data["id"] = obj.pk
    return {key: value for key, value in data.items() if key not in ("article", "project")}


def _event(obj: Any, action: str, actor: Any, before: dict | None, after: dict | None) -> None:
    _event_row(obj, action, actor, before, after).save()


def _event_row(
    obj: Any, action: str, actor: Any, before: dict | None, after: dict | None
) -> AnnotationEvent:
    return AnnotationEvent(
        project_id=obj.project_id,
        article_id=obj.article_id,
        actor=actor,
        model=type(obj).__name__.lower(),
        object_id=obj.pk,
        action=action,
        before=before,
        after=after,
    )


def _create(obj: Any, actor: Any) -> Any:
    """Saves a new annotation; a tool's (non-human origin) that it already made is not made
    again: the existing one comes back, its ``reused`` set, so a pre-annotation tool can be
    run again over the same articles without doubling its spans."""
    try:
        # No savepoint: on an error the whole (outer) transaction is rolled back anyway.
        with transaction.atomic(savepoint=False):
            if obj.origin != HUMAN and (existing := _same_pre_annotation(obj)) is not None:
                existing.reused = True
                return existing
            obj.save()
    except IntegrityError as error:
        raise AnnotationError(f"Not saved: {_integrity_message(error)}") from error
    _event(obj, AnnotationEvent.Action.CREATE, actor, None, _snapshot(obj))
    return obj


def _same_pre_annotation(obj: Any) -> Any | None:
    """An annotation with every value of the unsaved ``obj``, made by the same tool and user.

    Two identical requests at once are made one after the other (a lock per kind, article
    and annotator until the transaction ends), so the second finds the first.
    """
    model = type(obj)
    key = zlib.crc32(f"{model._meta.label}:{obj.article_id}:{obj.annotator_id}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    values = {
        f.attname: getattr(obj, f.attname)
        for f in model._meta.concrete_fields
        if not f.primary_key and f.attname not in ("created_at", "updated_at")
    }
    return model.objects.filter(**values).order_by("id").first()


def _update(obj: Any, actor: Any, before: dict[str, Any], fields: Iterable[str]) -> Any:
    # A save of what is already there (a form sent unchanged, a key pressed twice) is no
    # edit: no audit event, and updated_at stays, so sync consumers are not sent it again.
    obj.unchanged = _snapshot(obj) == before
    if obj.unchanged:
        return obj
    try:
        with transaction.atomic(savepoint=False):
            obj.save(update_fields=[*fields, "updated_at"])
    except IntegrityError as error:
        raise AnnotationError(f"Not saved: {_integrity_message(error)}") from error
    _event(obj, AnnotationEvent.Action.UPDATE, actor, before, _snapshot(obj))
    return obj


def _delete(obj: Any, actor: Any) -> None:
    before = _snapshot(obj)
    Tombstone.objects.create(
        project_id=obj.project_id,
        article_id=obj.article_id,
        annotator_id=obj.annotator_id,
        model=type(obj).__name__.lower(),
        object_id=obj.pk,
    )
    _event(obj, AnnotationEvent.Action.DELETE, actor, before, None)
    obj.delete()


def _integrity_message(error: IntegrityError) -> str:
    text = str(error)
    if "stance_author_topic_uniq" in text:
        return "the article already has a stance on this topic."
    if "beyond the end" in text or "start_lt_end" in text or "start_nonneg" in text:
        return "the span lies outside the text."
    return "the annotation is inconsistent."


def _check_owner(obj: Any, user: Any) -> None:
    if obj.annotator_id != user.pk:
        raise PermissionError("Only its annotator can change an annotation.")


# ---------------------------------------------------------------- projects and assignments


def project_create(
    *,
    name: str,
    topics: Sequence[str] = (),
    guidelines: str = "",
    entity_labels: list[dict[str, str]] | None = None,
    annotators_per_article: int = 1,
) -> Project:
    return Project.objects.create(
        name=name,
        topics=list(topics),
        guidelines=guidelines,
        entity_labels=entity_labels if entity_labels is not None else DEFAULT_ENTITY_LABELS,
        annotators_per_article=annotators_per_article,
    )


def topics_in_use(*, project: Project, topics: Iterable[str]) -> dict[str, int]:
    """How many stances (anyone's) point at each of ``topics``; unused ones are left out."""
    return dict(
        Stance.objects.filter(
            project=project, target_kind=Stance.Target.TOPIC, target_topic__in=list(topics)
        )
        .values_list("target_topic")
        .annotate(n=Count("id"))
        .order_by()
    )


def labels_in_use(*, project: Project, labels: Iterable[str]) -> dict[str, int]:
    """How many entities and mentions (anyone's) carry each of ``labels``; unused ones are
    left out."""
    labels = list(labels)
    used: Counter[str] = Counter()
    for model in (Entity, EntityMention):
        used.update(
            dict(
                model.objects.filter(project=project, label__in=labels)
                .values_list("label")
                .annotate(n=Count("id"))
                .order_by()
            )
        )
    return dict(used)


def project_topic_rename(*, project: Project, old: str, new: str, user: Any) -> tuple[str, int]:
    """Renames a topic and carries every stance on it over to the new name; returns the name
    as saved and how many stances moved.

    Stances name their topic (``target_topic``): renaming the project's list alone would
    leave them pointing at a topic the project no longer has.
    """
    new = new.strip()
    with transaction.atomic():
        project = _locked_for_rename(project, old, new, "topic")
        project.topics = [new if topic == old else topic for topic in project.topics]
        project.save(update_fields=["topics", "updated_at"])
        stances = Stance.objects.filter(
            project=project, target_kind=Stance.Target.TOPIC, target_topic=old
        )
        return new, _update_each(stances, user, target_topic=new)


def project_label_rename(*, project: Project, old: str, new: str, user: Any) -> tuple[str, int]:
    """Renames an entity label (its key and description stay) and carries every entity and
    mention that has it over to the new name; returns the name as saved (in capitals) and
    how many of those moved.

    Entities and mentions name their label: renaming the project's list alone would leave
    them with a label the project no longer has.
    """
    new = new.strip().upper()
    with transaction.atomic():
        project = _locked_for_rename(project, old, new, "label")
        if not re.fullmatch(LABEL_NAME, new):
            raise AnnotationError(f"“{new}”: capital letters, digits, - and _ only.", field="new")
        project.entity_labels = [
            {**label, "name": new} if label["name"] == old else label
            for label in project.entity_labels
        ]
        project.save(update_fields=["entity_labels", "updated_at"])
        return new, sum(
            _update_each(model.objects.filter(project=project, label=old), user, label=new)
            for model in (Entity, EntityMention)
        )


# What an entity label's name may be: the workspace shows it, exports write it as a type name.
LABEL_NAME = r"[A-Z][A-Z0-9_-]{0,29}"


def _locked_for_rename(project: Project, old: str, new: str, what: str) -> Project:
    """The project, locked (two editors renaming at once would each write the list they
    read), once ``old`` is one of its topics or labels (``what``) and ``new`` a free name."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    names = project.topics if what == "topic" else project.label_names
    if old not in names:
        raise AnnotationError(f"“{old}” is not a {what} of this project.", field="old")
    if not new:
        raise AnnotationError(f"Give the {what} a new name.", field="new")
    if new == old:
        raise AnnotationError(f"“{old}” is already called that.", field="new")
    if new in names:
        raise AnnotationError(f"“{new}” is already another {what} of this project.", field="new")
    return project


def _update_each(rows: Any, actor: Any, **values: Any) -> int:
    """Sets ``values`` on every annotation of the queryset ``rows``, each change audited as
    :func:`_update` audits one (so sync consumers see each row move), in a few statements
    instead of two per row. Returns how many rows changed."""
    changed = list(rows.select_for_update())
    if not changed:
        return 0
    now = timezone.now()
    events = []
    for obj in changed:
        before = _snapshot(obj)
        for name, value in values.items():
            setattr(obj, name, value)
        obj.updated_at = now  # bulk_update does not apply auto_now.
        events.append(_event_row(obj, AnnotationEvent.Action.UPDATE, actor, before, _snapshot(obj)))
    type(changed[0]).objects.bulk_update(changed, [*values, "updated_at"], batch_size=1000)
    AnnotationEvent.objects.bulk_create(events, batch_size=1000)
    return len(changed)


def membership_set(*, project: Project, user: Any, role: str = Membership.Role.ANNOTATOR) -> None:
    Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})


def assignment_create(
    *, project: Project, article: Article, annotator: Any, assigned_by: Any | None
) -> tuple[Assignment, bool]:
    """The annotator's assignment to the article in the project, and whether it is new."""
    if article.review_status != Article.Review.APPROVED or not article.current_revision_id:
        raise AnnotationError("Only approved articles can be assigned.")
    with transaction.atomic():
        # Lock the article so two editors cannot both take the last of its N places.
        Article.objects.select_for_update().filter(pk=article.pk).get()
        existing = Assignment.objects.filter(project=project, article=article)
        if mine := existing.filter(annotator=annotator).first():
            return mine, False
        if existing.count() >= project.annotators_per_article:
            raise AnnotationError(
                f"This article already has {project.annotators_per_article} annotator(s)."
            )
        membership_set(project=project, user=annotator, role=_role_or_annotator(project, annotator))
        made = Assignment.objects.create(
            project=project, article=article, annotator=annotator, assigned_by=assigned_by
        )
        return made, True


def _role_or_annotator(project: Project, user: Any) -> str:
    role = Membership.objects.filter(project=project, user=user).values_list("role", flat=True)
    return role.first() or Membership.Role.ANNOTATOR


def assignments_distribute(
    *, project: Project, articles: Iterable[Article], annotators: Sequence[Any], assigned_by: Any
) -> int:
    """Give each article N annotators (the project's setting), the least loaded first."""
    if not annotators:
        return 0
    load = Counter(
        dict(
            Assignment.objects.filter(project=project, status=Assignment.Status.ASSIGNED)
            .values_list("annotator")
            .annotate(n=Count("id"))
        )
    )
    created = 0
    for article in articles:
        have = set(
            Assignment.objects.filter(project=project, article=article).values_list(
                "annotator", flat=True
            )
        )
        wanted = project.annotators_per_article - len(have)
        candidates = sorted((u for u in annotators if u.pk not in have), key=lambda u: load[u.pk])
        for user in candidates[: max(0, wanted)]:
            assignment_create(
                project=project, article=article, annotator=user, assigned_by=assigned_by
            )
            load[user.pk] += 1
            created += 1
    return created


def assignment_next(*, project: Project, user: Any) -> Assignment | None:
    return (
        Assignment.objects.filter(
            project=project, annotator=user, status=Assignment.Status.ASSIGNED
        )
        .select_related("article")
        .order_by("id")
        .first()
    )


def assignment_progress(*, project: Project, user: Any) -> tuple[int, int]:
    counts = Assignment.objects.filter(project=project, annotator=user).aggregate(
        total=Count("id"), done=Count("id", filter=Q(status=Assignment.Status.SUBMITTED))
    )
    return counts["done"], counts["total"]


def assignment_submit(*, assignment: Assignment, user: Any) -> Assignment:
    """Hands the article in; refused while the annotator's spans need checking (fuzzy or
    orphaned after re-anchoring): once submitted, they could no longer be fixed."""
    if assignment.annotator_id != user.pk:
        raise PermissionError("Only the assigned annotator can submit.")
    if assignment.status != Assignment.Status.SUBMITTED:
        unresolved = spans_needing_attention(
            project=assignment.project, article=assignment.article, annotator=user
        )
        if unresolved:
            raise AnnotationError(
                f"Resolve the {len(unresolved)} span{'s' if len(unresolved) != 1 else ''} under"
                " “To resolve” first: confirm each or place it again."
            )
        assignment.status = Assignment.Status.SUBMITTED
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["status", "submitted_at", "updated_at"])
        _event(assignment, AnnotationEvent.Action.SUBMIT, user, None, None)
    return assignment


def assignment_reopen(*, assignment: Assignment, user: Any) -> Assignment:
    """Gives a submitted article back to its annotator to change (an editor's call: submitting
    makes it read-only for them). Audited; ``updated_at`` moves, so sync consumers see it."""
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.status != Assignment.Status.SUBMITTED:
            raise AnnotationError("This article is not submitted: it is open already.")
        assignment.status = Assignment.Status.ASSIGNED
        assignment.submitted_at = None
        assignment.save(update_fields=["status", "submitted_at", "updated_at"])
        _event(assignment, AnnotationEvent.Action.REOPEN, user, None, None)
    return assignment


# ---------------------------------------------------------------- spans


def _anchor_fields(revision: TextRevision, span: Span) -> dict[str, Any]:
    """Checks that the text at the offsets is the quote the client saw, and builds the anchor."""
    if span.start >= span.end:
        raise AnnotationError("start must be less than end.")
    if not anchoring.valid_span(revision.text, span.start, span.end):
        raise AnnotationError("The selection lies outside the text.")
    if revision.text[span.start : span.end] != span.exact:
        raise AnnotationError(
            "The selected text does not match the article at these offsets;"
            " load the article again (its text may have changed)."
        )
    quote = anchoring.quote_at(revision.text, span.start, span.end)
    return {
        "revision": revision,
        "start": span.start,
        "end": span.end,
        "exact": quote.exact,
        "prefix": quote.prefix,
        "suffix": quote.suffix,
        "anchor_state": Anchored.State.ANCHORED,
        "anchor_score": None,
    }


def _current_revision(article: Article, revision_id: int | None) -> TextRevision:
    revision = article.current_revision
    if revision is None:
        raise AnnotationError("This article has no approved text yet.")
    if revision_id is not None and revision_id != revision.pk:
        number = (
            TextRevision.objects.filter(pk=revision_id, article_id=article.pk)
            .values_list("number", flat=True)
            .first()
        )
        if number is None:
            raise AnnotationError(f"Revision {revision_id} is not a revision of this article.")
        if number > revision.number:
            # Approved, but its re-anchoring has not made it live yet.
            raise StaleRevision(
                f"Revision {revision_id} (number {number}) is not live yet: the article's text"
                f" is still revision {revision.pk} (number {revision.number}) until the"
                " annotations are re-anchored to the new one."
            )
        raise StaleRevision(
            "The article text has changed since it was loaded (it has a newer revision);"
            " load it again."
        )
    return revision


def _entity_of(entity: Entity | None, article: Article, annotator: Any) -> Entity | None:
    if entity is not None and (
        entity.article_id != article.pk or entity.annotator_id != annotator.pk
    ):
        raise AnnotationError("That entity belongs to another article or annotator.")
    return entity


def entity_create(
    *,
    project: Project,
    article: Article,
    annotator: Any,
    name: str,
    label: str,
    kb_id: str = "",
    origin: str = HUMAN,
) -> Entity:
    _check_label(project, label)
    return _create(
        Entity(
            project=project,
            article=article,
            annotator=annotator,
            name=name.strip()[:300],
            label=label,
            kb_id=kb_id,
            origin=origin,
        ),
        annotator,
    )


def entity_choice_labels(entities: list[Entity]) -> list[Entity]:
    """Gives each entity the ``choice_label`` a dropdown shows: name, label and QID, and,
    where two would still read the same (two "Angela Merkel (PER)" not linked yet), the words
    around its first mention, so an annotator can tell which is which."""
    for entity in entities:
        entity.choice_label = str(entity)
    counts = Counter(entity.choice_label for entity in entities)
    alike = [entity for entity in entities if counts[entity.choice_label] > 1]
    if not alike:
        return entities
    first = {
        mention.entity_id: mention
        for mention in EntityMention.objects.filter(entity__in=alike)
        .order_by("entity_id", "start", "id")
        .distinct("entity_id")
        .only("entity_id", "exact", "prefix", "suffix")
    }
    for entity in alike:
        mention = first.get(entity.pk)
        if mention is None:
            entity.choice_label += f" · no mention (#{entity.pk})"
            continue
        entity.choice_label += f" · “…{_words_around(mention)}…”"
    # Mentions of the same words (the same place tagged twice, a repeated "said Smith.") still
    # read alike: the id tells them apart then.
    counts = Counter(entity.choice_label for entity in alike)
    for entity in alike:
        if counts[entity.choice_label] > 1:
            entity.choice_label += f" (#{entity.pk})"
    return entities


def _words_around(mention: EntityMention, reach: int = 24) -> str:
    """The mention with up to ``reach`` characters either side, cut at whole words."""
    before, after = mention.prefix[-reach:], mention.suffix[:reach]
    if len(mention.prefix) > reach:
        before = re.split(r"\s", before, maxsplit=1)[-1]
    if len(mention.suffix) > reach:
        after = re.split(r"\s(?=\S*$)", after, maxsplit=1)[0]
    return " ".join(f"{before}{mention.exact}{after}".split())


def entity_update(*, entity: Entity, user: Any, **changes: Any) -> Entity:
    _check_owner(entity, user)
    if changes.get("label", entity.label) != entity.label:  # A label the project dropped stays.
        _check_label(entity.project, changes["label"])
    before = _snapshot(entity)
    for name, value in changes.items():
        setattr(entity, name, value)
    return _update(entity, user, before, changes)


def _check_label(project: Project, label: str) -> None:
    if label not in project.label_names:
        raise AnnotationError(f"“{label}” is not a label of this project.", field="label")


def _check_one_paragraph(revision: TextRevision, span: Span) -> None:
    """A name is never split across paragraphs (a claim may be: it is a sentence or more)."""
    if not any(start <= span.start and span.end <= end for start, end in revision.blocks):
        raise AnnotationError("A mention lies within one paragraph.")


def mention_create(
    *,
    project: Project,
    article: Article,
    annotator: Any,
    span: Span,
    label: str,
    entity: Entity | None = None,
    revision_id: int | None = None,
    origin: str = HUMAN,
) -> EntityMention:
    _check_label(project, label)
    revision = _current_revision(article, revision_id)
    anchor = _anchor_fields(revision, span)
    _check_one_paragraph(revision, span)
    return _create(
        EntityMention(
            project=project,
            article=article,
            annotator=annotator,
            origin=origin,
            label=label,
            entity=_entity_of(entity, article, annotator),
            **anchor,
        ),
        annotator,
    )


def span_resize(
    *, obj: Anchored, user: Any, span: Span, revision_id: int | None = None
) -> Anchored:
    """Moves a span on the current revision. It is an update: links to it stay (INCEpTION#1632).

    This is also how a person resolves a fuzzy or orphaned span.
    """
    _check_owner(obj, user)
    revision = _current_revision(obj.article, revision_id)
    fields = _anchor_fields(revision, span)
    if isinstance(obj, EntityMention):
        _check_one_paragraph(revision, span)
    before = _snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    return _update(obj, user, before, [*fields, "revision"])


def span_confirm(*, obj: Anchored, user: Any) -> Anchored:
    """A person agrees with where re-anchoring put a fuzzy span."""
    _check_owner(obj, user)
    obj.unchanged = obj.anchor_state != Anchored.State.FUZZY
    if obj.unchanged:
        return obj
    before = _snapshot(obj)
    obj.anchor_state = Anchored.State.ANCHORED
    return _update(obj, user, before, ["anchor_state"])


def mention_update(
    *, mention: EntityMention, user: Any, label: str | None = None, entity: Any = ...
) -> EntityMention:
    _check_owner(mention, user)
    before = _snapshot(mention)
    fields = []
    if label is not None:
        if label != mention.label:  # A label the project dropped stays until changed.
            _check_label(mention.project, label)
        mention.label = label
        fields.append("label")
    if entity is not ...:
        mention.entity = _entity_of(entity, mention.article, user)
        fields.append("entity")
    return _update(mention, user, before, fields)


CLAIMANT_NEEDED = "A claim said by an entity needs that entity as its claimant."
CLAIMANT_UNWANTED = 'Only a claim said by an entity (claimant_kind "entity") has a claimant.'


def _claimant_kind(kind: str | None, claimant: Entity | None) -> str:
    """What ``kind`` and ``claimant`` say together; a claimant alone says: an entity.

    A claimant beside another kind is refused, not dropped without a word.
    """
    if kind is None:
        return Claim.Claimant.UNATTRIBUTED if claimant is None else Claim.Claimant.ENTITY
    if kind == Claim.Claimant.ENTITY and claimant is None:
        raise AnnotationError(CLAIMANT_NEEDED)
    if kind != Claim.Claimant.ENTITY and claimant is not None:
        raise AnnotationError(CLAIMANT_UNWANTED)
    return kind


def claim_create(
    *,
    project: Project,
    article: Article,
    annotator: Any,
    span: Span,
    checkworthiness: str = Claim.Worthiness.CFS,
    claim_type: str = Claim.Type.OTHER,
    claimant_kind: str | None = None,
    claimant: Entity | None = None,
    attribution: str = Claim.Attribution.AUTHOR,
    cue: Span | None = None,
    revision_id: int | None = None,
    origin: str = HUMAN,
) -> Claim:
    """A claim; ``claimant_kind`` left out follows from ``claimant`` (unattributed without)."""
    claimant_kind = _claimant_kind(claimant_kind, claimant)
    revision = _current_revision(article, revision_id)
    with transaction.atomic():
        claim = _create(
            Claim(
                project=project,
                article=article,
                annotator=annotator,
                origin=origin,
                checkworthiness=checkworthiness,
                claim_type=claim_type,
                claimant_kind=claimant_kind,
                claimant=_entity_of(claimant, article, annotator),
                attribution=attribution,
                **_anchor_fields(revision, span),
            ),
            annotator,
        )
        if cue is not None and not (claim.reused and _has_cue(claim, cue)):
            support_create(
                claim=claim, role=SupportSpan.Role.CUE, span=cue, user=annotator, origin=origin
            )
    return claim


def _has_cue(claim: Claim, cue: Span) -> bool:
    return claim.support.filter(
        role=SupportSpan.Role.CUE, revision_id=claim.revision_id, start=cue.start, end=cue.end
    ).exists()


def claim_update(*, claim: Claim, user: Any, **changes: Any) -> Claim:
    _check_owner(claim, user)
    before = _snapshot(claim)
    named = changes.get("claimant")
    if named is not None:
        _entity_of(named, claim.article, user)
        # Naming a claimant says who said it; naming it beside another kind is refused.
        changes["claimant_kind"] = _claimant_kind(changes.get("claimant_kind"), named)
    elif changes.get("claimant_kind", claim.claimant_kind) != Claim.Claimant.ENTITY:
        changes["claimant"] = None  # Said by no entity now: its claimant goes.
    elif changes.get("claimant", claim.claimant) is None:
        raise AnnotationError(CLAIMANT_NEEDED)
    for name, value in changes.items():
        setattr(claim, name, value)
    return _update(claim, user, before, changes)


def support_create(
    *,
    span: Span,
    role: str,
    user: Any,
    claim: Claim | None = None,
    stance: Stance | None = None,
    origin: str = HUMAN,
) -> SupportSpan:
    owner = claim or stance
    assert owner is not None
    _check_owner(owner, user)
    revision = _current_revision(owner.article, None)
    if role == SupportSpan.Role.CUE and claim is not None:
        # One cue per claim: a new one replaces the old (deleted with a tombstone).
        for old in claim.support.filter(role=SupportSpan.Role.CUE):
            _delete(old, user)
    return _create(
        SupportSpan(
            project_id=owner.project_id,
            article_id=owner.article_id,
            annotator=user,
            origin=origin,
            role=role,
            claim=claim,
            stance=stance,
            **_anchor_fields(revision, span),
        ),
        user,
    )


def stance_create(
    *,
    project: Project,
    article: Article,
    annotator: Any,
    label: str,
    target_kind: str,
    target_topic: str = "",
    target_entity: Entity | None = None,
    target_claim: Claim | None = None,
    holder: Entity | None = None,
    evidence: Sequence[Span] = (),
    origin: str = HUMAN,
) -> Stance:
    _check_stance(project, article, annotator, label, target_kind, target_topic, target_claim)
    if target_kind == Stance.Target.ENTITY and target_entity is None:
        raise AnnotationError("Choose one of your entities in this article.")
    if target_kind == Stance.Target.TOPIC and holder is None:
        _check_no_other_topic_stance(project, article, annotator, target_topic, label, origin)
    with transaction.atomic():
        stance = _create(
            Stance(
                project=project,
                article=article,
                annotator=annotator,
                origin=origin,
                holder_kind=Stance.Holder.ENTITY if holder else Stance.Holder.AUTHOR,
                holder=_entity_of(holder, article, annotator),
                target_kind=target_kind,
                target_topic=target_topic if target_kind == Stance.Target.TOPIC else "",
                target_entity=_entity_of(target_entity, article, annotator)
                if target_kind == Stance.Target.ENTITY
                else None,
                target_claim=target_claim if target_kind == Stance.Target.CLAIM else None,
                label=label,
            ),
            annotator,
        )
        kept = [
            support_create(
                stance=stance,
                role=SupportSpan.Role.EVIDENCE,
                span=span,
                user=annotator,
                origin=origin,
            ).pk
            for span in evidence
        ]
        if stance.reused and evidence:
            # Evidence is part of the stance, not of its identity (as a claim's cue): a tool's
            # stance posted again with evidence carries it as the tool now sees it. What the
            # tool gave before and not now goes; a person's stays. Posted without any, as a
            # claim without a cue, the stance keeps what it has.
            for old in stance.evidence.filter(origin=origin).exclude(pk__in=kept):
                _delete(old, annotator)
    return stance


def _author_topic_stance(
    project: Project, article: Article, annotator: Any, topic: str
) -> Stance | None:
    """The annotator's stance of the article's author toward ``topic``, if there is one."""
    return Stance.objects.filter(
        project=project,
        article=article,
        annotator=annotator,
        holder_kind=Stance.Holder.AUTHOR,
        target_kind=Stance.Target.TOPIC,
        target_topic=topic,
    ).first()


def _check_no_other_topic_stance(
    project: Project, article: Article, annotator: Any, topic: str, label: str, origin: str
) -> None:
    """The author has one stance toward a topic (a constraint): another is refused naming the
    one there is, to change instead. The same again from a tool is its re-run (``_create``)."""
    existing = _author_topic_stance(project, article, annotator, topic)
    if existing is None or (
        origin != HUMAN and (existing.origin, existing.label) == (origin, label)
    ):
        return
    raise AnnotationError(
        f"Not saved: the article already has your stance on this topic (stance {existing.pk},"
        f" {existing.label}, origin {existing.origin}): change its label instead."
    )


def _check_stance(
    project: Project,
    article: Article,
    annotator: Any,
    label: str,
    target_kind: str,
    topic: str,
    claim: Claim | None,
) -> None:
    allowed = Stance.TOWARD_CLAIMS if target_kind == Stance.Target.CLAIM else Stance.TOWARD_OTHERS
    if label not in allowed:
        raise AnnotationError(
            f"Toward {'a claim' if target_kind == 'claim' else 'an entity or topic'} "
            f"a stance is one of {', '.join(allowed)}."
        )
    if target_kind == Stance.Target.TOPIC and not topic:
        raise AnnotationError("A stance toward a topic names the topic.", field="target_topic")
    if target_kind == Stance.Target.TOPIC and topic not in project.topics:
        raise AnnotationError(f"“{topic}” is not a topic of this project.")
    if target_kind == Stance.Target.CLAIM and (
        claim is None or claim.article_id != article.pk or claim.annotator_id != annotator.pk
    ):
        raise AnnotationError("Choose one of your claims in this article.")


def stance_update(*, stance: Stance, user: Any, label: str) -> Stance:
    _check_owner(stance, user)
    _check_stance(
        stance.project,
        stance.article,
        user,
        label,
        stance.target_kind,
        stance.target_topic,
        stance.target_claim,
    )
    before = _snapshot(stance)
    stance.label = label
    return _update(stance, user, before, ["label"])


def article_topic_stance_set(
    *, project: Project, article: Article, annotator: Any, topic: str, label: str | None
) -> Stance | None:
    """The article's (its author's) stance on a topic: the one-keystroke case. None clears it."""
    existing = _author_topic_stance(project, article, annotator, topic)
    if existing is None:
        if label is None:
            return None
        return stance_create(
            project=project,
            article=article,
            annotator=annotator,
            label=label,
            target_kind=Stance.Target.TOPIC,
            target_topic=topic,
        )
    if label is None:
        annotation_delete(obj=existing, user=annotator)
        return None
    return stance_update(stance=existing, user=annotator, label=label)


def annotation_delete(*, obj: Any, user: Any) -> None:
    """Deletes with a tombstone and an audit event; what hangs on it goes the same way."""
    _check_owner(obj, user)
    with transaction.atomic():
        if isinstance(obj, Entity):
            used = obj.claims.count() + obj.stances_held.count() + obj.stances_received.count()
            if used:
                raise AnnotationError(
                    "This entity is a claimant or in a stance; change those first."
                )
            for mention in obj.mentions.all():
                before = _snapshot(mention)
                mention.entity = None
                _update(mention, user, before, ["entity"])
        if isinstance(obj, Claim):
            for stance in obj.stances.all():
                annotation_delete(obj=stance, user=user)
            for support in obj.support.all():
                _delete(support, user)
        if isinstance(obj, Stance):
            for support in obj.evidence.all():
                _delete(support, user)
        _delete(obj, user)


# ---------------------------------------------------------------- re-anchoring


@dataclass
class ReanchorReport:
    """What re-anchoring old → new did (or would do) to every span of the article."""

    old: TextRevision
    new: TextRevision
    items: list[tuple[Anchored, anchoring.Result]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(result.state for _, result in self.items)
        return {state: counts.get(state, 0) for state in ("migrated", "fuzzy", "orphaned")}

    @property
    def needs_review(self) -> list[tuple[Anchored, anchoring.Result]]:
        return [(span, result) for span, result in self.items if result.state != "migrated"]


def _spans_on(revision: TextRevision) -> list[Anchored]:
    spans: list[Anchored] = []
    for model in SPAN_MODELS:
        spans.extend(model.objects.filter(revision=revision).select_related("annotator"))
    return spans


def revision_reanchor_preview(*, old: TextRevision, new: TextRevision) -> ReanchorReport:
    """What would happen to the annotations on ``old`` if ``new`` went live. Saves nothing."""
    spans = _spans_on(old)
    anchors = [anchoring.Anchor(s.start, s.end, s.exact, s.prefix, s.suffix) for s in spans]
    results = anchoring.reanchor(old.text, new.text, anchors)
    return ReanchorReport(old, new, list(zip(spans, results, strict=True)))


REANCHOR_FIELDS = [
    "revision",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "anchor_state",
    "anchor_score",
    "updated_at",
]


def _write_anchors(model: type[Anchored], spans: list[Anchored]) -> None:
    # One statement per row, pipelined by psycopg's executemany: bulk_update's CASE WHEN
    # expressions take seconds to build for a few hundred rows.
    columns = [model._meta.get_field(name).column for name in REANCHOR_FIELDS]
    assignments = ", ".join(f'"{column}" = %s' for column in columns)
    sql = f'UPDATE "{model._meta.db_table}" SET {assignments} WHERE "id" = %s'
    rows = [
        [
            span.revision_id,
            span.start,
            span.end,
            span.exact,
            span.prefix,
            span.suffix,
            span.anchor_state,
            span.anchor_score,
            span.updated_at,
            span.pk,
        ]
        for span in spans
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def revision_reanchor_apply(*, old: TextRevision, new: TextRevision) -> ReanchorReport:
    """Moves the spans of ``old`` onto ``new``; orphans stay on ``old``, marked, never deleted.

    Idempotent: only spans still on ``old`` are looked at, and orphans already marked are not
    written again.
    """
    report = revision_reanchor_preview(old=old, new=new)
    now = timezone.now()
    changed: dict[type[Anchored], list[Anchored]] = {}
    events = []
    for span, result in report.items:
        before = span.anchor_dict()
        if result.state == anchoring.ORPHANED:
            if span.anchor_state == anchoring.ORPHANED:
                continue
            span.anchor_state = Anchored.State.ORPHANED
            span.anchor_score = result.score
        else:
            quote = anchoring.quote_at(new.text, result.start, result.end)
            span.revision = new
            span.start, span.end = result.start, result.end
            span.exact, span.prefix, span.suffix = quote.exact, quote.prefix, quote.suffix
            span.anchor_state = result.state
            span.anchor_score = result.score
        # Not a person's edit, but updated_at still moves, so sync consumers see it.
        span.updated_at = now
        changed.setdefault(type(span), []).append(span)
        events.append(
            AnnotationEvent(
                project_id=span.project_id,
                article_id=span.article_id,
                actor=None,
                model=type(span).__name__.lower(),
                object_id=span.pk,
                action=AnnotationEvent.Action.REANCHOR,
                before=before,
                after={**span.anchor_dict(), "method": result.method, "score": result.score},
            )
        )
    # In bulk: an article can carry hundreds of spans, and this runs while an editor waits.
    with transaction.atomic():
        for model, spans in changed.items():
            _write_anchors(model, spans)
        AnnotationEvent.objects.bulk_create(events, batch_size=500)
    return report


@transaction.atomic
def article_reanchor(*, revision: TextRevision) -> dict[str, int]:
    """Brings every span of the revision's article from older revisions onto this one."""
    totals: Counter[str] = Counter()
    older = set()
    # Two deliveries of the task at once queue here; the second then finds nothing to move.
    Article.objects.select_for_update().filter(pk=revision.article_id).first()
    for model in SPAN_MODELS:
        older.update(
            model.objects.filter(
                article_id=revision.article_id, revision__number__lt=revision.number
            )
            .values_list("revision", flat=True)
            .distinct()
        )
    for old in TextRevision.objects.filter(pk__in=older).order_by("number"):
        run, _ = ReanchorRun.objects.get_or_create(
            from_revision=old, to_revision=revision, defaults={"article_id": revision.article_id}
        )
        report = revision_reanchor_apply(old=old, new=revision)
        run.counts = report.counts
        run.status = ReanchorRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "status", "finished_at"])
        totals.update(report.counts)
    return dict(totals)


def revision_too_old(*, revision: TextRevision, live: TextRevision | None) -> str | None:
    """Why ``revision`` cannot be made live over ``live``, or None: spans are re-anchored
    forward only, so an older text made live again would leave them all on the newer one."""
    if live is None or live.number <= revision.number:
        return None
    return (
        f"revision {revision.number} is older than the live revision {live.number}, and "
        "annotations only move forward. To bring its text back, correct the article on its "
        "review page and approve it again: that makes a new revision."
    )


def revision_activate(*, article: Article, revision: TextRevision, user: Any | None) -> None:
    """Make ``revision`` the live text of ``article`` and re-anchor its annotations onto it.

    The integration point for editorial review (articles.review): when ``article_approve``
    leaves a new revision pending (``review.pending_revision(article)``) because annotations
    point into the current one, call this, inside or outside a transaction. The article
    becomes approved with ``revision`` current; after commit, the Celery task
    ``annotations.tasks.reanchor_revision`` moves every annotation onto it (idempotent, so a
    redelivered task is harmless). Show editors the report of
    ``revision_reanchor_preview(old=article.current_revision, new=revision)`` first: the page
    ``annotations-reanchor`` (``/annotate/revisions/<id>/reanchor/``) does exactly that and
    then calls this.
    """
    # Imported here: the task module imports this one.
    from annotations.tasks import reanchor_revision

    if revision.article_id != article.pk:
        raise AnnotationError("That revision belongs to another article.")
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        old_id = locked.current_revision_id
        live = TextRevision.objects.filter(pk=old_id).first() if old_id else None
        if reason := revision_too_old(revision=revision, live=live):
            raise AnnotationError(reason)
        # Review's own switch (current revision and title), then the approval it implies.
        review.revision_activate(article=locked, revision=revision)
        locked.review_status = Article.Review.APPROVED
        locked.save(update_fields=["review_status", "updated_at"])
        article.current_revision = revision
        article.title = locked.title
        article.review_status = Article.Review.APPROVED
        if old_id and old_id != revision.pk:
            ReanchorRun.objects.get_or_create(
                from_revision_id=old_id,
                to_revision=revision,
                defaults={"article": article, "requested_by": user},
            )
            transaction.on_commit(lambda: reanchor_revision.delay(revision.pk))


def spans_needing_attention(*, project: Project, article: Article, annotator: Any | None) -> list:
    """Fuzzy and orphaned spans, and spans still waiting on an older revision."""
    current = article.current_revision_id
    found: list[Anchored] = []
    for model in SPAN_MODELS:
        rows = model.objects.filter(project=project, article=article).filter(
            Q(anchor_state__in=[Anchored.State.FUZZY, Anchored.State.ORPHANED])
            | ~Q(revision_id=current)
        )
        if annotator is not None:
            rows = rows.filter(annotator=annotator)
        found.extend(rows.select_related("annotator"))
    return sorted(found, key=lambda s: (s.start, s.pk))
