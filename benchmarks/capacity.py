"""Capacity benchmark: the LP assignment on the embedded network and on a synthetic 10,000-node grid.

Measured in one run:

- ``embedded_2024_s``: :func:`karavan.capacity.assign` of the built-in 2024 demand on the embedded
  ``caspian`` dataset (flow network build + column generation with HiGHS), warm (routing graphs cached, as
  in a long-running service); ``embedded_2024_cold_s`` is the first call of the process; target < 5 s;
- ``synthetic_s``: a 200 × 200-zone demand (40,000 OD pairs) on a synthetic 100 × 100 grid of rail
  lines (10,000 nodes, 200 two-way block-train services, transfers at every node); target < 60 s;
- ``networkx_simplex_s``: the baseline, :func:`networkx.network_simplex` on the single-commodity
  case (one origin zone to its 200 destination zones, integer tonnes, segment capacities) of the same
  synthetic network, next to ``karavan_single_s``, karavan's LP on exactly that instance; both
  objectives are printed to show they agree.

``--json`` prints one JSON object with those keys (plus sizes and solver statistics).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from karavan.capacity import AssignOptions, assign
from karavan.capacity.assignment import _prepare
from karavan.capacity.demand import Demand, ODFlow
from karavan.io import load_network
from karavan.model import Network
from karavan.model.enums import Unit

SIDE = 100
ZONES = 200
SPACING_DEG = 0.05


def _gc_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def write_grid(root: Path, side: int = SIDE) -> None:
    """A side × side grid of rail nodes; a two-way block train along every row and column."""

    def nid(r: int, c: int) -> str:
        return f"N{r}_{c}"

    def pos(r: int, c: int) -> tuple[float, float]:
        return 40.0 + r * SPACING_DEG, 60.0 + c * SPACING_DEG

    (root / "dataset.yaml").write_text("name: grid\nversion: '1'\ndescription: synthetic grid\n", encoding="utf-8")
    (root / "sources.yaml").write_text(
        "- {id: b:S1, publisher: bench, title: synthetic, year: 2026}\n", encoding="utf-8"
    )
    (root / "unit_types.yaml").write_text("- {id: TEU, teu: 1, gross_t: 10, source: b:S1}\n", encoding="utf-8")
    nodes, links, services, ops = [], [], [], []
    for r in range(side):
        for c in range(side):
            lat, lon = pos(r, c)
            nodes.append(
                f"- {{id: {nid(r, c)}, name_en: N{r}-{c}, name_ru: У{r}-{c}, country: KZ, lat: {lat:.5f}, "
                f"lon: {lon:.5f}, kind: junction, source: b:S1}}"
            )
            ops.append(
                f"- {{id: X{r}_{c}, node: {nid(r, c)}, kind: transshipment, from_modes: [rail], to_modes: [rail], "
                "dwell_h: 2, cost_usd: {TEU: 10}, hoc: hub_transshipment, source: b:S1}"
            )
            for dr, dc in ((0, 1), (1, 0)):
                r2, c2 = r + dr, c + dc
                if r2 < side and c2 < side:
                    la2, lo2 = pos(r2, c2)
                    km = _gc_km(lat, lon, la2, lo2) * 1.1
                    links.append(
                        f"- {{id: L{r}_{c}_{r2}_{c2}, from: {nid(r, c)}, to: {nid(r2, c2)}, mode: rail, "
                        f"length_km: {km:.3f}, gauge_mm: 1520, source: b:S1}}"
                    )
    for k in range(side):
        for kind, stops in (("R", [nid(k, c) for c in range(side)]), ("C", [nid(r, k) for r in range(side)])):
            services.append(
                f"- {{id: {kind}{k}, name: line {kind}{k}, kind: block_train, stops: [{', '.join(stops)}], "
                "units: [TEU], gauge_mm: 1520, departures: {pattern: headway, headway_h: 24}, speed_kmh: 40, "
                "capacity_per_departure: {TEU: 100}, tariff: {TEU: {flat_usd: 50, per_km_usd: 0.5}}, "
                "toc: rail_container_diesel, source: b:S1}"
            )
    for name, rows in (
        ("nodes.yaml", nodes),
        ("links.yaml", links),
        ("services.yaml", services),
        ("hub_operations.yaml", ops),
    ):
        (root / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


def zone_demand(net: Network, seed: int = 0, zones: int = ZONES, mean_teu: float = 150.0) -> Demand:
    """``zones`` origin and ``zones`` destination nodes; an OD flow between every pair."""
    rng = random.Random(seed)
    ids = sorted(net.nodes)
    origins = rng.sample(ids, zones)
    dests = rng.sample([i for i in ids if i not in set(origins)], zones)
    flows = [
        ODFlow(o, d, Unit.TEU, 10.0, 10.0 * round(rng.expovariate(1.0 / mean_teu) + 1), 0.0, "containers", "b:S1")
        for o in origins
        for d in dests
    ]
    return Demand(tuple(flows), name="synthetic")


def networkx_single(net: Network, demand: Demand) -> tuple[float, float]:
    """``network_simplex`` on the single-commodity flow network of ``demand`` (one origin); (seconds, objective)."""
    import networkx as nx

    prep = _prepare(net, demand, AssignOptions())
    fn = prep.fn
    g = nx.DiGraph()
    cap_edge = np.full(fn.n_edges, -1.0)
    inc = fn.incidence.tocsr()
    for e in range(fn.n_edges):
        row = inc.indices[inc.indptr[e] : inc.indptr[e + 1]]
        if row.size:
            cap_edge[e] = fn.row_rhs[row[0]] / inc.data[inc.indptr[e]]
    scale = 1000.0  # integer costs: milli-USD per tonne
    for e in range(fn.n_edges):
        u, v = int(fn.tail[e]), int(fn.head[e])
        attrs: dict[str, Any] = {"weight": round(prep.gc[e] * scale)}
        if cap_edge[e] >= 0:
            attrs["capacity"] = math.floor(cap_edge[e])
        if g.has_edge(u, v) and g[u][v]["weight"] <= attrs["weight"]:
            continue
        g.add_edge(u, v, **attrs)
    o = int(prep.ods.o_vert[0])
    penalty = round(AssignOptions().unserved_penalty_usd_per_t * scale)
    total = 0
    for d, t in zip(prep.ods.d_vert, prep.ods.demand_t, strict=True):
        g.add_node(int(d), demand=int(t))
        # unserved arc at the penalty cost keeps the problem feasible, as in karavan's LP
        g.add_edge(o, int(d), weight=penalty)
        total += int(t)
    g.nodes[o]["demand"] = -total
    t0 = time.perf_counter()
    cost, _flow = nx.network_simplex(g)
    return time.perf_counter() - t0, cost / scale


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--side", type=int, default=SIDE, help="grid side (nodes = side²)")
    ap.add_argument("--zones", type=int, default=ZONES, help="origin zones = destination zones")
    args = ap.parse_args(argv)
    out: dict[str, Any] = {}

    net = load_network()
    t0 = time.perf_counter()
    assign(net)  # cold: imports, HiGHS start-up and the routing graphs of the demand's unit classes
    out["embedded_2024_cold_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = assign(net)
    out["embedded_2024_s"] = time.perf_counter() - t0
    out["embedded_objective_usd"] = res.objective_usd
    out["embedded_stats"] = res.solver

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_grid(root, args.side)
        t0 = time.perf_counter()
        grid = load_network(root)
        out["synthetic_load_s"] = time.perf_counter() - t0
        demand = zone_demand(grid, zones=args.zones)
        t0 = time.perf_counter()
        syn = assign(grid, demand)
        out["synthetic_s"] = time.perf_counter() - t0
        out["synthetic_nodes"] = len(grid.nodes)
        out["synthetic_ods"] = len(demand)
        out["synthetic_demand_t"] = demand.total_t
        out["synthetic_unserved_t"] = syn.unserved_t
        out["synthetic_stats"] = syn.solver

        first = demand.flows[0].origin
        single = Demand(tuple(f for f in demand.flows if f.origin == first), name="single")
        t0 = time.perf_counter()
        one = assign(grid, single)
        out["karavan_single_s"] = time.perf_counter() - t0
        out["karavan_single_objective_usd"] = one.objective_usd
        nx_s, nx_obj = networkx_single(grid, single)
        out["networkx_simplex_s"] = nx_s
        out["networkx_simplex_objective_usd"] = nx_obj
    if args.json:
        json.dump(out, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        for k, v in out.items():
            print(f"{k:32s} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
