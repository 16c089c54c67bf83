"""Criteria weights of a routing graph for the compiled search: time, cost, CO2e and reliability.

Reliability is two additive columns, the mean delay beyond plan and the variance of each
element (:mod:`karavan.reliability.moments`), so a route's P90 is estimated as
``planned + mean delay + z·σ`` and the route with the lowest estimate is in the Pareto set.
The weather part depends on the month, so the columns are built per month and cached on
the graph and on disk (:mod:`karavan.routing.stored`; the graph itself is cached by dataset
content, parameters, unit and weight).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from karavan.model.enums import Mode
from karavan.routing.graph import RIDE, THRU, XFER, RoutingGraph

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class CriteriaWeights:
    """Per-edge criteria (``wts``, columns time, cost, CO2e, mean delay, variance) and per-vertex parts.

    ``board`` holds the (mean delay, variance) of leaving on a DEP vertex's run (used when the
    trip starts there); ``alight`` those of getting off at an ARR vertex (used when it ends there).
    """

    wts: F64
    board: F64
    alight: F64


def _vertex_moments(graph: RoutingGraph, month: int) -> tuple[F64, F64]:
    from karavan.reliability import moments
    from karavan.reliability.params import load_reliability_parameters

    rp = load_reliability_parameters()
    net = graph.net
    n = graph.n_vertices
    board = np.zeros((n, 2))
    alight = np.zeros((n, 2))
    ports: dict[str, object] = {}
    for v in range(n):
        run = graph.runs[int(graph.v_run[v])]
        svc = run.service
        nid = graph.node_ids[int(graph.v_node[v])]
        weather = moments.ZERO
        if svc.mode is Mode.SEA:
            if nid not in ports:
                ports[nid] = rp.port_weather(net.nodes[nid])
            weather = moments.weather(rp, ports[nid], month)  # type: ignore[arg-type]
        if graph.v_is_arr[v]:
            alight[v] = weather
        else:
            board[v] = moments.add(moments.boarding(rp, svc), weather)
    return board, alight


def _edge_moments(graph: RoutingGraph, board: F64, alight: F64) -> F64:
    from karavan.reliability import moments
    from karavan.reliability.params import load_reliability_parameters

    rp = load_reliability_parameters()
    net = graph.net
    n = graph.n_vertices
    tails = np.repeat(np.arange(n), np.diff(graph.indptr))
    out = np.zeros((graph.n_edges, 2))
    for ei in range(graph.n_edges):
        k = int(graph.kind[ei])
        tail = int(tails[ei])
        if k == RIDE:
            run = graph.runs[int(graph.v_run[tail])]
            planned = run.cum_h[int(graph.v_stop[graph.head[ei]])] - run.cum_h[int(graph.v_stop[tail])]
            parts = [moments.running(rp, run.service, planned, run.cum_h[-1])]
            parts += [moments.hub(net.hub_operations[op]) for op in graph.ride_ops.get(ei, ())]
            out[ei] = moments.add(*parts)
        elif k in (XFER, THRU):
            op = moments.hub(net.hub_operations[graph.op_ids[int(graph.ref[ei])]])
            if k == XFER:
                out[ei] = moments.add(op, tuple(alight[tail]), tuple(board[int(graph.head[ei])]))
            else:
                out[ei] = op
    return out


def criteria_weights(graph: RoutingGraph, month: int) -> CriteriaWeights:
    """The search's criteria columns for departures in ``month`` (0-11), cached on the graph and on disk."""
    cache: dict[int, CriteriaWeights] = graph.__dict__.setdefault("_weights_cache", {})
    if month in cache:
        return cache[month]
    from karavan.routing import stored

    weights = stored.read_weights(graph, month)
    if weights is None:
        weights = build_weights(graph, month)
        stored.write_weights(graph, month, weights)
    cache[month] = weights
    return weights


def build_weights(graph: RoutingGraph, month: int) -> CriteriaWeights:
    """The criteria columns for departures in ``month``, computed (prefer :func:`criteria_weights`)."""
    n = graph.n_vertices
    if graph.net is None or not graph.runs:  # a synthetic graph (benchmarks): no reliability data
        board, alight, rel = np.zeros((n, 2)), np.zeros((n, 2)), np.zeros((graph.n_edges, 2))
    else:
        board, alight = _vertex_moments(graph, month)
        rel = _edge_moments(graph, board, alight)
    wts = np.empty((graph.n_edges, 5))
    wts[:, 0] = graph.dur_h
    wts[:, 1] = graph.cost_usd
    wts[:, 2] = graph.co2e_kg
    wts[:, 3:] = rel
    return CriteriaWeights(np.ascontiguousarray(wts), board, alight)


__all__ = ["CriteriaWeights", "build_weights", "criteria_weights"]
