"""The routing graph: services × unit type over links, with transfers only where hub operations allow.

Vertices are *events of a unit on a run*: ``ARR(run, k)`` (arrived at stop ``k``) and
``DEP(run, k)`` (on board, ready to leave stop ``k``). Edges:

* ``RIDE``  ``DEP(r, k) -> ARR(r, k+1)``: running time, line-haul cost and emissions of
  the segment, plus any border crossing operations on its link. On a ship the ride goes
  ``DEP(r, i) -> ARR(r, j)`` from every call to every later one: a box aboard at a transit
  call does not enter that country, so it is cleared once, into the discharge country;
* ``STAY``  ``ARR(r, k) -> DEP(r, k)``: staying on board (land runs only); free;
* ``XFER``  ``ARR(r, k) -> DEP(r', k')`` at one node: a transfer hub operation (dwell,
  cost, emissions), then a wait for the next departure of ``r'`` (time-dependent). A ship
  also reaches a *bonded* arrival ``ARR~(r, k)`` at a port with a ship-to-ship transfer
  operation: the ride without the entry clearance, joined only to departing ships. A box
  transshipped from ship to ship stays in customs transit and is cleared where it leaves
  the sea, from the transshipment port's country into the discharge country;
* ``THRU``  ``ARR(r, last) -> DEP(r', 0)`` where a through train's consist goes on as ``r'``
  (:attr:`karavan.model.Service.continues`): the transfer operation (gauge change or
  transshipment), then straight on with the same consist: no wait for a departure.

Origin and destination edges (boarding with a terminal operation, alighting) are
added per query. The graph is built once per (dataset content, unit, gross weight)
and cached; nothing is built at import time.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from karavan.accounting import Cargo, Parameters, hub_figures, leg_figures, load_parameters
from karavan.model.entities import HubOperation, OpeningHours
from karavan.model.enums import CARRIER_OF_MODE, TRANSFER_KINDS, HubOpKind, Mode, Unit
from karavan.model.network import Network
from karavan.model.timetable import Run, service_runs

RIDE, STAY, XFER = 0, 1, 2
THRU = 5
"""Edge kind of a through train's timed connection (3 and 4 are the capacity network's board/alight edges)."""


@dataclass(frozen=True, slots=True)
class Terminal:
    """Terminal figures for starting or ending a trip at a node on a run's mode."""

    op_id: str | None
    dwell_h: float
    cost_usd: float
    co2e_kg: float
    opening: int


@dataclass(eq=False)
class RoutingGraph:
    """Static part of the routing graph for one unit type and per-unit gross weight.

    Attributes hold one row per vertex or per edge (CSR by tail vertex). Costs and
    emissions are for one unit; queries scale them by the unit count.
    """

    net: Network
    unit: Unit
    gross_t: float
    runs: list[Run]
    v_run: NDArray[np.int32]
    v_stop: NDArray[np.int32]
    v_node: NDArray[np.int32]
    v_is_arr: NDArray[np.bool_]
    indptr: NDArray[np.int64]
    head: NDArray[np.int32]
    kind: NDArray[np.int8]
    dur_h: NDArray[np.float64]
    cost_usd: NDArray[np.float64]
    co2e_kg: NDArray[np.float64]
    dist_km: NDArray[np.float64]
    ref: NDArray[np.int32]
    """Index of the hub operation (XFER, THRU) or -1; for RIDE the border ops are in :attr:`ride_ops`."""
    board_run: NDArray[np.int32]
    """Run boarded by the edge (XFER, THRU), or -1."""
    opening: NDArray[np.int32]
    """Opening-hours index of the transfer operation, or -1 for always open."""
    node_ids: list[str]
    op_ids: list[str]
    openings: list[OpeningHours]
    ride_ops: dict[int, tuple[str, ...]]
    """Border operations charged on each RIDE edge, by edge index."""
    dep_at: dict[int, list[int]] = field(default_factory=dict)
    arr_at: dict[int, list[int]] = field(default_factory=dict)
    board_fare: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    """Flat fare per unit charged when boarding each run."""
    start_terminal: dict[tuple[int, Mode], Terminal] = field(default_factory=dict)
    end_terminal: dict[tuple[int, Mode], Terminal] = field(default_factory=dict)
    vertex_of: dict[tuple[int, int, bool], int] = field(default_factory=dict)

    @property
    def n_vertices(self) -> int:
        """Number of vertices."""
        return int(self.v_run.size)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return int(self.head.size)

    def run_mode(self, run_idx: int) -> Mode:
        """Mode of a run."""
        return self.runs[run_idx].service.mode


def reverse_csr(graph: RoutingGraph) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The edges grouped by head vertex, ``(indptr, tail, edge)``, for backward searches (built once per graph)."""
    cached = graph.__dict__.get("_reverse_csr")
    if cached is None:
        n = graph.n_vertices
        tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.indptr))
        order = np.argsort(graph.head, kind="stable").astype(np.int64)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(graph.head, minlength=n), out=indptr[1:])
        cached = (indptr, tails[order], order)
        graph.__dict__["_reverse_csr"] = cached
    return cached


def _transfer_allowed(op: HubOperation, a: Run, b: Run, unit: Unit) -> bool:
    # a container rolls aboard a ferry on the carrier it arrived on (a wagon by rail, a trailer by road),
    # unless a transshipment lifts it onto the ferry's wagon or trailer
    if (
        b.carrier is not None
        and op.kind is not HubOpKind.TRANSSHIPMENT
        and CARRIER_OF_MODE.get(a.service.mode) is not b.carrier
    ):
        return False
    return op.transfers(a.service, b.service, unit)


def _unit_runs(net: Network, unit: Unit) -> list[Run]:
    """Runs carrying ``unit``; on a roll-on ship a container has one run per carrier it can cross on."""
    runs: list[Run] = []
    for svc in net.services.values():
        if unit not in svc.units:
            continue
        carriers = svc.carriers_for(unit)
        for run in service_runs(net, svc):
            runs.extend([replace(run, carrier=c) for c in carriers] if carriers else [run])
    return runs


def _ride_spans(run: Run) -> list[tuple[int, int]]:
    """``(board, alight)`` stop pairs with a RIDE edge on ``run``.

    On land a ride edge joins neighbouring stops (STAY edges chain them, and each border
    on the way is crossed). A box aboard a ship stays aboard at transit calls, so a sea run
    has one ride edge from every call to every later call and no STAY edges: the box is
    cleared only into the country where it is discharged.
    """
    n = len(run.stops)
    if run.service.mode.enters_at_calls:
        return [(k, k + 1) for k in range(n - 1)]
    return [(i, j) for i in range(n - 1) for j in range(i + 1, n)]


def _through_edges(
    net: Network, runs: list[Run], vertex_of: dict[tuple[int, int, bool], int], unit: Unit
) -> list[tuple[int, int, int, HubOperation]]:
    """``(arrival vertex, departure vertex, boarded run, operation)`` of every through-train connection."""
    run_idx = {(run.service.id, run.reverse): ri for ri, run in enumerate(runs)}
    out: list[tuple[int, int, int, HubOperation]] = []
    for c in net.through_connections:
        ra, rb = run_idx.get((c.from_service, c.from_reverse)), run_idx.get((c.to_service, c.to_reverse))
        if ra is None or rb is None or runs[ra].stops[-1] != c.at or runs[rb].stops[0] != c.at:
            continue
        a = vertex_of[(ra, len(runs[ra].stops) - 1, True)]
        b = vertex_of[(rb, 0, False)]
        out.extend((a, b, rb, op) for op in net.ops_at.get(c.at, ()) if _transfer_allowed(op, runs[ra], runs[rb], unit))
    return out


def _bonded_ports(net: Network) -> set[str]:
    """Nodes with a ship-to-ship transfer operation: a box changing ship there does not enter the country."""
    return {
        op.node
        for op in net.hub_operations.values()
        if op.kind in TRANSFER_KINDS and Mode.SEA in op.from_modes and Mode.SEA in op.to_modes
    }


def build_graph(net: Network, cargo: Cargo, params: Parameters | None = None) -> RoutingGraph:
    """Build the routing graph for ``cargo``'s unit type and per-unit weight.

    Prefer :func:`routing_graph`, which caches the result.
    """
    params = params or load_parameters(net.path)
    one = Cargo(unit=cargo.unit, count=1, gross_t_per_unit=cargo.gross_t_per_unit)
    unit = cargo.unit
    node_ids = list(net.nodes)
    node_idx = {nid: i for i, nid in enumerate(node_ids)}
    runs = _unit_runs(net, unit)
    op_ids: list[str] = []
    op_idx: dict[str, int] = {}
    openings: list[OpeningHours] = []
    open_idx: dict[OpeningHours, int] = {}

    def op_index(op: HubOperation) -> int:
        if op.id not in op_idx:
            op_idx[op.id] = len(op_ids)
            op_ids.append(op.id)
        return op_idx[op.id]

    def opening_index(op: HubOperation) -> int:
        if op.opening.always:
            return -1
        if op.opening not in open_idx:
            open_idx[op.opening] = len(openings)
            openings.append(op.opening)
        return open_idx[op.opening]

    v_run: list[int] = []
    v_stop: list[int] = []
    v_node: list[int] = []
    v_arr: list[bool] = []
    vertex_of: dict[tuple[int, int, bool], int] = {}
    dep_at: dict[int, list[int]] = defaultdict(list)
    arr_at: dict[int, list[int]] = defaultdict(list)
    for ri, run in enumerate(runs):
        n = len(run.stops)
        for k in range(n):
            ni = node_idx[run.stops[k]]
            for is_arr in (True, False):
                if (is_arr and k == 0) or (not is_arr and k == n - 1):
                    continue
                vid = len(v_run)
                vertex_of[(ri, k, is_arr)] = vid
                v_run.append(ri)
                v_stop.append(k)
                v_node.append(ni)
                v_arr.append(is_arr)
                (arr_at if is_arr else dep_at)[ni].append(vid)
    bond_of: dict[tuple[int, int], int] = {}  # bonded arrivals (ship runs at ship-to-ship ports), not targets
    bond_at: dict[int, list[int]] = defaultdict(list)
    bonded = _bonded_ports(net)
    for ri, run in enumerate(runs):
        for k in range(1, len(run.stops)) if run.service.mode is Mode.SEA else ():
            if run.stops[k] in bonded:
                bond_of[(ri, k)] = len(v_run)
                bond_at[node_idx[run.stops[k]]].append(len(v_run))
                v_run.append(ri)
                v_stop.append(k)
                v_node.append(node_idx[run.stops[k]])
                v_arr.append(True)

    edges: list[list[tuple[int, int, float, float, float, float, int, int, int]]] = [[] for _ in v_run]
    ride_at: dict[tuple[int, int], tuple[str, ...]] = {}
    board_fare = np.zeros(len(runs))
    for ri, run in enumerate(runs):
        tariff = run.service.tariff.get(run.carrier or unit)
        board_fare[ri] = tariff.flat_usd if tariff is not None else 0.0
        for i, j in _ride_spans(run):
            fig = leg_figures(net, params, run, i, j, one)
            dur, cost, co2 = fig.running_h, fig.cost_usd - board_fare[ri], fig.co2e_wtw_kg
            crossed: list[str] = []
            for op in net.entry_ops(run.stops[i], run.stops[j], run.service.mode, run.service.train_class):
                hf = hub_figures(net, params, op, one)
                dur += hf.dwell_h
                cost += hf.cost_usd
                co2 += hf.co2e_wtw_kg
                crossed.append(op.id)
            tail = vertex_of[(ri, i, False)]
            head = vertex_of[(ri, j, True)]
            if crossed:
                ride_at[(tail, len(edges[tail]))] = tuple(crossed)
            edges[tail].append((head, RIDE, dur, cost, co2, fig.distance_km, -1, -1, -1))
            if crossed and (ri, j) in bond_of:  # the same ride into customs transit: no entry clearance
                base = (fig.running_h, fig.cost_usd - board_fare[ri], fig.co2e_wtw_kg, fig.distance_km)
                edges[tail].append((bond_of[(ri, j)], RIDE, *base, -1, -1, -1))
            if j == i + 1 and run.service.mode.enters_at_calls and j < len(run.stops) - 1:
                edges[head].append((vertex_of[(ri, j, False)], STAY, 0.0, 0.0, 0.0, 0.0, -1, -1, -1))

    for ni, nid in enumerate(node_ids):
        ops = [op for op in net.ops_at.get(nid, ()) if op.kind in TRANSFER_KINDS]
        if not ops:
            continue
        bonds = bond_at.get(ni, [])
        for a in arr_at.get(ni, []) + bonds:
            ra = runs[v_run[a]]
            for b in dep_at.get(ni, []):
                rb_idx = v_run[b]
                rb = runs[rb_idx]
                if rb.service.id == ra.service.id or (rb.service.mode is not Mode.SEA and a in bonds):
                    continue
                for op in ops:
                    if not _transfer_allowed(op, ra, rb, unit):
                        continue
                    hf = hub_figures(net, params, op, one)
                    edges[a].append(
                        (
                            b,
                            XFER,
                            hf.dwell_h,
                            hf.cost_usd + board_fare[rb_idx],
                            hf.co2e_wtw_kg,
                            0.0,
                            op_index(op),
                            rb_idx,
                            opening_index(op),
                        )
                    )

    for a, b, rb_idx, op in _through_edges(net, runs, vertex_of, unit):
        hf = hub_figures(net, params, op, one)
        edges[a].append(
            (b, THRU, hf.dwell_h, hf.cost_usd + board_fare[rb_idx], hf.co2e_wtw_kg, 0.0, op_index(op), rb_idx,
             opening_index(op))
        )  # fmt: skip

    start_terminal: dict[tuple[int, Mode], Terminal] = {}
    end_terminal: dict[tuple[int, Mode], Terminal] = {}
    for ni, nid in enumerate(node_ids):
        for mode in Mode:
            best: Terminal | None = None
            for op in net.ops_at.get(nid, ()):
                if op.kind is HubOpKind.TERMINAL and mode in op.from_modes and op.handles(unit):
                    hf = hub_figures(net, params, op, one)
                    term = Terminal(op.id, hf.dwell_h, hf.cost_usd, hf.co2e_wtw_kg, opening_index(op))
                    if best is None or (term.dwell_h, term.cost_usd) < (best.dwell_h, best.cost_usd):
                        best = term
            if best is not None:
                start_terminal[(ni, mode)] = best
                end_terminal[(ni, mode)] = best

    counts = np.fromiter((len(e) for e in edges), dtype=np.int64, count=len(edges))
    indptr = np.zeros(len(edges) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    ride_ops = {int(indptr[tail]) + pos: ops for (tail, pos), ops in ride_at.items()}
    flat = [e for row in edges for e in row]
    cols = list(zip(*flat, strict=True)) if flat else [()] * 9
    return RoutingGraph(
        net=net,
        unit=unit,
        gross_t=one.tonnes(net),
        runs=runs,
        v_run=np.asarray(v_run, dtype=np.int32),
        v_stop=np.asarray(v_stop, dtype=np.int32),
        v_node=np.asarray(v_node, dtype=np.int32),
        v_is_arr=np.asarray(v_arr, dtype=np.bool_),
        indptr=indptr,
        head=np.asarray(cols[0], dtype=np.int32),
        kind=np.asarray(cols[1], dtype=np.int8),
        dur_h=np.asarray(cols[2], dtype=np.float64),
        cost_usd=np.asarray(cols[3], dtype=np.float64),
        co2e_kg=np.asarray(cols[4], dtype=np.float64),
        dist_km=np.asarray(cols[5], dtype=np.float64),
        ref=np.asarray(cols[6], dtype=np.int32),
        board_run=np.asarray(cols[7], dtype=np.int32),
        opening=np.asarray(cols[8], dtype=np.int32),
        node_ids=node_ids,
        op_ids=op_ids,
        openings=openings,
        ride_ops=ride_ops,
        dep_at=dict(dep_at),
        arr_at=dict(arr_at),
        board_fare=board_fare,
        start_terminal=start_terminal,
        end_terminal=end_terminal,
        vertex_of=vertex_of,
    )


_CACHE: OrderedDict[tuple[str, str, str, float], RoutingGraph] = OrderedDict()
_CACHE_SIZE = 16
_LOCK = threading.Lock()
_PARAM_DIGESTS: dict[tuple[str, ...], tuple[Parameters, str]] = {}


def parameters_digest(params: Parameters) -> str:
    """SHA-256 over the contents of the parameter files merged into ``params``."""
    cached = _PARAM_DIGESTS.get(params.files)
    if cached is not None and cached[0] is params:
        return cached[1]
    digest = hashlib.sha256(params.version.encode())
    for name in params.files:
        digest.update(name.encode())
        try:
            digest.update(Path(name).read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    value = digest.hexdigest()
    _PARAM_DIGESTS[params.files] = (params, value)
    return value


def graph_key(net: Network, cargo: Cargo, params: Parameters) -> tuple[str, str, str, float]:
    """Cache key of a routing graph: dataset content (scenario included), parameters, unit and weight."""
    unit_t = float(cargo.t_per_unit(net))  # the mass of one unit (what a graph's figures are per)
    return (net.content_hash or f"id:{id(net)}", parameters_digest(params), cargo.unit.value, unit_t)


def routing_graph(net: Network, cargo: Cargo, params: Parameters | None = None) -> RoutingGraph:
    """The routing graph for ``cargo``, built once per dataset content, parameters, unit and weight.

    ``net.content_hash`` covers the dataset tables (and a scenario's digest); the parameters
    digest covers the packaged ``parameters.yaml`` and a dataset's own override, so an edited
    emission factor builds a new graph. Graphs are kept in memory and on disk
    (:mod:`karavan.routing.stored`), so a new process reads the graph instead of building it.
    """
    from karavan.routing import stored

    params = params or load_parameters(net.path)
    key = graph_key(net, cargo, params)
    with _LOCK:
        graph = _CACHE.get(key)
        if graph is not None:
            _CACHE.move_to_end(key)
            return graph
    disk_key = stored.graph_entry_key(key)
    graph = stored.read_graph(net, cargo.unit, disk_key)
    if graph is None:
        graph = build_graph(net, cargo, params)
        stored.write_graph(graph, disk_key)
    with _LOCK:
        _CACHE[key] = graph
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return graph
