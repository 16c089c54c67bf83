"""Capacitated min-cost multi-commodity flow as a linear programme, solved with HiGHS.

Formulation (path form, exactly equivalent to the arc form)::

    min   Σ_p c_p x_p + M Σ_k y_k
    s.t.  Σ_{p ∈ P_k} x_p + y_k = D_k           for every OD k          (dual π_k)
          Σ_p a_rp x_p        ≤ C_r           for every capacity row r (dual -λ_r, λ_r ≥ 0)
          x, y ≥ 0

``x_p`` are tonnes per year on path ``p`` of the flow network, ``c_p`` its generalised cost per
tonne, ``y_k`` the unserved tonnes of OD ``k`` at penalty ``M``, ``a_rp`` the reference tonnes
of row ``r`` one tonne on ``p`` uses. Paths are generated (Dantzig–Wolfe column generation):
the reduced cost of a path is ``Σ_{e∈p}(c_e + Σ_r a_re λ_r) - π_k``, so one Dijkstra per
origin with edge weights ``c + A λ`` prices every OD at once. Capacity rows are added only
once violated (row generation). The loop stops when no path has negative reduced cost and
no row is violated: the LP optimum of the full arc formulation; or earlier, once the relative gap
between the master's objective and the Lagrangian lower bound below is at most a stated tolerance.
``λ_r`` is the shadow price of row ``r``: USD saved per year by one more reference tonne of yearly capacity.
A Lagrangian lower bound ``Σ_k D_k min(M, d_k) - Σ_r λ_r C_r`` certifies the gap.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from karavan.capacity.flownet import FlowNet
from karavan.capacity.paths import ShortestPaths, shortest_paths, useful_edges
from karavan.errors import KaravanError

COLD_SHARE = 0.05
"""Re-solve from scratch (with presolve) once the columns and rows added since the last solve exceed this share
of the master's rows; below it, warm-start from the last basis. On a congested 100 × 100-zone grid instance
the master after one pricing round (+9,600 paths on 19,600 rows) took 26,000 warm dual simplex iterations
against 15,000 (and a fifteenth of the time) from scratch with presolve."""


GAP = 1e-6
"""Default stopping gap of the column generation: the relative gap between the master's objective and the
Lagrangian lower bound at which the loop stops before reaching the exact LP optimum (0: run to the optimum)."""


class SolverError(KaravanError, RuntimeError):
    """The LP solver failed or returned a non-optimal status."""


@dataclass
class ODArrays:
    """The OD pairs of an assignment as arrays over the flow network."""

    o_vert: NDArray[np.int64]
    d_vert: NDArray[np.int64]
    demand_t: NDArray[np.float64]


@dataclass
class FlowSolution:
    """Edge flows, per-OD path statistics and duals of a solved assignment."""

    edge_flow: NDArray[np.float64]
    served_t: NDArray[np.float64]
    unserved_t: NDArray[np.float64]
    od_time_h: NDArray[np.float64]
    od_cost_usd_per_t: NDArray[np.float64]
    od_co2e_kg_per_t: NDArray[np.float64]
    row_price: NDArray[np.float64]
    """λ_r ≥ 0 per capacity row, USD per reference tonne per year."""
    objective_usd: float
    stats: dict[str, Any] = field(default_factory=dict)
    od_paths: list[list[tuple[float, NDArray[np.int64]]]] = field(default_factory=list)
    """Per OD: (tonnes, edge indices) of the paths used."""


_BANNER_LOCK = threading.Lock()
_BANNER_SHOWN = False


def _new_highs() -> Any:
    """A silent ``highspy.Highs``.

    HiGHS prints its banner to file descriptor 1 when the first instance of a process is built, which
    would corrupt JSON on stdout; that one construction runs with fd 1 pointed at ``/dev/null``, under a
    lock so concurrent first calls cannot leave stdout redirected.
    """
    import highspy

    global _BANNER_SHOWN
    with _BANNER_LOCK:
        if _BANNER_SHOWN:
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.close(devnull)
                h = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h


def _new_master(demand_t: NDArray[np.float64], penalty_usd_per_t: float) -> Any:
    """The master LP before any path: one equality row per OD and its unserved column at the penalty."""
    import highspy

    n_od = demand_t.size
    h = _new_highs()
    h.setOptionValue("presolve", "on")  # used by cold solves only: HiGHS skips it when warm-starting from a basis
    h.addRows(n_od, demand_t.copy(), demand_t.copy(), 0, np.zeros(n_od, np.int32), np.zeros(0, np.int32), np.zeros(0))
    h.addCols(
        n_od,
        np.full(n_od, penalty_usd_per_t),
        np.zeros(n_od),
        np.full(n_od, highspy.kHighsInf),
        n_od,
        np.arange(n_od, dtype=np.int32),
        np.arange(n_od, dtype=np.int32),
        np.ones(n_od),
    )
    return h


def solve_lp(
    fn: FlowNet,
    ods: ODArrays,
    gc: NDArray[np.float64],
    *,
    penalty_usd_per_t: float,
    max_iter: int = 200,
    keep_paths: bool = True,
    gap: float = GAP,
) -> FlowSolution:
    """Solve the capacitated assignment by column and row generation (see the module docstring).

    When every OD's free-flow shortest path fits every capacity row (all or nothing), that is the optimum:
    no LP is built. Later pricing rounds skip the ODs whose free-flow distance already rules out a path of
    negative reduced cost (:func:`_price`). The loop stops at the LP optimum, or as soon as a pricing round finds
    the relative gap between the master's objective and the Lagrangian lower bound at most ``gap``; the gap
    reached is ``stats["relative_gap"]`` (``None`` when the iteration limit came before any bound).
    """
    import highspy

    t_start = time.perf_counter()
    n_od = ods.demand_t.size
    n_rows = fn.n_rows
    n_edges = fn.n_edges
    inc_t = fn.incidence.T.tocsr()  # rows × edges
    rhs = fn.row_rhs
    h: Any = None
    active_pos = np.full(n_rows, -1, dtype=np.int64)  # HiGHS row index of each capacity row, or -1
    n_active = 0
    path_od: list[NDArray[np.int64]] = []
    path_cols: list[sp.csc_matrix] = []  # edges × paths, one block per iteration
    seen: set[tuple[int, bytes]] = set()
    n_paths = 0
    lam = np.zeros(n_rows)
    pi = np.zeros(n_od)
    free_dist: NDArray[np.float64] | None = None
    a_paths = sp.csc_matrix((n_edges, 0))
    iters = 0
    lp_runs = 0
    lower_bound = -np.inf
    objective = 0.0
    simplex_iters = 0
    tol = 1e-7
    changed = 0  # columns and rows added since the last solve
    pricing_s = master_s = 0.0
    keep = useful_edges(fn.tail, fn.head, fn.n_vertices, ods.d_vert)
    while True:
        iters += 1
        # ---------------------------------------------------------- pricing
        lam_priced, priced_all = lam, n_paths == 0  # the first pass offers every OD its shortest path
        t_phase = time.perf_counter()
        w = gc + (fn.incidence @ lam if n_rows else 0.0)
        accept = pi - tol * np.maximum(1.0, np.abs(pi)) if n_paths else np.full(n_od, np.inf)
        accept = np.minimum(accept, penalty_usd_per_t)
        sp_res = _price(w, keep, fn, ods, accept, free_dist)
        if free_dist is None:
            free_dist = sp_res.dist  # priced at λ = 0: a lower bound of every later distance
        pricing_s += time.perf_counter() - t_phase
        if n_paths:
            lower_bound = _lagrangian_bound(ods, sp_res.dist, penalty_usd_per_t, lam, rhs)
            if _gap(objective, lower_bound) <= gap:
                break
        new_cols = _columns(sp_res, n_edges, seen)
        if h is None:
            aon = _all_or_nothing(fn, ods, new_cols, inc_t, gc, penalty_usd_per_t)
            if aon is not None:
                aon_stats = {"iterations": iters, "lp_solves": 0, "simplex_iterations": 0, "pricing_s": pricing_s}
                return _solution(fn, *aon, stats=aon_stats, t_start=t_start, keep_paths=keep_paths)
            h = _new_master(ods.demand_t, penalty_usd_per_t)
        added = 0
        if new_cols is not None:
            p_new, od_new = new_cols
            added = p_new.shape[1]
            c_new = p_new.T @ gc
            path_od.append(od_new)
            path_cols.append(p_new)
            _add_columns(h, p_new, od_new, c_new, inc_t, active_pos, n_od)
            changed += added
            n_paths += added
            a_paths = sp.hstack(path_cols, format="csc")
        if added == 0 and lp_runs > 0:
            break
        # ---------------------------------------------------------- master LP with row generation
        while True:
            if changed > COLD_SHARE * h.getNumRow():
                h.clearSolver()  # a large change: solving afresh with presolve beats repairing the old basis
            changed = 0
            t_phase = time.perf_counter()
            h.run()
            master_s += time.perf_counter() - t_phase
            lp_runs += 1
            status = h.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                raise SolverError(f"HiGHS: {h.modelStatusToString(status)}")
            sol = h.getSolution()
            simplex_iters = int(h.getInfo().simplex_iteration_count)
            col = np.asarray(sol.col_value)
            x_paths = col[n_od:]
            if n_rows == 0 or n_paths == 0:
                break
            activity = inc_t @ (a_paths @ x_paths)
            viol = np.flatnonzero((activity > rhs * (1 + 1e-9) + 1e-6) & (active_pos < 0))
            if viol.size == 0:
                break
            _add_rows(h, viol, inc_t, a_paths, rhs, active_pos, n_od + n_active, n_od)
            changed += int(viol.size)
            active_pos[viol] = n_od + n_active + np.arange(viol.size)
            n_active += viol.size
        row_dual = np.asarray(sol.row_dual)
        pi = row_dual[:n_od]
        lam = np.zeros(n_rows)
        act = np.flatnonzero(active_pos >= 0)
        lam[act] = np.maximum(0.0, -row_dual[active_pos[act]])
        objective = float(h.getInfo().objective_function_value)
        if priced_all and np.array_equal(lam, lam_priced):
            # the master's prices are those the paths were priced with and each OD's shortest path is in the
            # master, so no path has a negative reduced cost (what another pricing pass would confirm)
            lower_bound = _lagrangian_bound(ods, sp_res.dist, penalty_usd_per_t, lam, rhs)
            break
        if iters >= max_iter:
            break
    col = np.asarray(h.getSolution().col_value)
    od_all = np.concatenate(path_od) if path_od else np.zeros(0, np.int64)
    gap_found = _gap(objective, lower_bound)
    stats: dict[str, Any] = {
        "solver": "HiGHS (highspy) simplex, column and row generation",
        "iterations": iters,
        "lp_solves": lp_runs,
        "simplex_iterations": simplex_iters,
        "active_capacity_rows": int(n_active),
        "relative_gap": gap_found if math.isfinite(gap_found) else None,
        "target_gap": gap,
        "pricing_s": pricing_s,
        "master_s": master_s,
    }
    x_paths = np.maximum(col[n_od:], 0.0)
    unserved = np.maximum(col[:n_od], 0.0)
    return _solution(
        fn, a_paths, od_all, x_paths, unserved, lam, objective, stats=stats, t_start=t_start, keep_paths=keep_paths
    )


def _lagrangian_bound(
    ods: ODArrays,
    dist: NDArray[np.float64],
    penalty_usd_per_t: float,
    lam: NDArray[np.float64],
    rhs: NDArray[np.float64],
) -> float:
    """``Σ_k D_k min(M, d_k(λ)) - Σ_r λ_r C_r`` at shortest-path distances ``d(λ)``: a lower bound of the optimum."""
    return float((ods.demand_t * np.minimum(dist, penalty_usd_per_t)).sum() - (lam * rhs).sum())


def _gap(objective: float, lower_bound: float) -> float:
    """Relative gap between the master's objective and a lower bound (infinite without a finite bound)."""
    if not np.isfinite(lower_bound):
        return math.inf
    return max(0.0, (objective - lower_bound) / max(1.0, abs(objective)))


def _all_or_nothing(
    fn: FlowNet,
    ods: ODArrays,
    cols: tuple[sp.csc_matrix, NDArray[np.int64]] | None,
    inc_t: sp.csr_matrix,
    gc: NDArray[np.float64],
    penalty_usd_per_t: float,
) -> (
    tuple[sp.csc_matrix, NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float] | None
):
    """The optimum when every OD's whole demand fits on its free-flow shortest path, else ``None``.

    Returns (paths, OD of each path, tonnes per path, unserved tonnes, row prices, objective): each OD on its
    shortest path (unserved where it has none below the penalty), every price zero. That is optimal because each
    OD takes its cheapest option at zero prices and no capacity row is exceeded.
    """
    n_od = ods.demand_t.size
    p, od = cols if cols is not None else (sp.csc_matrix((fn.n_edges, 0)), np.zeros(0, np.int64))
    x = ods.demand_t[od].astype(np.float64)
    if fn.n_rows:
        activity = inc_t @ (p @ x)
        if np.any(activity > fn.row_rhs * (1 + 1e-9) + 1e-6):
            return None
    unserved = ods.demand_t - np.bincount(od, weights=x, minlength=n_od)
    objective = float((p.T @ gc) @ x + penalty_usd_per_t * unserved.sum())
    return p, od, x, np.maximum(unserved, 0.0), np.zeros(fn.n_rows), objective


def _solution(
    fn: FlowNet,
    p_all: sp.csc_matrix,
    od_all: NDArray[np.int64],
    x_paths: NDArray[np.float64],
    unserved: NDArray[np.float64],
    lam: NDArray[np.float64],
    objective: float,
    *,
    stats: dict[str, Any],
    t_start: float,
    keep_paths: bool,
) -> FlowSolution:
    """Edge flows, per-OD averages and kept paths of a solved master (or of the all-or-nothing optimum)."""
    n_od = unserved.size
    n_paths = int(x_paths.size)
    edge_flow = p_all @ x_paths if n_paths else np.zeros(fn.n_edges)
    served = np.bincount(od_all, weights=x_paths, minlength=n_od).astype(np.float64) if n_paths else np.zeros(n_od)
    p_time = p_all.T @ fn.time_h if n_paths else np.zeros(0)
    p_cost = p_all.T @ fn.cost_usd if n_paths else np.zeros(0)
    p_co2 = p_all.T @ fn.co2e_kg if n_paths else np.zeros(0)

    def avg(v: NDArray[np.float64]) -> NDArray[np.float64]:
        tot = np.bincount(od_all, weights=x_paths * v, minlength=n_od) if n_paths else np.zeros(n_od)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(served > 0, tot / np.where(served > 0, served, 1.0), np.nan)

    od_paths: list[list[tuple[float, NDArray[np.int64]]]] = [[] for _ in range(n_od)]
    if keep_paths and n_paths and n_od <= 5000:
        p_csc = p_all.tocsc()
        for p in np.flatnonzero(x_paths > 1e-9):
            edges = p_csc.indices[p_csc.indptr[p] : p_csc.indptr[p + 1]]
            od_paths[int(od_all[p])].append((float(x_paths[p]), edges.astype(np.int64)))
    return FlowSolution(
        edge_flow=edge_flow,
        served_t=served,
        unserved_t=unserved,
        od_time_h=avg(p_time),
        od_cost_usd_per_t=avg(p_cost),
        od_co2e_kg_per_t=avg(p_co2),
        row_price=lam,
        objective_usd=objective,
        stats={
            "solver": "all or nothing: every free-flow shortest path fits the capacities (no LP)",
            "status": "optimal",
            "relative_gap": 0.0,
            "master_s": 0.0,
            "active_capacity_rows": 0,
            **stats,
            "paths": n_paths,
            "capacity_rows": int(fn.n_rows),
            "seconds": time.perf_counter() - t_start,
        },
        od_paths=od_paths,
    )


def _price(
    w: NDArray[np.float64],
    keep: NDArray[np.int64],
    fn: FlowNet,
    ods: ODArrays,
    accept: NDArray[np.float64],
    free_dist: NDArray[np.float64] | None,
) -> ShortestPaths:
    """Shortest paths under weights ``w`` for the ODs that can still price out (edge indices over ``fn``).

    Weights never fall below the generalised cost (``c + A λ`` with ``A, λ ≥ 0``), so an OD's free-flow distance
    ``free_dist`` bounds its distance at any prices from below: an OD whose free-flow distance is not below its
    acceptance level cannot have a path of negative reduced cost and is not priced; its distance is reported as
    that bound, which keeps the Lagrangian lower bound valid.
    """
    want = ods.demand_t > 0
    if free_dist is not None:
        want &= free_dist < accept
    idx = np.flatnonzero(want)
    res = shortest_paths(
        fn.tail[keep],
        fn.head[keep],
        w[keep],
        fn.n_vertices,
        ods.o_vert[idx],
        ods.d_vert[idx],
        want=np.ones(idx.size, dtype=np.bool_),
        accept=accept[idx],
    )
    dist = np.full(ods.demand_t.size, np.inf) if free_dist is None else free_dist.copy()
    dist[idx] = res.dist
    return ShortestPaths(dist, idx[res.path_od].astype(np.int64), keep[res.path_edge])


def _columns(res: Any, n_edges: int, seen: set[tuple[int, bytes]]) -> tuple[sp.csc_matrix, NDArray[np.int64]] | None:
    """New path columns (edges × paths, ones) from extracted shortest paths, skipping known paths.

    Each OD's edges arrive in path order (destination first), so a path's edge sequence identifies it.
    """
    if res.path_od.size == 0:
        return None
    order = np.argsort(res.path_od, kind="stable")
    od_s = res.path_od[order]
    edge_s = res.path_edge[order].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, od_s[1:] != od_s[:-1]])
    ends = np.r_[starts[1:], od_s.size]
    raw = edge_s.tobytes()
    size = edge_s.itemsize
    fresh = np.zeros(starts.size, dtype=np.bool_)
    for j, (od, a, b) in enumerate(zip(od_s[starts].tolist(), starts.tolist(), ends.tolist(), strict=True)):
        key = (od, raw[a * size : b * size])
        if key not in seen:
            seen.add(key)
            fresh[j] = True
    if not fresh.any():
        return None
    lens = (ends - starts)[fresh]
    indices = edge_s[np.repeat(fresh, ends - starts)]
    indptr = np.zeros(lens.size + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    pmat = sp.csc_matrix((np.ones(indices.size), indices, indptr), shape=(n_edges, lens.size))
    pmat.sort_indices()
    return pmat, od_s[starts][fresh].astype(np.int64)


def _add_columns(
    h: Any,
    p_new: sp.csc_matrix,
    od_new: NDArray[np.int64],
    c_new: NDArray[np.float64],
    inc_t: sp.csr_matrix,
    active_pos: NDArray[np.int64],
    n_od: int,
) -> None:
    """Add path columns (OD row entry and active capacity rows) in one ``addCols`` call."""
    import highspy

    k = p_new.shape[1]
    a_rows = (inc_t @ p_new).tocsc()  # capacity rows × new paths
    act_rows = active_pos >= 0
    if act_rows.any():
        a_act = a_rows[np.flatnonzero(act_rows)].tocsc()
        act_index = active_pos[np.flatnonzero(act_rows)]
    else:
        a_act = sp.csc_matrix((0, k))
        act_index = np.zeros(0, dtype=np.int64)
    # column j: OD row entry first, then active rows
    counts = np.diff(a_act.indptr) + 1
    starts = np.zeros(k, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    nnz = int(counts.sum())
    idx = np.empty(nnz, dtype=np.int32)
    val = np.empty(nnz)
    idx[starts] = od_new
    val[starts] = 1.0
    mask = np.ones(nnz, dtype=np.bool_)
    mask[starts] = False
    idx[mask] = act_index[a_act.indices]
    val[mask] = a_act.data
    h.addCols(
        k,
        np.asarray(c_new, dtype=np.float64),
        np.zeros(k),
        np.full(k, highspy.kHighsInf),
        nnz,
        starts.astype(np.int32),
        idx,
        val,
    )
    del n_od


def _add_rows(
    h: Any,
    rows: NDArray[np.int64],
    inc_t: sp.csr_matrix,
    a_paths: sp.csc_matrix,
    rhs: NDArray[np.float64],
    active_pos: NDArray[np.int64],
    first_index: int,
    n_od: int,
) -> None:
    """Add violated capacity rows with their entries for all existing path columns, in one call."""
    import highspy

    rmat = (inc_t[rows] @ a_paths).tocsr()  # new rows × paths
    k = rows.size
    h.addRows(
        k,
        np.full(k, -highspy.kHighsInf),
        rhs[rows].astype(np.float64),
        int(rmat.nnz),
        rmat.indptr[:-1].astype(np.int32),
        (rmat.indices + n_od).astype(np.int32),
        rmat.data.astype(np.float64),
    )
    del active_pos, first_index
