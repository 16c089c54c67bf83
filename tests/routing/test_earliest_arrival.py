"""The compiled earliest-arrival A* (ALT bounds) against brute force on small random networks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.routing.test_pareto_brute_force import Case

from karavan.routing.kernel import NC, earliest_arrival, landmark_tables, static_bounds


def _reverse(case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(case.head, kind="stable").astype(np.int64)
    indptr = np.zeros(case.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(case.head, minlength=case.n), out=indptr[1:])
    return indptr, case.tail[order].astype(np.int64), order


def _earliest(case: Case, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rindptr, rtail, redge = _reverse(case)
    from_l, to_l = landmark_tables(case.indptr, case.head, rindptr, rtail, redge, case.wts[:, 0].copy(), k)
    arr = np.flatnonzero(case.target_ok)
    if arr.size:
        lt_from, lt_to = from_l[arr].min(axis=0), to_l[arr].max(axis=0)
    else:
        lt_from = lt_to = np.full(k, np.inf)
    targets, parent, edge, vert, _capped = earliest_arrival(
        case.indptr, case.head, case.kind, case.wts, case.board_run, np.full(case.head.size, -1, np.int32),
        case.v_node, np.zeros(case.n), case.pk, case.pmask, case.pa, case.pb, np.zeros(1, np.int64), np.zeros(1),
        np.full(1, 24.0), np.ones(case.n, np.bool_), case.init_v, case.init_w, case.target_ok, case.tgt_w,
        np.full(case.n, -1, np.int32), case.via, case.dest, 1e9, from_l, to_l, lt_from, lt_to,
    )  # fmt: skip
    return targets, parent, edge, vert


def _check(seed: int) -> None:
    case = Case(seed)
    case.use[:] = True
    targets, parent, edge, vert = _earliest(case, int(1 + seed % 3))
    walks = case.brute_force()
    nodes = [int(case.v_node[v]) for v in vert]
    visits = [n for i, n in enumerate(nodes) if i == 0 or n != nodes[i - 1]]
    loop_free = len(set(visits)) == len(visits)
    if not walks:  # no loop-free route: at most a walk passing a place twice
        assert targets.shape[0] == 0 or not loop_free, f"seed {seed}"
        return
    best = min(w[0] for w in walks)
    assert targets.shape[0] == 1, f"seed {seed}: no route found, brute force {best}"
    got = float(targets[0, 0])
    assert got <= best + 1e-9, f"seed {seed}"
    if loop_free:  # then it is the fastest route
        assert abs(got - best) < 1e-9, f"seed {seed}"
    # the label tree is the path, in order, from an initial label, and the row its criteria
    assert edge[0] < 0
    assert all(parent[i] == i - 1 for i in range(len(parent)))
    x = case.init_w[list(case.init_v).index(vert[0])].copy()
    for i in range(1, len(edge)):
        assert case.tail[edge[i]] == vert[i - 1]
        assert case.head[edge[i]] == vert[i]
        t = case.time_after(int(edge[i]), x[0])
        x += case.wts[edge[i]]
        x[0] = t
    assert np.array_equal(targets[0, :NC], x + case.tgt_w[vert[-1]]), f"seed {seed}"


def test_earliest_arrival_brute_force() -> None:
    for seed in range(3_000):
        _check(seed)


@settings(max_examples=200, deadline=None)  # behaviour, not speed (shared machines)
@given(seed=st.integers(10_000, 2**32 - 1))
def test_earliest_arrival_property(seed: int) -> None:
    _check(seed)


def test_static_bounds_are_shortest_distances() -> None:
    for seed in range(200):
        case = Case(seed)
        rindptr, rtail, redge = _reverse(case)
        sources = np.flatnonzero(case.target_ok).astype(np.int64)
        use = np.array([True, True, False, True, False])
        got = static_bounds(rindptr, rtail, redge, case.wts, sources, use)
        for col in range(NC):
            # Bellman-Ford on the same reversed graph
            dist = np.full(case.n, np.inf)
            dist[sources] = 0.0
            for _ in range(case.n):
                for e in range(case.head.size):
                    dist[case.tail[e]] = min(dist[case.tail[e]], dist[case.head[e]] + case.wts[e, col])
            want = dist if use[col] else np.zeros(case.n)
            assert np.array_equal(got[:, col], want), f"seed {seed} column {col}"
