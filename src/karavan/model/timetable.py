"""Departure patterns and running times of services in absolute time.

Time inside karavan is a float of hours since 1970-01-01T00:00 UTC (a Thursday);
:func:`to_hours` and :func:`from_hours` convert from and to aware datetimes.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from karavan.model.entities import Departures, Headway, Link, Service, Weekly, WhenFull
from karavan.model.enums import Unit
from karavan.model.network import Network

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_WEEKDAY = 3
"""1970-01-01 was a Thursday (``datetime.weekday()`` == 3)."""
WEEK_H = 168.0
MONDAY_H = (7 - EPOCH_WEEKDAY) % 7 * 24.0
"""First Monday 00:00 after the epoch (1970-01-05), hours since the epoch (the C kernels' ``KVMONDAY_H``)."""


def to_hours(when: datetime) -> float:
    """Hours since the epoch; naive datetimes are taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - EPOCH).total_seconds() / 3600.0


def from_hours(hours: float) -> datetime:
    """Aware UTC datetime for ``hours`` since the epoch."""
    return EPOCH + timedelta(hours=hours)


@functools.lru_cache(maxsize=16_384)
def iso_hours(hours: float) -> str:
    """``from_hours(hours).isoformat()``, remembered for the most recent 16,384 times.

    Answers print every element's start and end; building and formatting the datetime costs a
    few microseconds each, and most times recur (timetabled departures, a leg's arrival is the
    next hub's start), so planned routes are written out mostly from this cache.
    """
    return from_hours(hours).isoformat()


def next_departure(pattern: Departures, t_h: float, offset_h: float = 0.0) -> float:
    """Earliest departure at or after ``t_h`` from a stop reached ``offset_h`` after the origin departs.

    For ``when_full`` services the expected wait for loading is added instead
    (the distribution of that wait is sampled by the reliability models); a headway
    whose clock times are not published (``phase: unknown``) adds the mean wait of a
    unit arriving at a random time, half the headway.
    """
    kind, a, b, slots = _compiled(pattern)
    if kind == _ADD:
        return t_h + a
    origin_t = t_h - offset_h
    if kind == _HEADWAY:
        k = math.ceil((origin_t - a) / b - 1e-9)
        return a + k * b + offset_h
    return _next_weekly(slots, a, origin_t) + offset_h


_ADD, _HEADWAY, _WEEKLY = 0, 1, 2
_Compiled = tuple[int, float, float, tuple[float, ...]]
_PATTERNS: dict[int, tuple[Departures, _Compiled]] = {}
"""Patterns in the form :func:`next_departure` reads, by ``id`` (the pattern is kept: the id stays its own)."""
_PATTERNS_KEPT = 4096


def _compiled(pattern: Departures) -> _Compiled:
    """``(kind, a, b, day_h)`` of a pattern: add ``a``; headway ``b`` from anchor ``a``; weekly at ``a`` on ``day_h``.

    Patterns are immutable, so the form is computed once per pattern object (the dict is
    safe to share between threads: a race computes the same form twice).
    """
    hit = _PATTERNS.get(id(pattern))
    if hit is not None and hit[0] is pattern:
        return hit[1]
    form: _Compiled
    if isinstance(pattern, WhenFull):
        form = (_ADD, pattern.expected_wait_h.mean(), 0.0, ())
    elif isinstance(pattern, Headway) and not pattern.phase_known:
        form = (_ADD, pattern.headway_h / 2.0, 0.0, ())
    elif isinstance(pattern, Headway):
        form = (_HEADWAY, MONDAY_H + pattern.first_h, pattern.headway_h, ())
    else:
        form = (_WEEKLY, pattern.time_h, 0.0, tuple(sorted({d.number * 24.0 for d in pattern.days})))
    if len(_PATTERNS) >= _PATTERNS_KEPT:
        _PATTERNS.clear()
    _PATTERNS[id(pattern)] = (pattern, form)
    return form


def _next_weekly(day_h: tuple[float, ...], time_h: float, origin_t: float) -> float:
    """The first departure at or after ``origin_t`` on the days starting ``day_h`` into the week, at ``time_h``."""
    week_start = MONDAY_H + math.floor((origin_t - MONDAY_H) / WEEK_H) * WEEK_H
    best = math.inf
    for day in day_h:
        cand = week_start + day + time_h
        if cand < origin_t - 1e-9:
            cand += WEEK_H
        best = min(best, cand)
    return best


def departures_per_week(pattern: Departures) -> float | None:
    """Scheduled departures per week, or ``None`` for sail-when-full services."""
    if isinstance(pattern, Weekly):
        return float(len(set(pattern.days)))
    if isinstance(pattern, Headway):
        return WEEK_H / pattern.headway_h
    return None


@dataclass(frozen=True, slots=True)
class Run:
    """A service in one direction with cumulative distance and running-time offsets per stop."""

    service: Service
    reverse: bool
    stops: tuple[str, ...]
    links: tuple[Link, ...]
    cum_km: tuple[float, ...]
    cum_h: tuple[float, ...]
    carrier: Unit | None = None
    """The wagon or trailer a container rides on aboard a roll-on ship (``None``: as itself)."""

    @property
    def key(self) -> str:
        """``service_id`` or ``service_id~r`` for the reverse direction."""
        return self.service.id + ("~r" if self.reverse else "")


def service_runs(net: Network, service: Service) -> list[Run]:
    """The directed runs of ``service`` (one, or two unless ``oneway``).

    Offsets come from ``running_time_h`` (mean, shared out in proportion to length)
    or from ``length / speed_kmh``. Results are memoised per network and service.
    """
    cache: dict[str, tuple[Run, ...]] = net.__dict__.setdefault("_runs_cache", {})
    hit = cache.get(service.id)
    if hit is not None and hit[0].service is service:
        return list(hit)
    runs: list[Run] = []
    for reverse in (False, True) if not service.oneway else (False,):
        stops = tuple(reversed(service.stops)) if reverse else tuple(service.stops)
        links: list[Link] = []
        for a, b in itertools.pairwise(stops):
            link = net.link_for(a, b, service.mode, service.gauge_mm)
            if link is None:
                raise ValueError(f"service {service.id}: no {service.mode.value} link {a} -> {b}")
            links.append(link)
        cum_km = [0.0]
        for link in links:
            cum_km.append(cum_km[-1] + link.length_km)
        total_km = cum_km[-1]
        if service.running_time_h is not None:
            total_h = service.running_time_h.mean()
            cum_h = [total_h * (km / total_km if total_km else 0.0) for km in cum_km]
        else:
            assert service.speed_kmh is not None
            cum_h = [km / service.speed_kmh for km in cum_km]
        runs.append(Run(service, reverse, stops, tuple(links), tuple(cum_km), tuple(cum_h)))
    cache[service.id] = tuple(runs)
    return runs


def month_of(t_h: float) -> int:
    """Calendar month 0..11 (UTC) of one time in hours since the epoch (as :func:`month_index`)."""
    return (EPOCH + timedelta(hours=math.floor(t_h))).month - 1


def month_index(t: NDArray[np.float64]) -> NDArray[np.int64]:
    """Calendar month 0..11 (UTC) of times in hours since the epoch."""
    hours = np.floor(t).astype(np.int64).astype("datetime64[h]")
    return np.asarray(hours.astype("datetime64[M]").astype(np.int64) % 12, dtype=np.int64)
