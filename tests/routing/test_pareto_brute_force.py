"""The compiled Pareto search against brute force on small random networks.

Each case is a random vertex graph whose vertices sit at a few nodes (several vertices per
node, as runs calling at one place), with riding edges and timetabled transfers, five
criteria and random via places. Brute force enumerates every path that visits no node
twice, ends at its first arrival at the destination and passes the via places in order,
and keeps the non-dominated criteria vectors; the search must return exactly that set, both by
relaxation (loops forbidden only at the nodes where a found path looped, until none does) and
with every node's visits tracked from the start.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from karavan.routing.kernel import NC, label_search, next_departure_nb
from karavan.routing.search import LabelSearchResult, loop_free_search, node_bits

F = NDArray[np.float64]


class Case:
    """A random small graph and query in the kernel's array layout."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.n_nodes = int(rng.integers(3, 6))
        n = int(rng.integers(self.n_nodes, self.n_nodes + 5))
        self.v_node = np.concatenate([np.arange(self.n_nodes), rng.integers(0, self.n_nodes, n - self.n_nodes)])
        self.v_node = self.v_node.astype(np.int32)
        m = int(rng.integers(n, 3 * n))
        tails = rng.integers(0, n, m)
        heads = rng.integers(0, n, m)
        keep = tails != heads
        tails, heads = tails[keep], heads[keep]
        order = np.argsort(tails, kind="stable")
        self.tail, self.head = tails[order], heads[order].astype(np.int32)
        e = self.head.size
        self.kind = np.where(rng.random(e) < 0.3, 2, 0).astype(np.int8)
        self.wts = rng.integers(0, 6, size=(e, NC)).astype(np.float64)  # small integers: many ties
        self.board_run = np.where(self.kind == 2, rng.integers(0, 2, e), -1).astype(np.int32)
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        np.add.at(self.indptr, self.tail + 1, 1)
        self.indptr = np.cumsum(self.indptr)
        self.origin, self.dest = 0, 1
        others = list(range(2, self.n_nodes))
        self.via = np.asarray(rng.permutation(others)[: int(rng.integers(0, min(2, len(others)) + 1))], dtype=np.int64)
        self.init_v = np.flatnonzero(self.v_node == self.origin)
        self.init_w = rng.integers(0, 4, size=(self.init_v.size, NC)).astype(np.float64)
        self.target_ok = (self.v_node == self.dest) & (rng.random(n) < 0.8)
        self.tgt_w = rng.integers(0, 3, size=(n, NC)).astype(np.float64)
        self.use = rng.random(NC) < 0.7
        self.use[0] = True
        self.n = n
        # patterns: run 0 every 5 h, run 1 every 7 h from 2 h
        self.pk = np.array([1, 1], dtype=np.int8)
        self.pmask = np.zeros(2, dtype=np.int64)
        self.pa = np.array([5.0, 7.0])
        self.pb = np.array([0.0, 2.0])

    def time_after(self, ei: int, t: float) -> float:
        nt = t + self.wts[ei, 0]
        if self.kind[ei] == 2:
            r = self.board_run[ei]
            nt = next_departure_nb(self.pk[r], self.pmask[r], self.pa[r], self.pb[r], nt, 0.0)
        return float(nt)

    def kernel(self, node_bit: NDArray[np.int64], exact: bool) -> LabelSearchResult:
        return label_search(
            self.indptr, self.head, self.kind, self.wts, self.board_run, np.full(self.head.size, -1, np.int32),
            self.v_node, np.zeros(self.n), self.pk, self.pmask, self.pa, self.pb, np.zeros(1, np.int64),
            np.zeros(1), np.full(1, 24.0), np.ones(self.n, np.bool_), np.zeros((self.n, NC)), self.init_v,
            self.init_w, self.target_ok, self.tgt_w, np.full(self.n, -1, np.int32), self.via, self.dest, self.use,
            np.ones(NC), 1.0, True, 1_000_000, 1e9, node_bit, exact, depart_h=0.0,
        )  # fmt: skip

    def search(self, *, relaxed: bool = True) -> list[tuple[float, ...]]:
        """The search's vectors: loop-free by relaxation (the default), or tracking every node from the start."""
        if relaxed:
            targets = loop_free_search(self.kernel, np.zeros(self.n_nodes, np.bool_))[0]
        else:
            targets = self.kernel(*node_bits(np.ones(self.n_nodes, np.bool_)))[0]
        return sorted({tuple(float(x) for x in row[:NC] * self.use) for row in targets})

    def brute_force(self) -> list[tuple[float, ...]]:
        found: list[tuple[float, ...]] = []

        def walk(v: int, x: F, nodes: list[int], verts: set[int], vi: int) -> None:
            node = int(self.v_node[v])
            if node == self.dest:
                if vi == len(self.via) and self.target_ok[v]:
                    found.append(tuple(float(y) for y in (x + self.tgt_w[v]) * self.use))
                return
            for ei in range(self.indptr[v], self.indptr[v + 1]):
                w = int(self.head[ei])
                wn = int(self.v_node[w])
                if w in verts or (wn != node and wn in nodes):
                    continue
                nvi = vi + 1 if vi < len(self.via) and wn == self.via[vi] else vi
                if wn == self.dest and nvi < len(self.via):
                    continue
                y = x + self.wts[ei]
                y[0] = self.time_after(ei, x[0])
                walk(w, y, [*nodes, wn] if wn != node else nodes, verts | {w}, nvi)

        for i, v in enumerate(self.init_v):
            vi = 1 if len(self.via) and self.via[0] == self.v_node[v] else 0
            walk(int(v), self.init_w[i].copy(), [int(self.v_node[v])], {int(v)}, vi)
        pareto = {a for a in found if not any(b != a and all(p <= q for p, q in zip(b, a, strict=True)) for b in found)}
        return sorted(pareto)


def _check(seed: int) -> None:
    case = Case(seed)
    expected = case.brute_force()
    assert case.search() == expected, f"seed {seed}"
    if seed % 4 == 0:
        assert case.search(relaxed=False) == expected, f"seed {seed}, every node tracked"


def test_brute_force_ten_thousand_networks() -> None:
    for seed in range(10_000):
        _check(seed)


@settings(max_examples=300, deadline=None)  # behaviour, not speed (shared machines)
@given(seed=st.integers(10_000, 2**32 - 1))
def test_brute_force_property(seed: int) -> None:
    _check(seed)
