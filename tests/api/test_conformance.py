"""The OpenAPI schema advertises exactly the limits the server enforces, and every answer it gives.

A service with tightened settings (``max_routes=3``, ``max_runs=300``) over the mini fixture:
its schema must carry those maxima, the server must accept every value the schema allows and
reject the first one beyond, and the protection layer's answers (400, 408, 413, 503, 504) must be
documented with the JSON error model. Schemathesis then generates requests for the route
endpoints from the schema (bounded, deterministic) and checks status codes, response schemas,
no 5xx and that no bound rejects a value the schema allows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from karavan import limits
from karavan.api import Settings, create_app
from karavan.api.protect import LANES

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
SETTINGS = Settings(dataset=str(MINI), max_routes=3, max_runs=300, web=False)
app = create_app(SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
BOUND_TEXTS = {b.expected for b in vars(limits).values() if isinstance(b, limits.Bound)}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    data: dict[str, Any] = client.get("/openapi.json").json()
    return data


def _param(spec: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    for p in spec["paths"][path]["get"]["parameters"]:
        if p["name"] == name:
            return dict(p["schema"])
    raise KeyError(name)


@pytest.mark.parametrize(
    ("path", "name", "top"),
    [
        ("/api/routes", "max_routes", 3),
        ("/api/simulate", "max_routes", 3),
        ("/api/simulate", "runs", 300),
        ("/api/simulate", "route_index", 2),
        ("/api/export/report.html", "runs", 300),
        ("/api/export/trail.csv", "route_index", 2),
    ],
)
def test_schema_maximum_is_the_setting(spec: dict[str, Any], path: str, name: str, top: int) -> None:
    param = _param(spec, path, name)
    assert param["maximum"] == top
    assert param["default"] <= top
    body = spec["components"]["schemas"]["SimulateRequest"]["properties"]
    assert body["runs"]["maximum"] == 300
    assert body["max_routes"]["maximum"] == 3


def test_schema_carries_the_library_bounds(spec: dict[str, Any]) -> None:
    count = _param(spec, "/api/routes", "count")
    assert count["exclusiveMinimum"] == limits.COUNT.lo
    assert count["maximum"] == limits.COUNT.hi
    assert _param(spec, "/api/simulate", "runs")["minimum"] == limits.RUNS.lo
    assert _param(spec, "/api/routes", "window_h")["maximum"] == limits.WINDOW_H.hi


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"max_routes": 4}, "max_routes"),
        ({"runs": 301}, "runs"),
        ({"route_index": 3}, "route_index"),
    ],
)
def test_first_value_beyond_the_schema_is_rejected(client: TestClient, params: dict[str, int], field: str) -> None:
    r = client.get("/api/simulate", params={"origin": "Alpha", "destination": "Baku", **params})
    assert r.status_code == 422
    assert r.json()["field"] == field


def test_largest_values_the_schema_allows_are_served(client: TestClient) -> None:
    r = client.get("/api/simulate", params={"origin": "Alpha", "destination": "Baku", "max_routes": 3, "runs": 300})
    assert r.status_code == 200, r.text
    assert r.json()["runs"] == 300


def test_a_default_above_the_setting_is_lowered_to_it(client: TestClient) -> None:
    r = client.get("/api/simulate", params={"origin": "Alpha", "destination": "Baku"})
    assert r.status_code == 200, r.text
    assert r.json()["runs"] == 300


def test_protection_answers_are_documented(spec: dict[str, Any]) -> None:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            answers = op["responses"]
            assert "504" in answers, (method, path)
            if method == "post":
                assert {"400", "408", "413"} <= set(answers), (method, path)
            lane = any(ls.pattern.match(path) for ls in LANES)
            if lane:
                assert "Retry-After" in answers["503"]["headers"], (method, path)
            for status in ("400", "408", "413", "504", *(("503",) if lane else ())):
                if status in answers and "content" in answers[status]:
                    ref = answers[status]["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorBody"


def test_a_too_large_body_gets_the_documented_413(spec: dict[str, Any]) -> None:
    small = Settings(dataset=str(MINI), max_body_bytes=1024, web=False)
    with TestClient(create_app(small)) as c:
        r = c.post("/api/routes", content=b'{"origin": "' + b"x" * 2000 + b'"}')
    assert r.status_code == 413
    assert set(r.json()) >= {"error", "message"}
    assert "413" in spec["paths"]["/api/routes"]["post"]["responses"]


def no_server_error(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Fail on any 5xx but a documented 503 (dataset or overload) and 504 (time budget)."""
    if response.status_code >= 500 and response.status_code not in (503, 504):
        raise AssertionError(f"{response.status_code} for {case.method} {case.path}: {response.text[:300]}")


def _advertised(case: schemathesis.Case, name: str) -> dict[str, Any] | None:
    for p in case.operation.definition.raw.get("parameters", []):
        if p.get("name") == name:
            return dict(p.get("schema", {}))
    return None


def _within(value: Any, bound: dict[str, Any]) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    lo, hi = bound.get("minimum", bound.get("exclusiveMinimum")), bound.get("maximum")
    lo_ok = lo is None or (value > lo if "exclusiveMinimum" in bound else value >= lo)
    return lo_ok and (hi is None or value <= hi)


def bounds_agree(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """A value the schema allows is never rejected by a bound (other reasons, e.g. no route, may apply)."""
    if response.status_code != 422 or case.meta is None or not case.meta.generation.mode.is_positive:
        return
    body = response.json()
    field, expected = body.get("field"), body.get("expected", "")
    if expected not in BOUND_TEXTS and not str(expected).startswith("at most"):
        return
    sent = (case.query or {}).get(field)
    bound = _advertised(case, str(field))
    if bound is not None and _within(sent, bound):
        raise AssertionError(f"{field}={sent!r} is within the advertised {bound} but was rejected: {body['message']}")


# An energy solve of the embedded network imports PyPSA and solves a year on its first call;
# on a loaded machine that can pass the client's default 10 s read timeout.
CALL_TIMEOUT_S = 180

CHECKS = [no_server_error, bounds_agree, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.filterwarnings("ignore::DeprecationWarning:hypothesis_jsonschema")
@schema.include(path_regex=r"^/api/(routes|simulate|places|export/trail\.csv)").parametrize()
@hypothesis.settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_route_endpoints_conform(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS, timeout=CALL_TIMEOUT_S)
