"""The LP assignment: known optima, conservation, capacities, unserved demand, shadow prices."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karavan.capacity import lp
from karavan.capacity.assignment import AssignOptions, _prepare, assign
from karavan.capacity.demand import Demand, ODFlow
from karavan.capacity.flownet import ALIGHT, BOARD
from karavan.capacity.lp import solve_lp
from karavan.capacity.scenario import apply_scenario, parse_scenario
from karavan.errors import InputError
from karavan.model import Network
from karavan.model.enums import Unit

from .conftest import KZ_TRAIN_T


def teu_flow(origin: str, dest: str, tonnes: float) -> ODFlow:
    return ODFlow(origin, dest, Unit.TEU, 10.0, tonnes, 0.0, "containers", "test:S1")


def one(origin: str, dest: str, tonnes: float) -> Demand:
    return Demand((teu_flow(origin, dest, tonnes),), name="t")


def without(net: Network, service: str) -> Network:
    return apply_scenario(net, parse_scenario({"name": f"no-{service}", "remove": {"services": [service]}}))


def test_uncongested_takes_cheapest_route(cap_net: Network) -> None:
    res = assign(cap_net, one("kz-border", "AZBAK", 1000.0))
    assert res.unserved_t == 0
    assert res.element("kz-train").volume_t == pytest.approx(1000.0)
    assert all(e.shadow_price_usd_per_t == 0 for e in res.elements)
    assert res.od[0].route[:1] == ("kz-train",)


def test_known_optimum_splits_at_capacity(cap_net: Network) -> None:
    demand = 1.5 * KZ_TRAIN_T
    rail = assign(cap_net, one("kz-border", "AZBAK", 10.0)).od[0].cost_usd_per_t
    road = assign(without(cap_net, "kz-train"), one("kz-border", "AZBAK", 10.0)).od[0].cost_usd_per_t
    assert rail is not None
    assert road is not None
    assert road > rail
    res = assign(cap_net, one("kz-border", "AZBAK", demand))
    train = res.element("kz-train")
    assert train.volume_t == pytest.approx(KZ_TRAIN_T, rel=1e-9)
    assert train.utilisation == pytest.approx(1.0)
    # value of time is 0 here, so the generalised cost is the money cost: the shadow price of the
    # train is what the next tonne saves by not taking the truck
    assert train.shadow_price_usd_per_t == pytest.approx(road - rail, rel=1e-6)
    assert res.objective_usd == pytest.approx(KZ_TRAIN_T * rail + (demand - KZ_TRAIN_T) * road, rel=1e-9)
    assert res.element("kz-truck").volume_t == pytest.approx(demand - KZ_TRAIN_T, rel=1e-9)
    assert res.bottlenecks[0].id == "kz-train"
    # one full element, the rest of the demand on the uncapacitated truck: a nondegenerate optimum, unique prices
    assert res.shadow_prices_unique is True
    assert res.to_dict()["shadow_prices_unique"] is True


def test_shadow_prices_of_a_degenerate_optimum_are_flagged(cap_net: Network) -> None:
    """Exactly the train's capacity: the train is full and the truck carries nothing, so any price of the train
    between zero and the truck's extra cost is optimal."""
    res = assign(cap_net, one("kz-border", "AZBAK", 0.5 * KZ_TRAIN_T))
    assert res.shadow_prices_unique is True
    exact = assign(cap_net, one("kz-border", "AZBAK", KZ_TRAIN_T))
    assert exact.element("kz-train").utilisation == pytest.approx(1.0)
    assert exact.shadow_prices_unique is False


def test_flow_conservation(cap_net: Network) -> None:
    d = Demand((teu_flow("CNAAA", "AZBAK", 120_000.0), teu_flow("kz-border", "AZBAK", 50_000.0)))
    prep = _prepare(cap_net, d, AssignOptions())
    sol = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=1e5)
    fn = prep.fn
    net_out = np.bincount(fn.tail, weights=sol.edge_flow, minlength=fn.n_vertices) - np.bincount(
        fn.head, weights=sol.edge_flow, minlength=fn.n_vertices
    )
    supply = np.zeros(fn.n_vertices)
    np.add.at(supply, prep.ods.o_vert, sol.served_t)
    np.add.at(supply, prep.ods.d_vert, -sol.served_t)
    np.testing.assert_allclose(net_out, supply, atol=1e-6)
    assert sol.served_t + sol.unserved_t == pytest.approx(prep.ods.demand_t)
    assert set(np.unique(fn.kind[fn.tail >= 0])) >= {BOARD, ALIGHT}


def test_capacities_never_exceeded(cap_net: Network) -> None:
    d = Demand((teu_flow("CNAAA", "AZBAK", 500_000.0), teu_flow("kz-border", "AZBAK", 300_000.0)))
    res = assign(cap_net, d)
    for el in res.elements:
        if el.utilisation is not None:
            assert el.utilisation <= 1.0 + 1e-9, el
    assert res.served_t + res.unserved_t == pytest.approx(800_000.0)


def test_unserved_demand_is_reported(mini_net: Network) -> None:
    res = assign(mini_net, one("CNAAA", "AZBAK", 3 * KZ_TRAIN_T))
    od = res.od[0]
    assert od.served_t == pytest.approx(KZ_TRAIN_T)
    assert od.unserved_t == pytest.approx(2 * KZ_TRAIN_T)
    assert any(n.startswith("unserved: CNAAA -> AZBAK") for n in res.notes)
    data = res.to_dict()
    assert data["od"][0]["unserved_t"] == pytest.approx(2 * KZ_TRAIN_T)
    assert {"elements", "bottlenecks", "od", "totals", "unserved", "full", "solver"} <= set(data)
    assert "objective_usd" in data["solver"]
    assert set(data["elements"][0]) >= {"id", "kind", "volume_t", "capacity_t", "utilisation", "shadow_price_usd_per_t"}


def test_unreachable_destination_is_unserved(mini_net: Network) -> None:
    res = assign(mini_net, one("AZBAK", "CNAAA", 100.0))  # no service carries TEU that way round the gauge break
    assert res.od[0].unserved_t + res.od[0].served_t == pytest.approx(100.0)


def test_carbon_price_and_value_of_time_raise_cost(cap_net: Network) -> None:
    d = one("kz-border", "AZBAK", 1000.0)
    base = assign(cap_net, d).objective_usd
    assert assign(cap_net, d, options=AssignOptions(carbon_price_usd_per_t=100.0)).objective_usd > base
    assert assign(cap_net, d, options=AssignOptions(value_of_time_usd_per_t_h=1.0)).objective_usd > base


def test_deterministic(cap_net: Network) -> None:
    d = Demand((teu_flow("CNAAA", "AZBAK", 200_000.0), teu_flow("kz-border", "AZBAK", 90_000.0)))
    assert assign(cap_net, d).to_dict()["elements"] == assign(cap_net, d).to_dict()["elements"]


def _with_capacity(net: Network, teu_per_departure: float) -> Network:
    return apply_scenario(
        net,
        parse_scenario(
            {
                "name": f"cap-{teu_per_departure}",
                "modify": {
                    "services": [
                        {
                            "id": "kz-train",
                            "set": {"capacity_per_departure": {"TEU": teu_per_departure}},
                            "source": "test:S1",
                        }
                    ]
                },
            }
        ),
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cap=st.floats(min_value=10, max_value=300),
    extra=st.floats(min_value=0, max_value=300),
    demand=st.floats(min_value=1_000, max_value=600_000),
    truck=st.booleans(),
)
def test_adding_capacity_never_raises_cost(
    cap_net: Network, mini_net: Network, cap: float, extra: float, demand: float, truck: bool
) -> None:
    net = cap_net if truck else mini_net
    d = Demand((teu_flow("CNAAA", "AZBAK", demand), teu_flow("kz-border", "AZBAK", demand / 3)))
    low = assign(_with_capacity(net, cap), d).objective_usd
    high = assign(_with_capacity(net, cap + extra), d).objective_usd
    assert high <= low * (1 + 1e-9) + 1e-6


def _arc_flow_objective(net: Network, demand: Demand, penalty: float) -> float:
    """The same assignment as one arc-flow LP (a flow per OD on every edge), solved directly."""
    import scipy.sparse as sp
    from scipy.optimize import linprog

    prep = _prepare(net, demand, AssignOptions(unserved_penalty_usd_per_t=penalty))
    fn, ods = prep.fn, prep.ods
    n_e, n_v, n_k = fn.n_edges, fn.n_vertices, ods.demand_t.size
    # out - in at every vertex, per OD block; y_k (unserved) enters at the origin and leaves at the destination
    node_edge = sp.csr_matrix(
        (np.r_[np.ones(n_e), -np.ones(n_e)], (np.r_[fn.tail, fn.head], np.r_[np.arange(n_e), np.arange(n_e)])),
        shape=(n_v, n_e),
    )
    blocks = sp.block_diag([node_edge] * n_k, format="csr")
    y_col = sp.csr_matrix(
        (
            np.r_[np.ones(n_k), -np.ones(n_k)],
            (
                np.r_[ods.o_vert + np.arange(n_k) * n_v, ods.d_vert + np.arange(n_k) * n_v],
                np.r_[np.arange(n_k), np.arange(n_k)],
            ),
        ),
        shape=(n_k * n_v, n_k),
    )
    b_eq = y_col @ ods.demand_t
    a_eq = sp.hstack([blocks, y_col])
    inc = fn.incidence
    inc_t = sp.csr_matrix((inc.data, inc.rows, inc.indptr), shape=(n_e, fn.n_rows)).T
    a_ub = sp.hstack([sp.hstack([inc_t] * n_k), sp.csr_matrix((fn.n_rows, n_k))])
    cost = np.r_[np.tile(prep.gc, n_k), np.full(n_k, penalty)]
    res = linprog(cost, A_ub=a_ub, b_ub=fn.row_rhs, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    assert res.status == 0, res.message
    return float(res.fun)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scale=st.lists(st.floats(min_value=0.05, max_value=2.0), min_size=4, max_size=4))
def test_column_generation_matches_the_arc_flow_lp(cap_net: Network, scale: list[float]) -> None:
    flows = (("CNAAA", "AZBAK"), ("kz-border", "AZBAK"), ("CNAAA", "KZAAU"), ("kz-border", "KZAAU"))
    d = Demand(tuple(teu_flow(o, t, s * KZ_TRAIN_T) for (o, t), s in zip(flows, scale, strict=True)), name="t")
    penalty = 100_000.0
    prep = _prepare(cap_net, d, AssignOptions(unserved_penalty_usd_per_t=penalty))
    want = _arc_flow_objective(cap_net, d, penalty)
    for share in (0.0, math.inf):  # every master solved afresh with presolve / every one warm-started
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(lp, "COLD_SHARE", share)
            sol = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=penalty)
        assert sol.objective_usd == pytest.approx(want, rel=1e-7)


def test_all_or_nothing_needs_no_lp_and_is_the_optimum(cap_net: Network) -> None:
    flows = (("CNAAA", "AZBAK"), ("kz-border", "AZBAK"), ("CNAAA", "KZAAU"))
    d = Demand(tuple(teu_flow(o, t, 0.1 * KZ_TRAIN_T) for o, t in flows), name="t")
    prep = _prepare(cap_net, d, AssignOptions())
    sol = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=1e5)
    assert sol.stats["lp_solves"] == 0
    assert sol.objective_usd == pytest.approx(_arc_flow_objective(cap_net, d, 1e5), rel=1e-9)
    assert not sol.row_price.any()
    heavy = Demand(tuple(teu_flow(o, t, 2 * KZ_TRAIN_T) for o, t in flows), name="t")
    prep = _prepare(cap_net, heavy, AssignOptions())
    assert solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=1e5).stats["lp_solves"] > 0


@pytest.mark.parametrize("gap", [0.9, 0.5, 0.3, 1e-2])
def test_stopping_gap_is_honoured_and_bounds_the_distance_to_the_optimum(cap_net: Network, gap: float) -> None:
    flows = (("CNAAA", "AZBAK"), ("kz-border", "AZBAK"), ("CNAAA", "KZAAU"), ("kz-border", "KZAAU"))
    d = Demand(tuple(teu_flow(o, t, s * KZ_TRAIN_T) for (o, t), s in zip(flows, (1.7, 0.9, 1.3, 0.6), strict=True)))
    prep = _prepare(cap_net, d, AssignOptions())
    want = _arc_flow_objective(cap_net, d, 1e5)
    sol = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=1e5, gap=gap)
    assert sol.stats["target_gap"] == gap
    assert sol.stats["lp_solves"] > 0
    assert 0.0 <= sol.stats["relative_gap"] <= gap
    # the gap certifies the objective: optimum ≤ objective ≤ optimum + gap × objective
    assert want * (1 - 1e-9) <= sol.objective_usd <= want + gap * sol.objective_usd + 1e-6
    served = sol.served_t + sol.unserved_t
    assert served == pytest.approx(prep.ods.demand_t, rel=1e-9)


def test_gap_is_unknown_when_the_iteration_limit_comes_before_a_bound(cap_net: Network) -> None:
    flows = (("CNAAA", "AZBAK"), ("kz-border", "AZBAK"), ("CNAAA", "KZAAU"))
    d = Demand(tuple(teu_flow(o, t, 2 * KZ_TRAIN_T) for o, t in flows), name="t")
    prep = _prepare(cap_net, d, AssignOptions())
    capped = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=1e5, max_iter=1)
    full = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=1e5, gap=0.0)
    assert full.stats["iterations"] > 1
    assert capped.stats["relative_gap"] is None
    assert full.stats["relative_gap"] == pytest.approx(0.0, abs=1e-9)
    assert full.objective_usd == pytest.approx(_arc_flow_objective(cap_net, d, 1e5), rel=1e-7)


def test_lp_gap_option_is_checked() -> None:
    with pytest.raises(InputError, match="lp_gap"):
        AssignOptions(lp_gap=1.5)
