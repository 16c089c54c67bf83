"""No route of the embedded dataset visits a place twice or passes its destination, for any pair."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from karavan.accounting import Cargo
from karavan.io import load_network
from karavan.model.timetable import to_hours
from karavan.routing.graph import routing_graph
from karavan.routing.search import pareto_search


def test_no_loop_for_any_pair() -> None:
    net = load_network()
    g = routing_graph(net, Cargo("FEU"))
    t0 = to_hours(datetime(2026, 12, 1, tzinfo=UTC))
    tails = np.repeat(np.arange(g.n_vertices), np.diff(g.indptr))
    pairs = routes = 0
    for o in range(len(g.node_ids)):
        if not g.dep_at.get(o):
            continue
        for d in range(len(g.node_ids)):
            if d == o or not g.arr_at.get(d):
                continue
            pairs += 1
            for lab in pareto_search(g, o, d, t0, criteria=3, max_labels_per_state=8).labels:
                verts = [lab.edges[0][1]] + [int(g.head[e]) for _, e in lab.edges[1:]]
                assert all(int(tails[e]) == verts[i] for i, (_, e) in enumerate(lab.edges[1:]))
                nodes = [int(g.v_node[v]) for v in verts]
                visits = [n for i, n in enumerate(nodes) if i == 0 or n != nodes[i - 1]]
                assert len(visits) == len(set(visits)), (g.node_ids[o], g.node_ids[d], visits)
                assert visits[0] == o
                assert visits[-1] == d
                routes += 1
    assert pairs > 1000
    assert routes > pairs
