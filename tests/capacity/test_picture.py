"""One capacity picture: the DES built from the network, fed by the assignment, iterated to a stable point."""

from __future__ import annotations

import numpy as np
import pytest

from karavan.capacity import assign
from karavan.capacity.picture import binding_ids, capacity_picture
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
