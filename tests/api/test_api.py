"""The REST API over the mini fixture: routes, places, errors mapped to status codes, health, OpenAPI."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pydantic
import pytest
from fastapi.testclient import TestClient

from karavan.api import Settings, create_app
from karavan.api.errors import ERROR_TABLE, CapabilityMissingError, status_for
from karavan.errors import (
    DatasetError,
    InputError,
    KaravanError,
    NoRouteError,
    Problem,
    UnknownPlaceError,
    ValidationError,
)

ROUTE = {"origin": "Alpha", "destination": "Baku"}


def test_healthz_reports_versions(mini_client: TestClient) -> None:
    r = mini_client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["dataset"]["name"] == "mini"
    assert body["dataset"]["version"] == "1"
    assert len(body["dataset"]["content_hash"]) >= 16
    assert body["python"].count(".") == 2
    assert {"fastapi", "pydantic", "numpy"} <= set(body["libraries"])
    assert body["capabilities"]["routing"] is True


def test_openapi_documents_every_endpoint(mini_client: TestClient) -> None:
    spec = mini_client.get("/openapi.json").json()
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/routes"])
    assert {"get", "post"} <= set(paths["/api/simulate"])
    for path in ("/api/network", "/api/places", "/api/places/{place}", "/api/assign", "/api/scenarios", "/healthz"):
        assert "get" in paths[path], path
    routes_get = paths["/api/routes"]["get"]
    assert {"404", "422", "503"} <= set(routes_get["responses"])
    names = {p["name"] for p in routes_get["parameters"]}
    assert {"origin", "destination", "depart", "cargo", "count", "avoid_countries", "modes", "max_routes"} <= names
    switches = {p["name"]: p["schema"] for p in routes_get["parameters"] if p["name"] in ("trail", "geojson")}
    assert switches == {
        "trail": {**switches["trail"], "type": "boolean"},
        "geojson": {**switches["geojson"], "type": "boolean"},
    }
    ok = routes_get["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/RoutesResponse"}
    answer = spec["components"]["schemas"]["RoutesResponse"]["properties"]
    assert {"query", "routes", "geojson", "layers"} <= set(answer)
    assert mini_client.get("/docs").status_code == 200


def test_network_geojson(mini_client: TestClient) -> None:
    fc = mini_client.get("/api/network").json()
    assert fc["type"] == "FeatureCollection"
    kinds = {f["properties"]["feature"] for f in fc["features"]}
    assert kinds == {"node", "link"}
    link = next(f for f in fc["features"] if f["properties"]["feature"] == "link")
    assert {"mode", "gauge_mm", "length_km"} <= set(link["properties"])


def test_meta_lists_vocabulary(mini_client: TestClient) -> None:
    meta = mini_client.get("/api/meta").json()
    assert "FEU" in meta["units"]
    assert "rail" in meta["modes"]
    assert meta["countries"] == ["AZ", "CN", "KZ"]


@pytest.mark.parametrize(("q", "first"), [("Актау", "KZAAU"), ("акт", "KZAAU"), ("aktau", "KZAAU"), ("Баку", "AZBAK")])
def test_place_search_english_and_russian(mini_client: TestClient, q: str, first: str) -> None:
    r = mini_client.get("/api/places", params={"q": q})
    assert r.status_code == 200
    assert r.json()[0]["id"] == first


def test_place_search_fuzzy(mini_client: TestClient) -> None:
    ids = [p["id"] for p in mini_client.get("/api/places", params={"q": "Aktua"}).json()]
    assert "KZAAU" in ids


def test_unknown_place_is_404_with_suggestions(mini_client: TestClient) -> None:
    r = mini_client.get("/api/places/Aktu")
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "unknown_place"
    assert body["query"] == "Aktu"
    assert any("KZAAU" in s for s in body["suggestions"])
    r = mini_client.get("/api/routes", params={"origin": "Alfa", "destination": "Baku"})
    assert r.status_code == 404
    assert any("CNAAA" in s for s in r.json()["suggestions"])


def test_routes_get_and_post_agree(mini_client: TestClient) -> None:
    params: dict[str, Any] = {**ROUTE, "depart": "2026-12-01", "cargo": "feu", "count": 2}
    got = mini_client.get("/api/routes", params=params)
    posted = mini_client.post("/api/routes", json=params)
    assert got.status_code == posted.status_code == 200
    a, b = got.json(), posted.json()
    assert a == b
    assert a["query"]["origin"] == "CNAAA"
    assert a["query"]["destination"] == "AZBAK"
    assert a["query"]["depart"].startswith("2026-12-01T00:00:00")
    route = a["routes"][0]
    for key in ("transit_time_h", "cost_usd", "co2e_kg", "distance_km", "legs", "hubs", "labels"):
        assert key in route
    assert "trail" not in route  # only when asked
    assert "trail" in mini_client.get("/api/routes", params={**params, "trail": "true"}).json()["routes"][0]
    assert "geojson" not in a  # only when asked
    assert "layers" not in a


def test_route_geometry_only_when_asked(mini_client: TestClient) -> None:
    params: dict[str, Any] = {**ROUTE, "depart": "2026-12-01"}
    plain = mini_client.get("/api/routes", params=params)
    drawn = mini_client.get("/api/routes", params={**params, "geojson": "true"})
    posted = mini_client.post("/api/routes", json={**params, "geojson": True}).json()
    assert drawn.json() == posted
    with_map = drawn.json()
    geometry = {k: with_map.pop(k) for k in ("geojson", "layers")}
    assert with_map == plain.json()  # the same answer, plus the geometry
    assert len(plain.content) < len(drawn.content)
    assert len(geometry["geojson"]["features"]) == len(with_map["routes"])
    line = geometry["geojson"]["features"][0]["geometry"]
    assert line["type"] == "LineString"
    assert len(line["coordinates"]) >= 2
    assert set(geometry["layers"]) == {"legs", "stops"}


def test_routes_in_russian_and_lists_as_commas(mini_client: TestClient) -> None:
    r = mini_client.get(
        "/api/routes", params={"origin": "Альфа", "destination": "Баку", "modes": "rail,sea", "trail": "false"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["query"]["modes"] == ["rail", "sea"]
    assert "trail" not in body["routes"][0]


def test_avoid_country_that_cuts_the_network_is_404(mini_client: TestClient) -> None:
    r = mini_client.get("/api/routes", params={**ROUTE, "avoid_countries": "KZ"})
    assert r.status_code == 404
    assert r.json()["error"] == "no_route"
    assert "avoid_countries=KZ" in r.json()["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": "many"}, "count"),
        ({"count": 1.5}, "count"),
        ({"cargo": "barrel"}, "cargo"),
        ({"avoid_countries": "Kazakhstan"}, "avoid_countries"),
        ({"depart": "tomorrow"}, "depart"),
        ({"depart": "1850-01-01"}, "depart"),
        ({"max_routes": 0}, "max_routes"),
        ({"max_routes": 11}, "max_routes"),
        ({"modes": "air"}, "modes"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_input_is_422_naming_the_field(mini_client: TestClient, params: dict[str, Any], field: str) -> None:
    r = mini_client.get("/api/routes", params={**ROUTE, **params})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "invalid_input"
    assert body["field"].split(".")[0] == field
    assert body["detail"]
    assert body["message"]


def test_post_body_validation(mini_client: TestClient) -> None:
    r = mini_client.post("/api/routes", json={"origin": "Alpha"})
    assert r.status_code == 422
    assert r.json()["field"] == "destination"
    r = mini_client.post("/api/routes", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_same_origin_and_destination_is_422(mini_client: TestClient) -> None:
    r = mini_client.get("/api/routes", params={"origin": "Baku", "destination": "Баку"})
    assert r.status_code == 422
    assert r.json()["field"] == "destination"


def test_simulate_or_501(mini_client: TestClient) -> None:
    r = mini_client.post("/api/simulate", json={**ROUTE, "runs": 200, "depart": "2026-12-01"})
    if mini_client.get("/healthz").json()["capabilities"]["reliability"]:
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["p10_h"] <= body["p50_h"] <= body["p90_h"] <= body["p95_h"]
        hist = body["histogram"]
        assert sum(hist["counts"]) + hist["above"] == hist["runs"] == 200
    else:
        assert r.status_code == 501


def test_simulate_rejects_too_many_runs(mini_client: TestClient) -> None:
    r = mini_client.get("/api/simulate", params={**ROUTE, "runs": 10_000_000})
    assert r.status_code == 422
    assert r.json()["field"] == "runs"


def test_concurrent_requests_agree(mini_client: TestClient) -> None:
    def call(_: int) -> Any:
        r = mini_client.get("/api/routes", params={**ROUTE, "depart": "2026-12-01", "trail": "false"})
        assert r.status_code == 200
        return r.json()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, range(16)))
    assert all(res == results[0] for res in results)


def test_invalid_dataset_is_503_with_problems(mini_dir: Path, edit_yaml: Any) -> None:
    edit_yaml(mini_dir / "links.yaml", "mode: rail", "mode: teleport")
    with TestClient(create_app(Settings(dataset=str(mini_dir)))) as client:
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["status"] == "dataset_unavailable"
        r = client.get("/api/routes", params=ROUTE)
        assert r.status_code == 503
        body = r.json()
        assert body["error"] == "invalid_dataset"
        assert any("teleport" in p for p in body["problems"])
        assert "Traceback" not in r.text


def test_missing_dataset_is_503(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(dataset=str(tmp_path / "nowhere")))) as client:
        r = client.get("/api/places", params={"q": "a"})
        assert r.status_code == 503
        assert r.json()["error"] == "dataset_unavailable"


def test_network_loaded_once_and_not_at_create(monkeypatch: pytest.MonkeyPatch) -> None:
    import karavan.io

    calls: list[object] = []
    real = karavan.io.load_network

    def counting(spec: object = None) -> object:
        calls.append(spec)
        return real(spec)  # type: ignore[arg-type]

    monkeypatch.setattr(karavan.io, "load_network", counting)
    app = create_app(Settings(dataset=str(Path(__file__).parents[1] / "fixtures" / "mini")))
    assert calls == []
    with TestClient(app) as client:
        for _ in range(3):
            assert client.get("/api/places", params={"q": "Baku"}).status_code == 200
    assert len(calls) == 1


def test_settings_from_environment_and_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KARAVAN_DATASET", "somewhere")
    monkeypatch.setenv("KARAVAN_PORT", "8123")
    s = Settings()
    assert s.dataset == "somewhere"
    assert s.port == 8123
    with pytest.raises(pydantic.ValidationError):
        s.port = 1  # type: ignore[misc]
    monkeypatch.setenv("KARAVAN_PORT", "0")
    with pytest.raises(pydantic.ValidationError):
        Settings()


def test_error_table_is_complete_and_specific() -> None:
    assert status_for(UnknownPlaceError("x", [])) == (404, "unknown_place")
    assert status_for(InputError("f", 1, "e"))[0] == 422
    assert status_for(NoRouteError("no"))[0] == 404
    assert status_for(ValidationError([Problem("a.yaml", "r", "f", 1, "e")])) == (503, "invalid_dataset")
    assert status_for(DatasetError("gone"))[0] == 503
    assert status_for(CapabilityMissingError("x"))[0] == 501
    assert status_for(KaravanError("other")) == (400, "bad_request")
    assert all(issubclass(cls, KaravanError) for cls in ERROR_TABLE)


def test_page_and_static_files(mini_client: TestClient) -> None:
    r = mini_client.get("/")
    assert r.status_code == 200
    assert "text/html" in r.headers["content-type"]
    assert 'id="map"' in r.text
    for path in ("/static/app.js", "/static/app.css", "/static/vendor/leaflet/leaflet.js"):
        assert mini_client.get(path).status_code == 200, path
    assert mini_client.get("/static/nope.js").status_code == 404


def test_unknown_path_is_json_404(mini_client: TestClient) -> None:
    r = mini_client.get("/api/nothing")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
