"""The column generation's stopping gap on a small congested grid: honoured, certified, and stopping early."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from karavan.capacity import lp
from karavan.capacity.assignment import AssignOptions, _prepare
from karavan.capacity.demand import Demand, ODFlow
from karavan.capacity.lp import solve_lp
from karavan.io import load_network
from karavan.model import Network
from karavan.model.enums import Unit

from .test_lp import _arc_flow_objective

SIDE = 8
PENALTY = 1e5


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Network:
    """SIDE × SIDE rail nodes, a two-way daily 100-TEU block train along every row and column, transfers anywhere."""
    root: Path = tmp_path_factory.mktemp("grid")
    (root / "dataset.yaml").write_text("name: grid\nversion: '1'\ndescription: test grid\n", encoding="utf-8")
    (root / "sources.yaml").write_text("- {id: t:S1, publisher: test, title: grid, year: 2026}\n", encoding="utf-8")
    (root / "unit_types.yaml").write_text("- {id: TEU, teu: 1, gross_t: 10, source: t:S1}\n", encoding="utf-8")
    nodes, links, ops, services = [], [], [], []
    for r in range(SIDE):
        for c in range(SIDE):
            nodes.append(
                f"- {{id: N{r}_{c}, name_en: N{r}-{c}, name_ru: N{r}-{c}, country: KZ, lat: {40 + r * 0.05:.2f}, "
                f"lon: {60 + c * 0.05:.2f}, kind: junction, source: t:S1}}"
            )
            ops.append(
                f"- {{id: X{r}_{c}, node: N{r}_{c}, kind: transshipment, from_modes: [rail], to_modes: [rail], "
                "dwell_h: 2, cost_usd: {TEU: 10}, hoc: hub_transshipment, source: t:S1}"
            )
            for r2, c2 in ((r, c + 1), (r + 1, c)):
                if r2 < SIDE and c2 < SIDE:
                    links.append(
                        f"- {{id: L{r}_{c}_{r2}_{c2}, from: N{r}_{c}, to: N{r2}_{c2}, mode: rail, length_km: 7, "
                        "gauge_mm: 1520, source: t:S1}"
                    )
    for k in range(SIDE):
        for kind, stops in (("R", [f"N{k}_{c}" for c in range(SIDE)]), ("C", [f"N{r}_{k}" for r in range(SIDE)])):
            services.append(
                f"- {{id: {kind}{k}, name: line {kind}{k}, kind: block_train, stops: [{', '.join(stops)}], "
                "units: [TEU], gauge_mm: 1520, departures: {pattern: headway, headway_h: 24}, speed_kmh: 40, "
                "capacity_per_departure: {TEU: 100}, tariff: {TEU: {flat_usd: 50, per_km_usd: 0.5}}, "
                "toc: rail_container_diesel, source: t:S1}"
            )
    for name, rows in (("nodes", nodes), ("links", links), ("services", services), ("hub_operations", ops)):
        (root / f"{name}.yaml").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return load_network(root)


def congested(net: Network, zones: int = 6) -> Demand:
    """An OD between every pair of ``zones`` origins and ``zones`` destinations, far above the lines' capacity."""
    rng = random.Random(0)
    ids = sorted(net.nodes)
    origins = rng.sample(ids, zones)
    dests = rng.sample([i for i in ids if i not in origins], zones)
    flows = [
        ODFlow(o, d, Unit.TEU, 10.0, 10.0 * round(rng.expovariate(1 / 30_000) + 1), 0.0, "containers", "t:S1")
        for o in origins
        for d in dests
    ]
    return Demand(tuple(flows), name="congested")


def test_exact_column_generation_reaches_the_arc_flow_optimum(grid: Network) -> None:
    d = congested(grid)
    prep = _prepare(grid, d, AssignOptions())
    exact = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=PENALTY, gap=0.0)
    assert exact.unserved_t.sum() > 0  # capacity binds: the instance is congested
    assert exact.stats["relative_gap"] == pytest.approx(0.0, abs=1e-9)
    assert exact.objective_usd == pytest.approx(_arc_flow_objective(grid, d, PENALTY), rel=1e-7)


@pytest.mark.parametrize(("gap", "fewer"), [(1e-4, 1), (1e-6, 0)])
def test_a_looser_gap_stops_earlier_within_its_certificate(grid: Network, gap: float, fewer: int) -> None:
    prep = _prepare(grid, congested(grid), AssignOptions())
    exact = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=PENALTY, gap=0.0)
    loose = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=PENALTY, gap=gap)
    assert loose.stats["iterations"] <= exact.stats["iterations"] - fewer
    assert 0.0 <= loose.stats["relative_gap"] <= gap
    assert exact.objective_usd * (1 - 1e-12) <= loose.objective_usd
    assert loose.objective_usd - exact.objective_usd <= gap * loose.objective_usd


@pytest.mark.parametrize("group_ods", [1, 2, 5, 200])
def test_every_grouping_of_the_master_reaches_the_arc_flow_optimum(
    grid: Network, group_ods: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six origins share the lines with unserved demand; one convexity row per OD, per few ODs or per origin."""
    d = congested(grid)
    prep = _prepare(grid, d, AssignOptions())
    monkeypatch.setattr(lp, "GROUP_ODS", group_ods)
    sol = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=PENALTY, gap=0.0)
    assert sol.unserved_t.sum() > 0
    assert sol.objective_usd == pytest.approx(_arc_flow_objective(grid, d, PENALTY), rel=1e-7)
    np.testing.assert_allclose(sol.served_t + sol.unserved_t, prep.ods.demand_t, rtol=1e-9)
    load = prep.fn.incidence.row_load(sol.edge_flow)
    assert np.all(load <= prep.fn.row_rhs * (1 + 1e-7) + 1e-6)
    # the per-OD paths carry exactly the served tonnes and the edge flows
    for i, paths in enumerate(sol.od_paths):
        assert sum(t for t, _ in paths) == pytest.approx(sol.served_t[i], rel=1e-9, abs=1e-6)
    from_paths = np.zeros(prep.fn.n_edges)
    for paths in sol.od_paths:
        for t, edges in paths:
            np.add.at(from_paths, edges, t)
    np.testing.assert_allclose(from_paths, sol.edge_flow, rtol=1e-9, atol=1e-6)


def test_ods_whose_free_flow_paths_pay_no_price_are_not_searched_again(grid: Network) -> None:
    """Light ODs along the first column beside the congested ones: their free-flow paths cross no priced row, so
    their origins get no search after the first round, and the optimum is still the arc-flow one."""
    light = tuple(ODFlow(f"N{r}_0", f"N{r}_1", Unit.TEU, 10.0, 100.0, 0.0, "containers", "t:S1") for r in range(8))
    d = Demand(congested(grid).flows + light, name="mixed")
    prep = _prepare(grid, d, AssignOptions())
    sol = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=PENALTY, gap=0.0)
    origins = np.unique(prep.ods.o_vert).size
    assert sol.stats["iterations"] > 1
    assert sol.stats["searches"] < sol.stats["iterations"] * origins
    assert sol.objective_usd == pytest.approx(_arc_flow_objective(grid, d, PENALTY), rel=1e-7)
    light_od = np.arange(len(d.flows))[-len(light) :]
    assert np.all(sol.unserved_t[light_od] == 0)


def test_masters_solved_by_interior_point_reach_the_arc_flow_optimum(
    grid: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every master solved afresh goes to HiGHS's interior point with crossover: same optimum, duals from a basis."""
    d = congested(grid)
    prep = _prepare(grid, d, AssignOptions())
    monkeypatch.setattr(lp, "IPM_ROWS", 0)
    monkeypatch.setattr(lp, "COLD_SHARE", 0.0)
    sol = solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=PENALTY, gap=0.0)
    assert sol.unserved_t.sum() > 0
    assert sol.objective_usd == pytest.approx(_arc_flow_objective(grid, d, PENALTY), rel=1e-7)
    load = prep.fn.incidence.row_load(sol.edge_flow)
    assert np.all(load <= prep.fn.row_rhs * (1 + 1e-7) + 1e-6)
    assert np.all(sol.row_price >= 0)


def test_free_flow_loads_are_reported_and_scale_with_demand(grid: Network) -> None:
    """The solver reports the all-or-nothing loads' peak volume/capacity and overloaded rows, for the LP and for
    an all-or-nothing optimum alike; the free-flow paths do not depend on the demand, so the peak scales with it."""
    heavy = congested(grid)
    light = Demand(tuple(replace(f, volume_t=f.volume_t / 1000.0) for f in heavy.flows), name="light")
    stats = []
    for d in (heavy, light):
        prep = _prepare(grid, d, AssignOptions())
        stats.append(solve_lp(prep.fn, prep.ods, prep.gc, penalty_usd_per_t=PENALTY).stats)
    assert stats[0]["free_flow_overloaded_rows"] > 0
    assert stats[0]["free_flow_peak_load"] > 1.0
    assert stats[1]["lp_solves"] == 0  # all or nothing
    assert stats[1]["free_flow_overloaded_rows"] == 0
    assert stats[1]["free_flow_peak_load"] <= 1.0
    assert stats[0]["free_flow_peak_load"] == pytest.approx(1000.0 * stats[1]["free_flow_peak_load"], rel=1e-9)
