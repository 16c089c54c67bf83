"""OpenAPI: typed answers with stable operation ids; /docs and /redoc render from vendored assets only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from karavan.api.docs import static_dir

OPERATIONS = {
    ("get", "/healthz"): "healthz",
    ("get", "/api/network"): "get_network",
    ("get", "/api/meta"): "get_meta",
    ("get", "/api/places"): "search_places",
    ("get", "/api/places/{place}"): "resolve_place",
    ("get", "/api/routes"): "plan_routes",
    ("post", "/api/routes"): "plan_routes_post",
    ("get", "/api/simulate"): "simulate_route",
    ("post", "/api/simulate"): "simulate_route_post",
    ("get", "/api/assign"): "assign_demand",
    ("get", "/api/scenarios"): "list_scenarios",
    ("get", "/api/scenarios/{name}"): "get_scenario",
    ("get", "/api/scenarios/{name}/diff"): "diff_scenarios",
    ("post", "/api/plans"): "save_plan",
    ("get", "/api/plans"): "list_plans",
    ("get", "/api/plans/{plan_id}"): "get_plan",
    ("get", "/api/export/routes.geojson"): "export_routes_geojson",
    ("get", "/api/export/routes.ileap.json"): "export_routes_ileap",
    ("get", "/api/export/trail.csv"): "export_trail_csv",
    ("get", "/api/export/report.html"): "export_report_html",
}


def test_operation_ids_are_stable(mini_client: TestClient) -> None:
    spec = mini_client.get("/openapi.json").json()
    found = {(m, p): op["operationId"] for p, ops in spec["paths"].items() for m, op in ops.items()}
    for key, op_id in OPERATIONS.items():
        assert found.get(key) == op_id, key
    assert len(set(found.values())) == len(found)


def test_every_success_answer_has_a_typed_schema(mini_client: TestClient) -> None:
    spec = mini_client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            ok = next(v for k, v in op["responses"].items() if k.startswith("2"))
            media, body = next(iter(ok["content"].items()))
            schema = body["schema"]
            assert schema != {}, (method, path)
            if media in ("text/csv", "text/html"):  # downloads: typed as text of their media type
                assert schema == {"type": "string"}, (method, path, schema)
                continue
            assert media in ("application/json", "application/geo+json"), (method, path, media)
            assert "$ref" in schema or schema.get("type") == "array", (method, path, schema)


def test_route_legs_are_typed_with_mode_and_categories(mini_client: TestClient) -> None:
    spec = mini_client.get("/openapi.json").json()
    leg = spec["components"]["schemas"]["Leg"]["properties"]
    for name in ("mode", "service_name", "carrier_unit", "tonnes", "tkm", "toc", "co2e_intensity_g_per_tkm", "from"):
        assert name in leg, name
    assert "hoc" in spec["components"]["schemas"]["Hub"]["properties"]
    assert spec["components"]["schemas"]["Leg"]["examples"]
    assert "unknown_place" in spec["components"]["schemas"]["ErrorBody"]["properties"]["error"]["description"]


def _asset_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html) + re.findall(r"url:\s*'([^']+)'", html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_reference_only_local_assets(mini_client: TestClient, page: str) -> None:
    r = mini_client.get(page)
    assert r.status_code == 200
    urls = _asset_urls(r.text)
    assert urls
    assert 'spec-url="/openapi.json"' in r.text or "'/openapi.json'" in r.text
    for url in urls:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        asset = mini_client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 0
    assert "cdn" not in r.text.lower()
    assert "fonts.googleapis" not in r.text


def test_vendored_viewers_ship_with_their_licences() -> None:
    vendor = static_dir() / "vendor"
    for part in ("swagger-ui/LICENSE", "swagger-ui/NOTICE", "redoc/LICENSE", "README.md"):
        assert (vendor / part).is_file(), part
    redoc = (vendor / "redoc" / "redoc.standalone.js").read_text(encoding="utf-8")
    assert "cdn.redoc.ly" not in redoc
    assert "sourceMappingURL" not in Path(vendor / "swagger-ui" / "swagger-ui-bundle.js").read_text(encoding="utf-8")
