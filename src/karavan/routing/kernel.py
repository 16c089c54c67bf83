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


@njit(cache=True)
def _grow(a, n):  # type: ignore[no-untyped-def]  # pragma: no cover
    out = np.empty(n, dtype=a.dtype)
    out[: a.size] = a
    return out


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
    cap = 1024
    lt = np.empty(cap)
    lc = np.empty(cap)
    le = np.empty(cap)
    lpar = np.empty(cap, dtype=np.int64)
    ledge = np.empty(cap, dtype=np.int64)
    lvert = np.empty(cap, dtype=np.int64)
    lvia = np.empty(cap, dtype=np.int64)
    lnext = np.empty(cap, dtype=np.int64)
    ldead = np.zeros(cap, dtype=np.bool_)
    n_lab = 0
    targets = np.empty((64, 4))
    n_tgt = 0
    heap = [(0.0, 0.0, 0.0, np.int64(0))]
    heap.pop()

    for i in range(init_v.size):
        v = init_v[i]
        if not allowed[v] or init_t[i] > horizon_end:
            continue
        vi = 0
        if n_via > 0 and via[0] == v_node[v]:
            vi = 1
        # origin == via[0] is handled by the caller through init vertices at the origin
        state = v * (n_via + 1) + vi
        # dominance within the bag
        dominated = False
        j = bag_head[state]
        while j >= 0:
            if lt[j] <= init_t[i] and (not multi or (lc[j] <= init_c[i] and le[j] <= init_e[i])):
                dominated = True
                break
            j = lnext[j]
        if dominated:
            continue
        if n_lab == cap:
            cap *= 2
            lt = _grow(lt, cap)
            lc = _grow(lc, cap)
            le = _grow(le, cap)
            lpar = _grow(lpar, cap)
            ledge = _grow(ledge, cap)
            lvert = _grow(lvert, cap)
            lvia = _grow(lvia, cap)
            lnext = _grow(lnext, cap)
            ldead = _grow(ldead, cap)
        lid = n_lab
        n_lab += 1
        lt[lid] = init_t[i]
        lc[lid] = init_c[i]
        le[lid] = init_e[i]
        lpar[lid] = -1
        ledge[lid] = -1
        lvert[lid] = v
        lvia[lid] = vi
        ldead[lid] = False
        lnext[lid] = bag_head[state]
        bag_head[state] = lid
        bag_size[state] += 1
        heapq.heappush(heap, (init_t[i] + lb_t[v], init_c[i] + lb_c[v], init_e[i] + lb_e[v], np.int64(lid)))

    while len(heap) > 0:
        ft, _fc, _fe, lid = heapq.heappop(heap)
        if ldead[lid]:
            continue
        if not multi and n_tgt > 0 and ft >= targets[0, 0]:
            break  # earliest arrival settled (A* order with a consistent bound)
        t = lt[lid]
        c = lc[lid]
        e = le[lid]
        v = lvert[lid]
        vi = lvia[lid]
        final = vi == n_via
        if final:
            pt = t + lb_t[v]
            pc = c + lb_c[v]
            pe = e + lb_e[v]
            pruned = False
            for k in range(n_tgt):
                if targets[k, 0] <= pt * slack_f + 1e-9 and (
                    not multi or (targets[k, 1] <= pc * slack_f + 1e-9 and targets[k, 2] <= pe * slack_f + 1e-9)
                ):
                    pruned = True
                    break
            if pruned:
                continue
            if target_ok[v]:
                tt = t
                if tgt_open[v] >= 0:
                    o = tgt_open[v]
                    tt = next_open_nb(omask[o], ostart[o], oend[o], tt)
                tt += tgt_t[v]
                tc = c + tgt_c[v]
                te = e + tgt_e[v]
                dom = False
                for k in range(n_tgt):
                    if targets[k, 0] <= tt and (not multi or (targets[k, 1] <= tc and targets[k, 2] <= te)):
                        dom = True
                        break
                if not dom:
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
            if kind[ei] == 2:
                nt = t
                oi = opening[ei]
                if oi >= 0:
                    nt = next_open_nb(omask[oi], ostart[oi], oend[oi], nt)
                nt += dur[ei]
                r = board_run[ei]
                nt = next_departure_nb(pk[r], pmask[r], pa[r], pb[r], nt, v_offset[w])
            else:
                nt = t + dur[ei]
            if nt > horizon_end:
                continue
            nc = c + cost[ei]
            ne = e + co2[ei]
            nvi = vi
            if vi < n_via and v_node[w] == via[vi]:
                nvi = vi + 1
            if nvi == n_via:
                pt = nt + lb_t[w]
                pc = nc + lb_c[w]
                pe = ne + lb_e[w]
                pruned = False
                for k in range(n_tgt):
                    if targets[k, 0] <= pt * slack_f + 1e-9 and (
                        not multi or (targets[k, 1] <= pc * slack_f + 1e-9 and targets[k, 2] <= pe * slack_f + 1e-9)
                    ):
                        pruned = True
                        break
                if pruned:
                    continue
            state = w * (n_via + 1) + nvi
            dominated = False
            j = bag_head[state]
            while j >= 0:
                if lt[j] <= nt and (not multi or (lc[j] <= nc and le[j] <= ne)):
                    dominated = True
                    break
                j = lnext[j]
            if dominated:
                continue
            # unlink labels the new one dominates
            prev = -1
            j = bag_head[state]
            while j >= 0:
                nxt = lnext[j]
                if nt <= lt[j] and (not multi or (nc <= lc[j] and ne <= le[j])):
                    ldead[j] = True
                    bag_size[state] -= 1
                    if prev < 0:
                        bag_head[state] = nxt
                    else:
                        lnext[prev] = nxt
                else:
                    prev = j
                j = nxt
            if bag_size[state] >= max_labels:
                continue
            if n_lab == cap:
                cap *= 2
                lt = _grow(lt, cap)
                lc = _grow(lc, cap)
                le = _grow(le, cap)
                lpar = _grow(lpar, cap)
                ledge = _grow(ledge, cap)
                lvert = _grow(lvert, cap)
                lvia = _grow(lvia, cap)
                lnext = _grow(lnext, cap)
                ldead = _grow(ldead, cap)
            nl = n_lab
            n_lab += 1
            lt[nl] = nt
            lc[nl] = nc
            le[nl] = ne
            lpar[nl] = lid
            ledge[nl] = ei
            lvert[nl] = w
            lvia[nl] = nvi
            ldead[nl] = False
            lnext[nl] = bag_head[state]
            bag_head[state] = nl
            bag_size[state] += 1
            heapq.heappush(heap, (nt + lb_t[w], nc + lb_c[w], ne + lb_e[w], np.int64(nl)))

    return targets[:n_tgt].copy(), lpar[:n_lab].copy(), ledge[:n_lab].copy(), lvert[:n_lab].copy()
