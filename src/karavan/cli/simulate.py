"""``karavan simulate``: transit-time distributions, the Caspian DES, and sweeps on Dask.

Sub-commands::

    karavan simulate route ORIGIN DEST [route options] [--runs N] [--seed S] [--target-date D]
    karavan simulate route --itinerary FILE           # a route saved by `karavan route -f json`
    karavan simulate caspian [--demand CSV] [--scale 2] [--scenario A --scenario B] [--dataset DIR]
    karavan simulate caspian --demand-mt 4.5 [--ships 20 | --ships feeder=8,ropax=3]   # legacy fixed shares
    karavan simulate sweep --demand-mt 3,4.5,6 --ships 20,26 --months 1,6,11 --runs 2 -o sweep.parquet

``karavan simulate ORIGIN DEST ...`` (no sub-command) means ``karavan simulate route ORIGIN DEST ...``:
the group inserts ``route`` whenever the first argument is not a sub-command name. A place
whose name is literally ``route``, ``caspian`` or ``sweep`` is reached with the explicit form
``karavan simulate route caspian ...``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from karavan.cli.common import (
    QUERY_OPTIONS,
    SCENARIO_OPTIONS,
    AvoidCountryOpt,
    AvoidNodeOpt,
    CargoOpt,
    CountOpt,
    DatasetOpt,
    DepartOpt,
    ModesOpt,
    PlainFormat,
    PlainFormatOpt,
    ScenarioOpt,
    ViaOpt,
    WeightOpt,
    as_options,
    check_options,
    check_output,
    console,
    depart_text,
    emit_json,
    err_console,
    load,
    options,
    parse_depart,
    parse_target,
    route_query,
    split_list,
)
from karavan.errors import InputError
from karavan.limits import (
    DEMAND_MT,
    DEMAND_SCALE,
    DES_SCALE,
    FILL_THRESHOLD,
    ITERATIONS,
    MAX_WAIT_H,
    ROUTE_INDEX,
    RUNS,
    SEED,
    WORKERS,
    YEARS,
)

SUBCOMMANDS = ("route", "caspian", "sweep")

DES_OPTIONS = {
    "demand_mt": "--demand-mt",
    "ships": "--ships",
    "years": "--years",
    "seed": "--seed",
    "rule": "--rule",
    "fill_threshold": "--fill-threshold",
    "max_wait_h": "--max-wait-h",
    "parameters": "--parameters",
}
"""The options of the Caspian DES, by library field."""
ROUTE_OPTIONS = {
    **QUERY_OPTIONS,
    **DES_OPTIONS,
    "route_index": "--route-index",
    "itinerary": "--itinerary",
    "scale": "--des-scale",
}
CASPIAN_OPTIONS = {**DES_OPTIONS, **SCENARIO_OPTIONS, "scale": "--scale", "max_iter": "--iterations"}
SWEEP_OPTIONS = {**DES_OPTIONS, "months": "--months", "runs": "--runs", "mc_runs": "--mc-runs"}


class DefaultRouteGroup(TyperGroup):
    """A group that runs ``route`` when the first argument is not a sub-command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Insert ``route`` before arguments that do not start with a sub-command name."""
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["route", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=DefaultRouteGroup,
    help="Transit-time distributions (Monte Carlo), the Caspian crossing DES, and sweeps on Dask. "
    "`karavan simulate ORIGIN DEST` is short for `karavan simulate route ORIGIN DEST`.",
    no_args_is_help=True,
)


def _floats(text: str, field: str) -> list[float]:
    try:
        values = [float(x) for x in split_list([text])]
    except ValueError:
        raise InputError(field, text, "comma-separated numbers, e.g. 3,4.5,6") from None
    if not values:
        raise InputError(field, text, "comma-separated numbers, e.g. 3,4.5,6")
    return values


def _ints(text: str | None, field: str) -> list[int]:
    if text is None:
        return []
    try:
        return [int(x) for x in split_list([text])]
    except ValueError:
        raise InputError(field, text, "comma-separated integers, e.g. 1,6,11") from None


@app.command("route")
@options(ROUTE_OPTIONS)
def route_cmd(
    origin: Annotated[str | None, typer.Argument(help="Origin: id, UN/LOCODE, English or Russian name.")] = None,
    destination: Annotated[str | None, typer.Argument(help="Destination.")] = None,
    itinerary: Annotated[
        Path | None, typer.Option("--itinerary", help="A route saved by `karavan route --format json`.")
    ] = None,
    depart: DepartOpt = None,
    cargo: CargoOpt = "FEU",
    count: CountOpt = 1,
    weight_t: WeightOpt = None,
    via: ViaOpt = None,
    avoid_country: AvoidCountryOpt = None,
    avoid_node: AvoidNodeOpt = None,
    modes: ModesOpt = None,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")] = 0,
    target_date: Annotated[
        str | None, typer.Option("--target-date", help="Arrival deadline (a date means the end of that day, UTC).")
    ] = None,
    route_index: Annotated[int, typer.Option("--route-index", help="Which route of the plan (0 = first).")] = 0,
    demand_mt: Annotated[
        float | None, typer.Option("--demand-mt", help="Caspian demand (Mt/yr): ferry waits from the DES.")
    ] = None,
    parameters: Annotated[
        Path | None, typer.Option("--parameters", help="A copy of the reliability parameters.yaml.")
    ] = None,
    des_scale: Annotated[
        float | None,
        typer.Option(
            "--des-scale",
            help="Ferry waits from the dataset's Caspian DES at the assigned demand x this factor (1 = 2024).",
        ),
    ] = None,
    fmt: PlainFormatOpt = PlainFormat.table,
    dataset: DatasetOpt = None,
    scenario: ScenarioOpt = None,
) -> None:
    """Transit-time distribution of a route: P10/P50/P90/P95, on-time probability, variance shares."""
    from karavan.reliability import (
        load_reliability_parameters,
        plan_from_dict,
        simulate,
        simulate_caspian,
        simulate_itinerary,
    )

    check_options(
        (RUNS, runs, "--runs"),
        (SEED, seed, "--seed"),
        (ROUTE_INDEX, route_index, "--route-index"),
        (DEMAND_MT, demand_mt, "--demand-mt"),
        (DES_SCALE, des_scale, "--des-scale"),
    )
    rp = load_reliability_parameters(parameters)
    target = parse_target(target_date)
    net = load(dataset, scenario)
    if des_scale is not None and demand_mt is not None:
        raise InputError("--des-scale", des_scale, "either --des-scale or --demand-mt, not both")
    picture_des = None
    if des_scale is not None:
        from karavan.capacity.picture import capacity_picture

        picture_des = capacity_picture(net, scale=des_scale, seed=seed, parameters=rp).des
    if itinerary is not None:
        if origin is not None or destination is not None:
            raise InputError("--itinerary", str(itinerary), "either a saved itinerary or ORIGIN DEST, not both")
        route = _read_route(itinerary, route_index)
        plan, rcargo, rdepart = plan_from_dict(route)
        des = simulate_caspian(demand_mt=demand_mt, seed=seed, parameters=rp) if demand_mt is not None else picture_des
        summary = {k: v for k, v in route.items() if k != "trail"}
        result = simulate_itinerary(
            net,
            plan,
            rcargo,
            depart=parse_depart(depart) or rdepart,
            runs=runs,
            seed=seed,
            target=target,
            des=des,
            parameters=rp,
            route=summary,
            demand_mt=demand_mt,
        )
    else:
        if origin is None or destination is None:
            raise InputError("ORIGIN DEST", [origin, destination], "two places, or --itinerary FILE")
        query = route_query(
            origin,
            destination,
            depart=depart,
            cargo=cargo,
            count=count,
            weight_t=weight_t,
            value_usd=None,
            via=via,
            avoid_country=avoid_country,
            avoid_node=avoid_node,
            modes=modes,
            target_date=target_date,
            seed=seed,
            max_routes=max(5, route_index + 1),
        )
        result = simulate(
            net, query, route_index=route_index, runs=runs, demand_mt=demand_mt, parameters=rp, des=picture_des
        )
    if fmt is PlainFormat.json:
        emit_json(result.to_dict())
        return
    r = result.route
    title = (
        f"{' → '.join(str(n) for n in r.get('nodes', [])[:1] + r.get('nodes', [])[-1:])} "
        f"{depart_text(result.depart, depart if itinerary is None else 'itinerary')}, "
        f"{result.runs:,} runs, seed {result.seed}"
    )
    t = Table(title=title)
    for col in ("", "P10", "P50", "P90", "P95", "mean", "planned"):
        t.add_column(col, justify="right")
    q = [result.p10_h, result.p50_h, result.p90_h, result.p95_h, result.mean_h, result.planned_h]
    t.add_row("days", *(f"{x / 24:.1f}" for x in q))
    t.add_row("hours", *(f"{x:.0f}" for x in q))
    console.print(t)
    if result.on_time_probability is not None and result.target is not None:
        console.print(f"P(arrive by {result.target:%Y-%m-%d %H:%M} UTC) = {result.on_time_probability:.1%}")
    e = Table(title="elements: time added (h) and share of the variance")
    for col in ("element", "kind", "planned", "mean", "P50", "P90", "var share"):
        e.add_column(col, justify="right" if col not in ("element", "kind") else "left", overflow="fold")
    for el in result.elements:
        e.add_row(
            el.element,
            el.kind,
            f"{el.planned_h:.0f}",
            f"{el.mean_h:.0f}",
            f"{el.p50_h:.0f}",
            f"{el.p90_h:.0f}",
            f"{el.share:.1%}",
        )
    console.print(e)
    parts = ", ".join(f"{k} {v:.0%}" for k, v in sorted(result.part_shares.items(), key=lambda kv: -kv[1]))
    console.print(f"variance by part: {parts}")


def _read_route(path: Path, index: int) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError("--itinerary", str(path), f"a readable JSON file ({exc})") from None
    if isinstance(data, dict) and "routes" in data:
        routes = data["routes"]
        if not isinstance(routes, list) or not 0 <= index < len(routes):
            raise InputError("--route-index", index, f"an index below the {len(routes)} route(s) in {path.name}")
        data = routes[index]
    if not isinstance(data, dict) or "legs" not in data:
        raise InputError("--itinerary", str(path), "a plan or route from `karavan route --format json`")
    return data


@app.command("caspian")
@options(CASPIAN_OPTIONS)
def caspian_cmd(
    demand: Annotated[
        Path | None, typer.Option("--demand", help="Demand CSV (default: the built-in 2024 demand set).")
    ] = None,
    scale: Annotated[float, typer.Option("--scale", help="Factor on every demand flow (2 = doubled).")] = 1.0,
    scenario: ScenarioOpt = None,
    iterations: Annotated[
        int, typer.Option("--iterations", help="Most assignment <-> DES rounds to reach a stable point.")
    ] = 6,
    demand_mt: Annotated[
        float | None,
        typer.Option("--demand-mt", help="Legacy: the parameters' fixed line shares at this many Mt/yr."),
    ] = None,
    ships: Annotated[
        str | None, typer.Option("--ships", help="Legacy mode: fleet size (e.g. 20) or per class (feeder=8).")
    ] = None,
    years: Annotated[float, typer.Option("--years", help="Simulated years (after a 14-day warm-up).")] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    rule: Annotated[str | None, typer.Option("--rule", help="Legacy mode: when_full or timetable.")] = None,
    fill_threshold: Annotated[float | None, typer.Option("--fill-threshold", help="Sail-when-full share.")] = None,
    max_wait_h: Annotated[float | None, typer.Option("--max-wait-h", help="Longest loading wait, h.")] = None,
    parameters: Annotated[
        Path | None, typer.Option("--parameters", help="A copy of the reliability parameters.yaml.")
    ] = None,
    fmt: PlainFormatOpt = PlainFormat.table,
    dataset: DatasetOpt = None,
) -> None:
    """Discrete-event model of the Caspian crossing built from the dataset, fed by the assignment's flows.

    Ports, berths, lines, fleet (`vessels`), handling and weather come from the dataset (and scenarios);
    demand per line and direction from assigning the demand; the DES waits go back into the assignment
    until both are stable. The table names the binding elements of both models side by side.
    """
    from karavan.reliability import load_reliability_parameters, parse_ships, simulate_caspian

    check_options(
        (DEMAND_SCALE, scale, "--scale"),
        (ITERATIONS, iterations, "--iterations"),
        (DEMAND_MT, demand_mt, "--demand-mt"),
        (YEARS, years, "--years"),
        (SEED, seed, "--seed"),
        (FILL_THRESHOLD, fill_threshold, "--fill-threshold"),
        (MAX_WAIT_H, max_wait_h, "--max-wait-h"),
    )
    fleet = parse_ships(ships)
    rp = load_reliability_parameters(parameters)
    if demand_mt is not None:
        res = simulate_caspian(
            demand_mt=demand_mt,
            years=years,
            seed=seed,
            ships=fleet,
            rule=rule,
            fill_threshold=fill_threshold,
            max_wait_h=max_wait_h,
            parameters=rp,
        )
        if fmt is PlainFormat.json:
            emit_json(res.to_dict())
            return
        _print_des(res)
        return
    from karavan.capacity.picture import capacity_picture
    from karavan.capacity.scenario import apply_scenarios

    if ships is not None or rule is not None:
        raise InputError(
            "--ships" if ships is not None else "--rule",
            ships if ships is not None else rule,
            "only with --demand-mt (otherwise the dataset's `vessels` and departure patterns set them)",
        )

    net, _, applied = apply_scenarios(load(dataset), list(scenario or []))
    loading = rp.des.loading.model_copy(
        update={k: v for k, v in (("fill_threshold", fill_threshold), ("max_wait_h", max_wait_h)) if v is not None}
    )
    rp = rp.model_copy(update={"des": rp.des.model_copy(update={"loading": loading})})
    pic = capacity_picture(net, demand, scale=scale, years=years, seed=seed, max_iter=iterations, parameters=rp)
    if fmt is PlainFormat.json:
        emit_json({**pic.to_dict(), "scenarios": [s.name for s in applied]})
        return
    names = ", ".join(s.name for s in applied) or "none"
    console.print(
        f"Caspian crossing on {net.info.name} (scenarios: {names}), demand {pic.demand_name}: "
        f"{pic.des.throughput_mt():.2f} Mt/yr sailed; {len(pic.iterations)} assignment <-> DES rounds, "
        f"{'stable' if pic.converged else 'NOT stable'}",
        highlight=False,
    )
    bt = Table(title="binding elements: assignment vs discrete-event model")
    for col in ("element", "LP util", "LP binds", "DES measure", "DES", "DES binds", "why they differ"):
        bt.add_column(col, overflow="fold")
    for b in pic.binding:
        bt.add_row(
            b.element,
            f"{b.lp_utilisation:.0%}" if b.lp_utilisation is not None else "-",
            "yes" if b.lp_binding else "no",
            b.des_measure,
            f"{b.des_value:.1%}" if b.des_value is not None else "-",
            "yes" if b.des_binding else "no",
            b.reason,
        )
    console.print(bt)
    _print_des(pic.des)
    for n in pic.notes:
        console.print(f"note: {n}", highlight=False, markup=False)


def _print_des(res: Any) -> None:
    console.print(
        f"DES: demand {res.demand_mt:.2f} Mt/yr, {sum(g.count for g in res.fleet)} vessels, "
        f"{res.years:g} yr, seed {res.seed}: throughput {res.throughput_mt():.2f} Mt/yr "
        f"({res.events:,} events in {res.wall_s:.1f} s)",
        highlight=False,
    )
    w = Table(title="waiting time from arrival at the port to sailing (h)")
    for col in ("line", "from → to", "unit", "arrivals", "sailed", "mean", "P50", "P90"):
        w.add_column(col)
    for s in res.route_stats():
        w.add_row(
            s["line"],
            f"{s['from']} → {s['to']}",
            s["unit"],
            f"{s['arrivals']:,}",
            f"{s['sailed']:,}",
            *(f"{s[k]:.0f}" if s[k] is not None else "-" for k in ("wait_mean_h", "wait_p50_h", "wait_p90_h")),
        )
    console.print(w)
    qt = Table(title="queues (units at the port, not yet sailed)")
    for col in ("port", "unit", "mean", "max"):
        qt.add_column(col)
    for q in res.queues:
        qt.add_row(q["port"], q["unit"], f"{q['mean']:.0f}", f"{q['max']:,}")
    console.print(qt)
    vt = Table(title="vessels")
    for col in ("line", "class", "count", "sailings", "load factor"):
        vt.add_column(col)
    for v in res.vessels:
        vt.add_row(v["line"], v["class"], str(v["count"]), f"{v['sailings']:,}", f"{v['load_factor']:.0%}")
    console.print(vt)


@app.command("sweep")
@options(SWEEP_OPTIONS)
def sweep_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="Parquet file to write.")] = Path("sweep.parquet"),
    demand_mt: Annotated[str, typer.Option("--demand-mt", help="Demand levels, Mt/yr, e.g. 3,4.5,6.")] = "4.5",
    ships: Annotated[str | None, typer.Option("--ships", help="Fleet sizes, e.g. 20,26 (default as is).")] = None,
    months: Annotated[str, typer.Option("--months", help="Months to report, e.g. 1,6,11.")] = "1,6,11",
    runs: Annotated[int, typer.Option("--runs", help="Replications (DES years) per scenario.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Base seed.")] = 0,
    years: Annotated[float, typer.Option("--years", help="Simulated years per run.")] = 1.0,
    origin: Annotated[str | None, typer.Option("--origin", help="Also simulate this route's transit time.")] = None,
    destination: Annotated[str | None, typer.Option("--destination", help="Route destination.")] = None,
    mc_runs: Annotated[int, typer.Option("--mc-runs", help="Monte Carlo runs per route and month.")] = 2000,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler tcp://host:8786 (or $KARAVAN_DASK_SCHEDULER).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Local cluster worker processes.")] = 2,
    dataset: DatasetOpt = None,
) -> None:
    """Scenario sweep (demand × fleet × months × runs) on Dask, written to Parquet."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from karavan.cli.common import dataset_spec
    from karavan.reliability import run_sweep, sweep_metadata, sweep_tasks, write_parquet
    from karavan.reliability.sweep import SCHEDULER_ENV, check_scheduler_address, scheduler_address

    if (origin is None) != (destination is None):
        raise InputError(
            "--destination" if destination is None else "--origin", None, "both --origin and --destination"
        )
    WORKERS.check(workers, "--workers")
    check_output(output)
    address = scheduler_address(scheduler)
    if address is not None:
        check_scheduler_address(address, field="--scheduler" if scheduler else f"${SCHEDULER_ENV}")
    ship_list: list[int | None] = list(_ints(ships, "--ships")) or [None]
    tasks = sweep_tasks(
        demand_mt=_floats(demand_mt, "--demand-mt"),
        ships=ship_list,
        months=_ints(months, "--months"),
        replications=runs,
        seed=seed,
        years=years,
        route=(origin, destination) if origin and destination else None,
        dataset=dataset_spec(dataset),
        mc_runs=mc_runs,
    )
    if origin and destination:
        from karavan.routing import RouteQuery, resolve_query

        resolve_query(load(dataset), RouteQuery(origin, destination))  # fail early on unknown places
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console.real,
    ) as progress:
        bar = progress.add_task("sweep", total=len(tasks))
        with as_options({"scheduler": "--scheduler" if scheduler else f"${SCHEDULER_ENV}"}):
            rows = run_sweep(
                tasks,
                scheduler=address,
                n_workers=workers,
                on_result=lambda done, total: progress.update(bar, completed=done),
            )
    params = {
        "demand_mt": demand_mt,
        "ships": ships,
        "months": months,
        "runs": runs,
        "seed": seed,
        "years": years,
        "origin": origin,
        "destination": destination,
        "mc_runs": mc_runs,
    }
    write_parquet(rows, output, metadata=sweep_metadata(load(dataset), params))
    err_console.print(f"wrote {len(rows):,} rows from {len(tasks)} runs to {output}")


def register(root: typer.Typer) -> None:
    """Attach ``simulate`` (route / caspian / sweep) to the main app."""
    root.add_typer(app, name="simulate")
