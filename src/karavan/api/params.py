"""Query-string options of the hot endpoints, read once per request without FastAPI's per-field inspection.

FastAPI reads a parameter model (``opts: Annotated[RouteRequest, Query()]``) by inspecting the type
of every field on every request, about half a millisecond for the route options, as much as the
rest of the framework's work on the request. :func:`query_options` reads the same model from the
query string the same way (list fields take every occurrence, other fields the last one, unknown
names are left for the model to reject) with the list fields known in advance, and reports invalid
values as FastAPI does (422 naming the field). :func:`query_parameters` documents the model in the
OpenAPI schema exactly as FastAPI would for the parameter-model declaration.
"""

from __future__ import annotations

import functools
import types
from typing import Any, TypeVar, Union, get_args, get_origin

import pydantic
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_SEQUENCES = (list, tuple, set, frozenset)


def _is_sequence(annotation: Any) -> bool:
    """Whether a field's annotation is a list (or an optional list), read from every occurrence of its name."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(_is_sequence(arg) for arg in get_args(annotation))
    return origin in _SEQUENCES or annotation in _SEQUENCES


@functools.cache
def _list_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, f in model.model_fields.items() if _is_sequence(f.annotation))


def query_options(model: type[M], request: Request) -> M:
    """``model`` validated from the request's query string (``RequestValidationError`` if invalid).

    The mapping handed to the model is the one FastAPI builds for ``Annotated[model, Query()]``:
    the model's fields in their order (a list field absent or empty takes its default), then any
    other names (one value, or a list when repeated) for the model's ``extra="forbid"`` to reject.
    """
    lists = _list_fields(model)
    grouped: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        grouped.setdefault(key, []).append(value)
    data: dict[str, Any] = {}
    for name in model.model_fields:
        values = grouped.pop(name, None)
        if values:
            data[name] = values if name in lists else values[-1]
    for key, values in grouped.items():
        data[key] = values[0] if len(values) == 1 else values
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = [{**err, "loc": ("query", *err["loc"])} for err in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The OpenAPI ``parameters`` of ``model`` read from the query string (as FastAPI documents them).

    Enumerations are references into ``#/components/schemas``; an endpoint taking the same model
    as its JSON body puts them there.
    """
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", ()))
    out = []
    for name, field_schema in schema["properties"].items():
        # FastAPI leaves a ``None`` default out of a parameter's schema
        prop = {k: v for k, v in field_schema.items() if not (k == "default" and v is None)}
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            param["description"] = prop["description"]
        out.append(param)
    return out


__all__ = ["query_options", "query_parameters"]
