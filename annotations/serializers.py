"""How projects, assignments and annotations look over the API, and what a tool may send.

Output serializers list their fields; input serializers only validate shapes: the services in
``annotations.services`` decide everything else (labels, topics, ownership, offsets).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from annotations.models import (
    HUMAN,
    Assignment,
    Claim,
    Entity,
    EntityMention,
    Project,
    Stance,
    SupportSpan,
)
from annotations.services import Span
from newsreader.api import StrictSerializer

BASE_FIELDS = ("id", "project", "article", "annotator", "annotator_username", "origin")
SPAN_FIELDS = (
    "revision",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "anchor_state",
    "anchor_score",
)
TIMES = ("created_at", "updated_at")


class AnnotationSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    article = serializers.IntegerField(source="article_id", read_only=True)
    annotator = serializers.IntegerField(source="annotator_id", read_only=True)
    annotator_username = serializers.CharField(source="annotator.username", read_only=True)


class AnchoredSerializer(AnnotationSerializer):
    revision = serializers.IntegerField(source="revision_id", read_only=True)


class EntityLabelSerializer(serializers.Serializer):
    name = serializers.CharField()
    key = serializers.CharField(required=False, help_text="Its key in the workspace.")
    description = serializers.CharField(required=False)


class ProjectSerializer(serializers.ModelSerializer):
    entity_labels = EntityLabelSerializer(many=True, read_only=True)
    topics = serializers.ListField(child=serializers.CharField(), read_only=True)
    schema = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = (
            "id",
            "name",
            "guidelines",
            "entity_labels",
            "topics",
            "annotators_per_article",
            "schema",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_schema(self, project: Project) -> dict[str, list[str]]:
        """Every value an annotation of this project can take, for tools that pre-annotate."""
        return {
            "entity_labels": project.label_names,
            "topics": list(project.topics),
            "checkworthiness": Claim.Worthiness.values,
            "claim_types": Claim.Type.values,
            "claimant_kinds": Claim.Claimant.values,
            "attributions": Claim.Attribution.values,
            "stance_labels_toward_claims": [str(x) for x in Stance.TOWARD_CLAIMS],
            "stance_labels_otherwise": [str(x) for x in Stance.TOWARD_OTHERS],
        }


class AssignmentSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    article = serializers.IntegerField(source="article_id", read_only=True)
    annotator = serializers.IntegerField(source="annotator_id", read_only=True)

    class Meta:
        model = Assignment
        fields = (
            "id",
            "project",
            "article",
            "annotator",
            "status",
            "assigned_at",
            "submitted_at",
            "updated_at",
        )
        read_only_fields = fields


class EntitySerializer(AnnotationSerializer):
    class Meta:
        model = Entity
        fields = (*BASE_FIELDS, "name", "label", "kb_id", *TIMES)
        read_only_fields = fields


class MentionSerializer(AnchoredSerializer):
    entity = serializers.IntegerField(source="entity_id", read_only=True, allow_null=True)

    class Meta:
        model = EntityMention
        fields = (*BASE_FIELDS, *SPAN_FIELDS, "label", "entity", *TIMES)
        read_only_fields = fields


class ClaimSerializer(AnchoredSerializer):
    claimant = serializers.IntegerField(source="claimant_id", read_only=True, allow_null=True)

    class Meta:
        model = Claim
        fields = (
            *BASE_FIELDS,
            *SPAN_FIELDS,
            "checkworthiness",
            "claim_type",
            "claimant_kind",
            "claimant",
            "attribution",
            *TIMES,
        )
        read_only_fields = fields


class StanceSerializer(AnnotationSerializer):
    holder = serializers.IntegerField(source="holder_id", read_only=True, allow_null=True)
    target_entity = serializers.IntegerField(
        source="target_entity_id", read_only=True, allow_null=True
    )
    target_claim = serializers.IntegerField(
        source="target_claim_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Stance
        fields = (
            *BASE_FIELDS,
            "holder_kind",
            "holder",
            "target_kind",
            "target_entity",
            "target_claim",
            "target_topic",
            "label",
            *TIMES,
        )
        read_only_fields = fields


class SupportSpanSerializer(AnchoredSerializer):
    claim = serializers.IntegerField(source="claim_id", read_only=True, allow_null=True)
    stance = serializers.IntegerField(source="stance_id", read_only=True, allow_null=True)

    class Meta:
        model = SupportSpan
        fields = (*BASE_FIELDS, *SPAN_FIELDS, "role", "claim", "stance", *TIMES)
        read_only_fields = fields


class TombstoneSerializer(serializers.Serializer):
    model = serializers.CharField()
    id = serializers.IntegerField(source="object_id")
    project = serializers.IntegerField(source="project_id")
    article = serializers.IntegerField(source="article_id")
    annotator = serializers.IntegerField(source="annotator_id", allow_null=True)
    deleted_at = serializers.DateTimeField()


class ChangeSerializer(serializers.Serializer):
    """One entry of the changes feed: an upsert carries the row, a delete its tombstone."""

    op = serializers.ChoiceField(choices=["upsert", "delete"])
    model = serializers.ChoiceField(choices=["entity", "mention", "claim", "stance", "support"])
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    data = serializers.DictField(allow_null=True)


# ---------------------------------------------------------------- input


def _text_field(max_length: int) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, trim_whitespace=False)


class SpanInput(StrictSerializer):
    start = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    end = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    exact = _text_field(100_000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError("start must be less than end.")
        if len(attrs["exact"]) != attrs["end"] - attrs["start"]:
            raise serializers.ValidationError("exact must be end - start code points long.")
        return attrs

    @staticmethod
    def span(data: dict[str, Any]) -> Span:
        return Span(data["start"], data["end"], data["exact"])


class OriginField(serializers.CharField):
    """Who made an annotation: a person (``human``, in any case) or the named tool, whose
    posts of the same annotation are merged (services._create)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=100, default=HUMAN, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        return HUMAN if value.lower() == HUMAN else value


class CreateInput(StrictSerializer):
    project = serializers.IntegerField(min_value=1)
    article = serializers.IntegerField(min_value=1)
    origin = OriginField(help_text='"human", or the name of the tool that pre-annotated.')


class EntityInput(CreateInput):
    server_set = EntitySerializer.Meta.fields
    name = serializers.CharField(max_length=300)
    label = serializers.CharField(max_length=30)
    kb_id = serializers.CharField(max_length=30, default="", allow_blank=True)


class EntityUpdate(StrictSerializer):
    unchangeable = EntitySerializer.Meta.fields
    name = serializers.CharField(max_length=300, required=False)
    label = serializers.CharField(max_length=30, required=False)
    kb_id = serializers.CharField(max_length=30, required=False, allow_blank=True)


class MentionInput(CreateInput, SpanInput):
    server_set = MentionSerializer.Meta.fields
    label = serializers.CharField(max_length=30)
    entity = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    revision = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The revision the offsets are in; 409 when it is no longer current.",
    )


class MentionUpdate(StrictSerializer):
    unchangeable = MentionSerializer.Meta.fields
    label = serializers.CharField(max_length=30, required=False)
    entity = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class ClaimChoices(serializers.Serializer):
    """A claim's closed fields, shared by the API's input and an import line."""

    checkworthiness = serializers.ChoiceField(choices=Claim.Worthiness.choices, required=False)
    claim_type = serializers.ChoiceField(choices=Claim.Type.choices, required=False)
    claimant_kind = serializers.ChoiceField(choices=Claim.Claimant.choices, required=False)
    attribution = serializers.ChoiceField(choices=Claim.Attribution.choices, required=False)


class ClaimFields(StrictSerializer, ClaimChoices):
    claimant = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text='The entity that said it; claimant_kind left out is then "entity".',
    )


class ClaimUpdate(ClaimFields):
    unchangeable = ClaimSerializer.Meta.fields


class ClaimInput(CreateInput, SpanInput, ClaimFields):
    server_set = ClaimSerializer.Meta.fields
    revision = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    cue = SpanInput(required=False, allow_null=True)


class StanceInput(CreateInput):
    server_set = StanceSerializer.Meta.fields
    label = serializers.ChoiceField(choices=Stance.Label.choices)
    target_kind = serializers.ChoiceField(choices=Stance.Target.choices)
    # Blank unless the target is a topic, as stances toward claims and entities are listed.
    target_topic = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    target_entity = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    target_claim = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    holder_kind = serializers.ChoiceField(
        choices=Stance.Holder.choices,
        required=False,
        help_text="Follows from holder (an entity, or none: the author); checked when given.",
    )
    holder = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    evidence = SpanInput(many=True, required=False, max_length=50)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        holder_kind = attrs.pop("holder_kind", None)
        has_holder = attrs.get("holder") is not None
        if holder_kind == Stance.Holder.ENTITY and not has_holder:
            raise serializers.ValidationError({"holder": ["Name the entity that holds it."]})
        if holder_kind == Stance.Holder.AUTHOR and has_holder:
            message = "The author holds it, not an entity: leave this out."
            raise serializers.ValidationError({"holder": [message]})
        # A target of another kind than target_kind says would be dropped without a word.
        kind = attrs["target_kind"]
        given = {
            "topic": bool(attrs.get("target_topic")),
            "entity": attrs.get("target_entity") is not None,
            "claim": attrs.get("target_claim") is not None,
        }
        a = {"topic": "a topic", "entity": "an entity", "claim": "a claim"}
        wrong = {
            f"target_{other}": [f"The target is {a[kind]}, not {a[other]}: leave this out."]
            for other, present in given.items()
            if present and other != kind
        }
        if wrong:
            raise serializers.ValidationError(wrong)
        return attrs


class StanceUpdate(StrictSerializer):
    unchangeable = StanceSerializer.Meta.fields
    label = serializers.ChoiceField(choices=Stance.Label.choices)


class AssignmentInput(StrictSerializer):
    server_set = AssignmentSerializer.Meta.fields
    project = serializers.IntegerField(min_value=1)
    article = serializers.IntegerField(min_value=1)
    annotator = serializers.IntegerField(min_value=1)


class ExportInput(StrictSerializer):
    format = serializers.ChoiceField(choices=[])
    annotator = serializers.IntegerField(min_value=1, required=False, allow_null=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from annotations.exports import FORMATS

        self.fields["format"].choices = sorted(FORMATS)

    def validate_format(self, value: str) -> str:
        from annotations.exports.spacy import docbin_available

        if value == "spacy-docbin" and not docbin_available():
            raise serializers.ValidationError(
                "spaCy is not installed on this server (pip install spacy);"
                " the spacy format gives the same annotations as JSONL."
            )
        return value


IMPORT_MAX_CHARACTERS = 900_000


class ImportInput(StrictSerializer):
    jsonl = serializers.CharField(
        max_length=IMPORT_MAX_CHARACTERS,
        trim_whitespace=False,
        help_text="A JSONL export, one line a document.",
    )


# One line of an import: the same limits and choices as the API's inputs, in the export's
# shape (local ids such as "E1" for entities and claims, offsets as numbers). Keys an export
# carries that the import does not use (its "annotator", "anchor_state") are let through;
# any other key is refused, as a misspelt one would otherwise leave a default in its place,
# and so are values of the wrong JSON type (an offset "259").

_OFFSET = {"min_value": 0, "max_value": 2**31 - 1}


def _local_id(**extra: Any) -> serializers.CharField:
    return serializers.CharField(max_length=100, **extra)


def _offsets(**extra: Any) -> serializers.ListField:
    """[start, end]."""
    return serializers.ListField(
        child=serializers.IntegerField(**_OFFSET), min_length=2, max_length=2, **extra
    )


class _Imported(StrictSerializer):
    origin = OriginField()


class ImportedEntity(_Imported):
    id = _local_id()
    name = serializers.CharField(max_length=300)
    label = serializers.CharField(max_length=30)
    kb_id = serializers.CharField(max_length=30, default="", allow_blank=True)


class ImportedMention(_Imported):
    ignored = ("anchor_state",)
    start = serializers.IntegerField(**_OFFSET)
    end = serializers.IntegerField(**_OFFSET)
    label = serializers.CharField(max_length=30)
    entity = _local_id(required=False, allow_null=True)


class ImportedClaim(_Imported, ClaimChoices):
    ignored = ("anchor_state",)
    id = _local_id(required=False, default="")
    start = serializers.IntegerField(**_OFFSET)
    end = serializers.IntegerField(**_OFFSET)
    claimant = _local_id(required=False, allow_null=True)
    cue = _offsets(required=False, allow_null=True)


class ImportedStance(_Imported):
    label = serializers.ChoiceField(choices=Stance.Label.choices)
    target_kind = serializers.ChoiceField(choices=Stance.Target.choices)
    target = serializers.CharField(max_length=200, required=False, allow_null=True)
    holder = _local_id(required=False, allow_null=True)
    evidence = serializers.ListField(child=_offsets(), max_length=50, default=list)


class ImportedRecord(StrictSerializer):
    # The export's own key and annotator, doccano's "label" (read as mentions, see
    # annotations.exports.doccano.parse) and what doccano adds to a line it exports again.
    ignored = ("id", "annotator", "label", "meta", "Comments", "_line")
    article = serializers.IntegerField(min_value=1)
    revision = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    text = serializers.CharField(trim_whitespace=False, allow_blank=True)
    entities = ImportedEntity(many=True, default=list)
    mentions = ImportedMention(many=True, default=list)
    claims = ImportedClaim(many=True, default=list)
    stances = ImportedStance(many=True, default=list)
