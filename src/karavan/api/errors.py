"""Library errors mapped to HTTP status codes in one table, and the handlers that apply it.

The library never raises HTTP errors; this module is the only place that decides what
status a :class:`~karavan.errors.KaravanError` becomes. Bodies always carry ``error`` (a
stable code), ``message`` and, for 422, a FastAPI-compatible ``detail`` list naming the field.
Tracebacks never reach the client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from karavan.api.encoding import FastJSONResponse
from karavan.errors import ERROR_CODES, InputError, KaravanError, ValidationError, error_fields, jsonable_value

log = logging.getLogger("karavan.api")


class CapabilityMissingError(KaravanError):
    """A capability (reliability, capacity) is not installed in this build."""

    def __init__(self, capability: str) -> None:
        self.capability = capability
        super().__init__(f"the {capability} capability is not available in this installation")


ERROR_STATUS: dict[str, int] = {
    "unknown_place": 404,
    "no_route": 404,
    "not_found": 404,
    "invalid_input": 422,
    "invalid_dataset": 503,
    "dataset_unavailable": 503,
    "storage_unavailable": 503,
    "not_implemented": 501,
    "solve_failed": 500,
    "bad_request": 400,
}
"""HTTP status per stable error code (the codes themselves are :data:`karavan.errors.ERROR_CODES`)."""

ERROR_TABLE: dict[type[KaravanError], tuple[int, str]] = {
    **{cls: (ERROR_STATUS[code], code) for cls, code in ERROR_CODES.items()},
    CapabilityMissingError: (501, "not_implemented"),
}
"""Status code and error code per library error class; the most specific class in the MRO wins."""


class ErrorBody(BaseModel):
    """Error response: a stable ``error`` code, a readable ``message`` and error-specific fields."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "error": "unknown_place",
                    "message": "unknown place 'Aktaw'; did you mean: Aktau port (KZAAU)?",
                    "query": "Aktaw",
                    "suggestions": ["Aktau port (KZAAU)"],
                }
            ]
        },
    )

    error: str = Field(description="Stable code: " + ", ".join(sorted(ERROR_STATUS)) + ", ...")
    message: str


def status_for(exc: KaravanError) -> tuple[int, str]:
    """Status code and error code for a library error (see :data:`ERROR_TABLE`)."""
    for cls in type(exc).__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    return 400, "bad_request"  # pragma: no cover - KaravanError is always in the MRO


def error_body(exc: KaravanError) -> tuple[int, dict[str, Any]]:
    """The status code and JSON body of a library error."""
    status, code = status_for(exc)
    body: dict[str, Any] = dict(error_fields(exc))
    body["error"] = code
    if isinstance(exc, InputError):
        body["detail"] = [
            {"loc": [exc.field], "msg": f"expected {exc.expected}", "type": "value_error", "input": body["value"]}
        ]
    elif isinstance(exc, ValidationError):
        body["message"] = f"the service's dataset is invalid: {len(exc.problems)} problem(s)"
    elif isinstance(exc, CapabilityMissingError):
        body["capability"] = exc.capability
    return status, body


async def _karavan_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KaravanError)
    status, body = error_body(exc)
    return FastJSONResponse(body, status_code=status)


def _field_loc(err: Any, body: Any) -> list[str | int]:
    """The location of a validation error as field names.

    A tagged union (the ``kind`` of a saved plan) puts the tag into the location
    (``body.route.query.count``) and reports a bad tag at the union itself; both are
    rewritten to name the fields the client sent (``query.count``, ``kind``).
    """
    loc: list[str | int] = [str(x) if not isinstance(x, int) else x for x in err.get("loc", ())]
    tag = body.get("kind") if isinstance(body, dict) else None
    if len(loc) >= 2 and loc[0] == "body" and isinstance(tag, str) and loc[1] == tag:
        del loc[1]
    if str(err.get("type", "")).startswith("union_tag"):
        name = str((err.get("ctx") or {}).get("discriminator", "kind")).strip("'\"")
        loc = [*loc, name]
    return loc


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail: list[dict[str, Any]] = []
    for err in exc.errors():
        item: dict[str, Any] = {
            "loc": _field_loc(err, exc.body),
            "msg": str(err.get("msg", "invalid value")),
            "type": str(err.get("type", "value_error")),
        }
        if "input" in err:
            item["input"] = jsonable_value(err["input"])
        detail.append(item)
    first = detail[0] if detail else {"loc": [], "msg": "invalid request"}
    loc = [str(x) for x in first["loc"] if x not in ("query", "body", "path")]
    field = ".".join(loc) or "request"
    body = {
        "error": "invalid_input",
        "message": f"invalid {field}: {first['msg']}",
        "field": field,
        "detail": detail,
    }
    return FastJSONResponse(body, status_code=422)


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    body = {"error": code, "message": str(exc.detail)}
    return FastJSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _unexpected_handler(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return FastJSONResponse({"error": "internal_error", "message": "internal server error"}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: library errors by :data:`ERROR_TABLE`, request validation as 422."""
    app.add_exception_handler(KaravanError, _karavan_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _unexpected_handler)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed request (e.g. a body that is not JSON)"},
    404: {"model": ErrorBody, "description": "Unknown place (with suggestions) or no route"},
    422: {"model": ErrorBody, "description": "Invalid input: names the field, the value and what was expected"},
    503: {"model": ErrorBody, "description": "The service's dataset is unavailable or invalid"},
}
"""OpenAPI documentation of the error responses shared by the data endpoints."""
