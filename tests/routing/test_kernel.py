"""The compiled time functions agree with their readable Python references."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from karavan.model import Headway, LogNormal, OpeningHours, Weekday, Weekly, WhenFull
from karavan.model.timetable import next_departure
from karavan.routing.kernel import next_departure_nb, next_open_nb
from karavan.routing.search import next_open

days = st.lists(st.sampled_from(list(Weekday)), min_size=1, max_size=7, unique=True)
times = st.floats(0, 2e5)
offsets = st.floats(0, 400)


@settings(max_examples=200, deadline=None)  # numba may compile on the first call
@given(d=days, hh=st.integers(0, 23), mm=st.integers(0, 59), t=times, off=offsets)
def test_weekly_matches(d: list[Weekday], hh: int, mm: int, t: float, off: float) -> None:
    pat = Weekly(days=tuple(d), time=f"{hh:02d}:{mm:02d}")
    mask = sum(1 << w.number for w in d)
    assert abs(next_departure_nb(0, mask, pat.time_h, 0.0, t, off) - next_departure(pat, t, off)) < 1e-6


@settings(max_examples=200, deadline=None)  # numba may compile on the first call
@given(h=st.floats(0.5, 400), hh=st.integers(0, 23), t=times, off=offsets)
def test_headway_matches(h: float, hh: int, t: float, off: float) -> None:
    pat = Headway(headway_h=h, first=f"{hh:02d}:00")
    assert abs(next_departure_nb(1, 0, h, pat.first_h, t, off) - next_departure(pat, t, off)) < 1e-6


def test_when_full_matches() -> None:
    pat = WhenFull(fill_threshold=0.8, expected_wait_h=LogNormal(median=30, p90=90))
    mean = pat.expected_wait_h.mean()
    assert next_departure_nb(2, 0, mean, 0.0, 1000.0, 5.0) == next_departure(pat, 1000.0, 5.0)


@settings(max_examples=200, deadline=None)  # numba may compile on the first call
@given(d=days, start=st.integers(0, 22), length=st.integers(1, 12), t=times)
def test_opening_matches(d: list[Weekday], start: int, length: int, t: float) -> None:
    end = min(24, start + length)
    op = OpeningHours(days=tuple(d), start_h=start, end_h=end)
    mask = sum(1 << w.number for w in d)
    got = next_open_nb(mask, float(start), float(end), t)
    assert abs(got - next_open(op, t)) < 1e-9
    assert got >= t
