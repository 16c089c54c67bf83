"""One capacity picture: the assignment and the Caspian discrete-event model on the same network and demand.

:func:`capacity_picture` iterates to a stable point::

    waits = dataset's expected waits
    repeat: assign the demand with these waits (LP, same capacities as the DES: karavan.capacity.fleet)
            -> loads per Caspian line and direction -> DES streams (with terminal and stated-capacity gates)
            -> DES waits per line and direction -> waits = running average of the DES waits (successive averages)
    until the Caspian loads change by less than ``tol`` of the Caspian total (or ``max_iter``)

A line that carries nothing in a round has no DES wait that round; it keeps the average of the waits the DES
found while it carried freight (:func:`stable_point`). Dropping it instead (back to the timetable's wait) makes
the assignment send the flow straight back to it, and the loop alternates between two crossings for ever.

and names the binding elements of both models side by side: an element binds in the assignment when it is
full (utilisation ≥ 99 % or a positive shadow price), in the DES when the load offered to its loading gate
is ≥ 97 % of its rate, its berths are busy ≥ 90 % of the time, or more than 3 % of a line's arrivals are
still waiting at the end.
Where the two differ the row says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from karavan import limits
from karavan.capacity.assignment import AssignmentResult, AssignOptions, assign
from karavan.capacity.demand import Demand, builtin_demand, read_demand
from karavan.errors import InputError
from karavan.model.network import Network

if TYPE_CHECKING:
    from karavan.reliability.des import CaspianResult
    from karavan.reliability.params import ReliabilityParameters

T = TypeVar("T")

LP_FULL = 0.99
GATE_FULL = 0.97
BERTH_FULL = 0.90
BACKLOG_FULL = 0.03


@dataclass(frozen=True)
class BindingRow:
    """One Caspian element as both models see it."""

    element: str
    lp_utilisation: float | None
    lp_binding: bool
    des_measure: str
    des_value: float | None
    des_binding: bool
    reason: str = ""

    @property
    def agree(self) -> bool:
        """Whether both models call the element binding (or both do not)."""
        return self.lp_binding == self.des_binding

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        return {
            "element": self.element,
            "lp_utilisation": self.lp_utilisation,
            "lp_binding": self.lp_binding,
            "des_measure": self.des_measure,
            "des_value": self.des_value,
            "des_binding": self.des_binding,
            "agree": self.agree,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class CapacityPicture:
    """The assignment and the DES at their stable point, the iterations, and the binding elements of both."""

    assignment: AssignmentResult
    des: CaspianResult
    iterations: tuple[dict[str, Any], ...]
    converged: bool
    binding: tuple[BindingRow, ...]
    demand_name: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON view: ``iterations``, ``converged``, ``binding``, ``des`` and the assignment's ``totals``."""
        return {
            "demand": self.demand_name,
            "iterations": list(self.iterations),
            "converged": self.converged,
            "binding": [b.to_dict() for b in self.binding],
            "assignment": {
                "totals": self.assignment.totals(),
                "full": [e.id for e in self.assignment.full],
                "bottlenecks": [e.id for e in self.assignment.bottlenecks],
                "wait_h": dict(self.assignment.wait_h),
            },
            "des": self.des.to_dict(),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class StablePoint(Generic[T]):
    """Outcome of :func:`stable_point`: the rounds, whether they settled, and the last round's own result."""

    history: tuple[dict[str, Any], ...]
    converged: bool
    last_change: float
    """Largest change of a line's load in the last round, as a share of the total load."""
    waits_h: dict[str, float]
    """The averaged waits after the last round (what the next round would use)."""
    last: T


def stable_point(
    round_: Callable[[Mapping[str, float]], tuple[Mapping[str, float], Mapping[str, float], T]],
    *,
    max_iter: int,
    tol: float,
) -> StablePoint[T]:
    """Iterate ``round_`` (waits -> loads per line, measured waits per line, result) to a stable point.

    Round ``n`` uses the method of successive averages: each line's wait is the mean of the waits measured for it
    so far, ``w_n = w_{n-1} + (m_n - w_{n-1}) / n``; a line measured for the first time takes its measurement, and
    a line without a measurement this round (it carried nothing) keeps its wait. The loop stops when no line's
    load changed by ``tol`` or more of the total load since the previous round (at the earliest in round 2).
    ``history`` has per round: ``iteration``, ``caspian_t`` (total load), ``max_load_change_share`` and
    ``max_wait_change_h`` (largest gap between a measured wait and the wait the round used; ``None`` in round 1).
    """
    waits: dict[str, float] = {}
    prev: Mapping[str, float] = {}
    history: list[dict[str, Any]] = []
    change = 0.0
    for it in range(1, max_iter + 1):
        loads, measured, last = round_(dict(waits))
        total = sum(loads.values()) or 1.0
        change = max((abs(loads.get(k, 0.0) - prev.get(k, 0.0)) for k in {*loads, *prev}), default=0.0) / total
        gap = max((abs(v - waits.get(k, v)) for k, v in measured.items()), default=0.0)
        waits = {**waits, **{k: waits.get(k, v) + (v - waits.get(k, v)) / it for k, v in measured.items()}}
        history.append(
            {
                "iteration": it,
                "caspian_t": total,
                "max_load_change_share": change if it > 1 else None,
                "max_wait_change_h": gap if it > 1 else None,
            }
        )
        if it > 1 and change < tol:
            return StablePoint(tuple(history), True, change, waits, last)
        prev = loads
    return StablePoint(tuple(history), False, change, waits, last)


@dataclass(frozen=True)
class _Round:
    assignment: AssignmentResult
    des: CaspianResult


def _demand(net: Network, demand: Demand | str | Path | None, scale: float) -> Demand:
    if demand is None:
        dem = builtin_demand(net)
    elif isinstance(demand, Demand):
        dem = demand
    else:
        dem = read_demand(demand, net)
    if scale != 1.0:
        dem = replace(dem.scaled(scale), name=f"{dem.name} x{scale:g}")
    return dem


def capacity_picture(
    net: Network,
    demand: Demand | str | Path | None = None,
    *,
    scale: float = 1.0,
    years: float = 1.0,
    seed: int = 0,
    max_iter: int = 6,
    tol: float = 0.02,
    options: AssignOptions | None = None,
    parameters: ReliabilityParameters | None = None,
) -> CapacityPicture:
    """Assign ``demand`` (× ``scale``) and simulate the Caspian crossing with it until both agree on the waits.

    Parameters
    ----------
    net
        The network (a scenario already applied, e.g. with :func:`karavan.capacity.scenario.apply_scenarios`).
    demand
        A :class:`Demand`, a CSV path, or ``None`` for the built-in 2024 set.
    scale
        Factor on every flow (2 = doubled demand).
    years, seed
        DES horizon and seed.
    max_iter, tol
        Iteration limit and the stable-point test: the largest change of a Caspian line's load, as a share
        of the Caspian total.

    Raises
    ------
    karavan.errors.InputError
        Naming the bad argument.
    """
    from karavan.reliability.des import simulate_caspian
    from karavan.reliability.des_network import caspian_streams, des_from_network
    from karavan.reliability.params import load_reliability_parameters

    limits.DEMAND_SCALE.check(scale, "scale")
    limits.ITERATIONS.check(max_iter, "max_iter")
    limits.YEARS.check(years, "years")
    rp = parameters or load_reliability_parameters()
    dem = _demand(net, demand, scale)
    nd = des_from_network(net, rp)
    if not nd.services:
        raise InputError("dataset", net.info.name, "sea services with `vessels` between two seaports (none found)")
    opts = options or AssignOptions()

    def round_(waits: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float], _Round]:
        res = assign(net, dem, options=replace(opts, wait_h=dict(waits)))
        streams, gates = caspian_streams(net, nd, res.run_loads, rp)
        if not streams:
            raise InputError("demand", dem.name, "flows that cross the Caspian on the modelled lines")
        des = simulate_caspian(streams=streams, gates=gates, parameters=nd.parameters, years=years, seed=seed)
        loads = {s.line: s.per_year * s.t_per_unit for s in streams}
        measured = {r["line"]: float(r["wait_mean_h"]) for r in des.route_stats() if r["wait_mean_h"] is not None}
        return loads, measured, _Round(res, des)

    point = stable_point(round_, max_iter=max_iter, tol=tol)
    res, des = point.last.assignment, point.last.des
    rows = _binding(net, res, des)
    notes = list(nd.notes)
    covered = {r.element.split("#")[0] for r in rows}
    outside = [e.id for e in (*res.full, *res.bottlenecks) if (e.utilisation or 0.0) >= LP_FULL and e.id not in covered]
    if outside:
        notes.append("binding in the assignment only, outside the Caspian lines the DES models: " + ", ".join(outside))
    if not point.converged:
        notes.append(f"no stable point within {max_iter} iterations (last load change {point.last_change:.1%})")
    return CapacityPicture(res, des, point.history, point.converged, rows, dem.name, tuple(notes))


def _binding(net: Network, res: AssignmentResult, des: CaspianResult) -> tuple[BindingRow, ...]:
    """Binding Caspian elements of both models, matched by element id."""
    lp = {e.id: e for e in res.elements}
    rows: list[BindingRow] = []
    for r in des.route_stats():
        el = lp.get(r["line"])
        util = el.utilisation if el is not None else None
        lp_b = el is not None and ((util or 0.0) >= LP_FULL or el.shadow_price_usd_per_t > 1e-9)
        backlog = 1.0 - r["sailed"] / r["arrivals"] if r["arrivals"] else 0.0
        des_b = backlog > BACKLOG_FULL
        why = ""
        if lp_b and not des_b:
            why = "full on the yearly average; the DES clears its arrivals within the year (stated by the gate row)"
        elif des_b and not lp_b:
            why = (
                f"yearly load fits ({(util or 0):.0%}) but storms and peak months leave {backlog:.0%} of the "
                f"arrivals waiting (P90 wait {r['wait_p90_h'] or 0:.0f} h)"
            )
        rows.append(BindingRow(r["line"], util, lp_b, "backlog share", backlog, des_b, why))
    for g in des.gates:
        gid = str(g["gate"])
        eid = gid.rsplit("#", 1)[0]
        el = lp.get(eid)
        if el is None:
            el = next((e for e in res.elements if e.id.split("#")[0] == eid), None)
        util = el.utilisation if el is not None else None
        lp_b = el is not None and ((util or 0.0) >= LP_FULL or el.shadow_price_usd_per_t > 1e-9)
        load = float(g["offered_load"])
        des_b = load >= GATE_FULL
        why = ""
        if lp_b != des_b:
            why = "the DES draws random arrivals around the assigned yearly rate over its simulated years"
        rows.append(BindingRow(gid, util, lp_b, "offered load", load, des_b, why))
    for b in des.berths:
        u = float(b["utilisation"])
        if u < 0.5 * BERTH_FULL:
            continue
        des_b = u >= BERTH_FULL
        why = "" if not des_b else "berth occupancy (ships loading at the quay) is a DES-only limit"
        rows.append(BindingRow(f"berths {b['port']}/{b['berth']}", None, False, "berth occupancy", u, des_b, why))
    return tuple(rows)


def binding_ids(picture: CapacityPicture) -> dict[str, list[str]]:
    """Ids binding in each model: ``{"assignment": [...], "des": [...]}``."""
    return {
        "assignment": sorted(r.element for r in picture.binding if r.lp_binding),
        "des": sorted(r.element for r in picture.binding if r.des_binding),
    }


__all__ = ["BindingRow", "CapacityPicture", "StablePoint", "binding_ids", "capacity_picture", "stable_point"]
