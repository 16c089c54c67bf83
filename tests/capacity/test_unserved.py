"""Honest assignment output: unserved demand with its reason, real totals, penalty-level prices, corridors."""

from __future__ import annotations

from dataclasses import replace

import pytest

from karavan.capacity.assignment import AssignOptions, assign
from karavan.capacity.demand import Demand, ODFlow, demand_from_text
from karavan.model import Network
from karavan.model.enums import Unit

from .conftest import DEMAND_HEADER, KZ_TRAIN_T
from .test_lp import one, without


def test_capacity_shortfall_is_a_row_with_its_reason(cap_net: Network) -> None:
    res = assign(without(cap_net, "kz-truck"), one("kz-border", "AZBAK", 3 * KZ_TRAIN_T))
    assert len(res.unserved) == 1
    un = res.unserved[0]
    assert un.reason == "capacity"
    assert un.unserved_t == pytest.approx(2 * KZ_TRAIN_T)
    assert "kz-train" in un.elements
    # the full train turns demand away: labelled, listed apart, not ranked as a bottleneck
    train = res.element("kz-train")
    assert train.turns_away
    assert train.shadow_kind == "unserved"
    assert [e.id for e in res.full] == ["kz-train"]
    assert all(not b.turns_away for b in res.bottlenecks)


def test_totals_are_real_costs_not_the_penalty(cap_net: Network) -> None:
    res = assign(without(cap_net, "kz-truck"), one("kz-border", "AZBAK", 3 * KZ_TRAIN_T))
    tot = res.totals()
    od = res.od[0]
    assert od.cost_usd_per_t is not None
    assert tot["cost_usd"] == pytest.approx(od.served_t * od.cost_usd_per_t)
    assert tot["cost_usd"] < res.objective_usd / 100  # the objective is dominated by the penalty
    data = res.to_dict()
    assert "objective_usd" not in data
    assert data["solver"]["objective_usd"] == res.objective_usd
    assert data["unserved"][0]["reason"] == "capacity"


def test_no_path_is_its_own_reason(cap_net: Network) -> None:
    res = assign(cap_net, one("AZBAK", "CNAAA", 100.0))
    if res.unserved:
        assert res.unserved[0].reason.startswith("no path")


def test_corridor_flow_is_constrained_or_unserved(cap_net: Network) -> None:
    free = assign(cap_net, one("kz-border", "AZBAK", 1000.0))
    assert free.unserved_t == 0
    through = one("kz-border", "AZBAK", 1000.0)
    ok = Demand((replace(through.flows[0], via=("KZAAU",)),))
    assert assign(cap_net, ok).unserved_t == pytest.approx(0.0)
    # a corridor the network cannot route through: unserved with the reason, never sent another way
    bad = Demand((replace(through.flows[0], via=("CNAAA",)),))
    res = assign(cap_net, bad)
    assert res.served_t == pytest.approx(0.0)
    assert res.unserved[0].reason == "no path through CNAAA"


def test_via_column_is_parsed_and_checked(cap_net: Network) -> None:
    text = DEMAND_HEADER.strip() + ",via\nGamma,Baku,TEU,100,t,containers,,test:S1,,Aktau|KZAAU\n"
    d = demand_from_text(text, cap_net)
    assert d.flows[0].via == ("KZAAU",)
    from karavan.errors import ValidationError

    with pytest.raises(ValidationError, match="via"):
        demand_from_text(text.replace("Aktau|KZAAU", "Atlantis"), cap_net)


def test_wait_override_changes_the_time(cap_net: Network) -> None:
    base = assign(cap_net, one("kz-border", "AZBAK", 10.0))
    slow = assign(cap_net, one("kz-border", "AZBAK", 10.0), options=AssignOptions(wait_h={"ferry": 500.0}))
    assert base.od[0].transit_time_h is not None
    assert slow.od[0].transit_time_h is not None
    assert slow.od[0].transit_time_h > base.od[0].transit_time_h + 400
    assert dict(slow.wait_h) == {"ferry": 500.0}


def test_flow_without_via_has_empty_corridor() -> None:
    f = ODFlow("a", "b", Unit.TEU, 10.0, 1.0, 0.0)
    assert f.via == ()
    assert f.to_dict()["via"] == []
