"""``/api/energy``: typed responses over a tiny two-bus dataset and the embedded network."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from karavan.api import Settings, create_app

_spec = importlib.util.spec_from_file_location("energy_fixtures", Path(__file__).parents[1] / "energy" / "conftest.py")
assert _spec is not None
assert _spec.loader is not None
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
two_bus_tables, write_dataset = _fixtures.two_bus_tables, _fixtures.write_dataset


@pytest.fixture(scope="module")
def energy_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app whose energy endpoints serve the two-bus dataset."""
    path = write_dataset(tmp_path_factory.mktemp("energy") / "two-bus", two_bus_tables(load_mw=61.0))
    # The first request imports PyPSA and builds the solver: no tight time budget for it here.
    with TestClient(create_app(Settings(energy_dataset=str(path), web=False, request_timeout_s=600))) as client:
        yield client


def test_scenarios_and_network_of_the_embedded_dataset() -> None:
    with TestClient(create_app(Settings(web=False))) as client:
        names = {s["name"] for s in client.get("/api/energy/scenarios").json()}
        assert "casa-1000" in names
        geo = client.get("/api/energy/network", params={"scenario": "trans-caspian-early-gas"}).json()
        tcp = next(f for f in geo["features"] if f["properties"]["id"] == "tcp")
        assert tcp["properties"]["status"] == "operating"
        assert tcp["properties"]["capacity"] == 8
        assert tcp["properties"]["carrier"] == "gas"


def test_solve(energy_client: TestClient) -> None:
    r = energy_client.get("/api/energy/solve")
    assert r.status_code == 200
    data = r.json()
    (flow,) = data["flows"]
    assert flow["id"] == "ab"
    assert flow["net"] == pytest.approx(40 * 8760 / 1e6)
    assert flow["unit"] == "TWh"
    b = next(x for x in data["bus_results"] if x["id"] == "B")
    assert b["price_mean_usd_per_mwh"] == pytest.approx(30.0)


def test_solved_network_layer_has_utilisation(energy_client: TestClient) -> None:
    geo = energy_client.get("/api/energy/network", params={"solved": "true"}).json()
    line = next(f for f in geo["features"] if f["properties"]["id"] == "ab")
    assert line["properties"]["utilisation"] == pytest.approx(1.0)
    assert line["geometry"]["type"] == "LineString"


def test_trade_rows(energy_client: TestClient) -> None:
    rows = energy_client.get("/api/energy/trade", params={"between": "tm,kz"}).json()
    (row,) = rows
    assert (row["exporter"], row["importer"]) == ("KZ", "TM")
    assert row["value_usd"] == pytest.approx(40 * 8760 * 50)
    assert row["price_basis"] == "trade_prices.yaml p-kz-tm"


def test_diff_and_errors(energy_client: TestClient) -> None:
    d = energy_client.get("/api/energy/diff", params={"scenario": "base"}).json()
    assert d["totals"]["objective_usd"]["change"] == 0
    r = energy_client.get("/api/energy/solve", params={"scenario": "/etc/passwd"})
    assert r.status_code == 422
    assert r.json()["field"] == "scenario"
    r = energy_client.get("/api/energy/trade", params={"between": "KZ"})
    assert r.status_code == 422
