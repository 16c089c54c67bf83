"""Plans as rows of the compiled kernel's element table (:mod:`karavan.reliability.kernel`).

A row holds what the kernel needs to sample one hub operation or leg: its distributions
(dwell, running time, slippage, sails-when-full wait), its timetable (headway, weekly days,
offset from the service's origin), the weather rows of the ports it leaves and reaches.
Rows depend only on the network, the reliability parameters and the plan element, so they
are built once per element and kept with the network (:func:`tables`); the draws are made
fresh for every call.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from karavan.accounting import HubPlan, LegPlan
from karavan.errors import InputError
from karavan.model.distributions import Distribution, Empirical, Fixed, LogNormal, Triangular, Uniform
from karavan.model.entities import Departures, Headway, OpeningHours, Service, Weekly, WhenFull
from karavan.model.enums import HubOpKind, Mode
from karavan.model.network import Network
from karavan.model.timetable import MONDAY_H, service_runs
from karavan.reliability import kernel as k
from karavan.reliability.params import PortWeather, ReliabilityParameters

F64 = NDArray[np.float64]
STORM_GRID = 512
"""Quantiles standing for a storm-length law that is neither fixed nor lognormal."""
SEEN_KEPT = 50_000
"""Plan elements whose rows are found by identity (:attr:`Tables.seen`) before that memo starts afresh."""


@dataclass(frozen=True)
class LegPorts:
    """The weather records of a sea leg's boarding and alighting ports (for DES waits)."""

    board: PortWeather | None
    alight: PortWeather | None


@dataclass
class Tables:
    """Element rows, the sample pool and the weather table of one network and parameter set.

    The tables are shared by every thread that simulates on the network (the service plans in several threads):
    the sample pool and the port rows only grow, and they grow under :attr:`lock`, so a row's slice of the pool
    holds its own samples only. A snapshot taken with :meth:`pool_array` after a row was built contains it.
    """

    net: Network
    parameters: ReliabilityParameters
    rows: dict[LegPlan | HubPlan, tuple[Any, F64]] = field(default_factory=dict)
    seen: dict[int, tuple[LegPlan | HubPlan, Any, F64]] = field(default_factory=dict)
    """The rows of plan elements already met, by the element's ``id`` (beside the element, which keeps
    the ``id`` its own): routes share their elements, so most rows are found without hashing one."""
    ports: dict[LegPlan, LegPorts] = field(default_factory=dict)
    pool: list[float] = field(default_factory=list)
    port_rows: dict[tuple[str, tuple[float, ...]], int] = field(default_factory=dict)
    _pool_array: tuple[int, F64] | None = None
    _shares: F64 | None = None
    storm: F64 = field(default_factory=lambda: np.zeros(3))
    storm_pool: F64 = field(default_factory=lambda: np.zeros(1))
    storm_cum: F64 = field(default_factory=lambda: np.ones(1))
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    """Held while the pool or the port rows grow, and while the pool's array is made."""

    def pool_array(self) -> F64:
        """The empirical samples of every row so far, as one array (at least one entry)."""
        made = self._pool_array
        if made is not None and made[0] == len(self.pool):
            return made[1]
        with self.lock:
            snap = np.array(self.pool if self.pool else [0.0], dtype=np.float64)
            snap.flags.writeable = False  # shared between calls and threads
            self._pool_array = (len(self.pool), snap)
        return snap

    def shares(self) -> F64:
        """Monthly closed shares, one row per port met so far (at least one row)."""
        if self._shares is None or self._shares.shape[0] != max(len(self.port_rows), 1):
            table = np.zeros((max(len(self.port_rows), 1), 12))
            for (_, share), i in self.port_rows.items():
                table[i] = share
            self._shares = table
        return self._shares

    def dist(self, row: F64, col: int, dist: Distribution) -> None:
        """Write ``dist`` into ``row[col:col + 4]`` (empirical samples go to the pool)."""
        row[col : col + 4] = self.dist_cols(dist)

    def dist_cols(self, dist: Distribution) -> tuple[float, float, float, float]:
        """The four kernel columns of a distribution."""
        if isinstance(dist, Fixed):
            return (k.D_FIXED, dist.value, 0.0, 0.0)
        if isinstance(dist, Uniform):
            return (k.D_UNIFORM, dist.low, dist.high, 0.0)
        if isinstance(dist, Triangular):
            return (k.D_TRIANGULAR, dist.low, dist.mode, dist.high)
        if isinstance(dist, LogNormal):
            return (k.D_LOGNORMAL, dist.mu, dist.sigma, 0.0)
        if isinstance(dist, Empirical):
            return self.samples_cols(dist.samples)
        raise InputError("distribution", type(dist).__name__, "fixed, uniform, triangular, lognormal or empirical")

    def samples_cols(self, samples: Any) -> tuple[float, float, float, float]:
        """Columns drawing with replacement from ``samples`` (appended to the pool)."""
        values = [float(x) for x in samples]
        with self.lock:
            offset = len(self.pool)
            self.pool.extend(values)
        return (k.D_EMPIRICAL, float(offset), float(len(values)), 0.0)

    def port_row(self, port: PortWeather | None) -> int:
        """Row of ``port`` in the weather table (-1 for none)."""
        if port is None:
            return -1
        key = (port.id, tuple(port.closed_share))
        hit = self.port_rows.get(key)
        if hit is not None:
            return hit
        with self.lock:
            return self.port_rows.setdefault(key, len(self.port_rows))


def _storm(tables: Tables) -> None:
    """Storm-length columns; a law other than fixed or lognormal is taken at :data:`STORM_GRID` quantiles."""
    dist = tables.parameters.weather.storm_h.value
    if isinstance(dist, Fixed):
        tables.storm = np.array([k.STORM_FIXED, dist.value, 0.0])
        return
    if isinstance(dist, LogNormal):
        tables.storm = np.array([k.STORM_LOGNORMAL, dist.mu, dist.sigma])
        return
    if isinstance(dist, Empirical):
        pool = np.asarray(dist.samples, dtype=np.float64)
    else:
        pool = np.array([dist.quantile((i + 0.5) / STORM_GRID) for i in range(STORM_GRID)])
    weights = pool if pool.sum() > 0 else np.ones(pool.size)
    tables.storm = np.array([k.STORM_POOL, 0.0, 0.0])
    tables.storm_pool = pool
    tables.storm_cum = np.cumsum(weights)


def tables(net: Network, parameters: ReliabilityParameters) -> Tables:
    """The element tables of ``net`` under ``parameters`` (kept with the network, a few parameter sets)."""
    cache: dict[int, Tables] = net.__dict__.setdefault("_mc_tables", {})
    hit = cache.get(id(parameters))
    if hit is not None and hit.parameters is parameters:
        return hit
    if len(cache) >= 4:
        cache.clear()
    made = Tables(net, parameters)
    _storm(made)
    cache[id(parameters)] = made
    return made


def element_row(tables: Tables, element: LegPlan | HubPlan) -> F64:
    """The kernel row of one plan element (built once per element)."""
    net = tables.net
    source: Any = (
        net.hub_operations[element.op_id] if isinstance(element, HubPlan) else net.services[element.service_id]
    )
    seen = tables.seen.get(id(element))
    if seen is not None and seen[0] is element and seen[1] is source:
        return seen[2]
    hit = tables.rows.get(element)
    if hit is not None and hit[0] is source:
        row = hit[1]
    else:
        row = _hub_row(tables, element) if isinstance(element, HubPlan) else _leg_row(tables, element, source)
        row.flags.writeable = False
        tables.rows[element] = (source, row)
    if len(tables.seen) >= SEEN_KEPT:
        tables.seen.clear()
    tables.seen[id(element)] = (element, source, row)
    return row


def _hub_row(tables: Tables, element: HubPlan) -> F64:
    op = tables.net.hub_operations[element.op_id]
    row = np.zeros(k.WIDTH)
    row[k.C_KIND] = k.HUB
    tables.dist(row, k.C_DIST, op.dwell_h)
    opening_columns(row, op.opening)
    row[k.C_HUB_PART] = k.P_BORDER if op.kind is HubOpKind.BORDER_CROSSING else k.P_HUB
    return row


def opening_columns(row: F64, opening: OpeningHours) -> None:
    """Write weekly opening hours into a hub row."""
    row[k.C_OPEN_ALWAYS] = 1.0 if opening.always else 0.0
    if not opening.always:
        row[k.C_OPEN_MASK] = sum(1 << d.number for d in set(opening.days))
        row[k.C_OPEN_START_H] = opening.start_h
        row[k.C_OPEN_END_H] = opening.end_h


def _leg_row(tables: Tables, element: LegPlan, svc: Service) -> F64:
    net, rp = tables.net, tables.parameters
    run = next(r for r in service_runs(net, svc) if r.reverse == element.reverse)
    i, j = run.stops.index(element.board), run.stops.index(element.alight)
    sea = svc.mode is Mode.SEA
    ports = LegPorts(
        rp.port_weather(net.nodes[element.board]) if sea else None,
        rp.port_weather(net.nodes[element.alight]) if sea else None,
    )
    tables.ports[element] = ports
    row = np.zeros(k.WIDTH)
    row[k.C_KIND] = k.LEG
    row[k.C_STAY] = 1.0 if element.stay_aboard else 0.0
    row[k.C_BOARD_PORT] = tables.port_row(ports.board)
    row[k.C_ALIGHT_PORT] = tables.port_row(ports.alight)
    row[k.C_OFFSET_H] = run.cum_h[i]
    departure_columns(tables, row, svc.departures)
    slip = rp.montecarlo.slippage_h.get(svc.kind.value)
    if slip is None or svc.delays_included:  # no slippage: the columns of a fixed zero, without making one
        row[k.C_SLIP : k.C_SLIP + 4] = (k.D_FIXED, 0.0, 0.0, 0.0)
    else:
        tables.dist(row, k.C_SLIP, slip.value)
    planned = run.cum_h[j] - run.cum_h[i]
    row[k.C_PLANNED_H] = planned
    rt = svc.running_time_h
    fac = rp.montecarlo.running_factor.get(svc.kind.value)
    if rt is not None and not isinstance(rt, Fixed):  # the service's own spread, its share for this stretch
        tables.dist(row, k.C_DIST, rt)
        row[k.C_RUN_SCALE] = planned / run.cum_h[-1] if run.cum_h[-1] > 0 else 0.0
    elif fac is None or svc.delays_included:  # achieved times: a factor would count delays twice
        row[k.C_DIST : k.C_DIST + 4] = (k.D_FIXED, planned, 0.0, 0.0)
        row[k.C_RUN_SCALE] = 1.0
    else:
        tables.dist(row, k.C_DIST, fac.value)
        row[k.C_RUN_SCALE] = planned
    return row


def departure_columns(tables: Tables, row: F64, pattern: Departures) -> None:
    """Write a departure pattern (and a sails-when-full wait) into a leg row."""
    if isinstance(pattern, WhenFull):
        row[k.C_DEP] = k.DEP_WHEN_FULL
        tables.dist(row, k.C_FILL, pattern.expected_wait_h)
    elif isinstance(pattern, Headway):
        row[k.C_DEP] = k.DEP_HEADWAY if pattern.phase_known else k.DEP_HEADWAY_UNKNOWN_PHASE
        row[k.C_HEADWAY_H] = pattern.headway_h
        row[k.C_ANCHOR_H] = MONDAY_H + pattern.first_h
    else:
        assert isinstance(pattern, Weekly)
        row[k.C_DEP] = k.DEP_WEEKLY
        row[k.C_WEEK_MASK] = sum(1 << d.number for d in set(pattern.days))
        row[k.C_TIME_H] = pattern.time_h
