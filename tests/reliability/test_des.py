"""Caspian DES: Little's law, monotone waits in demand, determinism, fleet sizing, errors."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from importlib import resources
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from karavan.errors import InputError
from karavan.reliability import fleet_groups, load_reliability_parameters, parse_ships, simulate_caspian
from karavan.reliability.params import ReliabilityParameters, parse_reliability_parameters

Make = Callable[..., ReliabilityParameters]


def make_one_line(*, rule: str = "when_full", count: int = 2, storms: bool = False) -> ReliabilityParameters:
    """One ferry line Aktau-Alat carrying wagons only, flat seasonality, optionally without storms."""
    text = resources.files("karavan.reliability").joinpath("parameters.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    des = data["des"]
    des["lines"] = [ln for ln in des["lines"] if ln["id"] == "aktau-alat"]
    des["fleet"] = [{"line": "aktau-alat", "class": "rail_ferry", "count": count}]
    des["loading"]["rule"] = rule
    des["loading"]["headway_h"] = 48
    wagon = des["demand"]["units"]["wagon"]
    wagon["lines"] = {"aktau-alat": 1.0}
    des["demand"]["units"] = {"wagon": wagon}
    des["demand"]["seasonality"] = [1.0] * 12
    if not storms:
        for port in data["weather"]["ports"]:
            port["closed_share"] = [0.0] * 12
    return parse_reliability_parameters(data)


@pytest.fixture
def one_line_params() -> Make:
    """Factory of one-line parameter sets."""
    return make_one_line


def test_littles_law_stable_queue(one_line_params: Make) -> None:
    rp = one_line_params(rule="timetable", count=2)
    res = simulate_caspian(demand_mt=1.0, years=1.0, seed=3, parameters=rp)
    window = res.years * 8760.0
    for port in ("aktau", "alat"):
        s = next(x for x in res.streams if x.origin == port)
        sailed = ~np.isnan(s.wait_h)
        assert sailed.mean() > 0.98  # stable: almost every unit has sailed by the end
        lam = s.arrive_h.size / window
        w = float(s.wait_h[sailed].mean())
        q = next(x for x in res.queues if x["port"] == port and x["unit"] == "wagon")
        assert q["mean"] == pytest.approx(lam * w, rel=0.05)


@settings(max_examples=4, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from([0.25, 0.5, 0.75, 1.0, 1.25]), min_size=2, max_size=3, unique=True))
def test_more_demand_never_shortens_waiting(levels: list[float]) -> None:
    """Under a timetable, waits are the residual to the next sailing plus queueing, which grows with load."""
    data = make_one_line(rule="timetable", count=1)
    means = []
    for d in sorted(levels):
        res = simulate_caspian(demand_mt=d, years=0.5, seed=11, parameters=data)
        means.append(np.nanmean(np.concatenate([s.wait_h for s in res.streams])))
    for lo, hi in itertools.pairwise(means):
        assert hi >= lo * 0.97


def test_determinism() -> None:
    a = simulate_caspian(demand_mt=4.5, years=0.25, seed=5)
    b = simulate_caspian(demand_mt=4.5, years=0.25, seed=5)
    c = simulate_caspian(demand_mt=4.5, years=0.25, seed=6)
    da, db = a.to_dict(), b.to_dict()
    da.pop("wall_s")
    db.pop("wall_s")
    assert da == db
    assert a.route_stats() != c.route_stats()


def test_outputs_of_a_year_at_reference_demand() -> None:
    res = simulate_caspian(demand_mt=4.5, years=1.0, seed=0)
    d = res.to_dict()
    assert 3.5 < d["throughput_mt_per_year"] < 5.0
    assert {q["port"] for q in d["queues"]} == {"kuryk", "aktau", "turkmenbashi", "alat"}
    assert all(0 < v["load_factor"] <= 1 for v in d["vessels"])
    assert all(r["wait_p50_h"] <= r["wait_p90_h"] for r in d["routes"] if r["wait_p50_h"] is not None)


def test_storms_lengthen_winter_waits(one_line_params: Make) -> None:
    calm = simulate_caspian(demand_mt=1.0, seed=2, parameters=one_line_params(storms=False))
    stormy = simulate_caspian(demand_mt=1.0, seed=2, parameters=one_line_params(storms=True))
    dec_calm = calm.wait_samples("aktau", "alat", "wagon", month=11)
    dec_storm = stormy.wait_samples("aktau", "alat", "wagon", month=11)
    assert dec_calm is not None
    assert dec_storm is not None
    assert dec_storm.mean() > dec_calm.mean()


def test_fleet_scaling_and_parsing() -> None:
    des = load_reliability_parameters().des
    base = sum(g.count for g in fleet_groups(des))
    assert sum(g.count for g in fleet_groups(des, 2 * base)) == 2 * base
    feeders = fleet_groups(des, {"feeder": 10})
    assert sum(g.count for g in feeders if g.vessel_class == "feeder") == 10
    assert parse_ships("20") == 20
    assert parse_ships("feeder=8, ropax=3") == {"feeder": 8, "ropax": 3}
    assert parse_ships(None) is None
    with pytest.raises(InputError) as exc:
        parse_ships("many")
    assert exc.value.field == "--ships"
    with pytest.raises(InputError) as exc:
        fleet_groups(des, {"hovercraft": 2})
    assert exc.value.field == "ships"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"demand_mt": 0}, "demand_mt"),
        ({"years": -1}, "years"),
        ({"rule": "sometimes"}, "rule"),
        ({"fill_threshold": 1.5}, "fill_threshold"),
        ({"seed": -3}, "seed"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as exc:
        simulate_caspian(**kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field


def test_des_output_joins_the_network_by_node_id() -> None:
    from karavan.io import load_network

    net = load_network()
    res = simulate_caspian(demand_mt=3.0, years=0.1, seed=0)
    routes = res.route_stats()
    assert routes
    for row in routes:
        assert row["from_node"] in net.nodes, row
        assert row["to_node"] in net.nodes, row
        assert net.nodes[row["from_node"]].kind.value == "seaport"
    for row in (*res.queues, *res.berths):
        assert row["node"] in net.nodes, row
    ports = {p.id: p.node for p in load_reliability_parameters().des.ports}
    assert ports["kuryk"] == "KZKUR"
