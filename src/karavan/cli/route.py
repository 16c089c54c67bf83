"""``karavan route ORIGIN DEST``: labelled Pareto routes with days, USD and kg CO2e."""

from __future__ import annotations

import csv
import io
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from karavan.cli.common import (
    QUERY_OPTIONS,
    SCENARIO_OPTIONS,
    AvoidCountryOpt,
    AvoidNodeOpt,
    CargoOpt,
    CountOpt,
    DatasetOpt,
    DepartOpt,
    MaxRoutesOpt,
    ModesOpt,
    ScenarioOpt,
    TargetOpt,
    ValueOpt,
    ViaOpt,
    WeightOpt,
    WindowOpt,
    check_output,
    console,
    depart_text,
    emit_json,
    load,
    options,
    route_query,
    write_text_atomic,
)

if TYPE_CHECKING:
    from rich.table import Table


class RouteFormat(StrEnum):
    """Output formats of ``karavan route``."""

    table = "table"
    json = "json"
    geojson = "geojson"
    ileap = "ileap"


RouteFormatOpt = Annotated[
    RouteFormat,
    typer.Option(
        "--format",
        "-f",
        help="table, json, geojson (routes as lines) or ileap (ISO 14083 ShipmentFootprint, TOC, HOC records).",
        case_sensitive=False,
    ),
]
RunsOpt = Annotated[int, typer.Option("--runs", help="Monte Carlo runs per route for P50/P90.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed of the Monte Carlo runs.")]
FastestByOpt = Annotated[
    str, typer.Option("--fastest-by", help="Label 'fastest' on p50 (simulated median) or planned time.")
]


def plan_trail_csv(plan: Any) -> str:
    """The trails of all routes as one CSV, with a leading ``route`` column (1-based)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for i, r in enumerate(plan.routes, 1):
        rows = list(csv.reader(io.StringIO(r.itinerary.trail_csv())))
        if i == 1:
            writer.writerow(["route", *rows[0]])
        writer.writerows([str(i), *row] for row in rows[1:])
    return buf.getvalue()


def via_text(net: Any, route: Any) -> str:
    """The stops of a route with the mode of each leg between them; waterborne legs name their line.

    ``Altynkol —rail→ Aktau —sea: Aktau - Alat container feeder→ Alat —rail→ Baku``
    """
    from karavan.model.enums import Mode

    parts = [net.nodes[route.itinerary.legs[0].figures.board].name_en]
    for i, leg in enumerate(route.itinerary.legs):
        if leg.stay_aboard and i > 0:
            parts[-1] = net.nodes[leg.figures.alight].name_en
            continue
        mode = Mode(leg.mode)
        how = f"{mode.value}: {leg.service_name}" if mode.is_waterborne else mode.value
        parts.append(f"—{how}→")
        parts.append(net.nodes[leg.figures.alight].name_en)
    return " ".join(parts)


@options({**QUERY_OPTIONS, **SCENARIO_OPTIONS})
def route(
    origin: Annotated[str, typer.Argument(help="Origin: id, UN/LOCODE, English or Russian name.")],
    destination: Annotated[str, typer.Argument(help="Destination.")],
    depart: DepartOpt = None,
    window: WindowOpt = None,
    cargo: CargoOpt = "FEU",
    count: CountOpt = 1,
    weight_t: WeightOpt = None,
    value_usd: ValueOpt = None,
    via: ViaOpt = None,
    avoid_country: AvoidCountryOpt = None,
    avoid_node: AvoidNodeOpt = None,
    modes: ModesOpt = None,
    max_routes: MaxRoutesOpt = 5,
    slack: Annotated[
        float, typer.Option("--slack", help="Drop alternatives within this relative slack of another (0 keeps all).")
    ] = 0.02,
    target_date: TargetOpt = None,
    fastest_by: FastestByOpt = "p50",
    runs: RunsOpt = 1000,
    seed: SeedOpt = 0,
    explain: Annotated[bool, typer.Option("--explain", help="Print the calculation trail.")] = False,
    trail_csv: Annotated[
        Path | None, typer.Option("--trail-csv", help="Write every route's calculation trail to this CSV file.")
    ] = None,
    fmt: RouteFormatOpt = RouteFormat.table,
    dataset: DatasetOpt = None,
    scenario: ScenarioOpt = None,
) -> None:
    """Door-to-door Pareto routes with planned days, P50, P90, cost and CO2e; labelled on those figures."""
    from karavan.routing import plan_routes  # the collector is paused for the whole command (cli.main)

    check_output(trail_csv, field="--trail-csv")
    query = route_query(
        origin,
        destination,
        depart=depart,
        window=window,
        cargo=cargo,
        count=count,
        weight_t=weight_t,
        value_usd=value_usd,
        via=via,
        avoid_country=avoid_country,
        avoid_node=avoid_node,
        modes=modes,
        target_date=target_date,
        max_routes=max_routes,
        slack=slack,
        fastest_by=fastest_by,
        runs=runs,
        seed=seed,
    )
    net = load(dataset, scenario)
    plan = plan_routes(net, query)
    if trail_csv is not None:
        write_text_atomic(trail_csv, plan_trail_csv(plan), field="--trail-csv")
    if fmt is not RouteFormat.table:
        emit_json(_document(net, plan, fmt))
        return
    console.print(route_table(net, plan, depart_given=depart))
    for i, r in enumerate(plan.routes, 1):
        for c in r.itinerary.through_connections():
            console.print(f"route {i} stays with train {c['train']} through {net.nodes[c['at']].name_en}")
    _print_window(plan)
    if plan.truncated:
        console.print(
            f"[yellow]note[/]: the label cap (max_labels={plan.query.max_labels}) cut the search; "
            "the Pareto set may be incomplete",
            markup=True,
        )
    if explain:
        from rich.table import Table

        for i, r in enumerate(plan.routes, 1):
            t = Table(title=f"route {i} ({r.label}): calculation trail")
            for col in ("element", "quantity", "formula", "result", "inputs [sources] [estimate: reasoning]"):
                t.add_column(col, overflow="fold")
            for row in r.itinerary.trail:
                inputs = "\n".join(str(i) for i in row.inputs)
                t.add_row(row.element, row.quantity, row.formula, f"{row.result:,.6g} {row.unit}", inputs)
            console.print(t)


def _document(net: Any, plan: Any, fmt: RouteFormat) -> dict[str, Any]:
    """The JSON document of a plan in ``fmt`` (json, geojson or ileap)."""
    if fmt is RouteFormat.ileap:
        from karavan.accounting.ileap import plan_ileap

        return plan_ileap(net, plan)
    if fmt is RouteFormat.geojson:
        from karavan.routing.geojson import route_features

        data = route_features(net, plan)
        data["query"] = plan.query.to_dict()
        return data
    return plan.to_dict()  # type: ignore[no-any-return]


def route_table(net: Any, plan: Any, *, depart_given: str | None = "") -> Table:
    """The Rich table of a plan: labels, planned days, P50, P90, USD, kg CO2e, km, countries, stops.

    ``depart_given`` is the ``--depart`` option as typed (``None``: left at its default, said in the title).
    """
    from rich.table import Table

    q = plan.query
    o, d = net.nodes[q.origin], net.nodes[q.destination]
    title = f"{o.name_en} → {d.name_en}: {q.cargo.count:g} × {q.cargo.unit.value}, " + depart_text(
        plan.depart, depart_given
    )
    if q.avoid_countries:
        title += f", avoiding {', '.join(q.avoid_countries)}"
    table = Table(title=title)
    cols = ["route", "planned d", "P50 d", "P90 d"]
    if q.target_at is not None:
        cols.append("on time")
    cols += ["USD", "kg CO2e", "km", "countries", "via"]
    for col in cols:
        table.add_column(
            col, overflow="fold", justify="right" if col.endswith((" d", "USD", "CO2e", "km", "time")) else "left"
        )
    for r in plan.routes:
        row = [", ".join(r.labels) or "alternative", f"{r.transit_time_h / 24:.1f}", f"{r.p50_h / 24:.1f}"]
        row.append(f"{r.p90_h / 24:.1f}")
        if q.target_at is not None:
            row.append(f"{r.on_time_probability:.0%}" if r.on_time_probability is not None else "-")
        row += [f"{r.cost_usd:,.0f}", f"{r.co2e_kg:,.0f}", f"{r.itinerary.distance_km:,.0f}"]
        row += ["→".join(r.countries), via_text(net, r)]
        table.add_row(*row)
    return table


def _print_window(plan: Any) -> None:
    summary = plan.window_summary()
    if summary is None:
        return
    parts = []
    for key in ("best", "typical", "worst"):
        w = summary[key]
        parts.append(
            f"{key} {w['depart'][:16].replace('T', ' ')} (P50 {w['p50_h'] / 24:.1f} d, P90 {w['p90_h'] / 24:.1f} d)"
        )
    console.print(f"departure window, {len(plan.window)} departures: " + "; ".join(parts))


def register(app: typer.Typer) -> None:
    """Attach ``route`` to the main app."""
    app.command("route")(route)
