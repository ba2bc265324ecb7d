"""The annotations side of the API: projects, assignments, annotations, changes, exports.

Access is the web UI's: site editors see every project; other people the projects they are
members of, where project editors see everyone's annotations and annotators only their own
(blind mode). Writes go through ``annotations.services``, which audit and leave tombstones;
only an article's assigned annotators and the project's editors (pre-annotating tools) write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q, QuerySet, Value
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import api_view, parser_classes
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import services
from annotations.exports import doccano
from annotations.models import (
    Anchored,
    Assignment,
    Claim,
    Entity,
    EntityMention,
    ExportJob,
    Membership,
    Project,
    Stance,
    SupportSpan,
    Tombstone,
)
from annotations.serializers import (
    IMPORT_MAX_CHARACTERS,
    AssignmentInput,
    AssignmentSerializer,
    ChangeSerializer,
    ClaimChoices,
    ClaimInput,
    ClaimSerializer,
    ClaimUpdate,
    EntityInput,
    EntitySerializer,
    EntityUpdate,
    ExportInput,
    ImportedRecord,
    ImportInput,
    MentionInput,
    MentionSerializer,
    MentionUpdate,
    ProjectSerializer,
    SpanInput,
    StanceInput,
    StanceSerializer,
    StanceUpdate,
    SupportSpanSerializer,
)
from articles import roles
from articles.models import Article
from newsreader.api import (
    EVERY_ROW,
    FilterSet,
    IdFilter,
    KeysetPagination,
    PlainListMixin,
    UtcDateTimeFilter,
    check_query,
    decode_cursor,
    encode_cursor,
    page_size_of,
)
from newsreader.parsers import BoundedJSONParser
from newsreader.sync_horizon import HORIZON

CLAIM_CHOICES = tuple(ClaimChoices().fields)


# ---------------------------------------------------------------- access


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


def _roles(request: Request) -> dict[int, str]:
    """{project id: role} of the user's memberships, asked once per request."""
    if not hasattr(request, "_project_roles"):
        request._project_roles = dict(
            Membership.objects.filter(user=request.user).values_list("project_id", "role")
        )
    return request._project_roles


def visible_projects(request: Request) -> QuerySet[Project]:
    if not request.user.is_authenticated:  # Schema generation.
        return Project.objects.none()
    if roles.is_editor(request.user):
        return Project.objects.all()
    return Project.objects.filter(pk__in=list(_roles(request)))


def annotation_scope(request: Request) -> Q:
    """The annotations the user may read: blind mode for annotators."""
    if not request.user.is_authenticated:  # Schema generation.
        return Q(pk__in=[])
    if roles.is_editor(request.user):
        return EVERY_ROW
    memberships = _roles(request)
    edited = [p for p, role in memberships.items() if role == Membership.Role.EDITOR]
    return Q(project_id__in=edited) | Q(annotator=request.user, project_id__in=list(memberships))


def project_role(request: Request, project: Project) -> str | None:
    if roles.is_editor(request.user):
        return Membership.Role.EDITOR
    return _roles(request).get(project.pk)


def _visible_project(request: Request, project_id: int, field: str = "project") -> Project:
    project = Project.objects.filter(pk=project_id).first()
    if project is None or project_role(request, project) is None:
        raise exceptions.ValidationError({field: ["No such project."]})
    return project


def writable(request: Request, project_id: int, article_id: int) -> tuple[Project, Article]:
    """Where the user may annotate: their open assignment, or any article as a project editor."""
    project = _visible_project(request, project_id)
    article = (
        Article.objects.select_related("current_revision")
        .defer("raw_bytes", "text", "search_vector")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise exceptions.ValidationError({"article": ["No such article."]})
    if project_role(request, project) != Membership.Role.EDITOR:
        assigned = Assignment.objects.filter(
            project=project, article=article, annotator=request.user
        ).first()
        if assigned is None:
            raise exceptions.PermissionDenied(
                "This article is not assigned to you in this project."
            )
        if assigned.status != Assignment.Status.ASSIGNED:
            raise exceptions.PermissionDenied("You have submitted this article already.")
    # As in the web UI, which opens no workspace for it; spanless entities and stances too.
    if article.current_revision_id is None:
        raise exceptions.ValidationError({"article": ["This article has no approved text yet."]})
    return project, article


@contextmanager
def service_errors() -> Iterator[None]:
    """The services' errors as HTTP answers: 409 stale, 403 not yours, 400 otherwise."""
    try:
        yield
    except services.StaleRevision as error:
        raise Conflict(str(error)) from error
    except services.AnnotationError as error:
        raise exceptions.ValidationError({error.field or "detail": [str(error)]}) from error
    except PermissionError as error:
        raise exceptions.PermissionDenied(str(error)) from error


def _own(model: type, request: Request, pk: int | None, field: str, **scope: Any) -> Any:
    """An annotation of the user referenced by id in the input (entity, claim), or a 400."""
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, annotator=request.user, **scope).first()
    if obj is None:
        raise exceptions.ValidationError({field: [f"No such {model.__name__.lower()} of yours."]})
    return obj


# ---------------------------------------------------------------- projects and assignments


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Project.objects.none()
    serializer_class = ProjectSerializer
    pagination_class = KeysetPagination
    filterset_class = None
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Project]:
        return visible_projects(self.request)


class AssignmentFilter(FilterSet):
    project = IdFilter(field_name="project_id")
    article = IdFilter(field_name="article_id")
    annotator = IdFilter(field_name="annotator_id")
    status = django_filters.ChoiceFilter(choices=Assignment.Status.choices)
    updated_after = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gt")

    class Meta:
        model = Assignment
        fields: list[str] = []


class AssignmentViewSet(
    PlainListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Annotators see their assignments; project editors all of the project, and assign."""

    queryset = Assignment.objects.none()
    serializer_class = AssignmentSerializer
    pagination_class = KeysetPagination
    lookup_value_converter = "int"
    filterset_class = AssignmentFilter

    def list_scope(self) -> Q:
        if not self.request.user.is_authenticated:  # Schema generation.
            return Q(pk__in=[])
        if roles.is_editor(self.request.user):
            return EVERY_ROW
        memberships = _roles(self.request)
        edited = [p for p, role in memberships.items() if role == Membership.Role.EDITOR]
        return Q(project_id__in=edited) | Q(annotator=self.request.user)

    def get_queryset(self) -> QuerySet[Assignment]:
        return Assignment.objects.filter(self.list_scope())

    @extend_schema(
        request=AssignmentInput,
        responses={201: AssignmentSerializer, 200: AssignmentSerializer},
        description="201 with a new assignment; 200 with the one that was already there.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _input(AssignmentInput, request)
        project = _visible_project(request, data["project"])
        if project_role(request, project) != Membership.Role.EDITOR:
            raise exceptions.PermissionDenied("Only the project's editors assign.")
        article = Article.objects.filter(pk=data["article"]).defer("raw_bytes", "text").first()
        if article is None:
            raise exceptions.ValidationError({"article": ["No such article."]})
        annotator = roles_user(data["annotator"])
        with service_errors():
            assignment, created = services.assignment_create(
                project=project, article=article, annotator=annotator, assigned_by=request.user
            )
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(AssignmentSerializer(assignment).data, status=answer)


def roles_user(user_id: int) -> Any:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise exceptions.ValidationError({"annotator": ["No such user."]})
    return user


# ---------------------------------------------------------------- annotations


def _filterset(model: type, spans: bool) -> type[django_filters.FilterSet]:
    attrs: dict[str, Any] = {
        "project": IdFilter(field_name="project_id"),
        "article": IdFilter(field_name="article_id"),
        "annotator": IdFilter(field_name="annotator_id"),
        "origin": django_filters.CharFilter(max_length=100),
        "updated_after": UtcDateTimeFilter(field_name="updated_at", lookup_expr="gt"),
        "Meta": type("Meta", (), {"model": model, "fields": []}),
    }
    if spans:
        attrs["revision"] = IdFilter(field_name="revision_id")
        attrs["anchor_state"] = django_filters.ChoiceFilter(choices=Anchored.State.choices)
    return type(f"{model.__name__}Filter", (FilterSet,), attrs)


def _reused(serializer: type[serializers.Serializer]) -> OpenApiResponse:
    return OpenApiResponse(
        serializer, description="The same pre-annotation, made before by the same tool and user."
    )


class AnnotationViewSet(
    PlainListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Read in (updated_at, id) order; write through the services, as the web UI does."""

    model: type = EntityMention
    pagination_class = KeysetPagination
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def list_scope(self) -> Q:
        return annotation_scope(self.request)

    def get_queryset(self) -> QuerySet:
        visible = self.model.objects.filter(self.list_scope())
        if self.action == "list":  # PlainRows joins what it needs itself.
            return visible
        return visible.select_related("annotator")

    def get_object(self) -> Any:
        obj = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS:
            # Changing or deleting needs what making needs: an open assignment to the article
            # (a submitted one is read-only for its annotator), or the project's editor role.
            writable(self.request, obj.project_id, obj.article_id)
        return obj

    def perform_destroy(self, instance: Any) -> None:
        with service_errors():
            services.annotation_delete(obj=instance, user=self.request.user)

    def _created(self, obj: Any) -> Response:
        """201 with the new annotation; 200 with the one a tool had already made (reused)."""
        reused = obj.reused
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(
            self.get_serializer(obj).data,
            status=status.HTTP_200_OK if reused else status.HTTP_201_CREATED,
        )

    def _updated(self, obj: Any) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)


def _input(form_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    return _valid(form_class, request.data)


def _valid(form_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    form = form_class(data=data)
    form.is_valid(raise_exception=True)
    return form.validated_data


class EntityViewSet(AnnotationViewSet):
    model = Entity
    queryset = Entity.objects.none()
    serializer_class = EntitySerializer
    filterset_class = _filterset(Entity, spans=False)

    @extend_schema(
        request=EntityInput, responses={201: EntitySerializer, 200: _reused(EntitySerializer)}
    )
    def create(self, request: Request) -> Response:
        data = _input(EntityInput, request)
        project, article = writable(request, data["project"], data["article"])
        with service_errors():
            entity = services.entity_create(
                project=project,
                article=article,
                annotator=request.user,
                name=data["name"],
                label=data["label"],
                kb_id=data["kb_id"],
                origin=data["origin"],
            )
        return self._created(entity)

    @extend_schema(request=EntityUpdate, responses={200: EntitySerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        entity = self.get_object()
        changes = _input(EntityUpdate, request)
        with service_errors():
            services.entity_update(entity=entity, user=request.user, **changes)
        return self._updated(entity)


class MentionViewSet(AnnotationViewSet):
    model = EntityMention
    queryset = EntityMention.objects.none()
    serializer_class = MentionSerializer
    filterset_class = _filterset(EntityMention, spans=True)

    @extend_schema(
        request=MentionInput,
        responses={
            201: MentionSerializer,
            200: _reused(MentionSerializer),
            409: OpenApiResponse(description="Conflict."),
        },
    )
    def create(self, request: Request) -> Response:
        data = _input(MentionInput, request)
        project, article = writable(request, data["project"], data["article"])
        entity = _own(Entity, request, data.get("entity"), "entity", article=article)
        with service_errors():
            mention = services.mention_create(
                project=project,
                article=article,
                annotator=request.user,
                span=SpanInput.span(data),
                label=data["label"],
                entity=entity,
                revision_id=data.get("revision"),
                origin=data["origin"],
            )
        return self._created(mention)

    @extend_schema(request=MentionUpdate, responses={200: MentionSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        mention = self.get_object()
        data = _input(MentionUpdate, request)
        changes: dict[str, Any] = {}
        if "label" in data:
            changes["label"] = data["label"]
        if "entity" in data:
            changes["entity"] = _own(
                Entity, request, data["entity"], "entity", article_id=mention.article_id
            )
        with service_errors():
            services.mention_update(mention=mention, user=request.user, **changes)
        return self._updated(mention)


class ClaimViewSet(AnnotationViewSet):
    model = Claim
    queryset = Claim.objects.none()
    serializer_class = ClaimSerializer
    filterset_class = _filterset(Claim, spans=True)

    @extend_schema(
        request=ClaimInput,
        responses={
            201: ClaimSerializer,
            200: _reused(ClaimSerializer),
            409: OpenApiResponse(description="Conflict."),
        },
    )
    def create(self, request: Request) -> Response:
        data = _input(ClaimInput, request)
        project, article = writable(request, data["project"], data["article"])
        fields = {k: data[k] for k in CLAIM_CHOICES if k in data}
        claimant = _own(Entity, request, data.get("claimant"), "claimant", article=article)
        if claimant is not None:
            fields["claimant"] = claimant
        with service_errors():
            claim = services.claim_create(
                project=project,
                article=article,
                annotator=request.user,
                span=SpanInput.span(data),
                cue=SpanInput.span(data["cue"]) if data.get("cue") else None,
                revision_id=data.get("revision"),
                origin=data["origin"],
                **fields,
            )
        return self._created(claim)

    @extend_schema(request=ClaimUpdate, responses={200: ClaimSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        claim = self.get_object()
        changes = dict(_input(ClaimUpdate, request))
        if "claimant" in changes:
            changes["claimant"] = _own(
                Entity, request, changes["claimant"], "claimant", article_id=claim.article_id
            )
        with service_errors():
            services.claim_update(claim=claim, user=request.user, **changes)
        return self._updated(claim)


class StanceViewSet(AnnotationViewSet):
    model = Stance
    queryset = Stance.objects.none()
    serializer_class = StanceSerializer
    filterset_class = _filterset(Stance, spans=False)

    @extend_schema(
        request=StanceInput, responses={201: StanceSerializer, 200: _reused(StanceSerializer)}
    )
    def create(self, request: Request) -> Response:
        data = _input(StanceInput, request)
        project, article = writable(request, data["project"], data["article"])
        mine = {"article": article}
        with service_errors():
            stance = services.stance_create(
                project=project,
                article=article,
                annotator=request.user,
                label=data["label"],
                target_kind=data["target_kind"],
                target_topic=data["target_topic"],
                target_entity=_own(
                    Entity, request, data.get("target_entity"), "target_entity", **mine
                ),
                target_claim=_own(Claim, request, data.get("target_claim"), "target_claim", **mine),
                holder=_own(Entity, request, data.get("holder"), "holder", **mine),
                evidence=[SpanInput.span(x) for x in data.get("evidence", [])],
                origin=data["origin"],
            )
        return self._created(stance)

    @extend_schema(request=StanceUpdate, responses={200: StanceSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        stance = self.get_object()
        data = _input(StanceUpdate, request)
        with service_errors():
            services.stance_update(stance=stance, user=request.user, label=data["label"])
        return self._updated(stance)


class SupportSpanViewSet(
    PlainListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Claims' cues and stances' evidence (created with their claim or stance)."""

    queryset = SupportSpan.objects.none()
    serializer_class = SupportSpanSerializer
    pagination_class = KeysetPagination
    lookup_value_converter = "int"
    filterset_class = _filterset(SupportSpan, spans=True)

    def list_scope(self) -> Q:
        return annotation_scope(self.request)

    def get_queryset(self) -> QuerySet[SupportSpan]:
        return SupportSpan.objects.filter(self.list_scope()).select_related("annotator")


# ---------------------------------------------------------------- changes feed

CHANGE_KINDS: dict[str, tuple[type, type[serializers.Serializer]]] = {
    "claim": (Claim, ClaimSerializer),
    "entity": (Entity, EntitySerializer),
    "mention": (EntityMention, MentionSerializer),
    "stance": (Stance, StanceSerializer),
    "support": (SupportSpan, SupportSpanSerializer),
}
# Tombstones name models by class; the feed by the API's names.
TOMBSTONE_KIND = {
    "claim": "claim",
    "entity": "entity",
    "entitymention": "mention",
    "stance": "stance",
    "supportspan": "support",
}


def _after(ts_field: str, key: str, cursor: tuple[datetime, str, int] | None) -> Q:
    """Rows after the cursor in (time, key, id) order, for a sub-feed whose key is constant."""
    if cursor is None:
        return Q()
    at, after_key, pk = cursor
    if key > after_key:
        return Q(**{f"{ts_field}__gte": at})
    if key < after_key:
        return Q(**{f"{ts_field}__gt": at})
    return Q(**{f"{ts_field}__gt": at}) | Q(**{ts_field: at, "pk__gt": pk})


@extend_schema(
    parameters=[
        OpenApiParameter("project", OpenApiTypes.INT, description="Only this project."),
        OpenApiParameter("cursor", OpenApiTypes.STR, description="next_cursor of the last page."),
        OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 1000 (default 100)."),
    ],
    responses=inline_serializer(
        "ChangesPage",
        {
            "next": serializers.URLField(allow_null=True),
            "next_cursor": serializers.CharField(allow_null=True),
            "results": ChangeSerializer(many=True),
        },
    ),
)
@api_view(["GET"])
def changes(request: Request) -> Response:
    """Every annotation created, changed or deleted, in order: replay it to mirror exactly.

    ``upsert`` carries the row as its list endpoint shows it; ``delete`` names a row that is
    gone. Keep ``next_cursor`` and ask again later for what happened since.
    """
    check_query(request, ["project"])
    size = page_size_of(request)
    raw_project = request.query_params.get("project")
    scope = annotation_scope(request)
    if raw_project is not None:
        if not (raw_project.isascii() and raw_project.isdigit()):
            raise exceptions.ValidationError({"project": ["A project id."]})
        scope &= Q(project_id=int(raw_project))
    raw_cursor = request.query_params.get("cursor")
    cursor = tuple(decode_cursor(raw_cursor, [datetime, str, int])) if raw_cursor else None
    parts = []
    # As the lists: nothing a later commit could put behind the cursor. One value for all the
    # kinds, or one could stop later than another and the page skip what lies between.
    horizon = HORIZON.get()
    for kind, (model, _) in CHANGE_KINDS.items():
        key = f"u:{kind}"
        parts.append(
            model.objects.filter(scope, _after("updated_at", key, cursor))
            .filter(updated_at__lt=horizon)
            .annotate(key=Value(key))
            .values_list("updated_at", "key", "pk")
            .order_by("updated_at", "pk")[: size + 1]
        )
    tombstones = Tombstone.objects.filter(
        scope, _after("deleted_at", "~delete", cursor), deleted_at__lt=horizon
    )
    parts.append(
        tombstones.annotate(key=Value("~delete"))
        .values_list("deleted_at", "key", "pk")
        .order_by("deleted_at", "pk")[: size + 1]
    )
    with _snapshot():
        # Each part is cut to a page first, so the merge never reads more than 6 pages of keys.
        merged = sorted((row for part in parts for row in part), key=lambda r: (r[0], r[1], r[2]))
        page, has_next = merged[:size], len(merged) > size
        results = _change_rows(page)
    # Even on the last page, so that the consumer can resume there later.
    next_cursor = encode_cursor(list(page[-1])) if page else (raw_cursor or None)
    next_url = None
    if has_next:
        next_url = (
            request.build_absolute_uri(reverse("api-changes")) + "?" + _query(request, next_cursor)
        )
    return Response({"next": next_url, "next_cursor": next_cursor, "results": results})


@contextmanager
def _snapshot() -> Iterator[None]:
    """One snapshot for a page's keys and their rows: a row deleted or changed between the
    two reads would otherwise be missing (a KeyError) or newer than its place in the page."""
    if connection.in_atomic_block:  # Inside a transaction already (a test's): its own.
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _query(request: Request, cursor: str) -> str:
    query = request.query_params.copy()
    query["cursor"] = cursor
    return query.urlencode()


def _change_rows(page: list[tuple[datetime, str, int]]) -> list[dict[str, Any]]:
    wanted: dict[str, list[int]] = {}
    for _, key, pk in page:
        wanted.setdefault(key, []).append(pk)
    loaded: dict[tuple[str, int], dict[str, Any]] = {}
    for key, ids in wanted.items():
        if key == "~delete":
            for t in Tombstone.objects.filter(pk__in=ids):
                kind = TOMBSTONE_KIND.get(t.model, t.model)
                loaded[key, t.pk] = {
                    "op": "delete",
                    "model": kind,
                    "id": t.object_id,
                    "at": t.deleted_at,
                    "data": None,
                }
            continue
        kind = key[2:]
        model, serializer = CHANGE_KINDS[kind]
        for obj in model.objects.filter(pk__in=ids).select_related("annotator"):
            loaded[key, obj.pk] = {
                "op": "upsert",
                "model": kind,
                "id": obj.pk,
                "at": obj.updated_at,
                "data": serializer(obj).data,
            }
    return ChangeSerializer([loaded[key, pk] for _, key, pk in page], many=True).data


# ---------------------------------------------------------------- exports and import


class ExportJobSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    url = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = (
            "id",
            "project",
            "format",
            "filters",
            "state",
            "filename",
            "content_type",
            "size_bytes",
            "error",
            "created_at",
            "finished_at",
            "url",
            "download",
        )
        read_only_fields = fields

    # Absolute, as the lists' next links and the API's index are.
    def get_url(self, job: ExportJob) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-export", args=[job.pk]))

    def get_download(self, job: ExportJob) -> str | None:
        if job.state != ExportJob.State.DONE:
            return None
        url = reverse("api-export-download", args=[job.pk])
        return self.context["request"].build_absolute_uri(url)


@extend_schema(request=ExportInput, responses={202: ExportJobSerializer})
@api_view(["POST"])
def export_create(request: Request, project_id: int) -> Response:
    """Start an export; poll its ``url`` until ``state`` is done, then GET ``download``.

    Annotators export only their own annotations; project editors anyone's (``annotator``).
    """
    from annotations.tasks import run_export

    project = get_object_or_404(visible_projects(request), pk=project_id)
    data = _input(ExportInput, request)
    annotator = data.get("annotator")
    if project_role(request, project) != Membership.Role.EDITOR:
        if annotator not in (None, request.user.pk):
            raise exceptions.PermissionDenied("Annotators export only their own annotations.")
        annotator = request.user.pk
    elif annotator is not None and not get_user_model().objects.filter(pk=annotator).exists():
        raise exceptions.ValidationError({"annotator": ["No such user."]})
    job = ExportJob.objects.create(
        project=project,
        requested_by=request.user,
        format=data["format"],
        filters={"annotator": annotator},
    )
    transaction.on_commit(lambda: run_export.delay(job.pk))
    data = ExportJobSerializer(job, context={"request": request}).data
    # Where to poll, as HTTP says for 202 (also the body's ``url``).
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


def _job(request: Request, job_id: int) -> ExportJob:
    return get_object_or_404(
        ExportJob.objects.defer("content").filter(
            project__in=visible_projects(request), requested_by=request.user
        ),
        pk=job_id,
    )


@extend_schema(responses=ExportJobSerializer)
@api_view(["GET"])
def export_detail(request: Request, job_id: int) -> Response:
    return Response(ExportJobSerializer(_job(request, job_id), context={"request": request}).data)


@extend_schema(
    responses={
        (200, "application/octet-stream"): OpenApiTypes.BINARY,
        409: OpenApiResponse(description="Conflict."),
    }
)
@api_view(["GET"])
def export_download(request: Request, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if job.state != ExportJob.State.DONE:
        if job.state == ExportJob.State.FAILED:
            raise Conflict(f"The export failed: {job.error}")
        raise Conflict(f"The export is {job.state}, not ready yet.")
    content = ExportJob.objects.values_list("content", flat=True).get(pk=job.pk)
    response = HttpResponse(bytes(content), content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response


class ImportJSONParser(BoundedJSONParser):
    """An import's JSONL, in which JSON may write each character as six bytes (``\\u4e2d``)."""

    advice = "; post a larger export in parts of whole lines"

    def max_bytes(self) -> int:
        return 6 * IMPORT_MAX_CHARACTERS + 64 * 1024


@extend_schema(
    request=ImportInput,
    responses=inline_serializer(
        "ImportResult",
        {
            name: serializers.IntegerField()
            for name in ("entities", "mentions", "claims", "stances")
        },
    ),
)
@api_view(["POST"])
@parser_classes([ImportJSONParser])
def import_jsonl(request: Request, project_id: int) -> Response:
    """Import a doccano-style JSONL export as the requesting user's annotations (all or none)."""
    project = get_object_or_404(visible_projects(request), pk=project_id)
    data = _input(ImportInput, request)
    try:
        records = doccano.parse(data["jsonl"])
    except doccano.ImportError_ as error:
        raise exceptions.ValidationError({"jsonl": [str(error)]}) from error
    counts = {"entities": 0, "mentions": 0, "claims": 0, "stances": 0}
    with transaction.atomic():
        for record in records:
            try:
                with service_errors():
                    _import_record(request, project, record, counts)
            except exceptions.APIException as error:
                message = f"line {record['_line']}: {_flatten(error.detail)}"
                raise type(error)({"jsonl": [message]}) from error
    return Response(counts)


def _flatten(detail: Any) -> str:
    if isinstance(detail, dict):
        return "; ".join(
            (_flatten(v) if k in ("detail", "non_field_errors") else f"{k}: {_flatten(v)}")
            for k, v in detail.items()
        )
    if isinstance(detail, list):
        return " ".join(_flatten(x) for x in detail)
    return str(detail)


def _import_record(
    request: Request, project: Project, line: dict[str, Any], counts: dict[str, int]
) -> None:
    record = _valid(ImportedRecord, line)
    _, article = writable(request, project.pk, record["article"])
    user = request.user
    revision_id = record.get("revision")
    text = record["text"]
    entities: dict[str, Entity] = {}

    def span(start: int, end: int) -> services.Span:
        return services.Span(start, end, text[start:end])

    def local(made: dict[str, Any], key: str | None) -> Any:
        """The entity or claim an id of this line names ("E1"), made further up the line."""
        if not key:
            return None
        if key not in made:
            raise exceptions.ValidationError(f"'{key}' is not an id given earlier on this line.")
        return made[key]

    for item in record["entities"]:
        entities[item["id"]] = entity = services.entity_create(
            project=project,
            article=article,
            annotator=user,
            name=item["name"],
            label=item["label"],
            kb_id=item["kb_id"],
            origin=item["origin"],
        )
        counts["entities"] += not entity.reused
    for item in record["mentions"]:
        mention = services.mention_create(
            project=project,
            article=article,
            annotator=user,
            span=span(item["start"], item["end"]),
            label=item["label"],
            entity=local(entities, item.get("entity")),
            revision_id=revision_id,
            origin=item["origin"],
        )
        counts["mentions"] += not mention.reused
    claims: dict[str, Claim] = {}
    for item in record["claims"]:
        fields = {k: item[k] for k in CLAIM_CHOICES if k in item}
        claims[item.get("id", "")] = claim = services.claim_create(
            project=project,
            article=article,
            annotator=user,
            span=span(item["start"], item["end"]),
            claimant=local(entities, item.get("claimant")),
            cue=span(*item["cue"]) if item.get("cue") else None,
            revision_id=revision_id,
            origin=item["origin"],
            **fields,
        )
        counts["claims"] += not claim.reused
    for item in record["stances"]:
        kind, target = item["target_kind"], item.get("target")
        stance = services.stance_create(
            project=project,
            article=article,
            annotator=user,
            label=item["label"],
            target_kind=kind,
            target_topic=(target or "") if kind == "topic" else "",
            target_entity=local(entities, target) if kind == "entity" else None,
            target_claim=local(claims, target) if kind == "claim" else None,
            holder=local(entities, item.get("holder")),
            evidence=[span(s, e) for s, e in item["evidence"]],
            origin=item["origin"],
        )
        counts["stances"] += not stance.reused
