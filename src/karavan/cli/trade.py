"""``karavan trade --target-usd 1e9``: what the Kazakhstan–Turkmenistan trade target needs from the network."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from karavan.cli.common import (
    SCENARIO_OPTIONS,
    DatasetOpt,
    PlainFormat,
    PlainFormatOpt,
    ScenarioOpt,
    as_options,
    check_options,
    console,
    emit_json,
    load,
    options,
)
from karavan.limits import DEMAND_SCALE, TARGET_USD


def _n(v: Any, spec: str = ",.0f") -> str:
    return "-" if v is None else format(v, spec)


def _energy_contributions(spec: str) -> list[Any]:
    """Kazakhstan-Turkmenistan energy trade of one solved energy year, as trade-report rows."""
    from karavan.cli.energy import _dataset, _solve
    from karavan.energy.trade import energy_trade_contributions

    return energy_trade_contributions(_solve(_dataset(None, spec)))


@options({**SCENARIO_OPTIONS, "target_usd": "--target-usd", "year": "--year", "mix": "--mix"})
def trade_cmd(
    target_usd: Annotated[
        float, typer.Option("--target-usd", help="Yearly bilateral trade value to reach, USD.")
    ] = 1e9,
    year: Annotated[int, typer.Option("--year", help="Base year of the existing demand and trade value.")] = 2024,
    mix: Annotated[
        Path | None, typer.Option("--mix", help="Trade mix CSV (default: the packaged KZ-TM mix, see docs).")
    ] = None,
    scale: Annotated[float, typer.Option("--scale", help="Factor on the existing demand (2 = doubled).")] = 1.0,
    scenario: ScenarioOpt = None,
    energy: Annotated[
        str | None,
        typer.Option(
            "--energy",
            help="Count energy trade toward the target: an energy scenario name or YAML file ('base' for today's "
            "network), solved on the embedded energy dataset; needs karavan[energy].",
            show_default=False,
        ),
    ] = None,
    fmt: PlainFormatOpt = PlainFormat.table,
    dataset: DatasetOpt = None,
) -> None:
    """Turn a trade value into yearly freight on real origins and destinations, assign it with today's demand,
    and report what it loads, what it costs shippers (USD, time, CO2e) and what must be built for it to fit."""
    from karavan.capacity.demand import builtin_demand
    from karavan.capacity.scenario import apply_scenarios
    from karavan.capacity.trade import trade_plan

    check_options((TARGET_USD, target_usd, "--target-usd"), (DEMAND_SCALE, scale, "--scale"))
    base = load(dataset)
    net, demand, applied = apply_scenarios(base, list(scenario or []), builtin_demand(base).scaled(scale))
    with as_options({"scenario": "--energy"}):
        contributions = _energy_contributions(energy) if energy is not None else []
    plan = trade_plan(net, target_usd, year=year, mix=mix, demand=demand, contributions=contributions)
    if fmt is PlainFormat.json:
        emit_json({**plan.to_dict(), "scenarios": [s.name for s in applied]})
        return
    d = plan.to_dict()
    console.print(
        f"[bold]Trade target USD {target_usd:,.0f}[/] a year: today USD {plan.base_usd:,.0f} ({year} base), "
        f"USD {d['added_value_usd']:,.0f} to add -> {plan.freight_t:,.0f} t a year of freight",
        markup=True,
        highlight=False,
    )
    ct = Table(title="What counts toward the target")
    for col in ("kind", "direction", "commodity", "USD/year", "quantity", "basis"):
        ct.add_column(col, overflow="fold")
    for c in plan.contributions:
        ct.add_row(
            c.kind,
            c.direction,
            c.label,
            _n(c.value_usd),
            f"{c.quantity:,.0f} {c.quantity_unit}",
            c.source + ("; estimate: " + c.estimate if c.estimate else ""),
        )
    console.print(ct)
    sh = d["shipper"]
    mean_d = sh["mean_transit_time_h"] / 24 if sh["mean_transit_time_h"] is not None else None
    console.print(
        f"Shippers of the added trade: {sh['served_t']:,.0f} t served at {_n(sh['cost_usd'])} USD "
        f"({_n(sh['cost_usd_per_t'], ',.1f')} USD/t), mean {_n(mean_d, '.1f')} days, {_n(sh['co2e_t'])} t CO2e; "
        f"unserved {sh['unserved_t']:,.0f} t",
        highlight=False,
    )
    lt = Table(title="Elements the trade loads")
    for col in ("element", "added t/yr", "volume t/yr", "capacity t/yr", "utilisation", "full"):
        lt.add_column(col, overflow="fold")
    for r in plan.loads[:15]:
        lt.add_row(
            f"{r['id']}\n{r['name']}",
            _n(r["added_t"]),
            _n(r["volume_t"]),
            _n(r["capacity_t"]),
            _n(r["utilisation"], ".0%"),
            "yes" if r["full"] else "",
        )
    console.print(lt)
    bt = Table(title="What must be built for it to fit")
    for col in ("what", "capacity t/yr", "stated", "t/yr turned away"):
        bt.add_column(col, overflow="fold")
    for b in plan.build:
        bt.add_row(b["what"], _n(b.get("capacity_t")), b.get("stated", "-"), _n(b.get("lacking_t")))
    if not plan.build:
        bt.add_row("nothing: the network carries the target as it is", "-", "-", "-")
    console.print(bt)
    for n in plan.notes:
        console.print(f"note: {n}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Attach ``trade`` to the main app."""
    app.command("trade")(trade_cmd)
