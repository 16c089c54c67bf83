"""Monte Carlo transit-time distributions of an itinerary, vectorised over runs.

Every stochastic part of a door-to-door trip is sampled for all runs at once, element by
element, and time is propagated through timetables (weekly / headway patterns are
evaluated on arrays; sails-when-full services draw a fill wait):

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from karavan.accounting import Cargo, HubPlan, Itinerary, LegPlan, evaluate
from karavan.errors import InputError
from karavan.model.distributions import Distribution, Fixed, LogNormal
from karavan.model.entities import Headway, OpeningHours, Service, Weekly, WhenFull
from karavan.model.enums import HubOpKind, Mode, ServiceKind, Unit, Weekday
from karavan.model.network import Network
from karavan.model.timetable import EPOCH_WEEKDAY, WEEK_H, month_index, service_runs, to_hours
from karavan.reliability.params import PortWeather, ReliabilityParameters, load_reliability_parameters

if TYPE_CHECKING:
    from karavan.reliability.des import CaspianResult
    from karavan.routing import Route, RouteQuery

F64 = NDArray[np.float64]
_MONDAY_H = (7 - EPOCH_WEEKDAY) % 7 * 24.0
_WEEKDAYS = list(Weekday)
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


# ----------------------------------------------------------------- vectorised time helpers


def next_departures(pattern: Weekly | Headway, t: F64, offset_h: float = 0.0) -> F64:
    """Vectorised :func:`karavan.model.timetable.next_departure` for scheduled patterns."""
    origin_t = t - offset_h
    if isinstance(pattern, Headway):
        anchor = _MONDAY_H + pattern.first_h
        k = np.ceil((origin_t - anchor) / pattern.headway_h - 1e-9)
        return anchor + k * pattern.headway_h + offset_h
    week_start = _MONDAY_H + np.floor((origin_t - _MONDAY_H) / WEEK_H) * WEEK_H
    best = np.full_like(t, np.inf)
    for day in set(pattern.days):
        cand = week_start + day.number * 24.0 + pattern.time_h
        cand = np.where(cand < origin_t - 1e-9, cand + WEEK_H, cand)
        np.minimum(best, cand, out=best)
    return best + offset_h


def sample_departures(pattern: Weekly | Headway, t: F64, offset_h: float, rng: np.random.Generator) -> F64:
    """Departure times for units ready at ``t``: the timetable, or a uniformly drawn phase.

    A headway whose clock times are not published (``phase: unknown``) leaves a random
    share of the headway after the unit is ready (a unit arriving at a random time), so a
    daily train is not always the 06:00 one.
    """
    if isinstance(pattern, Headway) and not pattern.phase_known:
        return np.asarray(t + rng.random(t.size) * pattern.headway_h, dtype=np.float64)
    return next_departures(pattern, t, offset_h)


def _slippage(rp: ReliabilityParameters, svc: Service, rng: np.random.Generator, runs: int) -> F64:
    """Departure slippage by service kind; none for times that already include delays."""
    slip_p = rp.montecarlo.slippage_h.get(svc.kind.value)
    if slip_p is None or svc.delays_included:
        return np.zeros(runs)
    return np.asarray(slip_p.value.sample(rng, runs), dtype=np.float64)


def _running(
    rp: ReliabilityParameters, svc: Service, planned: float, run_h: float, rng: np.random.Generator, runs: int
) -> F64:
    """Running time of a leg: the service's own spread, else planned × the kind's factor.

    A service whose time was derived from achieved times (``delays_included``) runs its
    planned time: a further running factor would count its delays twice.
    """
    rt = svc.running_time_h
    if rt is not None and not isinstance(rt, Fixed):
        share = planned / run_h if run_h > 0 else 0.0
        return np.asarray(rt.sample(rng, runs) * share, dtype=np.float64)
    fac = rp.montecarlo.running_factor.get(svc.kind.value)
    if fac is None or svc.delays_included:
        return np.full(runs, planned)
    return np.asarray(planned * fac.value.sample(rng, runs), dtype=np.float64)


def next_openings(opening: OpeningHours, t: F64) -> F64:
    """Vectorised :func:`karavan.accounting.next_opening` (``inf`` where never open)."""
    if opening.always:
        return np.asarray(t, dtype=np.float64)
    day0 = np.floor(t / 24.0)
    days = np.array([_WEEKDAYS.index(d) for d in set(opening.days)])
    out = np.full_like(t, np.inf)
    todo = np.ones(t.shape, dtype=np.bool_)
    for d in range(8):
        day = day0 + d
        ok = np.isin((day + EPOCH_WEEKDAY) % 7, days) & todo
        end = day * 24.0 + opening.end_h
        hit = ok & (t < end)
        out = np.where(hit, np.maximum(t, day * 24.0 + opening.start_h), out)
        todo &= ~hit
    return out


def residual_storm(dist: Distribution, rng: np.random.Generator, size: int) -> F64:
    """Remaining closure when arriving during a storm: ``U × L*`` with ``L*`` length-biased.

    For a lognormal storm length the length-biased law is lognormal with ``mu + sigma²``.
    """
    u = rng.random(size)
    if isinstance(dist, LogNormal):
        return u * rng.lognormal(dist.mu + dist.sigma**2, dist.sigma, size)
    if isinstance(dist, Fixed):
        return u * dist.value
    pool = dist.sample(rng, 4 * size + 16)
    w = pool / pool.sum() if pool.sum() > 0 else np.full(pool.size, 1.0 / pool.size)
    picked: F64 = np.asarray(rng.choice(pool, size=size, p=w), dtype=np.float64)
    return u * picked


def weather_delay(
    port: PortWeather | None, storm: Distribution, t: F64, rng: np.random.Generator, month_override: int | None = None
) -> F64:
    """Extra hours until ``port`` reopens for each time in ``t`` (0 where open or unlisted)."""
    if port is None:
        return np.zeros_like(t)
    share = np.asarray(port.closed_share, dtype=np.float64)
    p = share[month_index(t)] if month_override is None else np.full(t.shape, share[month_override])
    closed = rng.random(t.size) < p
    out = np.zeros_like(t)
    n = int(closed.sum())
    if n:
        out[closed] = residual_storm(storm, rng, n)
    return out


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
        Per leg / hub element: mean, spread and variance share.
    part_shares : dict
        Variance shares by kind of time (border dwell, ferry wait, weather, ...).
    """

    runs: int
    seed: int
    depart: datetime
    transit_h: F64 = field(repr=False)
    quantiles_h: dict[float, float]
    mean_h: float
    std_h: float
    target: datetime | None
    on_time_probability: float | None
    elements: tuple[ElementStats, ...]
    part_shares: dict[str, float]
    planned_h: float
    route: dict[str, Any]
    demand_mt: float | None = None
    parameters_version: str = ""
    histogram_bins: int = 30

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
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 2 or runs > 50_000_000:
        raise InputError("runs", runs, "an integer between 2 and 50,000,000")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "a non-negative integer")


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
        Number of Monte Carlo runs (all drawn at once per element).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same result.
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
    if target is not None:
        target = _aware(target)
    rp = parameters or load_reliability_parameters()
    itinerary = evaluate(net, plan, cargo, depart=depart)
    rng = np.random.default_rng(seed)
    storm = rp.weather.storm_h.value
    t0 = to_hours(depart)
    t = np.full(runs, t0, dtype=np.float64)
    n_el = len(plan)
    contrib = np.empty((n_el, runs), dtype=np.float64)
    parts: dict[str, F64] = {p: np.zeros(runs) for p in PARTS}
    labels: list[tuple[str, str, float]] = []
    legs_by_index = {leg.index: leg for leg in itinerary.legs}
    hubs_by_index = {hub.index: hub for hub in itinerary.hubs}
    runs_cache: dict[str, Any] = {}

    for k, element in enumerate(plan):
        start = t.copy()
        if isinstance(element, HubPlan):
            op = net.hub_operations[element.op_id]
            hub_res = hubs_by_index[k]
            opened = next_openings(op.opening, t)
            parts["opening_wait"] += opened - t
            dwell = op.dwell_h.sample(rng, runs)
            part = "border_dwell" if op.kind is HubOpKind.BORDER_CROSSING else "hub_handling"
            parts[part] += dwell
            t = opened + dwell
            labels.append((f"{k + 1}: {op.id} at {op.node}", op.kind.value, hub_res.wait_h + hub_res.figures.dwell_h))
        else:
            svc = net.services[element.service_id]
            leg_res = legs_by_index[k]
            svc_runs = runs_cache.get(svc.id) or service_runs(net, svc)
            runs_cache[svc.id] = svc_runs
            run = next(r for r in svc_runs if r.reverse == element.reverse)
            i, j = run.stops.index(element.board), run.stops.index(element.alight)
            sea = svc.mode is Mode.SEA
            board_port = rp.port_weather(net.nodes[element.board]) if sea else None
            alight_port = rp.port_weather(net.nodes[element.alight]) if sea else None
            if not element.stay_aboard:
                pattern = svc.departures
                if isinstance(pattern, WhenFull):
                    waits = _des_waits(des, board_port, alight_port, _des_key(svc, cargo), leg_res.depart_h)
                    if waits is None:
                        w = weather_delay(board_port, storm, t, rng)
                        parts["weather"] += w
                        fill = pattern.expected_wait_h.sample(rng, runs)
                    else:
                        fill = waits[rng.integers(0, waits.size, runs)]
                    parts["ferry_wait"] += fill
                    t = t + fill + (w if waits is None else 0.0)
                else:
                    dep = sample_departures(pattern, t, run.cum_h[i], rng)
                    parts["timetable_wait"] += dep - t
                    slip = _slippage(rp, svc, rng, runs)
                    parts["slippage"] += slip
                    dep = dep + slip
                    w = weather_delay(board_port, storm, dep, rng)
                    parts["weather"] += w
                    t = dep + w
            planned = run.cum_h[j] - run.cum_h[i]
            running = _running(rp, svc, planned, run.cum_h[-1], rng, runs)
            parts["running"] += np.minimum(running, planned)
            parts["running_delay"] += running - np.minimum(running, planned)
            t = t + running
            w_arr = weather_delay(alight_port, storm, t, rng)
            parts["weather"] += w_arr
            t = t + w_arr
            labels.append(
                (
                    f"{k + 1}: {run.key} {element.board}→{element.alight}",
                    f"leg:{svc.kind.value}",
                    leg_res.wait_h + leg_res.figures.running_h,
                )
            )
        contrib[k] = t - start

    total = t - t0
    return _summarise(
        total,
        contrib,
        parts,
        labels,
        runs=runs,
        seed=seed,
        depart=depart,
        target=target,
        planned_h=itinerary.transit_time_h,
        route=dict(route) if route is not None else _summary(itinerary),
        demand_mt=demand_mt,
        version=rp.version,
    )


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


def _summarise(
    total: F64,
    contrib: F64,
    parts: dict[str, F64],
    labels: list[tuple[str, str, float]],
    *,
    runs: int,
    seed: int,
    depart: datetime,
    target: datetime | None,
    planned_h: float,
    route: dict[str, Any],
    demand_mt: float | None,
    version: str,
) -> SimulationResult:
    q = np.quantile(total, QUANTILES)
    var_t = float(total.var())
    elements: list[ElementStats] = []
    for k, (name, kind, planned) in enumerate(labels):
        x = contrib[k]
        p50, p90 = np.quantile(x, (0.5, 0.9))
        elements.append(
            ElementStats(
                name, kind, float(x.mean()), float(x.std()), float(p50), float(p90), planned, _shares(x, total, var_t)
            )
        )
    part_shares = {p: _shares(v, total, var_t) for p, v in parts.items() if np.any(v)}
    on_time = None
    if target is not None:
        limit = to_hours(target) - to_hours(depart)
        on_time = float(np.mean(total <= limit))
    return SimulationResult(
        runs=runs,
        seed=seed,
        depart=depart,
        transit_h=total,
        quantiles_h={qq: float(v) for qq, v in zip(QUANTILES, q, strict=True)},
        mean_h=float(total.mean()),
        std_h=float(total.std()),
        target=target,
        on_time_probability=on_time,
        elements=tuple(elements),
        part_shares=part_shares,
        planned_h=planned_h,
        route=route,
        demand_mt=demand_mt,
        parameters_version=version,
    )


def _summary(itinerary: Itinerary) -> dict[str, Any]:
    data = itinerary.to_dict()
    data.pop("trail", None)
    return data


def route_summary(route: Route) -> dict[str, Any]:
    """A route's ``to_dict()`` without the calculation trail."""
    data = route.to_dict()
    data.pop("trail", None)
    return data


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

    if isinstance(route_index, bool) or not isinstance(route_index, int) or route_index < 0:
        raise InputError("route_index", route_index, "a non-negative integer")
    if demand_mt is not None and (not isinstance(demand_mt, int | float) or not 0 < demand_mt <= 100):
        raise InputError("demand_mt", demand_mt, "a yearly demand in Mt between 0 and 100")
    if route_index >= query.max_routes:
        query = query.with_(max_routes=min(50, route_index + 1))
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
    if demand_mt is not None and (not isinstance(demand_mt, int | float) or not 0 < demand_mt <= 100):
        raise InputError("demand_mt", demand_mt, "a yearly demand in Mt between 0 and 100")
    summary = route_summary(route)
    sim = route.simulation
    if sim is not None and des is None and demand_mt is None and parameters is None and sim.runs == runs:
        return replace(sim, route=summary)
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
