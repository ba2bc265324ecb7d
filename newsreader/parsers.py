"""The default API parser (kept apart from newsreader.api: DRF imports it while loading views)."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser, JSONParser

# Annotation and filter payloads are small; ingest has its own parsers and a larger limit.
MAX_JSON_BYTES = 1024 * 1024


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "too_large"


class NestingSafeJSONParser(JSONParser):
    """DRF's JSON parser, with JSON nested deeper than Python's stack refused as a 400."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None


class LimitedJSONParser(NestingSafeJSONParser):
    """JSON, refused before it is read when it is larger than MAX_JSON_BYTES.

    DRF hands the raw request stream to the parser, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            length = 0
        if length > MAX_JSON_BYTES:
            raise PayloadTooLarge(
                f"Request body too large: {length:,} bytes, the limit is {MAX_JSON_BYTES:,}."
            )
        return super().parse(stream, media_type, parser_context)


class BoundedJSONParser(BaseParser):
    """JSON larger than MAX_JSON_BYTES, up to ``max_bytes()``, for inputs that hold text.

    Not a JSONParser: DRF reads the body of those through request.body, which Django caps at
    DATA_UPLOAD_MAX_MEMORY_SIZE.
    """

    media_type = "application/json"
    advice = ""  # What to do instead, after the limit, in the 413's message.

    def max_bytes(self) -> int:
        raise NotImplementedError

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = self.max_bytes()
        request = (parser_context or {}).get("request")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            length = 0
        body = stream.read(limit + 1) if length <= limit else b""
        if length > limit or len(body) > limit:
            raise PayloadTooLarge(
                f"Request body too large: {max(length, len(body)):,} bytes, the limit for JSON "
                f"is {limit:,}{self.advice}."
            )
        return NestingSafeJSONParser().parse(io.BytesIO(body), media_type, parser_context)


class IngestJSONParser(BoundedJSONParser):
    """JSON with a page's text, which may be as large as a file (NEWSREADER_MAX_FILE_BYTES):
    the body may be twice the text (JSON escapes non-ASCII letters), plus room for the other
    fields."""

    advice = "; send the page as a multipart file instead"

    def max_bytes(self) -> int:
        return 2 * settings.NEWSREADER_MAX_FILE_BYTES + 16 * 1024
