"""The route table's ``via`` column names each leg's mode, and the line of a ferry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

Run = Callable[..., tuple[int, str, str]]
MINI = str(Path(__file__).parents[1] / "fixtures" / "mini")


def test_via_names_modes_and_the_ferry_line(run_cli: Run) -> None:
    from karavan.cli.route import via_text
    from karavan.io import load_network
    from karavan.routing import RouteQuery, plan_routes

    net = load_network(MINI)
    route = plan_routes(net, RouteQuery("Alpha", "Baku")).routes[0]
    text = via_text(net, route)
    sea = [leg for leg in route.itinerary.legs if leg.mode == "sea"]
    assert sea
    for leg in sea:
        assert f"—sea: {leg.service_name}→" in text
    assert "—rail→" in text
    assert text.startswith(net.nodes[route.itinerary.legs[0].figures.board].name_en)
    assert text.endswith(net.nodes[route.itinerary.legs[-1].figures.alight].name_en)
    code, out, _ = run_cli("route", "Alpha", "Baku", "--dataset", MINI)
    assert code == 0
    assert "sea:" in out
