"""Request and response models of the REST API (pydantic, with constraints that document themselves)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from karavan import limits
from karavan.limits import MAX_AVOID, MAX_VIA, PLACE_CHARS
from karavan.model.enums import Mode, NodeKind, Unit


def _split(value: Any) -> Any:
    """Accept repeated parameters and comma-separated lists alike."""
    if value is None:
        return value
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple):
        out: list[Any] = []
        for v in value:
            if isinstance(v, str):
                out.extend(x.strip() for x in v.split(",") if x.strip())
            else:
                out.append(v)
        return out
    return value


def _when(value: datetime | None) -> datetime | None:
    """Make a datetime aware (UTC if naive) and keep it within a sane range."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        year = value.astimezone(UTC).year
    except OverflowError:
        year = 0
    if not limits.MIN_YEAR <= year <= limits.MAX_YEAR:
        raise ValueError(f"expected {limits.DATE_EXPECTED}")
    return value


class RouteOptions(BaseModel):
    """A shipment and the shipper's constraints; mirrors the options of ``karavan route``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    origin: str = Field(
        min_length=1, max_length=PLACE_CHARS, description="Origin: id, UN/LOCODE, English or Russian name"
    )
    destination: str = Field(min_length=1, max_length=PLACE_CHARS, description="Destination (same forms as origin)")
    depart: datetime | None = Field(
        default=None, description="Earliest departure, ISO date or datetime (UTC if no offset); default today"
    )
    cargo: Unit = Field(default=Unit.FEU, description="Unit type (case-insensitive)")
    count: float = Field(default=1, **limits.COUNT.field(), description="Number of units (tonnes for bulk)")
    weight_t: float | None = Field(default=None, **limits.WEIGHT_T.field(), description="Gross cargo tonnes per unit")
    value_usd: float | None = Field(
        default=None, **limits.VALUE_USD.field(), description="Cargo value for inventory cost"
    )
    via: list[str] = Field(default_factory=list, max_length=MAX_VIA, description="Places to pass, in order")
    avoid_countries: list[str] = Field(
        default_factory=list, max_length=MAX_AVOID, description="ISO 3166 alpha-2 codes never to enter, e.g. RU,IR"
    )
    avoid_nodes: list[str] = Field(default_factory=list, max_length=MAX_AVOID, description="Places never to use")
    modes: list[Mode] | None = Field(default=None, max_length=3, description="Allowed modes (default all)")
    max_routes: int = Field(default=5, **limits.MAX_ROUTES.field(), description="Most alternatives returned")
    slack: float = Field(
        default=0.0, **limits.SLACK.field(), description="Drop near-duplicates within this relative slack"
    )
    window_h: float = Field(
        default=0.0,
        **limits.WINDOW_H.field(),
        description="Departure window after depart, hours: best, typical, worst departure",
    )
    target: datetime | None = Field(
        default=None, description="Arrival deadline (UTC): routes ranked by the probability of arriving by it"
    )

    @field_validator("via", "avoid_countries", "avoid_nodes", "modes", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("via", "avoid_nodes")
    @classmethod
    def _places(cls, value: list[str]) -> list[str]:
        for v in value:
            if not 0 < len(v) <= PLACE_CHARS:
                raise ValueError(f"place names must have 1 to {PLACE_CHARS} characters")
        return value

    @field_validator("avoid_countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        out = []
        for v in value:
            code = v.strip().upper()
            if len(code) != 2 or not code.isascii() or not code.isalpha():
                raise ValueError(f"{v!r} is not an ISO 3166 alpha-2 country code such as RU or IR")
            out.append(code)
        return out

    @field_validator("depart", "target")
    @classmethod
    def _depart(cls, value: datetime | None) -> datetime | None:
        return _when(value)


class RouteRequest(RouteOptions):
    """Route options plus output switches."""

    trail: bool = Field(default=False, description="Include the calculation trail of each route (only when asked)")
    geojson: bool = Field(
        default=False,
        description="Include the map geometry (only when asked): `geojson` (one LineString per route) and "
        "`layers` (one LineString per leg, one Point per stop)",
    )


class SimulateRequest(RouteOptions):
    """Route options plus the Monte Carlo settings of ``karavan simulate``."""

    runs: int = Field(default=2000, **limits.RUNS.field(), description="Monte Carlo runs")
    seed: int = Field(default=0, **limits.SEED.field(), description="Random seed (results are reproducible)")
    demand_mt: float | None = Field(
        default=None,
        **limits.DEMAND_MT.field(),
        description="Caspian demand, Mt/year: ferry waits from a one-year DES run",
    )
    route_index: int = Field(
        default=0, **limits.ROUTE_INDEX.field(), description="Which route of the plan to simulate (0 = first)"
    )


class Place(BaseModel):
    """A node as the place search returns it."""

    id: str
    name_en: str
    name_ru: str
    country: str
    kind: NodeKind
    locode: str | None = None
    lat: float
    lon: float
    label: str = Field(description="Display text: 'English name (Russian name), country'")


class DatasetVersion(BaseModel):
    """The dataset the service answers from."""

    name: str
    version: str
    content_hash: str
    nodes: int
    links: int
    services: int


class Health(BaseModel):
    """Liveness and versions."""

    status: str
    karavan: str
    python: str
    dataset: DatasetVersion | None = None
    libraries: dict[str, str]
    capabilities: dict[str, bool]


class Meta(BaseModel):
    """Vocabulary a client needs to build forms."""

    units: list[str]
    modes: list[str]
    node_kinds: list[str]
    countries: list[str]
