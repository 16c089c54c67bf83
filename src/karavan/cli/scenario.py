"""``karavan scenario list|show|apply|diff``: investment and policy scenarios as dataset overlays."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from karavan.cli.common import (
    QUERY_OPTIONS,
    DatasetOpt,
    PlainFormat,
    PlainFormatOpt,
    console,
    emit_json,
    err_console,
    load,
    options,
)
from karavan.errors import InputError
from karavan.limits import RUNS

app = typer.Typer(help="List, show, apply and compare scenarios (YAML overlays on a dataset).", no_args_is_help=True)


@app.command("list")
def list_cmd(fmt: PlainFormatOpt = PlainFormat.table) -> None:
    """List the scenarios shipped with karavan."""
    from karavan.capacity.scenario import list_scenarios

    items = list_scenarios()
    if fmt is not PlainFormat.table:
        emit_json({"scenarios": [{"name": s.name, "title": s.title, "year": s.year, "file": s.file} for s in items]})
        return
    t = Table(title=f"{len(items)} scenarios")
    for col in ("name", "year", "title"):
        t.add_column(col, overflow="fold")
    for s in items:
        t.add_row(s.name, str(s.year or "-"), s.title)
    console.print(t)


@app.command("show")
@options({"scenario": "SCENARIO"})
def show_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario name or YAML file.")],
    fmt: PlainFormatOpt = PlainFormat.table,
    dataset: DatasetOpt = None,
) -> None:
    """Show what a scenario adds, modifies, removes and closes; exit 1 if it does not apply to the dataset."""
    from karavan.capacity.scenario import apply_scenario, load_scenario

    sc = load_scenario(scenario)
    apply_scenario(load(dataset), sc)  # every problem of the overlay against the dataset, exit 1
    if fmt is not PlainFormat.table:
        emit_json(
            {
                "name": sc.name,
                "title": sc.title,
                "year": sc.year,
                "description": sc.description,
                "summary": sc.summary(),
                "overlay": dict(sc.overlay),
            }
        )
        return
    console.print(f"[bold]{escape(sc.name)}[/] ({sc.year or '-'}): {escape(sc.title)}", markup=True)
    if sc.description:
        console.print(sc.description, highlight=False)
    t = Table()
    t.add_column("change")
    t.add_column("details", overflow="fold")
    for key, val in sc.summary().items():
        if key in ("name", "title", "year") or not val:
            continue
        t.add_row(key, str(val))
    console.print(t)


@app.command("apply")
@options({"scenario": "SCENARIO"})
def apply_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario name or YAML file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to write the full dataset to.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a non-empty output directory.")] = False,
    dataset: DatasetOpt = None,
) -> None:
    """Apply a scenario to the dataset and write the result as a full dataset directory."""
    from karavan.capacity.scenario import apply_scenario, scenario_notes, write_dataset
    from karavan.io.atomic import check_dir_target

    check_dir_target(output, force=force, field="--output")
    net = load(dataset)
    new = apply_scenario(net, scenario)
    out = write_dataset(new, output, force=force, field="--output")
    for n in scenario_notes(new):
        err_console.print(f"note: {n}", highlight=False, markup=False)
    err_console.print(f"wrote {out} ({len(new.nodes)} nodes, {len(new.links)} links, {len(new.services)} services)")


def _num(v: Any, spec: str = ",.0f") -> str:
    return "-" if v is None else format(v, spec)


def _days(v: Any) -> str:
    return "-" if v is None else f"{v / 24:.1f}"


def _pct(figs: dict[str, Any] | None) -> str:
    pct = (figs or {}).get("percentiles") or {}
    if pct.get("p50_h") is None or pct.get("p90_h") is None:
        return "-"
    return f"{pct['p50_h'] / 24:.1f} / {pct['p90_h'] / 24:.1f}"


@app.command("diff")
@options({**QUERY_OPTIONS, "scenario": "BASE or NEW", "demand file": "--demand", "percentile_runs": "--runs"})
def diff_cmd(
    base: Annotated[str, typer.Argument(help="`base`, a scenario name or file; stack with `a+b`.")],
    new: Annotated[str, typer.Argument(help="`base`, a scenario name or file; stack with `a+b`.")],
    routes: Annotated[
        str | None,
        typer.Option("--routes", help="ORIGIN:DEST pairs, comma separated (default Xi'an:Istanbul,Altynkol:Baku)."),
    ] = None,
    depart: Annotated[
        str | None,
        typer.Option("--depart", help="Departure both sides are planned and simulated for (default 2026-03-02)."),
    ] = None,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs per planned route (0: none).")] = 2000,
    demand: Annotated[Path | None, typer.Option("--demand", help="Demand CSV (default built-in 2024).")] = None,
    fmt: PlainFormatOpt = PlainFormat.table,
    dataset: DatasetOpt = None,
) -> None:
    """Compare two scenarios: routes side by side per label with P50/P90, costs, emissions and bottlenecks."""
    from karavan.capacity.diff import diff_scenarios, parse_routes
    from karavan.cli.common import parse_depart

    if runs != 0 and not RUNS.contains(runs):
        raise InputError("--runs", runs, "0 (none) or " + RUNS.expected)
    net = load(dataset)
    when = parse_depart(depart) if depart else None
    d = diff_scenarios(
        net,
        [p for p in base.split("+") if p],
        [p for p in new.split("+") if p],
        routes=parse_routes(routes),
        demand=demand,
        depart=when,
        percentile_runs=runs,
    )
    if fmt is not PlainFormat.table:
        emit_json(d.to_dict())
        return
    rt = Table(
        title=f"Routes: {d.base} vs {d.new}, departing {d.depart:%Y-%m-%d %H:%M} UTC (days; P50 / P90 of each route)"
    )
    for col in (
        "route",
        "label",
        f"{d.base} days",
        f"{d.new} days",
        f"{d.base} P50/P90",
        f"{d.new} P50/P90",
        f"{d.base} USD",
        f"{d.new} USD",
        f"{d.base} kg CO2e",
        f"{d.new} kg CO2e",
    ):
        rt.add_column(col, overflow="fold")
    for row in d.routes:
        name = f"{row['origin']} → {row['destination']}"
        for side in ("base", "new"):
            if "error" in row[side]:
                rt.add_row(name, f"[{side}] {row[side]['error']}", *["-"] * 8)
        for item in row["labels"]:
            b, n = item["base"] or {}, item["new"] or {}
            rt.add_row(
                name,
                item["label"],
                _days(b.get("transit_time_h")),
                _days(n.get("transit_time_h")),
                _pct(b),
                _pct(n),
                _num(b.get("cost_usd")),
                _num(n.get("cost_usd")),
                _num(b.get("co2e_kg")),
                _num(n.get("co2e_kg")),
            )
    console.print(rt)
    at = Table(title="Assignment of the yearly demand (real costs of the served freight)")
    at.add_column("figure")
    for side in ("base", "new", "delta"):
        at.add_column(d.base if side == "base" else d.new if side == "new" else "Δ")
    for key in d.assignment["base"]:
        if key in ("total_cost_usd", "total_co2e_t"):
            continue
        at.add_row(key, *(_num(d.assignment[s].get(key), ",.1f") for s in ("base", "new", "delta")))
    console.print(at)
    bt = Table(title="Top bottlenecks")
    for col in ("side", "element", "utilisation", "shadow USD/t"):
        bt.add_column(col, overflow="fold")
    for side in ("base", "new"):
        for b in d.bottlenecks[side]:
            price = "unserved" if b.get("shadow_kind") == "unserved" else _num(b["shadow_price_usd_per_t"], ",.2f")
            bt.add_row(side, b["id"], _num(b["utilisation"], ".0%"), price)
    console.print(bt)
    for n in d.notes:
        console.print(f"note: {n}", highlight=False, markup=False)


def register(main_app: typer.Typer) -> None:
    """Attach ``scenario`` to the main app."""
    main_app.add_typer(app, name="scenario")
