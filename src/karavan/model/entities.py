"""Typed, validated entities of the network model.

Each entity maps one record of a dataset table (see :mod:`karavan.io.load`). Every
record carries its provenance: ``source`` lists source ids from the ``sources`` table,
and ``estimate`` maps field names to a one-line reasoning for values that are
estimates rather than sourced figures.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from karavan.model.distributions import Distribution, coerce_distribution
from karavan.model.enums import SERVICE_MODE, TRANSFER_KINDS, HubOpKind, Mode, NodeKind, ServiceKind, Unit, Weekday

Dist = Annotated[Distribution, BeforeValidator(coerce_distribution)]
"""A distribution field that also accepts a plain number (a fixed value)."""

ID_RE = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"
Id = Annotated[str, Field(pattern=ID_RE, min_length=1, max_length=80)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class _Record(BaseModel):
    """Common base: frozen, strict about unknown fields, with provenance."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False)

    source: tuple[str, ...] = ()
    estimate: dict[str, str] = Field(default_factory=dict)
    note: str = ""

    @field_validator("source", mode="before")
    @classmethod
    def _split_source(cls, v: object) -> object:
        if isinstance(v, str):
            return tuple(s.strip() for s in re.split(r"[;,]", v) if s.strip())
        return v


class Source(BaseModel):
    """A publication or dataset that values cite."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    id: Id
    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    year: int | None = Field(default=None, ge=1900, le=2100)
    url: str = ""
    note: str = ""


class UnitType(_Record):
    """Physical parameters of a unit type.

    Attributes
    ----------
    teu : float
        TEU equivalent of one unit (0 for bulk tonnes).
    gross_t : float
        Default gross cargo weight of one loaded unit, in tonnes (used when the
        shipper gives none).
    light_gross_t, heavy_gross_t : float or None
        Light and heavy variants, where a convention gives them.
    """

    id: Unit
    teu: float = Field(ge=0)
    gross_t: float = Field(gt=0)
    light_gross_t: float | None = Field(default=None, gt=0)
    heavy_gross_t: float | None = Field(default=None, gt=0)
    tare_t: float | None = Field(default=None, ge=0)


class Node(_Record):
    """A place where freight can be."""

    id: Id
    name_en: str = Field(min_length=1)
    name_ru: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    country: Country
    lat: float
    lon: float
    kind: NodeKind
    locode: str | None = Field(default=None, pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")
    closed_share: tuple[float, ...] | None = Field(default=None, min_length=12, max_length=12)
    """Monthly (Jan..Dec) share of the time a port is closed by weather; wins over the reliability parameters."""

    @field_validator("closed_share")
    @classmethod
    def _shares(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if v is not None and any(not 0 <= x < 1 for x in v):
            raise ValueError("closed shares must be in [0, 1)")
        return v

    @property
    def coords(self) -> tuple[float, float]:
        """``(lon, lat)`` in WGS84, GeoJSON order."""
        return (self.lon, self.lat)


class Link(_Record):
    """Physical infrastructure between two nodes; links are two-way unless ``oneway``."""

    id: Id
    from_id: Id = Field(alias="from")
    to_id: Id = Field(alias="to")
    mode: Mode
    length_km: float
    gauge_mm: int | None = None
    tracks: int | None = Field(default=None, ge=1)
    electrified: bool | None = None
    oneway: bool = False
    capacity_trains_per_day: float | None = Field(default=None, gt=0)
    capacity_t_per_year: float | None = Field(default=None, gt=0)
    geometry: tuple[tuple[float, float], ...] = ()
    """Intermediate ``(lon, lat)`` points for drawing, e.g. a sea lane."""

    @property
    def length_nm(self) -> float:
        """Length in nautical miles."""
        return self.length_km / 1.852


class LinkGeometry(_Record):
    """The drawn alignment of a link (``link_geometry.yaml``): ``[lon, lat]`` points from ``from`` to ``to``.

    Derived once from a line graph (OpenStreetMap railways, the searoute sea network)
    and simplified; used for maps and GeoJSON only, never for lengths in the model.
    """

    link: Id
    coordinates: tuple[tuple[float, float], ...] = Field(min_length=2)


class Weekly(BaseModel):
    """Departures on given weekdays at a time of day (UTC)."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    pattern: Literal["weekly"] = "weekly"
    days: tuple[Weekday, ...] = Field(min_length=1)
    time: str = Field(default="00:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")

    @property
    def time_h(self) -> float:
        """Time of day in hours."""
        h, m = self.time.split(":")
        return int(h) + int(m) / 60.0


class Headway(BaseModel):
    """Departures every ``headway_h`` hours from a first departure at ``first`` each day.

    ``phase: unknown`` says the time of day is not published (only the frequency is): routing
    then counts the mean wait of a unit arriving at a random time (half the headway) and the
    Monte Carlo draws the departure phase uniformly, instead of inventing a clock time.
    """

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    pattern: Literal["headway"] = "headway"
    headway_h: float = Field(gt=0, le=24 * 28)
    first: str = Field(default="00:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    phase: Literal["timetable", "unknown"] = "timetable"

    @property
    def phase_known(self) -> bool:
        """Whether departures run at published clock times (``first`` is meaningful)."""
        return self.phase == "timetable"

    @property
    def first_h(self) -> float:
        """Offset of the first departure after midnight (Monday 00:00 UTC for the week)."""
        h, m = self.first.split(":")
        return int(h) + int(m) / 60.0


class WhenFull(BaseModel):
    """Sails when full: leaves once loads reach ``fill_threshold`` of capacity.

    ``expected_wait_h`` is the wait from a unit's arrival to departure at the
    reference demand level; reliability models replace it with a demand-dependent wait.
    """

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    pattern: Literal["when_full"] = "when_full"
    fill_threshold: float = Field(gt=0, le=1)
    expected_wait_h: Dist


Departures = Annotated[Weekly | Headway | WhenFull, Field(discriminator="pattern")]


class Tariff(BaseModel):
    """Price of carrying one unit: ``flat_usd + per_km_usd × km``."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    flat_usd: float = Field(default=0.0, ge=0)
    per_km_usd: float = Field(default=0.0, ge=0)


class Continuation(BaseModel):
    """A timed connection of a through train: the consist goes on as ``service`` at node ``at``.

    The units stay with their train: at ``at`` (a gauge break or border station, the last stop
    of this section and the first of the next) they undergo the transfer operation there (bogie
    exchange or transshipment onto the next section's wagons) and leave with the same consist as
    soon as it is done, instead of waiting for the next independent departure of ``service``.
    Two-way sections connect in reverse too (``service`` reversed continues as this one reversed).
    """

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    service: Id
    at: Id


class Service(_Record):
    """A product that moves units along links: a block train, a ferry, a feeder, trucking.

    ``stops`` lists node ids in running order; consecutive stops must be joined by a
    link of the service's mode (and gauge, for rail). A service that is not
    ``oneway`` also runs in reverse with the same pattern.
    """

    id: Id
    name: str = Field(min_length=1)
    operator: str = ""
    kind: ServiceKind
    stops: tuple[Id, ...] = Field(min_length=2)
    units: tuple[Unit, ...] = Field(min_length=1)
    gauge_mm: int | None = None
    departures: Departures
    speed_kmh: float | None = Field(default=None, gt=0, le=1000)
    running_time_h: Dist | None = None
    """End-to-end running time; when given it wins over ``speed_kmh``."""
    capacity_per_departure: dict[Unit, float] = Field(default_factory=dict)
    capacity_t_per_year: float | None = Field(default=None, gt=0)
    vessels: int | None = Field(default=None, ge=1)
    """Ships deployed on a sea line: the Caspian DES sails them, the assignment derives a yearly capacity."""
    tariff: dict[Unit, Tariff] = Field(default_factory=dict)
    toc: str = Field(min_length=1)
    """Transport operation category id (emission intensity) in the accounting parameters."""
    traction: Literal["diesel", "electric", "mixed"] | None = None
    train_class: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_-]*$")
    """Operating class of a train (e.g. ``express`` for priority block trains); border crossings
    with the same ``train_classes`` entry apply to it instead of the general ones."""
    oneway: bool = False
    continues: tuple[Continuation, ...] = ()
    """Through-train sections this train's consist continues as (see :class:`Continuation`)."""
    delays_included: bool = False
    """True when ``speed_kmh`` / ``running_time_h`` come from achieved times of real trains or
    ships, which already contain path delays and departure slippage: the Monte Carlo then adds
    neither a running-time factor nor slippage (that would count the delays twice)."""

    @property
    def mode(self) -> Mode:
        """Physical mode the service runs on."""
        return SERVICE_MODE[self.kind]

    def carriers_for(self, unit: Unit) -> tuple[Unit, ...]:
        """Carrier units a container of type ``unit`` can cross on aboard this service.

        A roll-on ship (rail ferry, Ro-Ro, Ro-Pax) takes a box only on a wagon or a trailer it
        accepts; empty for other services and other units (they travel as themselves).
        """
        if not (self.kind.rolls_on and unit.is_container):
            return ()
        return tuple(c for c in (Unit.WAGON, Unit.TRAILER) if c in self.units)

    @model_validator(mode="after")
    def _timing(self) -> Service:
        if self.speed_kmh is None and self.running_time_h is None:
            raise ValueError("give speed_kmh or running_time_h")
        return self


class OpeningHours(BaseModel):
    """Days and daily window (UTC hours) when a hub operation works."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    days: tuple[Weekday, ...] = tuple(Weekday)
    start_h: float = Field(default=0, ge=0, le=24)
    end_h: float = Field(default=24, ge=0, le=24)

    @model_validator(mode="after")
    def _order(self) -> OpeningHours:
        if self.end_h <= self.start_h:
            raise ValueError(f"end_h ({self.end_h}) must be > start_h ({self.start_h})")
        return self

    @property
    def always(self) -> bool:
        """True if open around the clock every day."""
        return len(set(self.days)) == 7 and self.start_h == 0 and self.end_h == 24


class HubOperation(_Record):
    """An operation at a node: transfer between services, gauge change, port handling, border control.

    Transfers (``transshipment``, ``gauge_change``, ``port_handling``, ``marshalling``)
    allow a unit to leave a service of a mode in ``from_modes`` and board one in
    ``to_modes`` (and, if given, from gauge ``from_gauge_mm`` to ``to_gauge_mm``).
    ``border_crossing`` applies when a unit crosses a link between ``from_country``
    and ``to_country`` at this node by a mode in ``from_modes``. ``terminal`` applies
    when a unit starts or ends its trip here on a service of a mode in ``from_modes``.
    ``train_classes`` restricts a border crossing to services of those train classes; a
    service whose class has no operation of its own at a crossing gets the unrestricted one.
    """

    id: Id
    node: Id
    kind: HubOpKind
    from_modes: tuple[Mode, ...] = Field(min_length=1)
    to_modes: tuple[Mode, ...] = ()
    from_gauge_mm: int | None = None
    to_gauge_mm: int | None = None
    from_country: Country | None = None
    to_country: Country | None = None
    units: tuple[Unit, ...] = ()
    """Unit types handled; empty means all."""
    train_classes: tuple[str, ...] = ()
    """Train classes (``Service.train_class``) this border crossing applies to; empty means the rest."""
    dwell_h: Dist
    cost_usd: dict[Unit, float] = Field(default_factory=dict)
    """Cost per unit handled, by unit type."""
    hoc: str = Field(min_length=1)
    """Hub operation category id (emission intensity) in the accounting parameters."""
    opening: OpeningHours = Field(default_factory=OpeningHours)
    capacity_teu_per_year: float | None = Field(default=None, gt=0)
    capacity_t_per_year: float | None = Field(default=None, gt=0)
    capacity_units_per_day: float | None = Field(default=None, gt=0)
    berths: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _shape(self) -> HubOperation:
        if self.kind is HubOpKind.BORDER_CROSSING:
            if self.from_country is None or self.to_country is None:
                raise ValueError("a border_crossing needs from_country and to_country")
        elif self.kind is not HubOpKind.TERMINAL and not self.to_modes:
            raise ValueError(f"a {self.kind.value} operation needs to_modes")
        return self

    def handles(self, unit: Unit) -> bool:
        """Whether this operation handles ``unit``."""
        return not self.units or unit in self.units

    def transfers(self, a: Service, b: Service, unit: Unit) -> bool:
        """Whether this operation moves ``unit`` from service ``a`` onto service ``b``.

        Modes and gauges must match the operation's; between rail services of different
        gauges only a gauge change does, between the same gauge anything but a gauge change.
        """
        if self.kind not in TRANSFER_KINDS or not self.handles(unit):
            return False
        if a.mode not in self.from_modes or b.mode not in self.to_modes:
            return False
        if self.from_gauge_mm is not None and a.gauge_mm != self.from_gauge_mm:
            return False
        if self.to_gauge_mm is not None and b.gauge_mm != self.to_gauge_mm:
            return False
        gauges_differ = a.mode is Mode.RAIL and b.mode is Mode.RAIL and a.gauge_mm != b.gauge_mm
        return self.kind is HubOpKind.GAUGE_CHANGE if gauges_differ else self.kind is not HubOpKind.GAUGE_CHANGE


class DatasetInfo(BaseModel):
    """Header of a dataset (``dataset.yaml``)."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = ""
    licence: str = ""
