"""``karavan report route|scenario``: one self-contained HTML file with map, tables, charts and trail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from karavan.cli.common import (
    QUERY_OPTIONS,
    AvoidCountryOpt,
    AvoidNodeOpt,
    CargoOpt,
    CountOpt,
    DatasetOpt,
    DepartOpt,
    MaxRoutesOpt,
    ModesOpt,
    ValueOpt,
    ViaOpt,
    WeightOpt,
    check_output,
    depart_text,
    err_console,
    load,
    options,
    route_query,
    spinner,
    write_text_atomic,
)

app = typer.Typer(
    help="Write self-contained HTML reports (map, tables, charts, calculation trail).", no_args_is_help=True
)

OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.", dir_okay=False)]


@app.command("route")
@options(QUERY_OPTIONS)
def route_cmd(
    origin: Annotated[str, typer.Argument(help="Origin: id, UN/LOCODE, English or Russian name.")],
    destination: Annotated[str, typer.Argument(help="Destination.")],
    output: OutputOpt,
    depart: DepartOpt = None,
    cargo: CargoOpt = "FEU",
    count: CountOpt = 1,
    weight_t: WeightOpt = None,
    value_usd: ValueOpt = None,
    via: ViaOpt = None,
    avoid_country: AvoidCountryOpt = None,
    avoid_node: AvoidNodeOpt = None,
    modes: ModesOpt = None,
    max_routes: MaxRoutesOpt = 5,
    slack: Annotated[float, typer.Option("--slack", help="Drop alternatives within this relative slack.")] = 0.0,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs per route for P50/P90.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the simulation.")] = 0,
    dataset: DatasetOpt = None,
) -> None:
    """Report on the Pareto routes between two places: map, route table, legs, hubs, P50/P90, trail."""
    from karavan.routing import plan_routes
    from karavan.web.report import route_report

    check_output(output)
    query = route_query(
        origin,
        destination,
        depart=depart,
        cargo=cargo,
        count=count,
        weight_t=weight_t,
        value_usd=value_usd,
        via=via,
        avoid_country=avoid_country,
        avoid_node=avoid_node,
        modes=modes,
        max_routes=max_routes,
        slack=slack,
        runs=runs,
        seed=seed,
    )
    net = load(dataset)
    with spinner("planning and simulating routes…"):
        plan = plan_routes(net, query)  # one search; every route carries its simulation
        sims: list[dict[str, Any] | None] = [
            r.simulation.to_dict() if r.simulation is not None else None for r in plan.routes
        ]
        html = route_report(net, plan, simulations=sims)
    write_text_atomic(output, html)
    err_console.print(f"wrote {output} ({len(plan.routes)} routes, {depart_text(plan.depart, depart)})")


@app.command("scenario")
@options({"scenario": "SCENARIO or --base"})
def scenario_cmd(
    scenario: Annotated[str, typer.Argument(help="Shipped scenario name or a scenario YAML file.")],
    output: OutputOpt,
    base: Annotated[
        str, typer.Option("--base", help="Compare with 'base' (the dataset) or another scenario.")
    ] = "base",
    routes: Annotated[
        str | None, typer.Option("--routes", help="ORIGIN:DEST pairs to compare, comma-separated.")
    ] = None,
    dataset: DatasetOpt = None,
) -> None:
    """Report on a scenario against its base: utilisation map, totals, routes and bottlenecks side by side."""
    from karavan.capacity import assign, diff_scenarios, load_scenario
    from karavan.capacity.diff import parse_routes
    from karavan.capacity.scenario import network_for
    from karavan.web.report import scenario_report

    check_output(output)
    net = load(dataset)
    sc = load_scenario(scenario)
    with spinner(f"comparing {sc.name} with {base}…"):
        diff = diff_scenarios(net, base, sc, routes=parse_routes(routes))
        scenario_net, _ = network_for(sc, net)
        assignment = assign(scenario_net, None, scenario=None).to_dict() if scenario_net is not net else None
        summary = dict(sc.summary())
        summary["description"] = sc.description
        html = scenario_report(net, summary, diff.to_dict(), scenario_net=scenario_net, assignment=assignment)
    write_text_atomic(output, html)
    err_console.print(f"wrote {output}")


def register(main: typer.Typer) -> None:
    """Attach ``report`` to the main app."""
    main.add_typer(app, name="report")
