from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse


class Source(models.Model):
    name = models.CharField(max_length=200, unique=True)
    # Articles ingested from the source (ingest adds its new rows in the same transaction).
    article_count = models.PositiveIntegerField(default=0, db_default=0)
    # Articles whose lines are counted in LineStat (at their first cleaning): the denominator
    # of the corpus line statistics.
    counted_articles = models.PositiveIntegerField(default=0)
    # Bumped whenever editors' corrections change the cleaning hints of this source.
    hints_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class IngestBatch(models.Model):
    class Origin(models.TextChoices):
        COMMAND = "command", "command line"
        WEB = "web", "web upload"
        API = "api", "API"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="batches")
    origin = models.CharField(max_length=10, choices=Origin.choices)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    new_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    # Archive entries left out on purpose (not a page, a nested archive): not rejections,
    # which fail a command-line ingest, but named in the report all the same.
    skipped_count = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        ordering = ("-started_at", "-id")
        verbose_name_plural = "ingest batches"

    def __str__(self) -> str:
        return f"Batch {self.pk} ({self.source})"

    def get_absolute_url(self) -> str:
        return reverse("articles-batch", args=[self.pk])

    @property
    def summary(self) -> str:
        return (
            f"ingested: {self.new_count} new, {self.duplicate_count} duplicate, "
            f"{self.rejected_count} rejected"
        )


class IngestRejection(models.Model):
    batch = models.ForeignKey(IngestBatch, on_delete=models.CASCADE, related_name="rejections")
    name = models.TextField()
    reason = models.TextField()
    size_bytes = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


class IngestSkip(models.Model):
    """An archive entry that is not a file to ingest, with why: listed, so nothing vanishes."""

    batch = models.ForeignKey(IngestBatch, on_delete=models.CASCADE, related_name="skipped")
    name = models.TextField()
    reason = models.TextField()
    size_bytes = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


class IngestDuplicate(models.Model):
    """A file of a batch whose bytes were already stored: which file, and as which article."""

    batch = models.ForeignKey(IngestBatch, on_delete=models.CASCADE, related_name="duplicates")
    name = models.TextField()
    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.name}: article {self.article_id}"


class Article(models.Model):
    """One ingested file: its original bytes, decoded text, and cleaning state."""

    class State(models.TextChoices):
        QUEUED = "queued"
        CLEANING = "cleaning"
        CLEANED = "cleaned"
        FAILED = "failed"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="articles")
    batch = models.ForeignKey(IngestBatch, on_delete=models.PROTECT, related_name="articles")
    sha256 = models.CharField(max_length=64, unique=True)
    raw_bytes = models.BinaryField()
    text = models.TextField()
    encoding = models.CharField(max_length=40)
    original_name = models.CharField(max_length=500)
    original_path = models.TextField(blank=True)
    size_bytes = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    state_changed_at = models.DateTimeField(auto_now_add=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The PostgreSQL backend pid of the worker connection that claimed the article: when that
    # backend is gone the worker died, and the claim can be taken over at once.
    claimed_pid = models.IntegerField(null=True, blank=True)

    current_cleaning = models.ForeignKey(
        "Cleaning", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Review(models.TextChoices):
        NEEDS_REVIEW = "needs_review", "needs review"
        APPROVED = "approved"
        REJECTED = "rejected"

    class RejectReason(models.TextChoices):
        NOT_AN_ARTICLE = "not_an_article", "not an article"
        DUPLICATE = "duplicate", "duplicate"
        PAYWALL = "paywall", "paywall"
        OTHER = "other", "other"

    # Database defaults too: ingest inserts rows with SQL, not the ORM.
    review_status = models.CharField(
        max_length=12,
        choices=Review.choices,
        default=Review.NEEDS_REVIEW,
        db_default=Review.NEEDS_REVIEW,
    )
    reject_reason = models.CharField(
        max_length=20, choices=RejectReason.choices, blank=True, default="", db_default=""
    )
    reject_note = models.TextField(blank=True, default="", db_default="")
    # The approved text annotators work on; a newer revision replaces it only when confirmed.
    current_revision = models.ForeignKey(
        "TextRevision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Bumped by every editorial change: a save based on an older version is a conflict.
    edit_version = models.PositiveIntegerField(default=0, db_default=0)
    title = models.TextField(blank=True)
    # The byline as approved; null until an approval set it (the cleaner's stands till then).
    # Not part of a revision: annotations never point into it, so it needs none of their own.
    byline = models.TextField(null=True, blank=True)  # noqa: DJ001
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            models.Index(fields=["state", "state_changed_at"], name="article_state_idx"),
            models.Index(fields=["-created_at", "-id"], name="article_recent_idx"),
            models.Index(fields=["updated_at", "id"], name="article_sync_idx"),
            models.Index(fields=["review_status", "id"], name="article_review_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.original_name

    def get_absolute_url(self) -> str:
        return reverse("articles-detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title or self.original_name

    @property
    def display_byline(self) -> str:
        """The approved byline, else the current cleaning's (load it with the article)."""
        if self.byline is not None:
            return self.byline
        return self.current_cleaning.byline if self.current_cleaning else ""


class Cleaning(models.Model):
    """One run of the cleaner over an article's text; re-cleaning adds a row, never edits one.

    Offsets are code points into ``Article.text``.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="cleanings")
    cleaner_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    title = models.TextField(blank=True)
    title_span = models.JSONField(null=True, blank=True)
    byline = models.TextField(blank=True)
    byline_span = models.JSONField(null=True, blank=True)
    body = models.TextField(blank=True)
    # [[start, end], …] of each body block.
    blocks = models.JSONField(default=list)
    # [[start, end, label, [[cut_start, cut_end], …]], …] for every non-blank line.
    lines = models.JSONField(default=list)
    confidence = models.FloatField(default=0)
    # The source's hints_version the cleaner saw: which editor corrections shaped this result.
    hints_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-created_at", "-id")
        get_latest_by = "created_at"
        # The review queue's "least confident first" walks this index, joined to articles.
        indexes = [models.Index(fields=["confidence", "id"], name="cleaning_confidence_idx")]

    def __str__(self) -> str:
        return f"Cleaning {self.pk} of article {self.article_id} ({self.cleaner_version})"


class LineStat(models.Model):
    """In how many documents of a source a line occurs: recurring lines are boilerplate."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()
    documents = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "source"], name="linestat_key_source_uniq")
        ]

    def __str__(self) -> str:
        return f"line {self.key} in {self.documents} documents of {self.source_id}"


class TextRevision(models.Model):
    """An immutable, NFC-normalised text of an article (title and body) that annotation uses.

    ``text`` is the title, a blank line, then the body blocks separated by blank lines;
    ``blocks`` holds each block's [start, end] in code points (block 0 is the title).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.TextField()
    text = models.TextField()
    blocks = models.JSONField(default=list)
    sha256 = models.CharField(max_length=64)
    normalizer_version = models.CharField(max_length=20)
    cleaning = models.ForeignKey(
        Cleaning, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("article", "number")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_uniq")
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of article {self.article_id}"

    @property
    def body(self) -> str:
        return self.text[self.blocks[1][0] :] if len(self.blocks) > 1 else ""


class CleaningHint(models.Model):
    """What editors taught the cleaner about a line of a source (its line_key → label)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="cleaning_hints")
    key = models.BigIntegerField()
    label = models.CharField(max_length=20)
    corrections = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="cleaninghint_source_key_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.source}: line {self.key} is {self.label}"


class ReviewDraft(models.Model):
    """An editor's corrections on top of one cleaning; the cleaning itself is never edited.

    ``labels`` maps a line index (as a string, JSON keys are strings) to the label the editor
    chose; ``cuts`` maps a line index to its [[start, end], …] cut spans, replacing the
    cleaner's; ``title`` and ``byline`` are the editor's, or null for the cleaner's.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="review_draft")
    cleaning = models.ForeignKey(Cleaning, on_delete=models.CASCADE, related_name="+")
    labels = models.JSONField(default=dict)
    cuts = models.JSONField(default=dict)
    # Null, not "", means "no override": an editor may set an empty title on purpose.
    title = models.TextField(null=True, blank=True)  # noqa: DJ001
    # The same for the byline ("" being "this article has none").
    byline = models.TextField(null=True, blank=True)  # noqa: DJ001
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Review draft of article {self.article_id}"


class ReviewEvent(models.Model):
    """One audited editorial action: who did what, when, and the state before and after."""

    class Action(models.TextChoices):
        LABEL = "label", "changed line labels"
        CUT = "cut", "cut a fragment"
        TITLE = "title", "edited the title"
        BYLINE = "byline", "edited the byline"
        UNDO = "undo", "undid a change"
        APPROVE = "approve", "approved"
        REJECT = "reject", "rejected"
        RECLEAN = "reclean", "asked for a new cleaning"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    # Draft edits: the draft patch to restore on undo (before) and the one applied (after).
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    # The cleaning a draft edit applied to: undo never reaches across a re-cleaning.
    cleaning = models.ForeignKey(
        Cleaning, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone = models.BooleanField(default=False)

    class Meta:
        ordering = ("-id",)
        indexes = [models.Index(fields=["article", "-id"], name="reviewevent_article_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} article {self.article_id}"
