"""Compiled shortest paths and the capacity incidence against direct references (scipy.sparse, dense algebra)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from karavan.capacity import paths
from karavan.capacity.flownet import Incidence
from karavan.capacity.paths import EPS_W, StaticGraph, shortest_paths

Graph = tuple[int, np.ndarray, np.ndarray, np.ndarray]


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    n = draw(st.integers(2, 12))
    m = draw(st.integers(1, 40))
    tail = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    head = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    w = np.array(draw(st.lists(st.floats(0.0, 100.0), min_size=m, max_size=m)))
    return n, tail, head, w


@settings(max_examples=60, deadline=None)
@given(g=graphs(), data=st.data())
def test_distances_and_paths_match_scipy(g: Graph, data: st.DataObject) -> None:
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    n, tail, head, w = g
    k = data.draw(st.integers(1, 8))
    o = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)), dtype=np.int64)
    d = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)), dtype=np.int64)
    d = np.where(d == o, (d + 1) % n, d)
    res = shortest_paths(tail, head, w, n, o, d)
    # the reference: parallel edges collapsed to the lightest, the same tie-breaking weight added
    key = tail * n + head
    best: dict[int, float] = {}
    for kk, ww in zip(key.tolist(), (w + EPS_W).tolist(), strict=True):
        best[kk] = min(best.get(kk, np.inf), ww)
    keys = np.array(list(best), dtype=np.int64)
    mat = sp.csr_matrix((np.array(list(best.values())), (keys // n, keys % n)), shape=(n, n))
    want = dijkstra(mat, directed=True, indices=o)[np.arange(k), d]
    np.testing.assert_allclose(res.dist, want, rtol=1e-12, atol=1e-12)
    for i in range(k):
        edges = res.path_edge[res.path_od == i]
        if not np.isfinite(want[i]):
            assert edges.size == 0
            continue
        # a path from o to d, destination first, whose weight is the distance
        assert head[edges[0]] == d[i]
        assert tail[edges[-1]] == o[i]
        np.testing.assert_array_equal(tail[edges[:-1]], head[edges[1:]])
        assert np.isclose((w[edges] + EPS_W).sum(), want[i], rtol=1e-12, atol=1e-12)


def test_accept_limits_the_extracted_paths() -> None:
    tail = np.array([0, 1, 0], dtype=np.int64)
    head = np.array([1, 2, 2], dtype=np.int64)
    g = StaticGraph(tail, head, 3)
    res = g.paths(np.array([1.0, 1.0, 5.0]), np.array([0, 0]), np.array([2, 1]), np.array([1.5, 1.5]))
    np.testing.assert_allclose(res.dist, [2.0 + 2 * EPS_W, 1.0 + EPS_W])
    assert res.path_od.tolist() == [1]  # only the OD below its acceptance level gets its path
    assert res.path_edge.tolist() == [0]


@settings(max_examples=40, deadline=None)
@given(
    entries=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 4), st.floats(0.1, 10.0)), min_size=0, max_size=25),
    data=st.data(),
)
def test_incidence_matches_the_dense_matrix(entries: list[tuple[int, int, float]], data: st.DataObject) -> None:
    n_e, n_r = 7, 5
    dense = np.zeros((n_e, n_r))
    for e, r, v in entries:
        dense[e, r] += v
    arr = np.array(entries, dtype=np.float64).reshape(-1, 3)
    inc = Incidence.build(arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2], n_e, n_r)
    flow = np.array(data.draw(st.lists(st.floats(0.0, 100.0), min_size=n_e, max_size=n_e)))
    price = np.array(data.draw(st.lists(st.floats(0.0, 100.0), min_size=n_r, max_size=n_r)))
    np.testing.assert_allclose(inc.row_load(flow), dense.T @ flow, atol=1e-9)
    np.testing.assert_allclose(inc.row_load(flow, unit=True), (dense != 0).T @ flow, atol=1e-9)
    np.testing.assert_allclose(inc.edge_weight(price), dense @ price, atol=1e-9)
    assert inc.n_edges == n_e


def test_a_full_path_buffer_resumes_at_the_origin_where_it_ran_out(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    n, m = 400, 1600
    tail, head = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.uniform(0.0, 10.0, m)
    o, d = rng.integers(0, n, 300), rng.integers(0, n, 300)
    d = np.where(d == o, (d + 1) % n, d)
    want = shortest_paths(tail, head, w, n, o, d)
    monkeypatch.setattr(paths, "PATH_ROOM_PER_TARGET", 0)  # room for 1,024 of the 1,734 path edges at first
    monkeypatch.setattr(paths, "THREADS", 1)
    got = shortest_paths(tail, head, w, n, o, d)
    np.testing.assert_array_equal(got.dist, want.dist)
    np.testing.assert_array_equal(got.path_od, want.path_od)
    np.testing.assert_array_equal(got.path_edge, want.path_edge)


def test_a_library_built_without_the_search_names_the_rebuild(monkeypatch: pytest.MonkeyPatch) -> None:
    from karavan import _native
    from karavan.errors import NativeKernelError

    class OlderBuild:  # a library without the search
        pass

    monkeypatch.setattr(_native, "_functions", {})
    monkeypatch.setattr(_native, "library", OlderBuild)
    with pytest.raises(NativeKernelError, match="kf_paths"):
        shortest_paths(np.array([0]), np.array([1]), np.array([1.0]), 2, np.array([0]), np.array([1]))
