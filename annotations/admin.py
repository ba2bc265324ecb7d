from django.contrib import admin

from annotations.forms import ProjectAdminForm
from annotations.models import (
    AnnotationEvent,
    Assignment,
    Claim,
    Entity,
    EntityMention,
    ExportJob,
    Membership,
    Project,
    ReanchorRun,
    Stance,
    SupportSpan,
    Tombstone,
)
from newsreader.admin import MadeByTheAppAdmin, ReadOnlyAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    # Renaming a topic here would leave its stances behind: renames go through the project
    # page, which carries them over, and this form refuses to drop a topic in use.
    form = ProjectAdminForm
    list_display = ("name", "annotators_per_article", "created_at")
    search_fields = ("name",)
    inlines = (MembershipInline,)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("article", "annotator", "project", "status", "assigned_at", "submitted_at")
    list_filter = ("project", "status")
    raw_id_fields = ("article",)


@admin.register(AnnotationEvent)
class AnnotationEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "model", "object_id", "actor", "project")
    list_filter = ("action", "model", "project")


@admin.register(ReanchorRun)
class ReanchorRunAdmin(ReadOnlyAdmin):
    list_display = ("article", "from_revision", "to_revision", "status", "counts", "finished_at")
    raw_id_fields = ("article", "from_revision", "to_revision")


@admin.register(Tombstone)
class TombstoneAdmin(ReadOnlyAdmin):
    list_display = ("deleted_at", "model", "object_id", "project", "annotator")
    list_filter = ("model", "project")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("project", "user", "role")
    list_filter = ("project", "role")


@admin.register(Entity)
class EntityAdmin(ReadOnlyAdmin):
    list_display = ("name", "label", "kb_id", "article", "annotator", "updated_at")
    list_filter = ("label",)
    search_fields = ("name", "kb_id")


class AnchoredAdmin(ReadOnlyAdmin):
    """Annotations change through the workspace and the API, whose services keep the audit
    trail and the tombstones sync consumers need; here they are only read."""

    list_display = ("exact", "revision", "start", "end", "anchor_state", "annotator", "origin")
    list_filter = ("anchor_state", "origin")
    search_fields = ("exact",)


@admin.register(EntityMention)
class EntityMentionAdmin(AnchoredAdmin):
    list_display = ("exact", "label", *AnchoredAdmin.list_display[1:])


@admin.register(Claim)
class ClaimAdmin(AnchoredAdmin):
    list_display = ("exact", "checkworthiness", "claim_type", *AnchoredAdmin.list_display[1:])


@admin.register(SupportSpan)
class SupportSpanAdmin(AnchoredAdmin):
    list_display = ("exact", "role", *AnchoredAdmin.list_display[1:])


@admin.register(Stance)
class StanceAdmin(ReadOnlyAdmin):
    list_display = ("article", "holder_kind", "target_kind", "annotator", "updated_at")
    list_filter = ("holder_kind", "target_kind")


@admin.register(ExportJob)
class ExportJobAdmin(MadeByTheAppAdmin):
    list_display = ("project", "format", "state", "requested_by", "size_bytes", "created_at")
    list_filter = ("state", "format")
    exclude = ("content",)
