"""Yearly capacity of a shipping line from its fleet, shared by the assignment and the DES."""

from __future__ import annotations

import pytest

from karavan.capacity.fleet import fleet_capacity, handling_h, open_share
from karavan.capacity.scenario import apply_scenario, parse_scenario
from karavan.model import Network


def test_fleet_capacity_arithmetic(caspian: Network) -> None:
    svc = caspian.services["cas-kuryk-alat-rail-ferry"]
    fc = fleet_capacity(caspian, svc)
    assert fc is not None
    assert svc.vessels == 3
    run = float(svc.running_time_h.mean()) if svc.running_time_h is not None else 0.0
    cycle = 2 * run + handling_h(caspian, "KZKUR", fc.unit)[0] + handling_h(caspian, "AZALA", fc.unit)[0]
    share = (open_share(caspian, "KZKUR") + open_share(caspian, "AZALA")) / 2
    assert fc.cycle_h == pytest.approx(cycle)
    assert fc.sailings_per_year == pytest.approx(3 * 8766 * share / cycle)
    assert fc.capacity_units == pytest.approx(fc.sailings_per_year * 54 * 0.9)
    # consistent with the Kuryk loading of 46-47 wagons a day the stated capacity rests on
    assert fc.capacity_units / 365 == pytest.approx(46.5, rel=0.15)


def test_storms_and_vessels_move_the_capacity(caspian: Network) -> None:
    svc = caspian.services["cas-kuryk-alat-ropax"]
    base = fleet_capacity(caspian, svc)
    sc = parse_scenario(
        {
            "name": "more-ships",
            "modify": {
                "services": [{"id": svc.id, "set": {"vessels": 8}, "estimate": {"vessels": "test"}}],
                "nodes": [{"id": "KZKUR", "set": {"closed_share": [0.5] * 12}, "estimate": {"closed_share": "test"}}],
            },
        }
    )
    net = apply_scenario(caspian, sc)
    more = fleet_capacity(net, net.services[svc.id])
    assert base is not None
    assert more is not None
    assert more.open_share < base.open_share
    assert more.capacity_t == pytest.approx(base.capacity_t * 8 / 4 * more.open_share / base.open_share)


def test_services_without_vessels_have_none(caspian: Network) -> None:
    assert fleet_capacity(caspian, caspian.services["kz-dostyk-aktau"]) is None
