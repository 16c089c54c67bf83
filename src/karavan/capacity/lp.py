"""Capacitated min-cost multi-commodity flow as a linear programme, solved with HiGHS.

Arc form: every OD ``k`` (origin vertex, destination vertex, ``D_k`` tonnes per year) sends ``s_k ≤ D_k`` tonnes
through the flow network at generalised cost ``c_e`` per tonne on edge ``e``, the rest ``D_k - s_k`` is unserved at
penalty ``M`` per tonne, and every capacity row ``r`` bounds ``Σ_e a_re x_e ≤ C_r`` (``x_e`` all tonnes on ``e``,
``a_re`` reference tonnes of row ``r`` per tonne on ``e``).

Master (Dantzig–Wolfe by groups of ODs). The ODs are grouped by origin vertex (the flow network's origin vertices
already tell demand classes and ``via`` layers apart), each origin's ODs cut by destination vertex into groups of
at most :data:`GROUP_ODS`. A group's ODs are independent given the row prices, so the extreme points of a group's
flows are *partial trees*: every OD of the group either on one path with its whole demand or wholly unserved. A
column ``j`` of group ``g`` is one such choice, weighted by ``μ_j`` tonnes of the group's demand ``D_g``::

    min   Σ_j (c_j / D_g) μ_j
    s.t.  Σ_{j ∈ g} μ_j = D_g                        for every group g     (dual σ_g / D_g)
          Σ_j (a_rj / D_g) μ_j ≤ C_r                for every capacity row r (dual -λ_r, λ_r ≥ 0)
          μ ≥ 0

with ``c_j = Σ_{k served} D_k c(p_k) + M Σ_{k unserved} D_k`` and ``a_rj = Σ_{k served} D_k a_r(p_k)``. Each group
starts with its "nothing served" column, so the master is always feasible. Convex combinations of a group's
columns are exactly its feasible flows, so the master's optimum over all columns is the arc form's; an OD is
served ``Σ_j μ_j / D_g · D_k`` over the columns serving it, and its paths carry those tonnes (per-OD results
are read back from the columns' weights). Groups of one OD are the per-OD path formulation (the demand row and
the unserved slack of each OD); groups of a whole origin are the origin-aggregated tree master.

Pricing: the reduced cost of group ``g``'s best column is ``Σ_{k ∈ g} D_k min(M, d_k(λ)) - σ_g`` with ``d_k(λ)``
the shortest distance under edge weights ``c + A λ``, so one Dijkstra per origin prices every group at once
(:mod:`karavan.capacity.paths`, compiled). Paths are pooled once each; a column keeps its ODs' path ids and its
coefficients on every capacity row, so rows added later get entries for old columns. Capacity rows are added
only once violated (row generation); HiGHS keeps its basis between rounds. The loop stops when no group has a
column of negative reduced cost and no row is violated (the LP optimum), or earlier, once the relative gap between
the master's objective and the Lagrangian lower bound ``Σ_k D_k min(M, d_k(λ)) - Σ_r λ_r C_r`` is at most a
stated tolerance. ``λ_r`` is the shadow price of row ``r``: USD saved per year by one more reference tonne of
yearly capacity.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from karavan.capacity.flownet import FlowNet, Incidence, sum_by
from karavan.capacity.paths import StaticGraph, useful_edges
from karavan.errors import KaravanError

_LOG = logging.getLogger(__name__)

COLD_SHARE = 0.05
"""Re-solve from scratch (with presolve) once the columns and rows added since the last solve exceed this share
of the master's rows; below it, warm-start from the last basis. On a congested 100 × 100-zone grid instance
the master after one pricing round (+9,600 paths on 19,600 rows) took 26,000 warm dual simplex iterations
against 15,000 (and a fifteenth of the time) from scratch with presolve."""


IPM_ROWS = 10_000
"""Masters with at least this many active capacity rows that are solved afresh go to HiGHS's interior point method
with crossover instead of the dual simplex, from the second pricing round on. The capacity rows, not all rows,
decide: presolve removes the convexity rows of the ODs whose columns touch no active row, so what the solver
works on grows with the active rows. On the congested 100 × 100-node grid with 100 × 100 zones at 1,500 TEU per
OD, the master of the second round after row generation (23,538 rows, 13,538 of them capacity rows, 29,561
columns): 14.3 s CPU against 39.0 s for the dual simplex from scratch with presolve and 71.7 s warm-started;
before row generation (19,618 rows): 9.7 s against 8.2 s; the whole second round's master 41.8 s against 90.1 s
wall. With 200 × 200 zones at 150 TEU per OD (41,739 rows, 1,739 of them capacity rows) the dual simplex from
scratch is the faster: second and third masters 3.2 and 4.7 s against 8.4 and 6.7 s for the interior point
(wall, load average 3–4 in both runs); warm-started, the dual simplex took 51 and 15 s and the primal simplex
31 and 14 s (18,846 and 20,167 iterations for the second master against 4,250 from scratch). The first master
(one free-flow path per OD) is easy for the simplex: 2.3 s (519 iterations) against 7.6 s. Smaller masters (the
embedded dataset's, or 2,500 ODs) stay with the simplex."""


GAP = 1e-6
"""Default stopping gap of the column generation: the relative gap between the master's objective and the
Lagrangian lower bound at which the loop stops before reaching the exact LP optimum (0: run to the optimum)."""


GROUP_ODS = 1
"""ODs per convexity row of the master (each origin's ODs, by destination vertex, in groups of at most this many).

Measured on the congested 100 × 100-node grid with 50 × 50 zones (2,500 ODs, gap 1e-6, 2 cores shared, load
average 3-5): one OD per group 6 pricing rounds, 12 s CPU; five ODs 12 rounds, 23 s; twenty 32 rounds, 67 s;
whole origins (50 ODs) over 30 rounds. Pricing (one Dijkstra per origin and round) dominates, and a group's
columns enter one per round, so the optimum's basis (one column per group plus about one per binding row) needs
at least ``binding rows / groups`` rounds: the coarser the groups, the more rounds."""


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


class _Pool:
    """Distinct paths, each stored once: its OD and its edges (destination first)."""

    def __init__(self) -> None:
        self.index: dict[tuple[int, bytes], int] = {}
        self.od: list[int] = []
        self.chunks: list[NDArray[np.int64]] = []
        self.lens: list[int] = []

    def add(self, ods: NDArray[np.int64], edges: NDArray[np.int64], starts: NDArray[np.int64]) -> NDArray[np.int64]:
        """Path ids of the paths ``edges[starts[i]:starts[i + 1]]`` of ``ods[i]``, new ones added."""
        raw = edges.tobytes()
        size = edges.itemsize
        out = np.empty(ods.size, dtype=np.int64)
        fresh: list[int] = []
        bounds = starts.tolist()
        for i, od in enumerate(ods.tolist()):
            a, b = bounds[i], bounds[i + 1]
            key = (od, raw[a * size : b * size])
            pid = self.index.get(key)
            if pid is None:
                pid = len(self.od)
                self.index[key] = pid
                self.od.append(od)
                self.lens.append(b - a)
                fresh.append(i)
            out[i] = pid
        if fresh:
            sel = np.asarray(fresh)
            lens = starts[sel + 1] - starts[sel]
            take = np.repeat(starts[sel] - np.r_[0, np.cumsum(lens)[:-1]], lens) + np.arange(int(lens.sum()))
            self.chunks.append(edges[take])
        return out

    def arrays(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """(edges of all paths concatenated, offsets per path, OD per path)."""
        edges = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int64)
        ptr = np.zeros(len(self.lens) + 1, dtype=np.int64)
        np.cumsum(self.lens, out=ptr[1:])
        return edges, ptr, np.asarray(self.od, dtype=np.int64)


_NO_ENTRIES = (np.zeros(0, np.int32), np.zeros(0), np.zeros(0, np.int32))


@dataclass
class _Columns:
    """The master's tree columns: per column its group, the ODs it serves with their path ids, its cost and its
    coefficients over every capacity row (active or not), so rows added later get entries for old columns."""

    group: list[int] = field(default_factory=list)
    od: list[NDArray[np.int64]] = field(default_factory=list)
    pid: list[NDArray[np.int64]] = field(default_factory=list)
    keys: set[tuple[int, bytes]] = field(default_factory=set)
    row_chunks: list[NDArray[np.int32]] = field(default_factory=list)
    val_chunks: list[NDArray[np.float64]] = field(default_factory=list)
    col_chunks: list[NDArray[np.int32]] = field(default_factory=list)
    _flat: tuple[NDArray[np.int32], NDArray[np.float64], NDArray[np.int32]] | None = None

    @property
    def size(self) -> int:
        return len(self.group)

    def entries(self) -> tuple[NDArray[np.int32], NDArray[np.float64], NDArray[np.int32]]:
        """(row, value, column) of every capacity-row coefficient of every column."""
        if self._flat is None:
            if self.row_chunks:
                self._flat = (
                    np.concatenate(self.row_chunks),
                    np.concatenate(self.val_chunks),
                    np.concatenate(self.col_chunks),
                )
            else:
                self._flat = (np.zeros(0, np.int32), np.zeros(0), np.zeros(0, np.int32))
        return self._flat

    def extend(
        self,
        groups: list[int],
        ods: list[NDArray[np.int64]],
        pids: list[NDArray[np.int64]],
        rows: NDArray[np.int32],
        vals: NDArray[np.float64],
        cols: NDArray[np.int32],
    ) -> None:
        """Add columns: per column its group, ODs served and their path ids; the capacity-row entries of all of
        them as (row, value, column position among the new columns), sorted by column."""
        first = self.size
        for g, pid in zip(groups, pids, strict=True):
            self.keys.add((g, pid.tobytes()))
        self.group.extend(groups)
        self.od.extend(ods)
        self.pid.extend(pids)
        if rows.size:
            self.row_chunks.append(rows)
            self.val_chunks.append(vals)
            self.col_chunks.append((cols + first).astype(np.int32))
            self._flat = None

    def on_rows(self, on: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """Per column: has it an entry on a capacity row flagged in ``on``?"""
        rows, _vals, cols = self.entries()
        return np.bincount(cols[on[rows]], minlength=self.size) > 0


@dataclass
class _Groups:
    """ODs grouped by origin vertex (the flow network's origin vertices already tell demand classes apart), each
    origin's ODs cut into runs of at most ``size`` by destination vertex: one convexity row per group."""

    of_od: NDArray[np.int64]
    n: int
    demand_t: NDArray[np.float64]

    @classmethod
    def of(cls, ods: ODArrays, size: int) -> _Groups:
        order = np.lexsort((ods.d_vert, ods.o_vert))
        o_s = ods.o_vert[order]
        first = np.r_[True, o_s[1:] != o_s[:-1]] if o_s.size else np.zeros(0, np.bool_)
        origin_start = np.maximum.accumulate(np.where(first, np.arange(o_s.size), 0))
        new_group = first | ((np.arange(o_s.size) - origin_start) % max(size, 1) == 0)
        inv = np.empty(o_s.size, dtype=np.int64)
        inv[order] = np.cumsum(new_group) - 1
        n = int(inv.max()) + 1 if inv.size else 0
        return cls(inv, n, sum_by(inv, weights=ods.demand_t, minlength=n))


@dataclass
class _Pricing:
    """One pricing pass: per OD the reduced cost of its cheapest option (path or unserved), the paths found."""

    value: NDArray[np.float64]
    """Per OD, ``D_k · min(M, d_k(λ))``."""
    dist: NDArray[np.float64]
    path_od: NDArray[np.int64]
    """The OD of each path found (a path cheaper than the penalty)."""
    path_edge: NDArray[np.int64]
    path_start: NDArray[np.int64]
    """Offsets of each found path in ``path_edge`` (one more than the paths)."""
    path_cost: NDArray[np.float64]
    """Generalised cost per tonne of each found path (at zero prices)."""


def _price(
    graph: StaticGraph,
    w: NDArray[np.float64],
    gc: NDArray[np.float64],
    ods: ODArrays,
    priced: NDArray[np.int64],
    free_dist: NDArray[np.float64] | None,
    penalty_usd_per_t: float,
) -> _Pricing:
    """Shortest paths under weights ``w`` for the ODs ``priced``; the others keep their free-flow distance.

    Weights never fall below the generalised cost (``c + A λ``, ``A, λ ≥ 0``), so an OD's free-flow distance bounds
    its distance at any prices from below: the value of an OD left out is that bound, which keeps the Lagrangian
    lower bound valid (see :func:`_to_price` for which ODs are left out).
    """
    n_od = ods.demand_t.size
    res = graph.paths(w, ods.o_vert[priced], ods.d_vert[priced], np.full(priced.size, penalty_usd_per_t))
    dist = np.full(n_od, np.inf) if free_dist is None else free_dist.copy()
    dist[priced] = res.dist
    path_od = priced[res.path_od]
    starts = np.flatnonzero(np.r_[True, path_od[1:] != path_od[:-1]]) if path_od.size else np.zeros(0, np.int64)
    path_start = np.r_[starts, path_od.size].astype(np.int64)
    owner = np.repeat(np.arange(starts.size), np.diff(path_start))
    firsts = path_od[starts]
    reduced = sum_by(owner, weights=w[res.path_edge], minlength=starts.size)
    cost = sum_by(owner, weights=gc[res.path_edge], minlength=starts.size)
    per_t = np.minimum(dist, penalty_usd_per_t)
    per_t[firsts] = np.minimum(reduced, penalty_usd_per_t)
    return _Pricing(ods.demand_t * per_t, dist, firsts, res.path_edge, path_start, cost)


def _row_entries(
    inc: Incidence, edges: NDArray[np.int64], weight: NDArray[np.float64], col: NDArray[np.int64]
) -> tuple[NDArray[np.int32], NDArray[np.float64], NDArray[np.int32]]:
    """Capacity-row coefficients ``Σ_e weight_e a_re`` per column of (edge, weight, column) triples, sorted by
    column then row: (row, value, column)."""
    counts = np.diff(inc.indptr)[edges]
    hit = counts > 0
    edges, weight, col, counts = edges[hit], weight[hit], col[hit], counts[hit]
    rep = np.repeat(np.arange(edges.size), counts)
    offset = np.arange(rep.size) - np.repeat(np.cumsum(counts) - counts, counts)
    pos = inc.indptr[edges][rep] + offset
    rows, vals, cols = inc.rows[pos], inc.data[pos] * weight[rep], col[rep]
    # one entry per (column, row): sorted keys, summed in their original order (as a dense pass would add them)
    key = cols.astype(np.int64) * max(inc.n_rows, 1) + rows.astype(np.int64)
    order = np.argsort(key, kind="stable")
    key_s = key[order]
    first = np.flatnonzero(np.r_[True, key_s[1:] != key_s[:-1]]) if key_s.size else np.zeros(0, np.int64)
    sums = np.add.reduceat(vals[order], first) if first.size else np.zeros(0)
    keep = sums != 0
    out = key_s[first][keep]
    n_rows = max(inc.n_rows, 1)
    return (out % n_rows).astype(np.int32), sums[keep], (out // n_rows).astype(np.int32)


class _Master:
    """The master LP over groups of ODs in HiGHS (see the module docstring) and its columns."""

    def __init__(self, groups: _Groups, penalty_usd_per_t: float) -> None:
        import highspy

        self.inf = highspy.kHighsInf
        self.groups = groups
        self.cols = _Columns()
        self.h = _new_highs()
        self.h.setOptionValue("presolve", "on")  # cold solves only: HiGHS skips it when warm-starting
        g = groups.n
        dem = groups.demand_t
        self.h.addRows(g, dem.copy(), dem.copy(), 0, np.zeros(g, np.int32), np.zeros(0, np.int32), np.zeros(0))
        empty = np.zeros(0, np.int64)
        # column k of group k serves nothing: every OD of the group unserved
        self.cols.extend(list(range(g)), [empty] * g, [empty] * g, *_NO_ENTRIES)
        idx = np.arange(g, dtype=np.int32)
        cost = np.full(g, penalty_usd_per_t)
        self.h.addCols(g, cost, np.zeros(g), np.full(g, self.inf), g, idx, idx, np.ones(g))
        self.active_pos: NDArray[np.int64] | None = None
        self.changed = 0

    def add_columns(
        self,
        inc: Incidence,
        pr: _Pricing,
        pool: _Pool,
        new_groups: NDArray[np.int64],
        ods: ODArrays,
        penalty_usd_per_t: float,
    ) -> int:
        """Add the pricing pass's tree column of each group in ``new_groups`` (unless already in); how many."""
        if self.active_pos is None:
            self.active_pos = np.full(inc.n_rows, -1, dtype=np.int64)
        g_of = self.groups.of_od
        take = np.isin(g_of[pr.path_od], new_groups)
        sel = np.flatnonzero(take)
        if sel.size == 0:
            return 0
        lens = np.diff(pr.path_start)[sel]
        starts = np.r_[0, np.cumsum(lens)].astype(np.int64)
        edge_pos = np.repeat(pr.path_start[sel] - starts[:-1], lens) + np.arange(int(lens.sum()))
        edges = pr.path_edge[edge_pos]
        ods_sel = pr.path_od[sel]
        pids = pool.add(ods_sel, edges, starts)
        grp = g_of[ods_sel]
        order = np.argsort(grp, kind="stable")
        grp_s = grp[order]
        firsts = np.flatnonzero(np.r_[True, grp_s[1:] != grp_s[:-1]])
        ends = np.r_[firsts[1:], grp_s.size]
        local = np.full(self.groups.n, -1, dtype=np.int64)
        fresh_groups: list[int] = []
        spans: list[NDArray[np.int64]] = []
        for a, b in zip(firsts.tolist(), ends.tolist(), strict=True):
            g = int(grp_s[a])
            if (g, pids[order[a:b]].tobytes()) in self.cols.keys:
                continue
            local[g] = len(fresh_groups)
            fresh_groups.append(g)
            spans.append(order[a:b])
        if not fresh_groups:
            return 0
        path_col = local[grp]
        edge_col = np.repeat(path_col, lens)
        keep = edge_col >= 0
        dem = ods.demand_t[ods_sel]
        rows, vals, cols = _row_entries(inc, edges[keep], np.repeat(dem, lens)[keep], edge_col[keep])
        cost_rows = pr.path_cost[sel] * dem
        served_dem = sum_by(path_col[path_col >= 0], weights=dem[path_col >= 0], minlength=len(fresh_groups))
        served_cost = sum_by(path_col[path_col >= 0], weights=cost_rows[path_col >= 0], minlength=len(fresh_groups))
        fg = np.asarray(fresh_groups, dtype=np.int64)
        scale = 1.0 / self.groups.demand_t[fg]  # a column's weight is tonnes of its group's demand
        costs = (served_cost + penalty_usd_per_t * (self.groups.demand_t[fg] - served_dem)) * scale
        vals = vals * scale[cols]
        self.cols.extend(
            fresh_groups, [ods_sel[mine] for mine in spans], [pids[mine] for mine in spans], rows, vals, cols
        )
        self._add_to_highs(fg, costs, rows, vals, cols)
        self.changed += len(fresh_groups)
        return len(fresh_groups)

    def _add_to_highs(
        self,
        fg: NDArray[np.int64],
        costs: NDArray[np.float64],
        rows: NDArray[np.int32],
        vals: NDArray[np.float64],
        cols: NDArray[np.int32],
    ) -> None:
        """One ``addCols`` call: each column's convexity row first, then its active capacity rows."""
        assert self.active_pos is not None
        k = fg.size
        pos = self.active_pos[rows]
        act = pos >= 0
        counts = np.bincount(cols[act], minlength=k) + 1
        starts = np.zeros(k, dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        nnz = int(counts.sum())
        idx = np.empty(nnz, dtype=np.int32)
        val = np.empty(nnz)
        idx[starts] = fg
        val[starts] = 1.0
        mask = np.ones(nnz, dtype=np.bool_)
        mask[starts] = False
        idx[mask] = pos[act]
        val[mask] = vals[act]
        self.h.addCols(k, costs, np.zeros(k), np.full(k, self.inf), nnz, starts.astype(np.int32), idx, val)

    def add_rows(self, viol: NDArray[np.int64], rhs: NDArray[np.float64]) -> None:
        """Add capacity rows with their entries for every column, in one call."""
        assert self.active_pos is not None
        rows, vals, cols = self.cols.entries()
        is_new = np.zeros(self.active_pos.size, dtype=np.bool_)
        is_new[viol] = True
        sel = np.flatnonzero(is_new[rows])
        local = np.full(self.active_pos.size, -1, dtype=np.int64)
        local[viol] = np.arange(viol.size)
        r_loc = local[rows[sel]]
        order = np.lexsort((cols[sel], r_loc))
        starts = np.searchsorted(r_loc[order], np.arange(viol.size))
        k = viol.size
        self.h.addRows(
            k,
            np.full(k, -self.inf),
            rhs[viol].astype(np.float64),
            int(sel.size),
            starts.astype(np.int32),
            cols[sel][order].astype(np.int32),
            vals[sel][order],
        )
        self.active_pos[viol] = self.groups.n + int((self.active_pos >= 0).sum()) + np.arange(k)
        self.changed += k

    def degenerate(self, mu: NDArray[np.float64], rhs: NDArray[np.float64]) -> bool:
        """Is the solved master's basis degenerate where capacity rows are concerned?

        A full capacity row whose slack is basic (at zero), or a basic column at zero weight with an entry on an
        active capacity row, means that another basis of the same optimum exists with other row prices: the
        shadow prices are then not unique (e.g. two full elements in series can split one price between them).
        A nondegenerate optimal basis has unique duals.
        """
        import highspy

        if self.active_pos is None or not (self.active_pos >= 0).any():
            return False
        basic = highspy.HighsBasisStatus.kBasic
        basis = self.h.getBasis()
        on = np.flatnonzero(self.active_pos >= 0)
        act = self.activity(mu, rhs.size)[on]
        full = act >= rhs[on] * (1 - 1e-9) - 1e-6
        row_basic = np.array([st == basic for st in basis.row_status], dtype=bool)[self.active_pos[on]]
        if np.any(full & row_basic):
            return True
        col_basic = np.array([st == basic for st in basis.col_status], dtype=bool)
        scale = self.groups.demand_t[np.asarray(self.cols.group)]
        zero = col_basic & (mu <= 1e-9 * np.maximum(scale, 1.0))
        return bool(np.any(zero & self.cols.on_rows(self.active_pos >= 0)))

    def activity(self, mu: NDArray[np.float64], n_rows: int) -> NDArray[np.float64]:
        """Reference tonnes per capacity row of the master's solution (columns with positive weight only)."""
        rows, vals, cols = self.cols.entries()
        return sum_by(rows, weights=vals * np.maximum(mu, 0.0)[cols], minlength=n_rows)


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
    no LP is built. The loop stops at the LP optimum, or as soon as a pricing round finds the relative gap between
    the master's objective and the Lagrangian lower bound at most ``gap``; the gap reached is
    ``stats["relative_gap"]`` (``None`` when the iteration limit came before any bound).
    """
    import highspy

    t_start = time.perf_counter()
    n_rows = fn.n_rows
    inc = fn.incidence
    rhs = fn.row_rhs
    graph = StaticGraph(fn.tail, fn.head, fn.n_vertices, useful_edges(fn.tail, fn.head, fn.n_vertices, ods.d_vert))
    groups = _Groups.of(ods, GROUP_ODS)
    pool = _Pool()
    master: _Master | None = None
    lam = np.zeros(n_rows)
    sigma = np.zeros(groups.n)
    free_dist: NDArray[np.float64] | None = None
    priced = np.flatnonzero(ods.demand_t > 0)
    iters = lp_runs = simplex_iters = searches = 0
    lower_bound = -np.inf
    objective = 0.0
    tol = 1e-9
    pricing_s = master_s = 0.0
    mu = np.zeros(0)
    trail: list[dict[str, Any]] = []
    while True:
        iters += 1
        t_phase = time.perf_counter()
        w = gc + (inc.edge_weight(lam) if n_rows else 0.0)
        pr = _price(graph, w, gc, ods, priced, free_dist, penalty_usd_per_t)
        searched = int(np.unique(ods.o_vert[priced]).size)
        searches += searched
        if free_dist is None:
            free_dist = pr.dist  # priced at λ = 0: a lower bound of every later distance
            servable = priced[free_dist[priced] < penalty_usd_per_t]
            free_value = sum_by(groups.of_od, weights=ods.demand_t * np.minimum(free_dist, penalty_usd_per_t))
        pricing_s += time.perf_counter() - t_phase
        trail.append({"searches": searched, "pricing_s": round(time.perf_counter() - t_phase, 3)})
        value_g = sum_by(groups.of_od, weights=pr.value, minlength=groups.n)
        if master is not None:
            lower_bound = float(value_g.sum() - (lam * rhs).sum())
            trail[-1]["relative_gap"] = _gap(objective, lower_bound)
            if _gap(objective, lower_bound) <= gap:
                break
        else:
            free_load = _free_flow_load(fn, ods, pr)
            # volume/capacity per row (a loaded row of no capacity: infinite)
            vc = np.divide(free_load, rhs, out=np.where(free_load > 0, np.inf, 0.0), where=rhs > 0)
            free_stats = {
                "free_flow_peak_load": float(vc.max()) if vc.size else 0.0,
                "free_flow_overloaded_rows": int(np.count_nonzero(_over(free_load, rhs))),
            }
            aon = _all_or_nothing(fn, ods, pr, pool, gc, penalty_usd_per_t, free_load)
            if aon is not None:
                aon_stats = {"iterations": iters, "lp_solves": 0, "simplex_iterations": 0, "pricing_s": pricing_s}
                aon_stats.update(free_stats)
                sol_aon = _solution(fn, pool, *aon, stats=aon_stats, t_start=t_start, keep_paths=keep_paths)
                load = inc.row_load(sol_aon.edge_flow) if n_rows else np.zeros(0)
                # a full row at price zero could also take a small positive price: not unique then
                sol_aon.stats["shadow_prices_unique"] = not bool(np.any((load > 0) & (load >= rhs * (1 - 1e-9) - 1e-6)))
                return sol_aon
            master = _Master(groups, penalty_usd_per_t)
        new_groups = np.flatnonzero(value_g - sigma < -tol * np.maximum(1.0, np.abs(sigma)))
        if lp_runs == 0:
            new_groups = np.arange(groups.n)
        added = master.add_columns(inc, pr, pool, new_groups, ods, penalty_usd_per_t) if new_groups.size else 0
        trail[-1]["columns_added"] = added
        if added == 0 and lp_runs > 0:
            break
        if lp_runs == 0 and n_rows:
            # the first master without capacity rows would put every OD on its free-flow path: the rows those
            # loads overload are the ones its row generation would add, so they go in before the first solve
            master.add_rows(np.flatnonzero(_over(free_load, rhs)), rhs)
        master_before, simplex_before, runs_before = master_s, simplex_iters, lp_runs
        # ---------------------------------------------------------- master LP with row generation
        while True:
            cold = master.changed > COLD_SHARE * master.h.getNumRow()
            if cold:
                master.h.clearSolver()  # a large change: solving afresh with presolve beats repairing the old basis
            master.changed = 0
            t_phase = time.perf_counter()
            cap_rows = master.h.getNumRow() - groups.n  # active capacity rows
            _run(master.h, cold, cap_rows, first=iters == 1)
            status = master.h.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:  # a warm start can stall: solve afresh once
                master.h.clearSolver()
                _run(master.h, True, cap_rows, first=iters == 1)
                status = master.h.getModelStatus()
            master_s += time.perf_counter() - t_phase
            lp_runs += 1
            if status != highspy.HighsModelStatus.kOptimal:
                raise SolverError(f"HiGHS: {master.h.modelStatusToString(status)}")
            sol = master.h.getSolution()
            simplex_iters += int(master.h.getInfo().simplex_iteration_count)
            mu = np.asarray(sol.col_value)
            if n_rows == 0:
                break
            assert master.active_pos is not None
            act = master.activity(mu, n_rows)
            viol = np.flatnonzero((act > rhs * (1 + 1e-9) + 1e-6) & (master.active_pos < 0))
            if viol.size == 0:
                break
            master.add_rows(viol, rhs)
        trail[-1]["master_s"] = round(master_s - master_before, 3)
        trail[-1]["simplex_iterations"] = simplex_iters - simplex_before
        trail[-1]["lp_solves"] = lp_runs - runs_before
        trail[-1]["active_rows"] = int((master.active_pos >= 0).sum()) if master.active_pos is not None else 0
        _LOG.debug("pricing round %d: %s", iters, trail[-1])
        row_dual = np.asarray(sol.row_dual)
        sigma = row_dual[: groups.n] * groups.demand_t
        lam = np.zeros(n_rows)
        if n_rows:
            assert master.active_pos is not None
            on = np.flatnonzero(master.active_pos >= 0)
            lam[on] = np.maximum(0.0, -row_dual[master.active_pos[on]])
        objective = float(master.h.getInfo().objective_function_value)
        if iters >= max_iter:
            break
        priced = _to_price(servable, groups, free_value, sigma, tol)
    assert master is not None
    gap_found = _gap(objective, lower_bound)
    stats: dict[str, Any] = {
        "solver": "HiGHS (highspy) simplex, column and row generation",
        "group_ods": GROUP_ODS,
        "iterations": iters,
        "lp_solves": lp_runs,
        "simplex_iterations": simplex_iters,
        "active_capacity_rows": int((master.active_pos >= 0).sum()) if master.active_pos is not None else 0,
        "relative_gap": gap_found if math.isfinite(gap_found) else None,
        "target_gap": gap,
        "pricing_s": pricing_s,
        "searches": searches,
        "master_s": master_s,
        "columns": master.cols.size,
        "rounds": trail,
        **free_stats,
    }
    stats["shadow_prices_unique"] = not master.degenerate(mu, rhs)
    x_paths, served = _path_flows(master, mu, pool, ods)
    unserved = np.maximum(ods.demand_t - served, 0.0)
    return _solution(fn, pool, x_paths, unserved, lam, objective, stats=stats, t_start=t_start, keep_paths=keep_paths)


def _run(h: Any, cold: bool, capacity_rows: int, first: bool = False) -> None:
    """Solve the master: one solved afresh with at least :data:`IPM_ROWS` active ``capacity_rows`` by interior
    point with crossover (a basis, so vertex duals and later warm starts), anything else, and the ``first`` master
    (one free-flow path per OD), by simplex (from the kept basis unless ``cold``)."""
    ipm = cold and not first and capacity_rows >= IPM_ROWS
    h.setOptionValue("solver", "ipm" if ipm else "simplex")
    h.run()


def _to_price(
    servable: NDArray[np.int64],
    groups: _Groups,
    free_value: NDArray[np.float64],
    sigma: NDArray[np.float64],
    tol: float,
) -> NDArray[np.int64]:
    """The ODs of the groups that may still have a column of negative reduced cost.

    Edge weights at prices ``λ ≥ 0`` are ``c + Aλ ≥ c``, so a group's best column at any prices costs at least its
    free-flow value ``Σ_k D_k min(M, d_k(0))``: a group whose free-flow value is not below its dual ``σ_g`` cannot
    price out, and keeps its free-flow value in the Lagrangian bound (a lower bound of its value). This covers every
    group whose free-flow paths touch no row with a positive price: its free-flow column is in the master from the
    first round with reduced cost ``free value - σ_g`` (no surcharge), which the master's optimality makes
    nonnegative, so ``σ_g`` is at most the free-flow value (and its ``d_k(λ) = d_k(0)`` exactly). An origin left
    with no group to price runs no Dijkstra; ODs that cannot be served at all (free-flow distance at least the
    penalty) are never priced again.
    """
    live = free_value < sigma - tol * np.maximum(1.0, np.abs(sigma))
    return servable[live[groups.of_od[servable]]]


def _path_flows(
    master: _Master, mu: NDArray[np.float64], pool: _Pool, ods: ODArrays
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Tonnes per pooled path and served tonnes per OD of the master's column weights."""
    used = [j for j in np.flatnonzero(mu > 1e-12).tolist() if master.cols.od[j].size]
    n_paths = len(pool.od)
    if not used:
        return np.zeros(n_paths), np.zeros(ods.demand_t.size)
    od = np.concatenate([master.cols.od[j] for j in used])
    pid = np.concatenate([master.cols.pid[j] for j in used])
    share = mu / master.groups.demand_t[np.asarray(master.cols.group)]
    weight = np.concatenate([np.full(master.cols.od[j].size, share[j]) for j in used]) * ods.demand_t[od]
    return (
        sum_by(pid, weights=weight, minlength=n_paths),
        sum_by(od, weights=weight, minlength=ods.demand_t.size),
    )


def _gap(objective: float, lower_bound: float) -> float:
    """Relative gap between the master's objective and a lower bound (infinite without a finite bound)."""
    if not np.isfinite(lower_bound):
        return math.inf
    return max(0.0, (objective - lower_bound) / max(1.0, abs(objective)))


def _over(load: NDArray[np.float64], rhs: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Per capacity row: is ``load`` above its capacity (beyond the solver's tolerance)?"""
    return load > rhs * (1 + 1e-9) + 1e-6


def _free_flow_load(fn: FlowNet, ods: ODArrays, pr: _Pricing) -> NDArray[np.float64]:
    """Reference tonnes per capacity row when every OD's whole demand takes the path ``pr`` found for it."""
    if not fn.n_rows:
        return np.zeros(0)
    dem = ods.demand_t[pr.path_od]
    flow = sum_by(pr.path_edge, weights=np.repeat(dem, np.diff(pr.path_start)), minlength=fn.n_edges)
    return fn.incidence.row_load(flow)


def _all_or_nothing(
    fn: FlowNet,
    ods: ODArrays,
    pr: _Pricing,
    pool: _Pool,
    gc: NDArray[np.float64],
    penalty_usd_per_t: float,
    free_load: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float] | None:
    """The optimum when every OD's whole demand fits on its free-flow shortest path (``free_load``: the
    reference tonnes those paths put on each capacity row), else ``None``.

    Returns (tonnes per pooled path, unserved tonnes, row prices, objective): each OD on its shortest path
    (unserved where it has none below the penalty), every price zero. That is optimal because each OD takes its
    cheapest option at zero prices and no capacity row is exceeded. The paths go into ``pool``.
    """
    if np.any(_over(free_load, fn.row_rhs)):
        return None
    dem = ods.demand_t[pr.path_od]
    pids = pool.add(pr.path_od, pr.path_edge, pr.path_start)
    x = sum_by(pids, weights=dem, minlength=len(pool.od))
    unserved = ods.demand_t.copy()
    unserved[pr.path_od] = 0.0
    objective = float((pr.path_cost * dem).sum() + penalty_usd_per_t * unserved.sum())
    del gc
    return x, unserved, np.zeros(fn.n_rows), objective


def _solution(
    fn: FlowNet,
    pool: _Pool,
    x_paths: NDArray[np.float64],
    unserved: NDArray[np.float64],
    lam: NDArray[np.float64],
    objective: float,
    *,
    stats: dict[str, Any],
    t_start: float,
    keep_paths: bool,
) -> FlowSolution:
    """Edge flows, per-OD averages and kept paths of the pooled paths' tonnes."""
    n_od = unserved.size
    edges, ptr, od_all = pool.arrays()
    n_paths = int(x_paths.size)
    lens = np.diff(ptr)
    owner = np.repeat(np.arange(n_paths), lens)
    edge_flow = sum_by(edges, weights=x_paths[owner], minlength=fn.n_edges) if n_paths else np.zeros(fn.n_edges)
    served = sum_by(od_all, weights=x_paths, minlength=n_od).astype(np.float64) if n_paths else np.zeros(n_od)

    def avg(per_edge: NDArray[np.float64]) -> NDArray[np.float64]:
        per_path = sum_by(owner, weights=per_edge[edges], minlength=n_paths)
        tot = sum_by(od_all, weights=x_paths * per_path, minlength=n_od) if n_paths else np.zeros(n_od)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(served > 0, tot / np.where(served > 0, served, 1.0), np.nan)

    od_paths: list[list[tuple[float, NDArray[np.int64]]]] = [[] for _ in range(n_od)]
    if keep_paths and n_paths and n_od <= 5000:
        for p in np.flatnonzero(x_paths > 1e-9).tolist():
            od_paths[int(od_all[p])].append((float(x_paths[p]), np.sort(edges[ptr[p] : ptr[p + 1]])))
    used = int(np.count_nonzero(x_paths > 1e-9))
    return FlowSolution(
        edge_flow=edge_flow,
        served_t=served,
        unserved_t=unserved,
        od_time_h=avg(fn.time_h),
        od_cost_usd_per_t=avg(fn.cost_usd),
        od_co2e_kg_per_t=avg(fn.co2e_kg),
        row_price=lam,
        objective_usd=objective,
        stats={
            "solver": "all or nothing: every free-flow shortest path fits the capacities (no LP)",
            "status": "optimal",
            "relative_gap": 0.0,
            "master_s": 0.0,
            "active_capacity_rows": 0,
            **stats,
            "paths": used,
            "capacity_rows": int(fn.n_rows),
            "seconds": time.perf_counter() - t_start,
        },
        od_paths=od_paths,
    )
