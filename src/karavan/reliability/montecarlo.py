"""Monte Carlo transit-time distributions of itineraries, in one compiled call for all routes.

Every stochastic part of a door-to-door trip is sampled run by run in a compiled kernel
(:mod:`karavan.reliability.kernel`, element rows built by :mod:`karavan.reliability.spec`),
and time is propagated through timetables (sails-when-full services draw a fill wait):

- hub operations: waiting for opening hours, then a draw of the operation's dwell
  distribution (border crossings carry the direction-specific CAREC CPMM dwell of the dataset);
- scheduled legs: the next timetabled departure after the unit is ready (a uniformly drawn phase
  for headways whose clock times are not published), plus departure slippage by service kind
  (:mod:`karavan.reliability.params`) unless the service's times already include delays;
- sails-when-full legs: the service's ``expected_wait_h`` distribution, or the waiting-time
  distribution of the Caspian DES at a chosen demand level (so waits grow with demand);
- running time: the service's ``running_time_h`` distribution when it has a spread, else the
  planned time × a running-time factor by service kind (train path delays, sea state), except
  for services whose speed was derived from achieved times (``delays_included``);
- weather: a sea leg cannot leave a closed port nor berth at one; a port is closed with the
  month's closed share, and a closure in progress lasts a length-biased residual storm duration.

Each element's contribution ``d_k`` (the time it adds to the trip) is kept, so the variance
share of an element is ``Cov(d_k, T) / Var(T)`` with ``T = Σ d_k``; the shares sum to 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from karavan import limits
from karavan._frozen import made
from karavan.accounting import Cargo, HubPlan, Itinerary, LegPlan, evaluate
from karavan.errors import InputError
from karavan.limits import MC_RUNS
from karavan.model.entities import Service
from karavan.model.enums import HubOpKind, ServiceKind, Unit
from karavan.model.network import Network
from karavan.model.timetable import month_index, service_runs, to_hours
from karavan.reliability.params import PortWeather, ReliabilityParameters, load_reliability_parameters

if TYPE_CHECKING:
    from karavan.reliability.des import CaspianResult
    from karavan.routing import Route, RouteQuery

F64 = NDArray[np.float64]
_Weather = tuple[F64, F64, F64, F64]
"""The kernel's weather arguments: monthly closed shares, storm law, storm pool and its cumulative weights."""
QUANTILES = (0.10, 0.50, 0.90, 0.95)
PARTS = (
    "timetable_wait",
    "slippage",
    "ferry_wait",
    "weather",
    "running",
    "running_delay",
    "border_dwell",
    "hub_handling",
    "opening_wait",
)
"""Kinds of time each element's contribution is split into (for ``part_shares``)."""


# ----------------------------------------------------------------- plan reconstruction


def _plan_from_rows(rows: Sequence[tuple[int, str, dict[str, Any]]]) -> list[LegPlan | HubPlan]:
    """Rebuild a plan from ordered ``(index, 'leg'|'hub', fields)`` rows.

    A leg's ``stay_aboard`` flag is taken as recorded; for routes saved without it, a leg
    continuing the previous leg's run (same service and direction, only border crossings
    between them) is taken as staying aboard, as routing splits such runs.
    """
    plan: list[LegPlan | HubPlan] = []
    last_leg: LegPlan | None = None
    only_borders = False
    for _, kind, f in sorted(rows, key=lambda r: r[0]):
        if kind == "hub":
            plan.append(HubPlan(str(f["op"])))
            only_borders = only_borders and f.get("kind") == HubOpKind.BORDER_CROSSING.value
            continue
        stay = (
            bool(f["stay_aboard"])
            if "stay_aboard" in f
            else (
                last_leg is not None
                and only_borders
                and last_leg.service_id == f["service"]
                and last_leg.reverse == bool(f["reverse"])
                and last_leg.alight == f["from"]
            )
        )
        through = f.get("through_train")
        carrier = f.get("carrier_unit")
        leg = LegPlan(
            str(f["service"]),
            bool(f["reverse"]),
            str(f["from"]),
            str(f["to"]),
            stay,
            str(through) if through else None,
            Unit(carrier) if carrier in (Unit.WAGON.value, Unit.TRAILER.value) else None,
        )
        plan.append(leg)
        last_leg = leg
        only_borders = True
    return plan


def plan_from_itinerary(itinerary: Itinerary) -> list[LegPlan | HubPlan]:
    """The plan (legs and hub operations in order) an evaluated itinerary was built from."""
    rows: list[tuple[int, str, dict[str, Any]]] = []
    for leg in itinerary.legs:
        f = leg.figures
        rows.append(
            (
                leg.index,
                "leg",
                {
                    "service": f.service_id,
                    "reverse": f.reverse,
                    "from": f.board,
                    "to": f.alight,
                    "stay_aboard": leg.stay_aboard,
                    "through_train": leg.through_train,
                    "carrier_unit": leg.carrier_unit,
                },
            )
        )
    for hub in itinerary.hubs:
        rows.append((hub.index, "hub", {"op": hub.figures.op_id, "kind": hub.kind}))
    return _plan_from_rows(rows)


def plan_from_dict(route: Mapping[str, Any]) -> tuple[list[LegPlan | HubPlan], Cargo, datetime]:
    """Plan, cargo and departure of a route saved by ``karavan route --format json``.

    ``route`` is one route object (with ``legs``, ``hubs``, ``cargo``, ``depart``).

    Raises
    ------
    karavan.errors.InputError
        If the mapping lacks those keys or holds malformed values.
    """
    try:
        rows: list[tuple[int, str, dict[str, Any]]] = [(int(x["index"]), "leg", dict(x)) for x in route["legs"]]
        rows += [(int(x["index"]), "hub", dict(x)) for x in route["hubs"]]
        for _, kind, f in rows:
            for key in ("service", "reverse", "from", "to") if kind == "leg" else ("op",):
                if key not in f:
                    raise KeyError(key)
        c = route.get("cargo") or {}
        unit = c.get("unit", "FEU")
        count = c.get("count", 1)
        tonnes = c.get("tonnes")
        gross = float(tonnes) / float(count) if tonnes and unit != Unit.TONNE.value else None
        cargo = Cargo(unit=unit, count=count, gross_t_per_unit=gross, value_usd=c.get("value_usd"))
        depart = datetime.fromisoformat(str(route["depart"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError("itinerary", f"missing or bad {exc}", "a route from `karavan route --format json`") from None
    if depart.tzinfo is None:
        depart = depart.replace(tzinfo=UTC)
    return _plan_from_rows(rows), cargo, depart


# ----------------------------------------------------------------- result


@dataclass(frozen=True)
class ElementStats:
    """Distribution of the time one element adds to the trip."""

    element: str
    kind: str
    mean_h: float
    std_h: float
    p50_h: float
    p90_h: float
    planned_h: float
    share: float

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        return {
            "element": self.element,
            "kind": self.kind,
            "mean_h": self.mean_h,
            "std_h": self.std_h,
            "p50_h": self.p50_h,
            "p90_h": self.p90_h,
            "planned_h": self.planned_h,
            "variance_share": self.share,
        }


HISTOGRAM_BINS = 30
"""Bins of :meth:`SimulationResult.histogram` unless a result says otherwise."""


@dataclass(frozen=True)
class SimulationResult:
    """Transit-time distribution of one itinerary.

    Attributes
    ----------
    transit_h : ndarray
        Door-to-door transit time of every run, hours.
    quantiles_h : dict
        ``{0.1: P10, 0.5: P50, 0.9: P90, 0.95: P95}`` in hours.
    on_time_probability : float or None
        ``P(arrival <= target)`` when a target was given.
    elements : tuple of ElementStats
        Per leg / hub element: mean, spread and variance share (computed when first read).
    part_shares : dict
        Variance shares by kind of time (border dwell, ferry wait, weather, ...), likewise.
    """

    runs: int
    seed: int
    depart: datetime
    transit_h: F64 = field(repr=False, compare=False)
    quantiles_h: dict[float, float]
    mean_h: float
    std_h: float
    target: datetime | None
    on_time_probability: float | None
    planned_h: float
    detail: Callable[[], tuple[F64, F64]] = field(repr=False, compare=False)
    """:attr:`contrib_h` and :attr:`parts_h` (simulated when first asked for, see :func:`simulate_plans`)."""
    explain: Callable[[], list[tuple[str, str, float]]] = field(repr=False, compare=False)
    """Name, kind and planned hours of each element (built when first asked for)."""
    summary: Callable[[], dict[str, Any]] = field(repr=False, compare=False)
    """The route summary attached to the result (built when first asked for)."""
    demand_mt: float | None = None
    parameters_version: str = ""
    histogram_bins: int = HISTOGRAM_BINS

    @property
    def contrib_h(self) -> F64:
        """Hours each element adds in each run (elements × runs)."""
        return self.detail()[0]

    @property
    def parts_h(self) -> F64:
        """Hours by kind of time (:data:`PARTS` × runs)."""
        return self.detail()[1]

    @cached_property
    def route(self) -> dict[str, Any]:
        """Summary of the simulated route (its ``to_dict()`` without the trail)."""
        return self.summary()

    @cached_property
    def elements(self) -> tuple[ElementStats, ...]:
        """Per leg / hub element: mean, spread, P50/P90 and variance share."""
        total, var_t = self.transit_h, float(self.transit_h.var())
        if not len(total):
            return ()
        x = self.contrib_h
        q = np.quantile(x, (0.5, 0.9), axis=1)
        out = []
        for i, (name, kind, planned) in enumerate(self.explain()):
            xi = x[i]
            out.append(
                ElementStats(
                    name, kind, float(xi.mean()), float(xi.std()), float(q[0, i]), float(q[1, i]), planned,
                    _shares(xi, total, var_t),
                )
            )  # fmt: skip
        return tuple(out)

    @cached_property
    def part_shares(self) -> dict[str, float]:
        """Variance shares by kind of time (border dwell, ferry wait, weather, ...), parts that occur."""
        total, var_t = self.transit_h, float(self.transit_h.var())
        return {p: _shares(v, total, var_t) for p, v in zip(PARTS, self.parts_h, strict=True) if np.any(v)}

    @property
    def p10_h(self) -> float:
        """10th percentile of transit time."""
        return self.quantiles_h[0.10]

    @property
    def p50_h(self) -> float:
        """Median transit time."""
        return self.quantiles_h[0.50]

    @property
    def p90_h(self) -> float:
        """90th percentile of transit time."""
        return self.quantiles_h[0.90]

    @property
    def p95_h(self) -> float:
        """95th percentile of transit time."""
        return self.quantiles_h[0.95]

    def histogram(self) -> dict[str, Any]:
        """Bin edges (hours) and counts of the transit times up to P99, for a chart.

        The long right tail (weather closures) would squeeze the body into a few bins, so
        the bins span ``[min, P99]`` and runs beyond P99 are counted in ``above``
        (``above_h`` is the cut); ``runs`` is the total, so counts / runs are shares.
        """
        x = self.transit_h
        cut = float(np.quantile(x, 0.99)) if len(x) else 0.0
        lo = float(x.min()) if len(x) else 0.0
        hi = cut if cut > lo else lo + 1.0
        counts, edges = np.histogram(x, bins=self.histogram_bins, range=(lo, hi))
        return {
            "bin_edges_h": [float(e) for e in edges],
            "counts": [int(c) for c in counts],
            "above_h": hi,
            "above": int(np.count_nonzero(x > hi)),
            "runs": len(x),
        }

    def cdf(self, points: int = 101) -> dict[str, list[float]]:
        """Empirical distribution function at ``points`` evenly spaced probabilities (0 to 1)."""
        p = np.linspace(0.0, 1.0, points)
        h = np.quantile(self.transit_h, p) if len(self.transit_h) else np.zeros(points)
        return {"p": [float(v) for v in p], "transit_h": [float(v) for v in h]}

    def to_dict(self) -> dict[str, Any]:
        """JSON view with quantiles, on-time probability, variance shares, per-element figures."""
        return {
            "runs": self.runs,
            "seed": self.seed,
            "depart": self.depart.isoformat(),
            "target": self.target.isoformat() if self.target else None,
            "demand_mt": self.demand_mt,
            "parameters_version": self.parameters_version,
            "planned_h": self.planned_h,
            "p10_h": self.p10_h,
            "p50_h": self.p50_h,
            "p90_h": self.p90_h,
            "p95_h": self.p95_h,
            "mean_h": self.mean_h,
            "std_h": self.std_h,
            "on_time_probability": self.on_time_probability,
            "variance_shares": [{"element": e.element, "share": e.share} for e in self.elements],
            "part_shares": [{"part": k, "share": v} for k, v in self.part_shares.items()],
            "legs": [e.to_dict() for e in self.elements],
            "histogram": self.histogram(),
            "cdf": self.cdf(),
            "route": self.route,
        }


# ----------------------------------------------------------------- the simulation


def _check_runs_seed(runs: int, seed: int) -> None:
    MC_RUNS.check(runs, "runs")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0 or seed >= 2**63:
        raise InputError("seed", seed, "a non-negative integer below 2**63")


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _des_key(service: Service, cargo: Cargo) -> str:
    if cargo.unit is Unit.TRAILER:
        return "truck"
    if service.kind in (ServiceKind.FEEDER, ServiceKind.CONTAINER_SHIP):
        return "TEU"
    return "wagon"


def simulate_itinerary(
    net: Network,
    plan: Sequence[LegPlan | HubPlan],
    cargo: Cargo,
    *,
    depart: datetime,
    runs: int = 10_000,
    seed: int = 0,
    target: datetime | None = None,
    des: CaspianResult | None = None,
    parameters: ReliabilityParameters | None = None,
    route: Mapping[str, Any] | None = None,
    demand_mt: float | None = None,
) -> SimulationResult:
    """Monte Carlo transit-time distribution of a planned itinerary.

    Parameters
    ----------
    net : Network
        The network the plan refers to.
    plan : sequence of LegPlan and HubPlan
        The elements in order (e.g. :func:`plan_from_itinerary` of a route).
    cargo : Cargo
        What is carried.
    depart : datetime
        Departure from the origin (naive = UTC).
    runs : int
        Number of Monte Carlo runs.
    seed : int
        Seed of the kernel's random numbers; the same seed gives the same result.
    target : datetime, optional
        Arrival deadline for the on-time probability.
    des : CaspianResult, optional
        A Caspian DES run whose waiting times replace sails-when-full waits on the lines it models.
    parameters : ReliabilityParameters, optional
        Reliability parameters; default the packaged ones.
    route : mapping, optional
        Summary of the route to attach to the result.
    demand_mt : float, optional
        Demand level the ``des`` run was made at (reported only).

    Returns
    -------
    SimulationResult

    Raises
    ------
    karavan.errors.InputError
        Bad ``runs``/``seed``, or a plan that does not evaluate (see :func:`karavan.accounting.evaluate`).
    """
    _check_runs_seed(runs, seed)
    depart = _aware(depart)
    itinerary = evaluate(net, plan, cargo, depart=depart)
    (result,) = simulate_plans(
        net,
        [(plan, itinerary)],
        cargo,
        runs=runs,
        seed=seed,
        target=target,
        des=des,
        parameters=parameters,
        demand_mt=demand_mt,
        summaries=[dict(route)] if route is not None else None,
        detail=True,
    )
    return result


def simulate_plans(
    net: Network,
    items: Sequence[tuple[Sequence[LegPlan | HubPlan], Itinerary]],
    cargo: Cargo,
    *,
    runs: int,
    seed: int,
    target: datetime | None = None,
    des: CaspianResult | None = None,
    parameters: ReliabilityParameters | None = None,
    demand_mt: float | None = None,
    summaries: Sequence[dict[str, Any]] | None = None,
    detail: bool = False,
) -> list[SimulationResult]:
    """Simulate several evaluated plans at once: every run of every plan in one compiled call.

    Each item is a plan and its evaluated itinerary (which gives the departure and the planned
    figures). Every plan's runs start from the same seeded random state, so a plan's result
    does not depend on the others simulated with it. The kernel runs without the GIL.

    The per-element figures (``contrib_h``, ``parts_h``: element stats and variance shares) are
    simulated in the same call with ``detail``; otherwise the call gives the transit times only,
    and a result simulates its route again, alone and with the same seed, when its per-element
    figures are first read (the same runs: a route's draws do not depend on the routes simulated
    with it).

    Raises
    ------
    karavan.errors.InputError
        Bad ``runs``/``seed``.
    """
    from karavan.reliability.kernel import N_PARTS, simulate_routes
    from karavan.reliability.spec import tables as spec_tables

    _check_runs_seed(runs, seed)
    if target is not None:
        target = _aware(target)
    rp = parameters or load_reliability_parameters()
    tab = spec_tables(net, rp)
    rows, bounds, pool = _rows(tab, items, cargo, des)
    departs = [it.depart for _, it in items]
    t0 = np.array([it.depart_h for _, it in items], dtype=np.float64)
    spec = np.array(rows) if rows else np.zeros((0, 24))  # rows of one width: an array, as np.stack but faster
    weather: _Weather = (tab.shares(), tab.storm, tab.storm_pool, tab.storm_cum)
    total = np.empty((len(items), runs))
    contrib = np.empty((spec.shape[0], runs)) if detail else None
    parts = np.empty((len(items), N_PARTS, runs)) if detail else None
    simulate_routes(seed, t0, np.asarray(bounds, dtype=np.int64), spec, pool, *weather, total, contrib, parts)
    quantiles = quantiles_of(total, QUANTILES) if runs else np.zeros((len(QUANTILES), len(items)))
    means, stds = total.mean(axis=1).tolist(), total.std(axis=1).tolist()
    on_time = _on_time(total, t0, target)
    out = []
    for r, (plan, it) in enumerate(items):
        summary = _summary_of(it) if summaries is None else _given(summaries[r])
        route_spec = spec[bounds[r] : bounds[r + 1]]
        known = None if contrib is None or parts is None else (contrib[bounds[r] : bounds[r + 1]], parts[r])
        fields = {
            "runs": runs,
            "seed": seed,
            "depart": departs[r],
            "transit_h": total[r],
            "quantiles_h": dict(zip(QUANTILES, quantiles[:, r].tolist(), strict=True)),
            "mean_h": means[r],
            "std_h": stds[r],
            "target": target,
            "on_time_probability": on_time[r],
            "planned_h": it.transit_time_h,
            "detail": _detail(seed, float(t0[r]), route_spec, pool, weather, runs, known),
            "explain": _explainer(net, plan, it),
            "summary": summary,
            "demand_mt": demand_mt,
            "parameters_version": rp.version,
            "histogram_bins": HISTOGRAM_BINS,
        }
        out.append(made(SimulationResult, fields))  # one result per route and request: made in one step
    return out


def _detail(
    seed: int, t0_h: float, spec: F64, pool: F64, weather: _Weather, runs: int, known: tuple[F64, F64] | None
) -> Callable[[], tuple[F64, F64]]:
    """A function giving one route's per-element hours and parts: ``known``, or simulated once when first called."""
    from karavan.reliability.kernel import N_PARTS, simulate_routes

    done: list[tuple[F64, F64]] = [] if known is None else [known]

    def detail() -> tuple[F64, F64]:
        if not done:
            total = np.empty((1, runs))
            contrib, parts = np.empty((spec.shape[0], runs)), np.empty((1, N_PARTS, runs))
            simulate_routes(seed, [t0_h], [0, spec.shape[0]], spec, pool, *weather, total, contrib, parts)
            done.append((contrib, parts[0]))
        return done[0]

    return detail


def _on_time(total: F64, t0: F64, target: datetime | None) -> list[float | None]:
    """``P(arrival <= target)`` of every route (rows of ``total``), or ``None`` per route without a target."""
    if target is None:
        return [None] * total.shape[0]
    limit = to_hours(target) - t0
    return list((total <= limit[:, None]).mean(axis=1).tolist())


def quantiles_of(total: F64, quantiles: Sequence[float]) -> F64:
    """``np.quantile(total, quantiles, axis=1)`` (linear method), from each row sorted.

    The same order statistics and the same interpolation arithmetic as numpy's, without its
    generic set-up (a few routes of a thousand runs: the set-up is most of the cost); rows with a
    value that is not finite go to ``np.quantile`` itself. A sort of the rows gives the same order
    statistics as numpy's partition at them, and is faster for any number of runs.
    """
    n = total.shape[1]
    if n == 0 or not math.isfinite(float(total.sum())):  # a sum is finite only if every value is
        return np.asarray(np.quantile(total, quantiles, axis=1), dtype=np.float64)
    prev_i, next_i, gamma = _order_statistics(n, tuple(quantiles))
    part = np.sort(total, axis=1)
    a, b = part[:, prev_i].T, part[:, next_i].T
    diff = b - a
    out = a + diff * gamma
    np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    return np.asarray(out, dtype=np.float64)


_Order = tuple[NDArray[np.intp], NDArray[np.intp], F64]
_ORDERS: dict[tuple[int, tuple[float, ...]], _Order] = {}


def _order_statistics(n: int, quantiles: tuple[float, ...]) -> _Order:
    """Indices below and above each quantile's virtual index among ``n`` sorted values and the
    interpolation weights, as numpy computes them (memoised by both inputs)."""
    hit = _ORDERS.get((n, quantiles))
    if hit is None:
        virtual = (n - 1) * np.asarray(quantiles, dtype=np.float64)
        prev = np.floor(virtual)
        nxt = prev + 1
        above = virtual >= n - 1
        prev[above] = -1
        nxt[above] = -1
        prev_i, next_i = prev.astype(np.intp), nxt.astype(np.intp)
        gamma = np.asarray(virtual - prev_i, dtype=np.float64).reshape(-1, 1)
        for arr in (prev_i, next_i, gamma):
            arr.flags.writeable = False  # shared between calls and threads
        hit = (prev_i, next_i, gamma)
        if len(_ORDERS) >= 64:
            _ORDERS.clear()
        _ORDERS[(n, quantiles)] = hit
    return hit


def _rows(
    tab: Any, items: Sequence[tuple[Sequence[LegPlan | HubPlan], Itinerary]], cargo: Cargo, des: CaspianResult | None
) -> tuple[list[F64], list[int], F64]:
    """Kernel rows of every element, route bounds, and the sample pool they draw from.

    The pool is the table's pool as it stands once every row is built (other threads may grow it later: the rows
    of this call point below that size), followed by the DES wait pools of sails-when-full legs.
    """
    from karavan.reliability.spec import element_row

    rows = [element_row(tab, element) for plan, _ in items for element in plan]
    bounds = [0]
    for plan, _ in items:
        bounds.append(bounds[-1] + len(plan))
    base = tab.pool_array()
    if des is None:
        return rows, bounds, base
    extra: list[F64] = [base]
    for r, (plan, it) in enumerate(items):
        legs = {leg.index: leg for leg in it.legs}
        for i, element in enumerate(plan):
            if isinstance(element, LegPlan):
                e = bounds[r] + i
                unit = _des_key(tab.net.services[element.service_id], cargo)
                rows[e] = _with_des_waits(tab, rows[e], element, des, unit, legs[i].depart_h, extra)
    return rows, bounds, base if len(extra) == 1 else np.concatenate(extra)


def _with_des_waits(
    tab: Any, row: F64, leg: LegPlan, des: CaspianResult, unit: str, ready_h: float, extra: list[F64]
) -> F64:
    """A sails-when-full leg's row drawing its wait from the DES run's waits (appended to ``extra``, whose first
    entry is the table's pool snapshot the rows point into)."""
    from karavan.reliability import kernel as k

    if row[k.C_DEP] != k.DEP_WHEN_FULL or row[k.C_STAY]:
        return row
    ports = tab.ports[leg]
    waits = _des_waits(des, ports.board, ports.alight, unit, ready_h)
    if waits is None:
        return row
    offset = float(sum(x.size for x in extra))
    row = row.copy()
    row[k.C_BOARD_PORT] = -1.0  # the DES waits include the storms
    row[k.C_FILL : k.C_FILL + 4] = (k.D_EMPIRICAL, offset, float(waits.size), 0.0)
    extra.append(np.asarray(waits, dtype=np.float64))
    return row


def _explainer(
    net: Network, plan: Sequence[LegPlan | HubPlan], it: Itinerary
) -> Callable[[], list[tuple[str, str, float]]]:
    """A function giving each element's name, kind and planned hours (for the per-element figures)."""

    def explain() -> list[tuple[str, str, float]]:
        legs = {leg.index: leg for leg in it.legs}
        hubs = {hub.index: hub for hub in it.hubs}
        out: list[tuple[str, str, float]] = []
        for i, element in enumerate(plan):
            if isinstance(element, HubPlan):
                op = net.hub_operations[element.op_id]
                hub = hubs[i]
                out.append((f"{i + 1}: {op.id} at {op.node}", op.kind.value, hub.wait_h + hub.figures.dwell_h))
                continue
            svc = net.services[element.service_id]
            run = next(r for r in service_runs(net, svc) if r.reverse == element.reverse)
            leg = legs[i]
            name = f"{i + 1}: {run.key} {element.board}→{element.alight}"
            out.append((name, f"leg:{svc.kind.value}", leg.wait_h + leg.figures.running_h))
        return out

    return explain


def _given(summary: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    return lambda: summary


def _summary_of(it: Itinerary) -> Callable[[], dict[str, Any]]:
    return lambda: _summary(it)


def _des_waits(
    des: CaspianResult | None, board: PortWeather | None, alight: PortWeather | None, unit: str, ready_h: float
) -> F64 | None:
    if des is None or board is None or alight is None:
        return None
    month = int(month_index(np.array([ready_h]))[0])
    return des.wait_samples(board.id, alight.id, unit, month=month)


def _shares(x: F64, total: F64, var_t: float) -> float:
    if var_t <= 0:
        return 0.0
    return float(np.dot(x - x.mean(), total - total.mean()) / total.size / var_t)


def _summary(itinerary: Itinerary) -> dict[str, Any]:
    return itinerary.to_dict(trail=False)


def route_summary(route: Route) -> dict[str, Any]:
    """A route's ``to_dict()`` without the calculation trail."""
    return route.to_dict(trail=False)


def simulate(
    net: Network,
    query: RouteQuery,
    *,
    route_index: int = 0,
    runs: int | None = None,
    demand_mt: float | None = None,
    parameters: ReliabilityParameters | None = None,
    des: CaspianResult | None = None,
) -> SimulationResult:
    """Plan ``query`` once and return the transit-time distribution of one of its routes.

    The plan already simulates every route with ``query.runs`` and ``query.seed``; that result
    is returned as it is unless a DES run (``des`` or ``demand_mt``) or other reliability
    ``parameters`` are asked for, in which case the chosen route is simulated again with them.

    Parameters
    ----------
    net : Network
        The network.
    query : RouteQuery
        The route request (its ``runs``, ``seed`` and ``target`` drive the simulation).
    route_index : int
        Which route of the plan (0 = first).
    runs : int, optional
        Monte Carlo runs for the chosen route (default ``query.runs``, whose result the plan has).
    demand_mt : float, optional
        Caspian demand (Mt/yr): sails-when-full waits come from a one-year DES run at this level.
    parameters : ReliabilityParameters, optional
        Reliability parameters; default the packaged ones.
    des : CaspianResult, optional
        A DES run to take waits from (wins over ``demand_mt``).

    Returns
    -------
    SimulationResult

    Raises
    ------
    karavan.errors.InputError
        Bad options (naming the field), e.g. ``route_index`` beyond the routes found.
    karavan.errors.NoRouteError
        If routing finds no route.
    """
    from karavan.routing import plan_routes

    limits.ROUTE_INDEX.check(route_index, "route_index")
    if demand_mt is not None:
        limits.DEMAND_MT.check(demand_mt, "demand_mt")
    if route_index >= query.max_routes:
        query = query.with_(max_routes=route_index + 1)
    plan = plan_routes(net, query)
    if route_index >= len(plan.routes):
        raise InputError("route_index", route_index, f"an index below the {len(plan.routes)} route(s) found")
    route = plan.routes[route_index]
    return simulate_route(net, route, plan.query, runs=runs, demand_mt=demand_mt, parameters=parameters, des=des)


def simulate_route(
    net: Network,
    route: Route,
    query: RouteQuery,
    *,
    runs: int | None = None,
    demand_mt: float | None = None,
    parameters: ReliabilityParameters | None = None,
    des: CaspianResult | None = None,
) -> SimulationResult:
    """The transit-time distribution of a planned route, reusing its simulation when it fits.

    Parameters
    ----------
    net : Network
        The network the route was planned on.
    route : Route
        A route of a :class:`~karavan.routing.RoutePlan`.
    query : RouteQuery
        The plan's query (cargo, seed, target, runs).
    runs : int, optional
        Runs (default ``query.runs``).
    demand_mt, parameters, des
        As for :func:`simulate`.
    """
    runs = query.runs if runs is None else runs
    _check_runs_seed(runs, query.seed)
    if demand_mt is not None:
        limits.DEMAND_MT.check(demand_mt, "demand_mt")
    summary = route_summary(route)
    sim = route.simulation
    if sim is not None and des is None and demand_mt is None and parameters is None and sim.runs == runs:
        return replace(sim, summary=_given(summary))
    rp = parameters or load_reliability_parameters()
    if des is None and demand_mt is not None:
        from karavan.reliability.des import simulate_caspian

        des = simulate_caspian(demand_mt=demand_mt, seed=query.seed, parameters=rp)
    return simulate_itinerary(
        net,
        plan_from_itinerary(route.itinerary),
        query.cargo,
        depart=route.itinerary.depart,
        runs=runs,
        seed=query.seed,
        target=query.target_at,
        des=des,
        parameters=rp,
        route=summary,
        demand_mt=demand_mt,
    )
