"""Typed records of an energy dataset (gas pipelines, power links, supplies, demands) and the dataset itself.

Units live in the field names: gas capacities in bcm per year, power in MW, prices in USD per MWh of the
carrier (gas MWh at gross calorific value). Every record carries its provenance like the freight tables:
``source`` lists source ids, ``estimate`` maps a field to a one-line reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from karavan.errors import InputError
from karavan.model.entities import ID_RE, DatasetInfo, Source, _Record

Id = Annotated[str, Field(pattern=ID_RE, min_length=1, max_length=80)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class _Choice(StrEnum):
    """An enum that accepts any case and names the choices when a value is wrong."""

    @classmethod
    def choices(cls) -> list[str]:
        """The accepted values."""
        return [m.value for m in cls]

    @classmethod
    def parse(cls, value: str, *, field: str) -> _Choice:
        """The member for ``value`` (any case), or an :class:`InputError` naming ``field``."""
        try:
            return cls(str(value).lower())
        except ValueError:
            raise InputError(field, value, "one of " + ", ".join(cls.choices())) from None

    @classmethod
    def _missing_(cls, value: object) -> _Choice | None:
        if isinstance(value, str):
            for m in cls:
                if m.value == value.lower():
                    return m
        return None


class Carrier(_Choice):
    """What a bus carries."""

    GAS = "gas"
    ELECTRICITY = "electricity"

    @property
    def unit(self) -> str:
        """The unit of yearly flows shown to users."""
        return "bcm" if self is Carrier.GAS else "TWh"


class Status(_Choice):
    """Life-cycle status of an asset; only ``operating`` assets are in the base case."""

    OPERATING = "operating"
    UNDER_CONSTRUCTION = "under_construction"
    PROPOSED = "proposed"
    PLANNED = "planned"
    DECOMMISSIONED = "decommissioned"


class LinkKind(_Choice):
    """How a power link is modelled."""

    AC_LINE = "ac_line"
    """A PyPSA ``Line``: flows follow Kirchhoff's voltage law in a meshed AC grid."""
    HVDC = "hvdc"
    """A PyPSA ``Link``: dispatchable, with HVDC losses per 1,000 km."""
    CONTROLLABLE = "controllable"
    """A PyPSA ``Link``: a radial AC line feeding an islanded part of the neighbour's grid."""

    @property
    def dispatchable(self) -> bool:
        """Whether the flow is chosen by the optimiser rather than set by impedances."""
        return self is not LinkKind.AC_LINE


class DemandKind(_Choice):
    """Fixed demand must be served (or priced at VoLL); a market buys while its price covers the cost."""

    FIXED = "fixed"
    MARKET = "market"


class ProfileKind(_Choice):
    """Shape (normalised demand pattern) or availability (per-unit of capacity)."""

    SHAPE = "shape"
    AVAILABILITY = "availability"


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
Month = Literal["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
BLOCKS_PER_DAY = 8
BLOCK_H = 3.0


class Parameter(_Record):
    """A named model parameter, e.g. ``voll_power_usd_per_mwh``."""

    id: Id
    value: float


class CarrierInfo(_Record):
    """A fuel or energy form with its combustion CO2 per MWh of fuel and its map colour."""

    id: Id
    name: str = Field(min_length=1)
    co2_t_per_mwh: float = Field(ge=0)
    color: str = Field(default="#888888", pattern=r"^#[0-9a-fA-F]{6}$")


class Day(_Record):
    """A typical day: its calendar month and how many days of the year it stands for."""

    id: Id
    month: Month
    weight_days: float = Field(gt=0)

    @property
    def month_number(self) -> int:
        """Calendar month, 1-12."""
        return MONTHS.index(self.month) + 1

    peak: bool | None = None
    """True for the peak day (none means an ordinary day)."""


class Profile(_Record):
    """Monthly and 3-hour-block factors (see :class:`ProfileKind`)."""

    id: Id
    kind: ProfileKind
    monthly: tuple[float, ...] = Field(min_length=12, max_length=12)
    daily: tuple[float, ...] = Field(min_length=BLOCKS_PER_DAY, max_length=BLOCKS_PER_DAY)
    peak_factor: float | None = Field(default=None, gt=0)
    """Multiplier on the peak day (shapes only; none means 1)."""

    @model_validator(mode="after")
    def _non_negative(self) -> Profile:
        if any(v < 0 for v in (*self.monthly, *self.daily)):
            raise ValueError("monthly and daily factors must be >= 0")
        return self


class Bus(_Record):
    """A gas hub or field (carrier gas) or a power zone (carrier electricity)."""

    id: Id
    name_en: str = Field(min_length=1)
    name_ru: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    country: Country
    carrier: Carrier
    kind: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Pipeline(_Record):
    """A gas pipeline as a transport link (capacity, length, fuel use; no pressure physics)."""

    id: Id
    name: str = Field(min_length=1)
    from_id: Id = Field(alias="from")
    to_id: Id = Field(alias="to")
    capacity_bcm_per_year: float = Field(gt=0)
    length_km: float = Field(gt=0)
    diameter_mm: float | None = Field(default=None, gt=0)
    status: Status
    bidirectional: bool | None = None
    """Flows both ways (none means from -> to only)."""
    contract: bool | None = None
    """A take-or-pay contract: the pipe carries its full capacity all year."""
    transit: tuple[Country, ...] = ()


class PowerLink(_Record):
    """An AC corridor or a dispatchable (HVDC, islanded) power link."""

    id: Id
    name: str = Field(min_length=1)
    from_id: Id = Field(alias="from")
    to_id: Id = Field(alias="to")
    kind: LinkKind
    capacity_mw: float = Field(gt=0)
    voltage_kv: float = Field(gt=0)
    length_km: float = Field(gt=0)
    availability: Id | None = None
    bidirectional: bool | None = None
    """A dispatchable link that flows both ways (none means from -> to only)."""
    status: Status


class Supply(_Record):
    """A gas field (``capacity_bcm_per_year``) or a power plant group (``capacity_mw``)."""

    id: Id
    name: str = Field(min_length=1)
    bus: Id
    carrier: Id
    capacity_mw: float | None = Field(default=None, gt=0)
    capacity_bcm_per_year: float | None = Field(default=None, gt=0)
    marginal_cost_usd_per_mwh: float = Field(ge=0)
    efficiency: float | None = Field(default=None, gt=0, le=1)
    fuel_bus: Id | None = None
    availability: Id | None = None
    status: Status

    @model_validator(mode="after")
    def _one_capacity(self) -> Supply:
        if (self.capacity_mw is None) == (self.capacity_bcm_per_year is None):
            raise ValueError("exactly one of capacity_mw (power plant) or capacity_bcm_per_year (gas field)")
        if self.fuel_bus is not None and self.efficiency is None:
            raise ValueError("a plant with a fuel_bus needs an efficiency")
        return self


class Demand(_Record):
    """A fixed demand or a market buyer on a bus, with its yearly volume and profile."""

    id: Id
    bus: Id
    kind: DemandKind
    yearly_twh: float | None = Field(default=None, gt=0)
    yearly_bcm: float | None = Field(default=None, gt=0)
    profile: Id
    price_usd_per_mwh: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _volume_and_price(self) -> Demand:
        if (self.yearly_twh is None) == (self.yearly_bcm is None):
            raise ValueError("exactly one of yearly_twh (power) or yearly_bcm (gas)")
        if self.kind is DemandKind.MARKET and self.price_usd_per_mwh is None:
            raise ValueError("a market demand needs price_usd_per_mwh (what the buyer pays)")
        if self.kind is DemandKind.FIXED and self.price_usd_per_mwh is not None:
            raise ValueError("a fixed demand has no price (unserved energy is priced at the value of lost load)")
        return self


class TradePrice(_Record):
    """The price that values a cross-border flow from ``exporter`` to ``importer``."""

    id: Id
    carrier: Carrier
    exporter: Country
    importer: Country
    price_usd_per_1000m3: float | None = Field(default=None, gt=0)
    price_usd_per_mwh: float | None = Field(default=None, gt=0)
    year: int | None = Field(default=None, ge=1990, le=2100)

    @model_validator(mode="after")
    def _one_price(self) -> TradePrice:
        if (self.price_usd_per_1000m3 is None) == (self.price_usd_per_mwh is None):
            raise ValueError("exactly one of price_usd_per_1000m3 (gas) or price_usd_per_mwh")
        return self


class EnergyInfo(BaseModel):
    """Header of an energy dataset (``dataset.yaml``); ``kind`` must be ``energy``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    kind: str = Field(pattern=r"^energy$")
    version: str = Field(min_length=1)
    description: str = ""
    licence: str = ""

    def as_dataset_info(self) -> DatasetInfo:
        """The freight-style header (for code shared with the freight side)."""
        return DatasetInfo(name=self.name, version=self.version, description=self.description, licence=self.licence)


@dataclass(frozen=True)
class EnergyDataset:
    """A validated energy dataset: every table keyed by id, plus its header, hash and origin."""

    info: EnergyInfo
    sources: dict[str, Source]
    parameters: dict[str, Parameter]
    carriers: dict[str, CarrierInfo]
    days: dict[str, Day]
    profiles: dict[str, Profile]
    buses: dict[str, Bus]
    pipelines: dict[str, Pipeline]
    power_links: dict[str, PowerLink]
    supplies: dict[str, Supply]
    demands: dict[str, Demand]
    trade_prices: dict[str, TradePrice]
    content_hash: str
    path: Path | None = None
    scenario: str = "base"
    notes: tuple[str, ...] = field(default=())

    def param(self, name: str) -> float:
        """The value of parameter ``name``."""
        return self.parameters[name].value

    @property
    def mwh_per_bcm(self) -> float:
        """MWh of gas (GCV) in one bcm."""
        return self.param("gas_mwh_per_bcm")

    def resolve_bus(self, query: str) -> Bus:
        """A bus by id, English or Russian name or alias (any case)."""
        from karavan.errors import UnknownPlaceError

        q = query.strip().casefold()
        for bus in self.buses.values():
            names = [bus.id, bus.name_en, bus.name_ru, *bus.aliases]
            if any(q == n.casefold() for n in names):
                return bus
        from rapidfuzz import process

        choices = [n for b in self.buses.values() for n in (b.id, b.name_en, b.name_ru)]
        found = process.extract(query, choices, limit=3)
        raise UnknownPlaceError(query, [f for f, score, _ in found if score >= 60])

    def summary(self) -> dict[str, Any]:
        """Counts of the dataset's records, for ``energy show``."""
        return {
            "dataset": self.info.name,
            "version": self.info.version,
            "scenario": self.scenario,
            "buses": len(self.buses),
            "gas_buses": sum(b.carrier is Carrier.GAS for b in self.buses.values()),
            "power_zones": sum(b.carrier is Carrier.ELECTRICITY for b in self.buses.values()),
            "pipelines": len(self.pipelines),
            "power_links": len(self.power_links),
            "supplies": len(self.supplies),
            "demands": len(self.demands),
            "typical_days": len(self.days),
            "snapshots": len(self.days) * BLOCKS_PER_DAY,
        }
