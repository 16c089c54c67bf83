"""One capacity picture: the DES built from the network, fed by the assignment, iterated to a stable point."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pytest

from karavan.capacity import assign
from karavan.capacity.picture import binding_ids, capacity_picture, stable_point
from karavan.capacity.scenario import apply_scenarios, parse_scenario
from karavan.model import Network
from karavan.reliability import load_reliability_parameters
from karavan.reliability.des import _gate
from karavan.reliability.des_network import caspian_streams, des_from_network


def test_gate_is_a_fifo_rate_limit() -> None:
    out = _gate([np.array([0.0, 0.0, 0.0, 10.0])], [1.0], rate_per_h=0.5)[0]
    assert out.tolist() == [0.0, 2.0, 4.0, 10.0]


def test_des_reads_ports_berths_and_fleet_from_the_dataset(caspian: Network) -> None:
    rp = load_reliability_parameters()
    nd = des_from_network(caspian, rp)
    des = nd.parameters.des
    ports = {p.id: p for p in des.ports}
    assert ports["kuryk"].berths["rail_ferry"] == 2
    fleet = {f.line: f.count for f in des.fleet}
    assert fleet["cas-kuryk-alat-rail-ferry"] == caspian.services["cas-kuryk-alat-rail-ferry"].vessels
    sc = parse_scenario(
        {
            "name": "berth",
            "modify": {
                "hub_operations": [
                    {"id": "ph-kuryk-rail-ferry-land-sea", "set": {"berths": 3}, "estimate": {"berths": "test"}}
                ]
            },
        }
    )
    net, _, _ = apply_scenarios(caspian, [sc])
    assert {p.id: p for p in des_from_network(net, rp).parameters.des.ports}["kuryk"].berths["rail_ferry"] == 3


def test_streams_follow_the_assignment(caspian: Network) -> None:
    rp = load_reliability_parameters()
    res = assign(caspian)
    nd = des_from_network(caspian, rp)
    streams, gates = caspian_streams(caspian, nd, res.run_loads, rp)
    by_line = {s.line: s for s in streams}
    ferry = by_line["cas-kuryk-alat-rail-ferry"]
    assert ferry.per_year * ferry.t_per_unit == pytest.approx(res.element("cas-kuryk-alat-rail-ferry").volume_t)
    assert "ph-kuryk-road-land-sea#units" in gates


def test_both_models_name_the_same_binding_elements(caspian: Network) -> None:
    pic = capacity_picture(caspian, years=1.0, max_iter=2)
    assert 1 <= len(pic.iterations) <= 2
    ids = binding_ids(pic)
    assert "ph-kuryk-road-land-sea#units" in ids["assignment"]
    assert "ph-kuryk-road-land-sea#units" in ids["des"]
    for row in pic.binding:
        assert row.agree or row.reason, row
    assert pic.to_dict()["binding"]


Round = Callable[[Mapping[str, float]], tuple[dict[str, float], dict[str, float], str]]


def _two_crossings(base_cost: Mapping[str, float], load_t: float, wait_per_t: float) -> tuple[Round, list[str]]:
    """A small assignment <-> queue model.

    All freight takes the cheaper crossing (cost + wait); a loaded crossing's queue measures ``wait_per_t``
    hours per tonne, an empty one measures nothing.
    """
    rounds: list[str] = []

    def round_(waits: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float], str]:
        line = min(base_cost, key=lambda k: (base_cost[k] + waits.get(k, 0.0), k))
        rounds.append(line)
        return {line: load_t}, {line: load_t * wait_per_t}, line

    return round_, rounds


def test_a_crossing_left_empty_keeps_its_wait_so_the_loop_settles() -> None:
    round_, rounds = _two_crossings({"A": 10.0, "B": 12.0}, 100.0, 0.05)
    point = stable_point(round_, max_iter=10, tol=0.02)
    # A (wait 5 h) -> B (A keeps 5 h; B now 5 h) -> A -> A: stable in round 4, not alternating
    assert rounds == ["A", "B", "A", "A"]
    assert point.converged
    assert [h["iteration"] for h in point.history] == [1, 2, 3, 4]
    assert point.history[0]["max_load_change_share"] is None
    assert point.history[1]["max_load_change_share"] == pytest.approx(1.0)
    assert point.history[-1]["max_load_change_share"] == 0.0
    assert point.waits_h == {"A": pytest.approx(5.0), "B": pytest.approx(5.0)}
    assert point.last == "A"


def test_rounds_average_the_measured_waits() -> None:
    measured = iter([4.0, 8.0, 6.0])

    def round_(waits: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float], float]:
        return {"A": 1.0}, {"A": next(measured)}, waits.get("A", 0.0)

    point = stable_point(round_, max_iter=3, tol=1e-9)
    assert point.converged
    assert len(point.history) == 2  # same load twice
    assert point.last == 4.0  # round 2 ran with round 1's wait
    assert point.waits_h["A"] == pytest.approx(6.0)  # (4 + 8) / 2
    assert point.history[1]["max_wait_change_h"] == pytest.approx(4.0)


def test_no_stable_point_is_reported() -> None:
    round_, _ = _two_crossings({"A": 10.0, "B": 12.0}, 100.0, 0.05)
    point = stable_point(round_, max_iter=3, tol=0.02)
    assert not point.converged
    assert len(point.history) == 3
    assert point.last_change == pytest.approx(1.0)


def test_doubled_demand_reaches_a_stable_point(caspian: Network) -> None:
    pic = capacity_picture(caspian, scale=2.0, years=1.0, max_iter=6)
    assert pic.converged, pic.iterations
    assert 2 <= len(pic.iterations) < 6
    assert pic.to_dict()["iterations"][-1]["max_load_change_share"] < 0.02
    for row in pic.binding:
        assert row.agree or row.reason, row
    assert not any("no stable point" in n for n in pic.notes)
