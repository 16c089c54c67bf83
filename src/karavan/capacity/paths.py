"""Vectorised shortest paths on a :class:`~karavan.capacity.flownet.FlowNet` (scipy.sparse.csgraph)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

EPS_W = 1e-9
"""Added to every weight: csgraph may drop explicit zeros, and ties then favour fewer edges."""
BATCH = 32
"""Origins per Dijkstra call (bounds memory to BATCH × vertices)."""


@dataclass(frozen=True)
class ShortestPaths:
    """Shortest-path costs of many OD pairs and, on request, their edges.

    ``path_od`` / ``path_edge`` list (OD position, edge index) pairs of the extracted paths.
    """

    dist: NDArray[np.float64]
    path_od: NDArray[np.int64]
    path_edge: NDArray[np.int64]


def useful_edges(
    tail: NDArray[np.int64], head: NDArray[np.int64], n_vertices: int, targets: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Indices of the edges that can lie on a path to one of ``targets``.

    An edge into a vertex with no way on (no outgoing edge) that is not a target cannot: e.g. the exit
    to a place no flow is bound for. Dropping those edges leaves every path to a target unchanged.
    """
    way_on = np.zeros(n_vertices, dtype=np.bool_)
    way_on[tail] = True
    way_on[targets] = True
    return np.flatnonzero(way_on[head]).astype(np.int64)


def shortest_paths(
    tail: NDArray[np.int64],
    head: NDArray[np.int64],
    weight: NDArray[np.float64],
    n_vertices: int,
    o_vert: NDArray[np.int64],
    d_vert: NDArray[np.int64],
    want: NDArray[np.bool_] | None = None,
    accept: NDArray[np.float64] | None = None,
) -> ShortestPaths:
    """Least-weight paths from ``o_vert[i]`` to ``d_vert[i]`` for every OD ``i``.

    Parallel edges are collapsed to the lightest one. Paths are extracted for ODs where
    ``want`` is true and (if ``accept`` is given) ``dist < accept``.
    """
    n_od = o_vert.size
    dist = np.full(n_od, np.inf)
    if n_od == 0 or tail.size == 0:
        return ShortestPaths(dist, np.zeros(0, np.int64), np.zeros(0, np.int64))
    w = np.maximum(weight, 0.0) + EPS_W
    key = tail * n_vertices + head
    order = np.lexsort((w, key))
    ks = key[order]
    first = np.ones(ks.size, dtype=np.bool_)
    first[1:] = ks[1:] != ks[:-1]
    rep_edge = order[first]
    rep_key = ks[first]
    graph = sp.csr_matrix((w[rep_edge], (tail[rep_edge], head[rep_edge])), shape=(n_vertices, n_vertices))
    origins, od_origin = np.unique(o_vert, return_inverse=True)
    out_od: list[NDArray[np.int64]] = []
    out_edge: list[NDArray[np.int64]] = []
    want_mask = np.ones(n_od, dtype=np.bool_) if want is None else want
    by_origin = np.argsort(od_origin, kind="stable")
    bounds = np.searchsorted(od_origin[by_origin], np.arange(origins.size + 1))
    for b0 in range(0, origins.size, BATCH):
        b1 = min(origins.size, b0 + BATCH)
        dmat, pred = dijkstra(graph, directed=True, indices=origins[b0:b1], return_predecessors=True)
        ods = by_origin[bounds[b0] : bounds[b1]]
        rows = od_origin[ods] - b0
        dist[ods] = dmat[rows, d_vert[ods]]
        sel = want_mask[ods] & np.isfinite(dist[ods])
        if accept is not None:
            sel &= dist[ods] < accept[ods]
        if not sel.any():
            continue
        ods_s, rows_s = ods[sel], rows[sel]
        cur = d_vert[ods_s].astype(np.int64)
        active = np.ones(ods_s.size, dtype=np.bool_)
        while active.any():
            idx = np.flatnonzero(active)
            prev = pred[rows_s[idx], cur[idx]].astype(np.int64)
            pos = np.searchsorted(rep_key, prev * n_vertices + cur[idx])
            out_od.append(ods_s[idx].astype(np.int64))
            out_edge.append(rep_edge[pos].astype(np.int64))
            cur[idx] = prev
            active[idx] = prev != o_vert[ods_s[idx]]
    if out_od:
        return ShortestPaths(dist, np.concatenate(out_od), np.concatenate(out_edge))
    return ShortestPaths(dist, np.zeros(0, np.int64), np.zeros(0, np.int64))
