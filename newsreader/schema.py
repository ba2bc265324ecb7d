"""The error answers every API operation may give, added to the OpenAPI schema (and the
format parameter every list takes).

DRF raises them from its plumbing (authentication, permissions, throttling, parsing,
validation), so no view declares them; a generated client would otherwise treat each as
unexpected. Statuses a view documents itself (409, 413 for ingest) are left as it says.
"""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "description": (
        'What went wrong: {"detail": "…"}, or each refused field (or query parameter) with'
        " its messages."
    ),
    "additionalProperties": {},
    "example": {"detail": "Authentication credentials were not provided."},
}

METHODS = ("get", "put", "post", "patch", "delete")

FORMAT = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "The answer's format: JSON, the only one (the Accept header says the same).",
    "schema": {"type": "string", "enum": ["json"]},
}


def add_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    unthrottled = {
        (path, method.lower())
        for path, _, method, view in generator.endpoints
        if not getattr(view.cls, "throttle_classes", None)
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            parameters = operation.get("parameters", [])
            if any(p.get("name") == "cursor" and p.get("in") == "query" for p in parameters):
                parameters.append(dict(FORMAT))  # Lists take DRF's format override (check_query).
            responses = operation.setdefault("responses", {})
            throttled = (path, method) not in unthrottled
            for status, description in _errors(path, operation, throttled):
                responses.setdefault(status, {"description": description, "content": error})
    return result


def _errors(path: str, operation: dict[str, Any], throttled: bool) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    queried = any(p.get("in") == "query" for p in operation.get("parameters", []))
    if queried or "requestBody" in operation:
        errors.append(("400", "Refused input: each field or parameter with its messages."))
    # An operation open to all says so with an empty requirement ({}); the others need one.
    if {} not in operation.get("security", [{}]):
        errors.append(("401", "No valid token or session."))
        errors.append(("403", "Not allowed to this user (role, project, blind mode)."))
    if "{" in path:
        errors.append(("404", "No such object, or not one this user may see."))
    if "requestBody" in operation:
        errors.append(("413", "Request body too large."))
    if throttled:
        errors.append(("429", "Too many requests: Retry-After says when to try again."))
    return errors
