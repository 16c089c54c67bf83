"""Time-dependent multi-criteria label-setting search (Martins' algorithm with target pruning).

Labels are ``(arrival time, cost, CO2e)`` at a (vertex, via-progress) state. Waiting
for departures is FIFO, so popping labels in lexicographic order of time settles
them. Labels that, even with a static lower bound to the destination added, are
dominated by a destination label already found are pruned. Earliest arrival alone
(``criteria=1``) is a time-dependent A* on landmark (ALT) bounds, see :func:`landmarks`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import repeat
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from karavan._frozen import made
from karavan.model.entities import Departures, Headway, OpeningHours, Weekly
from karavan.model.timetable import month_of, next_departure
from karavan.routing.graph import RoutingGraph, reverse_csr
from karavan.routing.kernel import (
    PAT_HEADWAY,
    PAT_WEEKLY,
    PAT_WHEN_FULL,
    earliest_arrival,
    label_search,
    landmark_tables,
    static_bounds,
)
from karavan.routing.weights import CriteriaWeights, criteria_weights

Z90 = 1.2815515655446004
"""Standard normal 90 % quantile."""

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


@dataclass(frozen=True)
class Label:
    """A settled search label: criteria plus the path that produced it."""

    t_h: float
    cost_usd: float
    co2e_kg: float
    edges: tuple[tuple[int, int], ...]
    """``(kind, index)`` steps: ``(-1, vertex)`` board at origin, ``(0, edge)`` graph edge."""
    start_terminal: str | None
    end_terminal: str | None
    delay_h: float = 0.0
    """Mean delay beyond plan (reliability criterion)."""
    var_h2: float = 0.0
    """Variance of the transit time (reliability criterion)."""

    @property
    def p90_estimate_h(self) -> float:
        """Arrival time (hours since the epoch) at the analytic P90: planned + mean delay + z·σ."""
        return p90_estimate(self.t_h, self.delay_h, self.var_h2)


def p90_estimate(t_h: float, delay_h: float, var_h2: float) -> float:
    """The analytic P90 of a label's criteria: planned arrival + mean delay + z·σ."""
    return t_h + delay_h + Z90 * math.sqrt(max(var_h2, 0.0))


@dataclass(frozen=True)
class SearchResult:
    """Pareto labels at the destination, and how often the label cap turned a label away.

    ``rows`` are the labels' criteria ``(t_h, cost_usd, co2e_kg, delay_h, var_h2)`` in sorted
    order; a label's path is read from the search's label tree only when asked for
    (:meth:`label`), as a query accounts a handful of the labels it finds.
    """

    rows: tuple[tuple[float, float, float, float, float], ...]
    capped: int = 0
    tree: LabelTree | None = field(default=None, repr=False, compare=False)

    @property
    def truncated(self) -> bool:
        """Whether the label cap cut the search (the Pareto set may be incomplete)."""
        return self.capped > 0

    def label(self, i: int) -> Label:
        """Label ``i`` (of :attr:`rows`) with its path."""
        if self.tree is None:
            raise IndexError(i)
        return self.tree.label(self.rows[i], i)

    @cached_property
    def labels(self) -> list[Label]:
        """Every label with its path, in the order of :attr:`rows`."""
        return [self.label(i) for i in range(len(self.rows))]


@dataclass(frozen=True)
class LabelTree:
    """The paths of a search's destination labels (edge and vertex of each label on them, each path
    in order) and the terminals at both ends."""

    spans: tuple[tuple[int, int], ...]
    """The first and last label of each destination row's path."""
    edge: NDArray[np.int64]
    vert: NDArray[np.int64]
    starts: dict[int, str | None]
    ends: dict[int, str | None]

    def label(self, row: tuple[float, float, float, float, float], i: int) -> Label:
        """The label of destination row ``row`` (the ``i``-th) with its path: boarding at the first
        label's vertex, then the edge of every other label."""
        first, last = self.spans[i]
        v0 = self.vert.item(first)
        path = ((-1, v0), *zip(repeat(0, last - first), self.edge[first + 1 : last + 1].tolist(), strict=True))
        start, end = self.starts.get(v0), self.ends.get(self.vert.item(last))
        fields = {"t_h": row[0], "cost_usd": row[1], "co2e_kg": row[2], "edges": path, "start_terminal": start,
                  "end_terminal": end, "delay_h": row[3], "var_h2": row[4]}  # fmt: skip
        return made(Label, fields)


COLUMNS = {"time": (0,), "cost": (1,), "co2e": (2,), "reliability": (3, 4)}
"""Kernel columns of each criterion (reliability: mean delay and variance)."""


def criteria_mask(criteria: int | Sequence[str]) -> NDArray[np.bool_]:
    """Columns the search compares: ``1`` time only, ``3`` time/cost/CO2e, ``4`` all, or criterion names."""
    if isinstance(criteria, int):
        names: Sequence[str] = ("time", "cost", "co2e", "reliability")[: max(criteria, 1)]
    else:
        names = ("time", *criteria)
    use = np.zeros(5, dtype=np.bool_)
    for name in names:
        use[list(COLUMNS[str(name)])] = True
    return use


_Columns = tuple[NDArray[np.bool_], bool, NDArray[np.float64]]


def _columns(criteria: int | Sequence[str], reliability_eps: float) -> _Columns:
    """The columns compared, whether more than time is, and the epsilon factors per column.

    Memoised by the criteria and the epsilon (a few combinations; the search only reads the arrays).
    """
    crit = criteria if isinstance(criteria, int) else tuple(str(c) for c in criteria)
    return _columns_of(crit, float(reliability_eps))


@lru_cache(maxsize=256)
def _columns_of(criteria: int | tuple[str, ...], reliability_eps: float) -> _Columns:
    use = criteria_mask(criteria)
    eps = np.ones(5)
    eps[3] = 1.0 + reliability_eps
    eps[4] = (1.0 + reliability_eps) ** 2  # on the variance: the epsilon applies to the standard deviation
    return use, int(use.sum()) > 1, eps


def lower_bounds(
    graph: RoutingGraph, dest: int, use: NDArray[np.bool_], weights: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Consistent lower bounds ``(n_vertices, 5)`` of every used criterion from every vertex to node ``dest``.

    One multi-source Dijkstra per used column on the reversed graph from the arrival vertices
    at ``dest`` (time without waits, compiled: :func:`~karavan.routing.kernel.static_bounds`);
    terminal operations are left out, which keeps the bounds valid. Unused columns are zero.
    Cached on the graph per destination, column set and weights (``_lb_cache``).
    """
    cache: dict[tuple[int, bytes, int], NDArray[np.float64]] = graph.__dict__.setdefault("_lb_cache", {})
    key = (dest, use.tobytes(), id(weights))
    if key in cache:
        return cache[key]
    sources = np.asarray(graph.arr_at.get(dest, []), dtype=np.int64)
    rindptr, rtail, redge = reverse_csr(graph)
    out: NDArray[np.float64] = static_bounds(rindptr, rtail, redge, weights, sources, use)
    cache[key] = out
    return out


def elementary(graph: RoutingGraph) -> bool:
    """Whether a path could visit a node twice on different vertices (then the search checks loops)."""
    cached = graph.__dict__.get("_elementary")
    if cached is None:
        counts = np.bincount(graph.v_node, minlength=len(graph.node_ids)) if graph.n_vertices else np.zeros(1)
        cached = bool(counts.max() > 1)
        graph.__dict__["_elementary"] = cached
    return bool(cached)


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
    criteria: int | Sequence[str] = 4,
    reliability_eps: float = 0.0,
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
        Cap on the Pareto labels kept per vertex (bounds the search on large graphs); a
        capped search says so (:attr:`SearchResult.truncated`).
    criteria
        ``1`` earliest arrival only, ``3`` time/cost/CO2e, ``4`` with reliability, or the
        names (``"cost"``, ``"co2e"``, ``"reliability"``; time is always searched).
    reliability_eps
        Relative epsilon on the reliability criterion (mean delay, standard deviation): a
        label within it of a kept one on reliability, and no better elsewhere, is not kept.
        0 gives the exact Pareto set.

    Returns
    -------
    SearchResult
        Loop-free labels (no node twice, the destination only at the end, via places in order).
    """
    n = graph.n_vertices
    use, multi, eps = _columns(criteria, reliability_eps)
    cw = criteria_weights(graph, month_of(depart_h))
    lb = lower_bounds(graph, dest, use, cw.wts) if multi else np.zeros((n, 5))
    if allowed is None:
        allowed = np.ones(n, dtype=np.bool_)
    ka = kernel_arrays(graph)
    init_v, init_w, starts = _initial_labels(graph, origin, depart_h, cw, ka)
    target_ok, tgt_w, tgt_open, ends = _targets(graph, dest, cw)
    elem = elementary(graph) or bool(via)
    via_a = np.asarray(via, dtype=np.int64)
    found: KernelResult | LabelSearchResult | None = None
    if not multi:
        found = earliest_arrival(
            graph.indptr, graph.head, graph.kind, cw.wts, graph.board_run, graph.opening, graph.v_node,
            ka.v_offset, ka.pk, ka.pmask, ka.pa, ka.pb, ka.omask, ka.ostart, ka.oend, allowed,
            init_v, init_w, target_ok, tgt_w, tgt_open, via_a, dest, depart_h + HORIZON_H,
            *_landmark_rows(graph, dest),
        )  # fmt: skip
        if elem and _revisits(graph.v_node[found[3]]):
            found = None  # the fastest walk passes a place twice: the loop-checking search instead
    if found is None:

        def search(node_bit: NDArray[np.int64], exact: bool) -> LabelSearchResult:
            return label_search(
                graph.indptr, graph.head, graph.kind, cw.wts, graph.board_run, graph.opening, graph.v_node,
                ka.v_offset, ka.pk, ka.pmask, ka.pa, ka.pb, ka.omask, ka.ostart, ka.oend, allowed, lb,
                init_v, init_w, target_ok, tgt_w, tgt_open, via_a, dest, use, eps, 1.0 + slack, multi,
                max_labels_per_state, depart_h + HORIZON_H, node_bit, exact, depart_h=depart_h,
            )  # fmt: skip

        found = loop_free_search(search, hubs(graph)) if elem else search(*_untracked(graph))
    return _result(found, starts, ends)


def _result(
    found: KernelResult | LabelSearchResult, starts: dict[int, str | None], ends: dict[int, str | None]
) -> SearchResult:
    """The destination labels sorted by their criteria, their paths kept in the label tree (the
    searches lay the rows' paths out one after another, each ending at the row's label)."""
    table = found[0].tolist()
    firsts = [0, *(int(r[5]) + 1 for r in table[:-1])][: len(table)]
    ordered = sorted(zip(table, firsts, strict=True))
    rows = tuple((r[0], r[1], r[2], r[3], r[4]) for r, _ in ordered)
    tree = LabelTree(tuple((f, int(r[5])) for r, f in ordered), found[2], found[3], starts, ends)
    return SearchResult(rows, int(found[4]), tree)


KernelResult = tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], int]
"""What the compiled searches return: destination rows, the parent, edge and vertex of every label, labels capped."""
LabelSearchResult = tuple[
    NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], int, NDArray[np.bool_]
]
""":func:`~karavan.routing.kernel.label_search` adds the nodes a returned path comes back to."""


def node_bits(tracked: NDArray[np.bool_]) -> tuple[NDArray[np.int64], bool]:
    """Bit of each ``tracked`` node in the search's 128-bit node sets (-1 if not tracked), and
    whether the bits are distinct (at most 128 tracked nodes: the bit sets are then exact)."""
    bits = np.full(tracked.size, -1, dtype=np.int64)
    idx = np.flatnonzero(tracked)
    bits[idx] = np.arange(idx.size) % 128
    return bits, bool(idx.size <= 128)


HUB_VERTICES = 10
"""Places with at least this many graph vertices (about five runs calling) are tracked from the start."""


def hubs(graph: RoutingGraph) -> NDArray[np.bool_]:
    """Places served by many runs (:data:`HUB_VERTICES`), where routes come back on another run; cached on the graph."""
    cached = graph.__dict__.get("_hubs")
    if cached is None:
        cached = np.bincount(graph.v_node, minlength=len(graph.node_ids)) >= HUB_VERTICES
        graph.__dict__["_hubs"] = cached
    return cached


def loop_free_search(
    search: Callable[[NDArray[np.int64], bool], LabelSearchResult], tracked: NDArray[np.bool_]
) -> LabelSearchResult:
    """Loop-free Pareto labels by decremental state-space relaxation (Righini and Salani, 2008).

    ``search(node_bit, exact)`` runs :func:`~karavan.routing.kernel.label_search` keeping
    paths loop-free on the tracked nodes only. It starts with ``tracked`` (one flag per node;
    any set is correct: the fewer, the fewer labels, but a route looping at an untracked node
    costs another search); while a destination label's path comes back to a node, that node
    is tracked and the search runs again. Paths loop-free on every node are also paths of
    each relaxed search, so once no returned path has a loop the relaxed Pareto set is the
    loop-free one.
    """
    found = search(*_hub_bits(tracked))
    while found[5].any():
        tracked = tracked | found[5]
        found = search(*node_bits(tracked))
    return found


def _hub_bits(tracked: NDArray[np.bool_]) -> tuple[NDArray[np.int64], bool]:
    """:func:`node_bits` of a tracked set searched first, memoised by the set (its bytes: one per node).

    The search only reads the bits, so threads share them.
    """
    return _bits_of(tracked.astype(np.bool_, copy=False).tobytes())


@lru_cache(maxsize=64)  # the hubs of the graphs in use, and no tracked node
def _bits_of(tracked: bytes) -> tuple[NDArray[np.int64], bool]:
    return node_bits(np.frombuffer(tracked, dtype=np.bool_))


def _untracked(graph: RoutingGraph) -> tuple[NDArray[np.int64], bool]:
    """:func:`node_bits` with no node tracked (a graph whose places have one vertex each)."""
    return _hub_bits(np.zeros(len(graph.node_ids), dtype=np.bool_))


LANDMARKS = 8
"""Landmarks of the ALT bounds on the static time (per graph)."""


def landmarks(graph: RoutingGraph) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Static times ``(from_l, to_l)`` from and to :data:`LANDMARKS` spread vertices, built once per graph.

    They bound the time to any destination from below (ALT: A*, landmarks, triangle
    inequality) without a search per query.
    """
    cached = graph.__dict__.get("_landmarks")
    if cached is None and graph.n_vertices == 0:
        cached = (np.zeros((0, 0)), np.zeros((0, 0)))
    elif cached is None:
        rindptr, rtail, redge = reverse_csr(graph)
        k = min(LANDMARKS, graph.n_vertices)
        cached = landmark_tables(graph.indptr, graph.head, rindptr, rtail, redge, graph.dur_h, k)
        graph.__dict__["_landmarks"] = cached
    return cached


def _landmark_rows(graph: RoutingGraph, dest: int) -> tuple[NDArray[np.float64], ...]:
    """The landmark tables and the destination's rows: the smallest time from, the largest to each landmark."""
    from_l, to_l = landmarks(graph)
    arr = np.asarray(graph.arr_at.get(dest, []), dtype=np.int64)
    if arr.size == 0:
        return from_l, to_l, np.full(from_l.shape[1], np.inf), np.full(from_l.shape[1], np.inf)
    return from_l, to_l, from_l[arr].min(axis=0), to_l[arr].max(axis=0)


def _revisits(nodes: NDArray[np.int32]) -> bool:
    """Whether a path's node sequence comes back to a node it left."""
    if nodes.size < 3:
        return False
    visits = nodes[np.concatenate(([True], nodes[1:] != nodes[:-1]))]
    return bool(np.unique(visits).size < visits.size)


@dataclass(frozen=True, slots=True)
class _Origin:
    """What boarding at an origin costs before the clock is read: per departure vertex, the start
    terminal's opening hours and dwell, the run's departures and offset, and the other criteria."""

    verts: NDArray[np.int64]
    base_w: NDArray[np.float64]
    """Columns 1-4 of the boarding labels (column 0, the time, is set per departure)."""
    boards: tuple[tuple[OpeningHours | None, float, Departures, float], ...]
    """``(start terminal opening or None, its dwell, the run's departures, offset)`` per vertex."""
    starts: dict[int, str | None]


def _ends_cache(graph: RoutingGraph) -> dict[tuple[str, int, int], tuple[CriteriaWeights, Any]]:
    """Per-origin and per-destination tables of a graph, by ``(end, node, id(weights))`` (weights kept)."""
    cache: dict[tuple[str, int, int], tuple[CriteriaWeights, Any]] = graph.__dict__.setdefault("_ends_cache", {})
    return cache


def _origin(graph: RoutingGraph, origin: int, cw: CriteriaWeights, ka: KernelArrays) -> _Origin:
    """The boarding tables at node ``origin`` under weights ``cw`` (cached on the graph)."""
    cache = _ends_cache(graph)
    key = ("origin", origin, id(cw))
    hit = cache.get(key)
    if hit is not None and hit[0] is cw:
        return cast(_Origin, hit[1])
    verts = graph.dep_at.get(origin, [])
    base_w = np.zeros((len(verts), 5))
    boards: list[tuple[OpeningHours | None, float, Departures, float]] = []
    starts: dict[int, str | None] = {}
    net = graph.net
    for i, v in enumerate(verts):
        r = int(graph.v_run[v])
        run = graph.runs[r]
        term = graph.start_terminal.get((origin, run.service.mode))
        base_w[i, 1] = float(graph.board_fare[r])
        base_w[i, 3:] = cw.board[v]
        opening: OpeningHours | None = None
        dwell = 0.0
        if term is not None:
            opening = graph.openings[term.opening] if term.opening >= 0 else None
            dwell = term.dwell_h
            base_w[i, 1] += term.cost_usd
            base_w[i, 2] += term.co2e_kg
            if term.op_id is not None and net is not None:
                base_w[i, 4] += net.hub_operations[term.op_id].dwell_h.variance()
        boards.append((opening, dwell, run.service.departures, float(ka.v_offset[v])))
        starts[v] = term.op_id if term is not None else None
    made = _Origin(np.asarray(verts, dtype=np.int64), base_w, tuple(boards), starts)
    cache[key] = (cw, made)
    return made


def _initial_labels(
    graph: RoutingGraph, origin: int, depart_h: float, cw: CriteriaWeights, ka: KernelArrays
) -> tuple[NDArray[np.int64], NDArray[np.float64], dict[int, str | None]]:
    """Boarding labels at the origin: start terminal, then the first departure of each run calling there."""
    at = _origin(graph, origin, cw, ka)
    init_w = at.base_w.copy()
    for i, (opening, dwell, departures, offset_h) in enumerate(at.boards):
        t = depart_h if opening is None else next_open(opening, depart_h)
        init_w[i, 0] = next_departure(departures, t + dwell, offset_h)
    return at.verts, init_w, at.starts


_Targets = tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.int32], dict[int, str | None]]


def _targets(graph: RoutingGraph, dest: int, cw: CriteriaWeights) -> _Targets:
    """Arrival vertices at the destination with their end-terminal figures (cached on the graph; read only)."""
    cache = _ends_cache(graph)
    key = ("dest", dest, id(cw))
    hit = cache.get(key)
    if hit is not None and hit[0] is cw:
        return cast(_Targets, hit[1])
    n = graph.n_vertices
    target_ok = np.zeros(n, dtype=np.bool_)
    tgt_w = np.zeros((n, 5))
    tgt_open = np.full(n, -1, dtype=np.int32)
    ends: dict[int, str | None] = {}
    net = graph.net
    for v in graph.arr_at.get(dest, []):
        target_ok[v] = True
        tgt_w[v, 3:] = cw.alight[v]
        term = graph.end_terminal.get((dest, graph.runs[int(graph.v_run[v])].service.mode))
        if term is not None:
            tgt_w[v, :3] += (term.dwell_h, term.cost_usd, term.co2e_kg)
            tgt_open[v] = term.opening
            if term.op_id is not None and net is not None:
                tgt_w[v, 4] += net.hub_operations[term.op_id].dwell_h.variance()
        ends[v] = term.op_id if term is not None else None
    made = (target_ok, tgt_w, tgt_open, ends)
    cache[key] = (cw, made)
    return made


__all__ = [
    "COLUMNS",
    "Label",
    "SearchResult",
    "criteria_mask",
    "elementary",
    "hubs",
    "kernel_arrays",
    "loop_free_search",
    "lower_bounds",
    "next_open",
    "node_bits",
    "p90_estimate",
    "pareto_search",
]
