"""Compiled (numba) core of the time-dependent multi-criteria label-setting search.

Everything here works on flat numpy arrays so it compiles to machine code; the
readable reference for the time functions is :mod:`karavan.model.timetable`
(:func:`~karavan.model.timetable.next_departure`) and
:func:`karavan.routing.search.next_open`, which the tests compare against.
"""

from __future__ import annotations

import heapq
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


# Label storage: ``lf[k] = (t, cost, co2e)`` and ``li[k] = (parent, edge, vertex, via, next in bag)``.
P_PARENT, P_EDGE, P_VERT, P_VIA, P_NEXT = 0, 1, 2, 3, 4


@njit(cache=True, inline="always")
def _pruned(targets, n_tgt, t, c, e, slack_f, multi):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Whether a destination label found so far dominates ``(t, c, e)`` within the slack."""
    for k in range(n_tgt):
        if targets[k, 0] <= t * slack_f + 1e-9 and (
            not multi or (targets[k, 1] <= c * slack_f + 1e-9 and targets[k, 2] <= e * slack_f + 1e-9)
        ):
            return True
    return False


@njit(cache=True, inline="always")
def _add_label(  # type: ignore[no-untyped-def]  # pragma: no cover
    lf,
    li,
    ldead,
    n_lab,
    bag_head,
    bag_size,
    heap,
    state,
    t,
    c,
    e,
    parent,
    edge,
    vert,
    vi,
    key_t,
    key_c,
    key_e,
    multi,
    max_labels,
    capped,
):
    """Insert a label into its (vertex, via) bag unless dominated; unlink the labels it dominates.

    Returns the (possibly grown) label arrays and the new label count.
    """
    j = bag_head[state]
    while j >= 0:
        if lf[j, 0] <= t and (not multi or (lf[j, 1] <= c and lf[j, 2] <= e)):
            return lf, li, ldead, n_lab
        j = li[j, P_NEXT]
    prev = -1
    j = bag_head[state]
    while j >= 0:
        nxt = li[j, P_NEXT]
        if t <= lf[j, 0] and (not multi or (c <= lf[j, 1] and e <= lf[j, 2])):
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
        return lf, li, ldead, n_lab
    if n_lab == lf.shape[0]:
        cap = 2 * n_lab
        lf2 = np.empty((cap, 3))
        lf2[:n_lab] = lf
        li2 = np.empty((cap, 5), dtype=np.int64)
        li2[:n_lab] = li
        ld2 = np.zeros(cap, dtype=np.bool_)
        ld2[:n_lab] = ldead
        lf, li, ldead = lf2, li2, ld2
    lid = n_lab
    lf[lid, 0] = t
    lf[lid, 1] = c
    lf[lid, 2] = e
    li[lid, P_PARENT] = parent
    li[lid, P_EDGE] = edge
    li[lid, P_VERT] = vert
    li[lid, P_VIA] = vi
    li[lid, P_NEXT] = bag_head[state]
    ldead[lid] = False
    bag_head[state] = lid
    bag_size[state] += 1
    heapq.heappush(heap, (key_t, key_c, key_e, np.int64(lid)))
    return lf, li, ldead, n_lab + 1


@njit(cache=True)
def label_search(  # type: ignore[no-untyped-def]
    indptr,
    head,
    kind,
    dur,
    cost,
    co2,
    board_run,
    opening,
    v_node,
    v_offset,
    pk,
    pmask,
    pa,
    pb,
    omask,
    ostart,
    oend,
    allowed,
    lb_t,
    lb_c,
    lb_e,
    init_v,
    init_t,
    init_c,
    init_e,
    target_ok,
    tgt_t,
    tgt_c,
    tgt_e,
    tgt_open,
    via,
    slack_f,
    multi,
    max_labels,
    horizon_end,
):  # pragma: no cover - compiled
    """Pareto labels to the target vertices; returns targets and the label tree.

    Labels are expanded in lexicographic order of ``label + lower bound`` (multi-objective
    A*, correct because the bounds are consistent: static durations, costs and emissions
    with waits counted as zero). ``multi=False`` searches earliest arrival only and stops
    as soon as it is settled.

    Returns
    -------
    (targets, parent, edge, vert)
        ``targets`` rows are ``(t, c, e, label)``; a label's path is followed with
        ``parent``; ``edge`` is the edge that produced it (-1 for an initial label,
        whose vertex is ``vert``).
    """
    n_via = via.size
    n_states = v_node.size * (n_via + 1)
    bag_head = np.full(n_states, -1, dtype=np.int64)
    bag_size = np.zeros(n_states, dtype=np.int64)
    lf = np.empty((1024, 3))
    li = np.empty((1024, 5), dtype=np.int64)
    ldead = np.zeros(1024, dtype=np.bool_)
    n_lab = 0
    targets = np.empty((64, 4))
    n_tgt = 0
    heap = [(0.0, 0.0, 0.0, np.int64(0))]
    heap.pop()
    capped = np.zeros(1, dtype=np.int64)

    for i in range(init_v.size):
        v = init_v[i]
        if not allowed[v] or init_t[i] > horizon_end:
            continue
        vi = 1 if n_via > 0 and via[0] == v_node[v] else 0
        lf, li, ldead, n_lab = _add_label(
            lf, li, ldead, n_lab, bag_head, bag_size, heap, v * (n_via + 1) + vi,
            init_t[i], init_c[i], init_e[i], -1, -1, v, vi,
            init_t[i] + lb_t[v], init_c[i] + lb_c[v], init_e[i] + lb_e[v], multi, max_labels, capped,
        )  # fmt: skip

    while len(heap) > 0:
        ft, _fc, _fe, lid = heapq.heappop(heap)
        if ldead[lid]:
            continue
        if not multi and n_tgt > 0 and ft >= targets[0, 0]:
            break  # earliest arrival settled (A* order with a consistent bound)
        t = lf[lid, 0]
        c = lf[lid, 1]
        e = lf[lid, 2]
        v = li[lid, P_VERT]
        vi = li[lid, P_VIA]
        if vi == n_via:
            if _pruned(targets, n_tgt, t + lb_t[v], c + lb_c[v], e + lb_e[v], slack_f, multi):
                continue
            if target_ok[v]:
                tt = t
                if tgt_open[v] >= 0:
                    o = tgt_open[v]
                    tt = next_open_nb(omask[o], ostart[o], oend[o], tt)
                tt += tgt_t[v]
                tc = c + tgt_c[v]
                te = e + tgt_e[v]
                if not _pruned(targets, n_tgt, tt, tc, te, 1.0, multi):
                    # drop targets the new one dominates, then append
                    w = 0
                    for k in range(n_tgt):
                        if not (tt <= targets[k, 0] and (not multi or (tc <= targets[k, 1] and te <= targets[k, 2]))):
                            targets[w, :] = targets[k, :]
                            w += 1
                    n_tgt = w
                    if n_tgt == targets.shape[0]:
                        bigger = np.empty((targets.shape[0] * 2, 4))
                        bigger[:n_tgt] = targets[:n_tgt]
                        targets = bigger
                    targets[n_tgt, 0] = tt
                    targets[n_tgt, 1] = tc
                    targets[n_tgt, 2] = te
                    targets[n_tgt, 3] = lid
                    n_tgt += 1
        for ei in range(indptr[v], indptr[v + 1]):
            w = head[ei]
            if not allowed[w]:
                continue
            if kind[ei] == 2 or kind[ei] == 5:  # XFER (2) waits for the boarded run's departure; THRU (5) does not
                nt = t
                oi = opening[ei]
                if oi >= 0:
                    nt = next_open_nb(omask[oi], ostart[oi], oend[oi], nt)
                nt += dur[ei]
                if kind[ei] == 2:
                    r = board_run[ei]
                    nt = next_departure_nb(pk[r], pmask[r], pa[r], pb[r], nt, v_offset[w])
            else:
                nt = t + dur[ei]
            if nt > horizon_end:
                continue
            nc = c + cost[ei]
            ne = e + co2[ei]
            nvi = vi + 1 if vi < n_via and v_node[w] == via[vi] else vi
            kt, kc, ke = nt + lb_t[w], nc + lb_c[w], ne + lb_e[w]
            if nvi == n_via and _pruned(targets, n_tgt, kt, kc, ke, slack_f, multi):
                continue
            lf, li, ldead, n_lab = _add_label(
                lf, li, ldead, n_lab, bag_head, bag_size, heap, w * (n_via + 1) + nvi,
                nt, nc, ne, lid, ei, w, nvi, kt, kc, ke, multi, max_labels, capped,
            )  # fmt: skip

    return (
        targets[:n_tgt].copy(),
        li[:n_lab, P_PARENT].copy(),
        li[:n_lab, P_EDGE].copy(),
        li[:n_lab, P_VERT].copy(),
        capped[0],
    )
