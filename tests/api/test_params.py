"""Query-string options read by ``query_options`` as FastAPI reads a parameter model, and documented the same."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI, Query, Request
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karavan.api.errors import install_error_handlers
from karavan.api.models import RouteRequest, SimulateRequest
from karavan.api.params import query_options, query_parameters


def _reference_app() -> FastAPI:
    """FastAPI's own reading (``Annotated[Model, Query()]``) beside ``query_options``, same error answers."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/fastapi/routes")
    def fastapi_routes(opts: Annotated[RouteRequest, Query()]) -> dict[str, Any]:
        return opts.model_dump(mode="json")

    @app.get("/ours/routes")
    def our_routes(request: Request) -> dict[str, Any]:
        return query_options(RouteRequest, request).model_dump(mode="json")

    @app.get("/fastapi/simulate")
    def fastapi_simulate(opts: Annotated[SimulateRequest, Query()]) -> dict[str, Any]:
        return opts.model_dump(mode="json")

    @app.get("/ours/simulate")
    def our_simulate(request: Request) -> dict[str, Any]:
        return query_options(SimulateRequest, request).model_dump(mode="json")

    @app.post("/body/routes")
    def body_routes(opts: RouteRequest) -> None:
        """Puts the options' enumerations into the components, as ``POST /api/routes`` does."""

    return app


CLIENT = TestClient(_reference_app())

CASES = [
    [("origin", "Alpha"), ("destination", "Baku")],
    [("origin", "Alpha"), ("destination", "Baku"), ("depart", "2026-12-01"), ("cargo", "teu"), ("count", "3")],
    [("origin", "Alpha"), ("origin", "Beta"), ("destination", "Baku")],  # a repeated scalar: the last one
    [("origin", "Alpha"), ("destination", "Baku"), ("avoid_countries", "ru,ir"), ("modes", "rail")],
    [("origin", "A"), ("destination", "B"), ("via", "X"), ("via", "Y"), ("avoid_nodes", "")],
    [("origin", "A"), ("destination", "B"), ("modes", "rail"), ("modes", "sea"), ("trail", "true")],
    [("origin", "A"), ("destination", "B"), ("geojson", "1"), ("max_routes", "3"), ("slack", "0.1")],
    [("destination", "Baku")],  # missing origin
    [],
    [("origin", ""), ("destination", "Baku")],
    [("origin", "A"), ("destination", "B"), ("count", "-1")],
    [("origin", "A"), ("destination", "B"), ("count", "many")],
    [("origin", "A"), ("destination", "B"), ("depart", "yesterday")],
    [("origin", "A"), ("destination", "B"), ("cargo", "crate")],
    [("origin", "A"), ("destination", "B"), ("modes", "air")],
    [("origin", "A"), ("destination", "B"), ("avoid_countries", "Russia")],
    [("origin", "A"), ("destination", "B"), ("colour", "red")],  # unknown name
    [("origin", "A"), ("destination", "B"), ("colour", "red"), ("colour", "blue")],
    [("origin", "A"), ("destination", "B"), ("trail", "perhaps"), ("max_routes", "0")],
    [("origin", "A"), ("destination", "B"), ("runs", "10"), ("seed", "4"), ("route_index", "1")],
    [("origin", "A"), ("destination", "B"), ("runs", "0"), ("demand_mt", "x")],
]


def _both(endpoint: str, items: list[tuple[str, str]]) -> tuple[tuple[int, Any], tuple[int, Any]]:
    query = urlencode(items)
    ref = CLIENT.get(f"/fastapi/{endpoint}?{query}")
    ours = CLIENT.get(f"/ours/{endpoint}?{query}")
    return (ref.status_code, ref.json()), (ours.status_code, ours.json())


@pytest.mark.parametrize("endpoint", ["routes", "simulate"])
@pytest.mark.parametrize("items", CASES)
def test_query_options_read_as_fastapi_reads(endpoint: str, items: list[tuple[str, str]]) -> None:
    ref, ours = _both(endpoint, items)
    assert ours == ref


NAMES = st.sampled_from([*RouteRequest.model_fields, "runs", "colour", "Origin"])
VALUES = st.sampled_from(["Alpha", "Baku", "", "2026-12-01", "rail,sea", "RU", "3", "-2", "true", "0.5", "feu"])


@given(st.lists(st.tuples(NAMES, VALUES), max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_query_string_is_read_as_fastapi_reads(items: list[tuple[str, str]]) -> None:
    ref, ours = _both("routes", items)
    assert ours == ref


def test_parameters_documented_as_fastapi_documents_them() -> None:
    spec = CLIENT.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    for endpoint, model in (("routes", RouteRequest), ("simulate", SimulateRequest)):
        assert query_parameters(model) == spec["paths"][f"/fastapi/{endpoint}"]["get"]["parameters"]
    refs = [p["schema"]["$ref"] for p in query_parameters(RouteRequest) if "$ref" in p["schema"]]
    assert refs
    for ref in refs:
        assert ref.rsplit("/", 1)[1] in components


def test_service_documents_its_get_options(mini_client: TestClient) -> None:
    spec = mini_client.get("/openapi.json").json()
    reference = CLIENT.get("/openapi.json").json()["paths"]["/fastapi/routes"]["get"]["parameters"]
    routes = spec["paths"]["/api/routes"]["get"]["parameters"]
    assert [p["name"] for p in routes] == [p["name"] for p in reference]
    assert [p["schema"].get("type") for p in routes] == [p["schema"].get("type") for p in reference]
    components = spec["components"]["schemas"]
    for op in (spec["paths"]["/api/routes"]["get"], spec["paths"]["/api/simulate"]["get"]):
        for p in op["parameters"]:
            ref = p["schema"].get("$ref") or next(
                (a["$ref"] for a in p["schema"].get("anyOf", []) if "$ref" in a), None
            )
            assert ref is None or ref.rsplit("/", 1)[1] in components, p["name"]
