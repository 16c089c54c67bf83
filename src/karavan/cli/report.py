"""``karavan report route|scenario``: one self-contained HTML file with map, tables, charts and trail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from karavan.cli.common import DatasetOpt, err_console, load, write_text_atomic
from karavan.cli.route import parse_depart, split_list

app = typer.Typer(
    help="Write self-contained HTML reports (map, tables, charts, calculation trail).", no_args_is_help=True
)

OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.", dir_okay=False)]


@app.command("route")
def route_cmd(
    origin: Annotated[str, typer.Argument(help="Origin: id, UN/LOCODE, English or Russian name.")],
    destination: Annotated[str, typer.Argument(help="Destination.")],
    output: OutputOpt,
    depart: Annotated[str | None, typer.Option("--depart", help="Earliest departure, ISO date/time (UTC).")] = None,
    cargo: Annotated[str, typer.Option("--cargo", help="Unit: FEU, TEU, wagon, trailer or tonnes.")] = "FEU",
    count: Annotated[float, typer.Option("--count", help="Number of units (tonnes for bulk).")] = 1,
    weight_t: Annotated[float | None, typer.Option("--weight-t", help="Gross cargo weight per unit in tonnes.")] = None,
    value_usd: Annotated[float | None, typer.Option("--value-usd", help="Cargo value (USD).")] = None,
    via: Annotated[list[str] | None, typer.Option("--via", help="Place to pass through (repeatable).")] = None,
    avoid_country: Annotated[
        list[str] | None, typer.Option("--avoid-country", help="ISO countries to avoid, e.g. RU,IR.")
    ] = None,
    avoid_node: Annotated[list[str] | None, typer.Option("--avoid-node", help="Place to avoid (repeatable).")] = None,
    modes: Annotated[str | None, typer.Option("--modes", help="Allowed modes, e.g. rail,sea.")] = None,
    max_routes: Annotated[int, typer.Option("--max-routes", help="Most alternatives shown.")] = 5,
    slack: Annotated[float, typer.Option("--slack", help="Drop alternatives within this relative slack.")] = 0.0,
    runs: Annotated[
        int, typer.Option("--runs", help="Monte Carlo runs per route for P50/P90 (0: none).", min=0)
    ] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the simulation.")] = 0,
    dataset: DatasetOpt = None,
) -> None:
    """Report on the Pareto routes between two places: map, route table, legs, hubs, P50/P90, trail."""
    from karavan.accounting import Cargo
    from karavan.routing import plan_routes
    from karavan.web.report import route_report

    net = load(dataset)
    options: dict[str, Any] = {
        "depart": parse_depart(depart),
        "cargo": Cargo(unit=cargo, count=count, gross_t_per_unit=weight_t, value_usd=value_usd),  # type: ignore[arg-type]
        "via": split_list(via),
        "avoid_countries": split_list(avoid_country),
        "avoid_nodes": split_list(avoid_node),
        "modes": split_list([modes]) if modes else None,
        "max_routes": max_routes,
        "slack": slack,
    }
    plan = plan_routes(net, origin, destination, **options)
    sims: list[dict[str, Any] | None] = []
    if runs:
        try:
            from karavan.reliability import simulate  # type: ignore[attr-defined,unused-ignore]
        except ImportError:
            err_console.print("transit-time distributions left out: karavan.reliability is not available")
        else:
            options["depart"] = plan.query.depart
            for i in range(len(plan.routes)):
                sims.append(
                    simulate(net, origin, destination, runs=runs, seed=seed, route_index=i, **options).to_dict()
                )
    write_text_atomic(output, route_report(net, plan, simulations=sims))
    err_console.print(f"wrote {output}")


@app.command("scenario")
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

    net = load(dataset)
    sc = load_scenario(scenario)
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
