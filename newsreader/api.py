"""Plumbing every API endpoint shares: keyset pagination, strict input, errors, health, tokens."""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
import threading
from collections.abc import Hashable, Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from itertools import starmap
from operator import itemgetter
from typing import Any, NamedTuple
from urllib.parse import quote_plus, urlencode

import django_filters
import msgspec
from django import forms
from django.conf import settings
from django.core.exceptions import EmptyResultSet, RequestDataTooBig
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.dispatch import receiver
from django.http import HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
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
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from newsreader import page_queries
from newsreader.binary_rows import fetch_all
from newsreader.page_queries import PageQueries, PageQuery
from newsreader.parsers import PayloadTooLarge
from newsreader.sync_horizon import HORIZON
from newsreader.throttling import TokenThrottle

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


# ---------------------------------------------------------------- input


class JsonTypedSerializer(serializers.Serializer):
    """Refuses, in JSON, values of the wrong type, which DRF would convert (123 to "123",
    "65" to 65)."""

    def to_internal_value(self, data: Any) -> Any:
        if type(data) is dict:  # Parsed JSON; form data (a QueryDict) is text throughout.
            wrong = {
                name: [message]
                for name, value in data.items()
                if name in self.fields and (message := _json_type_error(self.fields[name], value))
            }
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


class StrictSerializer(JsonTypedSerializer):
    """Refuses fields it does not know, instead of silently ignoring a typo, and values of
    the wrong type."""

    # Fields of what the input changes that it cannot change (an annotation's span, say).
    unchangeable: tuple[str, ...] = ()
    # Fields of what the input creates that the server sets (its id, its times): a client
    # posting back a row it read learns which to leave out, not just that they are unknown.
    server_set: tuple[str, ...] = ()

    # Keys taken and ignored: those a format carries for other readers (an export's
    # "anchor_state"), which its import does not use.
    ignored: tuple[str, ...] = ()

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields) - set(self.ignored))
            if unknown:
                raise serializers.ValidationError({name: [self._refused(name)] for name in unknown})
        return super().to_internal_value(data)

    def _refused(self, name: str) -> str:
        if name in self.unchangeable:
            return "This field cannot be changed."
        if name in self.server_set:
            return "Set by the server: leave this out."
        return "Unknown field."


def _json_type_error(field: serializers.Field, value: Any) -> str | None:
    """Why ``value`` is not of the JSON type ``field`` takes, or None."""
    if value is None or field.read_only:
        return None  # DRF says whether null is allowed, and ignores read-only fields.
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, serializers.IntegerField):
        whole = isinstance(value, int) and not isinstance(value, bool)
        return None if whole else "Must be a whole number."
    if isinstance(field, (serializers.CharField, serializers.ChoiceField)):
        return None if isinstance(value, str) else "Must be a string."
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        return next(filter(None, (_json_type_error(field.child, item) for item in value)), None)
    return None


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


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no, any case); anything else is an error, not "no filter"."""

    WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        try:
            return self.WORDS[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Use true or false.") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IdField(forms.IntegerField):
    """ASCII digits only: Django's IntegerField reads "١" (Arabic-Indic one) as 1, and "1.0"
    as 1."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and value and not (value.isascii() and value.isdigit()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field(OpenApiTypes.INT)  # Not "number": "1.5" is refused.
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number, "1.5" or "1e0" an error rather than rounded to another id."""

    field_class = IdField


class _SharedFields(dict):
    """A form class's fields, which each form shares instead of deep-copying them.

    For forms that only validate: cleaning a value leaves a field as it was, and these forms
    are never rendered (rendering is what may change a copy's widget).
    """

    def __deepcopy__(self, memo: dict) -> dict:
        return dict(self)


def filters_are_pure(filterset_class: type[django_filters.FilterSet] | None) -> bool:
    """Whether the filters' SQL follows from the query string alone: none reads the database
    (as a ModelChoiceFilter's choices do) to validate or build its condition."""
    if filterset_class is None:
        return True
    pure = filterset_class.__dict__.get("_pure")
    if pure is None:
        pure = not any(
            isinstance(f, django_filters.filters.QuerySetRequestMixin)
            for f in filterset_class.base_filters.values()
        )
        filterset_class._pure = pure
    return pure


class FilterSet(django_filters.FilterSet):
    """django-filter's, cheaper per request: filters copied shallowly, the form class made once.

    django-filter deep-copies every filter and makes a new form class on every request, and
    the form deep-copies every field: half of a filtered list's CPU. Filters keep no state of
    their own beyond ``model`` and ``parent`` (set on the copy) and the method binding (redone
    on the copy). The form class is kept, its fields shared, only for filters whose form
    field does not depend on the request (checked).
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
            if not filters_are_pure(cls):
                return super().get_form_class()
            form_class = super().get_form_class()
            form_class.base_fields = _SharedFields(form_class.base_fields)
            cls._form_class = form_class
        return form_class


# ---------------------------------------------------------------- keyset pagination


def encode_cursor(values: Sequence[Any]) -> str:
    # Times as RFC 3339 ("Z" for UTC), which decode_cursor reads as it reads isoformat().
    return base64.urlsafe_b64encode(_ENCODER.encode(values)).decode().rstrip("=")


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


def check_query(request: Request, filters: Iterable[str]) -> None:
    """Refuses query parameters a list does not take (besides ``filters``, its page's and
    the format), and parameters given no value or more than one: a mistyped filter
    (``?projcet=3``) or an empty one (``?project=``) would otherwise be ignored, and a sync
    consumer would mirror every row instead of the few it asked for, told nothing."""
    filters = set(filters)
    known = {*filters, *PAGE_PARAMETERS, api_settings.URL_FORMAT_OVERRIDE}
    unknown = sorted(request.query_params.keys() - known)
    if unknown:
        takes = ", ".join(sorted(name for name in known if name))
        message = f"Unknown query parameter; this list takes {takes}."
        raise exceptions.ValidationError({name: [message] for name in unknown})
    asked = list(request.query_params.lists())
    blank = sorted(name for name, values in asked if "" in values)
    if blank:
        message = "No value: give one, or leave the parameter out."
        raise exceptions.ValidationError({name: [message] for name in blank})
    # A second value would be ignored (the last one wins): a consumer asking for two
    # projects would get one, told nothing.
    repeated = sorted(name for name, values in asked if len(values) > 1)
    if repeated:
        message = "Given more than once: give one value."
        raise exceptions.ValidationError({name: [message] for name in repeated})


def page_size_of(request: Request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
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
        self.read(request, view)
        window = self.after(queryset, self.cursor_values)
        return self.cut(list(window[: self.page_size + 1]))

    def read(self, request: Request, view: Any = None) -> None:
        """The request's page size and cursor (``cursor_values``: None on the first page)."""
        filterset = getattr(view, "filterset_class", None)
        check_query(request, filterset.base_filters if filterset else ())
        fields: tuple[str, str] = getattr(view, "cursor_fields", ("updated_at", "id"))
        self.fields = fields
        self.request = request
        self.page_size = page_size_of(request)
        kinds: list[type] = [int, int] if self.by_id_only else [datetime, int]
        self.cursor = request.query_params.get(self.cursor_query_param)
        self.cursor_values = decode_cursor(self.cursor, kinds) if self.cursor else None

    @property
    def by_id_only(self) -> bool:
        first, last = self.fields
        return first == last

    def after(
        self,
        queryset: QuerySet,
        cursor_values: Sequence[Any] | None,
        horizon: datetime | None = None,
    ) -> QuerySet:
        """The rows after ``cursor_values`` and before ``horizon`` (default: the sync horizon,
        ``newsreader.sync_horizon``), in cursor order; the caller slices a page + 1."""
        first, last = self.fields
        if not self.by_id_only:
            # As a subquery, whose value the planner does not know in any plan: a bare
            # parameter would make PostgreSQL plan every run of the prepared query anew
            # (a custom plan, estimated cheaper than the generic one, for good).
            bound = RawSQL("(SELECT %s::timestamptz)", [horizon or HORIZON.get()])
            queryset = queryset.filter(**{f"{first}__lt": bound})
        if cursor_values:
            value, pk = cursor_values
            if self.by_id_only:
                queryset = queryset.filter(**{f"{last}__gt": pk})
            else:
                # The >= lets PostgreSQL walk the (first, id) index from the cursor on.
                queryset = queryset.filter(**{f"{first}__gte": value}).filter(
                    Q(**{f"{first}__gt": value}) | Q(**{first: value, f"{last}__gt": pk})
                )
        order = (last,) if self.by_id_only else (first, last)
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
        meta = self.request._request.META
        key = (
            *map(meta.get, _ORIGIN_META),
            meta.get((settings.SECURE_PROXY_SSL_HEADER or ("",))[0]),
            self.request.path,
            meta.get("QUERY_STRING"),
        )
        around = _NEXT_LINKS.get(key)
        if around is None:
            around = self._around_cursor()
            if len(_NEXT_LINKS) >= 512:  # The key is the client's to choose: bounded.
                _NEXT_LINKS.clear()
            _NEXT_LINKS[key] = around
        before, after = around
        return f"{before}{quote_plus(self.next_cursor)}{after}"

    def _around_cursor(self) -> tuple[str, str]:
        """This request's absolute URL with the cursor replaced, as DRF's replace_query_param
        (the query sorted by name), in two parts: before the cursor's value and after it."""
        name = self.cursor_query_param
        asked = self.request.query_params.lists()
        query = sorted(((k, v) for k, vs in asked if k != name for v in vs), key=itemgetter(0))
        before = urlencode([(k, v) for k, v in query if k < name])
        after = urlencode([(k, v) for k, v in query if k > name])
        url = self.request.build_absolute_uri(self.request.path)
        return (
            f"{url}?{before}{'&' if before else ''}{quote_plus(name)}=",
            f"&{after}" if after else "",
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


# What a request's absolute URL is made of besides its path and the proxy's scheme header
# (HttpRequest.build_absolute_uri: the scheme, the host, also from forwarded headers): the
# next links of requests alike in all of these and the query string differ only by cursor.
_ORIGIN_META = (
    "wsgi.url_scheme",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "HTTP_X_FORWARDED_PORT",
)
_NEXT_LINKS: dict[tuple, tuple[str, str]] = {}


@receiver(setting_changed)
def _forget_next_links(**kwargs: Any) -> None:
    _NEXT_LINKS.clear()  # The hosts allowed, or which headers count, may have changed.


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


def _utc(zone: Any) -> bool:
    return zone is UTC or getattr(zone, "key", None) in ("UTC", "Etc/UTC")


class _Heads(NamedTuple):
    ids: str  # How Django's query for a page's ids starts.
    rows: str  # What it starts with instead, to select the rows.


class PlainRows:
    """A read-only serializer's output without a serializer per row.

    A ModelSerializer per row costs ~0.5 ms for a dozen fields; a page of 100 is then most of
    the request. This reads the serializer's fields once (name, source column, kind), so the
    list keeps exactly the serializer's shape (and the schema, which is generated from it).
    The rows come as tuples in PostgreSQL's binary format (``newsreader.binary_rows``) and
    msgspec writes them, times as DRF's DateTimeField does ("Z" for UTC).
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
        self.names = [name for name, _, _ in self.spec]
        self.times = [index for index, (_, _, when) in enumerate(self.spec) if when]
        # A row becomes a msgspec struct of the serializer's fields, made and written in C:
        # a quarter of the time of a dict per row written by orjson, with the same bytes.
        # Not tracked by the garbage collector: a row holds scalars only, so it is in no cycle.
        self.row_type = msgspec.defstruct(
            f"{serializer_class.__name__}Row", [(name, object) for name in self.names], gc=False
        )
        self._fields = itemgetter(slice(0, len(self.names)))  # Extra columns follow.
        self._page_sql_heads: dict[tuple[type[Model], tuple[str, ...]], _Heads] = {}
        self._extra_positions: dict[tuple[str, ...], tuple[int, ...]] = {}

    def page_sql(self, model: type[Model], ids_sql: str, *extra: str) -> str:
        """``ids_sql``, Django's query for the page's ids, selecting the rows' columns instead.

        The spec's columns come first, then those of the ``extra`` fields it lacks (find them
        with :meth:`extra_values`). A column of a related row (``annotator__username``) comes
        from a LEFT JOIN put right after the base table, which keeps its own name in Django's
        queries, so the joins Django wrote still apply to it.
        """
        heads = self._heads(model, extra)
        if not ids_sql.startswith(heads.ids) or ids_sql[len(heads.ids) :][:1] not in ("", " "):
            raise ValueError(f"Not a query for {model.__name__} ids: {ids_sql[:200]}")
        return heads.rows + ids_sql[len(heads.ids) :]

    def extra_values(self, row: Sequence[Any], *extra: str) -> tuple[Any, ...]:
        """The ``extra`` fields' values, in order, from a row of :meth:`page_sql`."""
        positions = self._extra_positions.get(extra)
        if positions is None:
            columns = self._columns(extra)
            positions = self._extra_positions[extra] = tuple(map(columns.index, extra))
        return tuple(row[position] for position in positions)

    def _columns(self, extra: Sequence[str]) -> list[str]:
        """The fields a row holds: the spec's, then the ``extra`` ones it lacks.

        An extra field the spec has already (the cursor's updated_at and id, as a rule) is
        read from the spec's column: PostgreSQL and psycopg would do each value's work twice.
        """
        columns = [column for _, column, _ in self.spec]
        columns += [name for name in dict.fromkeys(extra) if name not in columns]
        return columns

    def _heads(self, model: type[Model], extra: tuple[str, ...]) -> _Heads:
        heads = self._page_sql_heads.get((model, extra))
        if heads is None:
            heads = self._page_sql_heads[(model, extra)] = self._make_heads(model, extra)
        return heads

    def _make_heads(self, model: type[Model], extra: tuple[str, ...]) -> _Heads:
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns: list[str] = []
        joins: dict[str, tuple[str, str]] = {}
        for column in self._columns(extra):
            path = column.split("__")
            if len(path) == 1:
                columns.append(f"{table}.{quote(model._meta.get_field(path[0]).column)}")
            elif len(path) == 2:
                relation = model._meta.get_field(path[0])
                target = relation.related_model
                if relation.name not in joins:
                    alias = f"j{len(joins)}"
                    joins[relation.name] = (
                        alias,
                        f" LEFT JOIN {quote(target._meta.db_table)} {alias}"
                        f" ON {alias}.{quote(relation.target_field.column)}"
                        f" = {table}.{quote(relation.column)}",
                    )
                alias = joins[relation.name][0]
                columns.append(f"{alias}.{quote(target._meta.get_field(path[1]).column)}")
            else:
                raise TypeError(f"{column} is too far away")
        pk = quote(model._meta.pk.column)
        return _Heads(
            ids=f"SELECT {table}.{pk} AS {quote('pk')} FROM {table}",
            rows=f"SELECT {', '.join(columns)} FROM {table}{''.join(j for _, j in joins.values())}",
        )

    def render(self, rows: list[tuple[Any, ...]], zone: tzinfo) -> list[msgspec.Struct]:
        """Rows (the spec's columns first) as structs, times in ``zone``."""
        if self.times and not _utc(zone):
            rows = [list(row) for row in rows]
            for row in rows:
                for index in self.times:
                    if row[index] is not None:
                        row[index] = row[index].astimezone(zone)
        if rows and len(rows[0]) > len(self.names):
            rows = map(self._fields, rows)
        return list(starmap(self.row_type, rows))


def json_response(data: Any) -> HttpResponse:
    """``data`` as DRF's JSONRenderer writes it (UTF-8, times as DateTimeField: "Z" for UTC,
    a fraction only when there is one), made by msgspec."""
    # Into a buffer kept per thread: msgspec's own starts small and grows by copying.
    buffer = getattr(_BUFFERS, "buffer", None)
    if buffer is None:
        buffer = _BUFFERS.buffer = bytearray()
    _ENCODER.encode_into(data, buffer)
    body = bytes(buffer)
    # As DRF's JSONRenderer: U+2028 and U+2029 are valid JSON but not valid JavaScript. Both
    # start with the byte E2, which a page of ASCII lacks: looking for it alone is a memchr.
    if b"\xe2" in body:
        body = _LINE_SEPARATORS.sub(_escape_line_separator, body)
    return HttpResponse(body, content_type="application/json")


_ENCODER = msgspec.json.Encoder()
_BUFFERS = threading.local()
# U+2028 and U+2029 in UTF-8.
_LINE_SEPARATORS = re.compile(b"\xe2\x80[\xa8\xa9]")


def _escape_line_separator(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(match[0].decode())


PAGE_PARAMETERS = {"cursor", "page_size"}
PAGE_QUERIES = PageQueries()


# The scope of a user who may list every row: one object, so that hashing it for a page query's
# key (Q.identity, cached on the object) is done once, not on every request.
EVERY_ROW = Q()


class PlainListMixin:
    """``list`` through :class:`PlainRows` (the serializer class still describes it).

    A view's ``get_queryset`` may depend on the request only through ``list_scope()``, and
    its filters on nothing but the query string unless ``list_key()`` says what else: the
    compiled page query is kept under these (see ``newsreader.page_queries``).
    """

    _plain_rows: PlainRows | None = None

    @classmethod
    def plain_rows(cls) -> PlainRows:
        if cls.__dict__.get("_plain_rows") is None:
            cls._plain_rows = PlainRows(cls.serializer_class)  # type: ignore[attr-defined]
        return cls._plain_rows  # type: ignore[return-value]

    def list_scope(self) -> Q:
        """The rows this request's user may list, as a filter."""
        raise NotImplementedError

    def list_key(self) -> Hashable:
        """All that the list's query depends on in the request besides its query string."""
        return self.list_scope()

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if set(self.request.query_params) <= PAGE_PARAMETERS:  # type: ignore[attr-defined]
            # No filter asked for: every filter would let everything through, and building
            # the filterset is a fifth of the request.
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        plain = self.plain_rows()
        paginator: KeysetPagination = self.paginator  # type: ignore[attr-defined]
        paginator.read(request, self)
        zone = timezone.get_current_timezone()  # Once: each lookup goes through asgiref.
        key = self._page_query_key(request, paginator, zone)
        query = PAGE_QUERIES.get(key) if key is not None else None
        if query is None and key is not None:
            query = self._page_query(paginator, with_stand_ins=True)
            if query is not None:
                PAGE_QUERIES.keep(key, query)
        if query is None:
            query = self._page_query(paginator, with_stand_ins=False)
        if query.sql is None:
            rows = []
        else:
            params = query.params_for(paginator.cursor_values, HORIZON.get())
            rows = fetch_all(query.sql, params)
        page = paginator.cut(rows, lambda row: plain.extra_values(row, *paginator.fields))
        return json_response(
            {
                "next": paginator.next_link(),
                "next_cursor": paginator.next_cursor,
                "results": plain.render(page, zone),
            }
        )

    def _page_query_key(
        self, request: Request, paginator: KeysetPagination, zone: tzinfo
    ) -> Hashable | None:
        """What the page query depends on; None where a filter reads the database."""
        if not filters_are_pure(getattr(self, "filterset_class", None)):
            return None
        asked = tuple(
            sorted((name, tuple(values)) for name, values in request.query_params.lists())
        )
        return (
            type(self),
            self.list_key(),
            tuple(item for item in asked if item[0] != paginator.cursor_query_param),
            paginator.page_size,
            paginator.cursor_values is not None,
            str(zone),
        )

    def _page_query(self, paginator: KeysetPagination, with_stand_ins: bool) -> PageQuery | None:
        """The page query as the ORM compiles it: with the request's cursor in its parameters,
        or with stand-ins for any cursor (None if they cannot be found again)."""
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        cursor = paginator.cursor_values
        if with_stand_ins and cursor is not None:
            cursor = page_queries.stand_ins(paginator.by_id_only)
        horizon = page_queries.STAND_IN_HORIZON if with_stand_ins else None
        window = paginator.after(queryset, cursor, horizon)
        first, last = paginator.fields
        try:
            # Django compiles only the query choosing the page's ids (filters, cursor, order,
            # limit), half the cost of compiling a select of every column; its select list
            # is then swapped for the columns the rows need.
            ids = window.values_list("pk")[: paginator.page_size + 1]
            ids_sql, params = ids.query.sql_with_params()
        except EmptyResultSet:  # A filter such as pk__in=[] that nothing can match.
            return PageQuery(None)
        sql = self.plain_rows().page_sql(window.model, ids_sql, first, last)
        if not with_stand_ins:
            return PageQuery(sql, tuple(params))
        return page_queries.page_query(
            sql, params, paginator.cursor_values is not None, paginator.by_id_only
        )


# ---------------------------------------------------------------- health and tokens


# What the API's index lists: its resources by the names a client would look for.
INDEX = {
    "articles": "api-articles",
    "sources": "api-sources",
    "revisions": "api-revisions",
    "ingest": "api-ingest",
    "projects": "api-project-list",
    "assignments": "api-assignment-list",
    "entities": "api-entity-list",
    "mentions": "api-mention-list",
    "claims": "api-claim-list",
    "stances": "api-stance-list",
    "support_spans": "api-support-list",
    "changes": "api-changes",
    "token": "api-token",
    "health": "api-health",
}


@extend_schema(
    responses=inline_serializer(
        "Index",
        {
            "docs": serializers.URLField(),
            "schema": serializers.URLField(),
            "resources": serializers.DictField(child=serializers.URLField()),
        },
    ),
    auth=[],
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def index(request: Request) -> Response:
    """Where to start: the docs, the schema and every resource's URL."""

    def url(name: str) -> str:
        return request.build_absolute_uri(reverse(name))

    return Response(
        {
            "docs": url("api-docs"),
            "schema": url("api-schema"),
            "resources": {key: url(name) for key, name in INDEX.items()},
        }
    )


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


class TokenInput(StrictSerializer, AuthTokenSerializer):
    """DRF's username and password check, refusing unknown fields as every other input does."""


@extend_schema(
    request=TokenInput,
    responses={200: inline_serializer("TokenOut", {"token": serializers.CharField()})},
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([TokenThrottle])
def obtain_token(request: Request) -> Response:
    """Username and password in, the user's API token out (created on first use)."""
    form = TokenInput(data=request.data, context={"request": request})
    form.is_valid(raise_exception=True)
    token, _ = Token.objects.get_or_create(user=form.validated_data["user"])
    return Response({"token": token.key})
