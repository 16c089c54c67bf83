"""Library errors mapped to HTTP status codes in one table, and the handlers that apply it.

The library never raises HTTP errors; this module is the only place that decides what
status a :class:`~karavan.errors.KaravanError` becomes. Bodies always carry ``error`` (a
stable code), ``message`` and, for 422, a FastAPI-compatible ``detail`` list naming the field.
Tracebacks never reach the client.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from karavan.errors import (
    DatasetError,
    InputError,
    KaravanError,
    NoRouteError,
    UnknownPlaceError,
    ValidationError,
)

log = logging.getLogger("karavan.api")


class CapabilityMissingError(KaravanError):
    """A capability (reliability, capacity) is not installed in this build."""

    def __init__(self, capability: str) -> None:
        self.capability = capability
        super().__init__(f"the {capability} capability is not available in this installation")


ERROR_TABLE: dict[type[KaravanError], tuple[int, str]] = {
    UnknownPlaceError: (404, "unknown_place"),
    NoRouteError: (404, "no_route"),
    InputError: (422, "invalid_input"),
    ValidationError: (503, "invalid_dataset"),
    DatasetError: (503, "dataset_unavailable"),
    CapabilityMissingError: (501, "not_implemented"),
    KaravanError: (400, "bad_request"),
}
"""Status code and error code per library error class; the most specific class in the MRO wins."""


class ErrorBody(BaseModel):
    """Error response: a stable ``error`` code, a readable ``message`` and error-specific fields."""

    model_config = ConfigDict(extra="allow")

    error: str
    message: str


def status_for(exc: KaravanError) -> tuple[int, str]:
    """Status code and error code for a library error (see :data:`ERROR_TABLE`)."""
    for cls in type(exc).__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    return 400, "bad_request"  # pragma: no cover - KaravanError is always in the MRO


def _jsonable(value: Any) -> Any:
    """A JSON-safe rendering of an arbitrary input value (for echoing bad input back)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def error_body(exc: KaravanError) -> tuple[int, dict[str, Any]]:
    """The status code and JSON body of a library error."""
    status, code = status_for(exc)
    body: dict[str, Any] = {"error": code, "message": str(exc)}
    if isinstance(exc, UnknownPlaceError):
        body.update(query=exc.query, suggestions=list(exc.suggestions))
    elif isinstance(exc, InputError):
        body.update(field=exc.field, value=_jsonable(exc.value), expected=exc.expected)
        body["detail"] = [
            {"loc": [exc.field], "msg": f"expected {exc.expected}", "type": "value_error", "input": body["value"]}
        ]
    elif isinstance(exc, ValidationError):
        body["message"] = f"the service's dataset is invalid: {len(exc.problems)} problem(s)"
        body["problems"] = [str(p) for p in exc.problems]
    elif isinstance(exc, CapabilityMissingError):
        body["capability"] = exc.capability
    return status, body


async def _karavan_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KaravanError)
    status, body = error_body(exc)
    return JSONResponse(body, status_code=status)


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = []
    for err in exc.errors():
        item = {
            "loc": [str(x) if not isinstance(x, int) else x for x in err.get("loc", ())],
            "msg": str(err.get("msg", "invalid value")),
            "type": str(err.get("type", "value_error")),
        }
        if "input" in err:
            item["input"] = _jsonable(err["input"])
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
    return JSONResponse(body, status_code=422)


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse({"error": code, "message": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)


async def _unexpected_handler(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"error": "internal_error", "message": "internal server error"}, status_code=500)


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
