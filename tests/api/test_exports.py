"""Downloads: the plan as GeoJSON layers, a route's trail as CSV, the HTML report; the routes answer's leg layers."""

from __future__ import annotations

import csv
import io
import json

import geojson
import pytest
from fastapi.testclient import TestClient

Q = {"origin": "Alpha", "destination": "Baku", "depart": "2026-12-01"}


def test_routes_answer_has_leg_and_stop_layers(mini_client: TestClient) -> None:
    body = mini_client.post("/api/routes", json={**Q, "trail": False, "geojson": True}).json()
    legs = body["layers"]["legs"]["features"]
    assert geojson.loads(json.dumps(body["layers"]["legs"])).is_valid
    route0 = [f["properties"] for f in legs if f["properties"]["route"] == 0]
    assert [p["index"] for p in route0] == [leg["index"] for leg in body["routes"][0]["legs"]]
    sea = next(p for p in route0 if p["mode"] == "sea")
    assert sea["service"] == "ferry"
    assert sea["tkm"] == sea["tonnes"] * sea["distance_km"]
    assert sea["co2e_intensity_g_per_tkm"] == 1000 * sea["co2e_kg"] / sea["tkm"]
    assert sea["geometry_source"] == ["waypoints"]
    stops = body["layers"]["stops"]["features"]
    kinds = {op["kind"] for f in stops for op in f["properties"]["operations"]}
    assert "border_crossing" in kinds


def test_geojson_export(mini_client: TestClient) -> None:
    r = mini_client.get("/api/export/routes.geojson", params=Q)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    assert 'filename="karavan-CNAAA-AZBAK.geojson"' in r.headers["content-disposition"]
    fc = r.json()
    assert geojson.loads(r.text).is_valid
    assert {f["properties"]["feature"] for f in fc["features"]} == {"route", "leg", "stop"}


def test_ileap_export_matches_the_library(mini_client: TestClient) -> None:
    r = mini_client.get("/api/export/routes.ileap.json", params=Q)
    assert r.status_code == 200
    assert 'filename="karavan-CNAAA-AZBAK.ileap.json"' in r.headers["content-disposition"]
    doc = r.json()
    routes = mini_client.get("/api/routes", params={**Q, "trail": False}).json()["routes"]
    assert len(doc["shipmentFootprints"]) == len(routes)
    fp = doc["shipmentFootprints"][0]
    assert len(fp["tces"]) == len(routes[0]["legs"]) + len(routes[0]["hubs"])
    assert sum(float(t["co2eWTW"]) for t in fp["tces"]) == pytest.approx(routes[0]["co2e_kg"], rel=1e-6)
    assert {t["tocId"] for t in doc["tocs"]} >= {t["tocId"] for t in fp["tces"] if "tocId" in t}


def test_ileap_export_bad_place_is_a_json_error(mini_client: TestClient) -> None:
    r = mini_client.get("/api/export/routes.ileap.json", params={**Q, "origin": "Alpah"})
    assert r.status_code == 404
    assert r.json()["error"] == "unknown_place"


def test_trail_csv_export_matches_the_library(mini_client: TestClient) -> None:
    r = mini_client.get("/api/export/trail.csv", params={**Q, "route_index": 0})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    body = mini_client.post("/api/routes", json={**Q, "trail": True}).json()
    assert len(rows) == len(body["routes"][0]["trail"])
    assert rows[0]["element"] == body["routes"][0]["trail"][0]["element"]


def test_trail_csv_bad_route_index_names_the_field(mini_client: TestClient) -> None:
    r = mini_client.get("/api/export/trail.csv", params={**Q, "route_index": 40})
    assert r.status_code == 422
    assert "route_index" in r.text


def test_report_export_is_html(mini_client: TestClient) -> None:
    r = mini_client.get("/api/export/report.html", params={**Q, "runs": 200})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<canvas id="pareto"' in r.text
    assert "Alpha → Baku port" in r.text


def test_export_unknown_place_is_404_with_suggestions(mini_client: TestClient) -> None:
    r = mini_client.get("/api/export/routes.geojson", params={**Q, "origin": "Alpah"})
    assert r.status_code == 404
    assert r.json()["suggestions"]
