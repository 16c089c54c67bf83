"""``karavan route ORIGIN DEST``: labelled Pareto routes with days, USD and kg CO2e."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from karavan.cli.common import DatasetOpt, Format, FormatOpt, console, emit_json, load, write_text_atomic
from karavan.errors import InputError


def parse_depart(value: str | None) -> datetime | None:
    """Parse an ISO date or datetime (``Z`` allowed); naive values are UTC."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError("--depart", value, "an ISO date or datetime such as 2026-12-01 or 2026-12-01T08:00Z") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def split_list(values: list[str] | None) -> list[str]:
    """Accept both repeated options and comma-separated lists."""
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def route_geojson(net: Any, plan: Any) -> dict[str, Any]:
    """Routes as GeoJSON LineStrings through their nodes and link waypoints."""
    features = []
    for route in plan.routes:
        coords: list[list[float]] = []
        for a, b in itertools.pairwise(route.nodes):
            na, nb = net.nodes[a], net.nodes[b]
            link = next((lk for lk in net.links_at.get(a, ()) if {lk.from_id, lk.to_id} == {a, b}), None)
            pts = list(link.geometry) if link is not None else []
            if link is not None and link.from_id != a:
                pts.reverse()
            seg = [[na.lon, na.lat], *[[x, y] for x, y in pts], [nb.lon, nb.lat]]
            coords.extend(seg[1:] if coords else seg)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "label": route.label,
                    "labels": list(route.labels),
                    "transit_time_h": route.transit_time_h,
                    "cost_usd": route.cost_usd,
                    "co2e_kg": route.co2e_kg,
                    "distance_km": route.itinerary.distance_km,
                    "countries": list(route.countries),
                    "nodes": list(route.nodes),
                },
            }
        )
    return {"type": "FeatureCollection", "query": plan.query.to_dict(), "features": features}


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


def route(
    origin: Annotated[str, typer.Argument(help="Origin: id, UN/LOCODE, English or Russian name.")],
    destination: Annotated[str, typer.Argument(help="Destination.")],
    depart: Annotated[str | None, typer.Option("--depart", help="Earliest departure, ISO date/time (UTC).")] = None,
    cargo: Annotated[str, typer.Option("--cargo", help="Unit: FEU, TEU, wagon, trailer or tonnes.")] = "FEU",
    count: Annotated[float, typer.Option("--count", help="Number of units (tonnes for bulk).")] = 1,
    weight_t: Annotated[float | None, typer.Option("--weight-t", help="Gross cargo weight per unit in tonnes.")] = None,
    value_usd: Annotated[
        float | None, typer.Option("--value-usd", help="Cargo value (USD) for inventory cost.")
    ] = None,
    via: Annotated[list[str] | None, typer.Option("--via", help="Place to pass through (repeatable).")] = None,
    avoid_country: Annotated[
        list[str] | None, typer.Option("--avoid-country", help="ISO countries to avoid, e.g. RU,IR.")
    ] = None,
    avoid_node: Annotated[list[str] | None, typer.Option("--avoid-node", help="Place to avoid (repeatable).")] = None,
    modes: Annotated[str | None, typer.Option("--modes", help="Allowed modes, e.g. rail,sea.")] = None,
    max_routes: Annotated[int, typer.Option("--max-routes", help="Most alternatives shown.")] = 5,
    slack: Annotated[
        float, typer.Option("--slack", help="Drop alternatives within this relative slack of another (0 keeps all).")
    ] = 0.02,
    explain: Annotated[bool, typer.Option("--explain", help="Print the calculation trail.")] = False,
    trail_csv: Annotated[
        Path | None, typer.Option("--trail-csv", help="Write every route's calculation trail to this CSV file.")
    ] = None,
    fmt: FormatOpt = Format.table,
    dataset: DatasetOpt = None,
) -> None:
    """Door-to-door Pareto routes: fastest, cheapest, lowest CO2e and balanced alternatives."""
    from karavan.accounting import Cargo
    from karavan.routing import plan_routes

    net = load(dataset)
    plan = plan_routes(
        net,
        origin,
        destination,
        depart=parse_depart(depart),
        cargo=Cargo(unit=cargo, count=count, gross_t_per_unit=weight_t, value_usd=value_usd),  # type: ignore[arg-type]
        via=split_list(via),
        avoid_countries=split_list(avoid_country),
        avoid_nodes=split_list(avoid_node),
        modes=split_list([modes]) if modes else None,
        max_routes=max_routes,
        slack=slack,
    )
    if trail_csv is not None:
        write_text_atomic(trail_csv, plan_trail_csv(plan))
    if fmt is Format.json:
        emit_json(plan.to_dict())
        return
    if fmt is Format.geojson:
        emit_json(route_geojson(net, plan))
        return
    q = plan.query
    o, d = net.nodes[q.origin], net.nodes[q.destination]
    title = f"{o.name_en} → {d.name_en}: {q.cargo.count:g} × {q.cargo.unit.value}, depart {q.depart:%Y-%m-%d %H:%M} UTC"
    if q.avoid_countries:
        title += f", avoiding {', '.join(q.avoid_countries)}"
    table = Table(title=title)
    for col in ("route", "days", "USD", "kg CO2e", "km", "countries", "via"):
        table.add_column(col, overflow="fold")
    for r in plan.routes:
        legs = r.itinerary.legs
        stops = [leg.figures.board for leg in legs if not leg.stay_aboard] + [legs[-1].figures.alight]
        key_nodes = [net.nodes[n].name_en for n in stops]
        table.add_row(
            ", ".join(r.labels) or "alternative",
            f"{r.transit_time_h / 24:.1f}",
            f"{r.cost_usd:,.0f}",
            f"{r.co2e_kg:,.0f}",
            f"{r.itinerary.distance_km:,.0f}",
            "→".join(r.countries),
            " → ".join(key_nodes),
        )
    console.print(table)
    if explain:
        for i, r in enumerate(plan.routes, 1):
            t = Table(title=f"route {i} ({r.label}): calculation trail")
            for col in ("element", "quantity", "formula", "result"):
                t.add_column(col, overflow="fold")
            for row in r.itinerary.trail:
                t.add_row(row.element, row.quantity, row.formula, f"{row.result:,.6g} {row.unit}")
            console.print(t)


def register(app: typer.Typer) -> None:
    """Attach ``route`` to the main app."""
    app.command("route")(route)
