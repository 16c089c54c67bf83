"""Answers on the embedded dataset for the corridors the brief names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from karavan.accounting import Cargo
from karavan.errors import NoRouteError
from karavan.io import load_network
from karavan.model import Network
from karavan.routing import RouteQuery, plan_routes

DEPART = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network()


def _ids(net: Network, *places: str) -> list[str]:
    return [net.resolve(p).id for p in places]


@pytest.mark.parametrize("origin", ["Xi'an", "Altynkol"])
@pytest.mark.parametrize("dest", ["Baku", "Poti", "Istanbul", "Constanta"])
@pytest.mark.parametrize("port", ["Aktau", "Kuryk", "Turkmenbashi"])
def test_middle_corridor_via_each_caspian_port(net: Network, origin: str, dest: str, port: str) -> None:
    plan = plan_routes(net, RouteQuery(origin, dest, depart=DEPART, via=[port], avoid_countries=["RU"]))
    assert plan.routes
    port_id = net.resolve(port).id
    for r in plan.routes:
        assert port_id in r.nodes
        assert "RU" not in r.countries
        assert r.transit_time_h > 0


@pytest.mark.parametrize("dest", ["Tehran", "Bandar Abbas"])
@pytest.mark.parametrize("via", ["Bereket", "Sarakhs"])
def test_china_iran(net: Network, dest: str, via: str) -> None:
    plan = plan_routes(net, RouteQuery("Xi'an", dest, depart=DEPART, via=[via]))
    assert plan.routes
    assert all("TM" in r.countries and r.countries[-1] == "IR" for r in plan.routes)


@pytest.mark.parametrize(("a", "b"), [("Aktau", "Turkmenbashi"), ("Turkmenbashi", "Aktau")])
def test_aktau_turkmenbashi(net: Network, a: str, b: str) -> None:
    assert plan_routes(net, RouteQuery(a, b, depart=DEPART)).routes


def test_northern_and_sea_alternatives_appear(net: Network) -> None:
    plan = plan_routes(net, RouteQuery("Xi'an", "Duisburg", depart=DEPART, max_routes=10))
    countries = {c for r in plan.routes for c in r.countries}
    assert "RU" in countries
    sea = plan_routes(net, RouteQuery("Shanghai", "Rotterdam", depart=DEPART, modes=["sea"]))
    assert sea.routes


def test_headline_query(net: Network) -> None:
    plan = plan_routes(
        net, RouteQuery("Xi'an", "Istanbul", depart=DEPART, cargo=Cargo("FEU", count=2), avoid_countries=["RU"])
    )
    labels = {lab for r in plan.routes for lab in r.labels}
    assert {"fastest", "cheapest", "lowest_co2e", "balanced"} <= labels
    for r in plan.routes:
        assert r.countries[0] == "CN"
        assert r.countries[-1] == "TR"
        assert 5 * 24 < r.transit_time_h < 60 * 24


COUNTRIES = ["RU", "KZ", "TM", "IR", "AZ", "GE", "UZ", "BY"]


@settings(max_examples=25, deadline=None)
@given(avoid=st.lists(st.sampled_from(COUNTRIES), max_size=3, unique=True))
def test_avoided_countries_never_appear(avoid: list[str]) -> None:
    net = load_network()
    try:
        plan = plan_routes(net, RouteQuery("Xi'an", "Istanbul", depart=DEPART, avoid_countries=avoid))
    except NoRouteError as exc:
        message = str(exc)
        plan = None
    if plan is None:
        assert any(c in message for c in avoid)
        return
    for r in plan.routes:
        assert not set(r.countries) & set(avoid)
        for nid in r.nodes:
            assert net.nodes[nid].country not in avoid


PAIRS = [
    ("Xi'an", "Istanbul"),
    ("Altynkol", "Poti"),
    ("Urumqi", "Tehran"),
    ("Almaty", "Bandar Abbas"),
    ("Aktau", "Turkmenbashi"),
    ("Tashkent", "Baku"),
    ("Lianyungang", "Constanta"),
]


@settings(max_examples=30, deadline=None)
@given(pair=st.sampled_from(PAIRS), hour=st.integers(0, 24 * 60), unit=st.sampled_from(["FEU", "TEU"]))
def test_route_invariants_on_embedded(pair: tuple[str, str], hour: int, unit: str) -> None:
    net = load_network()
    when = datetime.fromtimestamp(DEPART.timestamp() + hour * 3600, tz=UTC)
    plan = plan_routes(net, RouteQuery(*pair, depart=when, cargo=Cargo(unit, count=2)))
    assert plan.routes
    for a in plan.routes:
        d = a.to_dict(trail=False)
        parts = d["legs"] + d["hubs"]
        # totals are the sums of their elements
        assert sum(p["cost_usd"] for p in parts) == pytest.approx(a.cost_usd)
        assert sum(p["co2e_kg"] for p in parts) == pytest.approx(a.co2e_kg)
        # time never runs backwards and covers at least the running and dwell times
        running = sum(leg["running_h"] for leg in d["legs"]) + sum(h["dwell_h"] for h in d["hubs"])
        assert a.transit_time_h >= running - 1e-6
        # no returned route dominates another on the searched criteria (time, cost, CO2e, reliability)
        fig = lambda r: (r.transit_time_h, r.cost_usd, r.co2e_kg, r.delay_h, r.std_h)  # noqa: E731
        for b in plan.routes:
            if b is not a:
                assert not all(x <= y for x, y in zip(fig(b), fig(a), strict=True))
        # no node twice
        assert len(set(a.nodes)) == len(a.nodes)


def test_uzbek_cargo_reaches_turkmenbashi_without_kazakhstan(net: Network) -> None:
    """The Uzbek main line joins the Turkmen main line at Farap: no detour through Kazakhstan."""
    plan = plan_routes(net, RouteQuery("Tashkent", "Turkmenbashi", depart=DEPART, modes=["rail"]))
    fastest = min(plan.routes, key=lambda r: r.transit_time_h)
    assert fastest.countries == ("UZ", "TM")
    assert net.resolve("Farap").id in fastest.nodes


def test_uzbek_cargo_reaches_aktau_by_the_amu_darya_line(net: Network) -> None:
    plan = plan_routes(net, RouteQuery("Tashkent", "Aktau", depart=DEPART, via=["Kungrad"], modes=["rail"]))
    assert plan.routes
    assert all(r.countries[-1] == "KZ" and "TM" in r.countries for r in plan.routes)


def test_shanghai_poti_by_sea_transships_once_onto_a_feeder(net: Network) -> None:
    """Main-line ships do not call Poti: the box changes ship once, at Piraeus, onto the Poti feeder."""
    plan = plan_routes(net, RouteQuery("Shanghai", "Poti", depart=DEPART, modes=["sea"]))
    assert plan.routes
    for r in plan.routes:
        legs = r.itinerary.legs
        assert [leg.figures.service_id for leg in legs] == ["sea-asia-med", "sea-piraeus-poti-feeder"]
        assert [leg.service_kind for leg in legs] == ["container_ship", "feeder"]
        assert legs[0].figures.alight == legs[1].figures.board == net.resolve("Piraeus").id
        sea_sea = [h.figures.op_id for h in r.itinerary.hubs if h.figures.op_id == "ph-piraeus-sea-sea"]
        assert sea_sea == ["ph-piraeus-sea-sea"]
        assert legs[1].wait_h > 0  # the feeder sails about every ten days
        # transshipped ship to ship, the box stays in customs transit: cleared once, into Georgia at Poti
        borders = [h.figures for h in r.itinerary.hubs if h.kind == "border_crossing"]
        assert [(b.op_id, b.node) for b in borders] == [("bx-gr-ge-sea-gepti", net.resolve("Poti").id)]


def test_a_box_discharged_at_the_hub_is_cleared_there(net: Network) -> None:
    """Piraeus as the destination: the box leaves the sea there and enters Greece."""
    plan = plan_routes(net, RouteQuery("Shanghai", "Piraeus", depart=DEPART, modes=["sea"]))
    assert plan.routes
    for r in plan.routes:
        borders = [h.figures.op_id for h in r.itinerary.hubs if h.kind == "border_crossing"]
        assert borders == ["bx-cn-gr-sea-grpir"]


def test_shanghai_constanta_by_sea_stays_aboard_the_main_line(net: Network) -> None:
    """Constanța is a main-line call: no transshipment, and the same per-km rate as the Poti product."""
    plan = plan_routes(net, RouteQuery("Shanghai", "Constanta", depart=DEPART, modes=["sea"]))
    direct = [r for r in plan.routes if [x.figures.service_id for x in r.itinerary.legs] == ["sea-asia-med"]]
    assert direct
    feeder = net.services["sea-piraeus-poti-feeder"].tariff
    assert feeder == net.services["sea-asia-med"].tariff


def test_china_railway_express_trains_clear_the_border_as_express(net: Network) -> None:
    """A CRE block train crossing Khorgos-Altynkol or Alashankou-Dostyk takes the express crossing."""
    plan = plan_routes(net, RouteQuery("Xi'an", "Aktau", depart=DEPART, modes=["rail"], max_routes=8))
    crossings = {h.figures.op_id for r in plan.routes for h in r.itinerary.hubs if h.kind == "border_crossing"}
    china = {op for op in crossings if op.startswith("bx-cn-kz-rail")}
    assert china
    assert all(op.endswith("-express") for op in china)
