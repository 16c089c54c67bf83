"""A box aboard a ship at a transit call does not enter that country: borders only where it is discharged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from karavan.accounting import Cargo
from karavan.capacity.assignment import assign
from karavan.capacity.demand import Demand, ODFlow
from karavan.errors import ValidationError
from karavan.io import load_network, validate_dataset
from karavan.model import Network
from karavan.model.enums import Unit
from karavan.reliability import plan_from_itinerary, simulate_itinerary
from karavan.routing import RouteQuery, plan_routes
from karavan.routing.plan import Route

DEPART = datetime(2025, 7, 7, tzinfo=UTC)  # a Monday: the weekly loop leaves the same day
Edit = Callable[[Path, str, str], None]

NODE = (
    "- {id: TMKRW, name_en: Omega port, name_ru: Омега, country: TM, lat: 40.0, lon: 53.0, kind: seaport, "
    "source: test:S1}\n"
)
LINK = "- {id: s-baku-omega, from: AZBAK, to: TMKRW, mode: sea, length_km: 300, source: test:S1}\n"
LOOP = """- id: loop
  name: Aktau - Baku - Omega container loop
  kind: container_ship
  stops: [KZAAU, AZBAK, TMKRW]
  units: [TEU, FEU]
  departures: {pattern: weekly, days: [Mon], time: "06:00"}
  speed_kmh: 30
  tariff: {FEU: {per_km_usd: 0.2}}
  toc: sea_container_feeder
  source: test:S1
"""
OPS = (
    "- {id: bx-kz-tm, node: TMKRW, kind: border_crossing, from_modes: [sea], from_country: KZ, to_country: TM, "
    "dwell_h: 9, cost_usd: {FEU: 90}, hoc: hub_border, source: test:S1}\n"
    "- {id: bx-az-tm, node: TMKRW, kind: border_crossing, from_modes: [sea], from_country: AZ, to_country: TM, "
    "dwell_h: 5, hoc: hub_border, source: test:S1}\n"
    "- {id: bx-tm-az, node: AZBAK, kind: border_crossing, from_modes: [sea], from_country: TM, to_country: AZ, "
    "dwell_h: 5, hoc: hub_border, source: test:S1}\n"
    "- {id: bx-tm-kz, node: KZAAU, kind: border_crossing, from_modes: [sea], from_country: TM, to_country: KZ, "
    "dwell_h: 5, hoc: hub_border, source: test:S1}\n"
)


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def _loop_dir(mini_dir: Path, ops: str = OPS) -> Path:
    _append(mini_dir / "nodes.yaml", NODE)
    _append(mini_dir / "links.yaml", LINK)
    _append(mini_dir / "services.yaml", LOOP)
    _append(mini_dir / "hub_operations.yaml", ops)
    return mini_dir


def _by_loop(net: Network, dest: str, **kw: object) -> Route:
    q = RouteQuery("KZAAU", dest, depart=DEPART, cargo=Cargo("FEU"), runs=0, **kw)  # type: ignore[arg-type]
    routes = plan_routes(net, q).routes
    return next(r for r in routes if [leg.figures.service_id for leg in r.itinerary.legs] == ["loop"])


def _hubs(route: Route) -> list[str]:
    return [h.figures.op_id for h in route.itinerary.hubs]


def test_no_border_at_a_transit_call(mini_dir: Path) -> None:
    net = load_network(_loop_dir(mini_dir))
    route = _by_loop(net, "TMKRW")
    assert _hubs(route) == ["bx-kz-tm"]  # cleared once into Turkmenistan; nothing at the Baku call
    assert route.countries == ("KZ", "TM")
    assert route.itinerary.legs[0].figures.countries == ("KZ", "TM")
    hub = route.itinerary.hubs[0]
    assert hub.figures.dwell_h == pytest.approx(9.0)
    leg = route.itinerary.legs[0]
    assert leg.figures.distance_km == pytest.approx(470 + 300)
    assert leg.wait_h == pytest.approx(6.0)  # the Monday 06:00 sailing
    assert route.itinerary.transit_time_h == pytest.approx(6.0 + leg.figures.running_h + 9.0)


def test_a_box_discharged_at_the_call_pays_its_border(mini_dir: Path) -> None:
    net = load_network(_loop_dir(mini_dir))
    route = _by_loop(net, "AZBAK")
    assert _hubs(route) == ["bx-kz-az"]
    assert route.countries == ("KZ", "AZ")


def test_avoiding_the_country_of_a_transit_call_keeps_the_ship(mini_dir: Path) -> None:
    net = load_network(_loop_dir(mini_dir))
    route = _by_loop(net, "TMKRW", avoid_countries=("AZ",))
    assert "AZ" not in route.countries
    assert route.nodes == ("KZAAU", "AZBAK", "TMKRW")  # the ship's path still passes the call


def test_monte_carlo_charges_the_same_borders(mini_dir: Path) -> None:
    net = load_network(_loop_dir(mini_dir))
    route = _by_loop(net, "TMKRW")
    steps = plan_from_itinerary(route.itinerary)
    res = simulate_itinerary(net, steps, Cargo("FEU"), depart=DEPART, runs=200, seed=0)
    names = " ".join(e.element for e in res.elements)
    assert "bx-kz-tm" in names
    assert "bx-kz-az" not in names
    assert "bx-az-tm" not in names


def test_validation_wants_an_entry_border_past_a_call(mini_dir: Path) -> None:
    ops = "\n".join(line for line in OPS.splitlines() if "bx-kz-tm" not in line) + "\n"
    problems = validate_dataset(_loop_dir(mini_dir, ops))
    assert [(p.record, p.value) for p in problems] == [("loop", "KZAAU (KZ) -> TMKRW (TM)")]
    with pytest.raises(ValidationError):
        load_network(mini_dir)


def test_capacity_loads_every_segment_a_ship_ride_passes(mini_dir: Path) -> None:
    net = load_network(_loop_dir(mini_dir))
    flows = (
        ODFlow("KZAAU", "TMKRW", Unit.TEU, 10.0, 1000.0, 0.0, "containers", "test:S1"),
        ODFlow("AZBAK", "TMKRW", Unit.TEU, 10.0, 500.0, 0.0, "containers", "test:S1"),
    )
    res = assign(net, Demand(flows, name="t"))
    assert res.unserved_t == 0
    assert [od.route[:1] for od in res.od] == [("loop",), ("loop",)]
    assert res.element("loop").volume_t == pytest.approx(1500.0)  # both ride Baku -> Omega
