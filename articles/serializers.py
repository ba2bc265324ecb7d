"""How sources, articles and text revisions look over the API (read-only: writes go by ingest)."""

from __future__ import annotations

from rest_framework import serializers

from articles.models import Article, Source, TextRevision

# The columns the article list reads: never the raw bytes, the decoded text or the search vector.
ARTICLE_LIST_FIELDS = (
    "id",
    "source_id",
    "sha256",
    "original_name",
    "encoding",
    "size_bytes",
    "state",
    "review_status",
    "title",
    "current_revision_id",
    "edit_version",
    "created_at",
    "updated_at",
)


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ("id", "name", "article_count", "created_at")
        read_only_fields = fields


class ArticleSerializer(serializers.ModelSerializer):
    source = serializers.IntegerField(source="source_id", read_only=True)
    current_revision = serializers.IntegerField(
        source="current_revision_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Article
        fields = (
            "id",
            "source",
            "sha256",
            "original_name",
            "encoding",
            "size_bytes",
            "state",
            "review_status",
            "title",
            "current_revision",
            "edit_version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class ArticleDetailSerializer(ArticleSerializer):
    """One article with its decoded text (the raw bytes stay behind: they may not be text)."""

    source_name = serializers.CharField(source="source.name", read_only=True)
    byline = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The byline as an editor approved it (empty: none); null until approved.",
    )

    class Meta(ArticleSerializer.Meta):
        fields = (*ArticleSerializer.Meta.fields, "source_name", "byline", "text", "error")
        read_only_fields = fields


class TextRevisionSerializer(serializers.ModelSerializer):
    article = serializers.IntegerField(source="article_id", read_only=True)
    blocks = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        read_only=True,
        help_text="[start, end] of each block in code points; block 0 is the title.",
    )

    class Meta:
        model = TextRevision
        fields = (
            "id",
            "article",
            "number",
            "title",
            "text",
            "blocks",
            "sha256",
            "normalizer_version",
            "created_at",
        )
        read_only_fields = fields
