"""Routing benchmark: Pareto queries on the embedded dataset and on a synthetic 100k-vertex graph.

Prints figures measured in this run, with networkx Dijkstra on the same synthetic graph
as the baseline. ``--json`` prints one JSON object with the keys

``embedded_pareto_p50_ms``, ``embedded_pareto_p95_ms``, ``scaled_nodes``,
``scaled_single_p50_ms``, ``scaled_single_p95_ms``, ``scaled_pareto_p50_ms``,
``scaled_pareto_p95_ms``, ``networkx_single_p50_ms``, ``speedup_vs_networkx``, ``peak_rss_mb``.

Targets: embedded Pareto p50 < 20 ms; scaled single-criterion p50 < 50 ms and at least
3x faster than networkx; scaled 3-criterion p95 < 500 ms.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np

from karavan.accounting import Cargo
from karavan.io import load_network
from karavan.model import Headway, Service
from karavan.model.timetable import Run
from karavan.routing import RouteQuery, plan_routes
from karavan.routing.graph import RIDE, XFER, RoutingGraph
from karavan.routing.search import pareto_search

EMBEDDED_QUERIES = [
    ("Xi'an", "Istanbul", ("RU",)),
    ("Altynkol", "Baku", ()),
    ("Altynkol", "Poti", ()),
    ("Xi'an", "Baku", ()),
    ("Urumqi", "Tehran", ()),
    ("Aktau", "Turkmenbashi", ()),
    ("Dostyk", "Constanta", ()),
    ("Lianyungang", "Bandar Abbas", ()),
]


def _pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q))


def embedded(reps: int) -> dict[str, float]:
    """Time full ``plan_routes`` calls (search + accounting of every route) on the embedded dataset."""
    net = load_network()
    depart = datetime(2026, 12, 1, tzinfo=UTC)
    cargo = Cargo("FEU", count=2)
    for o, d, avoid in EMBEDDED_QUERIES:  # warm-up: graph build, JIT, caches
        plan_routes(net, RouteQuery(o, d, depart=depart, cargo=cargo, avoid_countries=avoid))
    times: list[float] = []
    for _ in range(reps):
        for o, d, avoid in EMBEDDED_QUERIES:
            t = time.perf_counter()
            plan_routes(net, RouteQuery(o, d, depart=depart, cargo=cargo, avoid_countries=avoid))
            times.append((time.perf_counter() - t) * 1000)
    return {"embedded_pareto_p50_ms": _pct(times, 50), "embedded_pareto_p95_ms": _pct(times, 95)}


def synthetic_graph(side: int, seed: int = 7) -> RoutingGraph:
    """A ``side × side`` grid: each row is a train run (RIDE edges east), each column of
    transfers (XFER edges north/south) waits for the next departure of the other row's run.

    Costs and emissions are correlated with time and distance, as on real networks.
    """
    rng = np.random.default_rng(seed)
    n = side * side
    services = [
        Service(
            id=f"s{h}",
            name=f"synthetic {h}",
            kind="block_train",  # type: ignore[arg-type]
            stops=("a", "b"),
            units=("FEU",),  # type: ignore[arg-type]
            gauge_mm=1520,
            departures=Headway(headway_h=float(h), first="00:00"),
            speed_kmh=50,
            toc="rail_container_diesel",
            estimate={"speed_kmh": "synthetic"},
        )
        for h in (6, 12, 24)
    ]
    seg_km = rng.uniform(20, 120, size=(side, side - 1))
    speed = rng.uniform(35, 60, size=side)
    runs: list[Run] = []
    for r in range(side):
        cum_km = np.concatenate([[0.0], np.cumsum(seg_km[r])])
        runs.append(
            Run(
                services[r % 3],
                False,
                tuple(str(r * side + k) for k in range(side)),
                (),
                tuple(cum_km.tolist()),
                tuple((cum_km / speed[r]).tolist()),
            )
        )
    v = np.arange(n)
    row, col = v // side, v % side
    tails: list[np.ndarray] = []
    heads: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    east = col < side - 1
    tails.append(v[east])
    heads.append(v[east] + 1)
    kinds.append(np.full(int(east.sum()), RIDE))
    for dr in (-1, 1):
        # north-south lines every 4th column (static running), timetabled transfers elsewhere
        line = (row + dr >= 0) & (row + dr < side) & (col % 4 == 0)
        tails.append(v[line])
        heads.append(v[line] + dr * side)
        kinds.append(np.full(int(line.sum()), RIDE))
        xfer = (row + dr >= 0) & (row + dr < side) & (col % 4 == 2) & (col < side - 1)
        tails.append(v[xfer])
        heads.append(v[xfer] + dr * side + 1)
        kinds.append(np.full(int(xfer.sum()), XFER))
    tail = np.concatenate(tails)
    head = np.concatenate(heads).astype(np.int32)
    kind = np.concatenate(kinds).astype(np.int8)
    order = np.argsort(tail, kind="stable")
    tail, head, kind = tail[order], head[order], kind[order]
    east_edge = head == tail + 1
    seg = seg_km.reshape(-1)[np.minimum(tail - row[tail], seg_km.size - 1)]
    dist = np.where(kind == RIDE, np.where(east_edge, seg, rng.uniform(20, 120, tail.size)), 0.0)
    dur = np.where(kind == RIDE, dist / speed[row[tail]], rng.uniform(2, 10, tail.size))
    cost = np.where(kind == RIDE, dist * rng.uniform(0.4, 1.2, tail.size), rng.uniform(50, 200, tail.size))
    co2 = np.where(kind == RIDE, dist * rng.uniform(0.2, 0.6, tail.size), rng.uniform(1, 20, tail.size))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, tail + 1, 1)
    indptr = np.cumsum(indptr)
    g = RoutingGraph(
        net=None,  # type: ignore[arg-type]
        unit=Cargo("FEU").unit,
        gross_t=20.0,
        runs=runs,
        v_run=row.astype(np.int32),
        v_stop=col.astype(np.int32),
        v_node=v.astype(np.int32),
        v_is_arr=np.ones(n, dtype=np.bool_),
        indptr=indptr,
        head=head,
        kind=kind,
        dur_h=dur,
        cost_usd=cost,
        co2e_kg=co2,
        dist_km=dist,
        ref=np.full(tail.size, -1, dtype=np.int32),
        board_run=np.where(kind == XFER, row[head], -1).astype(np.int32),
        opening=np.full(tail.size, -1, dtype=np.int32),
        node_ids=[str(i) for i in range(n)],
        op_ids=[],
        openings=[],
        ride_ops={},
        dep_at={int(i): [int(i)] for i in range(n)},
        arr_at={int(i): [int(i)] for i in range(n)},
        board_fare=np.zeros(side),
    )
    return g


def scaled(side: int, queries: int) -> dict[str, float]:
    """Single- and 3-criterion searches on the synthetic grid, and networkx Dijkstra on it."""
    import networkx as nx

    g = synthetic_graph(side)
    rng = np.random.default_rng(11)
    n = g.n_vertices
    pairs = []
    while len(pairs) < queries:
        o, d = (int(x) for x in rng.integers(0, n, 2))
        if side // 4 < abs(o // side - d // side) + abs(o % side - d % side) < side and d % side >= o % side + 8:
            pairs.append((o, d))
    t0 = 24.0 * 20_000
    pareto_search(g, *pairs[0], t0, criteria=1)  # JIT warm-up
    single: list[float] = []
    multi: list[float] = []
    for o, d in pairs:
        g.__dict__.pop("_lb_cache", None)  # bounds are part of each query's cost
        t = time.perf_counter()
        res = pareto_search(g, o, d, t0, criteria=1)
        single.append((time.perf_counter() - t) * 1000)
        assert res.labels, "synthetic query found no route"
        g.__dict__.pop("_lb_cache", None)
        t = time.perf_counter()
        pareto_search(g, o, d, t0, criteria=3, slack=0.0, max_labels_per_state=16)
        multi.append((time.perf_counter() - t) * 1000)

    graph = nx.DiGraph()
    tails = np.repeat(np.arange(n), np.diff(g.indptr))
    graph.add_weighted_edges_from(zip(tails.tolist(), g.head.tolist(), g.dur_h.tolist(), strict=True))
    nx_times: list[float] = []
    for o, d in pairs:
        t = time.perf_counter()
        nx.dijkstra_path_length(graph, o, d)
        nx_times.append((time.perf_counter() - t) * 1000)
    return {
        "scaled_nodes": float(n),
        "scaled_edges": float(g.n_edges),
        "scaled_single_p50_ms": _pct(single, 50),
        "scaled_single_p95_ms": _pct(single, 95),
        "scaled_pareto_p50_ms": _pct(multi, 50),
        "scaled_pareto_p95_ms": _pct(multi, 95),
        "networkx_single_p50_ms": _pct(nx_times, 50),
        "speedup_vs_networkx": statistics.median(nx_times) / statistics.median(single),
    }


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--side", type=int, default=317, help="synthetic grid side (side^2 vertices)")
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--reps", type=int, default=5, help="repetitions of the embedded query set")
    args = ap.parse_args(argv)
    out: dict[str, Any] = {}
    out.update(embedded(args.reps))
    out.update(scaled(args.side, args.queries))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    if args.json:
        json.dump(out, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for k, v in out.items():
            print(f"{k:28s} {v:12.2f}")


if __name__ == "__main__":
    main()
