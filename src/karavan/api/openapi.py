"""The OpenAPI schema advertises exactly what the service enforces.

Request models carry the library's bounds (:mod:`karavan.limits`); a few are tightened by the
service's settings (``KARAVAN_MAX_ROUTES``, ``KARAVAN_MAX_RUNS``). :data:`SETTING_LIMITS` names
them once: :func:`check_request` enforces them on every request and :func:`document` writes the
same maxima into the schema. :func:`document` also adds the answers of the protection layer
(:mod:`karavan.api.protect`) to every operation, with the JSON error model: 400 for a malformed
body, 408 for a body that does not arrive in time, 413 for one that is too large, 503 with
``Retry-After`` when an expensive endpoint's queue is full, and 504 past the time budget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from karavan.api.errors import ErrorBody
from karavan.api.settings import Settings
from karavan.errors import InputError

SETTING_LIMITS: tuple[tuple[str, str, int], ...] = (
    ("max_routes", "max_routes", 0),
    ("route_index", "max_routes", -1),
    ("runs", "max_runs", 0),
)
"""(request field, setting, offset): the field may be at most the setting plus the offset."""

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds after which a retry is likely to be served", "schema": {"type": "integer"}}
}
BODY_METHODS = ("post", "put", "patch")


def maximum(field: str, settings: Settings) -> int | None:
    """The largest value of request field ``field`` this service accepts, if a setting bounds it."""
    for name, setting, offset in SETTING_LIMITS:
        if name == field:
            return int(getattr(settings, setting)) + offset
    return None


M = TypeVar("M", bound=BaseModel)


def check_request(opts: M, settings: Settings) -> M:
    """Enforce the setting-dependent bounds of :data:`SETTING_LIMITS` on validated request options.

    A field the client left out takes its default, lowered to the service's maximum (a service
    with ``KARAVAN_MAX_RUNS=500`` simulates 500 runs when none are asked for).

    Returns
    -------
    The options as they are served.

    Raises
    ------
    InputError
        Naming the field, e.g. ``max_routes`` above ``KARAVAN_MAX_ROUTES``.
    """
    lowered: dict[str, int] = {}
    for name, setting, _ in SETTING_LIMITS:
        value = getattr(opts, name, None)
        top = maximum(name, settings)
        if not isinstance(value, int) or top is None or value <= top:
            continue
        if name not in opts.model_fields_set:
            lowered[name] = top
            continue
        raise InputError(name, value, f"at most {top} on this service (KARAVAN_{setting.upper()})")
    return opts.model_copy(update=lowered) if lowered else opts


def _tighten(schema: Any, top: int) -> None:
    """Lower every ``maximum`` in a (possibly ``anyOf``) schema to ``top``."""
    if not isinstance(schema, dict):
        return
    if "maximum" in schema:
        schema["maximum"] = min(schema["maximum"], top)
        if isinstance(schema.get("default"), int | float):
            schema["default"] = min(schema["default"], top)
    for sub in schema.get("anyOf", []):
        _tighten(sub, top)


def _tighten_schema(schema: dict[str, Any], settings: Settings) -> None:
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for param in operation.get("parameters", []):
                top = maximum(param.get("name", ""), settings)
                if top is not None:
                    _tighten(param.get("schema"), top)
    for component in schema.get("components", {}).get("schemas", {}).values():
        for name, prop in component.get("properties", {}).items():
            top = maximum(name, settings)
            if top is not None:
                _tighten(prop, top)


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
    if headers:
        answer["headers"] = headers
    return answer


def _protection_responses(path: str, method: str, settings: Settings) -> dict[str, dict[str, Any]]:
    from karavan.api.protect import LANES

    budget = f"{settings.request_timeout_s:g} s"
    out = {"504": _error(f"The request did not finish within its time budget ({budget}); retry later")}
    if method in BODY_METHODS:
        out["400"] = _error("Malformed request: a body that is not JSON, or a lone UTF-16 surrogate in it")
        out["408"] = _error(f"The request body did not arrive within {settings.body_timeout_s:g} s")
        out["413"] = _error(f"The request body is larger than {settings.max_body_bytes:,} bytes")
    if any(spec.pattern.match(path) for spec in LANES):
        out["503"] = _error(
            "Too many requests of this kind in progress (retry after Retry-After seconds), "
            "or the service's dataset is unavailable",
            RETRY_AFTER,
        )
    return out


def _document_protection(schema: dict[str, Any], settings: Settings) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorBody" not in components:
        components["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    for path, path_item in schema.get("paths", {}).items():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for status, answer in _protection_responses(path, method, settings).items():
                if status in responses and status == "503":
                    responses[status]["description"] = answer["description"]
                    responses[status].setdefault("headers", {}).update(RETRY_AFTER)
                responses.setdefault(status, answer)


def openapi_schema(build: Callable[[], dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """The schema ``build`` makes, with the setting-dependent maxima and the protection answers."""
    schema = build()
    _tighten_schema(schema, settings)
    _document_protection(schema, settings)
    return schema


def document(app: Any, settings: Settings) -> None:
    """Make ``app.openapi()`` advertise exactly what the service enforces (computed once, on first use)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_schema(build, settings)
        schema: dict[str, Any] = app.openapi_schema
        return schema

    app.openapi = openapi
