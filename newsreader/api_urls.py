"""Every /api/ route, with the OpenAPI schema and its interactive docs (assets from the sidecar
package, never a CDN)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from annotations import api as annotations_api
from articles import api as articles_api
from newsreader import api

router = SimpleRouter(use_regex_path=False)  # path() routes: ids as <int:pk>, no regex scans
router.register("projects", annotations_api.ProjectViewSet, basename="api-project")
router.register("assignments", annotations_api.AssignmentViewSet, basename="api-assignment")
router.register("entities", annotations_api.EntityViewSet, basename="api-entity")
router.register("mentions", annotations_api.MentionViewSet, basename="api-mention")
router.register("claims", annotations_api.ClaimViewSet, basename="api-claim")
router.register("stances", annotations_api.StanceViewSet, basename="api-stance")
router.register("support-spans", annotations_api.SupportSpanViewSet, basename="api-support")

urlpatterns = [
    path("", api.index, name="api-index"),
    path("health/", api.health, name="api-health"),
    # The sync lists next: Django tries routes in order, and they are what clients ask for most.
    path("articles/", articles_api.ArticleList.as_view(), name="api-articles"),
    *router.urls,
    path("auth/token/", api.obtain_token, name="api-token"),
    path("ingest/", articles_api.ingest, name="api-ingest"),
    path("sources/", articles_api.SourceList.as_view(), name="api-sources"),
    path("sources/<int:pk>/", articles_api.SourceDetail.as_view(), name="api-source"),
    path("articles/<int:pk>/", articles_api.ArticleDetail.as_view(), name="api-article"),
    path("revisions/", articles_api.RevisionList.as_view(), name="api-revisions"),
    path("revisions/<int:pk>/", articles_api.RevisionDetail.as_view(), name="api-revision"),
    path("changes/", annotations_api.changes, name="api-changes"),
    path(
        "projects/<int:project_id>/exports/",
        annotations_api.export_create,
        name="api-export-create",
    ),
    path("projects/<int:project_id>/import/", annotations_api.import_jsonl, name="api-import"),
    path("exports/<int:job_id>/", annotations_api.export_detail, name="api-export"),
    path(
        "exports/<int:job_id>/download/",
        annotations_api.export_download,
        name="api-export-download",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
