"""Saved plans over HTTP: save a query with its result, reopen it, list, and fail clearly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from karavan.api import Settings, create_app

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """An app over the mini fixture with its own empty SQLite database."""
    settings = Settings(dataset=str(MINI), database_url=f"sqlite:///{tmp_path / 'plans.sqlite'}")
    with TestClient(create_app(settings)) as c:
        yield c


ROUTE = {"origin": "Alpha", "destination": "Aktau", "depart": "2026-12-01", "trail": False}


def test_save_route_then_reopen_it(client: TestClient) -> None:
    r = client.post("/api/plans", json={"kind": "route", "query": ROUTE})
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["location"] == created["url"] == f"/api/plans/{created['id']}"
    assert created["share_url"] == f"/?plan={created['id']}"
    assert created["kind"] == "route"
    assert "→" in created["title"]
    live = client.get("/api/routes", params=ROUTE).json()
    saved = client.get(created["url"]).json()
    assert saved["query"]["origin"] == "Alpha"
    assert saved["result"]["routes"] == live["routes"]
    assert saved["content_hash"] == client.get("/healthz").json()["dataset"]["content_hash"]
    assert all("mode" in leg for leg in saved["result"]["routes"][0]["legs"])
    # stored with its map geometry whatever the query asked: the share_url reopens it on the map
    assert "geojson" not in live
    drawn = client.get("/api/routes", params={**ROUTE, "geojson": True}).json()
    assert saved["result"]["geojson"] == drawn["geojson"]
    assert saved["result"]["layers"] == drawn["layers"]


def test_saved_records_are_listed_newest_first_and_filtered(client: TestClient) -> None:
    first = client.post("/api/plans", json={"kind": "route", "title": "first", "query": ROUTE}).json()
    sim = {"kind": "simulation", "title": "second", "query": {**{k: v for k, v in ROUTE.items() if k != "trail"}}}
    second = client.post("/api/plans", json={**sim, "query": {**sim["query"], "runs": 200}}).json()
    listing = client.get("/api/plans").json()
    assert listing["total"] == 2
    assert [i["id"] for i in listing["items"]] == [second["id"], first["id"]]
    assert "result" not in listing["items"][0]
    only = client.get("/api/plans", params={"kind": "simulation"}).json()
    assert [i["title"] for i in only["items"]] == ["second"]
    assert client.get(second["url"]).json()["result"]["runs"] == 200


def test_unknown_id_is_404_not_found(client: TestClient) -> None:
    r = client.get("/api/plans/00ff")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "poem", "query": ROUTE}, "kind"),
        ({"kind": "route", "query": {**ROUTE, "count": -1}}, "count"),
        ({"kind": "route", "query": ROUTE, "colour": "red"}, "colour"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(client: TestClient, body: dict[str, object], field: str) -> None:
    r = client.post("/api/plans", json=body)
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_input"
    assert field in r.json()["field"]


def test_a_query_that_fails_saves_nothing(client: TestClient) -> None:
    r = client.post("/api/plans", json={"kind": "route", "query": {**ROUTE, "origin": "Nowhere-at-all"}})
    assert r.status_code == 404
    assert r.json()["error"] == "unknown_place"
    assert client.get("/api/plans").json()["total"] == 0


def test_an_unreachable_database_is_503_and_the_rest_still_works(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings = Settings(dataset=str(MINI), database_url=f"sqlite:///{blocker / 'sub' / 'plans.sqlite'}")
    with TestClient(create_app(settings)) as c:
        r = c.get("/api/plans")
        assert r.status_code == 503
        assert r.json()["error"] == "storage_unavailable"
        assert c.get("/api/routes", params=ROUTE).status_code == 200


def test_scenario_and_assignment_runs_are_saved(caspian_client: TestClient) -> None:
    scen = caspian_client.post("/api/plans", json={"kind": "scenario", "query": {"name": "no-russia"}})
    assert scen.status_code == 201, scen.text
    assign = caspian_client.post("/api/plans", json={"kind": "assignment", "query": {"method": "lp"}})
    assert assign.status_code == 201, assign.text
    got = caspian_client.get(assign.json()["url"]).json()
    assert got["kind"] == "assignment"
    assert got["result"]["bottlenecks"] == caspian_client.get("/api/assign").json()["bottlenecks"]
    assert caspian_client.get(scen.json()["url"]).json()["result"]["new"] == "no-russia"
