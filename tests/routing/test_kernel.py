"""The compiled kernels: time functions against their readable Python references, heaps, table growth, loading."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import karavan._native
from karavan.errors import InputError, NativeKernelError
from karavan.model import Headway, LogNormal, Network, OpeningHours, Weekday, Weekly, WhenFull
from karavan.model.timetable import next_departure
from karavan.routing import RouteQuery, plan_routes
from karavan.routing.kernel import NC, heap_pop, heap_push, label_search, next_departure_nb, next_open_nb
from karavan.routing.search import next_open

days = st.lists(st.sampled_from(list(Weekday)), min_size=1, max_size=7, unique=True)
times = st.floats(0, 2e5)
offsets = st.floats(0, 400)


@settings(max_examples=200, deadline=None)  # behaviour, not speed (shared machines)
@given(d=days, hh=st.integers(0, 23), mm=st.integers(0, 59), t=times, off=offsets)
def test_weekly_matches(d: list[Weekday], hh: int, mm: int, t: float, off: float) -> None:
    pat = Weekly(days=tuple(d), time=f"{hh:02d}:{mm:02d}")
    mask = sum(1 << w.number for w in d)
    assert abs(next_departure_nb(0, mask, pat.time_h, 0.0, t, off) - next_departure(pat, t, off)) < 1e-6


@settings(max_examples=200, deadline=None)  # behaviour, not speed (shared machines)
@given(h=st.floats(0.5, 400), hh=st.integers(0, 23), t=times, off=offsets)
def test_headway_matches(h: float, hh: int, t: float, off: float) -> None:
    pat = Headway(headway_h=h, first=f"{hh:02d}:00")
    assert abs(next_departure_nb(1, 0, h, pat.first_h, t, off) - next_departure(pat, t, off)) < 1e-6


def test_when_full_matches() -> None:
    pat = WhenFull(fill_threshold=0.8, expected_wait_h=LogNormal(median=30, p90=90))
    mean = pat.expected_wait_h.mean()
    assert next_departure_nb(2, 0, mean, 0.0, 1000.0, 5.0) == next_departure(pat, 1000.0, 5.0)


@settings(max_examples=200, deadline=None)  # behaviour, not speed (shared machines)
@given(d=days, start=st.integers(0, 22), length=st.integers(1, 12), t=times)
def test_opening_matches(d: list[Weekday], start: int, length: int, t: float) -> None:
    end = min(24, start + length)
    op = OpeningHours(days=tuple(d), start_h=start, end_h=end)
    mask = sum(1 << w.number for w in d)
    got = next_open_nb(mask, float(start), float(end), t)
    assert abs(got - next_open(op, t)) < 1e-9
    assert got >= t


@settings(max_examples=100)
@given(keys=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.floats(-10, 10)), max_size=300))
def test_heap_pops_in_lexicographic_order(keys: list[tuple[int, int, float]]) -> None:
    hk, hv, size = np.empty((1, 3)), np.empty(1, dtype=np.int64), 0
    for i, key in enumerate(keys):
        hk, hv, size = heap_push(hk, hv, size, np.array(key, dtype=np.float64), i)
    top = np.empty(3)
    popped = []
    while size:
        val, size = heap_pop(hk, hv, size, top)
        assert tuple(top) == keys[val]
        popped.append(val)
    assert sorted(popped) == list(range(len(keys)))
    assert [keys[v] for v in popped] == sorted(keys)


def test_heap_rejects_arrays_it_cannot_update() -> None:
    with pytest.raises(InputError, match="hv"):
        heap_push(np.empty((2, 3)), np.empty(2, dtype=np.int32), 0, np.zeros(3), 1)


@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.bool_, np.int8])
def test_addresses_of_arrays(dtype: type[np.generic]) -> None:
    """A filled array's address is its data's (writeable or not); every empty array gets the same
    aligned address, which C never reads (an absent via, an empty mask)."""
    a = np.ones(4, dtype=dtype)
    assert karavan._native.address(a) == a.ctypes.data
    a.flags.writeable = False
    assert karavan._native.address(a) == a.ctypes.data
    empty = [np.zeros(0, dtype=dtype), np.zeros((0, NC)), np.zeros(0, dtype=dtype)[::-1]]
    found = {karavan._native.address(e) for e in empty}
    assert len(found) == 1
    assert found.pop() % 8 == 0


def test_arrays_of_an_equal_dtype_are_passed_as_they_are() -> None:
    """An array whose dtype is an equal descriptor of another identity (as the graph store reads them)
    is passed itself, not as a new view, so its address is remembered; others are converted."""
    from karavan.routing.kernel import _arr

    same = np.arange(3, dtype=np.dtype(np.int64).newbyteorder("<"))
    assert _arr(same, np.int64) is same
    for other, dtype in ((np.arange(3, dtype=np.int32), np.int64), (np.arange(6.0)[::2], np.float64)):
        got = _arr(other, dtype)
        assert got is not other
        assert got.dtype == dtype
        assert got.flags.c_contiguous
        assert np.array_equal(got, other)
    assert _arr(np.float64(2.0), np.float64).shape == (1,)


def _ladder(steps: int) -> tuple[Any, ...]:
    """A chain of ``steps`` pairs of parallel rides, one taking 2**i hours, the other 2**i USD: every
    one of the 2**steps paths is Pareto-optimal (time + cost is the same for all)."""
    n = steps + 1
    indptr = np.append(np.arange(0, 2 * n, 2, dtype=np.int64), 2 * steps)  # the last vertex has no edges
    head = np.repeat(np.arange(1, n, dtype=np.int32), 2)
    wts = np.zeros((2 * steps, NC))
    wts[0::2, 0] = 2.0 ** np.arange(steps)
    wts[1::2, 1] = 2.0 ** np.arange(steps)
    none = np.full(2 * steps, -1, np.int32)
    target_ok = np.zeros(n, np.bool_)
    target_ok[-1] = True
    return (
        indptr, head, np.zeros(2 * steps, np.int8), wts, none, none, np.arange(n, dtype=np.int32), np.zeros(n),
        np.zeros(1, np.int8), np.zeros(1, np.int64), np.ones(1), np.zeros(1), np.zeros(1, np.int64), np.zeros(1),
        np.full(1, 24.0), np.ones(n, np.bool_), np.zeros((n, NC)), np.zeros(1, np.int64), np.zeros((1, NC)),
        target_ok, np.zeros((n, NC)), np.full(n, -1, np.int32), np.zeros(0, np.int64), steps,
        np.array([True, True, False, False, False]), np.ones(NC), 1.0, True, 1 << 20, 1e9, np.full(n, -1, np.int64),
        True,
    )  # fmt: skip


def test_label_search_grows_its_tables_without_dropping_labels() -> None:
    steps = 11  # 2,048 destination labels, 4,095 labels in all: beyond every initial table size
    targets, parent, edge, vert, capped, looped = label_search(*_ladder(steps), depart_h=0.0)
    assert capped == 0
    assert not looped.any()
    assert targets.shape == (2**steps, NC + 1)
    assert np.all(targets[:, 0] + targets[:, 1] == 2**steps - 1)
    assert len({(t, c) for t, c in targets[:, :2].tolist()}) == 2**steps
    # the tree holds the destination rows' paths, one after another, each from its first label
    assert parent.size == edge.size == vert.size == 2**steps * (steps + 1)
    first = 0
    for row in targets:
        lid = int(row[NC])
        assert lid == first + steps
        path = []
        while parent[lid] >= 0:
            assert parent[lid] == lid - 1
            path.append(int(edge[lid]))
            lid = int(parent[lid])
        assert lid == first
        assert edge[lid] == -1
        assert vert[lid] == 0
        # one of the two parallel rides of every step, in order
        assert [e // 2 for e in reversed(path)] == list(range(steps))
        time_h = sum(2.0**i for i, e in enumerate(reversed(path)) if e % 2 == 0)
        assert row[0] == time_h
        first += steps + 1


@pytest.mark.parametrize("tracked", [False, True])
def test_the_label_cap_turns_labels_away_and_says_so(tracked: bool) -> None:
    # without tracked nodes the search compares new labels with the settled ones only (two criteria,
    # exact): the cap then counts settled labels; with a tracked node every label stays in its bag
    args = list(_ladder(6))
    args[28] = 4  # labels kept per state
    if tracked:  # the last place (reached once, at the end) tracked
        args[30] = np.full(args[30].size, -1, np.int64)
        args[30][-1] = 0
    full = label_search(*_ladder(6), depart_h=0.0)[0]
    targets, _, _, _, capped, _ = label_search(*args, depart_h=0.0)
    assert full.shape[0] == 2**6
    assert capped > 0
    assert 0 < targets.shape[0] <= 4
    assert {(r[0], r[1]) for r in targets.tolist()} <= {(r[0], r[1]) for r in full.tolist()}


def test_searches_run_in_the_compiled_library(mini_net: Network, native_calls: list[str]) -> None:
    plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=datetime(2025, 7, 1, tzinfo=UTC), runs=0))
    assert "kr_label_search" in native_calls
    assert karavan._native.library_path().parent == Path(karavan._native.__file__).parent


def test_a_missing_library_names_how_to_build_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(karavan._native, "_loaded", [])
    monkeypatch.setattr(karavan._native, "LIBRARY", "_not_built")
    monkeypatch.setattr(karavan._native, "_functions", {})
    with pytest.raises(NativeKernelError, match=r"not built.*pip install -e \."):
        next_open_nb(1, 8.0, 18.0, 100.0)


def _copy_build(folder: Path) -> Path:
    """The built library and its sources copied into ``folder``; the copied library's path."""
    from karavan._native.sources import HEADERS, SOURCES

    built = karavan._native.library_path()
    for name in (*SOURCES, *HEADERS):
        (folder / name).write_bytes((built.parent / name).read_bytes())
    copy = folder / built.name
    copy.write_bytes(built.read_bytes())
    return copy


def test_the_library_carries_the_digest_of_its_sources(tmp_path: Path) -> None:
    copy = _copy_build(tmp_path)
    lib = karavan._native.load(copy)  # same sources beside it: accepted
    assert karavan._native._built_digest(lib) == karavan._native.source_digest(tmp_path)


def test_a_library_built_from_other_sources_is_refused(tmp_path: Path) -> None:
    copy = _copy_build(tmp_path)
    with (tmp_path / "montecarlo.c").open("a") as f:
        f.write("/* changed after the build */\n")
    with pytest.raises(NativeKernelError, match=r"built from other sources.*pip install -e \."):
        karavan._native.load(copy)


def test_an_installed_library_without_sources_is_not_compared(tmp_path: Path) -> None:
    copy = _copy_build(tmp_path)
    (tmp_path / "routing.c").unlink()
    assert karavan._native.source_digest(tmp_path) is None
    karavan._native.load(copy)


def _terminal_wait_case(depart_h: float, slack: float) -> list[tuple[float, float]]:
    """Destination (transit h, USD) rows of two routes to one place: 1 h + a 50 h terminal wait for USD 100,
    or 2 h for USD 96 (popped second: its bound is later than the first route's 1 h)."""
    none = np.full(2, -1, np.int32)
    wts = np.zeros((2, NC))
    wts[:, 0], wts[:, 1] = (1.0, 2.0), (100.0, 96.0)
    tgt_w = np.zeros((3, NC))
    tgt_w[1, 0] = 50.0
    init_w = np.zeros((1, NC))
    init_w[0, 0] = depart_h
    targets = label_search(
        np.array([0, 2, 2, 2]), np.array([1, 2], np.int32), np.zeros(2, np.int8), wts, none, none,
        np.array([0, 1, 1], np.int32), np.zeros(3), np.zeros(1, np.int8), np.zeros(1, np.int64), np.ones(1),
        np.zeros(1), np.zeros(1, np.int64), np.zeros(1), np.full(1, 24.0), np.ones(3, np.bool_), np.zeros((3, NC)),
        np.zeros(1, np.int64), init_w, np.array([False, True, True]), tgt_w, np.full(3, -1, np.int32),
        np.zeros(0, np.int64), 1, np.array([True, True, False, False, False]), np.ones(NC), 1.0 + slack, True,
        64, depart_h + 1e4, np.full(2, -1, np.int64), True, depart_h=depart_h,
    )[0]  # fmt: skip
    return sorted((float(r[0] - depart_h), float(r[1])) for r in targets)


@pytest.mark.parametrize("depart_h", [0.0, 24.0 * 20_000])
def test_slack_scales_transit_time_not_the_clock(depart_h: float) -> None:
    # the 2 h route is 25x faster and cheaper: a 5 % slack must not let the 51 h route turn it away,
    # however far the departure is from the epoch
    assert _terminal_wait_case(depart_h, 0.05) == [(2.0, 96.0)]
    assert _terminal_wait_case(depart_h, 0.0) == [(2.0, 96.0)]
