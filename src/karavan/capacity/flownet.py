"""The flow network the assignment runs on, derived from the routing graph's static structure.

For every *class* of demand (unit type, tonnes per unit, value of time) the routing graph of
that unit (:func:`karavan.routing.graph.routing_graph`) is copied into one block of a single
directed graph, with two extra vertices per node: ``O(n)`` (freight enters the network at
``n``) and ``D(n)`` (freight leaves at ``n``). Edges and their per-tonne figures:

* ``RIDE``/``STAY`` edges as in the routing graph (running time, line-haul cost, emissions,
  border crossings on the segment);
* ``XFER`` edges as in the routing graph plus the *expected wait* for the boarded run: half
  the mean gap between departures for timetabled services (exact for arrivals spread evenly
  over the week: ``Σ gap² / (2 · 168 h)``), or the mean ``expected_wait_h`` of a
  sail-when-full service;
* ``BOARD`` ``O(n) -> DEP(r, k)``: start terminal, boarding fare and the expected wait;
* ``ALIGHT`` ``ARR(r, k) -> D(n)``: end terminal.

Time dependence (opening hours, the exact departure a unit catches) is averaged out, which
is what a yearly assignment needs; everything else is exactly the routing graph's figures.

Capacitated *elements* become rows ``Σ a_e(u) · x ≤ C_e`` in **reference tonnes**: the
tonnes per year the element can take when filled with its reference unit. ``a_e(u)`` converts
a tonne of unit ``u`` into reference tonnes (a TEU of 14 t on a 52-wagon ferry takes more
deck than a tonne of grain in a 60 t wagon):

* service run (one per direction, one row per segment): ``capacity_t_per_year`` if given,
  else departures per year × ``capacity_per_departure`` (units converted through TEU sizes,
  else through gross weights). Sail-when-full services without ``capacity_t_per_year`` are
  uncapacitated (reported, not silently capped);
* hub operation: ``capacity_t_per_year`` (any unit), ``capacity_teu_per_year`` (TEU
  equivalents; bulk tonnes use none), ``capacity_units_per_day`` (one row each);
* link, per direction: ``capacity_t_per_year`` on all flows, ``capacity_trains_per_day`` on
  the trains of services that state a capacity per departure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from karavan.accounting import Cargo, Parameters
from karavan.model.entities import HubOperation, Service, Weekly, WhenFull
from karavan.model.enums import CONTAINERS_PER_CARRIER, Mode, Unit
from karavan.model.network import Network
from karavan.model.timetable import WEEK_H, departures_per_week
from karavan.routing.graph import RIDE, STAY, THRU, XFER, RoutingGraph, routing_graph

BOARD, ALIGHT = 3, 4
KIND_NAMES = {RIDE: "ride", STAY: "stay", XFER: "transfer", THRU: "through", BOARD: "board", ALIGHT: "alight"}
WEEKS_PER_YEAR = 365.25 / 7.0
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True, slots=True)
class DemandClass:
    """Demand that shares one graph block: unit, tonnes per unit and value of time."""

    unit: Unit
    t_per_unit: float
    vot_usd_per_t_h: float
    via: tuple[str, ...] = ()
    """Node ids of which the flow must pass at least one (a corridor); empty for none."""


@dataclass
class Element:
    """A capacitated element: a service run, a hub operation or a link direction.

    ``capacity_t`` is in reference tonnes per year; ``native`` / ``native_unit`` say what the
    dataset states (e.g. ``240000 TEU/year``).
    """

    id: str
    kind: str
    name: str
    capacity_t: float
    native: float
    native_unit: str
    free_time_h: float
    rows: list[int] = field(default_factory=list)


def sum_by(
    index: NDArray[np.integer[Any]], weights: NDArray[np.float64] | None = None, minlength: int = 0
) -> NDArray[np.float64]:
    """``np.bincount`` as floats: the sum of ``weights`` (or the count) per value of ``index``."""
    return np.bincount(index, weights=weights, minlength=minlength).astype(np.float64, copy=False)


@dataclass(frozen=True, eq=False)
class Incidence:
    """Edges × capacity rows, sparse in CSR order by edge: reference tonnes of row ``rows[i]`` per tonne on edge
    ``edge[i]`` is ``data[i]`` (each edge's entries between ``indptr[e]`` and ``indptr[e + 1]``, rows ascending)."""

    indptr: NDArray[np.int64]
    rows: NDArray[np.int64]
    data: NDArray[np.float64]
    n_rows: int

    @classmethod
    def build(
        cls, edge: NDArray[np.int64], row: NDArray[np.int64], value: NDArray[np.float64], n_edges: int, n_rows: int
    ) -> Incidence:
        """From (edge, row, value) triples; duplicate pairs are summed."""
        keys, inverse = np.unique(edge * max(n_rows, 1) + row, return_inverse=True)
        data = sum_by(inverse, weights=value, minlength=keys.size).astype(np.float64)
        e = keys // max(n_rows, 1)
        indptr = np.zeros(n_edges + 1, dtype=np.int64)
        np.cumsum(np.bincount(e, minlength=n_edges), out=indptr[1:])
        return cls(indptr, (keys % max(n_rows, 1)).astype(np.int64), data, n_rows)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return int(self.indptr.size - 1)

    @property
    def edge(self) -> NDArray[np.int64]:
        """The edge of each entry."""
        return np.repeat(np.arange(self.n_edges, dtype=np.int64), np.diff(self.indptr))

    def row_load(self, edge_flow: NDArray[np.float64], *, unit: bool = False) -> NDArray[np.float64]:
        """Reference tonnes per row of the tonnes ``edge_flow`` per edge (``unit``: tonnes, every entry one)."""
        flow = edge_flow[self.edge]
        return sum_by(self.rows, weights=flow if unit else flow * self.data, minlength=self.n_rows)

    def edge_weight(self, row_value: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per edge, ``Σ_r a_er · row_value[r]`` (e.g. the prices a tonne on the edge pays)."""
        return sum_by(self.edge, weights=self.data * row_value[self.rows], minlength=self.n_edges)


@dataclass(eq=False)
class FlowNet:
    """The assignment graph: edges with per-tonne figures, and capacity rows."""

    net: Network
    classes: list[DemandClass]
    n_vertices: int
    tail: NDArray[np.int64]
    head: NDArray[np.int64]
    kind: NDArray[np.int8]
    time_h: NDArray[np.float64]
    cost_usd: NDArray[np.float64]
    co2e_kg: NDArray[np.float64]
    edge_class: NDArray[np.int32]
    label: list[str]
    """Per edge: service run key (RIDE/STAY), hub operation id (XFER/BOARD/ALIGHT) or ''."""
    edge_node: NDArray[np.int32]
    """Per edge: index into ``node_ids`` of the place the edge starts from."""
    edge_seg: NDArray[np.int32]
    """Per edge: segment index along its run (RIDE edges), else -1."""
    edge_seg_end: NDArray[np.int32]
    """Per edge: the stop a RIDE edge alights at (``edge_seg + 1``, or later for a ship's ride past calls), else -1."""
    node_ids: list[str]
    origin_vertex: dict[tuple[int, str], int]
    dest_vertex: dict[tuple[int, str], int]
    elements: list[Element]
    row_element: NDArray[np.int32]
    row_rhs: NDArray[np.float64]
    incidence: Incidence
    """Edges × rows: reference tonnes of capacity used per tonne on the edge."""
    notes: list[str]

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return int(self.tail.size)

    @property
    def n_rows(self) -> int:
        """Number of capacity rows."""
        return int(self.row_rhs.size)

    def generalised_cost(self, carbon_usd_per_t: float = 0.0) -> NDArray[np.float64]:
        """USD per tonne on each edge: cost + value of time × time + carbon price × CO2e."""
        vot = np.array([c.vot_usd_per_t_h for c in self.classes], dtype=np.float64)[self.edge_class]
        return self.cost_usd + vot * self.time_h + carbon_usd_per_t * self.co2e_kg / 1000.0


def expected_wait_h(service: Service) -> float:
    """Expected wait for the next departure of a service by a unit arriving at a random time."""
    dep = service.departures
    if isinstance(dep, WhenFull):
        return float(dep.expected_wait_h.mean())
    if isinstance(dep, Weekly):
        times = sorted({d.number * 24.0 + dep.time_h for d in dep.days})
        gaps = np.diff([*times, times[0] + WEEK_H])
        return float((gaps**2).sum() / (2.0 * WEEK_H))
    return float(dep.headway_h) / 2.0


def _unit_info(net: Network, unit: Unit) -> tuple[float, float]:
    """(TEU size, default gross tonnes) of a unit type."""
    ut = net.unit_types.get(unit)
    if ut is not None:
        return ut.teu, ut.gross_t
    teu = {Unit.TEU: 1.0, Unit.FEU: 2.0}.get(unit, 0.0)
    gross = {Unit.TONNE: 1.0, Unit.TEU: 10.0, Unit.FEU: 20.0}.get(unit, 1.0)
    return teu, gross


def per_departure_t(net: Network, svc: Service, unit: Unit, t_per_unit: float) -> float | None:
    """Tonnes of ``unit`` freight (``t_per_unit`` each) one departure of ``svc`` can carry."""
    cap = svc.capacity_per_departure
    if not cap:
        return None
    carriers = [c for c in svc.carriers_for(unit) if c in cap]
    if carriers:  # boxes cross a roll-on ship on their wagons or trailers: they take carrier slots
        return cap[carriers[0]] * CONTAINERS_PER_CARRIER[(carriers[0], unit)] * t_per_unit
    if unit in cap:
        return cap[unit] * t_per_unit
    teu_u, _ = _unit_info(net, unit)
    ref, n_ref = next(iter(cap.items()))
    teu_r, gross_r = _unit_info(net, ref)
    if teu_u > 0 and teu_r > 0:
        return n_ref * teu_r / teu_u * t_per_unit
    return n_ref * gross_r


def _ref_per_departure_t(net: Network, svc: Service) -> float | None:
    cap = svc.capacity_per_departure
    if not cap:
        return None
    ref, n_ref = next(iter(cap.items()))
    return n_ref * _unit_info(net, ref)[1]


class _Rows:
    """Registry of capacity rows and their elements."""

    def __init__(self) -> None:
        self.elements: list[Element] = []
        self.by_key: dict[tuple[str, str], int] = {}
        self.row_element: list[int] = []
        self.row_rhs: list[float] = []
        self.seg_row: dict[tuple[str, int], int] = {}
        self.link_row: dict[str, int] = {}

    def element(self, kind: str, eid: str, make: Element) -> int:
        key = (kind, eid)
        if key not in self.by_key:
            self.by_key[key] = len(self.elements)
            self.elements.append(make)
        return self.by_key[key]

    def new_row(self, el_idx: int) -> int:
        r = len(self.row_rhs)
        self.row_element.append(el_idx)
        self.row_rhs.append(self.elements[el_idx].capacity_t)
        self.elements[el_idx].rows.append(r)
        return r


def _hub_rows(net: Network, rows: _Rows, op: HubOperation) -> list[tuple[int, str]]:
    """Rows of a hub operation's capacities, with the measure of each."""
    out: list[tuple[int, str]] = []
    name = f"{op.kind.value} at {net.nodes[op.node].name_en}" if op.node in net.nodes else op.id
    dwell = float(op.dwell_h.mean())
    if op.capacity_t_per_year is not None:
        c = float(op.capacity_t_per_year)
        el = rows.element("hub", op.id + "#t", Element(op.id, "hub", name, c, c, "t/year", dwell))
        out.append((rows.new_row(el) if not rows.elements[el].rows else rows.elements[el].rows[0], "t"))
    if op.capacity_teu_per_year is not None:
        ref_t = _unit_info(net, Unit.TEU)[1]
        c = float(op.capacity_teu_per_year)
        eid = op.id if op.capacity_t_per_year is None else op.id + "#teu"
        el = rows.element("hub", op.id + "#teu", Element(eid, "hub", name, c * ref_t, c, "TEU/year", dwell))
        out.append((rows.new_row(el) if not rows.elements[el].rows else rows.elements[el].rows[0], "teu"))
    if op.capacity_units_per_day is not None:
        ref_unit = op.units[0] if op.units else Unit.TEU
        ref_t = _unit_info(net, ref_unit)[1]
        c = float(op.capacity_units_per_day)
        eid = op.id if op.capacity_t_per_year is None and op.capacity_teu_per_year is None else op.id + "#units"
        el = rows.element(
            "hub", op.id + "#units", Element(eid, "hub", name, c * DAYS_PER_YEAR * ref_t, c, "units/day", dwell)
        )
        out.append((rows.new_row(el) if not rows.elements[el].rows else rows.elements[el].rows[0], "units"))
    if op.berths is not None and not out:
        call_t = _berth_call_t(net, op)
        if call_t is not None:
            from karavan.capacity.fleet import HOURS_PER_YEAR, open_share

            calls = op.berths * HOURS_PER_YEAR * open_share(net, op.node) / max(dwell, 1e-6)
            berth_el = Element(op.id, "hub", name, calls * call_t, calls, "calls/year (berths)", dwell)
            el = rows.element("hub", op.id + "#berths", berth_el)
            out.append((rows.new_row(el) if not rows.elements[el].rows else rows.elements[el].rows[0], "t"))
    return out


def _berth_call_t(net: Network, op: HubOperation) -> float | None:
    """Tonnes one call at a berth of ``op`` moves: the largest load of a sea service calling with its units."""
    if Mode.SEA not in (*op.from_modes, *op.to_modes):
        return None
    best: float | None = None
    for svc in net.services.values():
        if svc.mode is not Mode.SEA or op.node not in svc.stops:
            continue
        for unit, n in svc.capacity_per_departure.items():
            if op.handles(unit):
                t = n * _unit_info(net, unit)[1]
                best = t if best is None or t > best else best
    return best


def _service_capacity(net: Network, svc: Service) -> tuple[float, float, str] | None:
    """(departures per year or 0, capacity in reference t/year, unit text): the tightest stated capacity.

    Candidates: ``capacity_t_per_year``; timetabled departures × ``capacity_per_departure``; the fleet's
    full-sailing equivalents (:func:`karavan.capacity.fleet.fleet_capacity`) of a line that states ``vessels``.
    """
    from karavan.capacity.fleet import fleet_capacity

    options: list[tuple[float, float, str]] = []
    if svc.capacity_t_per_year is not None:
        options.append((0.0, float(svc.capacity_t_per_year), "t/year"))
    ref_t = _ref_per_departure_t(net, svc)
    dpw = departures_per_week(svc.departures)
    if dpw is not None and ref_t is not None:
        deps = dpw * WEEKS_PER_YEAR
        options.append((deps, deps * ref_t, "departures/year"))
    fc = fleet_capacity(net, svc)
    if fc is not None and ref_t is not None:
        deps = fc.sailings_per_year * fc.fill
        options.append((deps, deps * ref_t, f"full sailings/year ({fc.vessels} vessels)"))
    return min(options, key=lambda o: o[1]) if options else None


def _hub_coef(net: Network, measure: str, unit: Unit, t_per_unit: float, ref_unit: Unit | None) -> float:
    if measure == "t":
        return 1.0
    teu_u, _ = _unit_info(net, unit)
    if measure == "teu":
        ref_t = _unit_info(net, Unit.TEU)[1]
        return teu_u / t_per_unit * ref_t
    ref_t = _unit_info(net, ref_unit or Unit.TEU)[1]
    return ref_t / t_per_unit


def build_flownet(
    net: Network,
    classes: list[DemandClass],
    params: Parameters,
    *,
    wait_h: Mapping[str, float] | None = None,
) -> FlowNet:
    """Build the assignment graph for ``classes`` (one block each); see the module docstring.

    ``wait_h`` replaces the expected wait for a departure of the named runs (service id, ``~r`` for
    the reverse run), e.g. by the waits the Caspian discrete-event model finds at that demand.
    A class with ``via`` gets a two-layer block: its flow enters in the first layer, may cross to the
    second only at a vertex of a ``via`` node, and leaves from the second, so every path passes one.
    """
    rows = _Rows()
    notes: list[str] = []
    node_ids = list(net.nodes)
    n_nodes = len(node_ids)
    overrides = dict(wait_h or {})

    # ------------------------------------------------------------ elements independent of class
    svc_cap: dict[str, tuple[float, float, str]] = {}  # service id -> (deps/yr or 0, capacity_t ref, unit text)
    for svc in net.services.values():
        cap = _service_capacity(net, svc)
        if cap is None:
            why = "sails when full" if departures_per_week(svc.departures) is None else "has no capacity_per_departure"
            notes.append(f"service {svc.id} {why} and has no capacity_t_per_year or vessels: treated as uncapacitated")
            continue
        svc_cap[svc.id] = cap
    on_link = _services_on_link(net)
    hub_rows_of: dict[str, list[tuple[int, str]]] = {}
    for op in net.hub_operations.values():
        hub_rows_of[op.id] = _hub_rows(net, rows, op)
        if op.berths is not None and not hub_rows_of[op.id]:
            notes.append(f"hub operation {op.id}: berths but no sea service calls with its units; uncapacitated")

    blocks_tail: list[NDArray[np.int64]] = []
    blocks_head: list[NDArray[np.int64]] = []
    blocks_kind: list[NDArray[np.int8]] = []
    blocks_time: list[NDArray[np.float64]] = []
    blocks_cost: list[NDArray[np.float64]] = []
    blocks_co2: list[NDArray[np.float64]] = []
    blocks_class: list[NDArray[np.int32]] = []
    blocks_node: list[NDArray[np.int32]] = []
    blocks_seg: list[NDArray[np.int32]] = []
    blocks_seg_end: list[NDArray[np.int32]] = []
    labels: list[str] = []
    inc_e: list[int] = []
    inc_r: list[int] = []
    inc_v: list[float] = []
    origin_vertex: dict[tuple[int, str], int] = {}
    dest_vertex: dict[tuple[int, str], int] = {}
    v_off = 0
    e_off = 0
    graphs: dict[tuple[Unit, float], RoutingGraph] = {}
    for ci, cls in enumerate(classes):
        key = (cls.unit, cls.t_per_unit)
        if key not in graphs:
            graphs[key] = routing_graph(net, Cargo(unit=cls.unit, gross_t_per_unit=cls.t_per_unit), params)
        g = graphs[key]
        g_t = g.gross_t
        nv = g.n_vertices
        runs = g.runs
        wait = np.array([overrides.get(r.key, expected_wait_h(r.service)) for r in runs], dtype=np.float64)
        # --- routing-graph edges
        tail = np.repeat(np.arange(nv, dtype=np.int64), np.diff(g.indptr))
        head = g.head.astype(np.int64)
        kind = g.kind.copy()
        time_h = g.dur_h.copy()
        xfer = kind == XFER
        time_h[xfer] += wait[g.board_run[xfer]]
        xfer = xfer | (kind == THRU)  # a through train's connection uses the hub too, without the wait
        cost = g.cost_usd / g_t
        co2 = g.co2e_kg / g_t
        lab = np.empty(tail.size, dtype=object)
        run_keys = np.array([r.key for r in runs] or [""], dtype=object)
        op_ids = np.array(g.op_ids or [""], dtype=object)
        lab[:] = run_keys[g.v_run[tail]] if nv else []
        lab[xfer] = op_ids[g.ref[xfer]] if xfer.any() else lab[xfer]
        edge_node = g.v_node[tail].astype(np.int32) if nv else np.zeros(0, dtype=np.int32)
        # capacity incidence: XFER hub ops
        for e in np.flatnonzero(xfer):
            op = net.hub_operations[g.op_ids[int(g.ref[e])]]
            for r, measure in hub_rows_of[op.id]:
                a = _hub_coef(net, measure, cls.unit, g_t, op.units[0] if op.units else None)
                if a > 0:
                    inc_e.append(e_off + int(e))
                    inc_r.append(r)
                    inc_v.append(a)
        # RIDE: service segment, link direction, border ops
        ride_idx = np.flatnonzero(kind == RIDE)
        for e in ride_idx:
            tv = int(tail[e])
            ri = int(g.v_run[tv])
            k0, k1 = int(g.v_stop[tv]), int(g.v_stop[head[e]])  # a ship's ride spans its transit calls
            run = runs[ri]
            svc = run.service
            eg = e_off + int(e)
            for k in range(k0, k1):
                if svc.id in svc_cap:
                    deps, cap_t, unit_txt = svc_cap[svc.id]
                    el = rows.element(
                        "service",
                        run.key,
                        Element(
                            run.key,
                            "service",
                            f"{svc.name}{' (reverse)' if run.reverse else ''}",
                            cap_t,
                            deps if deps else cap_t,
                            unit_txt,
                            max(1.0, expected_wait_h(svc)),
                        ),
                    )
                    seg_key = (run.key, k)
                    if seg_key not in rows.seg_row:
                        rows.seg_row[seg_key] = rows.new_row(el)
                    if deps:
                        per = per_departure_t(net, svc, cls.unit, g_t)
                        a = cap_t / deps / per if per else 1.0
                    else:
                        a = 1.0
                    inc_e.append(eg)
                    inc_r.append(rows.seg_row[seg_key])
                    inc_v.append(a)
                link = run.links[k]
                forward = run.stops[k] == link.from_id
                lkey = link.id if forward else link.id + "~r"
                direction = f"{run.stops[k]} -> {run.stops[k + 1]}"
                if link.capacity_t_per_year is not None:
                    c = float(link.capacity_t_per_year)
                    el = rows.element(
                        "link", lkey + "#t", Element(lkey, "link", f"{link.id} {direction}", c, c, "t/year", 1.0)
                    )
                    if not rows.elements[el].rows:
                        rows.new_row(el)
                    inc_e.append(eg)
                    inc_r.append(rows.elements[el].rows[0])
                    inc_v.append(1.0)
                if link.capacity_trains_per_day is not None and link.mode is Mode.RAIL:
                    per = per_departure_t(net, svc, cls.unit, g_t)
                    ref_t = _link_train_ref_t(net, on_link.get(link.id, []))
                    if per is None or ref_t is None:
                        if per is None:
                            notes.append(
                                f"link {link.id}: trains/day capacity does not bind service {svc.id} "
                                "(no capacity_per_departure)"
                            )
                    else:
                        c = float(link.capacity_trains_per_day)
                        eid = lkey if link.capacity_t_per_year is None else lkey + "#trains"
                        el = rows.element(
                            "link",
                            lkey + "#trains",
                            Element(
                                eid, "link", f"{link.id} {direction}", c * DAYS_PER_YEAR * ref_t, c, "trains/day", 1.0
                            ),
                        )
                        if not rows.elements[el].rows:
                            rows.new_row(el)
                        inc_e.append(eg)
                        inc_r.append(rows.elements[el].rows[0])
                        inc_v.append(ref_t / per)
            for op_id in g.ride_ops.get(int(e), ()):
                op = net.hub_operations[op_id]
                for r, measure in hub_rows_of[op.id]:
                    a = _hub_coef(net, measure, cls.unit, g_t, op.units[0] if op.units else None)
                    if a > 0:
                        inc_e.append(eg)
                        inc_r.append(r)
                        inc_v.append(a)
        # --- BOARD / ALIGHT edges
        o_base = v_off + nv
        d_base = v_off + nv + n_nodes
        b_tail: list[int] = []
        b_head: list[int] = []
        b_kind: list[int] = []
        b_time: list[float] = []
        b_cost: list[float] = []
        b_co2: list[float] = []
        b_node: list[int] = []
        b_lab: list[str] = []
        b_ops: list[str | None] = []
        for ni, verts in g.dep_at.items():
            for v in verts:
                ri = int(g.v_run[v])
                term = g.start_terminal.get((ni, runs[ri].service.mode))
                b_tail.append(o_base + ni)
                b_head.append(v_off + v)
                b_kind.append(BOARD)
                b_time.append(wait[ri] + (term.dwell_h if term else 0.0))
                b_cost.append((float(g.board_fare[ri]) + (term.cost_usd if term else 0.0)) / g_t)
                b_co2.append((term.co2e_kg if term else 0.0) / g_t)
                b_node.append(ni)
                b_lab.append(term.op_id or "" if term else "")
                b_ops.append(term.op_id if term else None)
        for ni, verts in g.arr_at.items():
            for v in verts:
                ri = int(g.v_run[v])
                term = g.end_terminal.get((ni, runs[ri].service.mode))
                b_tail.append(v_off + v)
                b_head.append(d_base + ni)
                b_kind.append(ALIGHT)
                b_time.append(term.dwell_h if term else 0.0)
                b_cost.append((term.cost_usd if term else 0.0) / g_t)
                b_co2.append((term.co2e_kg if term else 0.0) / g_t)
                b_node.append(ni)
                b_lab.append(term.op_id or "" if term else "")
                b_ops.append(term.op_id if term else None)
        n_main = tail.size
        for j, maybe_op in enumerate(b_ops):
            if maybe_op is None:
                continue
            op = net.hub_operations[maybe_op]
            for r, measure in hub_rows_of[op.id]:
                a = _hub_coef(net, measure, cls.unit, g_t, op.units[0] if op.units else None)
                if a > 0:
                    inc_e.append(e_off + n_main + j)
                    inc_r.append(r)
                    inc_v.append(a)
        seg = np.where(kind == RIDE, g.v_stop[tail] if nv else 0, -1).astype(np.int32)
        seg_end = np.where(kind == RIDE, g.v_stop[head] if nv else 0, -1).astype(np.int32)
        bt = np.asarray(b_tail, dtype=np.int64)
        n_b = len(b_tail)
        lab_list = [str(x) for x in lab]
        parts = [
            (tail + v_off, head + v_off, kind.astype(np.int8), time_h, cost, co2, edge_node, seg, seg_end, lab_list)
        ]
        extra_v = 0
        if cls.via:
            l2 = v_off + nv + 2 * n_nodes  # second layer: routing vertices shifted past O/D
            alight = np.asarray(b_kind, dtype=np.int8) == ALIGHT
            bt = np.where(alight, bt - v_off + l2, bt)
            n_inc = len(inc_e)
            for idx in range(n_inc):
                if e_off <= inc_e[idx] < e_off + n_main:
                    inc_e.append(inc_e[idx] + n_main + n_b)
                    inc_r.append(inc_r[idx])
                    inc_v.append(inc_v[idx])
            via_idx = [node_ids.index(v) for v in cls.via if v in net.nodes]
            cross = np.flatnonzero(np.isin(g.v_node, via_idx)) if nv else np.zeros(0, dtype=np.int64)
            zeros = np.zeros(cross.size)
            parts.append(
                (tail + l2, head + l2, kind.astype(np.int8), time_h, cost, co2, edge_node, seg, seg_end, lab_list)
            )
            parts.append(
                (
                    cross + v_off,
                    cross + l2,
                    np.full(cross.size, STAY, dtype=np.int8),
                    zeros,
                    zeros,
                    zeros,
                    g.v_node[cross].astype(np.int32),
                    np.full(cross.size, -1, dtype=np.int32),
                    np.full(cross.size, -1, dtype=np.int32),
                    [""] * int(cross.size),
                )
            )
            extra_v = nv
        board_part = (
            bt,
            np.asarray(b_head, dtype=np.int64),
            np.asarray(b_kind, dtype=np.int8),
            np.asarray(b_time, dtype=np.float64),
            np.asarray(b_cost, dtype=np.float64),
            np.asarray(b_co2, dtype=np.float64),
            np.asarray(b_node, dtype=np.int32),
            np.full(n_b, -1, dtype=np.int32),
            np.full(n_b, -1, dtype=np.int32),
            b_lab,
        )
        parts.insert(1, board_part)
        n_block = 0
        for p_tail, p_head, p_kind, p_time, p_cost, p_co2, p_node, p_seg, p_seg_end, p_lab in parts:
            blocks_tail.append(p_tail)
            blocks_head.append(p_head)
            blocks_kind.append(p_kind)
            blocks_time.append(p_time)
            blocks_cost.append(p_cost)
            blocks_co2.append(p_co2)
            blocks_node.append(p_node)
            blocks_seg.append(p_seg)
            blocks_seg_end.append(p_seg_end)
            labels += p_lab
            n_block += int(p_tail.size)
        blocks_class.append(np.full(n_block, ci, dtype=np.int32))
        for ni, nid in enumerate(node_ids):
            origin_vertex[(ci, nid)] = o_base + ni
            dest_vertex[(ci, nid)] = d_base + ni
        v_off += nv + 2 * n_nodes + extra_v
        e_off += n_block

    def cat(parts: list[NDArray[np.generic]], dtype: type) -> NDArray[np.generic]:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    n_rows = len(rows.row_rhs)
    incidence = Incidence.build(
        np.asarray(inc_e, dtype=np.int64),
        np.asarray(inc_r, dtype=np.int64),
        np.asarray(inc_v, dtype=np.float64),
        e_off,
        n_rows,
    )
    return FlowNet(
        net=net,
        classes=list(classes),
        n_vertices=v_off,
        tail=cat(blocks_tail, np.int64),  # type: ignore[arg-type]
        head=cat(blocks_head, np.int64),  # type: ignore[arg-type]
        kind=cat(blocks_kind, np.int8),  # type: ignore[arg-type]
        time_h=cat(blocks_time, np.float64),  # type: ignore[arg-type]
        cost_usd=cat(blocks_cost, np.float64),  # type: ignore[arg-type]
        co2e_kg=cat(blocks_co2, np.float64),  # type: ignore[arg-type]
        edge_class=cat(blocks_class, np.int32),  # type: ignore[arg-type]
        label=labels,
        edge_node=cat(blocks_node, np.int32),  # type: ignore[arg-type]
        edge_seg=cat(blocks_seg, np.int32),  # type: ignore[arg-type]
        edge_seg_end=cat(blocks_seg_end, np.int32),  # type: ignore[arg-type]
        node_ids=node_ids,
        origin_vertex=origin_vertex,
        dest_vertex=dest_vertex,
        elements=rows.elements,
        row_element=np.asarray(rows.row_element, dtype=np.int32),
        row_rhs=np.asarray(rows.row_rhs, dtype=np.float64),
        incidence=incidence,
        notes=sorted(set(notes)),
    )


def _services_on_link(net: Network) -> dict[str, list[Service]]:
    out: dict[str, list[Service]] = defaultdict(list)
    for svc in net.services.values():
        for link in net.service_segments(svc):
            if link is not None and svc not in out[link.id]:
                out[link.id].append(svc)
    return dict(out)


def _link_train_ref_t(net: Network, services: list[Service]) -> float | None:
    """Reference tonnes per train on a link: the largest stated train load of its services."""
    best: float | None = None
    for svc in services:
        t = _ref_per_departure_t(net, svc)
        if t is not None and (best is None or t > best):
            best = t
    return best


__all__ = [
    "ALIGHT",
    "BOARD",
    "KIND_NAMES",
    "DemandClass",
    "Element",
    "FlowNet",
    "Incidence",
    "build_flownet",
    "expected_wait_h",
    "per_departure_t",
    "sum_by",
]
