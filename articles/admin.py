from django.contrib import admin

from articles.models import (
    Article,
    Cleaning,
    CleaningHint,
    IngestBatch,
    IngestDuplicate,
    IngestRejection,
    IngestSkip,
    LineStat,
    ReviewDraft,
    ReviewEvent,
    Source,
    TextRevision,
)
from newsreader.admin import MadeByTheAppAdmin, ReadOnlyAdmin


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "article_count", "counted_articles", "created_at")
    search_fields = ("name",)


class IngestRejectionInline(admin.TabularInline):
    model = IngestRejection
    extra = 0
    can_delete = False
    readonly_fields = ("name", "reason", "size_bytes", "created_at")


class IngestSkipInline(admin.TabularInline):
    model = IngestSkip
    extra = 0
    can_delete = False
    fields = readonly_fields = ("name", "reason", "size_bytes")


class IngestDuplicateInline(admin.TabularInline):
    model = IngestDuplicate
    extra = 0
    can_delete = False
    fields = readonly_fields = ("name", "article_id")


@admin.register(IngestBatch)
class IngestBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "source",
        "origin",
        "created_by",
        "started_at",
        "finished_at",
        "new_count",
        "duplicate_count",
        "rejected_count",
        "skipped_count",
    )
    list_filter = ("origin", "source")
    inlines = [IngestRejectionInline, IngestSkipInline, IngestDuplicateInline]


@admin.register(IngestDuplicate)
class IngestDuplicateAdmin(ReadOnlyAdmin):
    list_display = ("name", "article_id", "batch")
    list_select_related = ("batch",)
    search_fields = ("name",)
    raw_id_fields = ("batch", "article")


@admin.register(IngestRejection)
class IngestRejectionAdmin(ReadOnlyAdmin):
    list_display = ("name", "reason", "batch", "created_at")
    list_select_related = ("batch",)
    search_fields = ("name", "reason")


@admin.register(IngestSkip)
class IngestSkipAdmin(ReadOnlyAdmin):
    list_display = ("name", "reason", "size_bytes", "batch")
    list_select_related = ("batch",)
    search_fields = ("name", "reason")


class CleaningInline(admin.TabularInline):
    model = Cleaning
    extra = 0
    can_delete = False
    fields = ("cleaner_version", "created_at", "title", "confidence")
    readonly_fields = fields
    show_change_link = True


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    """Read-only: an article changes through ingest, cleaning and review, which keep its
    history; a form here would also rewrite its text's line ends (\n to \r\n) on save."""

    list_display = (
        "id",
        "display_title",
        "source",
        "state",
        "encoding",
        "size_bytes",
        "created_at",
    )
    list_filter = ("state", "source", "encoding")
    list_select_related = ("source",)
    search_fields = ("title", "original_name", "sha256")
    exclude = ("raw_bytes", "search_vector")  # Megabytes of bytes and lexemes, unreadable.
    inlines = [CleaningInline]


@admin.register(Cleaning)
class CleaningAdmin(ReadOnlyAdmin):
    list_display = ("id", "article", "cleaner_version", "confidence", "created_at")
    list_filter = ("cleaner_version",)


@admin.register(LineStat)
class LineStatAdmin(MadeByTheAppAdmin):
    list_display = ("key", "source", "documents")
    list_filter = ("source",)
    ordering = ("-documents",)


@admin.register(TextRevision)
class TextRevisionAdmin(ReadOnlyAdmin):
    """Revisions are immutable: annotations' offsets point into their text."""

    list_display = ("article", "number", "title", "created_by", "created_at")


@admin.register(CleaningHint)
class CleaningHintAdmin(MadeByTheAppAdmin):
    list_display = ("source", "key", "label", "corrections", "updated_at")
    list_filter = ("source", "label")


@admin.register(ReviewDraft)
class ReviewDraftAdmin(MadeByTheAppAdmin):
    list_display = ("article", "cleaning", "updated_at")
    raw_id_fields = ("article", "cleaning")


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "article", "user", "action", "undone")
    list_filter = ("action",)
