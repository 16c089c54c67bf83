"""Route planning on small hand-built networks with known answers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karavan.accounting import Cargo
from karavan.errors import InputError, NoRouteError, UnknownPlaceError
from karavan.io import load_network
from karavan.model import Network
from karavan.routing import RouteQuery, plan_routes

DEPART = datetime(2026, 12, 1, tzinfo=UTC)


def test_single_route_on_mini(mini_net: Network) -> None:
    plan = plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=DEPART, cargo=Cargo("FEU", count=2)))
    assert len(plan.routes) == 1
    r = plan.routes[0]
    assert set(r.labels) == {"fastest", "cheapest", "lowest_co2e", "most_reliable", "balanced"}
    assert r.countries == ("CN", "KZ", "AZ")
    assert r.nodes == ("CNAAA", "cn-border", "kz-border", "KZAAU", "AZBAK")
    services = [leg["service"] for leg in r.to_dict()["legs"]]
    assert services == ["cn-train", "kz-train", "ferry"]
    hubs = [h["op"] for h in r.to_dict()["hubs"]]
    assert hubs == ["bx-cn-kz", "gc-gamma", "port-aktau", "bx-kz-az"]


def test_known_pareto_set(two_way_dir: Path) -> None:
    net = load_network(two_way_dir)
    plan = plan_routes(net, RouteQuery("Alpha", "Baku", depart=DEPART, cargo=Cargo("FEU")))
    by_label = {lab: r for r in plan.routes for lab in r.labels}
    assert len(plan.routes) == 2
    fast, cheap = by_label["fastest"], by_label["cheapest"]
    assert "kz-truck" in [leg["service"] for leg in fast.to_dict()["legs"]]
    assert "kz-train" in [leg["service"] for leg in cheap.to_dict()["legs"]]
    assert fast.transit_time_h < cheap.transit_time_h
    assert fast.cost_usd > cheap.cost_usd
    assert by_label["lowest_co2e"] is cheap


def test_modes_constraint_removes_truck(two_way_dir: Path) -> None:
    net = load_network(two_way_dir)
    plan = plan_routes(net, RouteQuery("Alpha", "Baku", depart=DEPART, modes=["rail", "sea"]))
    assert len(plan.routes) == 1
    assert all(leg["service"] != "kz-truck" for leg in plan.routes[0].to_dict()["legs"])


def test_no_pareto_member_dominates_another(two_way_dir: Path) -> None:
    net = load_network(two_way_dir)
    routes = plan_routes(net, RouteQuery("Alpha", "Baku", depart=DEPART)).routes
    for a in routes:
        for b in routes:
            if a is b:
                continue
            assert not (a.transit_time_h <= b.transit_time_h and a.cost_usd <= b.cost_usd and a.co2e_kg <= b.co2e_kg)


def test_totals_equal_sum_of_elements(two_way_dir: Path) -> None:
    net = load_network(two_way_dir)
    for r in plan_routes(net, RouteQuery("Alpha", "Baku", depart=DEPART, cargo=Cargo("TEU", count=3))).routes:
        d = r.to_dict()
        parts = d["legs"] + d["hubs"]
        assert sum(p["cost_usd"] for p in parts) == pytest.approx(d["cost_usd"])
        assert sum(p["co2e_kg"] for p in parts) == pytest.approx(d["co2e_kg"])
        assert sum(leg["distance_km"] for leg in d["legs"]) == pytest.approx(d["distance_km"])


def test_arrival_after_departure_plus_running(two_way_dir: Path) -> None:
    net = load_network(two_way_dir)
    for r in plan_routes(net, RouteQuery("Alpha", "Baku", depart=DEPART)).routes:
        d = r.to_dict()
        running = sum(leg["running_h"] for leg in d["legs"])
        dwell = sum(h["dwell_h"] for h in d["hubs"])
        assert r.transit_time_h >= running + dwell - 1e-6
        t = DEPART.isoformat()
        for leg in d["legs"]:
            assert leg["depart"] >= t
            assert leg["arrive"] >= leg["depart"]
            t = leg["arrive"]


def test_weekly_wait_is_respected(mini_net: Network) -> None:
    # kz-train leaves Mon/Thu 12:00; the FEU reaches Gamma on Tuesday, so it waits for Thursday.
    r = plan_routes(mini_net, RouteQuery("Alpha", "Aktau", depart=DEPART)).routes[0]
    kz_leg = next(leg for leg in r.to_dict()["legs"] if leg["service"] == "kz-train")
    assert kz_leg["depart"].startswith("2026-12-03T12:00")


def test_avoid_country_cuts_with_clear_message(mini_net: Network) -> None:
    with pytest.raises(NoRouteError, match="KZ"):
        plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=DEPART, avoid_countries=["KZ"]))


def test_avoided_node_reported(mini_net: Network) -> None:
    with pytest.raises(NoRouteError, match="avoid_nodes=KZAAU"):
        plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=DEPART, avoid_nodes=["Aktau"]))


def test_modes_cut_reported(mini_net: Network) -> None:
    with pytest.raises(NoRouteError, match="modes=rail"):
        plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=DEPART, modes=["rail"]))


def test_unit_not_carried(mini_net: Network) -> None:
    with pytest.raises(NoRouteError, match=r"no service carrying wagon \(cargo.unit\) departs"):
        plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=DEPART, cargo=Cargo("wagon")))


def test_via_is_honoured(two_way_dir: Path) -> None:
    net = load_network(two_way_dir)
    plan = plan_routes(net, RouteQuery("Alpha", "Baku", depart=DEPART, via=["Aktau"]))
    assert all("KZAAU" in r.nodes for r in plan.routes)


def test_bad_inputs_name_the_field(mini_net: Network) -> None:
    with pytest.raises(UnknownPlaceError):
        plan_routes(mini_net, RouteQuery("Nowhere", "Baku"))
    with pytest.raises(InputError, match="avoid_countries"):
        RouteQuery("Alpha", "Baku", avoid_countries=["Russia"])
    with pytest.raises(InputError, match="modes"):
        RouteQuery("Alpha", "Baku", modes=["air"])
    with pytest.raises(InputError, match="max_routes"):
        RouteQuery("Alpha", "Baku", max_routes=0)
    with pytest.raises(InputError, match="destination"):
        plan_routes(mini_net, RouteQuery("Alpha", "Alpha"))


def test_deterministic(two_way_dir: Path) -> None:
    net = load_network(two_way_dir)
    first = plan_routes(net, RouteQuery("Alpha", "Baku", depart=DEPART)).to_dict()
    for _ in range(19):
        assert plan_routes(net, RouteQuery("Alpha", "Baku", depart=DEPART)).to_dict() == first


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hour=st.integers(0, 24 * 14))
def test_adding_a_service_never_worsens_best_time(mini_net: Network, two_way_dir: Path, hour: int) -> None:
    richer = load_network(two_way_dir)
    when = datetime.fromtimestamp(DEPART.timestamp() + hour * 3600, tz=UTC)
    base = min(r.transit_time_h for r in plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=when)).routes)
    more = min(r.transit_time_h for r in plan_routes(richer, RouteQuery("Alpha", "Baku", depart=when)).routes)
    assert more <= base + 1e-6


def test_place_names_resolved_once_per_network(mini_net: Network) -> None:
    from karavan.routing.plan import _resolve

    assert _resolve(mini_net, "Baku").id == "AZBAK"
    assert mini_net.__dict__["_resolved_places"]["Baku"].id == "AZBAK"
    for _ in range(2):  # a name that does not resolve raises every time, and is not kept
        with pytest.raises(UnknownPlaceError):
            _resolve(mini_net, "Atlantis")
    assert "Atlantis" not in mini_net.__dict__["_resolved_places"]
