from django.urls import path

from annotations import views

KIND = "<str:kind>/<int:pk>"
ARTICLE = "projects/<int:project_id>/articles/<int:article_id>"

urlpatterns = [
    path("", views.queue, name="annotations-queue"),
    path("projects/<int:project_id>/", views.project_detail, name="annotations-project"),
    path("projects/<int:project_id>/next/", views.project_next, name="annotations-next"),
    path("projects/<int:project_id>/assign/", views.project_assign, name="annotations-assign"),
    path(
        "projects/<int:project_id>/settings/", views.project_settings, name="annotations-settings"
    ),
    path("projects/<int:project_id>/members/", views.project_member, name="annotations-member"),
    path(
        "projects/<int:project_id>/assignments/<int:assignment_id>/reopen/",
        views.assignment_reopen,
        name="annotations-reopen",
    ),
    path(
        "projects/<int:project_id>/topics/rename/",
        views.project_topic_rename,
        name="annotations-topic-rename",
    ),
    path(
        "projects/<int:project_id>/labels/rename/",
        views.project_label_rename,
        name="annotations-label-rename",
    ),
    path(f"{ARTICLE}/", views.workspace, name="annotations-workspace"),
    path(f"{ARTICLE}/new/<str:kind>/", views.annotation_create, name="annotations-create"),
    path(f"{ARTICLE}/{KIND}/", views.annotation_edit, name="annotations-edit"),
    path(f"{ARTICLE}/{KIND}/delete/", views.annotation_delete, name="annotations-delete"),
    path(f"{ARTICLE}/{KIND}/resize/", views.span_resize, name="annotations-resize"),
    path(f"{ARTICLE}/{KIND}/confirm/", views.span_confirm, name="annotations-confirm"),
    path(f"{ARTICLE}/topic-stance/", views.topic_stance, name="annotations-topic-stance"),
    path(f"{ARTICLE}/submit/", views.submit, name="annotations-submit"),
    path("revisions/<int:revision_id>/reanchor/", views.reanchor, name="annotations-reanchor"),
]
