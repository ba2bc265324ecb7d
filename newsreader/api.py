"""Plumbing every API endpoint shares: keyset pagination, strict input, errors, health, tokens."""

from __future__ import annotations

import base64
import binascii
import copy
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet, RequestDataTooBig
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.pagination import BasePagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from newsreader.parsers import PayloadTooLarge

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


# ---------------------------------------------------------------- input


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently ignoring a typo."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(error, RequestDataTooBig):
        error = PayloadTooLarge()
    response = drf_exception_handler(error, context)
    if response is not None and isinstance(response.data, list):
        # A bare list of messages (e.g. from a non-field error) becomes {"detail": [...]}.
        response.data = {"detail": response.data}
    return response


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time in UTC: PostgreSQL refuses offsets beyond ±15:59, Python accepts them."""

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("Out of range.") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class FilterSet(django_filters.FilterSet):
    """django-filter's, cheaper per request: filters copied shallowly, the form class made once.

    django-filter deep-copies every filter and makes a new form class on every request, a
    third of a filtered list's CPU. Filters keep no state of their own beyond ``model`` and
    ``parent`` (set on the copy) and the method binding (redone on the copy). The form class
    is kept only for filters whose form field does not depend on the request (checked).
    """

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
    ) -> None:
        # django_filters.FilterSet.__init__ (django-filter 26), but for the copy.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, original in self.base_filters.items():
            copied = self.filters[name] = copy.copy(original)
            if copied.method is not None:
                copied.method = copied.method  # A FilterMethod bound to the copy.
            copied.model = queryset.model
            copied.parent = self

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            if any(
                isinstance(f, django_filters.filters.QuerySetRequestMixin)
                for f in self.filters.values()
            ):
                return super().get_form_class()
            form_class = cls._form_class = super().get_form_class()
        return form_class


# ---------------------------------------------------------------- keyset pagination


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """The cursor's values, each checked against the kind of its column."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError
        decoded: list[Any] = []
        for value, kind in zip(values, kinds, strict=True):
            if kind is datetime:
                parsed = parse_datetime(value) if isinstance(value, str) else None
                if parsed is None or parsed.tzinfo is None:
                    raise ValueError
                decoded.append(parsed.astimezone(UTC))
            elif kind is int:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError
                decoded.append(value)
            else:
                if not isinstance(value, str):
                    raise ValueError
                decoded.append(value)
        return decoded
    except (ValueError, TypeError, OverflowError, UnicodeError, binascii.Error):
        raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from None


def page_size_of(request: Request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise exceptions.ValidationError(
            {"page_size": [f"A whole number from 1 to {MAX_PAGE_SIZE}."]}
        )
    return int(raw)


class KeysetPagination(BasePagination):
    """Forward-only pages ordered by (timestamp, id): stable under concurrent writes.

    A sync consumer keeps the last ``next_cursor`` and asks again later; rows changed since
    then come after it, since every change moves ``updated_at`` forward. The view names its
    columns in ``cursor_fields`` (default ``("updated_at", "id")``).
    """

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list:
        window = self.window(queryset, request, view)
        return self.cut(list(window[: self.page_size + 1]))

    def window(self, queryset: QuerySet, request: Request, view: Any = None) -> QuerySet:
        """The rows after the request's cursor, in cursor order; the caller slices a page + 1."""
        fields: tuple[str, str] = getattr(view, "cursor_fields", ("updated_at", "id"))
        first, last = fields
        self.fields = fields
        self.request = request
        self.page_size = page_size_of(request)
        kinds: list[type] = [int, int] if first == last else [datetime, int]
        self.cursor = request.query_params.get(self.cursor_query_param)
        if self.cursor:
            value, pk = decode_cursor(self.cursor, kinds)
            if first == last:
                queryset = queryset.filter(**{f"{last}__gt": pk})
            else:
                # The >= lets PostgreSQL walk the (first, id) index from the cursor on.
                queryset = queryset.filter(**{f"{first}__gte": value}).filter(
                    Q(**{f"{first}__gt": value}) | Q(**{first: value, f"{last}__gt": pk})
                )
        order = (last,) if first == last else (first, last)
        return queryset.order_by(*order)

    def cut(self, rows: list, cursor_of: Any = None) -> list:
        """The page of ``rows`` (a page + 1 long at most); sets ``has_next`` and the cursor.

        ``cursor_of(row)`` gives a row's cursor values (default: its cursor fields).
        """
        first, last = self.fields
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        # Even on the last page: a consumer resumes from it later ("next" is null: caught up).
        self.next_cursor = self.cursor or None
        if rows:
            tail = rows[-1]
            if cursor_of is not None:
                values = list(cursor_of(tail))
            else:
                pk = _value(tail, last)
                values = [pk, pk] if first == last else [_value(tail, first), pk]
            self.next_cursor = encode_cursor(values)
        return rows

    def next_link(self) -> str | None:
        if not self.has_next:
            return None
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, self.next_cursor
        )

    def get_paginated_response(self, data: Any) -> Response:
        next_url = self.next_link()
        return Response({"next": next_url, "next_cursor": self.next_cursor, "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "next_cursor", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "next_cursor": {"type": "string", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The next_cursor of the previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE}, default {DEFAULT_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


def _value(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


# ---------------------------------------------------------------- plain list rows

# Field kinds whose JSON form is the database value itself (or None): no conversion per row.
_AS_STORED = (
    serializers.IntegerField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.BooleanField,
    serializers.FloatField,
)


def iso_time_sql(column: str) -> str:
    """SQL for a timestamptz as DRF's DateTimeField writes it in UTC: ISO 8601 with "Z",
    microseconds unless they are zero (as ``datetime.isoformat``)."""
    text = f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    return f"replace({text}, '.000000Z', 'Z')"


def _utc(zone: Any) -> bool:
    return zone is UTC or getattr(zone, "key", None) in ("UTC", "Etc/UTC")


class PlainRows:
    """A read-only serializer's output without a serializer per row.

    A ModelSerializer per row costs ~0.5 ms for a dozen fields; a page of 100 is then most of
    the request. This reads the serializer's fields once (name, source column, kind), so the
    list keeps exactly the serializer's shape (and the schema, which is generated from it).
    In UTC, PostgreSQL writes each row's JSON (``json_row``); in another time zone the rows
    come as ``.values()`` dicts that ``render`` converts.
    """

    def __init__(self, serializer_class: type[serializers.Serializer]) -> None:
        self.spec: list[tuple[str, str, bool]] = []
        for name, field in serializer_class().fields.items():
            if field.source == "*" or not isinstance(
                field, (*_AS_STORED, serializers.DateTimeField)
            ):
                raise TypeError(f"{serializer_class.__name__}.{name} has no plain form")
            column = "__".join(field.source_attrs)
            self.spec.append((name, column, isinstance(field, serializers.DateTimeField)))
        self.columns = list(dict.fromkeys(column for _, column, _ in self.spec))

    def page_sql(self, model: type[Model], cursor: tuple[str, str]) -> str:
        """SELECT (row JSON, cursor time as text, id) for the ids that ``{ids}`` selects.

        Built once per view: Django compiles only the small query choosing the page's ids
        (filters, cursor, order, limit), which costs a fifth of compiling a select of every
        column, and PostgreSQL writes the JSON.
        """
        quote = connection.ops.quote_name
        joins: dict[str, str] = {}
        parts = []
        for name, column, when in self.spec:
            if not name.isidentifier():  # Goes into the SQL as a literal.
                raise ValueError(f"{name}: not an identifier")
            path = column.split("__")
            if len(path) == 1:
                sql = f"t.{quote(model._meta.get_field(path[0]).column)}"
            elif len(path) == 2:
                relation = model._meta.get_field(path[0])
                target = relation.related_model
                alias = joins.setdefault(path[0], f"j{len(joins)}")
                sql = f"{alias}.{quote(target._meta.get_field(path[1]).column)}"
            else:
                raise TypeError(f"{name}: {column} is too far away")
            parts.append(f"'{name}', {iso_time_sql(sql) if when else sql}")
        join_sql = "".join(
            f" LEFT JOIN {quote(rel.related_model._meta.db_table)} {alias}"
            f" ON {alias}.{quote(rel.target_field.column)} = t.{quote(rel.column)}"
            for rel, alias in (
                (model._meta.get_field(name), alias) for name, alias in joins.items()
            )
        )
        first, last = (model._meta.get_field(name).column for name in cursor)
        pk = quote(model._meta.pk.column)
        order = f"t.{quote(last)}" if first == last else f"t.{quote(first)}, t.{quote(last)}"
        at = f"t.{quote(first)}::text" if first == last else iso_time_sql(f"t.{quote(first)}")
        return (
            f"SELECT json_build_object({', '.join(parts)})::text, {at}, t.{quote(last)}"
            f" FROM {quote(model._meta.db_table)} t{join_sql}"
            f" WHERE t.{pk} IN ({{ids}}) ORDER BY {order}"
        )

    def values(self, queryset: QuerySet, *extra: str) -> QuerySet:
        """The queryset as dicts of the needed columns (and ``extra``, e.g. the cursor's)."""
        return queryset.values(*dict.fromkeys([*self.columns, *extra]))

    def render(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        zone = timezone.get_current_timezone()

        def iso(value: datetime | None) -> str | None:
            # As DRF's DateTimeField: in the current time zone, "Z" for UTC.
            if value is None:
                return None
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        spec = self.spec
        return [
            {name: iso(row[column]) if when else row[column] for name, column, when in spec}
            for row in rows
        ]


PAGE_PARAMETERS = {"cursor", "page_size"}


class PlainListMixin:
    """``list`` through :class:`PlainRows` (the serializer class still describes it)."""

    _plain_rows: PlainRows | None = None
    plain_sql: dict[tuple[type, str, str], str] = {}  # Replaced, never changed.

    @classmethod
    def plain_rows(cls) -> PlainRows:
        if cls.__dict__.get("_plain_rows") is None:
            cls._plain_rows = PlainRows(cls.serializer_class)  # type: ignore[attr-defined]
        return cls._plain_rows  # type: ignore[return-value]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if set(self.request.query_params) <= PAGE_PARAMETERS:  # type: ignore[attr-defined]
            # No filter asked for: every filter would let everything through, and building
            # the filterset is a fifth of the request.
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        plain = self.plain_rows()
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        paginator: KeysetPagination = self.paginator  # type: ignore[attr-defined]
        window = paginator.window(queryset, request, self)
        end = paginator.page_size + 1
        first, last = paginator.fields
        if not _utc(timezone.get_current_timezone()):
            rows = paginator.cut(list(plain.values(window, first, last)[:end]))
            return self.get_paginated_response(plain.render(rows))  # type: ignore[attr-defined]
        key = (window.model, first, last)
        page_sql = self.plain_sql.get(key)
        if page_sql is None:
            page_sql = plain.page_sql(window.model, (first, last))
            type(self).plain_sql = {**self.plain_sql, key: page_sql}
        try:
            ids, params = window.values_list("pk")[:end].query.sql_with_params()
        except EmptyResultSet:  # A filter such as pk__in=[] that nothing can match.
            rows = []
        else:
            with connection.cursor() as cursor:
                cursor.execute(page_sql.replace("{ids}", ids), params)
                rows = cursor.fetchall()
        if first == last:
            tuples = paginator.cut(rows, lambda row: (row[2], row[2]))
        else:
            tuples = paginator.cut(rows, lambda row: row[1:])
        head = json.dumps(
            {"next": paginator.next_link(), "next_cursor": paginator.next_cursor},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        body = head[:-1] + ',"results":[' + ",".join(row[0] for row in tuples) + "]}"
        # As DRF's JSONRenderer: these two are valid JSON but not valid JavaScript.
        body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return HttpResponse(body.encode(), content_type="application/json")


# ---------------------------------------------------------------- health and tokens


@extend_schema(
    responses=inline_serializer("Health", {"status": serializers.CharField()}),
    auth=[],
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def health(request: Request) -> Response:
    """Liveness: answers without touching the database."""
    return Response({"status": "ok"})


class TokenThrottle(AnonRateThrottle):
    """Password guessing is throttled by client address whether or not a session is open."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": "token", "ident": self.get_ident(request)}


@extend_schema(
    request=AuthTokenSerializer,
    responses={200: inline_serializer("TokenOut", {"token": serializers.CharField()})},
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([TokenThrottle])
def obtain_token(request: Request) -> Response:
    """Username and password in, the user's API token out (created on first use)."""
    form = AuthTokenSerializer(data=request.data, context={"request": request})
    form.is_valid(raise_exception=True)
    token, _ = Token.objects.get_or_create(user=form.validated_data["user"])
    return Response({"token": token.key})


def updated_after_parameter(name: str = "updated_after") -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.DATETIME, description="Only rows changed after.")
