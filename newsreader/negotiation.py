"""Content negotiation that answers the common case without parsing anything.

Nearly every API client sends no Accept header, ``*/*`` or ``application/json``, and never
asks for a format in the URL; DRF's negotiation then parses the header and matches media
types on every request to pick the one JSON renderer. Anything else still goes to DRF.
"""

from __future__ import annotations

from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

_PLAIN_ACCEPTS = {"", "*/*", "application/json"}


class JSONFirstNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        meta: dict[str, Any] = request.META
        override = self.settings.URL_FORMAT_OVERRIDE
        if (
            format_suffix is None
            and renderers
            and renderers[0].media_type == "application/json"
            and meta.get("HTTP_ACCEPT", "").strip() in _PLAIN_ACCEPTS
            and (not override or override not in meta.get("QUERY_STRING", ""))
        ):
            return renderers[0], "application/json"
        return super().select_renderer(request, renderers, format_suffix)
