"""Shortest paths on a :class:`~karavan.capacity.flownet.FlowNet`: one compiled Dijkstra per origin.

The searches run in C (``flow.c`` of :mod:`karavan._native`, through ctypes): a binary-heap Dijkstra per origin
that stops once all of that origin's destinations are settled, then each accepted destination's path walked
back along the predecessor edges.
"""

from __future__ import annotations

import ctypes
import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from karavan import _native
from karavan._native import address as _addr
from karavan.errors import NativeKernelError

EPS_W = 1e-9
"""Added to every weight: ties then favour fewer edges."""

THREADS = max(1, min(4, os.cpu_count() or 1))
"""Threads the origins' searches are shared out over (the C code runs without the GIL)."""
PATH_ROOM_PER_TARGET = 128
"""Path edges per destination a search makes room for at first (it doubles the room and goes on from the origin
where it ran out)."""
MIN_ORIGINS_PER_THREAD = 8
"""Fewer origins than this per thread are searched in the calling thread."""
PARTS_PER_THREAD = 4
"""The origins are cut into this many parts per thread, taken by the threads as they become free: origins
differ in how many targets are left to price, and so in how long their searches take."""

_P = ctypes.c_void_p
_I = ctypes.c_int64
_KF_PATHS = ("kf_paths", _I, [_I, _P, _P, _P, _P, _P, _I, _P, _P, _P, _P, _P, _P, _P, _I])


def kf_paths() -> Any:
    """The compiled search (``kf_paths`` of ``flow.c``).

    Raises
    ------
    karavan.errors.NativeKernelError
        The library is missing, or was built from older sources without this function.
    """
    return _native.function(*_KF_PATHS)


@dataclass(frozen=True)
class ShortestPaths:
    """Shortest-path costs of many OD pairs and, on request, their edges.

    ``path_od`` / ``path_edge`` list (OD position, edge index) pairs of the extracted paths, each path's
    edges from the destination back to the origin.
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


class StaticGraph:
    """A directed graph in CSR order by tail for repeated shortest-path searches under changing weights.

    ``edges`` selects the edges of ``tail``/``head`` the searches may use (all by default); weights are
    always given over all edges and paths report indices into them.
    """

    def __init__(
        self,
        tail: NDArray[np.int64],
        head: NDArray[np.int64],
        n_vertices: int,
        edges: NDArray[np.int64] | None = None,
    ) -> None:
        sel = np.arange(tail.size, dtype=np.int64) if edges is None else np.asarray(edges, dtype=np.int64)
        order = sel[np.argsort(tail[sel], kind="stable")]
        self.n_vertices = int(n_vertices)
        self.tail = np.ascontiguousarray(tail, dtype=np.int64)
        self.indptr = np.zeros(self.n_vertices + 1, dtype=np.int64)
        np.cumsum(np.bincount(tail[order], minlength=self.n_vertices), out=self.indptr[1:])
        self.head = np.ascontiguousarray(head[order], dtype=np.int64)
        self.eid = np.ascontiguousarray(order, dtype=np.int64)

    def paths(
        self,
        weight: NDArray[np.float64],
        o_vert: NDArray[np.int64],
        d_vert: NDArray[np.int64],
        accept: NDArray[np.float64] | None = None,
    ) -> ShortestPaths:
        """Least-weight paths from ``o_vert[i]`` to ``d_vert[i]``; edges only where ``dist < accept[i]``.

        Without ``accept`` every reachable OD's path is extracted. Negative weights count as 0.
        """
        n_od = int(o_vert.size)
        if n_od == 0 or self.eid.size == 0:
            return ShortestPaths(np.full(n_od, np.inf), np.zeros(0, np.int64), np.zeros(0, np.int64))
        w = np.ascontiguousarray(np.maximum(weight, 0.0) + EPS_W, dtype=np.float64)
        by_origin = np.argsort(o_vert, kind="stable")
        o_sorted = o_vert[by_origin]
        first = np.flatnonzero(np.r_[True, o_sorted[1:] != o_sorted[:-1]])
        sources = np.ascontiguousarray(o_sorted[first], dtype=np.int64)
        tgt_ptr = np.ascontiguousarray(np.r_[first, n_od], dtype=np.int64)
        tgt = np.ascontiguousarray(d_vert[by_origin], dtype=np.int64)
        acc = np.full(n_od, np.inf) if accept is None else np.asarray(accept, dtype=np.float64)[by_origin]
        acc = np.ascontiguousarray(acc)
        n_threads = min(THREADS, max(1, sources.size // MIN_ORIGINS_PER_THREAD))
        n_parts = min(n_threads * PARTS_PER_THREAD, max(1, sources.size // MIN_ORIGINS_PER_THREAD))
        cuts = np.linspace(0, sources.size, n_parts + 1).round().astype(np.int64)
        parts = [self._search(w, sources, tgt_ptr, tgt, acc, int(a), int(b)) for a, b in itertools.pairwise(cuts)]
        if n_threads > 1:  # the C searches release the GIL: the threads take the parts one after another
            with ThreadPoolExecutor(n_threads) as pool:
                list(pool.map(_Search.run, parts))
        else:
            for part in parts:
                part.run()
        if any(part.failed for part in parts):
            raise NativeKernelError("shortest paths: out of memory")
        dist_s = np.concatenate([part.dist for part in parts])
        lens = np.concatenate([np.diff(part.path_ptr) for part in parts])
        edges = np.concatenate([part.edges for part in parts])
        dist = np.empty(n_od)
        dist[by_origin] = dist_s
        path_od = np.repeat(by_origin, lens).astype(np.int64)
        return ShortestPaths(dist, path_od, edges)

    def _search(
        self,
        w: NDArray[np.float64],
        sources: NDArray[np.int64],
        tgt_ptr: NDArray[np.int64],
        tgt: NDArray[np.int64],
        acc: NDArray[np.float64],
        a: int,
        b: int,
    ) -> _Search:
        t0, t1 = int(tgt_ptr[a]), int(tgt_ptr[b])
        return _Search(
            self,
            w,
            np.ascontiguousarray(sources[a:b]),
            np.ascontiguousarray(tgt_ptr[a : b + 1] - t0),
            np.ascontiguousarray(tgt[t0:t1]),
            np.ascontiguousarray(acc[t0:t1]),
        )


class _Search:
    """One call of the C search over a slice of the origins, run in the calling or in a worker thread."""

    def __init__(
        self,
        graph: StaticGraph,
        w: NDArray[np.float64],
        sources: NDArray[np.int64],
        tgt_ptr: NDArray[np.int64],
        tgt: NDArray[np.int64],
        acc: NDArray[np.float64],
    ) -> None:
        self.graph, self.w, self.sources, self.tgt_ptr, self.tgt, self.acc = graph, w, sources, tgt_ptr, tgt, acc
        self.dist = np.empty(tgt.size)
        self.path_ptr = np.empty(tgt.size + 1, dtype=np.int64)
        self.edges = np.zeros(0, dtype=np.int64)
        self.failed = False

    def run(self) -> None:
        g = self.graph
        call = kf_paths()
        cap = max(1024, PATH_ROOM_PER_TARGET * self.tgt.size)
        chunks: list[NDArray[np.int64]] = []
        s0, done_edges = 0, 0  # sources finished, path edges written before them
        while s0 < self.sources.size:
            t0 = int(self.tgt_ptr[s0])
            buf = np.empty(cap, dtype=np.int64)
            ptr = np.empty(self.tgt.size - t0 + 1, dtype=np.int64)
            dist = np.empty(self.tgt.size - t0)
            src = np.ascontiguousarray(self.sources[s0:])
            tptr = np.ascontiguousarray(self.tgt_ptr[s0:] - t0)
            tgt, acc = np.ascontiguousarray(self.tgt[t0:]), np.ascontiguousarray(self.acc[t0:])
            rc = int(
                call(
                    g.n_vertices, _addr(g.indptr), _addr(g.head), _addr(g.eid), _addr(self.w), _addr(g.tail),
                    src.size, _addr(src), _addr(tptr), _addr(tgt), _addr(acc), _addr(dist), _addr(ptr), _addr(buf), cap,
                )
            )  # fmt: skip
            if rc == -1:
                self.failed = True
                return
            stop = src.size if rc >= 0 else -rc - 2  # sources of this call whose results are complete
            t_stop = int(tptr[stop])
            written = rc if rc >= 0 else int(ptr[t_stop])
            self.dist[t0 : t0 + t_stop] = dist[:t_stop]
            self.path_ptr[t0 : t0 + t_stop + 1] = ptr[: t_stop + 1] + done_edges
            chunks.append(buf[:written])
            done_edges += written
            s0 += stop
            if rc < 0:
                cap *= 2
        self.edges = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)


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

    Paths are extracted for ODs where ``want`` is true and (if ``accept`` is given) ``dist < accept``.
    """
    acc = np.full(o_vert.size, np.inf) if accept is None else np.asarray(accept, dtype=np.float64).copy()
    if want is not None:
        acc[~want] = -np.inf
    return StaticGraph(tail, head, n_vertices).paths(weight, o_vert, d_vert, acc)
