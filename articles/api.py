"""The articles side of the API: ingest (a scraper POSTs one page), sources, articles, revisions.

Every signed-in user reads what the web UI shows them: all sources, articles and revisions.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import django_filters
from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from articles import incoming, roles, search
from articles.decoding import Rejected, decode
from articles.ingest import Outcome, ingest_one, start_batch
from articles.models import Article, IngestBatch, Source, TextRevision
from articles.serializers import (
    ARTICLE_LIST_FIELDS,
    ArticleDetailSerializer,
    ArticleSerializer,
    SourceSerializer,
    TextRevisionSerializer,
)
from newsreader.api import (
    EVERY_ROW,
    FilterSet,
    IdFilter,
    KeysetPagination,
    PlainListMixin,
    StrictBooleanFilter,
    StrictSerializer,
    UtcDateTimeFilter,
)
from newsreader.parsers import IngestJSONParser


class IsEditor(BasePermission):
    message = "Only editors and admins can ingest."

    def has_permission(self, request: Request, view: object) -> bool:
        return roles.is_editor(request.user)


class IngestInput(StrictSerializer):
    text = serializers.CharField(required=False, trim_whitespace=False, allow_blank=True)
    file = serializers.FileField(required=False)
    name = serializers.CharField(required=False, max_length=500)
    source = serializers.CharField(required=False, max_length=200, default="api")

    def validate(self, attrs: dict) -> dict:
        if ("text" in attrs) == ("file" in attrs):
            raise serializers.ValidationError("Send exactly one of 'text' or 'file'.")
        return attrs


class ArticleOutput(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = (
            "id",
            "sha256",
            "original_name",
            "encoding",
            "size_bytes",
            "source_name",
            "state",
            "created_at",
            "duplicate",
        )

    source_name = serializers.CharField(source="source.name")
    duplicate = serializers.SerializerMethodField(
        help_text="Whether these bytes were there already (200) rather than new (201)."
    )

    def get_duplicate(self, article: Article) -> bool:
        return self.context["outcome"] == Outcome.DUPLICATE


@extend_schema(
    request={"application/json": IngestInput, "multipart/form-data": IngestInput},
    responses={
        201: ArticleOutput,
        200: ArticleOutput,
        400: OpenApiResponse(description="Bad input."),
        413: OpenApiResponse(description="Too large."),
        415: OpenApiResponse(description="Not text: binary, undecodable, or an archive."),
    },
)
@api_view(["POST"])
@parser_classes([IngestJSONParser, MultiPartParser, FormParser])
@permission_classes([IsAuthenticated, IsEditor])
def ingest(request: Request) -> Response:
    form = IngestInput(data=request.data)
    form.is_valid(raise_exception=True)
    data = form.validated_data
    if "file" in data:
        upload = data["file"]
        if upload.size > settings.NEWSREADER_MAX_FILE_BYTES:
            return _too_large(upload.size)
        raw, name = upload.read(), data.get("name") or upload.name
    else:
        raw, name = data["text"].encode("utf-8"), data.get("name") or "api.txt"
        if len(raw) > settings.NEWSREADER_MAX_FILE_BYTES:
            return _too_large(len(raw))
    if kind := incoming.archive_kind(raw):
        upload_page = request.build_absolute_uri(reverse("articles-upload"))
        return Response(
            {
                "detail": f"rejected: {kind}, not text. This API takes one text file per "
                f"request; send archives to the upload page ({upload_page}) or to "
                "`manage.py ingest`, which open them."
            },
            status=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        )
    try:
        decode(raw)  # For the status code; ingest_one decodes again, cheaply.
    except Rejected as error:
        code = (
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
            if error.not_text
            else status.HTTP_400_BAD_REQUEST
        )
        return Response({"detail": f"rejected: {error}"}, status=code)
    batch = start_batch(
        source_name=data["source"],
        origin=IngestBatch.Origin.API,
        description=name,
        created_by=request.user,
    )
    outcome, article = ingest_one(raw, name=name, batch=batch)
    body = ArticleOutput(article, context={"outcome": outcome}).data
    code = status.HTTP_201_CREATED if outcome == Outcome.NEW else status.HTTP_200_OK
    return Response(body, status=code)


def _too_large(size: int) -> Response:
    limit = settings.NEWSREADER_MAX_FILE_BYTES
    return Response(
        {"detail": f"too large: {size:,} bytes, the limit is {limit:,}"},
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


# ---------------------------------------------------------------- sources, articles, revisions


class SourceList(generics.ListAPIView):
    serializer_class = SourceSerializer
    pagination_class = KeysetPagination
    cursor_fields = ("id", "id")

    def get_queryset(self) -> QuerySet[Source]:
        return Source.objects.all()


class SourceDetail(generics.RetrieveAPIView):
    serializer_class = SourceSerializer
    queryset = Source.objects.all()


class ArticleFilter(FilterSet):
    state = django_filters.ChoiceFilter(choices=Article.State.choices)
    review_status = django_filters.ChoiceFilter(choices=Article.Review.choices)
    source = IdFilter(field_name="source_id")
    project = IdFilter(method="in_project", label="Assigned in this project")
    approved = StrictBooleanFilter(method="is_approved")
    q = django_filters.CharFilter(method="search", max_length=500, label="Full-text search")
    updated_after = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gt")

    class Meta:
        model = Article
        fields: list[str] = []

    def in_project(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        assignment = apps.get_model("annotations", "Assignment")
        assigned = assignment.objects.filter(project_id=value, article_id=OuterRef("pk"))
        user = self.request.user
        if not roles.is_editor(user):
            # Only in projects the user is a member of; the query checks, as memberships change.
            assigned = assigned.filter(project__memberships__user_id=user.pk)
        return queryset.filter(Exists(assigned))

    def is_approved(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        if value:
            return queryset.filter(review_status=Article.Review.APPROVED)
        return queryset.exclude(review_status=Article.Review.APPROVED)

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        return queryset.filter(search_vector=search.matching(value))


class ArticleList(PlainListMixin, generics.ListAPIView):
    """Articles by (updated_at, id): follow ``next`` to the end, keep ``next_cursor`` to resume."""

    serializer_class = ArticleSerializer
    pagination_class = KeysetPagination
    filterset_class = ArticleFilter

    def list_scope(self) -> Q:
        return EVERY_ROW  # Every signed-in user reads every article, as in the web UI.

    def list_key(self) -> Hashable:
        # The project filter reads the user and their role.
        user = self.request.user
        return (self.list_scope(), user.pk, roles.is_editor(user))

    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.filter(self.list_scope()).only(*ARTICLE_LIST_FIELDS)


class ArticleDetail(generics.RetrieveAPIView):
    serializer_class = ArticleDetailSerializer

    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.select_related("source").defer("raw_bytes", "search_vector")


class RevisionFilter(django_filters.FilterSet):
    article = IdFilter(field_name="article_id")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gt")

    class Meta:
        model = TextRevision
        fields: list[str] = []


class RevisionList(generics.ListAPIView):
    """Revisions are immutable, so (created_at, id) is their sync order."""

    serializer_class = TextRevisionSerializer
    pagination_class = KeysetPagination
    filterset_class = RevisionFilter
    cursor_fields = ("created_at", "id")

    def get_queryset(self) -> QuerySet[TextRevision]:
        return TextRevision.objects.defer("created_by", "cleaning")


def revision_etag(revision: TextRevision) -> str:
    # Immutable rows: the id and the text's hash name the representation for good.
    return f'"r{revision.pk}-{revision.sha256[:16]}"'


class RevisionDetail(generics.RetrieveAPIView):
    serializer_class = TextRevisionSerializer
    queryset = TextRevision.objects.all()

    @extend_schema(
        responses={
            200: TextRevisionSerializer,
            304: OpenApiResponse(description="Not modified (ETag)."),
        }
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response | HttpResponse:
        revision = self.get_object()
        etag = revision_etag(revision)
        # If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x".
        wanted = [
            tag.strip().removeprefix("W/")
            for tag in request.headers.get("If-None-Match", "").split(",")
        ]
        if etag in wanted or "*" in wanted:
            response = HttpResponse(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(self.get_serializer(revision).data)
        response["ETag"] = etag
        response["Cache-Control"] = "private, max-age=31536000, immutable"
        return response
