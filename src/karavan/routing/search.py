"""Time-dependent multi-criteria label-setting search (Martins' algorithm with target pruning).

Labels are ``(arrival time, cost, CO2e)`` at a (vertex, via-progress) state. Waiting
for departures is FIFO, so popping labels in lexicographic order of time settles
them. Labels that, even with a static lower bound to the destination added, are
dominated by a destination label already found are pruned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from karavan.model.entities import Headway, OpeningHours, Weekly
from karavan.model.timetable import next_departure
from karavan.routing.graph import RoutingGraph
from karavan.routing.kernel import PAT_HEADWAY, PAT_WEEKLY, PAT_WHEN_FULL, label_search

HORIZON_H = 24.0 * 120
"""Longest trip searched (hours)."""


def next_open(opening: OpeningHours, t_h: float) -> float:
    """Earliest time at or after ``t_h`` within the opening hours."""
    day = math.floor(t_h / 24.0)
    for d in range(day, day + 8):
        weekday = (d + 3) % 7  # the epoch was a Thursday
        if not any(w.number == weekday for w in opening.days):
            continue
        start = d * 24.0 + opening.start_h
        end = d * 24.0 + opening.end_h
        if t_h < end:
            return max(t_h, start)
    return t_h  # pragma: no cover - unreachable with at least one open day


@dataclass(frozen=True, slots=True)
class Label:
    """A settled search label: criteria plus the path that produced it."""

    t_h: float
    cost_usd: float
    co2e_kg: float
    edges: tuple[tuple[int, int], ...]
    """``(kind, index)`` steps: ``(-1, vertex)`` board at origin, ``(0, edge)`` graph edge."""
    start_terminal: str | None
    end_terminal: str | None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Pareto labels at the destination, and whether the label cap cut the search."""

    labels: list[Label]
    truncated: bool


def _reversed(graph: RoutingGraph, which: str) -> csr_matrix:
    """Reversed graph weighted by one criterion (min over parallel edges), cached on the graph."""
    cache: dict[str, csr_matrix] = graph.__dict__.setdefault("_rev_cache", {})
    if which in cache:
        return cache[which]
    n = graph.n_vertices
    weights = {"t": graph.dur_h, "c": graph.cost_usd, "e": graph.co2e_kg}[which]
    tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.indptr))
    rows, cols = graph.head.astype(np.int64), tails
    data = weights + 1e-9  # csgraph treats explicit zeros as missing edges
    order = np.lexsort((data, cols, rows))
    rows, cols, data = rows[order], cols[order], data[order]
    keep = np.ones(rows.size, dtype=bool)
    keep[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    mat = csr_matrix((data[keep], (rows[keep], cols[keep])), shape=(n, n))
    cache[which] = mat
    return mat


def lower_bounds(graph: RoutingGraph, dest: int, criteria: int = 3) -> tuple[NDArray[np.float64], ...]:
    """Consistent lower bounds (time without waits, cost, CO2e) from every vertex to node ``dest``.

    Computed by multi-source Dijkstra on the reversed graph from the arrival vertices
    at ``dest``; terminal operations are left out, which keeps the bounds valid. With
    ``criteria=1`` only the time bound is computed.
    """
    cache: dict[tuple[int, int], tuple[NDArray[np.float64], ...]] = graph.__dict__.setdefault("_lb_cache", {})
    if (dest, criteria) in cache:
        return cache[(dest, criteria)]
    n = graph.n_vertices
    sources = np.asarray(graph.arr_at.get(dest, []), dtype=np.int64)
    out: list[NDArray[np.float64]] = []
    for which in ("t", "c", "e") if criteria > 1 else ("t",):
        if sources.size == 0:
            out.append(np.full(n, np.inf))
            continue
        dist = dijkstra(_reversed(graph, which), directed=True, indices=sources, min_only=True)
        out.append(np.asarray(dist, dtype=np.float64))
    while len(out) < 3:
        out.append(np.zeros(n))
    result = tuple(out)
    cache[(dest, criteria)] = result
    return result


@dataclass(frozen=True)
class KernelArrays:
    """Flat arrays of a routing graph's time functions, for the compiled kernel."""

    v_offset: NDArray[np.float64]
    pk: NDArray[np.int8]
    pmask: NDArray[np.int64]
    pa: NDArray[np.float64]
    pb: NDArray[np.float64]
    omask: NDArray[np.int64]
    ostart: NDArray[np.float64]
    oend: NDArray[np.float64]


def kernel_arrays(graph: RoutingGraph) -> KernelArrays:
    """Departure patterns per run, opening hours and per-vertex schedule offsets (cached on the graph)."""
    cached = graph.__dict__.get("_kernel_arrays")
    if isinstance(cached, KernelArrays):
        return cached
    n_runs = len(graph.runs)
    pk = np.zeros(max(n_runs, 1), dtype=np.int8)
    pmask = np.zeros(max(n_runs, 1), dtype=np.int64)
    pa = np.zeros(max(n_runs, 1))
    pb = np.zeros(max(n_runs, 1))
    for r, run in enumerate(graph.runs):
        pat = run.service.departures
        if isinstance(pat, Weekly):
            pk[r] = PAT_WEEKLY
            pmask[r] = sum(1 << d.number for d in set(pat.days))
            pa[r] = pat.time_h
        elif isinstance(pat, Headway) and not pat.phase_known:
            pk[r] = PAT_WHEN_FULL  # clock times not published: the mean wait, as in timetable.next_departure
            pa[r] = pat.headway_h / 2.0
        elif isinstance(pat, Headway):
            pk[r] = PAT_HEADWAY
            pa[r] = pat.headway_h
            pb[r] = pat.first_h
        else:
            pk[r] = PAT_WHEN_FULL
            pa[r] = pat.expected_wait_h.mean()
    cum = [np.asarray(run.cum_h) for run in graph.runs]
    v_offset = np.array([cum[r][k] for r, k in zip(graph.v_run, graph.v_stop, strict=True)], dtype=np.float64)
    n_open = max(len(graph.openings), 1)
    omask = np.zeros(n_open, dtype=np.int64)
    ostart = np.zeros(n_open)
    oend = np.full(n_open, 24.0)
    for i, op in enumerate(graph.openings):
        # kernel weekday numbering follows the epoch: (day + 3) % 7 == Monday-based weekday
        omask[i] = sum(1 << d.number for d in set(op.days))
        ostart[i] = op.start_h
        oend[i] = op.end_h
    arrays = KernelArrays(v_offset, pk, pmask, pa, pb, omask, ostart, oend)
    graph.__dict__["_kernel_arrays"] = arrays
    return arrays


def pareto_search(
    graph: RoutingGraph,
    origin: int,
    dest: int,
    depart_h: float,
    *,
    via: tuple[int, ...] = (),
    allowed: NDArray[np.bool_] | None = None,
    slack: float = 0.0,
    max_labels_per_state: int = 64,
    criteria: int = 3,
) -> SearchResult:
    """Pareto-optimal labels from node ``origin`` to node ``dest`` leaving at ``depart_h``.

    Parameters
    ----------
    graph
        The routing graph.
    origin, dest
        Node indices (into ``graph.node_ids``).
    depart_h
        Earliest departure, hours since the epoch.
    via
        Node indices to pass through, in order.
    allowed
        Boolean mask of usable vertices (avoided countries, nodes, modes removed).
    slack
        Relative slack: a label within ``(1 + slack)`` of a found route in every
        criterion is dropped as a near-duplicate.
    max_labels_per_state
        Cap on the Pareto labels kept per vertex (bounds the search on large graphs).
    criteria
        3 for (time, cost, CO2e); 1 for earliest arrival only.
    """
    n = graph.n_vertices
    if criteria > 1:
        lb_t, lb_c, lb_e = lower_bounds(graph, dest, criteria)
    else:
        # earliest arrival: plain time-dependent Dijkstra, stopped when the target settles
        lb_t = lb_c = lb_e = np.zeros(n)
    if allowed is None:
        allowed = np.ones(n, dtype=np.bool_)
    ka = kernel_arrays(graph)
    runs, openings = graph.runs, graph.openings

    init_v: list[int] = []
    init_t: list[float] = []
    init_c: list[float] = []
    init_e: list[float] = []
    starts: dict[int, str | None] = {}
    for v in graph.dep_at.get(origin, []):
        r = int(graph.v_run[v])
        run = runs[r]
        term = graph.start_terminal.get((origin, run.service.mode))
        t = depart_h
        c = float(graph.board_fare[r])
        e = 0.0
        if term is not None:
            if term.opening >= 0:
                t = next_open(openings[term.opening], t)
            t += term.dwell_h
            c += term.cost_usd
            e += term.co2e_kg
        init_v.append(v)
        init_t.append(next_departure(run.service.departures, t, float(ka.v_offset[v])))
        init_c.append(c)
        init_e.append(e)
        starts[v] = term.op_id if term is not None else None

    target_ok = np.zeros(n, dtype=np.bool_)
    tgt_t = np.zeros(n)
    tgt_c = np.zeros(n)
    tgt_e = np.zeros(n)
    tgt_open = np.full(n, -1, dtype=np.int32)
    ends: dict[int, str | None] = {}
    for v in graph.arr_at.get(dest, []):
        target_ok[v] = True
        term = graph.end_terminal.get((dest, runs[int(graph.v_run[v])].service.mode))
        if term is not None:
            tgt_t[v], tgt_c[v], tgt_e[v], tgt_open[v] = term.dwell_h, term.cost_usd, term.co2e_kg, term.opening
        ends[v] = term.op_id if term is not None else None

    targets, parent, edge, vert, n_capped = label_search(
        graph.indptr,
        graph.head,
        graph.kind,
        graph.dur_h,
        graph.cost_usd,
        graph.co2e_kg,
        graph.board_run,
        graph.opening,
        graph.v_node,
        ka.v_offset,
        ka.pk,
        ka.pmask,
        ka.pa,
        ka.pb,
        ka.omask,
        ka.ostart,
        ka.oend,
        allowed,
        lb_t,
        lb_c,
        lb_e,
        np.asarray(init_v, dtype=np.int64),
        np.asarray(init_t),
        np.asarray(init_c),
        np.asarray(init_e),
        target_ok,
        tgt_t,
        tgt_c,
        tgt_e,
        tgt_open,
        np.asarray(via, dtype=np.int64),
        1.0 + slack,
        criteria > 1,
        max_labels_per_state,
        depart_h + HORIZON_H,
    )
    out: list[Label] = []
    for row in sorted(map(tuple, targets)):
        tt, tc, te, lid_f = row
        lid = int(lid_f)
        path: list[tuple[int, int]] = []
        cur = lid
        while cur >= 0:
            path.append((-1, int(vert[cur])) if edge[cur] < 0 else (0, int(edge[cur])))
            cur = int(parent[cur])
        path.reverse()
        out.append(
            Label(float(tt), float(tc), float(te), tuple(path), starts.get(path[0][1]), ends.get(int(vert[lid])))
        )
    return SearchResult(out, bool(n_capped))


__all__ = ["Label", "SearchResult", "kernel_arrays", "lower_bounds", "next_open", "pareto_search"]
