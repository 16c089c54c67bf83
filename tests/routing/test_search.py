"""The search's per-graph tables (origins, destinations, node bits) and its lazily read labels."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from karavan.accounting import Cargo
from karavan.io import load_network
from karavan.model import Network
from karavan.model.timetable import to_hours
from karavan.routing import search
from karavan.routing.graph import RoutingGraph, routing_graph
from karavan.routing.search import kernel_arrays, node_bits, pareto_search
from karavan.routing.weights import criteria_weights

DEPART = to_hours(datetime(2026, 12, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def embedded() -> tuple[Network, RoutingGraph]:
    net = load_network()
    return net, routing_graph(net, Cargo("FEU", count=2))


def _node(g: RoutingGraph, nid: str) -> int:
    return g.node_ids.index(nid)


def _fresh(g: RoutingGraph) -> None:
    g.__dict__.pop("_ends_cache", None)


def test_labels_are_read_from_the_tree_on_demand(embedded: tuple[Network, RoutingGraph]) -> None:
    net, g = embedded
    o, d = _node(g, net.resolve("Xi'an").id), _node(g, net.resolve("Baku").id)
    found = pareto_search(g, o, d, DEPART)
    assert len(found.rows) > 6
    assert found.rows == tuple(sorted(found.rows))
    one = found.label(3)
    assert one == found.labels[3]
    assert (one.t_h, one.cost_usd, one.co2e_kg, one.delay_h, one.var_h2) == found.rows[3]
    tails = np.repeat(np.arange(g.n_vertices), np.diff(g.indptr))
    for lab in found.labels:
        verts = [lab.edges[0][1]] + [int(g.head[e]) for _, e in lab.edges[1:]]
        assert all(int(tails[e]) == verts[i] for i, (_, e) in enumerate(lab.edges[1:]))
        assert int(g.v_node[verts[0]]) == o
        assert int(g.v_node[verts[-1]]) == d


def test_destination_tables_follow_the_weights(embedded: tuple[Network, RoutingGraph]) -> None:
    net, g = embedded
    d = _node(g, net.resolve("Baku").id)
    dec, jul = criteria_weights(g, 11), criteria_weights(g, 6)
    _fresh(g)
    built = search._targets(g, d, dec)
    assert search._targets(g, d, dec) is built  # kept
    other = search._targets(g, d, jul)
    assert other is not built  # other weights (another month), other tables
    _fresh(g)
    again = search._targets(g, d, dec)
    for a, b in zip(built[:3], again[:3], strict=True):
        assert np.array_equal(a, b)
    assert built[3] == again[3]
    # weights freed and another object at the same id: the stale tables are not read
    key = ("dest", d, id(jul))
    g.__dict__["_ends_cache"][key] = (dec, built)
    assert search._targets(g, d, jul) is not built


def test_origin_tables_follow_the_weights_and_the_clock(embedded: tuple[Network, RoutingGraph]) -> None:
    net, g = embedded
    o = _node(g, net.resolve("Altynkol").id)
    ka = kernel_arrays(g)
    dec = criteria_weights(g, 11)
    _fresh(g)
    verts, w0, starts = search._initial_labels(g, o, DEPART, dec, ka)
    verts2, w1, _ = search._initial_labels(g, o, DEPART + 30.0, dec, ka)
    assert verts is verts2
    assert np.array_equal(w0[:, 1:], w1[:, 1:])  # the criteria other than time do not depend on the clock
    assert (w1[:, 0] >= DEPART + 30.0).all()
    assert (w0[:, 0] >= DEPART).all()
    assert set(starts) == {int(v) for v in verts}
    w0[:, :] = -1.0  # the caller's copy: the kept tables are untouched
    _, w2, _ = search._initial_labels(g, o, DEPART, dec, ka)
    assert (w2[:, 1] >= 0).all()


def test_node_bits_kept_per_tracked_set() -> None:
    search._bits_of.cache_clear()
    a = np.zeros(200, dtype=np.bool_)
    a[[3, 7]] = True
    b = a.copy()
    b[150] = True
    bits_a, bits_b = search._hub_bits(a), search._hub_bits(b)
    assert search._hub_bits(a.copy()) is bits_a
    for got, tracked in ((bits_a, a), (bits_b, b)):
        want = node_bits(tracked)
        assert np.array_equal(got[0], want[0])
        assert got[1] == want[1]


def test_search_columns_kept_per_criteria_and_epsilon() -> None:
    use, multi, eps = search._columns(("cost",), 0.0)
    assert use.tolist() == [True, True, False, False, False]
    assert multi
    assert eps.tolist() == [1.0] * 5
    assert search._columns(["cost"], 0.0)[0] is use  # a list of names is the same set
    _, _, eps2 = search._columns(("cost",), 0.1)
    assert eps2[3] == pytest.approx(1.1)
    assert eps2[4] == pytest.approx(1.21)
    use1, multi1, _ = search._columns(1, 0.0)
    assert use1.tolist() == [True, False, False, False, False]
    assert not multi1
