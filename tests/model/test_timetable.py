"""Departure patterns: weekly days, headways, multi-day waits, sail-when-full."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from karavan.model import Headway, LogNormal, Network, Weekly, WhenFull, timetable
from karavan.model.timetable import (
    from_hours,
    iso_hours,
    month_index,
    month_of,
    next_departure,
    service_runs,
    to_hours,
)


def _at(*args: int) -> float:
    return to_hours(datetime(*args, tzinfo=UTC))  # type: ignore[misc]


def test_round_trip() -> None:
    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert from_hours(to_hours(when)) == when


@given(st.floats(min_value=0, max_value=2_000_000, allow_nan=False))
def test_iso_hours_is_the_datetime_text(hours: float) -> None:
    text = iso_hours(hours)
    assert text == from_hours(hours).isoformat()
    assert iso_hours(hours) is text  # remembered
    assert abs(to_hours(datetime.fromisoformat(text)) - hours) < 1e-9 * 3600


def test_twice_weekly_ferry_waits_days() -> None:
    # Tuesday 2026-12-01 09:00; departures Mon and Thu 12:00 -> Thursday 12:00 (51 h later)
    pattern = Weekly(days=("Mon", "Thu"), time="12:00")  # type: ignore[arg-type]
    t = _at(2026, 12, 1, 9)
    assert from_hours(next_departure(pattern, t)) == datetime(2026, 12, 3, 12, tzinfo=UTC)
    # Friday -> next Monday, across the week boundary
    assert from_hours(next_departure(pattern, _at(2026, 12, 4, 0))) == datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_departure_exactly_now_is_taken() -> None:
    pattern = Weekly(days=("Tue",), time="09:00")  # type: ignore[arg-type]
    t = _at(2026, 12, 1, 9)
    assert next_departure(pattern, t) == pytest.approx(t)


def test_headway_daily() -> None:
    pattern = Headway(headway_h=24, first="06:00")
    assert from_hours(next_departure(pattern, _at(2026, 12, 1, 9))) == datetime(2026, 12, 2, 6, tzinfo=UTC)


def test_offset_shifts_to_downstream_stop() -> None:
    pattern = Weekly(days=("Mon",), time="12:00")  # type: ignore[arg-type]
    # Stop reached 30 h after origin departure: Monday's train passes Tuesday 18:00.
    t = _at(2026, 12, 1, 9)
    assert from_hours(next_departure(pattern, t, 30)) == datetime(2026, 12, 1, 18, tzinfo=UTC)


def test_when_full_adds_expected_wait() -> None:
    pattern = WhenFull(fill_threshold=0.9, expected_wait_h=LogNormal(median=48, p90=120))
    t = _at(2026, 12, 1, 9)
    assert next_departure(pattern, t) == pytest.approx(t + pattern.expected_wait_h.mean())


@given(t=st.floats(0, 1e6), offset=st.floats(0, 500))
def test_fifo_and_never_before(t: float, offset: float) -> None:
    pattern = Weekly(days=("Wed", "Sat"), time="18:30")  # type: ignore[arg-type]
    d1 = next_departure(pattern, t, offset)
    d2 = next_departure(pattern, t + 1.0, offset)
    assert d1 >= t - 1e-6
    assert d1 - t <= 168 + 1e-6
    assert d2 >= d1 - 1e-6  # FIFO: arriving later never departs earlier


def test_runs_both_directions(mini_net: Network) -> None:
    runs = service_runs(mini_net, mini_net.services["kz-train"])
    assert [r.key for r in runs] == ["kz-train", "kz-train~r"]
    assert runs[0].cum_km[-1] == 2500
    assert runs[0].cum_h[-1] == pytest.approx(50)
    assert runs[1].stops == ("KZAAU", "kz-border")


def _reference_departure(pattern: Weekly | Headway, t: float, offset: float) -> float:
    """The departure arithmetic read straight from the pattern's fields."""
    origin_t = t - offset
    monday = 96.0
    if isinstance(pattern, Headway):
        if not pattern.phase_known:
            return t + pattern.headway_h / 2.0
        anchor = monday + pattern.first_h
        return anchor + math.ceil((origin_t - anchor) / pattern.headway_h - 1e-9) * pattern.headway_h + offset
    week_start = monday + math.floor((origin_t - monday) / 168.0) * 168.0
    cands = [week_start + d.number * 24.0 + pattern.time_h for d in pattern.days]
    return min(c + 168.0 if c < origin_t - 1e-9 else c for c in cands) + offset


_DAYS = st.lists(st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]), min_size=1, max_size=9)
_CLOCK = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
_PATTERNS = st.one_of(
    st.builds(lambda d, c: Weekly(days=tuple(d), time=c), _DAYS, _CLOCK),  # type: ignore[arg-type]
    st.builds(
        lambda h, c, p: Headway(headway_h=h, first=c, phase=p),
        st.floats(0.5, 24 * 28),
        _CLOCK,
        st.sampled_from(["timetable", "unknown"]),
    ),
)


@given(pattern=_PATTERNS, t=st.floats(0, 1e6), offset=st.floats(0, 500))
def test_departure_equals_the_pattern_arithmetic(pattern: Weekly | Headway, t: float, offset: float) -> None:
    # the form next_departure keeps per pattern gives the very numbers of the pattern's fields
    assert next_departure(pattern, t, offset) == _reference_departure(pattern, t, offset)


def test_departure_form_belongs_to_its_pattern_object() -> None:
    monday = Weekly(days=("Mon",), time="12:00")  # type: ignore[arg-type]
    friday = Weekly(days=("Fri",), time="06:00")  # type: ignore[arg-type]
    t = _at(2026, 12, 1, 9)
    next_departure(monday, t)
    # a stale form under another object's id (an id reused after a pattern was freed) is not read
    timetable._PATTERNS[id(friday)] = timetable._PATTERNS[id(monday)]
    assert from_hours(next_departure(friday, t)) == datetime(2026, 12, 4, 6, tzinfo=UTC)
    assert from_hours(next_departure(monday, t)) == datetime(2026, 12, 7, 12, tzinfo=UTC)


@given(t=st.floats(-1e5, 1e7))
def test_month_of_one_time_equals_month_index(t: float) -> None:
    assert month_of(t) == int(month_index(np.array([t]))[0])
