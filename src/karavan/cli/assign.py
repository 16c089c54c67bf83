"""``karavan assign [DEMAND.csv]``: assign yearly demand to the capacitated network; bottlenecks and ODs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from karavan.cli.common import (
    SCENARIO_OPTIONS,
    DatasetOpt,
    Format,
    FormatOpt,
    ScenarioOpt,
    check_options,
    console,
    emit_json,
    load,
    options,
    spinner,
)
from karavan.errors import InputError
from karavan.limits import CARBON_PRICE, TOP, VALUE_OF_TIME

ASSIGN_OPTIONS = {
    **SCENARIO_OPTIONS,
    "demand file": "DEMAND",
    "carbon_price_usd_per_t": "--carbon-price",
    "value_of_time_usd_per_t_h": "--value-of-time",
    "top": "--top",
    "method": "--method",
}


def _fmt(v: float | None, spec: str = ",.0f") -> str:
    return "-" if v is None else format(v, spec)


def assignment_geojson(net: Any, result: Any) -> dict[str, Any]:
    """Elements as GeoJSON: services and links as lines through their stops, hubs as points."""
    features: list[dict[str, Any]] = []
    for el in result.elements:
        props = el.to_dict()
        geom: dict[str, Any] | None = None
        if el.kind == "service":
            svc = net.services.get(el.id.removesuffix("~r"))
            if svc is not None:
                stops = list(reversed(svc.stops)) if el.id.endswith("~r") else list(svc.stops)
                geom = {"type": "LineString", "coordinates": [list(net.nodes[s].coords) for s in stops]}
        elif el.kind == "link":
            link = net.links.get(el.id.removesuffix("~r").split("#")[0])
            if link is not None:
                ends = [link.from_id, link.to_id]
                if el.id.endswith("~r"):
                    ends.reverse()
                geom = {"type": "LineString", "coordinates": [list(net.nodes[n].coords) for n in ends]}
        else:
            op = net.hub_operations.get(el.id.split("#")[0])
            if op is not None and op.node in net.nodes:
                geom = {"type": "Point", "coordinates": list(net.nodes[op.node].coords)}
        if geom is not None:
            features.append({"type": "Feature", "geometry": geom, "properties": props})
    return {
        "type": "FeatureCollection",
        "totals": result.totals(),
        "served_t": result.served_t,
        "unserved_t": result.unserved_t,
        "features": features,
    }


@options(ASSIGN_OPTIONS)
def assign_cmd(
    demand: Annotated[
        Path | None, typer.Argument(help="Demand CSV (default: the built-in 2024 demand set).", show_default=False)
    ] = None,
    scenario: ScenarioOpt = None,
    method: Annotated[str, typer.Option("--method", help="lp (min-cost flow, HiGHS) or equilibrium (BPR).")] = "lp",
    carbon_price: Annotated[
        float, typer.Option("--carbon-price", help="Carbon price, USD per t CO2e, in the generalised cost.")
    ] = 0.0,
    value_of_time: Annotated[
        float | None,
        typer.Option("--value-of-time", help="Value of time, USD per tonne-hour (default: from cargo value)."),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Bottlenecks shown.")] = 10,
    fmt: FormatOpt = Format.table,
    dataset: DatasetOpt = None,
) -> None:
    """Assign yearly OD demand to the capacitated network; report utilisation, shadow prices and bottlenecks."""
    from karavan.capacity import AssignOptions, assign

    if method.lower() not in ("lp", "equilibrium"):
        raise InputError("--method", method, "lp or equilibrium")
    check_options(
        (CARBON_PRICE, carbon_price, "--carbon-price"),
        (VALUE_OF_TIME, value_of_time, "--value-of-time"),
        (TOP, top, "--top"),
    )
    from karavan.capacity import builtin_demand, read_demand

    net = load(dataset)
    stacked = read_demand(demand, net) if demand is not None else builtin_demand(net)
    if scenario:  # the scenario machinery (YAML, overlays) is imported only when asked for
        from karavan.capacity.scenario import apply_scenarios

        net, applied, _ = apply_scenarios(net, list(scenario), stacked)
        stacked = applied if applied is not None else stacked
    opts = AssignOptions(carbon_price_usd_per_t=carbon_price, value_of_time_usd_per_t_h=value_of_time, top=top)
    with spinner(f"assigning the yearly demand ({method.lower()})…", quiet=fmt is not Format.table):
        res = assign(net, stacked, method=method.lower(), options=opts)
    if fmt is Format.json:
        emit_json(res.to_dict())
        return
    if fmt is Format.geojson:
        emit_json(assignment_geojson(net, res))
        return
    from rich.markup import escape
    from rich.table import Table

    tot = res.totals()
    mean_d = tot["mean_transit_time_h"] / 24 if tot["mean_transit_time_h"] is not None else None
    console.print(
        f"[bold]{escape(net.info.name)}[/]: {res.method} assignment of {tot['demand_t']:,.0f} t/year — "
        f"served {tot['served_t']:,.0f} t at {tot['cost_usd']:,.0f} USD shipper cost, "
        f"{tot['co2e_t']:,.0f} t CO2e, mean {_fmt(mean_d, '.1f')} days; unserved {tot['unserved_t']:,.0f} t",
        markup=True,
        highlight=False,
    )
    t = Table(title="Bottlenecks (full elements that turn demand away first, then by shadow price)")
    if res.shadow_prices_unique is False:
        from karavan.capacity.assignment import NOT_UNIQUE_NOTE

        t.caption = "Shadow prices are one choice among several: " + NOT_UNIQUE_NOTE.split(": ", 1)[1]
    for col in ("element", "kind", "volume t/yr", "capacity t/yr", "utilisation", "shadow USD/t", "capacity (stated)"):
        t.add_column(col, overflow="fold")
    for b in (*res.full, *res.bottlenecks):
        t.add_row(
            f"{b.id}\n{b.name}",
            b.kind,
            _fmt(b.volume_t),
            _fmt(b.capacity_t),
            _fmt(b.utilisation, ".0%") if b.utilisation is not None else "-",
            "unserved" if b.turns_away else _fmt(b.shadow_price_usd_per_t, ",.2f"),
            f"{_fmt(b.capacity_native, ',.0f')} {b.capacity_unit}",
        )
    console.print(t)
    if res.unserved:
        ut = Table(title="Unserved demand")
        for col in ("origin", "destination", "unit", "commodity", "unserved t/yr", "of demand", "why"):
            ut.add_column(col, overflow="fold")
        for u in res.unserved:
            ut.add_row(
                u.flow.origin,
                u.flow.destination,
                u.flow.unit.value,
                u.flow.commodity or "-",
                _fmt(u.unserved_t),
                _fmt(u.flow.volume_t),
                u.reason + (": " + ", ".join(u.elements) if u.elements else ""),
            )
        console.print(ut)
    od = Table(title="Origin-destination flows")
    for col in ("origin", "destination", "unit", "demand t/yr", "served", "unserved", "days", "USD/t", "kg CO2e/t"):
        od.add_column(col, overflow="fold")
    for o in res.od:
        od.add_row(
            o.flow.origin,
            o.flow.destination,
            o.flow.unit.value,
            _fmt(o.flow.volume_t),
            _fmt(o.served_t),
            _fmt(o.unserved_t),
            _fmt(o.transit_time_h / 24 if o.transit_time_h is not None else None, ".1f"),
            _fmt(o.cost_usd_per_t, ",.1f"),
            _fmt(o.co2e_kg_per_t, ",.1f"),
        )
    console.print(od)
    for n in res.notes:
        if not n.startswith("unserved:"):
            console.print(f"[dim]note:[/] {escape(n)}", markup=True, highlight=False)


def register(app: typer.Typer) -> None:
    """Attach ``assign`` to the main app."""
    app.command("assign")(assign_cmd)
