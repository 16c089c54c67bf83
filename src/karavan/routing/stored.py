"""The routing graph and its criteria weights on disk, so a new process does not build them again.

Building the graph of a dataset and the reliability columns of its edges costs more than a
whole route search, and a command line pays both in every new process. Both are stored as
entries of :mod:`karavan.io.cache` (checksummed, written atomically, kept per kind), holding
only plain tables: numpy arrays, ids and numbers. What refers to the dataset (the runs, the
network itself) is taken from the network the caller loaded, so an entry holds nothing a
network could disagree with.

An entry's key covers everything the graph depends on: the dataset's content hash (its
tables and any scenario applied), the digest of the parameter files (the packaged
``parameters.yaml`` and a dataset's own), the unit and the gross weight per unit, and the
code fingerprint that every cache key carries. The weights add the month and the packaged
reliability parameters. A changed input gives another key; an entry that does not fit the
network it is read for (other runs, nodes or array sizes) is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from karavan.io import cache

if TYPE_CHECKING:
    from karavan.model.enums import Unit
    from karavan.model.network import Network
    from karavan.routing.graph import RoutingGraph
    from karavan.routing.weights import CriteriaWeights

GRAPH_KIND = "routing-graph"
"""Cache kind of the routing graph tables."""
WEIGHTS_KIND = "routing-weights"
"""Cache kind of the criteria weights of a graph for one month."""

VERTEX_ARRAYS = {"v_run": np.int32, "v_stop": np.int32, "v_node": np.int32, "v_is_arr": np.bool_}
EDGE_ARRAYS = {
    "head": np.int32,
    "kind": np.int8,
    "dur_h": np.float64,
    "cost_usd": np.float64,
    "co2e_kg": np.float64,
    "dist_km": np.float64,
    "ref": np.int32,
    "board_run": np.int32,
    "opening": np.int32,
}
_DISK_KEY = "_disk_key"
"""Attribute (in the graph's ``__dict__``) holding the key of the graph's disk entry."""


def graph_entry_key(memory_key: tuple[str, str, str, float]) -> str | None:
    """The disk key of a graph with this in-memory key, or ``None`` for a network without a content hash."""
    content_hash, params_digest, unit, gross_t = memory_key
    if content_hash.startswith("id:"):
        return None
    return cache.entry_key(GRAPH_KIND, (content_hash, params_digest, unit, repr(gross_t)))


def _run_ids(graph_runs: Any) -> list[tuple[str, bool, str | None]]:
    return [(r.service.id, r.reverse, r.carrier.value if r.carrier is not None else None) for r in graph_runs]


def graph_tables(graph: RoutingGraph) -> dict[str, Any]:
    """Everything the graph holds beyond its network and runs, as plain values (what the entry stores)."""
    tables: dict[str, Any] = {name: getattr(graph, name) for name in (*VERTEX_ARRAYS, *EDGE_ARRAYS)}
    tables.update(
        indptr=graph.indptr,
        board_fare=graph.board_fare,
        gross_t=graph.gross_t,
        runs=_run_ids(graph.runs),
        node_ids=list(graph.node_ids),
        op_ids=list(graph.op_ids),
        openings=list(graph.openings),
        ride_ops=list(graph.ride_ops.items()),
        regular=len(graph.vertex_of),
        start_terminal=[(ni, mode.value, *_terminal_row(t)) for (ni, mode), t in graph.start_terminal.items()],
        end_terminal=[(ni, mode.value, *_terminal_row(t)) for (ni, mode), t in graph.end_terminal.items()],
    )
    return tables


def _terminal_row(t: Any) -> tuple[Any, ...]:
    return (t.op_id, t.dwell_h, t.cost_usd, t.co2e_kg, t.opening)


def _within(a: np.ndarray[Any, Any], size: int) -> bool:
    """Whether every value of ``a`` indexes a sequence of ``size`` items."""
    return a.size == 0 or (int(a.min()) >= 0 and int(a.max()) < size)


def _arrays_fit(tables: dict[str, Any], n_runs: int) -> bool:
    """Whether the stored arrays have the dtypes and the sizes of one consistent graph."""
    arrays = {**VERTEX_ARRAYS, **EDGE_ARRAYS, "indptr": np.int64, "board_fare": np.float64}
    for name, dtype in arrays.items():
        a = tables.get(name)
        if not isinstance(a, np.ndarray) or a.dtype != dtype or a.ndim != 1:
            return False
    n, indptr, regular = tables["v_run"].size, tables["indptr"], tables.get("regular")
    m = int(indptr[-1]) if indptr.size else -1
    return (
        all(tables[name].size == n for name in VERTEX_ARRAYS)
        and indptr.size == n + 1
        and int(indptr[0]) == 0
        and bool(np.all(np.diff(indptr) >= 0))
        and all(tables[name].size == m for name in EDGE_ARRAYS)
        and tables["board_fare"].size == n_runs
        and _within(tables["head"], n)
        and _within(tables["v_run"], n_runs)
        and isinstance(regular, int)
        and 0 <= regular <= n
    )


VertexMaps = tuple[dict[tuple[int, int, bool], int], dict[int, list[int]], dict[int, list[int]]]


def _vertex_maps(tables: dict[str, Any]) -> VertexMaps:
    """``vertex_of``, ``dep_at`` and ``arr_at`` of the regular vertices (the first ``regular`` ones), in build order."""
    regular = tables["regular"]
    columns = [tables[name][:regular].tolist() for name in VERTEX_ARRAYS]
    vertex_of: dict[tuple[int, int, bool], int] = {}
    dep_at: dict[int, list[int]] = {}
    arr_at: dict[int, list[int]] = {}
    for vid, (ri, k, ni, is_arr) in enumerate(zip(*columns, strict=True)):
        vertex_of[(ri, k, is_arr)] = vid
        (arr_at if is_arr else dep_at).setdefault(ni, []).append(vid)
    return vertex_of, dep_at, arr_at


def graph_from_tables(net: Network, unit: Unit, tables: dict[str, Any]) -> RoutingGraph | None:
    """The graph of ``net`` for ``unit`` from stored tables, or ``None`` if they do not fit this network."""
    from karavan.model.enums import Mode
    from karavan.routing.graph import RoutingGraph, Terminal, _unit_runs

    runs = _unit_runs(net, unit)
    try:
        fits = tables["runs"] == _run_ids(runs) and tables["node_ids"] == list(net.nodes)
        if not fits or not _arrays_fit(tables, len(runs)):
            return None
        vertex_of, dep_at, arr_at = _vertex_maps(tables)
        start, end = (
            {(ni, Mode(mode)): Terminal(*row) for ni, mode, *row in tables[side]}
            for side in ("start_terminal", "end_terminal")
        )
        return RoutingGraph(
            net=net,
            unit=unit,
            gross_t=float(tables["gross_t"]),
            runs=runs,
            **{name: tables[name] for name in (*VERTEX_ARRAYS, *EDGE_ARRAYS, "indptr", "board_fare")},
            node_ids=list(net.nodes),
            op_ids=list(tables["op_ids"]),
            openings=list(tables["openings"]),
            ride_ops={int(e): tuple(ops) for e, ops in tables["ride_ops"]},
            dep_at=dep_at,
            arr_at=arr_at,
            start_terminal=start,
            end_terminal=end,
            vertex_of=vertex_of,
        )
    except (KeyError, TypeError, ValueError, IndexError):  # tables of another shape: rebuild
        return None


def read_graph(net: Network, unit: Unit, key: str | None) -> RoutingGraph | None:
    """The stored graph of ``key`` for ``net``, or ``None`` (no entry, or one that does not fit)."""
    if key is None:
        return None
    tables = cache.read_entry(GRAPH_KIND, key, dict)
    graph = None if tables is None else graph_from_tables(net, unit, tables)
    if graph is not None:
        graph.__dict__[_DISK_KEY] = key
    return graph


def write_graph(graph: RoutingGraph, key: str | None) -> None:
    """Store ``graph`` as the entry ``key`` (nothing for ``None``); the graph remembers its key for its weights."""
    if key is None:
        return
    cache.write_entry(GRAPH_KIND, key, graph_tables(graph))
    graph.__dict__[_DISK_KEY] = key


def _weights_key(graph: RoutingGraph, month: int) -> str | None:
    graph_key = graph.__dict__.get(_DISK_KEY)
    if graph_key is None:
        return None
    return cache.entry_key(WEIGHTS_KIND, (graph_key, str(month), _reliability_digest()))


def _reliability_digest() -> str:
    """SHA-256 of the packaged reliability parameters (the weights' delay and variance columns)."""
    from karavan.reliability.params import PARAMETERS_FILE

    data = resources.files("karavan.reliability").joinpath(PARAMETERS_FILE).read_bytes()
    return hashlib.sha256(data).hexdigest()


def read_weights(graph: RoutingGraph, month: int) -> CriteriaWeights | None:
    """The stored criteria weights of ``graph`` for ``month``, or ``None``."""
    from karavan.routing.weights import CriteriaWeights

    key = _weights_key(graph, month)
    stored = None if key is None else cache.read_entry(WEIGHTS_KIND, key, tuple)
    if stored is None or len(stored) != 3:
        return None
    wts, board, alight = stored
    shapes = ((wts, (graph.n_edges, 5)), (board, (graph.n_vertices, 2)), (alight, (graph.n_vertices, 2)))
    if not all(isinstance(a, np.ndarray) and a.dtype == np.float64 and a.shape == s for a, s in shapes):
        return None
    return CriteriaWeights(wts, board, alight)


def write_weights(graph: RoutingGraph, month: int, weights: CriteriaWeights) -> None:
    """Store the criteria weights of ``graph`` for ``month`` if the graph has a disk entry."""
    key = _weights_key(graph, month)
    if key is not None:
        cache.write_entry(WEIGHTS_KIND, key, (weights.wts, weights.board, weights.alight))


__all__ = [
    "GRAPH_KIND",
    "WEIGHTS_KIND",
    "graph_entry_key",
    "graph_from_tables",
    "graph_tables",
    "read_graph",
    "read_weights",
    "write_graph",
    "write_weights",
]
