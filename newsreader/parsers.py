"""The default API parser (kept apart from newsreader.api: DRF imports it while loading views)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

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
