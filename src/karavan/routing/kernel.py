"""Compiled core of the time-dependent multi-criteria label-setting search.

The searches run in C (``routing.c`` of :mod:`karavan._native`, called through ctypes, without
the GIL); the functions here convert the flat numpy arrays to the layouts the C code reads and
wrap its results. The readable reference for the time functions is
:mod:`karavan.model.timetable` (:func:`~karavan.model.timetable.next_departure`) and
:func:`karavan.routing.search.next_open`, which the tests compare against.
"""

from __future__ import annotations

import ctypes
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from karavan import _native
from karavan._native import address as _addr
from karavan._native import out_address as _out
from karavan.errors import InputError

PAT_WEEKLY, PAT_HEADWAY, PAT_WHEN_FULL = 0, 1, 2

# Label storage (C side): criteria values, ``(parent, edge, vertex, via, next in bag)`` and a
# 128-bit set of the nodes on the label's path (node % 128), for loop checks and path dominance.
P_PARENT, P_EDGE, P_VERT, P_VIA, P_NEXT = 0, 1, 2, 3, 4
NC = 5
"""Criteria columns: time, cost, CO2e, mean delay beyond plan, variance (the last two: reliability)."""

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]
A = ArrayLike
SearchOutput = tuple[F64, I64, I64, I64, int, B]
ArrivalOutput = tuple[F64, I64, I64, I64, int]

_P = ctypes.c_void_p
_I = ctypes.c_int64
_D = ctypes.c_double


class _Graph(ctypes.Structure):
    """``KrGraph`` of ``routing.c``: the time-dependent graph and the query."""

    _fields_ = (
        ("n_vert", _I), ("n_nodes", _I), ("n_init", _I), ("n_via", _I), ("dest_node", _I), ("n_lm", _I),
        ("indptr", _P), ("head", _P), ("kind", _P), ("wts", _P), ("board_run", _P), ("opening", _P),
        ("v_node", _P), ("v_offset", _P), ("pk", _P), ("pmask", _P), ("pa", _P), ("pb", _P), ("omask", _P),
        ("ostart", _P), ("oend", _P), ("allowed", _P), ("init_v", _P), ("init_w", _P), ("target_ok", _P),
        ("tgt_w", _P), ("tgt_open", _P), ("via", _P), ("horizon_end", _D),
    )  # fmt: skip


class _Result(ctypes.Structure):
    """``KrResult`` of ``routing.c``: destination rows and label records, owned by C until taken."""

    _fields_ = (("targets", _P), ("n_tgt", _I), ("li", _P), ("n_lab", _I), ("capped", _I), ("tgt_cap", _I),
                ("li_cap", _I))  # fmt: skip


_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "kr_next_departure": (_D, [_I, _I, _D, _D, _D, _D]),
    "kr_next_open": (_D, [_I, _D, _D, _D]),
    "kr_heap_push": (_I, [_P, _P, _I, _P, _I, _I]),
    "kr_heap_pop": (_I, [_P, _P, _I, _P, _I, ctypes.POINTER(_I)]),
    "kr_dijkstra_static": (None, [_I, _P, _P, _P, _P, _P, _I, _P, _P, _P, _P]),
    "kr_static_bounds": (ctypes.c_int, [_I, _I, _P, _P, _P, _P, _I, _P, _I, _P, _P]),
    "kr_landmark_tables": (ctypes.c_int, [_I, _I, _P, _P, _P, _P, _P, _P, _I, _P, _P]),
    "kr_looped_nodes": (ctypes.c_int, [_P, _I, _P, _P, _P, _I, _P]),
    "kr_label_search": (
        ctypes.c_int,
        [ctypes.POINTER(_Graph), _P, _P, _P, _D, _D, ctypes.c_int, _I, _P, ctypes.c_int, ctypes.POINTER(_Result), _P],
    ),
    "kr_earliest_arrival": (
        ctypes.c_int,
        [ctypes.POINTER(_Graph), _I, _P, _P, _I, _P, _P, ctypes.POINTER(_Result)],
    ),
    "kr_take_result": (None, [ctypes.POINTER(_Result), _P, _P, _P, _P]),
    "kr_free_result": (None, [ctypes.POINTER(_Result)]),
}


def c_function(name: str) -> Callable[..., Any]:
    """The C function ``name`` of the kernels' library with its argument types."""
    return _native.function(name, *_SIGNATURES[name])


def _arr(a: ArrayLike, dtype: type[np.generic]) -> NDArray[Any]:
    """``a`` as a C-contiguous array of ``dtype`` (itself when it already is one).

    ``np.ascontiguousarray`` returns a new view of an array whose dtype is an equal but other
    descriptor (arrays read from the graph store, say): ``a`` itself is kept instead, so that its
    address is remembered (:func:`_address_kept`) rather than looked up call after call.
    """
    if type(a) is np.ndarray and a.ndim and a.dtype == dtype and a.flags.c_contiguous:
        return a
    return np.ascontiguousarray(a, dtype=dtype)


def _check(rc: int) -> None:
    if rc != 0:
        raise MemoryError("the routing kernel ran out of memory")


def next_departure_nb(pk: int, pmask: int, pa: float, pb: float, t: float, offset: float) -> float:
    """Compiled twin of :func:`karavan.model.timetable.next_departure` (pattern kind, weekday mask, parameters)."""
    return float(c_function("kr_next_departure")(int(pk), int(pmask), pa, pb, t, offset))


def next_open_nb(omask: int, ostart: float, oend: float, t: float) -> float:
    """Compiled twin of :func:`karavan.routing.search.next_open`."""
    return float(c_function("kr_next_open")(int(omask), ostart, oend, t))


# Binary heaps on flat arrays: ``hk`` holds the keys, one row of ``K`` floats compared
# lexicographically, ``hv`` the payload (a label or vertex).


def heap_push(hk: F64, hv: I64, size: int, key: ArrayLike, val: int) -> tuple[F64, I64, int]:
    """Push ``(key, val)``; returns the (possibly grown) arrays and the new size."""
    if size == hv.size:
        hk2 = np.empty((2 * size, hk.shape[1]))
        hk2[:size] = hk
        hv2 = np.empty(2 * size, dtype=hv.dtype)
        hv2[:size] = hv
        hk, hv = hk2, hv2
    k = _arr(key, np.float64)
    if k.size != hk.shape[1]:
        raise InputError("key", k.size, f"{hk.shape[1]} values (one per key column)")
    new = c_function("kr_heap_push")(
        _out(hk, np.float64, "hk"), _out(hv, np.int64, "hv"), size, _addr(k), int(val), hk.shape[1]
    )
    return hk, hv, int(new)


def heap_pop(hk: F64, hv: I64, size: int, key: F64) -> tuple[int, int]:
    """Pop the smallest entry: its key is written to ``key``; returns its value and the new size."""
    if size <= 0:
        raise InputError("size", size, "a non-empty heap")
    val = _I()
    new = c_function("kr_heap_pop")(
        _out(hk, np.float64, "hk"), _out(hv, np.int64, "hv"), size, _out(key, np.float64, "key"), hk.shape[1],
        ctypes.byref(val),
    )  # fmt: skip
    return int(val.value), int(new)


def dijkstra_static(
    indptr: I64, nbr: I64, eidx: I64, w: F64, sources: I64, dist: F64, done: B, hk: F64, hv: I64
) -> None:
    """Static multi-source Dijkstra into ``dist`` over the CSR ``indptr``/``nbr`` (edge weights ``w[eidx]``).

    ``done``, ``hk`` and ``hv`` are scratch arrays (``hk``/``hv`` of at least ``eidx.size +
    sources.size`` entries); unreachable vertices keep ``inf``.
    """
    ip, nb, ei, ww, src = (_arr(indptr, np.int64), _arr(nbr, np.int64), _arr(eidx, np.int64),
                           _arr(w, np.float64), _arr(sources, np.int64))  # fmt: skip
    if hk.size < ei.size + src.size or hv.size < ei.size + src.size or done.size < ip.size - 1:
        raise InputError("hk", hk.size, f"scratch arrays of at least {ei.size + src.size} entries")
    c_function("kr_dijkstra_static")(
        ip.size - 1, _addr(ip), _addr(nb), _addr(ei), _addr(ww), _addr(src), src.size,
        _out(dist, np.float64, "dist"), _out(done, np.bool_, "done"), _out(hk, np.float64, "hk"),
        _out(hv, np.int64, "hv"),
    )  # fmt: skip


def static_bounds(rindptr: I64, rtail: I64, redge: I64, wts: F64, sources: I64, use: B) -> F64:
    """Per used column of ``wts``, the shortest static distance from every vertex to any of ``sources``.

    One Dijkstra per column on the reversed graph (``rindptr``/``rtail``/``redge``: CSR by
    head vertex, the tail and the edge of each reversed edge); unused columns are 0,
    unreachable vertices ``inf``.
    """
    ip, tl, ed = _arr(rindptr, np.int64), _arr(rtail, np.int64), _arr(redge, np.int64)
    w, src, u = _arr(wts, np.float64), _arr(sources, np.int64), _arr(use, np.bool_)
    n = ip.size - 1
    out = np.empty((n, w.shape[1]))
    _check(
        c_function("kr_static_bounds")(
            n, ed.size, _addr(ip), _addr(tl), _addr(ed), _addr(w), w.shape[1], _addr(src),
            src.size, _addr(u), _addr(out),
        )
    )  # fmt: skip
    return out


def landmark_tables(
    indptr: I64, head: ArrayLike, rindptr: I64, rtail: I64, redge: I64, w: F64, k: int
) -> tuple[F64, F64]:
    """``k`` landmarks spread by farthest-point sampling (undirected distance) and the static
    distances ``(from_l, to_l)``, ``(n, k)`` each, from and to every landmark (ALT bounds)."""
    ip, hd, rip = _arr(indptr, np.int64), _arr(head, np.int64), _arr(rindptr, np.int64)
    rt, re, ww = _arr(rtail, np.int64), _arr(redge, np.int64), _arr(w, np.float64)
    n = ip.size - 1
    from_l, to_l = np.empty((n, k)), np.empty((n, k))
    _check(
        c_function("kr_landmark_tables")(
            n, hd.size, _addr(ip), _addr(hd), _addr(rip), _addr(rt), _addr(re),
            _addr(ww), k, _addr(from_l), _addr(to_l),
        )
    )  # fmt: skip
    return from_l, to_l


def looped_nodes(targets: F64, parent: I64, vert: I64, v_node: ArrayLike, n_nodes: int) -> B:
    """Nodes that the path of a destination label (rows of ``targets``) comes back to after leaving them."""
    t, p, v, vn = (_arr(targets, np.float64), _arr(parent, np.int64), _arr(vert, np.int64),
                   _arr(v_node, np.int32))  # fmt: skip
    out = np.zeros(n_nodes, dtype=np.bool_)
    _check(c_function("kr_looped_nodes")(_addr(t), t.shape[0], _addr(p), _addr(v), _addr(vn), n_nodes, _addr(out)))
    return out


_GRAPH_TYPES = (np.int64, np.int32, np.int8, np.float64, np.int32, np.int32, np.int32, np.float64, np.int8, np.int64,
                np.float64, np.float64, np.int64, np.float64, np.float64, np.bool_)  # fmt: skip
"""dtypes of the graph arrays ``indptr`` .. ``allowed``, in the order of the searches' arguments."""
_QUERY_TYPES = (np.int64, np.float64, np.bool_, np.float64, np.int32, np.int64)
"""dtypes of ``init_v``, ``init_w``, ``target_ok``, ``tgt_w``, ``tgt_open``, ``via``."""


_ADDRESSES: dict[int, tuple[NDArray[Any], int]] = {}
"""Data address of arrays passed to the searches again and again (graph tables, bounds), by ``id``.

An entry holds its array, so the ``id`` is not reused and the data do not move while it is kept."""
_KEPT_ADDRESSES = 256


def _address_kept(a: ArrayLike, dtype: type[np.generic], keep: list[Any]) -> int:
    """The address of ``a`` as a C array of ``dtype``, remembered when ``a`` already is one (else the
    converted copy is appended to ``keep``, which the caller holds for the length of the call)."""
    hit = _ADDRESSES.get(id(a))
    if hit is not None and hit[0] is a:
        return hit[1]
    c = _arr(a, dtype)
    addr = _addr(c)
    if c is a:
        if len(_ADDRESSES) >= _KEPT_ADDRESSES:
            _ADDRESSES.clear()  # (one call, safe beside other threads)
        _ADDRESSES[id(a)] = (c, addr)
    else:
        keep.append(c)
    return addr


_GRAPH_ADDRESSES: dict[tuple[int, ...], tuple[tuple[Any, ...], list[int]]] = {}
"""Data addresses of a graph's tables (``indptr`` .. ``oend``), by the tables' ``id`` (the tables are kept)."""


def _graph_addresses(tables: tuple[Any, ...], keep: list[Any]) -> list[int]:
    """The addresses of a graph's tables, found at once when the same tables come again (each query
    passes the tables of its graph and month: fifteen arrays, one look-up)."""
    key = tuple(map(id, tables))
    hit = _GRAPH_ADDRESSES.get(key)
    if hit is not None and all(map(operator.is_, hit[0], tables)):
        return hit[1]
    n_kept = len(keep)
    addr = [_address_kept(a, t, keep) for a, t in zip(tables, _GRAPH_TYPES, strict=False)]
    if len(keep) == n_kept:  # every table passed as it is (no converted copy): its address holds while kept
        if len(_GRAPH_ADDRESSES) >= _KEPT_ADDRESSES:
            _GRAPH_ADDRESSES.clear()
        _GRAPH_ADDRESSES[key] = (tuple(tables), addr)
    return addr


def _graph(
    graph: tuple[Any, ...], query: tuple[Any, ...], dest_node: int, horizon_end: float, keep: list[Any]
) -> _Graph:
    """The C view of the graph and query arrays (converted copies are appended to ``keep``).

    The graph's tables and the destination's rows come back call after call, so their addresses are
    remembered (:func:`_address_kept`); the mask and the query's own arrays are read each time."""
    addr = list(_graph_addresses(graph[:15], keep))
    allowed, init_v, init_w = _arr(graph[15], np.bool_), _arr(query[0], np.int64), _arr(query[1], np.float64)
    via = _arr(query[5], np.int64)
    keep += (allowed, init_v, init_w, via)
    addr += (_addr(allowed), _addr(init_v), _addr(init_w))
    addr += [_address_kept(a, t, keep) for a, t in zip(query[2:5], _QUERY_TYPES[2:5], strict=True)]
    n_init = init_w.size // NC
    return _Graph(np.size(graph[6]), 0, n_init, via.size, int(dest_node), 0, *addr, _addr(via), float(horizon_end))


def _take(res: _Result) -> tuple[F64, I64, I64, I64]:
    """Copy a C search result into numpy arrays (and free it)."""
    try:
        targets = np.empty((res.n_tgt, NC + 1))
        parent, edge, vert = (np.empty(res.n_lab, dtype=np.int64) for _ in range(3))
    except MemoryError:
        c_function("kr_free_result")(ctypes.byref(res))
        raise
    c_function("kr_take_result")(ctypes.byref(res), _addr(targets), _addr(parent), _addr(edge), _addr(vert))
    return targets, parent, edge, vert


def label_search(
    indptr: A, head: A, kind: A, wts: A, board_run: A, opening: A, v_node: A, v_offset: A, pk: A, pmask: A, pa: A,
    pb: A, omask: A, ostart: A, oend: A, allowed: A, lb: A, init_v: A, init_w: A, target_ok: A, tgt_w: A,
    tgt_open: A, via: A, dest_node: int, use: A, eps: A, slack_f: float, multi: bool, max_labels: int,
    horizon_end: float, node_bit: A, exact: bool, *, depart_h: float,
) -> SearchOutput:  # fmt: skip
    """Pareto labels to the target vertices; returns targets and the label tree.

    Criteria are the ``NC`` columns of ``wts`` (per edge), ``init_w`` (per initial label) and ``tgt_w`` (per
    target vertex); column 0 is time and follows timetables. Dominance uses the columns flagged in ``use``, a
    stored label turning a new one away when it is within the factors ``eps`` of it (1 = exact; above 1 on the
    reliability columns keeps the set small: epsilon dominance). A label is dropped when a destination label
    found so far is within the factors ``eps * slack_f`` of its bounded key in every used column; on time the
    factor scales the transit time since ``depart_h`` (the query's departure), not the clock. Labels are
    expanded in lexicographic order of ``label + lower bound`` on (time, cost, CO2e) (multi-objective A*,
    correct because the bounds ``lb`` are consistent). No label's path visits a tracked node twice
    (``node_bit[node]`` is the node's bit in the labels' node sets, -1 for a node not tracked; the bit sets are
    exact node sets when ``exact``), none passes the destination node, and a label reaches the destination node
    only after all ``via`` nodes, in order. ``multi=False`` searches earliest arrival only and stops as soon as
    it is settled. Label, heap and destination tables grow as needed in C (a :class:`MemoryError` if memory runs
    out; no label is dropped).

    With exact dominance (``eps`` 1) on time and at most two other used columns and no tracked node, a popped
    label is final unless a label settled before at its state dominates it (the order is lexicographic and
    the bounds are consistent), so new labels are compared with the settled labels only, through a staircase
    of their two other columns (the dimension reduction of targeted multi-objective Dijkstra, Maristany de las
    Casas, Sedeño-Noda and Borndörfer, 2021), and ``max_labels`` counts settled labels. The Pareto set is the
    same; among labels with equal criteria the path kept may differ. Otherwise every label waits in its
    state's bag, which drops the labels a new one dominates.

    Returns
    -------
    (targets, parent, edge, vert, capped, looped)
        ``targets`` rows are ``(criteria..., label)``; ``parent``, ``edge`` and ``vert`` hold the
        destination rows' paths, each in order from its initial label (parent -1) to the row's
        label, the rows' paths one after another; ``edge`` is the edge that produced a label
        (-1 for an initial label, whose vertex is ``vert``); ``capped`` counts labels the
        per-state cap turned away;
        ``looped`` flags the nodes a destination label's path comes back to
        (:func:`looped_nodes`; only untracked nodes can be flagged).
    """
    keep: list[Any] = []
    g = _graph(
        (indptr, head, kind, wts, board_run, opening, v_node, v_offset, pk, pmask, pa, pb, omask, ostart, oend,
         allowed), (init_v, init_w, target_ok, tgt_w, tgt_open, via), dest_node, horizon_end, keep,
    )  # fmt: skip
    n_nodes = np.size(node_bit)
    g.n_nodes = n_nodes
    looped = np.zeros(n_nodes, dtype=np.bool_)
    res = _Result()
    rc = c_function("kr_label_search")(
        ctypes.byref(g), _address_kept(lb, np.float64, keep), _address_kept(use, np.bool_, keep),
        _address_kept(eps, np.float64, keep), float(slack_f), float(depart_h), bool(multi), int(max_labels),
        _address_kept(node_bit, np.int64, keep), bool(exact), ctypes.byref(res), _addr(looped),
    )  # fmt: skip
    _check(rc)
    del keep
    targets, parent, edge, vert = _take(res)
    return targets, parent, edge, vert, int(res.capped), looped


def earliest_arrival(
    indptr: A, head: A, kind: A, wts: A, board_run: A, opening: A, v_node: A, v_offset: A, pk: A, pmask: A, pa: A,
    pb: A, omask: A, ostart: A, oend: A, allowed: A, init_v: A, init_w: A, target_ok: A, tgt_w: A, tgt_open: A,
    via: A, dest_node: int, horizon_end: float, from_l: A, to_l: A, lt_from: A, lt_to: A,
) -> ArrivalOutput:  # fmt: skip
    """Earliest arrival at the target vertices: a time-dependent A* (FIFO waits) that stops once
    the destination is settled.

    The potential is the ALT bound of the static time to the destination (landmark tables
    ``from_l``/``to_l`` and the destination's rows ``lt_from``/``lt_to``, see
    :func:`landmark_tables`); waits only add to the static time, so it is consistent.

    States are (vertex, via progress) as in :func:`label_search`; the destination node is
    entered only after every ``via`` node and never left. Paths are not checked for repeated
    nodes (the caller does, and falls back to :func:`label_search`). Returns the same tuple as
    :func:`label_search` without ``looped``: the one target row and the label tree of its path
    (labels in path order, the criteria summed along it).
    """
    keep: list[Any] = []
    g = _graph(
        (indptr, head, kind, wts, board_run, opening, v_node, v_offset, pk, pmask, pa, pb, omask, ostart, oend,
         allowed), (init_v, init_w, target_ok, tgt_w, tgt_open, via), dest_node, horizon_end, keep,
    )  # fmt: skip
    fl, tl = _arr(from_l, np.float64), _arr(to_l, np.float64)
    ltf, ltt = _arr(lt_from, np.float64), _arr(lt_to, np.float64)
    k = fl.shape[1] if fl.ndim == 2 else 0
    res = _Result()
    rc = c_function("kr_earliest_arrival")(
        ctypes.byref(g), np.size(head), _addr(fl), _addr(tl), k, _addr(ltf), _addr(ltt),
        ctypes.byref(res),
    )  # fmt: skip
    _check(rc)
    del keep
    targets, parent, edge, vert = _take(res)
    return targets, parent, edge, vert, 0


COMPILED = (next_departure_nb, next_open_nb, heap_push, heap_pop, dijkstra_static, static_bounds, landmark_tables,
            looped_nodes, label_search, earliest_arrival)  # fmt: skip
"""The functions that run in the compiled library."""
