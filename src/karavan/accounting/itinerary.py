"""Evaluate a planned itinerary: times walked forward with timetables, costs, emissions, trail."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any, cast

from karavan._frozen import made
from karavan.accounting.cargo import Cargo
from karavan.accounting.elements import HubFigures, LegFigures, _hub, _leg, field_provenance, next_opening
from karavan.accounting.params import Parameters, load_parameters
from karavan.accounting.trail import TrailInput, TrailRow, fmt, trail_csv
from karavan.errors import InputError
from karavan.model.entities import Departures, HubOperation, Service
from karavan.model.enums import Unit
from karavan.model.network import Network
from karavan.model.timetable import Run, from_hours, iso_hours, next_departure, service_runs, to_hours


@dataclass(frozen=True, slots=True)
class LegPlan:
    """Ride service ``service_id`` (its reverse direction if ``reverse``) from ``board`` to ``alight``.

    ``stay_aboard`` marks a leg that continues on the same vehicle after a hub
    operation done on board (a border control mid-run), or with the same consist after a
    through train's gauge change (``through_train`` names the train): it does not wait
    for a departure.
    """

    service_id: str
    reverse: bool
    board: str
    alight: str
    stay_aboard: bool = False
    through_train: str | None = None
    carrier: Unit | None = None
    """The wagon or trailer a container crosses on aboard a roll-on ship (its fare and tare count)."""


@dataclass(frozen=True, slots=True)
class HubPlan:
    """Undergo hub operation ``op_id`` at the current node."""

    op_id: str


@dataclass(frozen=True)
class LegResult:
    """A leg of an evaluated itinerary: its figures and its place in time."""

    index: int
    figures: LegFigures
    depart_h: float
    arrive_h: float
    wait_h: float
    stay_aboard: bool = False
    mode: str = ""
    service_name: str = ""
    service_kind: str = ""
    operator: str = ""
    carrier_unit: str = ""
    tonnes: float = 0.0
    toc: str = ""
    through_train: str | None = None
    """The through train whose consist the unit stays with on this leg (it boarded at the gauge break)."""

    @property
    def tkm(self) -> float:
        """Transport activity: cargo tonnes × leg distance."""
        return self.tonnes * self.figures.distance_km

    @property
    def co2e_intensity_g_per_tkm(self) -> float | None:
        """Well-to-wheel emission intensity of the leg (ISO 14083 TCE), ``None`` without activity."""
        tkm = self.tkm
        return 1000.0 * self.figures.co2e_wtw_kg / tkm if tkm > 0 else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        f = self.figures
        return {
            "index": self.index,
            "service": f.service_id,
            "service_name": self.service_name,
            "service_kind": self.service_kind,
            "operator": self.operator,
            "mode": self.mode,
            "carrier_unit": self.carrier_unit,
            "reverse": f.reverse,
            "stay_aboard": self.stay_aboard,
            "through_train": self.through_train,
            "from": f.board,
            "to": f.alight,
            "depart": iso_hours(self.depart_h),
            "arrive": iso_hours(self.arrive_h),
            "distance_km": f.distance_km,
            "running_h": f.running_h,
            "wait_h": self.wait_h,
            "tonnes": self.tonnes,
            "tkm": self.tkm,
            "toc": self.toc,
            "cost_usd": f.cost_usd,
            "co2e_kg": f.co2e_wtw_kg,
            "co2e_ttw_kg": f.co2e_ttw_kg,
            "co2e_wtt_kg": f.co2e_wtt_kg,
            "co2e_intensity_g_per_tkm": self.co2e_intensity_g_per_tkm,
            "countries": list(f.countries),
            "default_tariff": f.default_tariff,
        }


@dataclass(frozen=True)
class HubResult:
    """A hub operation of an evaluated itinerary: its figures and its place in time."""

    index: int
    figures: HubFigures
    kind: str
    start_h: float
    end_h: float
    wait_h: float
    hoc: str = ""
    tonnes: float = 0.0

    @property
    def co2e_intensity_kg_per_t(self) -> float | None:
        """Well-to-wheel emission intensity of the operation (ISO 14083 HOC), ``None`` without tonnes."""
        return self.figures.co2e_wtw_kg / self.tonnes if self.tonnes > 0 else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        f = self.figures
        return {
            "index": self.index,
            "op": f.op_id,
            "node": f.node,
            "kind": self.kind,
            "start": iso_hours(self.start_h),
            "end": iso_hours(self.end_h),
            "wait_h": self.wait_h,
            "dwell_h": f.dwell_h,
            "tonnes": self.tonnes,
            "hoc": self.hoc,
            "cost_usd": f.cost_usd,
            "co2e_kg": f.co2e_wtw_kg,
            "co2e_ttw_kg": f.co2e_ttw_kg,
            "co2e_wtt_kg": f.co2e_wtt_kg,
            "co2e_intensity_kg_per_t": self.co2e_intensity_kg_per_t,
        }


@dataclass(frozen=True)
class Itinerary:
    """An evaluated itinerary with totals and the calculation trail.

    Totals are sums over the elements (and equal the sums of the trail rows per
    quantity); nothing is rounded. ``co2e_kg`` is well-to-wheel.
    """

    cargo: Cargo
    tonnes: float
    teu: float
    depart_h: float
    arrive_h: float
    legs: tuple[LegResult, ...]
    hubs: tuple[HubResult, ...]
    _trail: tuple[TrailRow, ...] | None
    transit_time_h: float
    distance_km: float
    cost_usd: float
    inventory_cost_usd: float
    co2e_kg: float
    co2e_ttw_kg: float
    co2e_wtt_kg: float
    parameters_version: str
    _replay: Callable[[], tuple[TrailRow, ...]] | None = field(default=None, compare=False, repr=False)

    @property
    def trail(self) -> tuple[TrailRow, ...]:
        """The calculation trail, one row per computed figure.

        Built on first use by walking the same plan again with the same code path (so its
        numbers are the itinerary's numbers); routing evaluates many candidates and only
        the trails someone reads are ever built.
        """
        if self._trail is None:
            rows = self._replay() if self._replay is not None else ()
            object.__setattr__(self, "_trail", rows)
            return rows
        return self._trail

    @property
    def depart(self) -> datetime:
        """Departure from the origin (the requested time), UTC."""
        return from_hours(self.depart_h)

    @property
    def arrive(self) -> datetime:
        """Arrival at the end of the last element, UTC."""
        return from_hours(self.arrive_h)

    def through_connections(self) -> list[dict[str, str]]:
        """Where the unit stays with a through train's consist: ``{"train", "at", "service"}`` per connection.

        ``at`` is the gauge-break or border node where the consist goes on as ``service``
        without the unit waiting for another departure.
        """
        return [
            {"train": leg.through_train, "at": leg.figures.board, "service": leg.figures.service_id}
            for prev, leg in zip(self.legs, self.legs[1:], strict=False)
            if leg.through_train
            and (prev.through_train != leg.through_train or prev.figures.service_id != leg.figures.service_id)
        ]

    def trail_rows(self) -> list[dict[str, Any]]:
        """The trail as a list of JSON-ready dicts."""
        return [r.to_dict() for r in self.trail]

    def trail_csv(self) -> str:
        """The trail as CSV text."""
        return trail_csv(self.trail)

    def to_dict(self, *, trail: bool = True) -> dict[str, Any]:
        """JSON-ready mapping with totals, legs, hubs and (unless ``trail=False``) the trail."""
        c = self.cargo
        return {
            "depart": iso_hours(self.depart_h),
            "arrive": iso_hours(self.arrive_h),
            "transit_time_h": self.transit_time_h,
            "distance_km": self.distance_km,
            "cost_usd": self.cost_usd,
            "inventory_cost_usd": self.inventory_cost_usd,
            "co2e_kg": self.co2e_kg,
            "co2e_ttw_kg": self.co2e_ttw_kg,
            "co2e_wtt_kg": self.co2e_wtt_kg,
            "cargo": {
                "unit": c.unit.value,
                "count": c.count,
                "tonnes": self.tonnes,
                "teu": self.teu,
                "value_usd": c.value_usd,
            },
            "parameters_version": self.parameters_version,
            "legs": [leg.to_dict() for leg in self.legs],
            "hubs": [hub.to_dict() for hub in self.hubs],
            "through_trains": self.through_connections(),
            **({"trail": self.trail_rows()} if trail else {}),
        }


def evaluate(
    net: Network,
    plan: Sequence[LegPlan | HubPlan],
    cargo: Cargo,
    *,
    depart: datetime,
    params: Parameters | None = None,
    inventory_rate: float | None = None,
    trail: bool = False,
) -> Itinerary:
    """Walk ``plan`` forward in time from ``depart`` and account time, cost and GHG per element.

    Each leg waits for the service's next departure from its boarding stop
    (:func:`karavan.model.timetable.next_departure`; sail-when-full services add the
    expected fill wait), then runs its share of the service's running time. Each hub
    operation waits for its opening hours, then dwells its mean dwell. Consecutive
    elements must connect: a leg boards where the previous element ended and a hub
    operation is at that node.

    Parameters
    ----------
    net : Network
        The network.
    plan : sequence of LegPlan and HubPlan
        The elements in order.
    cargo : Cargo
        What is carried.
    depart : datetime
        Earliest departure from the origin (naive = UTC).
    params : Parameters, optional
        Accounting parameters; default ``load_parameters(net.path)``: the packaged ones,
        overridden by the dataset's own ``parameters.yaml`` if it has one.
    inventory_rate : float, optional
        Annual carrying-cost rate of the cargo's value; default from the parameters.
        Applied only when ``cargo.value_usd`` is given.
    trail : bool
        Build the calculation trail now; by default it is built when first read
        (:attr:`Itinerary.trail`), from the same plan and inputs.

    Returns
    -------
    Itinerary

    Raises
    ------
    karavan.errors.InputError
        Unknown service, operation or stop; stops out of order; elements that do not
        connect; a unit a service or operation does not take; a bad ``inventory_rate``.
    """
    if params is None:
        params = load_parameters(net.path)
    steps = tuple(plan)
    if trail:
        return _walk(net, steps, cargo, depart, params, inventory_rate, [])
    it = _walk(net, steps, cargo, depart, params, inventory_rate, None)
    object.__setattr__(it, "_replay", partial(_replay_trail, net, steps, cargo, depart, params, inventory_rate))
    return it


def _replay_trail(
    net: Network,
    plan: tuple[LegPlan | HubPlan, ...],
    cargo: Cargo,
    depart: datetime,
    params: Parameters,
    inventory_rate: float | None,
) -> tuple[TrailRow, ...]:
    return _walk(net, plan, cargo, depart, params, inventory_rate, []).trail


def _walk(
    net: Network,
    plan: Sequence[LegPlan | HubPlan],
    cargo: Cargo,
    depart: datetime,
    params: Parameters,
    inventory_rate: float | None,
    trail: list[TrailRow] | None,
) -> Itinerary:
    """The body of :func:`evaluate`; appends trail rows to ``trail`` unless it is ``None``."""
    if not plan:
        raise InputError("plan", [], "at least one leg or hub operation")
    rate = params.inventory_rate if inventory_rate is None else inventory_rate
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate) or rate < 0:
        raise InputError("inventory_rate", inventory_rate, "a non-negative annual rate, e.g. 0.1")

    t0 = to_hours(depart)
    memo = _figures_memo(net, params, cargo)
    w = _Walk(net, params, cargo, memo, trail, t0)
    for k, element in enumerate(plan):
        if isinstance(element, LegPlan):
            _walk_leg(w, k, element)
        elif isinstance(element, HubPlan):
            _walk_hub(w, k, element)
        else:
            raise InputError(f"plan[{k}]", element, "a LegPlan or a HubPlan")

    transit = w.t - t0
    inventory = 0.0
    cost = w.cost
    if cargo.value_usd is not None:
        inventory = _inventory(cargo, params, rate, inventory_rate, transit, trail)
        cost += inventory
    if memo.teu is None:
        memo.teu = cargo.teu(net)
    return made(
        Itinerary,
        {
            "cargo": cargo,
            "tonnes": memo.tonnes,
            "teu": memo.teu,
            "depart_h": t0,
            "arrive_h": w.t,
            "legs": tuple(w.legs),
            "hubs": tuple(w.hubs),
            "_trail": None if trail is None else tuple(trail),
            "transit_time_h": transit,
            "distance_km": w.distance,
            "cost_usd": cost,
            "inventory_cost_usd": inventory,
            "co2e_kg": w.wtw,
            "co2e_ttw_kg": w.ttw,
            "co2e_wtt_kg": w.wtt,
            "parameters_version": params.version,
            "_replay": None,
        },
    )


@dataclass(slots=True)
class _Walk:
    """A walk along a plan: what it is walked with (network, parameters, cargo, memo, trail rows), and
    where it is: the clock, the node reached, the elements and running totals."""

    net: Network
    params: Parameters
    cargo: Cargo
    memo: _Memo
    trail: list[TrailRow] | None
    t: float
    location: str | None = None
    legs: list[LegResult] = field(default_factory=list)
    hubs: list[HubResult] = field(default_factory=list)
    distance: float = 0.0
    cost: float = 0.0
    wtw: float = 0.0
    ttw: float = 0.0
    wtt: float = 0.0

    def add(self, figs: LegFigures | HubFigures) -> None:
        """Add an element's cost and emissions to the totals."""
        self.cost += figs.cost_usd
        self.wtw += figs.co2e_wtw_kg
        self.ttw += figs.co2e_ttw_kg
        self.wtt += figs.co2e_wtt_kg


def _walk_leg(w: _Walk, k: int, element: LegPlan) -> None:
    """Ride leg ``element`` (the ``k``-th element) from the walk's clock."""
    net, params, cargo, trail = w.net, w.params, w.cargo, w.trail
    step = _leg_step(net, params, element, k, cargo, w.memo)
    if w.location is not None and element.board != w.location:
        raise InputError(f"plan[{k}].board", element.board, f"the node the previous element ends at ({w.location})")
    t = w.t
    dep = t if element.stay_aboard else next_departure(step.departures, t, step.offset_h)
    if dep < t:  # guard against rounding in the timetable arithmetic
        dep = t
    wait = dep - t
    figs = step.figures
    if trail is not None:
        run = step.run
        label = f"{k + 1}: {run.key} {element.board}→{element.alight}"
        trail.append(_wait_row(label, run.service, t, dep, wait))
        figs = _leg(net, params, run, step.i, step.j, cargo, trail, label)
    w.t = arrive = dep + figs.running_h
    mode, name, kind, operator, carrier, toc = step.describe
    w.legs.append(
        made(
            LegResult,
            {
                "index": k,
                "figures": figs,
                "depart_h": dep,
                "arrive_h": arrive,
                "wait_h": wait,
                "stay_aboard": element.stay_aboard,
                "mode": mode,
                "service_name": name,
                "service_kind": kind,
                "operator": operator,
                "carrier_unit": carrier,
                "tonnes": w.memo.tonnes,
                "toc": toc,
                "through_train": element.through_train,
            },
        )
    )
    w.location = element.alight
    w.distance += figs.distance_km
    w.add(figs)


def _walk_hub(w: _Walk, k: int, element: HubPlan) -> None:
    """Undergo hub operation ``element`` (the ``k``-th element) from the walk's clock."""
    net, params, cargo, trail = w.net, w.params, w.cargo, w.trail
    op = net.hub_operations.get(element.op_id)
    if op is None:
        raise InputError(f"plan[{k}].op_id", element.op_id, "a hub operation id of the network")
    if w.location is not None and op.node != w.location:
        raise InputError(
            f"plan[{k}].op_id",
            element.op_id,
            f"an operation at the node the previous element ends at ({w.location}); {op.id} is at {op.node}",
        )
    hub = _hub_step(net, params, op, cargo, w.memo)
    t = w.t
    start = t if hub.always_open else next_opening(op.opening, t)
    if math.isinf(start):
        raise InputError(f"plan[{k}].op_id", element.op_id, "an operation with opening hours")
    wait = start - t
    figs = hub.figures
    if trail is not None:
        label = f"{k + 1}: {op.id} at {op.node}"
        if not hub.always_open:
            trail.append(_opening_row(label, op, t, start, wait))
        figs = _hub(net, params, op, cargo, trail, label)
    w.t = end = start + figs.dwell_h
    w.hubs.append(
        made(
            HubResult,
            {
                "index": k,
                "figures": figs,
                "kind": hub.kind,
                "start_h": start,
                "end_h": end,
                "wait_h": wait,
                "hoc": hub.hoc,
                "tonnes": w.memo.tonnes,
            },
        )
    )
    w.location = op.node
    w.add(figs)


def _inventory(
    cargo: Cargo,
    params: Parameters,
    rate: float,
    inventory_rate: float | None,
    transit: float,
    trail: list[TrailRow] | None,
) -> float:
    """The inventory carrying cost of ``cargo`` over ``transit`` hours (and its trail row)."""
    assert cargo.value_usd is not None
    days = transit / 24.0
    inventory = cargo.value_usd * rate * days / 365.0
    flags: tuple[str, ...] = ()
    if inventory_rate is None and params.inventory_estimate:
        flags = ("estimate: " + params.inventory_estimate,)
    rate_est = params.inventory_estimate if inventory_rate is None else ""
    if trail is not None:
        trail.append(
            TrailRow(
                "inventory",
                "itinerary",
                "cost_usd",
                f"{fmt(cargo.value_usd)} USD × {fmt(rate)} /yr × {fmt(days)} d / 365",
                (
                    TrailInput("cargo value", cargo.value_usd, "USD"),
                    TrailInput("annual carrying rate", rate, "1/yr", (), rate_est),
                    TrailInput("transit time", days, "d"),
                ),
                inventory,
                "USD",
                flags,
            )
        )
    return inventory


def _opening_row(label: str, op: HubOperation, t: float, start: float, wait: float) -> TrailRow:
    """The trail row of the wait for a hub operation's opening hours."""
    opening = op.opening
    return TrailRow(
        label,
        "hub",
        "wait_h",
        f"next opening {from_hours(start).isoformat()} − arrival {from_hours(t).isoformat()}",
        (
            TrailInput(
                "opening",
                f"{[d.value for d in opening.days]} {fmt(opening.start_h)}-{fmt(opening.end_h)} h UTC",
                "-",
                *field_provenance(op, "opening"),
            ),
        ),
        wait,
        "h",
    )


_MEMO_SIZE = 50_000
"""Most legs and hub operations memoised per network, parameters and cargo before the memo starts afresh."""


@dataclass(frozen=True, slots=True)
class _LegStep:
    """What a leg of a plan resolves to: its run, stop indices, figures and description."""

    run: Run
    i: int
    j: int
    figures: LegFigures
    describe: tuple[str, str, str, str, str, str]
    """mode, service name, service kind, operator, carrier unit, transport category."""
    departures: Departures
    """The service's departure pattern."""
    offset_h: float
    """Running time from the run's origin to the boarding stop."""


@dataclass(frozen=True, slots=True)
class _HubStep:
    figures: HubFigures
    kind: str
    hoc: str
    always_open: bool


@dataclass(slots=True)
class _Memo:
    """Legs and hub operations accounted on a network with some parameters for a cargo, and the cargo's mass.

    ``steps`` holds the legs by ``(service, reverse, board, alight, carrier)``, the hub operations by id,
    and both by the ``id`` of a plan element already seen, beside the element (which keeps the ``id``
    its own): routes share their elements, so most are found without building a key.
    """

    params: Parameters
    tonnes: float
    teu: float | None = None
    steps: dict[Any, Any] = field(default_factory=dict)


def _figures_memo(net: Network, params: Parameters, cargo: Cargo) -> _Memo:
    """Legs and hub operations already accounted on ``net`` with ``params`` for ``cargo``.

    Figures are pure functions of the network, the parameters, the element and the cargo, so a
    repeated element is looked up (the trail, when asked for, is always computed afresh).
    """
    memos: dict[tuple[int, Cargo], _Memo] = net.__dict__.setdefault("_figures_memo", {})
    key = (id(params), cargo)
    memo = memos.get(key)
    if memo is None or memo.params is not params or len(memo.steps) > _MEMO_SIZE:
        if len(memos) > 64:
            memos.clear()
        memo = _Memo(params, cargo.tonnes(net))
        memos[key] = memo
    return memo


def _leg_step(net: Network, params: Parameters, leg: LegPlan, k: int, cargo: Cargo, memo: _Memo) -> _LegStep:
    """The resolved and accounted ``leg`` (memoised; a leg that does not resolve raises every time)."""
    steps = memo.steps
    seen = steps.get(id(leg))
    if seen is not None and seen[0] is leg:
        return cast(_LegStep, seen[1])
    key = (leg.service_id, leg.reverse, leg.board, leg.alight, leg.carrier)
    hit: _LegStep | None = steps.get(key)
    if hit is None:
        run, i, j = _resolve_leg(net, leg, k, cargo.unit)
        figs = _leg(net, params, run, i, j, cargo, None, "")
        svc = run.service
        describe = (svc.mode.value, svc.name, svc.kind.value, svc.operator, figs.carrier or cargo.unit.value, svc.toc)
        hit = _LegStep(run, i, j, figs, describe, svc.departures, run.cum_h[i])
        steps[key] = hit
    steps[id(leg)] = (leg, hit)
    return hit


def _hub_step(net: Network, params: Parameters, op: HubOperation, cargo: Cargo, memo: _Memo) -> _HubStep:
    """The accounted hub operation ``op`` (memoised)."""
    hit: _HubStep | None = memo.steps.get(op.id)
    if hit is None:
        figs = _hub(net, params, op, cargo, None, "")
        hit = _HubStep(figs, op.kind.value, op.hoc, op.opening.always)
        memo.steps[op.id] = hit
    return hit


def _resolve_leg(net: Network, leg: LegPlan, k: int, unit: Unit) -> tuple[Run, int, int]:
    svc = net.services.get(leg.service_id)
    if svc is None:
        raise InputError(f"plan[{k}].service_id", leg.service_id, "a service id of the network")
    if leg.reverse and svc.oneway:
        raise InputError(f"plan[{k}].reverse", True, f"False: service {svc.id} is one-way")
    run = next(r for r in service_runs(net, svc) if r.reverse == leg.reverse)
    carriers = svc.carriers_for(unit)
    if carriers:
        if leg.carrier is not None and leg.carrier not in carriers:
            raise InputError(
                f"plan[{k}].carrier", leg.carrier.value, f"a carrier unit {svc.id} takes: {[c.value for c in carriers]}"
            )
        run = replace(run, carrier=leg.carrier or carriers[0])
    try:
        i = run.stops.index(leg.board)
    except ValueError:
        raise InputError(f"plan[{k}].board", leg.board, f"a stop of {run.key}: {list(run.stops)}") from None
    try:
        j = run.stops.index(leg.alight)
    except ValueError:
        raise InputError(f"plan[{k}].alight", leg.alight, f"a stop of {run.key}: {list(run.stops)}") from None
    if j <= i:
        raise InputError(f"plan[{k}].alight", leg.alight, f"a stop after {leg.board} on {run.key}: {list(run.stops)}")
    return run, i, j


def _wait_row(label: str, svc: Service, t: float, dep: float, wait: float) -> TrailRow:
    pattern: Any = svc.departures
    kind = getattr(pattern, "pattern", "?")
    sources, why = field_provenance(svc, "departures")
    if kind == "headway" and not pattern.phase_known:
        formula = f"mean wait at a random arrival: headway {fmt(pattern.headway_h)} h / 2 (clock times not published)"
        phase_in = (TrailInput("headway_h", pattern.headway_h, "h", sources, why),)
        return TrailRow(label, "leg", "wait_h", formula, phase_in, wait, "h", ("estimate: departure phase unknown",))
    if kind == "when_full":
        formula = f"expected fill wait: mean of {pattern.expected_wait_h.describe()}"
        inputs: tuple[TrailInput, ...] = (
            TrailInput("expected_wait_h", pattern.expected_wait_h.describe(), "h", sources, why),
            TrailInput("fill_threshold", pattern.fill_threshold, "-", sources, why),
        )
    else:
        formula = f"next departure {from_hours(dep).isoformat()} − ready {from_hours(t).isoformat()}"
        desc = (
            f"weekly {[d.value for d in pattern.days]} {pattern.time}"
            if kind == "weekly"
            else f"every {fmt(pattern.headway_h)} h from {pattern.first}"
        )
        inputs = (TrailInput("departures", desc, "-", sources, why),)
    return TrailRow(label, "leg", "wait_h", formula, inputs, wait, "h")
