from django.contrib import admin

from annotations.models import (
    AnnotationEvent,
    Assignment,
    Membership,
    Project,
    ReanchorRun,
    Tombstone,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "annotators_per_article", "created_at")
    search_fields = ("name",)
    inlines = (MembershipInline,)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("article", "annotator", "project", "status", "assigned_at", "submitted_at")
    list_filter = ("project", "status")
    raw_id_fields = ("article",)


# The audit trail is append-only: readable here, never edited.
@admin.register(AnnotationEvent)
class AnnotationEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "model", "object_id", "actor", "project")
    list_filter = ("action", "model", "project")

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ReanchorRun)
class ReanchorRunAdmin(admin.ModelAdmin):
    list_display = ("article", "from_revision", "to_revision", "status", "counts", "finished_at")
    raw_id_fields = ("article", "from_revision", "to_revision")


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    list_display = ("deleted_at", "model", "object_id", "project", "annotator")
    list_filter = ("model", "project")
