"""Discrete-event model (SimPy) of the Caspian crossing.

Ports with berths by type (rail ferry, Ro-Ro, container), shuttle lines between them, a
fleet of rail ferries, Ro-Pax/Ro-Ro and container feeders with capacities in slots, units
(wagons, trucks, TEU) arriving at a yearly demand with monthly seasonality, loading rules
(sail when full with a threshold and a maximum wait, or a headway timetable), and storms
closing ports with monthly closed shares. All parameters live in the versioned
``parameters.yaml`` of :mod:`karavan.reliability` with their sources.

Model
-----
- Arrivals are a non-homogeneous Poisson process of batches per (line, direction, unit
  type), piecewise constant by calendar month; they are drawn up front with numpy and
  queue FIFO at the port of departure.
- A vessel shuttles on its line: waits for its port to be open, takes a berth of its type,
  unloads (half the handling time), then, one vessel at a time per queue group, loads units
  in arrival order until the fill threshold of its slots is reached or the maximum wait
  has passed (``when_full``), or until its next timetable slot (``timetable``); it loads
  (the other half of the handling), leaves the berth, waits for the port to be open and
  sails; at the other end it waits at anchor while that port is closed.
- A port's storms alternate with open spells: the open spell is exponential with mean
  ``D (1 - p) / p`` for the month's closed share ``p`` and mean storm length ``D``, so the
  long-run closed share of each month is ``p``.
- A unit's wait runs from its arrival at the port to its vessel's departure; the queue
  length of a port and unit type counts units arrived and not yet sailed (sampled hourly).
"""

from __future__ import annotations

import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from karavan import limits
from karavan.errors import InputError
from karavan.model.timetable import to_hours
from karavan.reliability.params import DesParams, ReliabilityParameters, load_reliability_parameters

F64 = NDArray[np.float64]
YEAR_H = 8760.0
_CAL0 = to_hours(datetime(2025, 1, 1, tzinfo=UTC))
"""Calendar origin of simulated time (a non-leap year); warm-up runs before it."""
MIN_MONTH_SAMPLES = 30
REPOSITION_CHECK_H = 6.0
"""How often a loading vessel looks at the queue at the other end of its line."""


def _month_of(sim_h: float | F64, warmup_h: float) -> Any:
    from karavan.model.timetable import month_index

    arr = np.atleast_1d(np.asarray(sim_h, dtype=np.float64)) + _CAL0 - warmup_h
    return month_index(arr)


# ----------------------------------------------------------------- fleet


@dataclass(frozen=True)
class FleetGroup:
    """``count`` vessels of a class on a line, each with ``capacity`` slots."""

    line: str
    vessel_class: str
    count: int
    capacity: float

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        return {"line": self.line, "class": self.vessel_class, "count": self.count, "capacity_slots": self.capacity}


def _largest_remainder(weights: list[float], total: int) -> list[int]:
    s = sum(weights)
    if s <= 0:
        return [0] * len(weights)
    raw = [w * total / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def fleet_groups(des: DesParams, ships: int | Mapping[str, int] | None = None) -> list[FleetGroup]:
    """The deployed fleet, optionally rescaled.

    Parameters
    ----------
    des : DesParams
        The DES parameters.
    ships : int or mapping, optional
        ``None``: the fleet as in the parameters. An int: that many vessels in total, shared out
        in proportion to the parameters' fleet. A mapping ``{class: count}``: per vessel class,
        shared out over the lines in proportion (classes not named keep their count).

    Raises
    ------
    karavan.errors.InputError
        Naming ``ships`` for a negative count or an unknown class.
    """
    base = [
        FleetGroup(f.line, f.vessel_class, f.count, f.capacity or des.vessel_classes[f.vessel_class].capacity)
        for f in des.fleet
    ]
    if ships is None:
        return base
    if isinstance(ships, int) and not isinstance(ships, bool):
        limits.SHIPS.check(ships, "ships")
        counts = _largest_remainder([float(g.count) for g in base], ships)
        return [FleetGroup(g.line, g.vessel_class, c, g.capacity) for g, c in zip(base, counts, strict=True)]
    if not isinstance(ships, Mapping):
        raise InputError("ships", ships, "a number of vessels or a mapping {class: count}")
    out = list(base)
    for cls, n in ships.items():
        if cls not in des.vessel_classes:
            raise InputError("ships", cls, "a vessel class of " + ", ".join(des.vessel_classes))
        limits.SHIPS_PER_CLASS.check(n, f"ships.{cls}")
        idx = [i for i, g in enumerate(out) if g.vessel_class == cls]
        if not idx:
            raise InputError("ships", cls, "a vessel class deployed in the parameters' fleet")
        counts = _largest_remainder([float(base[i].count) or 1.0 for i in idx], n)
        for i, c in zip(idx, counts, strict=True):
            g = out[i]
            out[i] = FleetGroup(g.line, g.vessel_class, c, g.capacity)
    if sum(g.count for g in out) < 1:
        raise InputError("ships", ships, "at least one vessel in total")
    return out


def parse_ships(text: str | None) -> int | dict[str, int] | None:
    """Parse ``"20"`` or ``"feeder=8,rail_ferry=4"`` (the CLI's ``--ships``).

    Raises
    ------
    karavan.errors.InputError
        Naming ``--ships``.
    """
    if text is None:
        return None
    text = text.strip()
    if not text:
        raise InputError("--ships", text, "a vessel count such as 20, or class=count pairs like feeder=8,ropax=3")
    try:
        if "=" not in text:
            return int(limits.SHIPS.check(int(text), "--ships"))
        out: dict[str, int] = {}
        for part in text.split(","):
            k, v = part.split("=", 1)
            out[k.strip()] = int(limits.SHIPS_PER_CLASS.check(int(v), "--ships"))
        return out
    except InputError:
        raise
    except ValueError:
        raise InputError(
            "--ships", text, "a vessel count such as 20, or class=count pairs like feeder=8,ropax=3"
        ) from None


@dataclass(frozen=True)
class StreamDemand:
    """Yearly units of one type sailing one line in one direction (e.g. from an assignment's flows).

    ``gates`` name loading-rate limits on the way to the ship (a port terminal's yearly capacity, a
    stated line capacity below the fleet's), each consuming ``gate_use`` capacity units per unit.
    """

    line: str
    origin: str
    destination: str
    unit: str
    per_year: float
    t_per_unit: float
    batch: int = 1
    gates: tuple[tuple[str, float], ...] = ()


def _gate(arr: list[F64], use: list[float], rate_per_h: float) -> list[F64]:
    """Release times of units through a FIFO rate limit: ``r_i = C_i + cummax(a_j - C_j)``.

    ``C_i`` is the capacity time used by the units before ``i`` (``use / rate``), so a unit leaves the
    gate at its arrival or when the gate has worked off the units ahead of it, whichever is later.
    """
    sizes = [a.size for a in arr]
    allv = np.concatenate(arr) if arr else np.zeros(0)
    svc = np.concatenate([np.full(n, u / rate_per_h) for n, u in zip(sizes, use, strict=True)]) if arr else allv
    order = np.argsort(allv, kind="stable")
    a, s_ = allv[order], svc[order]
    c = np.concatenate(([0.0], np.cumsum(s_)[:-1])) if a.size else a
    rel = c + np.maximum.accumulate(a - c) if a.size else a
    out = np.empty_like(rel)
    out[order] = rel
    parts, k = [], 0
    for n in sizes:
        parts.append(np.sort(out[k : k + n]))
        k += n
    return parts


# ----------------------------------------------------------------- result


@dataclass(frozen=True)
class Stream:
    """Units of one type on one line and direction: arrival and wait times (NaN = not sailed)."""

    line: str
    origin: str
    destination: str
    unit: str
    t_per_unit: float
    arrive_h: F64 = field(repr=False)
    wait_h: F64 = field(repr=False)
    month: NDArray[np.int64] = field(repr=False)


@dataclass(frozen=True)
class CaspianResult:
    """Outcome of a DES run.

    Attributes
    ----------
    streams : tuple of Stream
        Per line, direction and unit type: arrival and wait times after the warm-up.
    queues : list of dict
        Mean and max queue length per port and unit type.
    vessels : list of dict
        Sailings and mean load factor per line and vessel class.
    """

    demand_mt: float
    years: float
    seed: int
    rule: str
    fleet: tuple[FleetGroup, ...]
    streams: tuple[Stream, ...]
    queues: tuple[dict[str, Any], ...]
    vessels: tuple[dict[str, Any], ...]
    horizon_h: float
    events: int
    wall_s: float
    parameters_version: str
    gates: tuple[dict[str, Any], ...] = ()
    berths: tuple[dict[str, Any], ...] = ()
    port_nodes: dict[str, str | None] = field(default_factory=dict)
    """Network node id of each DES port (``from_node``/``to_node``/``node`` in the output)."""

    def wait_samples(self, origin: str, destination: str, unit: str, *, month: int | None = None) -> F64 | None:
        """Waits (h) of units sailed from port ``origin`` to ``destination``; ``None`` if none.

        With ``month`` (0..11) only units that arrived in that month, unless fewer than 30 did.
        """
        for s in self.streams:
            if s.origin == origin and s.destination == destination and s.unit == unit:
                ok = ~np.isnan(s.wait_h)
                if month is not None:
                    m = ok & (s.month == month)
                    if int(m.sum()) >= MIN_MONTH_SAMPLES:
                        ok = m
                w = s.wait_h[ok]
                return w if w.size else None
        return None

    def route_stats(self) -> list[dict[str, Any]]:
        """Per line, direction and unit type: arrivals, sailed units, wait mean/P50/P90 (h)."""
        out = []
        for s in self.streams:
            w = s.wait_h[~np.isnan(s.wait_h)]
            p50, p90 = (float(x) for x in np.quantile(w, (0.5, 0.9))) if w.size else (float("nan"),) * 2
            out.append(
                {
                    "line": s.line,
                    "from": s.origin,
                    "to": s.destination,
                    "from_node": self.port_nodes.get(s.origin),
                    "to_node": self.port_nodes.get(s.destination),
                    "unit": s.unit,
                    "arrivals": int(s.arrive_h.size),
                    "sailed": int(w.size),
                    "wait_mean_h": float(w.mean()) if w.size else None,
                    "wait_p50_h": p50 if w.size else None,
                    "wait_p90_h": p90 if w.size else None,
                }
            )
        return out

    def throughput_mt(self) -> float:
        """Tonnes sailed per year, in Mt."""
        t = sum(float(np.count_nonzero(~np.isnan(s.wait_h))) * s.t_per_unit for s in self.streams)
        return t / 1e6 / self.years

    def to_dict(self) -> dict[str, Any]:
        """JSON view: queues, waits per route, vessel utilisation, yearly throughput."""
        return {
            "demand_mt": self.demand_mt,
            "years": self.years,
            "seed": self.seed,
            "rule": self.rule,
            "parameters_version": self.parameters_version,
            "fleet": [g.to_dict() for g in self.fleet],
            "throughput_mt_per_year": self.throughput_mt(),
            "routes": self.route_stats(),
            "queues": list(self.queues),
            "vessels": list(self.vessels),
            "gates": list(self.gates),
            "berths": list(self.berths),
            "events": self.events,
            "wall_s": self.wall_s,
        }


# ----------------------------------------------------------------- the model


def _arrivals(
    rng: np.random.Generator, annual: float, batch: int, season: F64, horizon_h: float, warmup_h: float
) -> F64:
    """Batch Poisson arrivals with a monthly piecewise-constant rate; each batch repeated ``batch`` times.

    Drawn by a time change of unit-rate exponential gaps through the cumulative intensity, so the
    same seed at a higher demand compresses the same arrival pattern (common random numbers).
    """
    bounds = _month_bounds(horizon_h, warmup_h)
    edges = np.array([bounds[0][0], *(b for _, b, _ in bounds)])
    rates = np.array([annual * season[m] / YEAR_H / batch for _, _, m in bounds])
    cum = np.concatenate(([0.0], np.cumsum(rates * np.diff(edges))))
    if cum[-1] <= 0:
        return np.zeros(0)
    n_guess = int(cum[-1] + 6 * np.sqrt(cum[-1]) + 16)
    marks = np.cumsum(rng.exponential(1.0, n_guess))
    while marks[-1] < cum[-1]:
        marks = np.concatenate((marks, marks[-1] + np.cumsum(rng.exponential(1.0, n_guess))))
    marks = marks[marks < cum[-1]]
    t = np.interp(marks, cum, edges)
    return np.repeat(t, batch)


def _month_bounds(horizon_h: float, warmup_h: float) -> list[tuple[float, float, int]]:
    """Simulated-time spans of calendar months over ``[0, horizon_h]``."""
    start = np.datetime64(int(_CAL0 - warmup_h), "h").astype("datetime64[M]")
    out: list[tuple[float, float, int]] = []
    m = start
    while True:
        a = float(m.astype("datetime64[h]").astype(np.int64)) - _CAL0 + warmup_h
        nxt = m + np.timedelta64(1, "M")
        b = float(nxt.astype("datetime64[h]").astype(np.int64)) - _CAL0 + warmup_h
        lo, hi = max(a, 0.0), min(b, horizon_h)
        if hi > lo:
            out.append((lo, hi, int(m.astype(np.int64) % 12)))
        if b >= horizon_h:
            return out
        m = nxt


class _Queue:
    """FIFO of units of one stream, as a pointer into pre-drawn sorted arrival times."""

    __slots__ = ("arr", "arr0", "head", "key", "sailed", "wait")

    def __init__(self, key: tuple[str, str, str, str], arr: F64, arr0: F64 | None = None) -> None:
        self.key = key
        self.arr = arr
        self.arr0 = arr if arr0 is None else arr0
        """Arrival at the port (``arr`` is when a unit may board: after any loading-rate gate)."""
        self.wait = np.full(arr.size, np.nan)
        self.head = 0  # next unit not yet loaded
        self.sailed = 0

    def available(self, now: float) -> int:
        return int(np.searchsorted(self.arr, now, side="right")) - self.head

    def next_arrival(self) -> float:
        return float(self.arr[self.head]) if self.head < self.arr.size else float("inf")


def simulate_caspian(
    *,
    demand_mt: float = 4.5,
    years: float = 1.0,
    seed: int = 0,
    ships: int | Mapping[str, int] | None = None,
    rule: str | None = None,
    fill_threshold: float | None = None,
    max_wait_h: float | None = None,
    parameters: ReliabilityParameters | None = None,
    warmup_days: float = 14.0,
    monitor_h: float = 1.0,
    streams: Sequence[StreamDemand] | None = None,
    gates: Mapping[str, float] | None = None,
) -> CaspianResult:
    """Simulate the Caspian crossing for ``years`` at ``demand_mt`` Mt/yr.

    Parameters
    ----------
    demand_mt : float
        Yearly demand across the crossing in Mt (the reference mix is scaled to it).
    years : float
        Simulated time after the warm-up, in years.
    seed : int
        Seed of ``numpy.random.default_rng`` (arrivals, handling, sailing, storms).
    ships : int or mapping, optional
        Fleet size (see :func:`fleet_groups`).
    rule : {"when_full", "timetable"}, optional
        Loading rule; default from the parameters.
    fill_threshold, max_wait_h : float, optional
        Override the when-full threshold and maximum wait.
    parameters : ReliabilityParameters, optional
        Default the packaged parameters.
    warmup_days : float
        Simulated time discarded before statistics start (the system starts empty).
    monitor_h : float
        Sampling interval of queue lengths.
    streams : sequence of StreamDemand, optional
        Demand per line, direction and unit (e.g. from an assignment, :func:`des_from_network`);
        replaces the parameters' fixed demand mix and ``demand_mt``.
    gates : mapping, optional
        Capacity units per hour of the loading-rate gates the streams name.

    Returns
    -------
    CaspianResult

    Raises
    ------
    karavan.errors.InputError
        Naming the field of a bad argument.
    """
    import simpy

    if streams is not None:
        demand_mt = sum(st.per_year * st.t_per_unit for st in streams) / 1e6 or 1e-9
    limits.DEMAND_MT.check(demand_mt, "demand_mt")
    limits.YEARS.check(years, "years")
    limits.SEED.check(seed, "seed")
    rp = parameters or load_reliability_parameters()
    des = rp.des
    loading = des.loading
    rule = rule or loading.rule
    if rule not in ("when_full", "timetable"):
        raise InputError("rule", rule, "when_full or timetable")
    threshold = loading.fill_threshold if fill_threshold is None else fill_threshold
    limits.FILL_THRESHOLD.check(threshold, "fill_threshold")
    max_wait = loading.max_wait_h if max_wait_h is None else max_wait_h
    limits.MAX_WAIT_H.check(max_wait, "max_wait_h")
    fleet = fleet_groups(des, ships)
    reposition = loading.reposition and rule == "when_full"
    at_anchor = loading.wait_at_anchor

    seq = np.random.SeedSequence(seed)
    rng_arr, rng_storm, rng = (np.random.default_rng(s) for s in seq.spawn(3))
    warmup_h = warmup_days * 24.0
    horizon_h = warmup_h + years * YEAR_H
    season = np.asarray(des.demand.seasonality, dtype=np.float64)
    season = season / season.mean()
    scale = demand_mt / des.demand.reference_mt

    # queues per (origin, destination, unit)
    queues: dict[tuple[str, str, str], _Queue] = {}
    gate_stats: tuple[dict[str, Any], ...] = ()
    if streams is not None:
        queues, gate_stats = _stream_queues(streams, gates or {}, rng_arr, season, horizon_h, warmup_h, years)
    else:
        for unit, du in des.demand.units.items():
            for line_id, share in du.lines.items():
                a, b = des.line(line_id).ports
                for origin, dest, dshare in ((a, b, du.westbound), (b, a, 1.0 - du.westbound)):
                    annual = du.per_year * scale * share * dshare
                    arr = _arrivals(rng_arr, annual, du.batch, season, horizon_h, warmup_h)
                    queues[(origin, dest, unit)] = _Queue((line_id, origin, dest, unit), arr)

    env = _CountingEnv(simpy)
    # storms
    storm = rp.weather.storm_h.value
    storm_mean = storm.mean()
    weather = {p.id: p for p in rp.weather.ports}
    open_evt: dict[str, Any] = {}
    closed: dict[str, bool] = {}
    for port in des.ports:
        closed[port.id] = False
        open_evt[port.id] = env.event()
        if port.id in weather:
            env.process(
                _storms(
                    env,
                    port.id,
                    np.asarray(weather[port.id].closed_share),
                    storm,
                    storm_mean,
                    rng_storm,
                    closed,
                    open_evt,
                    warmup_h,
                )
            )
    berths = {(p.id, kind): simpy.Resource(env, capacity=n) for p in des.ports for kind, n in p.berths.items() if n > 0}
    port_handling = {(p.id, kind): d for p in des.ports for kind, d in p.handling_h.items()}
    berth_busy: dict[tuple[str, str], float] = dict.fromkeys(berths, 0.0)
    berth_wait: dict[tuple[str, str], list[float]] = {k: [] for k in berths}
    locks: dict[tuple[str, str, str], Any] = {}
    sail_log: dict[tuple[str, str], list[float]] = {}

    def wait_open(port: str) -> Generator[Any, Any, None]:
        while closed[port]:
            yield open_evt[port]

    def vessel(group: FleetGroup, k: int) -> Generator[Any, Any, None]:
        vc = des.vessel_classes[group.vessel_class]
        line = des.line(group.line)
        cap = group.capacity
        here, there = line.ports if k % 2 == 0 else (line.ports[1], line.ports[0])
        log = sail_log.setdefault((group.line, group.vessel_class), [])
        v_rule = vc.rule or rule
        v_threshold = vc.fill_threshold or threshold
        headway = vc.headway_h or loading.headway_h
        phase = float(vc.phase_h) + _CAL0 % headway if vc.phase_h is not None else float(rng.uniform(0, headway))
        v_reposition = reposition and v_rule == "when_full"

        def deadline_from(start: float) -> float:
            if v_rule == "when_full":
                return start + max_wait
            return float(phase + headway * np.ceil((start - phase) / headway + 1e-9))

        def back_full(here: str, there: str) -> bool:
            back = sum(
                queues[(there, here, u)].available(env.now) * sl
                for u, sl in vc.slots.items()
                if (there, here, u) in queues
            )
            return bool(back >= v_threshold * cap)

        def load_loop(
            qs: list[tuple[_Queue, float]],
            loaded: list[tuple[_Queue, int, int]],
            here: str,
            there: str,
            deadline: float | None,
        ) -> Generator[Any, Any, float]:
            used = 0.0
            if deadline is None:
                deadline = deadline_from(env.now)
            while True:
                used = _load(qs, env.now, cap, used, loaded)
                full = used >= cap - 1e-9
                if (v_rule == "when_full" and used >= v_threshold * cap - 1e-9) or env.now >= deadline:
                    return used
                if full:
                    yield env.timeout(deadline - env.now)
                    return used
                if v_reposition and back_full(here, there):
                    return used
                nxt = min((q.next_arrival() for q, _ in qs), default=float("inf"))
                yield env.timeout(max(0.0, min(nxt, deadline, env.now + REPOSITION_CHECK_H) - env.now))

        yield env.timeout(float(rng.uniform(0, 48.0)))
        while True:
            yield from wait_open(here)
            berth = berths.get((here, vc.berth))
            if berth is None:
                raise InputError("fleet", f"{group.vessel_class} on {group.line}", f"a {vc.berth} berth at {here}")
            handling = float(port_handling.get((here, vc.berth), vc.handling_h).sample(rng, 1)[0])
            qs = [(queues[(here, there, u)], sl) for u, sl in vc.slots.items() if (here, there, u) in queues]
            lock_key = (here, there, group.vessel_class)
            lock = locks.get(lock_key)
            if lock is None:
                lock = locks[lock_key] = simpy.Resource(env, capacity=1)
            loaded: list[tuple[_Queue, int, int]] = []
            used = 0.0

            asked = env.now
            anchor = False
            with berth.request() as req:
                yield req
                got = env.now
                if got >= warmup_h:
                    berth_wait[(here, vc.berth)].append(got - asked)
                yield env.timeout(handling / 2)
                deadline = deadline_from(env.now)
                anchor = at_anchor and not any(q.available(env.now) > 0 for q, _ in qs)
                if not anchor:
                    with lock.request() as lr:
                        yield lr
                        used = yield from load_loop(qs, loaded, here, there, None)
                    yield env.timeout(handling / 2)
                berth_busy[(here, vc.berth)] += env.now - max(got, warmup_h) if env.now > warmup_h else 0.0
            if anchor:
                # nothing to load: free the berth and wait at anchor for cargo, a load at the other end, or the deadline
                while not any(q.available(env.now) > 0 for q, _ in qs) and env.now < deadline:
                    if v_reposition and back_full(here, there):
                        break
                    nxt = min((q.next_arrival() for q, _ in qs), default=float("inf"))
                    yield env.timeout(max(1e-6, min(nxt, deadline, env.now + REPOSITION_CHECK_H) - env.now))
                if any(q.available(env.now) > 0 for q, _ in qs):
                    asked = env.now
                    with berth.request() as req:
                        yield req
                        got = env.now
                        with lock.request() as lr:
                            yield lr
                            used = yield from load_loop(qs, loaded, here, there, max(deadline, env.now))
                        yield env.timeout(handling / 2)
                        berth_busy[(here, vc.berth)] += env.now - max(got, warmup_h) if env.now > warmup_h else 0.0
            yield from wait_open(here)
            now = env.now
            for q, i0, i1 in loaded:
                q.wait[i0:i1] = now - q.arr0[i0:i1]
                q.sailed += i1 - i0
            if now >= warmup_h:
                log.append(used / cap)
            yield env.timeout(float(line.sailing_h.sample(rng, 1)[0]))
            here, there = there, here
            yield from wait_open(here)

    for g in fleet:
        for k in range(g.count):
            env.process(vessel(g, k))

    # queue monitor per (port, unit)
    by_port: dict[tuple[str, str], list[_Queue]] = {}
    for (origin, _, unit), q in queues.items():
        by_port.setdefault((origin, unit), []).append(q)
    samples: dict[tuple[str, str], list[int]] = {k: [] for k in by_port}

    def monitor() -> Generator[Any, Any, None]:
        yield env.timeout(warmup_h)
        while True:
            now = env.now
            for key, qs in by_port.items():
                samples[key].append(sum(int(np.searchsorted(q.arr0, now, side="right")) - q.sailed for q in qs))
            yield env.timeout(monitor_h)

    env.process(monitor())
    t_start = time.perf_counter()
    env.run(until=horizon_h)
    wall = time.perf_counter() - t_start

    t_unit = {(st.origin, st.destination, st.unit): st.t_per_unit for st in streams or ()}
    out_streams = []
    for (origin, dest, unit), q in queues.items():
        keep = q.arr0 >= warmup_h
        arr = q.arr0[keep]
        out_streams.append(
            Stream(
                line=q.key[0],
                origin=origin,
                destination=dest,
                unit=unit,
                t_per_unit=t_unit.get((origin, dest, unit)) or des.demand.units[unit].t_per_unit,
                arrive_h=arr,
                wait_h=q.wait[keep],
                month=_month_of(arr, warmup_h) if arr.size else np.zeros(0, dtype=np.int64),
            )
        )
    port_nodes = {p.id: p.node for p in des.ports}
    queue_stats = tuple(
        {
            "port": port,
            "node": port_nodes.get(port),
            "unit": unit,
            "mean": float(np.mean(v)) if v else 0.0,
            "max": int(np.max(v)) if v else 0,
        }
        for (port, unit), v in samples.items()
    )
    vessel_stats = []
    for g in fleet:
        if g.count == 0:
            continue
        log = sail_log.get((g.line, g.vessel_class), [])
        vessel_stats.append(
            {
                "line": g.line,
                "class": g.vessel_class,
                "count": g.count,
                "sailings": len(log),
                "load_factor": float(np.mean(log)) if log else 0.0,
            }
        )
    span = max(horizon_h - warmup_h, 1e-9)
    berth_stats = tuple(
        {
            "port": port,
            "node": port_nodes.get(port),
            "berth": kind,
            "berths": int(res_.capacity),
            "utilisation": berth_busy[(port, kind)] / (res_.capacity * span),
            "calls": len(berth_wait[(port, kind)]),
            "wait_mean_h": float(np.mean(berth_wait[(port, kind)])) if berth_wait[(port, kind)] else 0.0,
        }
        for (port, kind), res_ in berths.items()
    )
    return CaspianResult(
        port_nodes=port_nodes,
        gates=gate_stats,
        berths=berth_stats,
        demand_mt=float(demand_mt),
        years=float(years),
        seed=seed,
        rule=rule,
        fleet=tuple(fleet),
        streams=tuple(out_streams),
        queues=queue_stats,
        vessels=tuple(vessel_stats),
        horizon_h=horizon_h,
        events=env.events,
        wall_s=wall,
        parameters_version=rp.version,
    )


def _stream_queues(
    streams: Sequence[StreamDemand],
    gates: Mapping[str, float],
    rng: np.random.Generator,
    season: F64,
    horizon_h: float,
    warmup_h: float,
    years: float,
) -> tuple[dict[tuple[str, str, str], _Queue], tuple[dict[str, Any], ...]]:
    """Arrival queues of explicit streams, passed through their loading-rate gates (FIFO, shared)."""
    arr0 = [_arrivals(rng, st.per_year, st.batch, season, horizon_h, warmup_h) for st in streams]
    rel = [a.copy() for a in arr0]
    stats: list[dict[str, Any]] = []
    for gid in sorted({g for st in streams for g, _ in st.gates}):
        rate = gates.get(gid)
        if rate is None or not rate > 0:
            raise InputError("gates", gid, "a positive capacity per hour for every gate a stream names")
        idx = [i for i, st in enumerate(streams) if any(g == gid for g, _ in st.gates)]
        use = [next(u for g, u in streams[i].gates if g == gid) for i in idx]
        out = _gate([rel[i] for i in idx], use, rate)
        passed = sum(
            float(np.count_nonzero((o >= warmup_h) & (o < horizon_h))) * u for o, u in zip(out, use, strict=True)
        )
        offered = sum(
            float(np.count_nonzero((a >= warmup_h) & (a < horizon_h))) * u
            for a, u in zip([arr0[i] for i in idx], use, strict=True)
        )
        delay = np.concatenate([o - r for o, r in zip(out, [rel[i] for i in idx], strict=True)])
        for i, o in zip(idx, out, strict=True):
            rel[i] = o
        stats.append(
            {
                "gate": gid,
                "capacity_per_h": rate,
                "utilisation": passed / (rate * years * YEAR_H),
                "offered_load": offered / (rate * years * YEAR_H),
                "delay_mean_h": float(delay.mean()) if delay.size else 0.0,
            }
        )
    queues: dict[tuple[str, str, str], _Queue] = {}
    for st, a0, r in zip(streams, arr0, rel, strict=True):
        key = (st.origin, st.destination, st.unit)
        if key in queues:
            raise InputError("streams", key, "one stream per origin, destination and unit")
        queues[key] = _Queue((st.line, st.origin, st.destination, st.unit), r, a0)
    return queues, tuple(stats)


def _load(
    qs: list[tuple[_Queue, float]], now: float, cap: float, used: float, loaded: list[tuple[_Queue, int, int]]
) -> float:
    """Load available units in arrival order until the slots are used; record index ranges."""
    if len(qs) == 1:
        q, slot = qs[0]
        n = min(q.available(now), int((cap - used + 1e-9) // slot))
        if n > 0:
            loaded.append((q, q.head, q.head + n))
            q.head += n
            used += n * slot
        return used
    while True:
        cands = [(q, sl) for q, sl in qs if q.available(now) > 0 and used + sl <= cap + 1e-9]
        if not cands:
            return used
        q, slot = min(cands, key=lambda x: float(x[0].arr[x[0].head]))
        if loaded and loaded[-1][0] is q and loaded[-1][2] == q.head:
            loaded[-1] = (q, loaded[-1][1], q.head + 1)
        else:
            loaded.append((q, q.head, q.head + 1))
        q.head += 1
        used += slot


def _storms(
    env: Any,
    port: str,
    share: F64,
    storm: Any,
    storm_mean: float,
    rng: np.random.Generator,
    closed: dict[str, bool],
    open_evt: dict[str, Any],
    warmup_h: float,
) -> Generator[Any, Any, None]:
    """Alternate open spells (exponential, month-dependent mean) and storms for one port."""
    while True:
        m = int(_month_of(env.now, warmup_h)[0])
        p = float(share[m])
        bounds = _month_bounds(env.now + 24 * 32, warmup_h)
        month_end = next((b for a, b, _ in bounds if a <= env.now < b), env.now + 24.0)
        if p <= 0:
            yield env.timeout(max(month_end - env.now, 1e-6))
            continue
        spell = float(rng.exponential(storm_mean * (1 - p) / p))
        if env.now + spell > month_end:  # memoryless: redraw with next month's rate
            yield env.timeout(max(month_end - env.now, 1e-6))
            continue
        yield env.timeout(spell)
        closed[port] = True
        yield env.timeout(float(storm.sample(rng, 1)[0]))
        closed[port] = False
        evt = open_evt[port]
        open_evt[port] = env.event()
        evt.succeed()


class _CountingEnv:
    """A SimPy environment that counts processed events (for the benchmark)."""

    def __new__(cls, simpy: Any) -> Any:
        class Env(simpy.Environment):  # type: ignore[misc]
            events = 0

            def step(self) -> None:
                self.events += 1
                super().step()

        return Env()
