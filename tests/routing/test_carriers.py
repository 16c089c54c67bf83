"""Containers cross roll-on ships on their carrier unit: a wagon by rail, a trailer by road."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from karavan.accounting import Cargo
from karavan.io import load_network, validate_dataset
from karavan.model import Mode, Unit
from karavan.routing import RouteQuery, plan_routes

DEPART = datetime(2026, 12, 1, tzinfo=UTC)
Edit = Callable[[Path, str, str], None]


def test_a_trucked_box_boards_only_what_takes_its_trailer(two_way_dir: Path, edit_yaml: Edit) -> None:
    """Without a lift at the port, a box that came by truck cannot roll onto a rail ferry."""
    lifted = plan_routes(load_network(two_way_dir), RouteQuery("CNAAA", "AZBAK", depart=DEPART, cargo=Cargo("FEU")))
    assert any(leg.mode == "road" for r in lifted.routes for leg in r.itinerary.legs)  # transshipped onto a wagon
    edit_yaml(two_way_dir / "hub_operations.yaml", "id: xfer-aktau-road, node: KZAAU, kind: transshipment",
              "id: xfer-aktau-road, node: KZAAU, kind: port_handling")  # fmt: skip
    plan = plan_routes(load_network(two_way_dir), RouteQuery("CNAAA", "AZBAK", depart=DEPART, cargo=Cargo("FEU")))
    for r in plan.routes:
        legs = r.itinerary.legs
        ferry = next(i for i, leg in enumerate(legs) if leg.figures.service_id == "ferry")
        assert legs[ferry].carrier_unit == "wagon"
        assert legs[ferry - 1].mode == "rail"  # it rolled aboard on its wagon


def test_fare_and_capacity_entries_follow_the_carrier(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "services.yaml", "tariff: {wagon: {flat_usd: 1200}}", "tariff: {FEU: {flat_usd: 900}}")
    problems = validate_dataset(mini_dir)
    assert any(p.record == "ferry" and p.field == "tariff.FEU" for p in problems)


def test_a_roll_on_ship_needs_a_carrier_for_boxes(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "services.yaml", "units: [wagon, TEU, FEU]\n  departures: {pattern: when_full",
              "units: [TEU, FEU]\n  departures: {pattern: when_full")  # fmt: skip
    edit_yaml(mini_dir / "services.yaml", "capacity_per_departure: {wagon: 52}", "capacity_per_departure: {}")
    edit_yaml(mini_dir / "services.yaml", "tariff: {wagon: {flat_usd: 1200}}", "tariff: {}")
    problems = validate_dataset(mini_dir)
    assert any(p.record == "ferry" and p.field == "units" for p in problems)


def test_caspian_ro_pax_takes_wagons_and_boxes_pay_their_wagon() -> None:
    net = load_network()
    ropax = net.services["cas-kuryk-alat-ropax"]
    assert Unit.WAGON in ropax.units
    assert ropax.carriers_for(Unit.FEU) == (Unit.WAGON, Unit.TRAILER)
    plan = plan_routes(net, RouteQuery("Kuryk", "Alat", depart=DEPART, cargo=Cargo("FEU"), modes=(Mode.SEA,)))
    for r in plan.routes:
        for leg in r.itinerary.legs:
            carrier = Unit(leg.carrier_unit)
            assert carrier in (Unit.WAGON, Unit.TRAILER)
            fare = net.services[leg.figures.service_id].tariff[carrier].flat_usd
            assert leg.figures.cost_usd == fare
