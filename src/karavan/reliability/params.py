"""Versioned reliability parameters: slippage, running-time spread, weather, and the Caspian DES.

The packaged ``parameters.yaml`` beside this module holds the defaults with source ids
per value (or an ``estimate`` with its reasoning). :func:`load_reliability_parameters`
reads it (or a user's copy) into the immutable :class:`ReliabilityParameters`.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from karavan.errors import Problem, ValidationError
from karavan.model.distributions import Distribution, coerce_distribution
from karavan.model.entities import Node, Source
from karavan.model.network import normalise_name

Dist = Annotated[Distribution, BeforeValidator(coerce_distribution)]
PARAMETERS_FILE = "parameters.yaml"


def _split(v: object) -> object:
    if isinstance(v, str):
        return tuple(s.strip() for s in v.replace(";", ",").split(",") if s.strip())
    return v


class _Rec(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    source: tuple[str, ...] = ()
    estimate: str = ""
    note: str = ""

    @field_validator("source", mode="before")
    @classmethod
    def _src(cls, v: object) -> object:
        return _split(v)


class DistParam(_Rec):
    """A distribution with its provenance."""

    value: Dist


class MonteCarloParams(BaseModel):
    """Slippage and running-time factors by service kind."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    slippage_h: dict[str, DistParam] = Field(default_factory=dict)
    running_factor: dict[str, DistParam] = Field(default_factory=dict)


class PortWeather(_Rec):
    """Monthly weather closure share of one port and the names that identify it in a network."""

    id: str
    name: str
    match: tuple[str, ...] = Field(min_length=1)
    closed_share: tuple[float, ...] = Field(min_length=12, max_length=12)

    @field_validator("closed_share")
    @classmethod
    def _share(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        for x in v:
            if not 0 <= x < 1:
                raise ValueError(f"closed shares must be in [0, 1), got {x}")
        return v

    def matches(self, node: Node) -> bool:
        """Whether ``node`` is this port (by id, UN/LOCODE or a name)."""
        keys = {normalise_name(k) for k in self.match}
        cand = {node.id, node.name_en, node.name_ru, *node.aliases}
        if node.locode:
            cand.add(node.locode)
        return any(normalise_name(c) in keys for c in cand)


class WeatherParams(BaseModel):
    """Storm durations and closure shares by port and month."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    storm_h: DistParam
    ports: tuple[PortWeather, ...] = ()


class DesPort(_Rec):
    """A port of the DES with its berths by berth type (and, optionally, its handling time per call by type)."""

    id: str
    name: str
    berths: dict[str, int]
    handling_h: dict[str, Dist] = Field(default_factory=dict)
    node: str | None = None
    """Id of the port's node in the network, so the DES output joins the network's nodes."""


class DesLine(_Rec):
    """A shuttle line between two ports."""

    id: str
    ports: tuple[str, str]
    sailing_h: Dist


class VesselClass(_Rec):
    """A vessel class: berth type, capacity in slots, slots per unit type, handling time per call."""

    berth: str
    capacity: float = Field(gt=0)
    slots: dict[str, float] = Field(min_length=1)
    handling_h: Dist
    rule: Literal["when_full", "timetable"] | None = None
    """Loading rule of this class; default the fleet-wide rule."""
    fill_threshold: float | None = Field(default=None, gt=0, le=1)
    headway_h: float | None = Field(default=None, gt=0)
    phase_h: float | None = Field(default=None, ge=0)
    """Timetable offset of the first departure (h after the calendar origin); default a random phase."""


class FleetEntry(_Rec):
    """``count`` vessels of ``class`` deployed on ``line`` (capacity overrides the class's)."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False)

    line: str
    vessel_class: str = Field(alias="class")
    count: int = Field(ge=0)
    capacity: float | None = Field(default=None, gt=0)


class LoadingRule(_Rec):
    """When a vessel sails: when full (threshold, with a maximum wait) or on a headway timetable."""

    rule: Literal["when_full", "timetable"] = "when_full"
    fill_threshold: float = Field(default=0.9, gt=0, le=1)
    max_wait_h: float = Field(default=96, gt=0)
    headway_h: float = Field(default=72, gt=0)
    reposition: bool = True
    """Sail early when a full load already waits at the other end of the line."""
    wait_at_anchor: bool = False
    """A ship that finds nothing to load frees the berth and waits for cargo at anchor."""


class DemandUnit(_Rec):
    """Yearly units of one type at the reference demand, split by line and direction."""

    per_year: float = Field(ge=0)
    t_per_unit: float = Field(gt=0)
    lines: dict[str, float]
    westbound: float = Field(ge=0, le=1)
    batch: int = Field(default=1, ge=1)


class DemandParams(_Rec):
    """Demand mix and monthly seasonality."""

    reference_mt: float = Field(gt=0)
    units: dict[str, DemandUnit]
    seasonality: tuple[float, ...] = Field(min_length=12, max_length=12)
    seasonality_source: tuple[str, ...] = ()
    seasonality_estimate: str = ""

    @field_validator("seasonality_source", mode="before")
    @classmethod
    def _ss(cls, v: object) -> object:
        return _split(v)


class DesParams(BaseModel):
    """The Caspian crossing: ports, lines, vessel classes, fleet, loading rule, demand."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    ports: tuple[DesPort, ...]
    lines: tuple[DesLine, ...]
    vessel_classes: dict[str, VesselClass]
    fleet: tuple[FleetEntry, ...]
    loading: LoadingRule
    demand: DemandParams

    @model_validator(mode="after")
    def _refs(self) -> DesParams:
        port_ids = {p.id for p in self.ports}
        line_ids = {ln.id for ln in self.lines}
        for ln in self.lines:
            for p in ln.ports:
                if p not in port_ids:
                    raise ValueError(f"line {ln.id}: unknown port {p!r}")
        for f in self.fleet:
            if f.line not in line_ids:
                raise ValueError(f"fleet: unknown line {f.line!r}")
            if f.vessel_class not in self.vessel_classes:
                raise ValueError(f"fleet: unknown vessel class {f.vessel_class!r}")
        for name, u in self.demand.units.items():
            for ln_id in u.lines:
                if ln_id not in line_ids:
                    raise ValueError(f"demand.units.{name}: unknown line {ln_id!r}")
        return self

    def line(self, line_id: str) -> DesLine:
        """The line with id ``line_id``."""
        return next(ln for ln in self.lines if ln.id == line_id)


class ReliabilityParameters(BaseModel):
    """Everything the reliability models read besides the network."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    version: str
    sources: tuple[Source, ...] = ()
    montecarlo: MonteCarloParams
    weather: WeatherParams
    des: DesParams

    @model_validator(mode="after")
    def _cited(self) -> ReliabilityParameters:
        known = {s.id for s in self.sources}
        for rec in _records(self):
            for sid in rec.source:
                if sid not in known:
                    raise ValueError(f"unknown source id {sid!r}")
        return self

    def port_weather(self, node: Node) -> PortWeather | None:
        """Weather record for ``node``, or ``None`` if the node is not a listed port.

        A node that states its own ``closed_share`` (a dataset or scenario value) wins over the listed one.
        """
        listed = next((p for p in self.weather.ports if p.matches(node)), None)
        if node.closed_share is None:
            return listed
        return PortWeather(
            id=listed.id if listed is not None else node.id,
            name=node.name_en,
            match=(node.id,),
            closed_share=node.closed_share,
            source=node.source,
            estimate=node.estimate.get("closed_share", ""),
        )


def _records(p: ReliabilityParameters) -> list[_Rec]:
    out: list[_Rec] = [*p.montecarlo.slippage_h.values(), *p.montecarlo.running_factor.values()]
    out += [p.weather.storm_h, *p.weather.ports]
    d = p.des
    out += [*d.ports, *d.lines, *d.vessel_classes.values(), *d.fleet, d.loading, d.demand, *d.demand.units.values()]
    return out


def parse_reliability_parameters(data: Any, *, file: str = PARAMETERS_FILE) -> ReliabilityParameters:
    """Validate a parsed parameters mapping.

    Raises
    ------
    karavan.errors.ValidationError
        Naming the file, the location and the problem.
    """
    try:
        return ReliabilityParameters.model_validate(data)
    except PydanticValidationError as exc:
        problems = [
            Problem(
                file,
                ".".join(str(x) for x in e["loc"][:-1]) or "-",
                str(e["loc"][-1]) if e["loc"] else "-",
                e.get("input"),
                e["msg"],
            )
            for e in exc.errors()
        ]
        raise ValidationError(problems) from None


def load_reliability_parameters(path: str | Path | None = None) -> ReliabilityParameters:
    """Read the packaged parameters, or a user's copy at ``path``.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file with the packaged layout.

    Returns
    -------
    ReliabilityParameters
    """
    if path is None:
        return _packaged()
    from karavan.io.safe_yaml import load_yaml

    p = Path(path)
    if not p.is_file():
        from karavan.errors import InputError

        why = "a directory" if p.is_dir() else "no such file"
        raise InputError("parameters", str(path), f"a readable YAML file ({why})")
    return parse_reliability_parameters(load_yaml(p), file=p.name)


@lru_cache(maxsize=1)
def _packaged() -> ReliabilityParameters:
    from karavan.io import cache

    data = resources.files("karavan.reliability").joinpath(PARAMETERS_FILE).read_bytes()

    def parse() -> ReliabilityParameters:
        from karavan.io.safe_yaml import parse_yaml

        return parse_reliability_parameters(parse_yaml(data, file=PARAMETERS_FILE))

    return cache.cached("reliability-parameters", (data,), ReliabilityParameters, parse)
