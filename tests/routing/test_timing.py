"""Departure phases in the search: an unpublished clock time counts its mean wait, in the kernel and the accounting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from karavan.accounting import Cargo
from karavan.io import load_network
from karavan.model.entities import Headway
from karavan.model.timetable import next_departure, to_hours
from karavan.routing import RouteQuery, plan_routes
from karavan.routing.graph import routing_graph
from karavan.routing.search import pareto_search

DEPART = datetime(2025, 7, 1, tzinfo=UTC)


def test_unknown_phase_waits_half_the_headway() -> None:
    pat = Headway(headway_h=24, phase="unknown")
    for t in (0.0, 5.0, 17.25, 1000.0):
        assert next_departure(pat, t, 3.0) == pytest.approx(t + 12.0)
    assert next_departure(Headway(headway_h=24, first="06:00"), 96.0) == pytest.approx(102.0)


def test_search_and_accounting_agree_on_an_unknown_phase(
    mini_dir: Path, edit_yaml: Callable[[Path, str, str], None]
) -> None:
    edit_yaml(mini_dir / "services.yaml", 'headway_h: 24, first: "06:00"}', "headway_h: 24, phase: unknown}")
    net = load_network(mini_dir)
    plan = plan_routes(net, RouteQuery("CNAAA", "KZAAU", depart=DEPART, cargo=Cargo("FEU")))
    it = plan.routes[0].itinerary
    assert it.legs[0].wait_h == pytest.approx(12.0)
    g = routing_graph(net, Cargo("FEU"))
    labels = pareto_search(g, g.node_ids.index("CNAAA"), g.node_ids.index("KZAAU"), to_hours(DEPART)).labels
    assert min(lab.t_h for lab in labels) - to_hours(DEPART) == pytest.approx(it.transit_time_h)
