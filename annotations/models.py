"""Projects, assignments and the annotations themselves: entity mentions, claims and stances.

Every span points into one immutable ``TextRevision`` by code-point offsets *and* carries its
quote (exact text, 32 code points of prefix and suffix), so a new revision can re-anchor it.
Every annotation row has ``created_at``/``updated_at`` (indexed with the id for cursor sync),
an ``origin`` (``human`` or the name of the tool that pre-annotated it) and its annotator;
deletions leave a ``Tombstone`` so that sync consumers can mirror them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from annotations import anchoring

DEFAULT_ENTITY_LABELS = [
    {"name": "PER", "key": "p", "description": "person"},
    {"name": "ORG", "key": "o", "description": "organisation"},
    {"name": "GPE", "key": "g", "description": "country, city, state"},
    {"name": "LOC", "key": "l", "description": "other location"},
    {"name": "EVENT", "key": "e", "description": "named event"},
    {"name": "MISC", "key": "m", "description": "other name"},
]
HUMAN = "human"


def default_entity_labels() -> list[dict[str, str]]:
    """A new project's labels (a copy each time: the field's value is mutable)."""
    return [dict(label) for label in DEFAULT_ENTITY_LABELS]


class Project(models.Model):
    name = models.CharField(max_length=200, unique=True)
    guidelines = models.TextField(blank=True, help_text="Markdown.")
    # [{"name": "PER", "key": "p", "description": "person"}, …]: the keys are shortcuts.
    entity_labels = models.JSONField(default=default_entity_labels)
    # The topics an article (or a person in it) can take a stance on.
    topics = models.JSONField(default=list, blank=True)
    annotators_per_article = models.PositiveSmallIntegerField(default=1)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="annotation_projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("annotations-project", args=[self.pk])

    @property
    def label_names(self) -> list[str]:
        return [label["name"] for label in self.entity_labels]


class Membership(models.Model):
    class Role(models.TextChoices):
        ANNOTATOR = "annotator"
        EDITOR = "editor"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ANNOTATOR)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="membership_uniq")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"


class Assignment(models.Model):
    class Status(models.TextChoices):
        ASSIGNED = "assigned"
        SUBMITTED = "submitted"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="assignments"
    )
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Moves forward with every change (submitting), so API consumers can sync assignments.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(
                fields=["project", "article", "annotator"], name="assignment_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["annotator", "status", "id"], name="assignment_queue_idx"),
            models.Index(fields=["updated_at", "id"], name="assignment_sync_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.annotator} in {self.project}"


class AnnotationBase(models.Model):
    """What every kind of annotation has: owner, scope, provenance and sync timestamps."""

    # Indexed by each kind's (project, updated_at, id) index, which serves lookups by project too.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_index=False)
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    origin = models.CharField(max_length=100, default=HUMAN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not stored: True where a create found the same pre-annotation already made (services).
    reused = False
    # Not stored: True where an update found nothing to change, and so wrote nothing (services).
    unchanged = False

    class Meta:
        abstract = True


class Anchored(AnnotationBase):
    """A span: W3C TextPositionSelector (code points) + TextQuoteSelector, and its health."""

    class State(models.TextChoices):
        ANCHORED = anchoring.ANCHORED
        MIGRATED = anchoring.MIGRATED
        FUZZY = anchoring.FUZZY, "fuzzy (check it)"
        ORPHANED = anchoring.ORPHANED

    revision = models.ForeignKey(
        "articles.TextRevision", on_delete=models.RESTRICT, related_name="+"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=anchoring.CONTEXT, blank=True)
    suffix = models.CharField(max_length=anchoring.CONTEXT, blank=True)
    anchor_state = models.CharField(max_length=10, choices=State.choices, default=State.ANCHORED)
    anchor_score = models.FloatField(null=True, blank=True)

    class Meta:
        abstract = True

    def anchor_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision_id,
            "start": self.start,
            "end": self.end,
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "anchor_state": self.anchor_state,
        }


def _span_constraints(prefix: str) -> list[models.BaseConstraint]:
    # end <= the revision's length is a trigger (see migration 0002): a CHECK cannot look there.
    return [
        models.CheckConstraint(condition=Q(start__gte=0), name=f"{prefix}_start_nonneg"),
        models.CheckConstraint(
            condition=Q(start__lt=models.F("end")), name=f"{prefix}_start_lt_end"
        ),
    ]


def _sync_index(prefix: str) -> models.Index:
    return models.Index(fields=["updated_at", "id"], name=f"{prefix}_sync_idx")


def _project_sync_index(prefix: str) -> models.Index:
    # A project's list in sync order (?project=, exports) is a range of this index, however
    # many annotations other projects have and whatever their order in time: a consumer that
    # has caught up with one project reads no other project's rows to learn so.
    return models.Index(fields=["project", "updated_at", "id"], name=f"{prefix}_project_sync_idx")


def _own_sync_index(prefix: str) -> models.Index:
    # Blind mode: an annotator's list in sync order is a range of this index however many
    # annotations they have (the annotator_id index alone means reading them all and sorting).
    return models.Index(fields=["annotator", "updated_at", "id"], name=f"{prefix}_own_sync_idx")


class Entity(AnnotationBase):
    """A document-level entity: the mentions of one person (or thing) grouped, linked to a KB."""

    name = models.CharField(max_length=300)
    label = models.CharField(max_length=30)
    # A Wikidata QID ("Q42"), "NIL" when it has none, or blank when not linked yet.
    kb_id = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ("name", "id")
        verbose_name_plural = "entities"
        indexes = [
            _sync_index("entity"),
            _own_sync_index("entity"),
            _project_sync_index("entity"),
            models.Index(fields=["article", "annotator"], name="entity_article_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.label}{', ' + self.kb_id if self.kb_id else ''})"


class EntityMention(Anchored):
    label = models.CharField(max_length=30)
    entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )

    class Meta:
        ordering = ("start", "end", "id")
        constraints = _span_constraints("mention")
        indexes = [
            _sync_index("mention"),
            _own_sync_index("mention"),
            _project_sync_index("mention"),
            models.Index(fields=["article", "annotator"], name="mention_article_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label} “{self.exact}”"


class Claim(Anchored):
    class Worthiness(models.TextChoices):
        CFS = "CFS", "check-worthy factual"
        UFS = "UFS", "unimportant factual"
        NFS = "NFS", "not factual"

    class Type(models.TextChoices):
        QUANTITY = "quantity", "quantity"
        CORRELATION = "correlation_causation", "correlation/causation"
        LAWS = "laws_rules", "laws/rules"
        PREDICTION = "prediction", "prediction"
        PERSONAL = "personal_experience", "personal experience"
        OTHER = "other", "other"

    class Claimant(models.TextChoices):
        ENTITY = "entity", "an entity"
        AUTHOR = "author", "the author"
        UNATTRIBUTED = "unattributed", "unattributed"

    class Attribution(models.TextChoices):
        DIRECT = "direct_quote", "direct quote"
        REPORTED = "reported_speech", "reported speech"
        AUTHOR = "author_assertion", "author's own assertion"

    checkworthiness = models.CharField(
        max_length=3, choices=Worthiness.choices, default=Worthiness.CFS
    )
    claim_type = models.CharField(max_length=25, choices=Type.choices, default=Type.OTHER)
    claimant_kind = models.CharField(
        max_length=12, choices=Claimant.choices, default=Claimant.UNATTRIBUTED
    )
    claimant = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.RESTRICT, related_name="claims"
    )
    attribution = models.CharField(
        max_length=20, choices=Attribution.choices, default=Attribution.AUTHOR
    )

    class Meta:
        ordering = ("start", "end", "id")
        constraints = [
            *_span_constraints("claim"),
            models.CheckConstraint(
                condition=Q(claimant_kind="entity", claimant__isnull=False)
                | (~Q(claimant_kind="entity") & Q(claimant__isnull=True)),
                name="claim_claimant_consistent",
            ),
        ]
        indexes = [
            _sync_index("claim"),
            _own_sync_index("claim"),
            _project_sync_index("claim"),
            models.Index(fields=["article", "annotator"], name="claim_article_idx"),
        ]

    def __str__(self) -> str:
        return f"claim “{self.exact[:60]}”"

    @property
    def claimant_display(self) -> str:
        if self.claimant_kind == self.Claimant.ENTITY and self.claimant:
            return self.claimant.name
        return self.get_claimant_kind_display()


class Stance(AnnotationBase):
    """A holder's stance toward a target: an entity, a claim, or a topic of the project."""

    class Holder(models.TextChoices):
        AUTHOR = "author", "the author"
        ENTITY = "entity", "an entity"

    class Target(models.TextChoices):
        ENTITY = "entity"
        CLAIM = "claim"
        TOPIC = "topic"

    class Label(models.TextChoices):
        FAVOR = "FAVOR"
        AGAINST = "AGAINST"
        NONE = "NONE"
        AGREE = "AGREE"
        DISAGREE = "DISAGREE"
        DISCUSS = "DISCUSS"

    TOWARD_CLAIMS = (Label.AGREE, Label.DISAGREE, Label.DISCUSS)
    TOWARD_OTHERS = (Label.FAVOR, Label.AGAINST, Label.NONE)

    holder_kind = models.CharField(max_length=10, choices=Holder.choices, default=Holder.AUTHOR)
    holder = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.RESTRICT, related_name="stances_held"
    )
    target_kind = models.CharField(max_length=10, choices=Target.choices)
    target_entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.RESTRICT, related_name="stances_received"
    )
    target_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.RESTRICT, related_name="stances"
    )
    target_topic = models.CharField(max_length=200, blank=True)
    label = models.CharField(max_length=10, choices=Label.choices)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(
                condition=Q(holder_kind="author", holder__isnull=True)
                | Q(holder_kind="entity", holder__isnull=False),
                name="stance_holder_consistent",
            ),
            models.CheckConstraint(
                condition=(
                    Q(target_kind="entity", target_entity__isnull=False)
                    & Q(target_claim__isnull=True, target_topic="")
                    & Q(label__in=["FAVOR", "AGAINST", "NONE"])
                )
                | (
                    Q(target_kind="claim", target_claim__isnull=False)
                    & Q(target_entity__isnull=True, target_topic="")
                    & Q(label__in=["AGREE", "DISAGREE", "DISCUSS"])
                )
                | (
                    Q(target_kind="topic", target_entity__isnull=True, target_claim__isnull=True)
                    & ~Q(target_topic="")
                    & Q(label__in=["FAVOR", "AGAINST", "NONE"])
                ),
                name="stance_target_consistent",
            ),
            # One stance of a holder toward a target per annotator and project: a change is
            # an update. (Projects annotate the same article each on their own.)
            models.UniqueConstraint(
                fields=["project", "article", "annotator", "target_topic"],
                condition=Q(holder_kind="author", target_kind="topic"),
                name="stance_author_topic_uniq",
            ),
        ]
        indexes = [
            _sync_index("stance"),
            _own_sync_index("stance"),
            _project_sync_index("stance"),
            models.Index(fields=["article", "annotator"], name="stance_article_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.holder_display} {self.label} {self.target_display}"

    @property
    def holder_display(self) -> str:
        return self.holder.name if self.holder_id and self.holder else "author"

    @property
    def target_display(self) -> str:
        if self.target_kind == self.Target.TOPIC:
            return self.target_topic
        if self.target_kind == self.Target.ENTITY and self.target_entity:
            return self.target_entity.name
        if self.target_claim:
            return f"claim “{self.target_claim.exact[:50]}”"
        return "?"


class SupportSpan(Anchored):
    """A span that supports another annotation: a claim's cue (the reporting verb) or evidence."""

    class Role(models.TextChoices):
        CUE = "cue"
        EVIDENCE = "evidence"

    role = models.CharField(max_length=10, choices=Role.choices)
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="support"
    )
    stance = models.ForeignKey(
        Stance, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )

    class Meta:
        ordering = ("start", "end", "id")
        constraints = [
            *_span_constraints("support"),
            models.CheckConstraint(
                condition=Q(role="cue", claim__isnull=False, stance__isnull=True)
                | Q(role="evidence", claim__isnull=True, stance__isnull=False),
                name="support_owner_consistent",
            ),
        ]
        indexes = [
            _sync_index("support"),
            _own_sync_index("support"),
            _project_sync_index("support"),
            models.Index(fields=["article", "annotator"], name="support_article_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.role} “{self.exact[:40]}”"


class AnnotationEvent(models.Model):
    """Append-only audit trail: every create, update, delete and re-anchoring."""

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"
        REANCHOR = "reanchor"
        SUBMIT = "submit"
        REOPEN = "reopen"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    # The person who did it; None for the system (re-anchoring).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    model = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["model", "object_id"], name="event_object_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.model} {self.object_id}"


class Tombstone(models.Model):
    """What a sync consumer needs to mirror a deletion."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tombstones")
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    model = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField()
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("deleted_at", "id")
        indexes = [models.Index(fields=["deleted_at", "id"], name="tombstone_sync_idx")]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} deleted"


class ReanchorRun(models.Model):
    """Re-anchoring of one article's annotations from one revision to the next."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    from_revision = models.ForeignKey(
        "articles.TextRevision", on_delete=models.CASCADE, related_name="+"
    )
    to_revision = models.ForeignKey(
        "articles.TextRevision", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"migrated": n, "fuzzy": n, "orphaned": n}
    counts = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_revision", "to_revision"], name="reanchor_uniq")
        ]

    def __str__(self) -> str:
        return f"Re-anchoring {self.from_revision_id} → {self.to_revision_id} ({self.status})"


SPAN_MODELS: tuple[type[Anchored], ...] = (EntityMention, Claim, SupportSpan)


class ExportJob(models.Model):
    """An export of a project's annotations, run by a worker; the file is kept in the database
    (workers and web servers need not share a disk)."""

    class State(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(max_length=20)
    # {"annotator": user id or None}
    filters = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-id",)

    def __str__(self) -> str:
        return f"{self.format} export of {self.project} ({self.state})"
