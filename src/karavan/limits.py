"""Bounds on every number a user may pass: one table shared by the library, the API and the CLI.

The library's query and option objects check their fields against these bounds, the REST API's
pydantic models advertise them in the OpenAPI schema (:meth:`Bound.field`) and the CLI checks
its options against them before any work starts, naming the option (:meth:`Bound.check` with
``field="--runs"``). A bound changes here and nowhere else, so the three can never drift.

Bounds are about bounded work and sane input, not about physics: each upper limit keeps one
request or command within minutes on one core (a Monte Carlo of a million runs, a fifty-year
DES, a sweep of ten thousand tasks), and each lower limit rules out values that mean nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypedDict

from karavan.errors import InputError


class FieldLimits(TypedDict, total=False):
    """The limit keywords of :func:`pydantic.Field`."""

    ge: float
    gt: float
    le: float
    lt: float


@dataclass(frozen=True, slots=True)
class Bound:
    """A closed or half-open interval a number must lie in.

    Parameters
    ----------
    lo, hi : float
        Lowest and highest value.
    expected : str
        What a valid value looks like, in words (the end of an error message).
    integer : bool
        Whether only whole numbers (``int``) are accepted.
    lo_open, hi_open : bool
        Whether ``lo`` (``hi``) itself is excluded.
    """

    lo: float
    hi: float
    expected: str
    integer: bool = False
    lo_open: bool = False
    hi_open: bool = False

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is a number of the right kind within the bound (never NaN or infinity)."""
        if isinstance(value, bool):
            return False
        if not isinstance(value, int if self.integer else int | float):
            return False
        if not math.isfinite(value):
            return False
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below

    def check(self, value: Any, field: str) -> Any:
        """Return ``value`` if it lies within the bound.

        Raises
        ------
        InputError
            Naming ``field`` (a library field or a CLI option such as ``--runs``) and the value.
        """
        if not self.contains(value):
            raise InputError(field, value, self.expected)
        return value

    def field(self) -> FieldLimits:
        """Keyword arguments of :func:`pydantic.Field` for this bound (``ge``/``gt``, ``le``/``lt``).

        Integer bounds give integer limits, so the OpenAPI schema reads ``maximum: 50``.
        """
        lo: float = int(self.lo) if self.integer else self.lo
        hi: float = int(self.hi) if self.integer else self.hi
        out = FieldLimits(gt=lo) if self.lo_open else FieldLimits(ge=lo)
        out.update(FieldLimits(lt=hi) if self.hi_open else FieldLimits(le=hi))
        return out


MIN_YEAR, MAX_YEAR = 2000, 2100
"""Dates (departures, deadlines) lie in these years."""
DATE_EXPECTED = f"a date between the years {MIN_YEAR} and {MAX_YEAR}"

PLACE_CHARS = 120
"""Longest place name or id."""
MAX_VIA = 8
"""Most via places of one route."""
MAX_AVOID = 50
"""Most avoided places, and most avoided countries."""

COUNT = Bound(0, 100_000, "a positive number of units up to 100,000 (tonnes for bulk)", lo_open=True)
WEIGHT_T = Bound(0, 10_000, "a positive gross weight per unit up to 10,000 t", lo_open=True)
VALUE_USD = Bound(0, 1e12, "a cargo value from 0 to 1e12 USD")
MAX_ROUTES = Bound(1, 50, "an integer from 1 to 50", integer=True)
SLACK = Bound(0, 10, "a relative slack in [0, 10)", hi_open=True)
RELIABILITY_SLACK = Bound(0, 1, "a relative epsilon in [0, 1]")
WINDOW_H = Bound(0, 31 * 24, "a window of 0 to 744 hours (31 days)")
WINDOW_STEP_H = Bound(1, 31 * 24, "a step of 1 hour to 31 days")
MAX_LABELS = Bound(1, 100_000, "an integer from 1 to 100,000", integer=True)
INVENTORY_RATE = Bound(0, 10, "an annual rate from 0 to 10 (e.g. 0.08)")
RUNS = Bound(100, 1_000_000, "an integer from 100 to 1,000,000", integer=True)
"""Monte Carlo runs of one route asked for by a user (a query also accepts 0: the analytic estimate)."""
MC_RUNS = Bound(2, RUNS.hi, "an integer from 2 to 1,000,000", integer=True)
"""Monte Carlo runs the simulation itself accepts (internal callers may run fewer than a user)."""
SEED = Bound(0, 2**32 - 1, "an integer from 0 to 2**32 - 1", integer=True)
ROUTE_INDEX = Bound(0, MAX_ROUTES.hi - 1, "an integer from 0 to 49", integer=True)

DEMAND_MT = Bound(0, 100, "a yearly demand in Mt in (0, 100]", lo_open=True)
YEARS = Bound(0, 50, "a number of simulated years in (0, 50]", lo_open=True)
SHIPS = Bound(1, 1_000, "a fleet of 1 to 1,000 vessels", integer=True)
SHIPS_PER_CLASS = Bound(0, 1_000, "0 to 1,000 vessels of the class", integer=True)
FILL_THRESHOLD = Bound(0, 1, "a share in (0, 1]", lo_open=True)
MAX_WAIT_H = Bound(0, 8_760, "a positive number of hours up to a year (8,760)", lo_open=True)
DEMAND_SCALE = Bound(0, 20, "a demand factor in (0, 20]", lo_open=True)
DES_SCALE = DEMAND_SCALE
ITERATIONS = Bound(1, 50, "an integer from 1 to 50", integer=True)
MONTH = Bound(1, 12, "months 1 to 12", integer=True)
REPLICATIONS = Bound(1, 1_000, "an integer from 1 to 1,000 replications", integer=True)
SWEEP_DES_YEARS = 10_000
"""Most simulated DES years of one sweep (demand levels × fleets × replications × years)."""
SWEEP_LEVELS = 100
"""Most demand levels, fleet sizes or months listed in one sweep."""
WORKERS = Bound(1, 64, "between 1 and 64 workers", integer=True)

CARBON_PRICE = Bound(0, 10_000, "a carbon price from 0 to 10,000 USD per t CO2e")
VALUE_OF_TIME = Bound(0, 100_000, "a value of time from 0 to 100,000 USD per tonne-hour")
TOP = Bound(1, 1_000, "an integer from 1 to 1,000", integer=True)
TARGET_USD = Bound(0, 1e13, "a yearly trade value in USD up to 1e13", lo_open=True)


def check_date_year(year: int, field: str, shown: object) -> None:
    """Raise :class:`InputError` naming ``field`` (showing ``shown``) unless ``year`` is in range."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(field, shown, DATE_EXPECTED)


__all__ = [
    "CARBON_PRICE",
    "COUNT",
    "DATE_EXPECTED",
    "DEMAND_MT",
    "DEMAND_SCALE",
    "DES_SCALE",
    "FILL_THRESHOLD",
    "INVENTORY_RATE",
    "ITERATIONS",
    "MAX_AVOID",
    "MAX_LABELS",
    "MAX_ROUTES",
    "MAX_VIA",
    "MAX_WAIT_H",
    "MAX_YEAR",
    "MC_RUNS",
    "MIN_YEAR",
    "MONTH",
    "PLACE_CHARS",
    "RELIABILITY_SLACK",
    "REPLICATIONS",
    "ROUTE_INDEX",
    "RUNS",
    "SEED",
    "SHIPS",
    "SHIPS_PER_CLASS",
    "SLACK",
    "SWEEP_DES_YEARS",
    "SWEEP_LEVELS",
    "TARGET_USD",
    "TOP",
    "VALUE_OF_TIME",
    "VALUE_USD",
    "WEIGHT_T",
    "WINDOW_H",
    "WINDOW_STEP_H",
    "WORKERS",
    "YEARS",
    "Bound",
    "FieldLimits",
    "check_date_year",
]
