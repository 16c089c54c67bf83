"""``karavan energy show|solve|diff|export|scenarios``: gas and power exchange on PyPSA."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from karavan.cli.common import (
    Format,
    FormatOpt,
    PlainFormat,
    PlainFormatOpt,
    check_output,
    console,
    emit_json,
    err_console,
    not_blank,
    options,
    write_text_atomic,
)

if TYPE_CHECKING:
    from karavan.energy.model import EnergyDataset
    from karavan.energy.results import EnergyResult

app = typer.Typer(
    help="Gas and power exchange: show the energy network, solve a year, compare scenarios.", no_args_is_help=True
)

EnergyDatasetOpt = Annotated[
    str | None,
    typer.Option(
        "--dataset",
        help="Energy dataset directory or embedded name (default: central-asia-energy).",
        show_default=False,
    ),
]
ScenarioOpt = Annotated[
    str | None,
    typer.Option("--scenario", "-s", help="Energy scenario name or YAML file (default: base).", show_default=False),
]


class ExportFormat(StrEnum):
    """Formats of ``energy export``."""

    pypsa = "pypsa"
    geojson = "geojson"
    json = "json"


def _dataset(dataset: str | None, scenario: str | None) -> EnergyDataset:
    from karavan.energy.load import load_energy
    from karavan.energy.scenario import dataset_for

    return dataset_for(scenario, load_energy(not_blank(dataset, "--dataset")))


def _solve(ds: EnergyDataset) -> EnergyResult:
    from karavan.energy.solver import solve

    status: AbstractContextManager[Any] = err_console.status(f"solving {ds.scenario}", spinner="dots")
    if not err_console.is_terminal:
        status = nullcontext()
    with status as st:

        def progress(msg: str) -> None:
            if st is not None:
                st.update(msg)
            else:
                err_console.print(f"[dim]{msg}[/]", highlight=False)

        return solve(ds, progress=progress)


@app.command("show")
@options({"scenario": "--scenario"})
def show_cmd(
    dataset: EnergyDatasetOpt = None,
    scenario: ScenarioOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Show the energy network: buses, pipelines and power links with capacity and status."""
    ds = _dataset(dataset, scenario)
    if fmt is Format.geojson:
        from karavan.energy.export import energy_geojson

        emit_json(energy_geojson(ds))
        return
    if fmt is Format.json:
        emit_json(_show_dict(ds))
        return
    s = ds.summary()
    console.print(
        f"[bold]{escape(str(s['dataset']))}[/] {escape(str(s['version']))} ({escape(str(s['scenario']))}): "
        f"{s['gas_buses']} gas buses, {s['power_zones']} power zones, {s['pipelines']} pipelines, "
        f"{s['power_links']} power links, {s['snapshots']} snapshots",
        markup=True,
    )
    t = Table(title="pipelines and power links")
    for col in ("id", "kind", "from", "to", "capacity", "length km", "status"):
        t.add_column(col, justify="right" if col in ("capacity", "length km") else "left")
    for p in ds.pipelines.values():
        t.add_row(
            p.id,
            "pipeline",
            p.from_id,
            p.to_id,
            f"{p.capacity_bcm_per_year:g} bcm/yr",
            f"{p.length_km:,.0f}",
            p.status.value,
        )
    for lk in ds.power_links.values():
        t.add_row(
            lk.id,
            lk.kind.value,
            lk.from_id,
            lk.to_id,
            f"{lk.capacity_mw:,.0f} MW",
            f"{lk.length_km:,.0f}",
            lk.status.value,
        )
    console.print(t)
    for note in ds.notes:
        console.print(f"[dim]note: {escape(note)}[/]", markup=True, highlight=False)


def _show_dict(ds: EnergyDataset) -> dict[str, Any]:
    def dump(rec: Any) -> dict[str, Any]:
        return dict(rec.model_dump(mode="json", by_alias=True, exclude_none=True))

    return {
        **ds.summary(),
        "buses": [dump(b) for b in ds.buses.values()],
        "pipelines": [dump(p) for p in ds.pipelines.values()],
        "power_links": [dump(lk) for lk in ds.power_links.values()],
        "generators": [dump(g) for g in ds.supplies.values()],
        "demands": [dump(d) for d in ds.demands.values()],
        "notes": list(ds.notes),
    }


@app.command("solve")
@options({"scenario": "--scenario"})
def solve_cmd(
    dataset: EnergyDatasetOpt = None,
    scenario: ScenarioOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Solve one year at typical-day resolution: flows, utilisation, prices, unserved demand, CO2, trade."""
    ds = _dataset(dataset, scenario)
    result = _solve(ds)
    if fmt is Format.geojson:
        from karavan.energy.export import energy_geojson

        emit_json(energy_geojson(ds, result))
        return
    if fmt is Format.json:
        emit_json(result.to_dict())
        return
    _print_result(result)


def _print_result(r: EnergyResult) -> None:
    s = r.summary()
    console.print(
        f"[bold]{escape(r.dataset)}[/] ({escape(r.scenario)}): {r.buses} buses x {r.snapshots} snapshots, "
        f"solved in {r.solve_s:.1f} s; system cost {s['objective_usd'] / 1e9:,.2f} bn USD, "
        f"CO2 {s['co2_t'] / 1e6:,.1f} Mt, unserved {s['unserved_twh']:.3f} TWh + {s['unserved_bcm']:.3f} bcm",
        markup=True,
    )
    t = Table(title="flows (per year)")
    for col in ("id", "kind", "from", "to", "net", "utilisation", "peak", "value of +1 capacity"):
        t.add_column(col, justify="left" if col in ("id", "kind", "from", "to") else "right")
    for f in r.flows:
        per = "bcm/yr" if f.unit == "bcm" else "MW"
        t.add_row(
            f.id,
            f.kind,
            f.from_bus,
            f.to_bus,
            f"{f.net:,.2f} {f.unit}",
            f"{f.utilisation:.0%}",
            f"{f.peak_utilisation:.0%}",
            f"{f.capacity_value_usd:,.0f} USD per {per}",
        )
    console.print(t)
    t = Table(title="nodal prices (USD/MWh, time-weighted mean) and unserved demand")
    for col in ("bus", "carrier", "country", "mean", "min", "max", "unserved"):
        t.add_column(col, justify="left" if col in ("bus", "carrier", "country") else "right")
    for b in r.bus_results:
        t.add_row(
            b.id,
            b.carrier,
            b.country,
            f"{b.price_mean_usd_per_mwh:,.1f}",
            f"{b.price_min_usd_per_mwh:,.1f}",
            f"{b.price_max_usd_per_mwh:,.1f}",
            f"{b.unserved:,.3f} {b.unit}",
        )
    console.print(t)
    t = Table(title="cross-border trade value")
    for col in ("exporter", "importer", "carrier", "flow", "volume", "value M USD", "price basis"):
        t.add_column(col, justify="right" if col in ("volume", "value M USD") else "left")
    for tr in r.trade:
        flag = "" if tr.price_sourced else " (estimate)"
        t.add_row(
            tr.exporter,
            tr.importer,
            tr.carrier,
            tr.flow_id,
            f"{tr.volume:,.2f} {tr.unit}",
            f"{tr.value_usd / 1e6:,.1f}",
            tr.price_basis + flag,
        )
    console.print(t)


@app.command("diff")
@options({"scenario": "BASE or OTHER"})
def diff_cmd(
    base: Annotated[str, typer.Argument(help="Base scenario ('base' for none) or YAML file.")],
    other: Annotated[str, typer.Argument(help="Scenario to compare, name or YAML file.")],
    dataset: EnergyDatasetOpt = None,
    all_rows: Annotated[bool, typer.Option("--all", help="Show unchanged rows too.")] = False,
    fmt: PlainFormatOpt = PlainFormat.table,
) -> None:
    """Compare two scenarios: flows, utilisation, prices, capacity values, unserved demand, CO2, trade."""
    from karavan.energy.diff import EnergyDiff
    from karavan.energy.load import load_energy
    from karavan.energy.scenario import dataset_for

    ds = load_energy(not_blank(dataset, "--dataset"))
    a, b = dataset_for(base, ds), dataset_for(other, ds)  # both checked before either is solved
    ra = _solve(a)
    rb = _solve(b)
    d = EnergyDiff(ra, rb)
    if fmt is PlainFormat.json:
        emit_json(d.to_dict(changed_only=not all_rows))
        return
    _print_diff(d, changed_only=not all_rows)


def _print_diff(d: Any, *, changed_only: bool) -> None:
    tot = d.totals()
    t = Table(title=f"{tot['scenario']} against {tot['base']}")
    for col in ("figure", "base", "scenario", "change"):
        t.add_column(col, justify="left" if col == "figure" else "right")
    for key in ("objective_usd", "co2_t", "unserved_twh", "unserved_bcm", "trade_value_usd"):
        v = tot[key]
        t.add_row(key, f"{v['base']:,.3f}", f"{v['scenario']:,.3f}", f"{v['change']:+,.3f}")
    console.print(t)
    t = Table(title="flows (per year)")
    for col in ("id", "unit", "base", "scenario", "change", "util base", "util scen", "value of +1 cap, USD"):
        t.add_column(col, justify="left" if col in ("id", "unit") else "right")
    for row in d.flows(changed_only=changed_only):
        t.add_row(
            row["id"],
            row["unit"],
            f"{row['net_base']:,.2f}",
            f"{row['net_scenario']:,.2f}",
            f"{row['change']:+,.2f}",
            _pct(row["utilisation_base"]),
            _pct(row["utilisation_scenario"]),
            f"{row['capacity_value_scenario_usd'] or 0:,.0f}",
        )
    console.print(t)
    t = Table(title="nodal prices (USD/MWh) and unserved demand")
    for col in ("bus", "base", "scenario", "change", "unserved base", "unserved scen"):
        t.add_column(col, justify="left" if col == "bus" else "right")
    for row in d.buses(changed_only=changed_only):
        t.add_row(
            row["id"],
            f"{row['price_base_usd_per_mwh'] or 0:,.1f}",
            f"{row['price_scenario_usd_per_mwh'] or 0:,.1f}",
            f"{row['price_change_usd_per_mwh']:+,.1f}",
            f"{row['unserved_base']:,.3f} {row['unit']}",
            f"{row['unserved_scenario']:,.3f} {row['unit']}",
        )
    console.print(t)
    t = Table(title="cross-border trade value (M USD per year)")
    for col in ("exporter", "importer", "carrier", "base", "scenario", "change"):
        t.add_column(col, justify="left" if col in ("exporter", "importer", "carrier") else "right")
    for row in d.trade():
        if changed_only and abs(row["value_change_usd"]) < 1:
            continue
        t.add_row(
            row["exporter"],
            row["importer"],
            row["carrier"],
            f"{row['value_base_usd'] / 1e6:,.1f}",
            f"{row['value_scenario_usd'] / 1e6:,.1f}",
            f"{row['value_change_usd'] / 1e6:+,.1f}",
        )
    console.print(t)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.0%}"


@app.command("export")
@options({"scenario": "--scenario"})
def export_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    export_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="pypsa (NetCDF), geojson or json.", case_sensitive=False)
    ] = ExportFormat.pypsa,
    dataset: EnergyDatasetOpt = None,
    scenario: ScenarioOpt = None,
    solved: Annotated[bool, typer.Option("--solved/--unsolved", help="Solve first and include the solution.")] = True,
) -> None:
    """Export the energy network: a PyPSA NetCDF file PyPSA opens, or GeoJSON/JSON of the solved year."""
    import json

    check_output(output)
    ds = _dataset(dataset, scenario)
    result = _solve(ds) if solved else None
    if export_format is ExportFormat.pypsa:
        from karavan.energy.export import export_pypsa

        export_pypsa(result if result is not None else ds, output)
    elif export_format is ExportFormat.geojson:
        from karavan.energy.export import energy_geojson

        write_text_atomic(output, json.dumps(energy_geojson(ds, result), ensure_ascii=False))
    else:
        data = result.to_dict() if result is not None else _show_dict(ds)
        write_text_atomic(output, json.dumps(data, ensure_ascii=False, indent=2))
    err_console.print(f"wrote {output}")


@app.command("scenarios")
def scenarios_cmd(fmt: PlainFormatOpt = PlainFormat.table) -> None:
    """List the energy scenarios shipped with karavan."""
    from karavan.energy.scenario import list_energy_scenarios

    items = list_energy_scenarios()
    if fmt is not PlainFormat.table:
        emit_json({"scenarios": [{"name": s.name, "title": s.title, "year": s.year} for s in items]})
        return
    t = Table(title=f"{len(items)} energy scenarios")
    for col in ("name", "year", "title"):
        t.add_column(col, overflow="fold")
    for s in items:
        t.add_row(s.name, str(s.year or "-"), s.title)
    console.print(t)


def register(main_app: typer.Typer) -> None:
    """Attach ``energy`` to the main app."""
    main_app.add_typer(app, name="energy")
