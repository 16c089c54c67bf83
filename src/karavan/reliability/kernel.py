"""The compiled Monte Carlo kernel: every run of every route of a plan in one call, without the GIL.

A route is a sequence of *elements* (hub operations and legs), each one row of a float table
(:data:`WIDTH` columns named by the ``C_*`` constants below, filled by
:mod:`karavan.reliability.montecarlo`). Duration distributions take four columns
``(kind, a, b, c)``:

====  ============  =========================================================
kind  law           parameters
====  ============  =========================================================
0     fixed         ``a`` hours
1     uniform       ``a`` .. ``b``
2     triangular    low ``a``, mode ``b``, high ``c``
3     lognormal     ``mu = a``, ``sigma = b`` of the underlying normal
4     empirical     ``b`` samples from ``pool[a:a + b]``, drawn with replacement
====  ============  =========================================================

Random numbers come from xoshiro256** seeded through splitmix64 from the query's seed; each
route starts from the same state (common random numbers: two routes differ by their
elements, not by their luck), so a route's result does not depend on the other routes of
the call, and the same seed gives the same numbers on every platform.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

WEEK_H = 168.0
MONDAY_H = 96.0
"""First Monday 00:00 after the epoch (1970-01-01 was a Thursday), hours."""
EPOCH_WEEKDAY = 3

# element kinds
HUB = 0.0
LEG = 1.0
# departure kinds of a leg
DEP_WHEN_FULL = 0.0
DEP_HEADWAY = 1.0
DEP_HEADWAY_UNKNOWN_PHASE = 2.0
DEP_WEEKLY = 3.0
# distribution kinds
D_FIXED = 0.0
D_UNIFORM = 1.0
D_TRIANGULAR = 2.0
D_LOGNORMAL = 3.0
D_EMPIRICAL = 4.0
# storm kinds (residual closure when arriving during a storm)
STORM_FIXED = 0.0
STORM_LOGNORMAL = 3.0
STORM_POOL = 4.0

# columns shared by both element kinds
C_KIND = 0
C_DIST = 1  # dwell (hub) or running time (leg), 4 columns
# hub columns
C_OPEN_ALWAYS = 5
C_OPEN_MASK = 6  # bit w: open on weekday w (Monday = 0)
C_OPEN_START_H = 7
C_OPEN_END_H = 8
C_HUB_PART = 9  # PARTS index the dwell counts toward
# leg columns
C_STAY = 5  # 1: stays aboard (no departure wait)
C_DEP = 6  # departure kind
C_HEADWAY_H = 7
C_ANCHOR_H = 8  # first departure of a phased headway, hours since the epoch
C_OFFSET_H = 9  # time from the service's origin to the boarding stop
C_WEEK_MASK = 10  # bit d: departs on weekday d (Monday = 0)
C_TIME_H = 11  # clock time of weekly departures
C_SLIP = 12  # departure slippage, 4 columns
C_FILL = 16  # sails-when-full wait, 4 columns
C_BOARD_PORT = 20  # row of the weather table, -1: none
C_ALIGHT_PORT = 21
C_RUN_SCALE = 22  # running time = scale × draw of the running distribution
C_PLANNED_H = 23
WIDTH = 24

# parts (the order of montecarlo.PARTS)
P_TIMETABLE, P_SLIPPAGE, P_FERRY, P_WEATHER, P_RUNNING, P_RUNNING_DELAY, P_BORDER, P_HUB, P_OPENING = range(9)
N_PARTS = 9


@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True)
def seed_state(seed):
    """xoshiro256** state from a seed, through splitmix64."""
    s = np.empty(4, dtype=np.uint64)
    z = np.uint64(seed)
    for i in range(4):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        x = z
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        s[i] = x ^ (x >> np.uint64(31))
    return s


@njit(cache=True, inline="always")
def uniform(s):
    """A double in [0, 1) from xoshiro256** (advances ``s``)."""
    result = _rotl(s[1] * np.uint64(5), 7) * np.uint64(9)
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return float(result >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def normal(s):
    """A standard normal draw (Box-Muller)."""
    u1 = 1.0 - uniform(s)  # (0, 1]
    u2 = uniform(s)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True, inline="always")
def draw(s, spec, e, col, pool):
    """One draw of the distribution in ``spec[e, col:col + 4]``."""
    kind, a, b, c = spec[e, col], spec[e, col + 1], spec[e, col + 2], spec[e, col + 3]
    if kind == D_FIXED:
        return a
    if kind == D_UNIFORM:
        return a + (b - a) * uniform(s)
    if kind == D_TRIANGULAR:
        if c == a:
            return a
        u = uniform(s)
        if u < (b - a) / (c - a):
            return a + math.sqrt(u * (c - a) * (b - a))
        return c - math.sqrt((1.0 - u) * (c - a) * (c - b))
    if kind == D_LOGNORMAL:
        return math.exp(a + b * normal(s))
    n = int(b)
    k = min(int(uniform(s) * n), n - 1)
    return pool[int(a) + k]


@njit(cache=True, inline="always")
def month_of(t_h):
    """Calendar month 0..11 (UTC) of a time in hours since the epoch (civil-from-days)."""
    z = math.floor(math.floor(t_h) / 24.0) + 719468.0
    era = math.floor(z / 146097.0)
    doe = z - era * 146097.0
    yoe = math.floor((doe - math.floor(doe / 1460.0) + math.floor(doe / 36524.0) - math.floor(doe / 146096.0)) / 365.0)
    doy = doe - (365.0 * yoe + math.floor(yoe / 4.0) - math.floor(yoe / 100.0))
    mp = math.floor((5.0 * doy + 2.0) / 153.0)
    month = mp + 3.0 if mp < 10.0 else mp - 9.0  # 1..12
    return int(month) - 1


@njit(cache=True, inline="always")
def storm_residual(s, storm, storm_pool, storm_cum):
    """Remaining closure when arriving during a storm: ``U × L*`` with ``L*`` length-biased."""
    u = uniform(s)
    if storm[0] == STORM_FIXED:
        return u * storm[1]
    if storm[0] == STORM_LOGNORMAL:
        mu, sigma = storm[1], storm[2]
        return u * math.exp(mu + sigma * sigma + sigma * normal(s))
    k = np.searchsorted(storm_cum, uniform(s) * storm_cum[-1], side="right")
    return u * storm_pool[min(k, storm_pool.size - 1)]


@njit(cache=True, inline="always")
def weather(s, port, t_h, shares, storm, storm_pool, storm_cum):
    """Extra hours until a port reopens at ``t_h`` (0 when open or not a listed port)."""
    if port < 0:
        return 0.0
    closed = uniform(s) < shares[port, month_of(t_h)]
    return storm_residual(s, storm, storm_pool, storm_cum) if closed else 0.0


@njit(cache=True, inline="always")
def next_opening(t_h, spec, e):
    """When a hub operation with weekly opening hours next serves a unit ready at ``t_h`` (inf: never)."""
    if spec[e, C_OPEN_ALWAYS] != 0.0:
        return t_h
    mask = int(spec[e, C_OPEN_MASK])
    day0 = math.floor(t_h / 24.0)
    for d in range(8):
        day = day0 + d
        weekday = int((day + EPOCH_WEEKDAY) % 7)
        if mask & (1 << weekday) and t_h < day * 24.0 + spec[e, C_OPEN_END_H]:
            return max(t_h, day * 24.0 + spec[e, C_OPEN_START_H])
    return math.inf


@njit(cache=True, inline="always")
def next_departure(s, t_h, spec, e):
    """The timetabled departure for a unit ready at ``t_h`` (a drawn phase for unpublished headways)."""
    kind = spec[e, C_DEP]
    headway = spec[e, C_HEADWAY_H]
    if kind == DEP_HEADWAY_UNKNOWN_PHASE:
        return t_h + uniform(s) * headway
    offset = spec[e, C_OFFSET_H]
    origin_t = t_h - offset
    if kind == DEP_HEADWAY:
        anchor = spec[e, C_ANCHOR_H]
        k = math.ceil((origin_t - anchor) / headway - 1e-9)
        return anchor + k * headway + offset
    week_start = MONDAY_H + math.floor((origin_t - MONDAY_H) / WEEK_H) * WEEK_H
    mask = int(spec[e, C_WEEK_MASK])
    best = math.inf
    for d in range(7):
        if mask & (1 << d):
            cand = week_start + d * 24.0 + spec[e, C_TIME_H]
            if cand < origin_t - 1e-9:
                cand += WEEK_H
            best = min(best, cand)
    return best + offset


@njit(cache=True, inline="always")
def _hub(s, t, spec, e, pool, parts, i):
    opened = next_opening(t, spec, e)
    parts[P_OPENING, i] += opened - t
    dwell = draw(s, spec, e, C_DIST, pool)
    parts[int(spec[e, C_HUB_PART]), i] += dwell
    return opened + dwell


@njit(cache=True, inline="always")
def _leg(s, t, spec, e, pool, parts, i, shares, storm, storm_pool, storm_cum):
    board, alight = int(spec[e, C_BOARD_PORT]), int(spec[e, C_ALIGHT_PORT])
    if spec[e, C_STAY] == 0.0:
        if spec[e, C_DEP] == DEP_WHEN_FULL:
            w = weather(s, board, t, shares, storm, storm_pool, storm_cum)
            parts[P_WEATHER, i] += w
            fill = draw(s, spec, e, C_FILL, pool)
            parts[P_FERRY, i] += fill
            t = t + fill + w
        else:
            dep = next_departure(s, t, spec, e)
            parts[P_TIMETABLE, i] += dep - t
            slip = draw(s, spec, e, C_SLIP, pool)
            parts[P_SLIPPAGE, i] += slip
            dep += slip
            w = weather(s, board, dep, shares, storm, storm_pool, storm_cum)
            parts[P_WEATHER, i] += w
            t = dep + w
    planned = spec[e, C_PLANNED_H]
    running = spec[e, C_RUN_SCALE] * draw(s, spec, e, C_DIST, pool)
    on_plan = min(running, planned)
    parts[P_RUNNING, i] += on_plan
    parts[P_RUNNING_DELAY, i] += running - on_plan
    t += running
    w = weather(s, alight, t, shares, storm, storm_pool, storm_cum)
    parts[P_WEATHER, i] += w
    return t + w


@njit(cache=True, nogil=True)
def simulate_routes(seed, t0_h, bounds, spec, pool, shares, storm, storm_pool, storm_cum, total, contrib, parts):
    """Run every route ``r`` (elements ``spec[bounds[r]:bounds[r + 1]]``) ``total.shape[1]`` times.

    Fills ``total[r]`` (door-to-door hours), ``contrib[e]`` (hours element ``e`` adds) and
    ``parts[r]`` (hours by kind of time, zeroed here).
    """
    runs = total.shape[1]
    for r in range(total.shape[0]):
        s = seed_state(seed)
        p = parts[r]
        p[:, :] = 0.0
        for i in range(runs):
            t = t0_h[r]
            for e in range(bounds[r], bounds[r + 1]):
                start = t
                if spec[e, C_KIND] == HUB:
                    t = _hub(s, t, spec, e, pool, p, i)
                else:
                    t = _leg(s, t, spec, e, pool, p, i, shares, storm, storm_pool, storm_cum)
                contrib[e, i] = t - start
            total[r, i] = t - t0_h[r]
