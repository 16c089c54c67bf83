"""Compiled (numba) core of the time-dependent multi-criteria label-setting search.

Everything here works on flat numpy arrays so it compiles to machine code; the
readable reference for the time functions is :mod:`karavan.model.timetable`
(:func:`~karavan.model.timetable.next_departure`) and
:func:`karavan.routing.search.next_open`, which the tests compare against.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

MONDAY_H = 96.0
"""1970-01-05 00:00 UTC (the first Monday after the epoch), hours since the epoch."""
WEEK_H = 168.0
PAT_WEEKLY, PAT_HEADWAY, PAT_WHEN_FULL = 0, 1, 2


@njit(cache=True)
def next_departure_nb(pk: int, pmask: int, pa: float, pb: float, t: float, offset: float) -> float:  # pragma: no cover
    """Compiled twin of :func:`karavan.model.timetable.next_departure`."""
    if pk == PAT_WHEN_FULL:
        return t + pa
    ot = t - offset
    if pk == PAT_HEADWAY:
        anchor = MONDAY_H + pb
        k = math.ceil((ot - anchor) / pa - 1e-9)
        return anchor + k * pa + offset
    week_start = MONDAY_H + math.floor((ot - MONDAY_H) / WEEK_H) * WEEK_H
    best = math.inf
    for d in range(7):
        if (pmask >> d) & 1:
            cand = week_start + d * 24.0 + pa
            if cand < ot - 1e-9:
                cand += WEEK_H
            if cand < best:
                best = cand
    return best + offset


@njit(cache=True)
def next_open_nb(omask: int, ostart: float, oend: float, t: float) -> float:  # pragma: no cover
    """Compiled twin of :func:`karavan.routing.search.next_open`."""
    day = math.floor(t / 24.0)
    for d in range(day, day + 8):
        wd = (d + 3) % 7
        if not (omask >> wd) & 1:
            continue
        start = d * 24.0 + ostart
        end = d * 24.0 + oend
        if t < end:
            return max(t, start)
    return t


# Binary heaps on flat arrays (no Python objects in the hot loops). ``hk`` holds the keys,
# one row of ``K`` floats compared lexicographically, ``hv`` the payload (a label or vertex).


@njit(cache=True, inline="always")
def _key_lt(a, i, b, j):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Whether row ``i`` of ``a`` is lexicographically below row ``j`` of ``b``."""
    for k in range(a.shape[1]):
        if a[i, k] != b[j, k]:
            return a[i, k] < b[j, k]
    return False


@njit(cache=True, inline="always")
def _swap(hk, hv, i, j):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Swap heap entries ``i`` and ``j`` (keys and values)."""
    for k in range(hk.shape[1]):
        hk[i, k], hk[j, k] = hk[j, k], hk[i, k]
    hv[i], hv[j] = hv[j], hv[i]


@njit(cache=True)
def heap_push(hk, hv, size, key, val):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Push ``(key, val)``; returns the (possibly grown) arrays and the new size."""
    if size == hv.size:
        hk2 = np.empty((2 * size, hk.shape[1]))
        hk2[:size] = hk
        hv2 = np.empty(2 * size, dtype=hv.dtype)
        hv2[:size] = hv
        hk, hv = hk2, hv2
    i = size
    hk[i, :] = key
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if not _key_lt(hk, i, hk, p):
            break
        _swap(hk, hv, i, p)
        i = p
    return hk, hv, size + 1


@njit(cache=True)
def heap_pop(hk, hv, size, key):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Pop the smallest entry: its key is written to ``key``; returns its value and the new size."""
    key[:] = hk[0]
    val = hv[0]
    size -= 1
    if size == 0:
        return val, 0
    hk[0, :] = hk[size]
    hv[0] = hv[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and _key_lt(hk, c + 1, hk, c):
            c += 1
        if not _key_lt(hk, c, hk, i):
            break
        _swap(hk, hv, i, c)
        i = c
    return val, size


@njit(cache=True, inline="always")
def _push1(hk, hv, size, key, val):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Push onto a one-key heap with room (a Dijkstra pushes at most once per edge)."""
    i = size
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] <= key:
            break
        hk[i] = hk[p]
        hv[i] = hv[p]
        i = p
    hk[i] = key
    hv[i] = val
    return size + 1


@njit(cache=True, inline="always")
def _pop1(hk, hv, size):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Pop the smallest entry of a one-key heap: ``(key, value, new size)``."""
    key = hk[0]
    val = hv[0]
    size -= 1
    last_k = hk[size]
    last_v = hv[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and hk[c + 1] < hk[c]:
            c += 1
        if hk[c] >= last_k:
            break
        hk[i] = hk[c]
        hv[i] = hv[c]
        i = c
    hk[i] = last_k
    hv[i] = last_v
    return key, val, size


@njit(cache=True, nogil=True)
def dijkstra_static(indptr, nbr, eidx, w, sources, dist, done, hk, hv):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Static multi-source Dijkstra into ``dist`` over the CSR ``indptr``/``nbr`` (edge weights ``w[eidx]``).

    ``done``, ``hk`` and ``hv`` are scratch arrays (``hk``/``hv`` of at least ``eidx.size +
    sources.size`` entries); unreachable vertices keep ``inf``.
    """
    dist[:] = np.inf
    done[:] = False
    size = 0
    for s in sources:
        if dist[s] > 0.0:
            dist[s] = 0.0
            size = _push1(hk, hv, size, 0.0, s)
    while size > 0:
        d, v, size = _pop1(hk, hv, size)
        if done[v]:
            continue
        done[v] = True
        for j in range(indptr[v], indptr[v + 1]):
            u = nbr[j]
            nd = d + w[eidx[j]]
            if nd < dist[u]:
                dist[u] = nd
                size = _push1(hk, hv, size, nd, u)


@njit(cache=True, nogil=True)
def static_bounds(rindptr, rtail, redge, wts, sources, use):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Per used column of ``wts``, the shortest static distance from every vertex to any of ``sources``.

    One Dijkstra per column on the reversed graph (``rindptr``/``rtail``/``redge``: CSR by
    head vertex, the tail and the edge of each reversed edge); unused columns are 0,
    unreachable vertices ``inf``.
    """
    n = rindptr.size - 1
    out = np.zeros((n, wts.shape[1]))
    cap = redge.size + sources.size + 1
    hk = np.empty(cap)
    hv = np.empty(cap, dtype=np.int64)
    done = np.empty(n, dtype=np.bool_)
    dist = np.empty(n)
    for col in range(wts.shape[1]):
        if use[col]:
            dijkstra_static(rindptr, rtail, redge, np.ascontiguousarray(wts[:, col]), sources, dist, done, hk, hv)
            out[:, col] = dist
    return out


@njit(cache=True, nogil=True)
def landmark_tables(indptr, head, rindptr, rtail, redge, w, k):  # type: ignore[no-untyped-def]  # pragma: no cover
    """``k`` landmarks spread by farthest-point sampling (undirected distance) and the static
    distances ``(from_l, to_l)``, ``(n, k)`` each, from and to every landmark (ALT bounds)."""
    n = indptr.size - 1
    m = head.size
    # undirected CSR: forward then reverse edges of each vertex
    uptr = np.zeros(n + 1, dtype=np.int64)
    for v in range(n):
        uptr[v + 1] = uptr[v] + (indptr[v + 1] - indptr[v]) + (rindptr[v + 1] - rindptr[v])
    unbr = np.empty(2 * m, dtype=np.int64)
    ueid = np.empty(2 * m, dtype=np.int64)
    for v in range(n):
        p = uptr[v]
        for j in range(indptr[v], indptr[v + 1]):
            unbr[p] = head[j]
            ueid[p] = j
            p += 1
        for j in range(rindptr[v], rindptr[v + 1]):
            unbr[p] = rtail[j]
            ueid[p] = redge[j]
            p += 1
    fid = np.arange(m)
    hk = np.empty(2 * m + 2)
    hv = np.empty(2 * m + 2, dtype=np.int64)
    done = np.empty(n, dtype=np.bool_)
    dist = np.empty(n)
    near = np.full(n, np.inf)
    from_l = np.empty((n, k))
    to_l = np.empty((n, k))
    src = np.zeros(1, dtype=np.int64)
    dijkstra_static(uptr, unbr, ueid, w, src, dist, done, hk, hv)
    near[:] = dist  # the first landmark is the vertex farthest from vertex 0
    for i in range(k):
        far = -1.0
        for v in range(n):
            if near[v] < np.inf and near[v] > far:
                far = near[v]
                src[0] = v
        dijkstra_static(indptr, head, fid, w, src, dist, done, hk, hv)
        from_l[:, i] = dist
        dijkstra_static(rindptr, rtail, redge, w, src, dist, done, hk, hv)
        to_l[:, i] = dist
        dijkstra_static(uptr, unbr, ueid, w, src, dist, done, hk, hv)
        if i == 0:
            near[:] = dist
        for v in range(n):
            if dist[v] < near[v]:
                near[v] = dist[v]
    return from_l, to_l


@njit(cache=True, inline="always")
def _alt_bound(from_l, to_l, v, lt_from, lt_to):  # type: ignore[no-untyped-def]  # pragma: no cover
    """ALT lower bound of the static distance from ``v`` to a target with landmark rows ``lt_from``/``lt_to``
    (triangle inequality; ``inf`` when a landmark shows the target unreachable from ``v``)."""
    h = 0.0
    for i in range(from_l.shape[1]):
        a = from_l[v, i]
        if a < np.inf:
            d = lt_from[i] - a  # d(L, t) <= d(L, v) + d(v, t)
            if d > h:
                h = d
        b = lt_to[i]
        if b < np.inf:
            d = to_l[v, i] - b  # d(v, L) <= d(v, t) + d(t, L)
            if d > h:
                h = d
    return h


# Label storage: ``lf[k, :]`` the criteria values, ``li[k] = (parent, edge, vertex, via, next in bag)``,
# ``lm[k]`` a 128-bit set of the nodes on the label's path (node % 128), for loop checks and path dominance.
P_PARENT, P_EDGE, P_VERT, P_VIA, P_NEXT = 0, 1, 2, 3, 4
NC = 5
"""Criteria columns: time, cost, CO2e, mean delay beyond plan, variance (the last two: reliability)."""


@njit(cache=True, inline="always")
def _leq(a, b, use, f):  # type: ignore[no-untyped-def]  # pragma: no cover
    """``a <= b * f`` in every used column (``f`` one factor per column)."""
    for k in range(a.size):  # noqa: SIM110 - a plain loop compiles to the tightest code
        if use[k] and a[k] > b[k] * f[k] + 1e-9:
            return False
    return True


@njit(cache=True, inline="always")
def _leq_exact(a, b, use):  # type: ignore[no-untyped-def]  # pragma: no cover
    for k in range(a.size):  # noqa: SIM110
        if use[k] and a[k] > b[k]:
            return False
    return True


@njit(cache=True, inline="always")
def _leq_eps(a, b, use, eps):  # type: ignore[no-untyped-def]  # pragma: no cover
    """``a <= b * eps`` in every used column (``eps`` 1 for exact dominance)."""
    for k in range(a.size):  # noqa: SIM110
        if use[k] and a[k] > b[k] * eps[k]:
            return False
    return True


@njit(cache=True, inline="always")
def _pruned(targets, n_tgt, x, use, f):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Whether a destination label found so far dominates ``x`` within the factors ``f``."""
    for k in range(n_tgt):  # noqa: SIM110
        if _leq(targets[k, :NC], x, use, f):
            return True
    return False


@njit(cache=True, inline="always")
def _bit(b):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Word and mask of bit ``b`` (0-127) of a label's node set."""
    return (b >> 6) & 1, np.uint64(1) << np.uint64(b & 63)


@njit(cache=True)
def on_path(li, v_node, lid, node):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Whether ``node`` is on the path of label ``lid``."""
    j = lid
    while j >= 0:
        if v_node[li[j, P_VERT]] == node:
            return True
        j = li[j, P_PARENT]
    return False


@njit(cache=True)
def _subset(li, lm, v_node, node_bit, a, b_parent, b_node, b_m0, b_m1, exact):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Whether the tracked nodes of label ``a`` are all on the path ``b_parent`` + ``b_node`` (path dominance)."""
    if (lm[a, 0] & ~b_m0) != 0 or (lm[a, 1] & ~b_m1) != 0:
        return False
    if exact:
        return True  # at most 128 tracked nodes: the bit sets are the node sets
    j = a
    while j >= 0:
        node = v_node[li[j, P_VERT]]
        if node_bit[node] >= 0 and node != b_node and not on_path(li, v_node, b_parent, node):
            return False
        j = li[j, P_PARENT]
    return True


@njit(cache=True)
def _add_label(  # type: ignore[no-untyped-def]  # pragma: no cover
    lf, li, lm, ldead, n_lab, bag_head, bag_size, hk, hv, hsize, state, x, parent, edge, vert, vi, key, use, eps,
    max_labels, capped, v_node, node_bit, elementary, exact,
):  # fmt: skip
    """Insert a label into its (vertex, via) bag unless dominated; unlink the labels it dominates.

    With ``elementary`` a label dominates another only if its path's tracked nodes
    (``node_bit`` >= 0) are a subset of the other's (so no continuation that is loop-free on
    them is lost). Returns the (possibly grown) label
    and heap arrays, the new label count and heap size.
    """
    node = v_node[vert]
    m0 = np.uint64(0)
    m1 = np.uint64(0)
    if parent >= 0:
        m0 = lm[parent, 0]
        m1 = lm[parent, 1]
    if node_bit[node] >= 0:
        w, b = _bit(node_bit[node])
        if w == 0:
            m0 |= b
        else:
            m1 |= b
    j = bag_head[state]
    while j >= 0:
        if _leq_eps(lf[j], x, use, eps) and (
            not elementary or _subset(li, lm, v_node, node_bit, j, parent, node, m0, m1, exact)
        ):
            return lf, li, lm, ldead, n_lab, hk, hv, hsize
        j = li[j, P_NEXT]
    prev = -1
    j = bag_head[state]
    while j >= 0:
        nxt = li[j, P_NEXT]
        drop = _leq_exact(x, lf[j], use)
        if drop and elementary:
            # the new label's nodes (parent path + node) within label j's nodes
            drop = ((m0 & ~lm[j, 0]) == 0) and ((m1 & ~lm[j, 1]) == 0)
            if drop and not exact:
                drop = node_bit[node] < 0 or on_path(li, v_node, j, node)
                k = parent
                while drop and k >= 0:
                    kn = v_node[li[k, P_VERT]]
                    drop = node_bit[kn] < 0 or on_path(li, v_node, j, kn)
                    k = li[k, P_PARENT]
        if drop:
            ldead[j] = True
            bag_size[state] -= 1
            if prev < 0:
                bag_head[state] = nxt
            else:
                li[prev, P_NEXT] = nxt
        else:
            prev = j
        j = nxt
    if bag_size[state] >= max_labels:
        capped[0] += 1
        return lf, li, lm, ldead, n_lab, hk, hv, hsize
    if n_lab == lf.shape[0]:
        cap = 2 * n_lab
        lf2 = np.empty((cap, NC))
        lf2[:n_lab] = lf
        li2 = np.empty((cap, 5), dtype=np.int64)
        li2[:n_lab] = li
        lm2 = np.empty((cap, 2), dtype=np.uint64)
        lm2[:n_lab] = lm
        ld2 = np.zeros(cap, dtype=np.bool_)
        ld2[:n_lab] = ldead
        lf, li, lm, ldead = lf2, li2, lm2, ld2
    lid = n_lab
    lf[lid, :] = x
    li[lid, P_PARENT] = parent
    li[lid, P_EDGE] = edge
    li[lid, P_VERT] = vert
    li[lid, P_VIA] = vi
    li[lid, P_NEXT] = bag_head[state]
    lm[lid, 0] = m0
    lm[lid, 1] = m1
    ldead[lid] = False
    bag_head[state] = lid
    bag_size[state] += 1
    hk, hv, hsize = heap_push(hk, hv, hsize, key[:3], lid)
    return lf, li, lm, ldead, n_lab + 1, hk, hv, hsize


@njit(cache=True, inline="always")
def _arrival(v, t, tgt_w, tgt_open, omask, ostart, oend):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Time at the destination after alighting at target vertex ``v`` at ``t`` (end terminal, opening hours)."""
    if tgt_open[v] >= 0:
        o = tgt_open[v]
        t = next_open_nb(omask[o], ostart[o], oend[o], t)
    return t + tgt_w[v, 0]


@njit(cache=True, inline="always")
def _via_step(vi, wn, via, dest_node):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Via progress after entering node ``wn``; -1 where it would reach the destination before every via place."""
    nvi = vi + 1 if vi < via.size and wn == via[vi] else vi
    if wn == dest_node and nvi < via.size:
        return -1
    return nvi


@njit(cache=True)
def _edge_time(k, t, ei, w, dur, board_run, opening, v_offset, pk, pmask, pa, pb, omask, ostart, oend):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Time after edge ``ei`` of kind ``k`` entered at ``t``: XFER (2) waits for the boarded run's
    departure, THRU (5) goes straight on after the operation, the others add their duration."""
    if k == 2 or k == 5:
        nt = t
        oi = opening[ei]
        if oi >= 0:
            nt = next_open_nb(omask[oi], ostart[oi], oend[oi], nt)
        nt += dur[ei]
        if k == 2:
            r = board_run[ei]
            nt = next_departure_nb(pk[r], pmask[r], pa[r], pb[r], nt, v_offset[w])
        return nt
    return t + dur[ei]


@njit(cache=True)
def _record_target(targets, n_tgt, x, lid, use, eps):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Add a destination label unless dominated (within ``eps``); drop those it dominates."""
    if _pruned(targets, n_tgt, x, use, eps):
        return targets, n_tgt
    w = 0
    for k in range(n_tgt):
        if not _leq_exact(x, targets[k, :NC], use):
            targets[w, :] = targets[k, :]
            w += 1
    n_tgt = w
    if n_tgt == targets.shape[0]:
        bigger = np.empty((targets.shape[0] * 2, NC + 1))
        bigger[:n_tgt] = targets[:n_tgt]
        targets = bigger
    targets[n_tgt, :NC] = x
    targets[n_tgt, NC] = lid
    return targets, n_tgt + 1


@njit(cache=True)
def looped_nodes(targets, parent, vert, v_node, n_nodes):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Nodes that the path of a destination label (rows of ``targets``) comes back to after leaving them."""
    out = np.zeros(n_nodes, dtype=np.bool_)
    seen = np.full(n_nodes, -1, dtype=np.int64)
    for t in range(targets.shape[0]):
        j = int(targets[t, NC])
        prev = -1
        while j >= 0:
            node = v_node[vert[j]]
            if node != prev:
                if seen[node] == t:
                    out[node] = True
                seen[node] = t
                prev = node
            j = parent[j]
    return out


@njit(cache=True, nogil=True)
def label_search(  # type: ignore[no-untyped-def]
    indptr, head, kind, wts, board_run, opening, v_node, v_offset, pk, pmask, pa, pb, omask, ostart, oend,
    allowed, lb, init_v, init_w, target_ok, tgt_w, tgt_open, via, dest_node, use, eps, slack_f, multi, max_labels,
    horizon_end, node_bit, exact,
):  # pragma: no cover - compiled  # fmt: skip
    """Pareto labels to the target vertices; returns targets and the label tree.

    Criteria are the ``NC`` columns of ``wts`` (per edge), ``init_w`` (per initial label) and
    ``tgt_w`` (per target vertex); column 0 is time and follows timetables. Dominance uses the
    columns flagged in ``use``, a stored label turning a new one away when it is within the
    factors ``eps`` of it (1 = exact; above 1 on the reliability columns keeps the set small:
    epsilon dominance). Labels are expanded in lexicographic order of ``label + lower
    bound`` on (time, cost, CO2e) (multi-objective A*, correct because the bounds ``lb`` are
    consistent). No label's path visits a tracked node twice (``node_bit[node]`` is the node's
    bit in the labels' node sets, -1 for a node not tracked; the bit sets are exact node sets
    when ``exact``), none passes the destination node, and a label reaches the destination
    node only after all ``via`` nodes, in order. ``multi=False`` searches earliest
    arrival only and stops as soon as it is settled.

    Returns
    -------
    (targets, parent, edge, vert, capped, looped)
        ``targets`` rows are ``(criteria..., label)``; a label's path is followed with
        ``parent``; ``edge`` is the edge that produced it (-1 for an initial label, whose
        vertex is ``vert``); ``capped`` counts labels the per-state cap turned away;
        ``looped`` flags the nodes a destination label's path comes back to
        (:func:`looped_nodes`; only untracked nodes can be flagged).
    """
    n_via = via.size
    n_states = v_node.size * (n_via + 1)
    elementary = False
    for b in node_bit:
        elementary |= b >= 0
    bag_head = np.full(n_states, -1, dtype=np.int64)
    bag_size = np.zeros(n_states, dtype=np.int64)
    lf = np.empty((1024, NC))
    li = np.empty((1024, 5), dtype=np.int64)
    lm = np.empty((1024, 2), dtype=np.uint64)
    ldead = np.zeros(1024, dtype=np.bool_)
    n_lab = 0
    targets = np.empty((64, NC + 1))
    n_tgt = 0
    hk = np.empty((1024, 3))
    hv = np.empty(1024, dtype=np.int64)
    hsize = 0
    top = np.empty(3)
    capped = np.zeros(1, dtype=np.int64)
    x = np.empty(NC)
    key = np.empty(NC)
    dur = wts[:, 0].copy()
    pf = eps * slack_f

    for i in range(init_v.size):
        v = init_v[i]
        if not allowed[v] or init_w[i, 0] > horizon_end:
            continue
        vi = 1 if n_via > 0 and via[0] == v_node[v] else 0
        for c in range(NC):
            x[c] = init_w[i, c]
            key[c] = x[c] + lb[v, c]
        lf, li, lm, ldead, n_lab, hk, hv, hsize = _add_label(
            lf, li, lm, ldead, n_lab, bag_head, bag_size, hk, hv, hsize, v * (n_via + 1) + vi, x, -1, -1, v, vi, key,
            use, eps, max_labels, capped, v_node, node_bit, elementary, exact,
        )  # fmt: skip

    while hsize > 0:
        lid, hsize = heap_pop(hk, hv, hsize, top)
        if ldead[lid]:
            continue
        if not multi and n_tgt > 0 and top[0] >= targets[0, 0]:
            break  # earliest arrival settled (A* order with a consistent bound)
        v = li[lid, P_VERT]
        vi = li[lid, P_VIA]
        node = v_node[v]
        if vi == n_via:
            for c in range(NC):
                key[c] = lf[lid, c] + lb[v, c]
            if _pruned(targets, n_tgt, key, use, pf):
                continue
            if target_ok[v]:
                x[:] = lf[lid] + tgt_w[v]
                x[0] = _arrival(v, lf[lid, 0], tgt_w, tgt_open, omask, ostart, oend)
                targets, n_tgt = _record_target(targets, n_tgt, x, lid, use, eps)
        if node == dest_node:
            continue  # a route ends at its destination: going on would have to come back
        for ei in range(indptr[v], indptr[v + 1]):
            w = head[ei]
            if not allowed[w]:
                continue
            wn = v_node[w]
            nvi = _via_step(vi, wn, via, dest_node)
            if nvi < 0:
                continue  # the destination only after every via place
            if elementary and wn != node and node_bit[wn] >= 0:
                wb, bit = _bit(node_bit[wn])
                if (lm[lid, wb] & bit) != 0 and (exact or on_path(li, v_node, lid, wn)):
                    continue  # no tracked node twice (the bit sets are exact node sets when ``exact``)
            nt = _edge_time(kind[ei], lf[lid, 0], ei, w, dur, board_run, opening, v_offset, pk, pmask, pa, pb,
                            omask, ostart, oend)  # fmt: skip
            if nt > horizon_end:
                continue
            for c in range(NC):
                x[c] = lf[lid, c] + wts[ei, c]
            x[0] = nt
            for c in range(NC):
                key[c] = x[c] + lb[w, c]
            if nvi == n_via and _pruned(targets, n_tgt, key, use, pf):
                continue
            lf, li, lm, ldead, n_lab, hk, hv, hsize = _add_label(
                lf, li, lm, ldead, n_lab, bag_head, bag_size, hk, hv, hsize, w * (n_via + 1) + nvi, x, lid, ei, w,
                nvi, key, use, eps, max_labels, capped, v_node, node_bit, elementary, exact,
            )  # fmt: skip

    parent = li[:n_lab, P_PARENT].copy()
    vert = li[:n_lab, P_VERT].copy()
    looped = looped_nodes(targets[:n_tgt], parent, vert, v_node, node_bit.size)
    return targets[:n_tgt].copy(), parent, li[:n_lab, P_EDGE].copy(), vert, capped[0], looped


@njit(cache=True, nogil=True)
def earliest_arrival(  # type: ignore[no-untyped-def]
    indptr, head, kind, wts, board_run, opening, v_node, v_offset, pk, pmask, pa, pb, omask, ostart, oend,
    allowed, init_v, init_w, target_ok, tgt_w, tgt_open, via, dest_node, horizon_end, from_l, to_l, lt_from, lt_to,
):  # pragma: no cover - compiled  # fmt: skip
    """Earliest arrival at the target vertices: a time-dependent A* (FIFO waits) that stops once
    the destination is settled.

    The potential is the ALT bound of the static time to the destination (landmark tables
    ``from_l``/``to_l`` and the destination's rows ``lt_from``/``lt_to``, see
    :func:`landmark_tables`); waits only add to the static time, so it is consistent.

    States are (vertex, via progress) as in :func:`label_search`; the destination node is
    entered only after every ``via`` node and never left. Paths are not checked for repeated
    nodes (the caller does, and falls back to :func:`label_search`). Returns the same tuple as
    :func:`label_search`: the one target row and the label tree of its path (labels in path
    order, the criteria summed along it).
    """
    n_via = via.size
    stride = n_via + 1
    n_states = v_node.size * stride
    dist = np.full(n_states, np.inf)
    pred_e = np.full(n_states, -1, dtype=np.int64)  # edge into the state, or -1 - initial label
    pred_s = np.full(n_states, -1, dtype=np.int64)  # previous state, -1 for an initial label
    done = np.zeros(n_states, dtype=np.bool_)
    pot = np.full(v_node.size, -1.0)
    dur = wts[:, 0]
    cap = head.size * stride + init_v.size + 1
    hk = np.empty(cap)
    hv = np.empty(cap, dtype=np.int64)
    size = 0
    for i in range(init_v.size):
        v = init_v[i]
        if not allowed[v] or init_w[i, 0] > horizon_end:
            continue
        vi = 1 if n_via > 0 and via[0] == v_node[v] else 0
        s = v * stride + vi
        if init_w[i, 0] < dist[s]:
            if pot[v] < 0.0:
                pot[v] = _alt_bound(from_l, to_l, v, lt_from, lt_to)
            dist[s] = init_w[i, 0]
            pred_e[s] = -1 - i
            pred_s[s] = -1
            size = _push1(hk, hv, size, init_w[i, 0] + pot[v], s)
    best = np.inf
    best_s = -1
    while size > 0:
        key, s, size = _pop1(hk, hv, size)
        if done[s]:
            continue
        if key >= best:
            break
        done[s] = True
        t = dist[s]
        v = s // stride
        vi = s - v * stride
        if vi == n_via and target_ok[v]:
            a = _arrival(v, t, tgt_w, tgt_open, omask, ostart, oend)
            if a < best:
                best = a
                best_s = s
        if v_node[v] == dest_node:
            continue
        for ei in range(indptr[v], indptr[v + 1]):
            w = head[ei]
            if not allowed[w]:
                continue
            nvi = _via_step(vi, v_node[w], via, dest_node)
            if nvi < 0:
                continue
            ns = w * stride + nvi
            if done[ns]:
                continue
            nt = _edge_time(kind[ei], t, ei, w, dur, board_run, opening, v_offset, pk, pmask, pa, pb,
                            omask, ostart, oend)  # fmt: skip
            if nt <= horizon_end and nt < dist[ns]:
                if pot[w] < 0.0:
                    pot[w] = _alt_bound(from_l, to_l, w, lt_from, lt_to)
                if pot[w] == np.inf:
                    continue  # the destination cannot be reached from w
                dist[ns] = nt
                pred_e[ns] = ei
                pred_s[ns] = s
                size = _push1(hk, hv, size, nt + pot[w], ns)
    return _path_labels(best_s, best, pred_s, pred_e, dist, wts, init_v, init_w, tgt_w, stride)


@njit(cache=True)
def _path_labels(best_s, best, pred_s, pred_e, dist, wts, init_v, init_w, tgt_w, stride):  # type: ignore[no-untyped-def]  # pragma: no cover
    """The label tree of the path to state ``best_s`` (labels in path order) and its target row."""
    targets = np.empty((0 if best_s < 0 else 1, NC + 1))
    n_lab = 0
    s = best_s
    while s >= 0:
        n_lab += 1
        s = pred_s[s]
    states = np.empty(n_lab, dtype=np.int64)
    s = best_s
    for k in range(n_lab - 1, -1, -1):
        states[k] = s
        s = pred_s[s]
    parent = np.arange(-1, n_lab - 1, dtype=np.int64)
    edge = np.empty(n_lab, dtype=np.int64)
    vert = states // stride
    x = np.zeros(NC)
    for k in range(n_lab):
        e = pred_e[states[k]]
        if e < 0:
            edge[k] = -1
            x[:] = init_w[-1 - e]
        else:
            edge[k] = e
            for c in range(NC):
                x[c] += wts[e, c]
            x[0] = dist[states[k]]
    if best_s >= 0:
        v = vert[n_lab - 1]
        for c in range(NC):
            targets[0, c] = x[c] + tgt_w[v, c]
        targets[0, 0] = best
        targets[0, NC] = n_lab - 1
    return targets, parent, edge, vert, 0
