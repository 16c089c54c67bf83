"""Compare two scenarios side by side: routes, transit-time percentiles, costs, emissions, bottlenecks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from karavan.capacity.assignment import AssignmentResult, AssignOptions, assign
from karavan.capacity.demand import Demand, builtin_demand, read_demand
from karavan.capacity.scenario import Scenario, network_for, scenario_notes
from karavan.errors import InputError, KaravanError
from karavan.model.network import Network
from karavan.routing.query import RouteQuery

DEFAULT_ROUTES = (("Xi'an", "Istanbul"), ("Altynkol", "Baku"))


@dataclass(frozen=True)
class ScenarioDiff:
    """Side-by-side figures of a base and a new scenario (see :meth:`to_dict`)."""

    base: str
    new: str
    routes: tuple[dict[str, Any], ...]
    assignment: dict[str, dict[str, Any]]
    bottlenecks: dict[str, list[dict[str, Any]]]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON view: ``routes``, ``assignment`` (totals), ``bottlenecks`` (top per side), ``notes``."""
        return {
            "base": self.base,
            "new": self.new,
            "routes": list(self.routes),
            "assignment": self.assignment,
            "bottlenecks": self.bottlenecks,
            "notes": list(self.notes),
        }


def parse_routes(text: str | None) -> list[tuple[str, str]]:
    """``"Xi'an:Istanbul,Altynkol:Baku"`` -> ``[("Xi'an", "Istanbul"), ("Altynkol", "Baku")]``."""
    if not text:
        return list(DEFAULT_ROUTES)
    out: list[tuple[str, str]] = []
    for part in text.split(","):
        if not part.strip():
            continue
        if part.count(":") != 1:
            raise InputError("--routes", part, "ORIGIN:DESTINATION pairs separated by commas")
        o, d = (x.strip() for x in part.split(":"))
        out.append((o, d))
    return out


def _route_figures(net: Network, query: Any) -> dict[str, Any]:
    """Figures per label of one plan (one search; P50/P90 come with the plan's routes)."""
    from karavan.routing import plan_routes

    try:
        plan = plan_routes(net, query)
    except KaravanError as exc:
        return {"error": str(exc)}
    out: dict[str, Any] = {}
    for r in plan.routes:
        for lab in r.labels:
            out[lab] = {
                "transit_time_h": r.transit_time_h,
                "p50_h": r.p50_h,
                "p90_h": r.p90_h,
                "cost_usd": r.cost_usd,
                "co2e_kg": r.co2e_kg,
                "countries": list(r.countries),
            }
    first = plan.routes[0]
    out["percentiles"] = {"p50_h": first.p50_h, "p90_h": first.p90_h}
    return out


def _totals(res: AssignmentResult) -> dict[str, Any]:
    """Real figures of the served freight (shipper cost, CO2e, time); the penalty-laden objective is left out."""
    tot = res.totals()
    return {**tot, "total_cost_usd": tot["cost_usd"], "total_co2e_t": tot["co2e_t"]}


def diff_scenarios(
    base_net: Network,
    base: str | Path | Scenario,
    new: str | Path | Scenario,
    *,
    routes: Sequence[tuple[str, str]] | None = None,
    demand: Demand | str | Path | None = None,
    options: AssignOptions | None = None,
    depart: Any = None,
    percentile_runs: int = 2000,
    top: int = 5,
) -> ScenarioDiff:
    """Compare scenario ``new`` against ``base`` (either may be ``"base"``: the unmodified dataset).

    Parameters
    ----------
    base_net
        The dataset both scenarios are applied to.
    base, new
        ``"base"``, a shipped scenario name or a scenario file.
    routes
        (origin, destination) pairs compared with :func:`karavan.routing.plan_routes`
        (default Xi'an–Istanbul and Altynkol–Baku); unknown places are reported, not fatal.
    demand
        Demand for the assignment (default the built-in 2024 set); each side applies its own
        ``demand`` section.
    options
        Assignment options.
    depart
        Departure for the route comparison (default: the routing default).
    percentile_runs
        Monte Carlo runs per route (the plan's P50/P90).
    top
        Bottlenecks listed per side.
    """
    from datetime import UTC, datetime

    if depart is None:
        depart = datetime(2026, 3, 2, tzinfo=UTC)
    notes: list[str] = []
    sides: dict[str, tuple[Network, Scenario | None]] = {}
    for label, spec in (("base", base), ("new", new)):
        sides[label] = network_for(spec, base_net)
        notes += [f"{label}: {n}" for n in scenario_notes(sides[label][0])]
    names = {k: (sc.name if sc is not None else "base") for k, (_, sc) in sides.items()}
    route_rows: list[dict[str, Any]] = []
    for o, d in routes if routes is not None else DEFAULT_ROUTES:
        row: dict[str, Any] = {"origin": o, "destination": d}
        try:
            query = RouteQuery(o, d, depart=depart, max_routes=5, runs=percentile_runs, seed=0)
        except KaravanError as exc:
            route_rows.append({**row, "error": str(exc)})
            continue
        for label, (net, _) in sides.items():
            row[label] = _route_figures(net, query)
        route_rows.append(row)
    assignment: dict[str, dict[str, Any]] = {}
    bottlenecks: dict[str, list[dict[str, Any]]] = {}
    for label, (net, sc) in sides.items():
        if demand is None:
            dem = builtin_demand(net)
        elif isinstance(demand, Demand):
            dem = demand
        else:
            dem = read_demand(demand, net)
        if sc is not None:
            dem = sc.apply_demand(dem, net)
        res = assign(net, dem, options=options)
        assignment[label] = _totals(res)
        bottlenecks[label] = [b.to_dict() for b in res.bottlenecks[:top]]
        for n in res.notes:
            if n.startswith("unserved"):
                notes.append(f"{label}: {n}")
    delta: dict[str, Any] = {}
    for key, bv in assignment["base"].items():
        nv = assignment["new"].get(key)
        if isinstance(bv, int | float) and isinstance(nv, int | float) and math.isfinite(bv) and math.isfinite(nv):
            delta[key] = nv - bv
    assignment["delta"] = delta
    return ScenarioDiff(names["base"], names["new"], tuple(route_rows), assignment, bottlenecks, tuple(notes))
