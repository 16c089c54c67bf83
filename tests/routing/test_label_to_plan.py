"""Plans read from search labels: the plan elements kept per graph are those of their key."""

from __future__ import annotations

from datetime import UTC, datetime

from karavan.accounting import Cargo, HubPlan, LegPlan
from karavan.io import load_network
from karavan.model.timetable import to_hours
from karavan.routing import plan as plan_mod
from karavan.routing.graph import routing_graph
from karavan.routing.plan import label_to_plan
from karavan.routing.search import pareto_search


def test_kept_legs_match_their_key() -> None:
    net = load_network()
    g = routing_graph(net, Cargo("FEU"))
    cols = plan_mod._path_columns(g)
    run_idx = next(r for r, run in enumerate(g.runs) if len(run.stops) >= 3)
    run = g.runs[run_idx]
    keys = [(run_idx, 0, 1, False, None), (run_idx, 0, 2, False, None), (run_idx, 1, 2, True, None)]
    keys.append((run_idx, 0, 1, True, "some-train"))
    kept = [plan_mod._leg_plan(g, cols, key) for key in keys]
    legs = [leg for leg, _ in kept]
    for (_, i, j, aboard, through), (leg, passed) in zip(keys, kept, strict=True):
        assert leg == LegPlan(run.service.id, run.reverse, run.stops[i], run.stops[j], aboard, through, run.carrier)
        assert passed == run.stops[i : j + 1]  # a run calls at each of its stops once
    assert len(set(legs)) == len(keys)  # every part of the key tells legs apart
    assert plan_mod._leg_plan(g, cols, keys[0])[0] is legs[0]
    assert plan_mod._hub_plan(cols, "x") == HubPlan("x")


def test_plans_of_a_search_are_the_same_with_kept_elements() -> None:
    net = load_network()
    g = routing_graph(net, Cargo("FEU", count=2))
    o, d = g.node_ids.index(net.resolve("Xi'an").id), g.node_ids.index(net.resolve("Istanbul").id)
    labels = pareto_search(g, o, d, to_hours(datetime(2026, 12, 1, tzinfo=UTC))).labels
    first = [label_to_plan(g, lab) for lab in labels]
    g.__dict__.pop("_path_columns")
    again = [label_to_plan(g, lab) for lab in labels]
    assert first == again
    assert any(isinstance(e, LegPlan) and e.stay_aboard for steps, _ in first for e in steps)
