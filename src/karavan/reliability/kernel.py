"""The compiled Monte Carlo kernel: every run of every route of a plan in one call, without the GIL.

The runs are drawn in C (``montecarlo.c`` of :mod:`karavan._native`, called through ctypes,
which releases the GIL); the functions here check the arrays and pass them on.

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
the call, and the same seed gives the same numbers on every platform. The runs go element by
element (every run of the first element, then of the second, ...), so routes with the same
leading elements draw the same numbers for them: the kernel simulates such a shared prefix once
when the per-element figures are not asked for. Normal draws (lognormal laws) are made by the
ziggurat method (Marsaglia and Tsang), exact and without a logarithm in 98.8 % of the draws.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from karavan import _native
from karavan._native import address as _addr
from karavan._native import out_address as _out
from karavan.errors import InputError

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


F64 = NDArray[np.float64]
U64 = NDArray[np.uint64]

_P = ctypes.c_void_p
_I = ctypes.c_int64
_D = ctypes.c_double
_C = ctypes.c_int
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "mc_seed_state": (None, [ctypes.c_uint64, _P]),
    "mc_uniform": (_D, [_P]),
    "mc_normal": (_D, [_P]),
    "mc_month_of": (_I, [_D]),
    "mc_storm_residual": (_D, [_P, _P, _P, _I, _P, _I]),
    "mc_next_opening": (_D, [_D, _P, _I]),
    "mc_next_departure": (_D, [_P, _D, _P, _I]),
    "mc_simulate_routes": (_C, [ctypes.c_uint64, _P, _P, _I, _I, _P, _P, _P, _I, _P, _P, _I, _P, _I, _P, _P, _P]),
}


def c_function(name: str) -> Callable[..., Any]:
    """The C function ``name`` of the kernels' library with its argument types."""
    return _native.function(name, *_SIGNATURES[name])


def _in(a: ArrayLike) -> F64:
    return np.ascontiguousarray(a, dtype=np.float64)


def _spec(spec: ArrayLike) -> F64:
    s = _in(spec).reshape(-1, WIDTH)
    return s


def seed_state(seed: int) -> U64:
    """xoshiro256** state from a seed, through splitmix64."""
    s = np.empty(4, dtype=np.uint64)
    c_function("mc_seed_state")(int(seed) & 0xFFFFFFFFFFFFFFFF, _addr(s))
    return s


def uniform(s: U64) -> float:
    """A double in [0, 1) from xoshiro256** (advances ``s``)."""
    return float(c_function("mc_uniform")(_out(s, np.uint64, "s")))


def normal(s: U64) -> float:
    """A standard normal draw (ziggurat method; advances ``s``, by one draw in 98.8 % of cases)."""
    return float(c_function("mc_normal")(_out(s, np.uint64, "s")))


def month_of(t_h: float) -> int:
    """Calendar month 0..11 (UTC) of a time in hours since the epoch (civil-from-days)."""
    return int(c_function("mc_month_of")(float(t_h)))


def storm_residual(s: U64, storm: ArrayLike, storm_pool: ArrayLike, storm_cum: ArrayLike) -> float:
    """Remaining closure when arriving during a storm: ``U × L*`` with ``L*`` length-biased."""
    st, pool, cum = _in(storm), _in(storm_pool), _in(storm_cum)
    return float(
        c_function("mc_storm_residual")(
            _out(s, np.uint64, "s"), _addr(st), _addr(pool), pool.size, _addr(cum), cum.size
        )
    )


def next_opening(t_h: float, spec: ArrayLike, e: int) -> float:
    """When a hub operation with weekly opening hours next serves a unit ready at ``t_h`` (inf: never)."""
    sp = _spec(spec)
    return float(c_function("mc_next_opening")(float(t_h), _addr(sp), int(e)))


def next_departure(s: U64, t_h: float, spec: ArrayLike, e: int) -> float:
    """The timetabled departure for a unit ready at ``t_h`` (a drawn phase for unpublished headways)."""
    sp = _spec(spec)
    return float(c_function("mc_next_departure")(_out(s, np.uint64, "s"), float(t_h), _addr(sp), int(e)))


def simulate_routes(
    seed: int, t0_h: ArrayLike, bounds: ArrayLike, spec: ArrayLike, pool: ArrayLike, shares: ArrayLike,
    storm: ArrayLike, storm_pool: ArrayLike, storm_cum: ArrayLike, total: F64, contrib: F64 | None = None,
    parts: F64 | None = None,
) -> None:  # fmt: skip
    """Run every route ``r`` (elements ``spec[bounds[r]:bounds[r + 1]]``) ``total.shape[1]`` times.

    Fills ``total[r]`` (door-to-door hours) and, when given (both or neither), ``contrib[e]``
    (hours element ``e`` adds) and ``parts[r]`` (hours by kind of time, zeroed here). Without
    them the kernel writes nothing per element and simulates leading elements that routes share
    once; ``total`` is the same either way.

    Raises
    ------
    karavan.errors.InputError
        Arrays of the wrong shape or type.
    MemoryError
        The kernel could not allocate its scratch space.
    """
    t0, bd, sp, pl = _in(t0_h), np.ascontiguousarray(bounds, dtype=np.int64), _spec(spec), _in(pool)
    sh, st, spool, scum = _in(shares), _in(storm), _in(storm_pool), _in(storm_cum)
    n_routes, runs = total.shape
    if bd.size != n_routes + 1 or t0.size != n_routes:
        raise InputError("bounds", bd.size, f"{n_routes + 1} route bounds and {n_routes} start times")
    if n_routes and (bd[0] != 0 or np.any(np.diff(bd) < 0) or bd[-1] > sp.shape[0]):
        raise InputError("bounds", bd.tolist(), f"non-decreasing route bounds from 0 to at most {sp.shape[0]}")
    c_out = p_out = None
    if contrib is not None or parts is not None:
        if contrib is None or contrib.shape != (sp.shape[0], runs):
            shape = None if contrib is None else contrib.shape
            raise InputError("contrib", shape, f"one row of {runs} runs per element ({sp.shape[0]})")
        if parts is None or parts.shape != (n_routes, N_PARTS, runs):
            raise InputError("parts", None if parts is None else parts.shape, f"{(n_routes, N_PARTS, runs)}")
        c_out, p_out = _out(contrib, np.float64, "contrib"), _out(parts, np.float64, "parts")
    months = sh.shape[1] if sh.ndim == 2 else 12
    rc = c_function("mc_simulate_routes")(
        int(seed) & 0xFFFFFFFFFFFFFFFF, _addr(t0), _addr(bd), n_routes, runs, _addr(sp),
        _addr(pl), _addr(sh), months, _addr(st), _addr(spool), spool.size, _addr(scum),
        scum.size, _out(total, np.float64, "total"), c_out, p_out,
    )  # fmt: skip
    if rc != 0:
        raise MemoryError("the Monte Carlo kernel ran out of memory")


COMPILED = (seed_state, uniform, normal, month_of, storm_residual, next_opening, next_departure, simulate_routes)
"""The functions that run in the compiled library."""
