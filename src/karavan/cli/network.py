"""``karavan network ...``: inspect, validate, export and copy datasets."""

from __future__ import annotations

import shutil
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from karavan.cli.common import (
    DatasetOpt,
    Format,
    FormatOpt,
    PlainFormat,
    PlainFormatOpt,
    check_output,
    console,
    dataset_spec,
    emit_json,
    load,
)
from karavan.errors import InputError
from karavan.model.enums import NodeKind

app = typer.Typer(help="Inspect, validate, export and copy the network dataset.", no_args_is_help=True)


def node_dict(net: Any, node: Any) -> dict[str, Any]:
    """JSON view of a node with its operations and services."""
    return {
        "id": node.id,
        "name_en": node.name_en,
        "name_ru": node.name_ru,
        "aliases": list(node.aliases),
        "country": node.country,
        "kind": node.kind.value,
        "locode": node.locode,
        "lat": node.lat,
        "lon": node.lon,
        "source": list(node.source),
        "estimate": dict(node.estimate),
    }


@app.command("list")
def list_nodes(
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", "-k", help=f"Only nodes of these kinds: {', '.join(NodeKind.choices())}."),
    ] = None,
    country: Annotated[str | None, typer.Option("--country", help="Only nodes in this ISO country.")] = None,
    fmt: FormatOpt = Format.table,
    dataset: DatasetOpt = None,
) -> None:
    """List the network's nodes."""
    kinds = {NodeKind.parse(k, field="--kind") for k in kind or []}
    if country is not None and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise InputError("--country", country, "an ISO 3166 alpha-2 country code such as KZ")
    net = load(dataset)
    nodes = [
        n
        for n in net.nodes.values()
        if (not kinds or n.kind in kinds) and (country is None or n.country == country.upper())
    ]
    nodes.sort(key=lambda n: (n.country, n.name_en))
    if fmt is Format.json:
        emit_json({"dataset": net.info.name, "nodes": [node_dict(net, n) for n in nodes]})
        return
    if fmt is Format.geojson:
        raise InputError("--format", fmt.value, "table or json for `network list` (use `network export`)")
    table = Table(title=f"{net.info.name}: {len(nodes)} nodes")
    for col in ("id", "name", "название", "country", "kind"):
        table.add_column(col)
    for n in nodes:
        table.add_row(n.id, n.name_en, n.name_ru, n.country, n.kind.value)
    console.print(table)


@app.command("show")
def show(
    place: Annotated[str, typer.Argument(help="Node id, UN/LOCODE, English or Russian name.")],
    fmt: FormatOpt = Format.table,
    dataset: DatasetOpt = None,
) -> None:
    """Show one place: its data, links, services and hub operations."""
    net = load(dataset)
    node = net.resolve(place)
    links = net.links_at.get(node.id, ())
    ops = net.ops_at.get(node.id, ())
    services = [s for s in net.services.values() if node.id in s.stops]
    if fmt is Format.json:
        data = node_dict(net, node)
        data["links"] = [
            {
                "id": lk.id,
                "to": lk.to_id if lk.from_id == node.id else lk.from_id,
                "mode": lk.mode.value,
                "length_km": lk.length_km,
                "gauge_mm": lk.gauge_mm,
            }
            for lk in links
        ]
        data["services"] = [{"id": s.id, "name": s.name, "kind": s.kind.value} for s in services]
        data["hub_operations"] = [
            {
                "id": op.id,
                "kind": op.kind.value,
                "dwell_h_mean": op.dwell_h.mean(),
                "dwell_h": op.dwell_h.describe(),
                "cost_usd": {u.value: c for u, c in op.cost_usd.items()},
            }
            for op in ops
        ]
        emit_json(data)
        return
    if fmt is Format.geojson:
        raise InputError("--format", fmt.value, "table or json for `network show`")
    console.print(
        f"[bold]{escape(node.name_en)}[/] / {escape(node.name_ru)}  [dim]{escape(node.id)}[/]  {node.country}  "
        f"{node.kind.value}  ({node.lat:.4f}, {node.lon:.4f})",
        markup=True,
    )
    console.print(f"sources: {', '.join(node.source) or '-'}", highlight=False)
    for key, why in node.estimate.items():
        console.print(f"estimate {key}: {why}", highlight=False)
    if links:
        t = Table(title="links")
        for col in ("id", "to", "mode", "km", "gauge"):
            t.add_column(col)
        for lk in links:
            other = lk.to_id if lk.from_id == node.id else lk.from_id
            t.add_row(lk.id, other, lk.mode.value, f"{lk.length_km:,.0f}", str(lk.gauge_mm or ""))
        console.print(t)
    if ops:
        t = Table(title="hub operations")
        for col in ("id", "kind", "dwell h", "cost USD"):
            t.add_column(col)
        for op in ops:
            cost = ", ".join(f"{u.value} {c:,.0f}" for u, c in op.cost_usd.items())
            t.add_row(op.id, op.kind.value, op.dwell_h.describe(), cost)
        console.print(t)
    if services:
        t = Table(title="services")
        for col in ("id", "name", "kind"):
            t.add_column(col)
        for s in services:
            t.add_row(s.id, s.name, s.kind.value)
        console.print(t)


@app.command("validate")
def validate(
    path: Annotated[
        str | None, typer.Argument(help="Dataset directory or embedded name (default: the selected dataset).")
    ] = None,
    fmt: FormatOpt = Format.table,
    dataset: DatasetOpt = None,
) -> None:
    """Validate a dataset; list every problem and exit 1 if there is any (geojson: on their nodes and links)."""
    from karavan.io import validate_dataset

    spec = path or dataset_spec(dataset)
    problems = validate_dataset(spec)
    warnings: list[Any] = []
    net: Any = None
    if not problems:
        from karavan.accounting import check_categories, load_parameters
        from karavan.io import load_network
        from karavan.io.geometry import geometry_warnings

        net = load_network(spec)
        problems = check_categories(net, load_parameters(net.path))
        warnings = geometry_warnings(net)
    if fmt is Format.geojson:
        emit_json(problem_features(net, problems, warnings))
    elif fmt is Format.json:
        emit_json(
            {
                "dataset": str(spec or "caspian"),
                "valid": not problems,
                "problems": [_problem_dict(p) for p in problems],
                "warnings": [_problem_dict(p) for p in warnings],
            }
        )
    elif problems:
        table = Table(title=f"{len(problems)} problem(s)", show_lines=False)
        for col in ("file", "record", "field", "value", "expected"):
            table.add_column(col, overflow="fold")
        for p in problems:
            table.add_row(p.file, p.record, p.field, repr(p.value), p.expected)
        console.print(table)
    else:
        from karavan.io import load_network

        net = load_network(spec)
        console.print(
            f"[green]valid[/]: {escape(net.info.name)} {escape(net.info.version)}: {len(net.nodes)} nodes, "
            f"{len(net.links)} links, {len(net.services)} services, {len(net.hub_operations)} hub operations, "
            f"{len(net.sources)} sources",
            markup=True,
        )
    if warnings and fmt is Format.table:
        _print_warnings(warnings)
    if problems:
        raise typer.Exit(1)


def _problem_dict(p: Any) -> dict[str, Any]:
    return {"file": p.file, "record": p.record, "field": p.field, "value": p.value, "expected": p.expected}


def problem_features(net: Any, problems: list[Any], warnings: list[Any]) -> dict[str, Any]:
    """Problems and warnings as a GeoJSON FeatureCollection, placed on their node or link where there is one."""
    from karavan.io.geometry import link_line

    features: list[dict[str, Any]] = []
    for severity, items in (("problem", problems), ("warning", warnings)):
        for p in items:
            geometry: dict[str, Any] | None = None
            if net is not None and p.record in net.nodes:
                n = net.nodes[p.record]
                geometry = {"type": "Point", "coordinates": [n.lon, n.lat]}
            elif net is not None and p.record in net.links:
                geometry = {"type": "LineString", "coordinates": link_line(net, net.links[p.record])[0]}
            props = {"severity": severity, **_problem_dict(p)}
            features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _print_warnings(warnings: list[Any]) -> None:
    """Geometry cross-checks: lengths that differ from the drawn line, and links drawn schematically."""
    schematic = [w.record for w in warnings if w.value is None]
    mismatched = [w for w in warnings if w.value is not None]
    if mismatched:
        table = Table(title=f"{len(mismatched)} warning(s): length_km against the drawn alignment", show_lines=False)
        for col in ("file", "record", "field", "value", "expected"):
            table.add_column(col, overflow="fold")
        for w in mismatched:
            table.add_row(w.file, w.record, w.field, repr(w.value), w.expected)
        console.print(table)
    if schematic:
        console.print(
            "[yellow]schematic alignment[/] (drawn straight, through waypoints or across gaps in the line graph): "
            + escape(", ".join(schematic)),
            markup=True,
        )


class ExportFormat(StrEnum):
    """Formats of ``network export`` (both write the same GeoJSON document)."""

    geojson = "geojson"
    json = "json"


@app.command("export")
def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="geojson or json (the same GeoJSON).", case_sensitive=False)
    ] = ExportFormat.geojson,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")] = None,
    dataset: DatasetOpt = None,
) -> None:
    """Export the network as GeoJSON (nodes as points, links as lines)."""
    from karavan.io import network_geojson

    check_output(output)
    emit_json(network_geojson(load(dataset)), output)


@app.command("init")
def init(
    directory: Annotated[Path, typer.Argument(help="New directory to copy the dataset into.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a non-empty DIRECTORY.")] = False,
    fmt: PlainFormatOpt = PlainFormat.table,
    dataset: DatasetOpt = None,
) -> None:
    """Copy a dataset (default: the embedded one) into DIRECTORY to edit it."""
    from karavan import datasets
    from karavan.io.atomic import atomic_directory, check_dir_target

    check_dir_target(directory, force=force, field="DIRECTORY")
    src = datasets.resolve(dataset_spec(dataset))
    with atomic_directory(directory, force=force, field="DIRECTORY") as tmp:
        shutil.copytree(src, tmp, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"), symlinks=True)
    if fmt is PlainFormat.json:
        emit_json({"copied_from": str(src), "directory": str(directory)})
    else:
        console.print(
            f"copied {src.name} to {directory}; edit the YAML files, then `karavan network validate {directory}`"
        )


def register(main_app: typer.Typer) -> None:
    """Attach ``karavan network`` to the main application."""
    main_app.add_typer(app, name="network")
