"""The one validated route request: what the shipper asked for, built once by every adapter.

The CLI (``route``, ``simulate``, ``report``), the API, reports, scenario diffs and sweeps build
a :class:`RouteQuery` and hand it to :func:`karavan.routing.plan_routes`; the plan keeps it, so
later steps reuse the routes found instead of planning again. Every bound lives here and a
bad value raises :class:`~karavan.errors.InputError` naming the query field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from karavan import limits
from karavan._frozen import made
from karavan.accounting import Cargo
from karavan.errors import InputError
from karavan.limits import MAX_AVOID, MAX_VIA, PLACE_CHARS
from karavan.model.enums import Mode, Unit


class Criterion(StrEnum):
    """What a route can be searched and compared on."""

    TIME = "time"
    """Planned door-to-door transit time (timetables, waits, dwell)."""
    COST = "cost"
    """Total cost to the shipper, USD."""
    CO2E = "co2e"
    """Well-to-wheel greenhouse gas emissions, kg CO2e."""
    RELIABILITY = "reliability"
    """Transit-time spread: expected delay and variance along the route (P90 ≈ mean + z·σ)."""

    @classmethod
    def parse(cls, value: str, *, field: str = "criteria") -> Criterion:
        """Parse any case, or raise :class:`InputError` naming ``field``."""
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise InputError(field, value, "one of " + ", ".join(c.value for c in cls)) from None


ALL_CRITERIA = tuple(Criterion)


class FastestBy(StrEnum):
    """Which time figure the ``fastest`` label is given on."""

    P50 = "p50"
    PLANNED = "planned"


def _aware(value: datetime | date, field: str) -> datetime:
    if not isinstance(value, datetime):
        if isinstance(value, date):
            value = datetime.combine(value, time(0, 0))
        else:
            raise InputError(field, value, "a datetime or date")
    when = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        year = when.astimezone(UTC).year
    except OverflowError:
        year = 0
    limits.check_date_year(year, field, value.isoformat())
    return when.astimezone(UTC)


def today_utc() -> datetime:
    """Today 00:00 UTC (the default departure)."""
    return datetime.combine(datetime.now(UTC).date(), time(0, 0), tzinfo=UTC)


def _places(values: Iterable[str] | str | None, field: str, limit: int) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for v in values:
        if not isinstance(v, str) or not 0 < len(v.strip()) <= PLACE_CHARS:
            raise InputError(field, v, f"place names of 1 to {PLACE_CHARS} characters")
        out.append(v.strip())
    if len(out) > limit:
        raise InputError(field, len(out), f"at most {limit} places")
    return tuple(out)


def _countries(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for v in values:
        code = v.strip().upper() if isinstance(v, str) else ""
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise InputError("avoid_countries", v, "ISO 3166 alpha-2 country codes such as RU, IR")
        if code not in out:
            out.append(code)
    if len(out) > MAX_AVOID:
        raise InputError("avoid_countries", len(out), f"at most {MAX_AVOID} countries")
    return tuple(out)


def parse_duration_h(text: str, *, field: str = "window") -> float:
    """``"7d"``, ``"36h"``, ``"1w"`` or a number of hours -> hours.

    Raises
    ------
    InputError
        Naming ``field`` when the text is not a duration.
    """
    s = str(text).strip().lower()
    factor = {"w": 168.0, "d": 24.0, "h": 1.0}.get(s[-1:], 1.0)
    num = s[:-1] if s[-1:] in ("w", "d", "h") else s
    try:
        hours = float(num) * factor
    except ValueError:
        raise InputError(field, text, "a duration such as 7d, 36h or 2w") from None
    if not math.isfinite(hours) or hours < 0:
        raise InputError(field, text, "a non-negative duration such as 7d")
    return hours


@dataclass(frozen=True)
class RouteQuery:
    """A validated route request.

    Parameters
    ----------
    origin, destination : str
        Places as typed (id, UN/LOCODE, English or Russian name); :func:`plan_routes` resolves
        them and keeps the resolved query (node ids) on the plan.
    depart : datetime or date, optional
        Earliest departure (UTC if naive; a date is 00:00 UTC); default today 00:00 UTC.
    window_h : float
        Departure window: departures are tried every ``window_step_h`` from ``depart`` to
        ``depart + window_h`` and the plan reports the best, typical and worst departure (0: one).
    window_step_h : float
        Spacing of the departures tried in the window.
    cargo : Cargo
        What moves; default one FEU at the network's default weight.
    via : tuple of str
        Places to pass, in order.
    avoid_countries : tuple of str
        ISO 3166 alpha-2 codes never entered.
    avoid_nodes : tuple of str
        Places never used.
    modes : tuple of Mode
        Allowed modes (default all).
    criteria : tuple of Criterion
        Criteria the Pareto search compares (default time, cost, CO2e and reliability).
    max_routes : int
        Most alternatives returned; labelled routes come first.
    slack : float
        Relative slack: alternatives within it of another route in every criterion are dropped.
    reliability_slack : float
        Relative epsilon on the reliability criterion (mean delay and standard deviation) in
        the search: alternatives within it of another on reliability and no better elsewhere
        are not kept (0: the exact Pareto set).
    max_labels : int
        Cap on Pareto labels kept per search state; a capped search is flagged ``truncated``.
    inventory_rate : float, optional
        Annual carrying-cost rate on ``cargo.value_usd`` (default from the accounting parameters).
    fastest_by : FastestBy
        ``p50`` (default): ``fastest`` is the route with the lowest simulated P50;
        ``planned``: the lowest planned transit time.
    target : datetime, optional
        Arrival deadline: routes are ranked by the probability of arriving by it.
    runs : int
        Monte Carlo runs per returned route for P50/P90 (seeded); 0 gives the analytic
        estimate instead (planned + mean delay, and + z·σ for P90, from the search's
        reliability criterion).
    seed : int
        Random seed of the Monte Carlo runs.
    """

    origin: str
    destination: str
    depart: datetime | date | None = None
    window_h: float = 0.0
    window_step_h: float = 24.0
    cargo: Cargo = field(default_factory=lambda: Cargo(Unit.FEU))
    via: tuple[str, ...] = ()
    avoid_countries: tuple[str, ...] = ()
    avoid_nodes: tuple[str, ...] = ()
    modes: tuple[Mode, ...] = tuple(Mode)
    criteria: tuple[Criterion, ...] = ALL_CRITERIA
    max_routes: int = 5
    slack: float = 0.0
    reliability_slack: float = 0.1
    max_labels: int = 64
    inventory_rate: float | None = None
    fastest_by: FastestBy = FastestBy.P50
    target: datetime | date | None = None
    runs: int = 1000
    seed: int = 0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("origin", "destination"):
            value = getattr(self, name)
            if not isinstance(value, str) or not 0 < len(value.strip()) <= PLACE_CHARS:
                raise InputError(name, value, f"a place name or id of 1 to {PLACE_CHARS} characters")
            set_(self, name, value.strip())
        set_(self, "depart", _aware(self.depart, "depart") if self.depart is not None else today_utc())
        if self.target is not None:
            set_(self, "target", _aware(self.target, "target"))
        limits.WINDOW_H.check(self.window_h, "window_h")
        limits.WINDOW_STEP_H.check(self.window_step_h, "window_step_h")
        self._check_cargo()
        set_(self, "via", _places(self.via, "via", MAX_VIA))
        set_(self, "avoid_nodes", _places(self.avoid_nodes, "avoid_nodes", MAX_AVOID))
        set_(self, "avoid_countries", _countries(self.avoid_countries))
        set_(self, "modes", self._modes(self.modes))
        set_(self, "criteria", self._criteria(self.criteria))
        limits.MAX_ROUTES.check(self.max_routes, "max_routes")
        limits.SLACK.check(self.slack, "slack")
        limits.RELIABILITY_SLACK.check(self.reliability_slack, "reliability_slack")
        limits.MAX_LABELS.check(self.max_labels, "max_labels")
        if self.inventory_rate is not None:
            limits.INVENTORY_RATE.check(self.inventory_rate, "inventory_rate")
        try:
            set_(self, "fastest_by", FastestBy(str(self.fastest_by).lower()))
        except ValueError:
            raise InputError("fastest_by", self.fastest_by, "p50 or planned") from None
        if not (type(self.runs) is int and self.runs == 0) and not limits.RUNS.contains(self.runs):
            raise InputError("runs", self.runs, "0 or " + limits.RUNS.expected)
        limits.SEED.check(self.seed, "seed")
        if self.target is not None and self.target <= self.depart:  # type: ignore[operator]
            raise InputError("target", self.target.isoformat(), "an arrival deadline after the departure")

    def _check_cargo(self) -> None:
        if not isinstance(self.cargo, Cargo):
            raise InputError("cargo", self.cargo, "a Cargo (unit, count, gross weight, value)")
        limits.COUNT.check(self.cargo.count, "cargo.count")
        if self.cargo.gross_t_per_unit is not None:
            limits.WEIGHT_T.check(self.cargo.gross_t_per_unit, "cargo.gross_t_per_unit")
        if self.cargo.value_usd is not None:
            limits.VALUE_USD.check(self.cargo.value_usd, "cargo.value_usd")

    @staticmethod
    def _modes(values: Iterable[Mode | str] | None) -> tuple[Mode, ...]:
        if values is None:
            return tuple(Mode)
        if isinstance(values, str | Mode):
            values = [values]
        out: list[Mode] = []
        for m in values:
            mode = m if isinstance(m, Mode) else Mode.parse(str(m).strip().lower(), field="modes")
            if mode not in out:
                out.append(mode)
        if not out:
            raise InputError("modes", [], "at least one of " + ", ".join(Mode.choices()))
        return tuple(out)

    @staticmethod
    def _criteria(values: Iterable[Criterion | str] | None) -> tuple[Criterion, ...]:
        if values is None:
            return ALL_CRITERIA
        if isinstance(values, str):
            values = [values]
        out: list[Criterion] = []
        for c in values:
            crit = c if isinstance(c, Criterion) else Criterion.parse(c)
            if crit not in out:
                out.append(crit)
        if Criterion.TIME not in out:
            out.insert(0, Criterion.TIME)  # time is always searched: timetables are followed in time order
        return tuple(c for c in ALL_CRITERIA if c in out)

    # ------------------------------------------------------------------ derived
    @property
    def depart_at(self) -> datetime:
        """The (aware, UTC) earliest departure."""
        assert isinstance(self.depart, datetime)
        return self.depart

    @property
    def target_at(self) -> datetime | None:
        """The (aware, UTC) arrival deadline, if any."""
        assert self.target is None or isinstance(self.target, datetime)
        return self.target

    def departures(self) -> tuple[datetime, ...]:
        """Departures tried: ``depart`` and every ``window_step_h`` within the window."""
        n = math.floor(self.window_h / self.window_step_h + 1e-9)
        return tuple(self.depart_at + timedelta(hours=k * self.window_step_h) for k in range(n + 1))

    def with_(self, **changes: Any) -> RouteQuery:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def with_node_ids(
        self, origin: str, destination: str, via: tuple[str, ...], avoid_nodes: tuple[str, ...]
    ) -> RouteQuery:
        """A copy naming its places by the node ids they resolved to.

        Only the place fields change, to ids the network resolved them to, so nothing is
        validated again (:meth:`with_` would re-check every field).
        """
        places = {"origin": origin, "destination": destination, "via": via, "avoid_nodes": avoid_nodes}
        return made(RouteQuery, {**self.__dict__, **places})

    def to_dict(self) -> dict[str, Any]:
        """JSON view (keys with units)."""
        return {
            "origin": self.origin,
            "destination": self.destination,
            "depart": self.depart_at.isoformat(),
            "window_h": self.window_h,
            "window_step_h": self.window_step_h,
            "cargo": {
                "unit": self.cargo.unit.value,
                "count": self.cargo.count,
                "gross_t_per_unit": self.cargo.gross_t_per_unit,
                "value_usd": self.cargo.value_usd,
            },
            "via": list(self.via),
            "avoid_countries": list(self.avoid_countries),
            "avoid_nodes": list(self.avoid_nodes),
            "modes": [m.value for m in self.modes],
            "criteria": [c.value for c in self.criteria],
            "max_routes": self.max_routes,
            "slack": self.slack,
            "reliability_slack": self.reliability_slack,
            "max_labels": self.max_labels,
            "inventory_rate": self.inventory_rate,
            "fastest_by": self.fastest_by.value,
            "target": self.target_at.isoformat() if self.target_at else None,
            "runs": self.runs,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RouteQuery:
        """Rebuild a query from :meth:`to_dict` output (or any mapping with those keys).

        Raises
        ------
        InputError
            Naming the field of a missing or bad value.
        """
        known = set(cls.__dataclass_fields__)
        extra = sorted(set(data) - known)
        if extra:
            raise InputError(extra[0], data[extra[0]], "a RouteQuery field: " + ", ".join(sorted(known)))
        kw: dict[str, Any] = dict(data)
        for key in ("depart", "target"):
            if isinstance(kw.get(key), str):
                try:
                    kw[key] = datetime.fromisoformat(kw[key].replace("Z", "+00:00"))
                except ValueError:
                    raise InputError(key, kw[key], "an ISO date or datetime") from None
        c = kw.get("cargo")
        if isinstance(c, Mapping):
            kw["cargo"] = Cargo(
                unit=c.get("unit", "FEU"),
                count=c.get("count", 1),
                gross_t_per_unit=c.get("gross_t_per_unit"),
                value_usd=c.get("value_usd"),
            )
        for key in ("via", "avoid_countries", "avoid_nodes", "modes", "criteria"):
            if isinstance(kw.get(key), list):
                kw[key] = tuple(kw[key])
        return cls(**kw)


__all__ = ["ALL_CRITERIA", "Criterion", "FastestBy", "RouteQuery", "parse_duration_h", "today_utc"]
