"""Compare two scenarios side by side: routes, transit-time percentiles, costs, emissions, bottlenecks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from karavan.capacity.assignment import AssignmentResult, AssignOptions, assign
from karavan.capacity.demand import Demand, builtin_demand, read_demand
from karavan.capacity.scenario import Scenario, apply_scenarios, scenario_notes
from karavan.errors import InputError, KaravanError
from karavan.model.network import Network
from karavan.routing.query import RouteQuery

DEFAULT_ROUTES = (("Xi'an", "Istanbul"), ("Altynkol", "Baku"))
DEFAULT_DEPART = datetime(2026, 3, 2, tzinfo=UTC)
"""Departure both sides are planned and simulated for unless one is given (stated in the output)."""


@dataclass(frozen=True)
class ScenarioDiff:
    """Side-by-side figures of a base and a new scenario (see :meth:`to_dict`)."""

    base: str
    new: str
    depart: datetime
    routes: tuple[dict[str, Any], ...]
    assignment: dict[str, dict[str, Any]]
    bottlenecks: dict[str, list[dict[str, Any]]]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON view: ``routes``, ``assignment`` (totals), ``bottlenecks`` (top per side), ``notes``."""
        return {
            "base": self.base,
            "new": self.new,
            "depart": self.depart.isoformat(),
            "routes": list(self.routes),
            "assignment": self.assignment,
            "bottlenecks": self.bottlenecks,
            "notes": list(self.notes),
        }


def parse_routes(text: str | None) -> list[tuple[str, str]]:
    """``"Xi'an:Istanbul,Altynkol:Baku"`` -> ``[("Xi'an", "Istanbul"), ("Altynkol", "Baku")]``."""
    if text is None:
        return list(DEFAULT_ROUTES)
    out: list[tuple[str, str]] = []
    for part in text.split(","):
        if not part.strip():
            continue
        if part.count(":") != 1:
            raise InputError("--routes", part, "ORIGIN:DESTINATION pairs separated by commas")
        o, d = (x.strip() for x in part.split(":"))
        out.append((o, d))
    if not out:
        raise InputError("--routes", text, "ORIGIN:DESTINATION pairs separated by commas")
    return out


def _route_figures(net: Network, query: Any) -> dict[str, Any]:
    """Per route label: planned time, cost, CO2e and the Monte Carlo P50/P90 of that very route.

    One search per side; the plan's routes carry their own P50/P90 (``query.runs`` seeded runs at the query's
    departure), so every label gets the percentiles of its route, not one repeated figure.
    """
    from karavan.routing import plan_routes

    try:
        plan = plan_routes(net, query)
    except KaravanError as exc:
        return {"error": str(exc)}
    out: dict[str, Any] = {}
    for r in plan.routes:
        pct = {"p50_h": r.p50_h, "p90_h": r.p90_h} if query.runs else None
        for lab in r.labels:
            out[lab] = {
                "transit_time_h": r.transit_time_h,
                "p50_h": r.p50_h,
                "p90_h": r.p90_h,
                "cost_usd": r.cost_usd,
                "co2e_kg": r.co2e_kg,
                "countries": list(r.countries),
                "percentiles": pct,
            }
    return out


def _totals(res: AssignmentResult) -> dict[str, Any]:
    """Real figures of the served freight (shipper cost, CO2e, time); the penalty-laden objective is left out."""
    tot = res.totals()
    return {**tot, "total_cost_usd": tot["cost_usd"], "total_co2e_t": tot["co2e_t"]}


def diff_scenarios(
    base_net: Network,
    base: str | Path | Scenario | Sequence[str | Path | Scenario],
    new: str | Path | Scenario | Sequence[str | Path | Scenario],
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
        ``"base"``, a shipped scenario name or a scenario file, or a list of them (stacked in order).
    routes
        (origin, destination) pairs compared with :func:`karavan.routing.plan_routes`
        (default Xi'an–Istanbul and Altynkol–Baku); unknown places are reported, not fatal.
    demand
        Demand for the assignment (default the built-in 2024 set); each side applies its own
        ``demand`` section.
    options
        Assignment options.
    depart
        Departure both sides are planned and simulated for (default :data:`DEFAULT_DEPART`, 2 March 2026
        00:00 UTC, so the answer does not change with the day it is run).
    percentile_runs
        Monte Carlo runs per planned route (0: no percentiles).
    top
        Bottlenecks listed per side.
    """
    depart = depart or DEFAULT_DEPART
    notes: list[str] = []
    sides: dict[str, tuple[Network, list[Scenario]]] = {}
    for label, spec in (("base", base), ("new", new)):
        specs: list[str | Path | Scenario] = (
            list(spec) if isinstance(spec, list | tuple) else [cast("str | Path | Scenario", spec)]
        )
        net, _, applied = apply_scenarios(base_net, specs)
        sides[label] = (net, applied)
        notes += [f"{label}: {n}" for n in scenario_notes(net)]
    names = {k: " + ".join(sc.name for sc in scs) or "base" for k, (_, scs) in sides.items()}
    route_rows: list[dict[str, Any]] = []
    for o, d in routes if routes is not None else DEFAULT_ROUTES:
        row: dict[str, Any] = {"origin": o, "destination": d}
        try:
            query = RouteQuery(o, d, depart=depart, max_routes=5, runs=percentile_runs, seed=0)
        except KaravanError as exc:
            err = {"error": str(exc)}
            route_rows.append({**row, "base": err, "new": err, "labels": []})
            continue
        for label, (net, _) in sides.items():
            row[label] = _route_figures(net, query)
        labels = [lab for lab in row["base"] if lab != "error"]
        labels += [lab for lab in row["new"] if lab != "error" and lab not in labels]
        row["labels"] = [{"label": lab, "base": row["base"].get(lab), "new": row["new"].get(lab)} for lab in labels]
        route_rows.append(row)
    assignment: dict[str, dict[str, Any]] = {}
    bottlenecks: dict[str, list[dict[str, Any]]] = {}
    for label, (net, scs) in sides.items():
        if demand is None:
            dem = builtin_demand(net)
        elif isinstance(demand, Demand):
            dem = demand
        else:
            dem = read_demand(demand, net)
        for sc in scs:
            dem = sc.apply_demand(dem, net)
        res = assign(net, dem, options=options)
        assignment[label] = _totals(res)
        bottlenecks[label] = [b.to_dict() for b in (*res.full, *res.bottlenecks)][: top + len(res.full)]
        for n in res.notes:
            if n.startswith("unserved"):
                notes.append(f"{label}: {n}")
    delta: dict[str, Any] = {}
    for key, bv in assignment["base"].items():
        nv = assignment["new"].get(key)
        if isinstance(bv, int | float) and isinstance(nv, int | float) and math.isfinite(bv) and math.isfinite(nv):
            delta[key] = nv - bv
    assignment["delta"] = delta
    return ScenarioDiff(names["base"], names["new"], depart, tuple(route_rows), assignment, bottlenecks, tuple(notes))
