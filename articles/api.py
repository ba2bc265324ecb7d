"""The ingest endpoint: a scraper POSTs one page as JSON text or as a file upload."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from articles import roles
from articles.decoding import Rejected, decode
from articles.ingest import Outcome, ingest_one, start_batch
from articles.models import Article, IngestBatch


class IsEditor(BasePermission):
    message = "Only editors and admins can ingest."

    def has_permission(self, request: Request, view: object) -> bool:
        return roles.is_editor(request.user)


class IngestInput(serializers.Serializer):
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
        )

    source_name = serializers.CharField(source="source.name")


@api_view(["POST"])
@parser_classes([JSONParser, MultiPartParser, FormParser])
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
    body = ArticleOutput(article).data
    body["duplicate"] = outcome == Outcome.DUPLICATE
    code = status.HTTP_201_CREATED if outcome == Outcome.NEW else status.HTTP_200_OK
    return Response(body, status=code)


def _too_large(size: int) -> Response:
    limit = settings.NEWSREADER_MAX_FILE_BYTES
    return Response(
        {"detail": f"too large: {size:,} bytes, the limit is {limit:,}"},
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )
