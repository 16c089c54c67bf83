"""``assign``: put a yearly demand on the capacitated network and report volumes, bottlenecks and ODs."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from karavan import limits
from karavan.capacity.demand import Demand, ODFlow, builtin_demand, read_demand
from karavan.capacity.flowcache import cached_flownet
from karavan.capacity.flownet import ALIGHT, BOARD, DemandClass, FlowNet
from karavan.capacity.lp import FlowSolution, ODArrays, solve_lp
from karavan.errors import InputError
from karavan.model.enums import Unit
from karavan.model.network import Network
from karavan.routing.graph import RIDE, THRU, XFER

if TYPE_CHECKING:
    from karavan.capacity.scenario import Scenario

HOURS_PER_YEAR = 8766.0
PENALTY_LEVEL = 0.5
"""A shadow price at or above this share of the unserved penalty means "turns demand away", not a cost."""
NOT_UNIQUE_NOTE = (
    "shadow prices are not unique: the LP optimum is degenerate, and an equally optimal solution can split the "
    "price of full elements differently between them (e.g. full elements in series)"
)
"""The note of a result whose shadow prices are one choice among several
(:attr:`AssignmentResult.shadow_prices_unique`)."""
Method = Literal["lp", "equilibrium"]


@dataclass(frozen=True)
class AssignOptions:
    """Knobs of an assignment (all optional).

    Attributes
    ----------
    value_of_time_usd_per_t_h : float or None
        Value of time for every OD; ``None`` derives it per OD as
        ``value_usd_per_t × inventory_rate / 8766 h``.
    inventory_rate : float or None
        Yearly carrying-cost rate (default: the accounting parameters' ``inventory.annual_rate``).
    carbon_price_usd_per_t : float
        Carbon price in USD per tonne CO2e added to the generalised cost.
    unserved_penalty_usd_per_t : float
        Cost of leaving a tonne unserved; far above any route's generalised cost.
    bpr_alpha, bpr_beta : float
        Volume-delay parameters (``method="equilibrium"``).
    congestion_vot_usd_per_t_h : float or None
        Value of time pricing congestion delays in the equilibrium (default: the demand-weighted
        mean value of time, at least 0.01).
    gap : float
        Target relative gap of the equilibrium.
    lp_gap : float
        Stopping gap of the LP's column generation: it stops once the master's objective is within this
        share of the Lagrangian lower bound (``solver.relative_gap`` reports the gap reached); 0 runs to the
        exact LP optimum.
    max_iter : int
        Iteration limit (column generation or Frank–Wolfe).
    top : int
        Number of bottlenecks reported.
    wait_h : mapping or None
        Expected wait for a departure (h) by run key (service id, ``~r`` for the reverse run), replacing
        the dataset's; e.g. the Caspian discrete-event model's waits at this demand.
    """

    value_of_time_usd_per_t_h: float | None = None
    inventory_rate: float | None = None
    carbon_price_usd_per_t: float = 0.0
    unserved_penalty_usd_per_t: float = 100_000.0
    bpr_alpha: float = 0.15
    bpr_beta: float = 4.0
    congestion_vot_usd_per_t_h: float | None = None
    gap: float = 1e-4
    lp_gap: float = 1e-6
    max_iter: int = 2000
    top: int = 10
    wait_h: Mapping[str, float] | None = None

    def __post_init__(self) -> None:
        limits.CARBON_PRICE.check(self.carbon_price_usd_per_t, "carbon_price_usd_per_t")
        if self.value_of_time_usd_per_t_h is not None:
            limits.VALUE_OF_TIME.check(self.value_of_time_usd_per_t_h, "value_of_time_usd_per_t_h")
        limits.TOP.check(self.top, "top")
        for name in ("bpr_alpha", "bpr_beta"):
            v = getattr(self, name)
            if not math.isfinite(v) or v < 0:
                raise InputError(name, v, "a non-negative finite number")
        if not self.unserved_penalty_usd_per_t > 0:
            raise InputError("unserved_penalty_usd_per_t", self.unserved_penalty_usd_per_t, "a positive number")
        if not 0 < self.gap < 1:
            raise InputError("gap", self.gap, "a relative gap in (0, 1)")
        if not 0 <= self.lp_gap < 1:
            raise InputError("lp_gap", self.lp_gap, "a relative gap in [0, 1)")


@dataclass(frozen=True)
class ElementResult:
    """Volume, capacity and shadow price of one element (service run, hub operation, link direction)."""

    id: str
    kind: str
    name: str
    volume_t: float
    capacity_t: float | None
    utilisation: float | None
    shadow_price_usd_per_t: float
    capacity_native: float | None = None
    capacity_unit: str = ""
    turns_away: bool = False
    """The shadow price is at the unserved-demand penalty: the element is full and demand is turned away."""

    @property
    def shadow_kind(self) -> str:
        """``"unserved"`` for a penalty-level shadow price (not a cost saving), else ``"cost"``."""
        return "unserved" if self.turns_away else "cost"

    def to_dict(self) -> dict[str, Any]:
        """JSON view; a penalty-level shadow price has ``shadow_kind`` ``"unserved"``."""
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "volume_t": self.volume_t,
            "capacity_t": self.capacity_t,
            "utilisation": self.utilisation,
            "shadow_price_usd_per_t": self.shadow_price_usd_per_t,
            "shadow_kind": self.shadow_kind,
            "capacity_native": self.capacity_native,
            "capacity_unit": self.capacity_unit,
        }


@dataclass(frozen=True)
class UnservedDemand:
    """Demand of one OD that the network does not carry, and why.

    ``reason`` is ``"no path"`` (no route at all, or none through the flow's ``via`` places) or
    ``"capacity"`` (routes exist but the ``elements`` named are full).
    """

    flow: ODFlow
    unserved_t: float
    reason: str
    elements: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        return {
            "origin": self.flow.origin,
            "destination": self.flow.destination,
            "unit": self.flow.unit.value,
            "commodity": self.flow.commodity,
            "via": list(self.flow.via),
            "demand_t": self.flow.volume_t,
            "unserved_t": self.unserved_t,
            "reason": self.reason,
            "elements": list(self.elements),
        }


@dataclass(frozen=True)
class ODResult:
    """Outcome of one OD flow."""

    flow: ODFlow
    served_t: float
    unserved_t: float
    transit_time_h: float | None
    cost_usd_per_t: float | None
    co2e_kg_per_t: float | None
    route: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""

        def num(v: float | None) -> float | None:
            return None if v is None or not math.isfinite(v) else float(v)

        return {
            "origin": self.flow.origin,
            "destination": self.flow.destination,
            "unit": self.flow.unit.value,
            "commodity": self.flow.commodity,
            "demand_t": self.flow.volume_t,
            "served_t": self.served_t,
            "unserved_t": self.unserved_t,
            "transit_time_h": num(self.transit_time_h),
            "cost_usd_per_t": num(self.cost_usd_per_t),
            "co2e_kg_per_t": num(self.co2e_kg_per_t),
            "route": list(self.route),
        }


@dataclass(frozen=True)
class AssignmentResult:
    """What an assignment found: element loads, bottlenecks, OD outcomes, objective and solver stats."""

    method: str
    elements: tuple[ElementResult, ...]
    bottlenecks: tuple[ElementResult, ...]
    od: tuple[ODResult, ...]
    objective_usd: float
    """Solver objective: generalised cost plus the unserved penalty (not a cost; see :meth:`totals`)."""
    solver: dict[str, Any]
    notes: tuple[str, ...] = ()
    demand_name: str = ""
    unserved: tuple[UnservedDemand, ...] = ()
    full: tuple[ElementResult, ...] = ()
    """Elements that turn demand away (penalty-level shadow price); not ranked among the bottlenecks."""
    wait_h: tuple[tuple[str, float], ...] = ()
    """Waits for departures that replaced the dataset's expected waits (run key, hours)."""
    run_loads: tuple[tuple[str, Unit, float, float], ...] = ()
    """Per service run and unit: (run key, unit, tonnes per unit, tonnes a year) — what the DES takes as demand."""

    @property
    def served_t(self) -> float:
        """Tonnes per year served."""
        return float(sum(o.served_t for o in self.od))

    @property
    def unserved_t(self) -> float:
        """Tonnes per year that could not be served."""
        return float(sum(o.unserved_t for o in self.od))

    def totals(self) -> dict[str, Any]:
        """Real figures of the served freight: tonnes, shipper cost, tonne-hours, CO2e and mean transit time."""
        served = [o for o in self.od if o.served_t > 0 and o.transit_time_h is not None]
        w = sum(o.served_t for o in served)
        cost = sum(o.served_t * (o.cost_usd_per_t or 0.0) for o in served)
        co2 = sum(o.served_t * (o.co2e_kg_per_t or 0.0) for o in served) / 1000.0
        th = sum(o.served_t * float(o.transit_time_h or 0.0) for o in served)
        return {
            "demand_t": self.served_t + self.unserved_t,
            "served_t": self.served_t,
            "unserved_t": self.unserved_t,
            "cost_usd": cost,
            "co2e_t": co2,
            "tonne_hours": th,
            "mean_transit_time_h": th / w if w > 0 else None,
            "mean_cost_usd_per_t": cost / w if w > 0 else None,
            "mean_co2e_kg_per_t": co2 * 1000.0 / w if w > 0 else None,
        }

    @property
    def shadow_prices_unique(self) -> bool | None:
        """Are the shadow prices the only ones of the optimum? ``False`` when the LP optimum is degenerate, so that
        another, equally optimal solution prices the full elements differently (e.g. two full elements in series
        share one price in any split); ``None`` when the method has no LP duals."""
        value = self.solver.get("shadow_prices_unique")
        return None if value is None else bool(value)

    def element(self, element_id: str) -> ElementResult:
        """The element with ``element_id``."""
        for el in self.elements:
            if el.id == element_id:
                return el
        raise InputError("element", element_id, "the id of an element in the result")

    def to_dict(self) -> dict[str, Any]:
        """JSON view: ``totals`` (real costs), ``unserved``, ``full``, ``elements``, ``bottlenecks``, ``od``.

        The solver objective (with the unserved penalty) is only in ``solver.objective_usd``.
        """
        return {
            "method": self.method,
            "demand": self.demand_name,
            "totals": self.totals(),
            "served_t": self.served_t,
            "unserved_t": self.unserved_t,
            "unserved": [u.to_dict() for u in self.unserved],
            "full": [e.to_dict() for e in self.full],
            "elements": [e.to_dict() for e in self.elements],
            "bottlenecks": [e.to_dict() for e in self.bottlenecks],
            "od": [o.to_dict() for o in self.od],
            "wait_h": dict(self.wait_h),
            "shadow_prices_unique": self.shadow_prices_unique,
            "solver": {**self.solver, "objective_usd": self.objective_usd},
            "notes": list(self.notes),
        }


@dataclass
class _Prepared:
    fn: FlowNet
    flows: list[ODFlow]
    ods: ODArrays
    gc: np.ndarray[Any, np.dtype[np.float64]]
    vots: list[float] = field(default_factory=list)


def _prepare(net: Network, demand: Demand, opts: AssignOptions) -> _Prepared:
    from karavan.accounting import load_parameters

    params = load_parameters(net.path)
    rate = opts.inventory_rate if opts.inventory_rate is not None else params.inventory_rate
    classes: dict[DemandClass, int] = {}
    flow_class: list[int] = []
    vots: list[float] = []
    flows = list(demand.flows)
    for f in flows:
        vot = (
            opts.value_of_time_usd_per_t_h
            if opts.value_of_time_usd_per_t_h is not None
            else f.value_usd_per_t * rate / HOURS_PER_YEAR
        )
        cls = DemandClass(f.unit, f.t_per_unit, round(float(vot), 9), f.via)
        flow_class.append(classes.setdefault(cls, len(classes)))
        vots.append(float(vot))
    fn = cached_flownet(net, list(classes), params, wait_h=opts.wait_h)
    o = np.array([fn.origin_vertex[(c, f.origin)] for c, f in zip(flow_class, flows, strict=True)], dtype=np.int64)
    d = np.array([fn.dest_vertex[(c, f.destination)] for c, f in zip(flow_class, flows, strict=True)], dtype=np.int64)
    dem = np.array([f.volume_t for f in flows], dtype=np.float64)
    gc = fn.generalised_cost(opts.carbon_price_usd_per_t)
    return _Prepared(fn, flows, ODArrays(o, d, dem), gc, vots)


def assign(
    net: Network,
    demand: Demand | str | Path | None = None,
    *,
    scenario: Scenario | str | Path | None = None,
    method: Method | str = "lp",
    options: AssignOptions | None = None,
) -> AssignmentResult:
    """Assign a yearly demand to the capacitated network.

    Parameters
    ----------
    net
        The network (e.g. ``karavan.load_network()``).
    demand
        A :class:`Demand`, a CSV path, or ``None`` for the built-in 2024 demand set.
    scenario
        A :class:`~karavan.capacity.scenario.Scenario`, a scenario name or a YAML file; applied
        to ``net`` and to the demand first.
    method
        ``"lp"``: capacitated min-cost multi-commodity flow (HiGHS), with shadow prices.
        ``"equilibrium"``: user equilibrium with BPR delays (conjugate Frank–Wolfe).
    options
        :class:`AssignOptions`.

    Returns
    -------
    AssignmentResult

    Raises
    ------
    karavan.errors.ValidationError
        Invalid demand file or scenario (every problem listed).
    karavan.errors.InputError
        Unknown method or bad options.
    """
    opts = options or AssignOptions()
    if method not in ("lp", "equilibrium"):
        raise InputError("method", method, "lp or equilibrium")
    notes: list[str] = []
    sc: Scenario | None = None
    if scenario is not None:
        from karavan.capacity.scenario import apply_scenario, load_scenario

        sc = load_scenario(scenario)
        net = apply_scenario(net, sc)
    if demand is None:
        dem = builtin_demand(net)
    elif isinstance(demand, Demand):
        dem = demand
    else:
        dem = read_demand(demand, net)
    if sc is not None:
        dem = sc.apply_demand(dem, net)
        notes.append(f"scenario {sc.name} applied")
    prep = _prepare(net, dem, opts)
    fn = prep.fn
    if method == "lp":
        sol = solve_lp(
            fn,
            prep.ods,
            prep.gc,
            penalty_usd_per_t=opts.unserved_penalty_usd_per_t,
            max_iter=opts.max_iter,
            gap=opts.lp_gap,
        )
    else:
        from karavan.capacity.equilibrium import BPR, solve_equilibrium

        total = float(prep.ods.demand_t.sum())
        mean_vot = float(np.dot(prep.vots, prep.ods.demand_t) / total) if total > 0 else 0.0
        theta = opts.congestion_vot_usd_per_t_h
        if theta is None:
            theta = max(0.01, mean_vot)
        sol = solve_equilibrium(
            fn,
            prep.ods,
            prep.gc,
            penalty_usd_per_t=opts.unserved_penalty_usd_per_t,
            bpr=BPR(opts.bpr_alpha, opts.bpr_beta, theta),
            gap=opts.gap,
            max_iter=opts.max_iter,
        )
    return _result(net, prep, sol, str(method), opts, notes + list(fn.notes), dem.name)


def _result(
    net: Network, prep: _Prepared, sol: FlowSolution, method: str, opts: AssignOptions, notes: list[str], name: str
) -> AssignmentResult:
    fn = prep.fn
    flow = sol.edge_flow
    row_act = fn.incidence.row_load(flow)
    row_t = fn.incidence.row_load(flow, unit=True)
    elements: list[ElementResult] = []
    seen: set[str] = set()
    capped = [el for el in fn.elements if el.rows]
    n_el_rows = [len(el.rows) for el in capped]
    el_rows = np.fromiter((r for el in capped for r in el.rows), dtype=np.int64, count=sum(n_el_rows))
    el_start = np.r_[0, np.cumsum(n_el_rows)[:-1]].astype(np.int64)
    acts = np.maximum.reduceat(row_act[el_rows], el_start).tolist() if capped else []
    vols = np.maximum.reduceat(row_t[el_rows], el_start).tolist() if capped else []
    priced = (np.add.reduceat((sol.row_price[el_rows] != 0).astype(np.int64), el_start) > 0).tolist() if capped else []
    for el, act, vol, has_price in zip(capped, acts, vols, priced, strict=True):
        util = act / el.capacity_t if el.capacity_t > 0 else None
        cap_t = vol / util if util and vol > 0 else el.capacity_t
        # λ is per reference tonne; one more tonne of capacity at the current unit mix is act/vol reference tonnes
        lam = float(sol.row_price[np.asarray(el.rows)].sum()) if has_price else 0.0
        price = lam * (act / vol if vol > 1e-9 and act > 0 else 1.0)
        away = price >= PENALTY_LEVEL * opts.unserved_penalty_usd_per_t
        elements.append(
            ElementResult(el.id, el.kind, el.name, vol, cap_t, util, price, el.native, el.native_unit, away)
        )
        seen.add(el.id)
    # uncapacitated services and hub operations that carry flow
    svc_vol, cls_seg, hub_vol = _used_loads(fn, flow)
    for key, v in sorted(svc_vol.items()):
        if key not in seen:
            svc = net.services[key.removesuffix("~r")]
            label = svc.name + (" (reverse)" if key.endswith("~r") else "")
            elements.append(ElementResult(key, "service", label, v, None, None, 0.0))
    for key, v in sorted(hub_vol.items()):
        if key not in seen and key in net.hub_operations:
            op = net.hub_operations[key]
            elements.append(ElementResult(key, "hub", f"{op.kind.value} at {op.node}", v, None, None, 0.0))
    ranked = sorted(
        (
            e
            for e in elements
            if e.utilisation is not None
            and not e.turns_away
            and (e.shadow_price_usd_per_t > 1e-9 or e.utilisation >= 0.8)
        ),
        key=lambda e: (-e.shadow_price_usd_per_t, -(e.utilisation or 0.0)),
    )
    full = tuple(sorted((e for e in elements if e.turns_away), key=lambda e: -e.volume_t))
    why_unserved = _unserved(prep, sol, elements)
    od_results: list[ODResult] = []
    unserved: list[UnservedDemand] = []
    for i, f in enumerate(prep.flows):
        served = float(sol.served_t[i])
        route: tuple[str, ...] = ()
        if sol.od_paths and sol.od_paths[i]:
            best = max(sol.od_paths[i], key=lambda p: p[0])[1]
            route = _route_labels(fn, best)
        has = served > 1e-9
        od_results.append(
            ODResult(
                f,
                served,
                float(sol.unserved_t[i]),
                float(sol.od_time_h[i]) if has else None,
                float(sol.od_cost_usd_per_t[i]) if has else None,
                float(sol.od_co2e_kg_per_t[i]) if has else None,
                route,
            )
        )
        if i in why_unserved:
            un = why_unserved[i]
            unserved.append(un)
            why = un.reason + (f" at {', '.join(un.elements)}" if un.elements else "")
            notes.append(
                f"unserved: {f.origin} -> {f.destination} ({f.unit.value}, {f.commodity or '-'}): "
                f"{sol.unserved_t[i]:,.0f} of {f.volume_t:,.0f} t/year ({why})"
            )
    loads: dict[tuple[str, Unit, float], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for (lab, ci, seg), v in cls_seg.items():
        c = fn.classes[ci]
        loads[(lab, c.unit, c.t_per_unit)][seg] += v
    run_loads = tuple(sorted((lab, u, t, max(segs.values())) for (lab, u, t), segs in loads.items()))
    stats = dict(sol.stats)
    if stats.get("shadow_prices_unique") is False:
        notes.append(NOT_UNIQUE_NOTE)
    stats.update({"edges": fn.n_edges, "vertices": fn.n_vertices, "ods": len(prep.flows), "classes": len(fn.classes)})
    return AssignmentResult(
        method=method,
        elements=tuple(sorted(elements, key=lambda e: (e.kind, e.id))),
        bottlenecks=tuple(ranked[: opts.top]),
        od=tuple(od_results),
        objective_usd=float(sol.objective_usd),
        solver=stats,
        notes=tuple(notes),
        demand_name=name,
        unserved=tuple(unserved),
        full=full,
        wait_h=tuple(sorted((opts.wait_h or {}).items())),
        run_loads=run_loads,
    )


def _grouped(keys: np.ndarray[Any, np.dtype[Any]], weights: np.ndarray[Any, np.dtype[np.float64]]) -> dict[Any, float]:
    """Sum of ``weights`` per distinct key, accumulated in array order."""
    uniq, inv = np.unique(keys, return_inverse=True)
    sums = np.bincount(inv.ravel(), weights=weights, minlength=uniq.size)
    return dict(zip(uniq.tolist(), sums.tolist(), strict=True))


def _used_loads(
    fn: FlowNet, flow: np.ndarray[Any, np.dtype[np.float64]]
) -> tuple[dict[str, float], dict[tuple[str, int, int], float], dict[str, float]]:
    """Loads of the labelled edges that carry flow.

    Returns the heaviest segment load of each service run, tonnes per (run, class, segment) — a ship's ride
    loads every segment it spans — and tonnes per hub operation on transfer, through, board and alight edges.
    """
    used = np.flatnonzero(flow > 1e-9)
    labelled = np.fromiter((bool(fn.label[e]) for e in used), dtype=np.bool_, count=used.size)
    kind = fn.kind[used]
    hub = used[np.isin(kind, (XFER, THRU, BOARD, ALIGHT)) & labelled]
    hub_vol = _grouped(np.array([fn.label[e] for e in hub], dtype=object), flow[hub]) if hub.size else {}
    ride = used[(kind == RIDE) & labelled]
    if not ride.size:
        return {}, {}, hub_vol
    runs, run_of = np.unique(np.array([fn.label[e] for e in ride], dtype=object), return_inverse=True)
    span = (fn.edge_seg_end[ride] - fn.edge_seg[ride]).astype(np.int64)
    e_rep = np.repeat(ride, span)
    seg = (
        np.repeat(fn.edge_seg[ride].astype(np.int64), span)
        + np.arange(e_rep.size)
        - np.repeat(np.cumsum(span) - span, span)
    )
    run_rep = np.repeat(run_of.ravel(), span)
    n_seg = int(seg.max()) + 1
    n_cls = max(1, len(fn.classes))
    per_seg = _grouped(run_rep * n_seg + seg, flow[e_rep])
    svc_vol: dict[str, float] = {}
    for key, v in per_seg.items():
        name = str(runs[key // n_seg])
        svc_vol[name] = max(svc_vol.get(name, 0.0), v)
    per_cls = _grouped((run_rep * n_cls + fn.edge_class[e_rep]) * n_seg + seg, flow[e_rep])
    cls_seg = {
        (str(runs[key // (n_cls * n_seg)]), int(key // n_seg % n_cls), int(key % n_seg)): v
        for key, v in per_cls.items()
    }
    return svc_vol, cls_seg, hub_vol


def _unserved(prep: _Prepared, sol: FlowSolution, elements: list[ElementResult]) -> dict[int, UnservedDemand]:
    """Why each (partly) unserved OD is: no path at all (through its ``via``), or the full elements on its paths.

    The paths are those the OD uses, else its free-flow shortest path (one batched search for all such ODs); an
    element is on a path when its id (or the id before ``#``) labels one of the path's edges.
    """
    fn = prep.fn
    lacking = np.array(
        [
            i
            for i, f in enumerate(prep.flows)
            if sol.unserved_t[i] > 1e-6 * max(1.0, f.volume_t) and not (sol.od_paths and sol.od_paths[i])
        ],
        dtype=np.int64,
    )
    pair_od, pair_edge, reachable = _unserved_paths(prep, sol, lacking)
    priced: dict[str, list[str]] = defaultdict(list)
    for e in elements:
        if e.shadow_price_usd_per_t > 1e-9:
            for lab in {e.id, e.id.split("#")[0]}:
                priced[lab].append(e.id)
    codes = {lab: k for k, lab in enumerate(priced)}
    edge_code = np.fromiter((codes.get(lab, -1) for lab in fn.label), dtype=np.int64, count=fn.n_edges)
    hit = edge_code[pair_edge] >= 0
    on_path: dict[int, set[str]] = defaultdict(set)
    labels = list(priced)
    for od, code in set(zip(pair_od[hit].tolist(), edge_code[pair_edge[hit]].tolist(), strict=True)):
        on_path[od].update(priced[labels[code]])
    out: dict[int, UnservedDemand] = {}
    for i, f in enumerate(prep.flows):
        if not sol.unserved_t[i] > 1e-6 * max(1.0, f.volume_t):
            continue
        if i not in reachable:
            via = f" through {' or '.join(f.via)}" if f.via else ""
            out[i] = UnservedDemand(f, float(sol.unserved_t[i]), "no path" + via)
        else:
            out[i] = UnservedDemand(f, float(sol.unserved_t[i]), "capacity", tuple(sorted(on_path.get(i, ()))))
    return out


def _unserved_paths(
    prep: _Prepared, sol: FlowSolution, lacking: np.ndarray[Any, np.dtype[np.int64]]
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]], set[int]]:
    """(OD, edge) pairs of the paths behind each unserved OD, and the ODs that have a path at all.

    ODs in ``lacking`` use no path: their free-flow shortest paths are searched for in one call.
    """
    from karavan.capacity.paths import shortest_paths

    fn = prep.fn
    ods: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    edges: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    for i, paths in enumerate(sol.od_paths or []):
        for _, p in paths:
            ods.append(np.full(p.size, i, dtype=np.int64))
            edges.append(p)
    reachable = {i for i, paths in enumerate(sol.od_paths or []) if paths}
    if lacking.size:
        sp_ = shortest_paths(
            fn.tail,
            fn.head,
            prep.gc,
            fn.n_vertices,
            prep.ods.o_vert[lacking],
            prep.ods.d_vert[lacking],
            want=np.ones(lacking.size, dtype=np.bool_),
        )
        reachable.update(lacking[np.isfinite(sp_.dist)].tolist())
        ods.append(lacking[sp_.path_od])
        edges.append(sp_.path_edge)
    if not ods:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), reachable
    return np.concatenate(ods), np.concatenate(edges), reachable


def _route_labels(fn: FlowNet, edges: np.ndarray[Any, np.dtype[np.int64]]) -> tuple[str, ...]:
    """Services and hub operations along a path, in travel order."""
    succ = {int(fn.tail[e]): int(e) for e in edges}
    heads = {int(fn.head[e]) for e in edges}
    start = next((t for t in succ if t not in heads), None)
    out: list[str] = []
    cur = start
    guard = 0
    while cur is not None and cur in succ and guard <= len(edges):
        e = succ[cur]
        lab = fn.label[e]
        if lab and (not out or out[-1] != lab):
            out.append(lab)
        cur = int(fn.head[e])
        guard += 1
    return tuple(out)
