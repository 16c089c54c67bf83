"""iLEAP records of planned routes: valid against the iLEAP JSON schemas, consistent with the itineraries."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from karavan.accounting import Cargo
from karavan.accounting.ileap import dec, plan_ileap, records
from karavan.io import load_network
from karavan.model import Network
from karavan.routing import RouteQuery, plan_routes

SCHEMAS = Path(__file__).resolve().parent / "fixtures" / "ileap"
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
DEPART = datetime(2026, 12, 1, tzinfo=UTC)
CASES = {
    # rail on electric and diesel links, container feeder, trucks
    "rail-feeder-road": ("Altynkol", "Baku", "FEU", 2, None),
    # trailers on trucks and the Ro-Pax ferry (distance adjustment factor)
    "road-ferry": ("Aktau", "Baku", "trailer", 1, ("road", "sea")),
    # wagons on the rail ferry (gross-mass category)
    "rail-ferry": ("Aktau", "Baku", "wagon", 3, None),
}


@cache
def _net() -> Network:
    return load_network()


@cache
def _validator(kind: str) -> Draft7Validator:
    schema = json.loads((SCHEMAS / f"{kind}.json").read_text())
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


@cache
def _case(name: str) -> tuple[Any, dict[str, Any]]:
    origin, destination, unit, count, modes = CASES[name]
    query = RouteQuery(origin, destination, depart=DEPART, cargo=Cargo(unit, count), modes=modes, runs=100)
    plan = plan_routes(_net(), query)
    return plan, plan_ileap(_net(), plan)


def _num(text: str) -> float:
    assert DECIMAL.match(text), text
    return float(text)


@pytest.mark.parametrize("name", sorted(CASES))
def test_records_valid_against_ileap_schemas(name: str) -> None:
    _, doc = _case(name)
    kinds = {kind for kind, _ in records(doc)}
    assert kinds == {"shipment-footprint", "toc", "hoc"}
    for kind, rec in records(doc):
        errors = sorted(_validator(kind).iter_errors(rec), key=str)
        assert not errors, f"{kind} {rec.get('tocId') or rec.get('hocId') or rec.get('shipmentId')}: {errors[0]}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_tces_are_the_itinerary(name: str) -> None:
    """One TCE per leg and hub in order; their CO2e sums to the route's; ids resolve."""
    plan, doc = _case(name)
    tocs = {t["tocId"]: t for t in doc["tocs"]}
    hocs = {h["hocId"]: h for h in doc["hocs"]}
    assert len(doc["shipmentFootprints"]) == len(plan.routes)
    for route, fp in zip(plan.routes, doc["shipmentFootprints"], strict=True):
        it = route.itinerary
        tces = fp["tces"]
        assert len(tces) == len(it.legs) + len(it.hubs)
        assert _num(fp["mass"]) == pytest.approx(it.tonnes * 1000)
        assert sum(_num(t["co2eWTW"]) for t in tces) == pytest.approx(it.co2e_kg, rel=1e-6)
        assert sum(_num(t["co2eTTW"]) for t in tces) == pytest.approx(it.co2e_ttw_kg, rel=1e-6)
        assert [t["prevTceIds"] for t in tces] == [[], *[[t["tceId"]] for t in tces[:-1]]]
        assert len({t["tceId"] for t in tces}) == len(tces)
        for tce in tces:
            assert tce["shipmentId"] == fp["shipmentId"]
            assert ("tocId" in tce) != ("hocId" in tce)
            assert tce.get("tocId") in tocs or tce.get("hocId") in hocs


@pytest.mark.parametrize("name", sorted(CASES))
def test_tce_emissions_are_intensity_times_activity(name: str) -> None:
    """ISO 14083: TOC intensity × tkm (actual distance × mass) and HOC intensity × outbound tonnes."""
    _, doc = _case(name)
    tocs = {t["tocId"]: t for t in doc["tocs"]}
    hocs = {h["hocId"]: h for h in doc["hocs"]}
    for fp in doc["shipmentFootprints"]:
        for tce in fp["tces"]:
            mass_t = _num(tce["mass"]) / 1000
            wtw, ttw = _num(tce["co2eWTW"]), _num(tce["co2eTTW"])
            if "tocId" in tce:
                activity = _num(tce["transportActivity"])
                assert activity == pytest.approx(mass_t * _num(tce["distance"]["actual"]), rel=1e-6)
                toc = tocs[tce["tocId"]]
                assert toc["transportActivityUnit"] == "tkm"
                assert wtw == pytest.approx(_num(toc["co2eIntensityWTW"]) * activity, rel=1e-6, abs=1e-5)
                assert ttw == pytest.approx(_num(toc["co2eIntensityTTW"]) * activity, rel=1e-6, abs=1e-5)
            else:
                hoc = hocs[tce["hocId"]]
                assert tce["transportActivity"] == "0"
                assert wtw == pytest.approx(_num(hoc["co2eIntensityWTW"]) * mass_t, rel=1e-6, abs=1e-5)


def test_modes_categories_and_distance_adjustment() -> None:
    """Sea, rail and road TOCs; the ferry's DAF 1.15 in distance.actual; derived ids only where needed."""
    _, ferry = _case("road-ferry")
    modes = {t["mode"] for t in ferry["tocs"]}
    assert modes == {"Road", "Sea"}
    sea_tces = [
        tce for fp in ferry["shipmentFootprints"] for tce in fp["tces"] if tce.get("tocId", "").startswith("sea_ropax")
    ]
    assert sea_tces
    for tce in sea_tces:
        d = tce["distance"]
        assert _num(d["actual"]) == pytest.approx(_num(d["sfd"]) * 1.15, rel=1e-6)
    ropax = next(t for t in ferry["tocs"] if t["tocId"] == "sea_ropax")
    assert ropax["co2eIntensityWTW"] == "0.2003"  # GLEC v3 Table 14 default, as published
    assert ropax["energyCarriers"][0]["energyCarrier"] == "HFO"
    road = next(t for t in ferry["tocs"] if t["tocId"] == "road_truck_articulated")
    assert road["energyCarriers"][0]["energyCarrier"] == "Diesel"
    _, rail_ferry = _case("rail-ferry")
    derived = [t for t in rail_ferry["tocs"] if t["tocId"].startswith("sea_rail_ferry~")]
    assert derived, "the gross-mass rail-ferry category is expressed per cargo tkm for the leg"
    assert all("gross tonne-km" in t["description"] for t in derived)


def test_electric_legs_state_grid_and_shares() -> None:
    _, doc = _case("rail-feeder-road")
    electric = [t for t in doc["tocs"] if t["tocId"].startswith("rail_container_electric")]
    assert electric
    for toc in electric:
        assert "~" in toc["tocId"]
        shares = [_num(c["relativeShare"]) for c in toc["energyCarriers"]]
        assert math.fsum(shares) == pytest.approx(1.0, abs=1e-5)
        for c in toc["energyCarriers"]:
            if c["energyCarrier"] == "Electric":
                assert c["emissionFactorTTW"] == "0"
                assert 0.0 < _num(c["emissionFactorWTW"]) < 1.5  # kg CO2e per kWh


def test_document_is_deterministic_and_flags_estimates() -> None:
    plan, doc = _case("road-ferry")
    assert plan_ileap(_net(), plan) == doc
    assert doc["estimates"]
    assert all(isinstance(e, str) and e for e in doc["estimates"])
    assert all("Estimate" in h["description"] or "estimate" in h["description"] for h in doc["hocs"])


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(min_value=0, max_value=9))
def test_decimal_strings(value: float, places: int) -> None:
    text = dec(value, places)
    assert DECIMAL.match(text), text
    assert float(text) == pytest.approx(value, abs=10.0**-places)


def test_route_command_writes_ileap(run_cli: Any) -> None:
    mini = str(Path(__file__).parents[1] / "fixtures" / "mini")
    code, out, err = run_cli("route", "Alpha", "Baku", "--dataset", mini, "--runs", "0", "--format", "ileap")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["shipmentFootprints"]
    assert doc["query"]["origin"] == "CNAAA"  # Alpha, resolved
    for kind, rec in records(doc):
        assert not list(_validator(kind).iter_errors(rec)), kind
