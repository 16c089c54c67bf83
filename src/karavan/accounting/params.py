"""Versioned accounting parameters: emission intensities, grid intensities, default tariffs.

The packaged file ``karavan/accounting/parameters.yaml`` holds the defaults (GLEC
Framework v3.0 values with source ids, and flagged estimates with their derivation).
A dataset directory may ship its own ``parameters.yaml`` with the same layout; its
records override the packaged ones by id (see :func:`load_parameters`).

The pydantic models below validate the files; :class:`Parameters` is the merged,
immutable result, with plain lookup tables (:class:`ResolvedToc`, :class:`ResolvedHoc`)
that the per-element functions use without constructing pydantic objects.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from karavan.errors import Problem, ValidationError
from karavan.model.entities import ID_RE, Source
from karavan.model.enums import Mode, Unit
from karavan.model.network import Network

PARAMETERS_FILE = "parameters.yaml"
"""Name of the parameters file, packaged and in a dataset directory."""

WILDCARD = "*"
"""Country or unit wildcard in ``grid`` and ``tariffs`` records."""

CatId = Annotated[str, Field(pattern=ID_RE, min_length=1, max_length=80)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Pos = Annotated[float, Field(gt=0, allow_inf_nan=False)]

_WTW_TOLERANCE_ABS = 0.15
"""Published WTT + TTW may differ from WTW by rounding of the printed values."""


class _ParamRecord(BaseModel):
    """Common base: frozen, strict about unknown fields, with provenance."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    source: tuple[str, ...] = ()
    estimate: str = ""
    """One-line (or short) derivation when the value is not a published default."""
    note: str = ""

    @field_validator("source", mode="before")
    @classmethod
    def _split_source(cls, v: object) -> object:
        if isinstance(v, str):
            return tuple(s.strip() for s in v.replace(";", ",").split(",") if s.strip())
        return v

    @model_validator(mode="after")
    def _provenance(self) -> _ParamRecord:
        if not self.source and not self.estimate.strip():
            raise ValueError("cite a source id in `source` or give an `estimate` derivation")
        return self


class TransportCategory(_ParamRecord):
    """A transport operation category (TOC) and its emission intensity.

    Attributes
    ----------
    basis : {"tkm", "teu_km"}
        Activity unit of the intensity: tonne-km or TEU-km.
    energy : {"fuel", "electricity"}
        Fuel-based intensities give ``wtw_g`` and ``ttw_g``; electric ones give ``kwh``
        (kWh per activity unit), multiplied by the grid intensity of each segment's country.
    wtw_g, ttw_g, wtt_g : float or None
        g CO2e per activity unit; ``wtt_g`` is optional and only checked against
        ``wtw_g - ttw_g`` (karavan reports WTT as WTW - TTW).
    daf : float
        Distance adjustment factor applied to the planned (link) distance.
    gross_mass : bool
        The intensity is per gross tonne-km of the carried vehicle (GLEC Ro-Ro): the
        unit's ``tare_t`` is added to the cargo mass.
    diesel_fallback : str or None
        For electric categories: the category used on non-electrified links by services
        whose ``traction`` is ``mixed``.
    """

    id: CatId
    name: str = Field(min_length=1)
    mode: Mode
    basis: Literal["tkm", "teu_km"]
    energy: Literal["fuel", "electricity"]
    wtw_g: NonNeg | None = None
    ttw_g: NonNeg | None = None
    wtt_g: NonNeg | None = None
    kwh: Pos | None = None
    daf: float = Field(default=1.0, ge=1.0, le=3.0, allow_inf_nan=False)
    gross_mass: bool = False
    diesel_fallback: CatId | None = None

    @model_validator(mode="after")
    def _energy_fields(self) -> TransportCategory:
        if self.energy == "fuel":
            if self.wtw_g is None or self.ttw_g is None:
                raise ValueError("a fuel category needs wtw_g and ttw_g")
            if self.ttw_g > self.wtw_g:
                raise ValueError(f"ttw_g ({self.ttw_g}) must be <= wtw_g ({self.wtw_g})")
            if self.wtt_g is not None and abs(self.wtt_g + self.ttw_g - self.wtw_g) > _WTW_TOLERANCE_ABS:
                raise ValueError(
                    f"wtt_g + ttw_g ({self.wtt_g} + {self.ttw_g}) must equal wtw_g ({self.wtw_g}) "
                    f"within {_WTW_TOLERANCE_ABS}"
                )
            if self.kwh is not None or self.diesel_fallback is not None:
                raise ValueError("kwh and diesel_fallback are for energy: electricity only")
        else:
            if self.kwh is None:
                raise ValueError("an electricity category needs kwh (kWh per activity unit)")
            if self.wtw_g is not None or self.ttw_g is not None or self.wtt_g is not None:
                raise ValueError("an electricity category takes kwh, not wtw_g/ttw_g/wtt_g")
        return self


class HubCategory(_ParamRecord):
    """A hub operation category (HOC) and its emission intensity.

    Attributes
    ----------
    basis : {"tonne", "container"}
        kg CO2e per tonne of outbound throughput, or per container handled.
    wtw_kg : float
        WTW intensity.
    ttw_kg : float or None
        Operational part, where published; when absent the whole WTW value is reported
        as operational (TTW) and WTT = 0, as GLEC's Module 4 example does (p. 120).
    """

    id: CatId
    name: str = Field(min_length=1)
    basis: Literal["tonne", "container"]
    wtw_kg: NonNeg
    ttw_kg: NonNeg | None = None

    @model_validator(mode="after")
    def _split(self) -> HubCategory:
        if self.ttw_kg is not None and self.ttw_kg > self.wtw_kg:
            raise ValueError(f"ttw_kg ({self.ttw_kg}) must be <= wtw_kg ({self.wtw_kg})")
        return self


class GridIntensity(_ParamRecord):
    """WTW g CO2e per kWh of electricity consumed in a country (``*`` = fallback)."""

    country: Annotated[str, Field(pattern=r"^([A-Z]{2}|\*)$")]
    g_per_kwh: NonNeg


class DefaultTariff(_ParamRecord):
    """Default price of carrying one unit when a service has no tariff for it.

    Price per unit and leg = ``flat_usd + per_km_usd × km + per_tkm_usd × t_per_unit × km``.
    ``country`` and ``unit`` accept ``*`` (any).
    """

    country: Annotated[str, Field(pattern=r"^([A-Z]{2}|\*)$")]
    mode: Mode
    unit: Unit | Literal["*"]
    flat_usd: NonNeg = 0.0
    per_km_usd: NonNeg = 0.0
    per_tkm_usd: NonNeg = 0.0

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, v: object) -> object:
        if isinstance(v, str) and v.strip() == WILDCARD:
            return WILDCARD
        return v

    @model_validator(mode="after")
    def _some_price(self) -> DefaultTariff:
        if self.flat_usd == 0 and self.per_km_usd == 0 and self.per_tkm_usd == 0:
            raise ValueError("give flat_usd, per_km_usd or per_tkm_usd")
        return self

    @property
    def key(self) -> tuple[str, Mode, str]:
        """``(country, mode, unit)`` lookup key."""
        return (self.country, self.mode, self.unit if isinstance(self.unit, str) else self.unit.value)


class InventoryDefaults(_ParamRecord):
    """Default annual carrying-cost rate of goods in transit (share of value per year)."""

    annual_rate: float = Field(ge=0, le=1, allow_inf_nan=False)


class ParametersFile(BaseModel):
    """Schema of one ``parameters.yaml`` file (packaged or dataset override)."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    version: str = Field(min_length=1)
    glec_version: str = ""
    sources: tuple[Source, ...] = ()
    toc: tuple[TransportCategory, ...] = ()
    hoc: tuple[HubCategory, ...] = ()
    grid: tuple[GridIntensity, ...] = ()
    tariffs: tuple[DefaultTariff, ...] = ()
    inventory: InventoryDefaults | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _version_str(cls, v: object) -> object:
        return str(v) if isinstance(v, int | float) else v


# ---------------------------------------------------------------------- resolved


@dataclass(frozen=True, slots=True)
class ResolvedToc:
    """A TOC flattened to plain floats for the per-element functions.

    ``ttw_g`` is 0 and ``wtw_g`` NaN for electric categories (their WTW depends on the
    grid of each segment's country: ``kwh × grid``).
    """

    id: str
    per_teu: bool
    electric: bool
    wtw_g: float
    ttw_g: float
    kwh: float
    daf: float
    gross_mass: bool
    diesel_fallback: str | None
    sources: tuple[str, ...]
    estimate: str


@dataclass(frozen=True, slots=True)
class ResolvedHoc:
    """A HOC flattened to plain floats."""

    id: str
    per_container: bool
    wtw_kg: float
    ttw_kg: float
    split_published: bool
    sources: tuple[str, ...]
    estimate: str


@dataclass(frozen=True, slots=True)
class ResolvedGrid:
    """Grid intensity of a country."""

    country: str
    g_per_kwh: float
    sources: tuple[str, ...]
    estimate: str


@dataclass(frozen=True, slots=True)
class ResolvedTariff:
    """A default tariff flattened to plain floats."""

    key: tuple[str, Mode, str]
    flat_usd: float
    per_km_usd: float
    per_tkm_usd: float
    sources: tuple[str, ...]
    estimate: str


@dataclass(frozen=True)
class Parameters:
    """Merged, validated accounting parameters (immutable).

    Attributes
    ----------
    version : str
        Version of the packaged file, ``+``-joined with a dataset override's version.
    files : tuple of str
        The files merged, in order.
    sources : Mapping[str, Source]
        Sources the records cite, by id.
    toc, hoc : Mapping[str, TransportCategory] / Mapping[str, HubCategory]
        Categories by id, as validated.
    grid : Mapping[str, GridIntensity]
        Grid intensities by country (``*`` = fallback).
    tariffs : Mapping[tuple[str, Mode, str], DefaultTariff]
        Default tariffs by ``(country, mode, unit)``.
    inventory_rate : float
        Default annual carrying-cost rate.
    """

    version: str
    files: tuple[str, ...]
    sources: Mapping[str, Source]
    toc: Mapping[str, TransportCategory]
    hoc: Mapping[str, HubCategory]
    grid: Mapping[str, GridIntensity]
    tariffs: Mapping[tuple[str, Mode, str], DefaultTariff]
    inventory_rate: float
    inventory_estimate: str = ""
    glec_version: str = ""
    fast_toc: Mapping[str, ResolvedToc] = field(default_factory=dict, repr=False)
    fast_hoc: Mapping[str, ResolvedHoc] = field(default_factory=dict, repr=False)
    fast_grid: Mapping[str, ResolvedGrid] = field(default_factory=dict, repr=False)
    fast_tariffs: Mapping[tuple[str, Mode, str], ResolvedTariff] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        toc = {
            k: ResolvedToc(
                id=k,
                per_teu=v.basis == "teu_km",
                electric=v.energy == "electricity",
                wtw_g=v.wtw_g if v.wtw_g is not None else math.nan,
                ttw_g=v.ttw_g if v.ttw_g is not None else 0.0,
                kwh=v.kwh if v.kwh is not None else 0.0,
                daf=v.daf,
                gross_mass=v.gross_mass,
                diesel_fallback=v.diesel_fallback,
                sources=v.source,
                estimate=v.estimate,
            )
            for k, v in self.toc.items()
        }
        hoc = {
            k: ResolvedHoc(
                id=k,
                per_container=v.basis == "container",
                wtw_kg=v.wtw_kg,
                ttw_kg=v.ttw_kg if v.ttw_kg is not None else v.wtw_kg,
                split_published=v.ttw_kg is not None,
                sources=v.source,
                estimate=v.estimate,
            )
            for k, v in self.hoc.items()
        }
        grid = {k: ResolvedGrid(k, v.g_per_kwh, v.source, v.estimate) for k, v in self.grid.items()}
        tariffs = {
            k: ResolvedTariff(k, v.flat_usd, v.per_km_usd, v.per_tkm_usd, v.source, v.estimate)
            for k, v in self.tariffs.items()
        }
        object.__setattr__(self, "fast_toc", toc)
        object.__setattr__(self, "fast_hoc", hoc)
        object.__setattr__(self, "fast_grid", grid)
        object.__setattr__(self, "fast_tariffs", tariffs)

    def grid_for(self, country: str) -> ResolvedGrid | None:
        """Grid intensity of ``country``, else the ``*`` fallback, else ``None``."""
        return self.fast_grid.get(country) or self.fast_grid.get(WILDCARD)

    def tariff_for(self, country: str, mode: Mode, unit: Unit) -> ResolvedTariff | None:
        """Most specific default tariff: country+unit, country+``*``, ``*``+unit, ``*``+``*``."""
        t = self.fast_tariffs
        return (
            t.get((country, mode, unit.value))
            or t.get((country, mode, WILDCARD))
            or t.get((WILDCARD, mode, unit.value))
            or t.get((WILDCARD, mode, WILDCARD))
        )


# ---------------------------------------------------------------------- loading


def _record_label(rec: Any, pos: int, key: str) -> str:
    if isinstance(rec, dict):
        if isinstance(rec.get("id"), str | int):
            return str(rec["id"])
        if key == "grid" and isinstance(rec.get("country"), str):
            return str(rec["country"])
        if key == "tariffs":
            return "/".join(str(rec.get(k, "?")) for k in ("country", "mode", "unit"))
    return f"#{pos + 1}"


def parse_parameters(data: Any, file: str) -> tuple[ParametersFile | None, list[Problem]]:
    """Validate parsed YAML ``data`` of ``file``; return the model or every problem found.

    Problems name the file, the record (id, country, ``country/mode/unit`` or ``#N``),
    the field, the bad value and what was expected.
    """
    if not isinstance(data, dict):
        return None, [Problem(file, "-", "-", type(data).__name__, "a mapping with version, toc, hoc, ...")]
    try:
        model = ParametersFile.model_validate(data)
    except PydanticValidationError as exc:
        problems: list[Problem] = []
        for err in exc.errors():
            loc = list(err["loc"])
            record, field_path = "-", loc
            if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
                section = data.get(loc[0])
                rec = section[loc[1]] if isinstance(section, list) and loc[1] < len(section) else None
                record = f"{loc[0]}:{_record_label(rec, loc[1], loc[0])}"
                field_path = loc[2:]
            elif len(loc) >= 1 and loc[0] == "inventory":
                record, field_path = "inventory", loc[1:]
            names = [str(x) for x in field_path if not str(x).startswith("function-")]
            names = [n for n in names if n not in {"str", "float", "int"} and not n.startswith("literal[")]
            value = None if err["type"] == "missing" else err.get("input")
            if isinstance(value, dict) and names:
                value = value.get(names[-1], value)
            problems.append(Problem(file, record, ".".join(names) or "-", value, err["msg"]))
        return None, problems
    return model, _duplicates(model, file)


def _duplicates(model: ParametersFile, file: str) -> list[Problem]:
    problems: list[Problem] = []
    for section, keys in (
        ("sources", [s.id for s in model.sources]),
        ("toc", [t.id for t in model.toc]),
        ("hoc", [h.id for h in model.hoc]),
        ("grid", [g.country for g in model.grid]),
        ("tariffs", ["/".join((k[0], k[1].value, k[2])) for k in (t.key for t in model.tariffs)]),
    ):
        seen: set[str] = set()
        for k in keys:
            if k in seen:
                problems.append(Problem(file, f"{section}:{k}", "id", k, "a unique key (duplicate)"))
            seen.add(k)
    return problems


def _check_refs(params: Parameters, files: str) -> list[Problem]:
    problems: list[Problem] = []
    for section, records in (
        ("toc", params.toc.values()),
        ("hoc", params.hoc.values()),
        ("grid", params.grid.values()),
        ("tariffs", params.tariffs.values()),
    ):
        for rec in records:
            label = getattr(rec, "id", None) or getattr(rec, "country", "-")
            if isinstance(rec, DefaultTariff):
                label = "/".join((rec.key[0], rec.key[1].value, rec.key[2]))
            for sid in rec.source:
                if sid not in params.sources:
                    problems.append(
                        Problem(files, f"{section}:{label}", "source", sid, "a source id defined in `sources`")
                    )
    for t in params.toc.values():
        if t.diesel_fallback is not None:
            fb = params.toc.get(t.diesel_fallback)
            if fb is None or fb.energy != "fuel" or fb.mode is not t.mode or fb.basis != t.basis:
                problems.append(
                    Problem(
                        files,
                        f"toc:{t.id}",
                        "diesel_fallback",
                        t.diesel_fallback,
                        f"the id of a fuel category of mode {t.mode.value} and basis {t.basis}",
                    )
                )
    return problems


def _read_yaml(path: Path, label: str, within: Path | None = None) -> tuple[Any, list[Problem]]:
    from karavan.io.safe_yaml import load_yaml

    try:
        return load_yaml(path, label=label, within=within), []
    except ValidationError as exc:
        return None, list(exc.problems)


def merge(base: ParametersFile, override: ParametersFile | None, files: tuple[str, ...]) -> Parameters:
    """Merge ``override`` into ``base`` by id (no validation beyond the models')."""
    layers = [base] if override is None else [base, override]
    sources: dict[str, Source] = {}
    toc: dict[str, TransportCategory] = {}
    hoc: dict[str, HubCategory] = {}
    grid: dict[str, GridIntensity] = {}
    tariffs: dict[tuple[str, Mode, str], DefaultTariff] = {}
    inventory = base.inventory
    for layer in layers:
        sources.update({s.id: s for s in layer.sources})
        toc.update({t.id: t for t in layer.toc})
        hoc.update({h.id: h for h in layer.hoc})
        grid.update({g.country: g for g in layer.grid})
        tariffs.update({t.key: t for t in layer.tariffs})
        if layer.inventory is not None:
            inventory = layer.inventory
    version = base.version if override is None else f"{base.version}+{override.version}"
    return Parameters(
        version=version,
        files=files,
        sources=sources,
        toc=toc,
        hoc=hoc,
        grid=grid,
        tariffs=tariffs,
        inventory_rate=inventory.annual_rate if inventory is not None else 0.0,
        inventory_estimate=inventory.estimate if inventory is not None else "",
        glec_version=(override.glec_version if override and override.glec_version else base.glec_version),
    )


@cache
def packaged_path() -> Path:
    """Path of the packaged ``parameters.yaml``."""
    return Path(str(resources.files("karavan.accounting") / PARAMETERS_FILE))


_Stamp = tuple[str, int, int, int]
_CACHE: dict[tuple[_Stamp, ...], Parameters] = {}


def _stamp(path: Path) -> _Stamp | None:
    """``(path, mtime, size, inode)`` of a file; ``None`` if there is none (one ``lstat`` for a plain file).

    A dangling symlink, or a symlink to something else than a file, gets a stamp of its own:
    reading it reports the problem.
    """
    name = str(path)
    st: os.stat_result | None = None
    try:
        st = os.lstat(name)
        if S_ISLNK(st.st_mode):
            st = os.stat(name)
    except FileNotFoundError:  # from lstat: no entry; from stat: a dangling symlink
        return (name, -1, -1, -1) if st is not None else None
    except OSError:
        return (name, -1, -1, -1)
    if S_ISREG(st.st_mode):
        return (name, st.st_mtime_ns, st.st_size, st.st_ino)
    return (name, -1, -1, -1) if os.path.islink(name) else None


@lru_cache(maxsize=256)
def _override_path(dataset_dir: str | Path) -> Path:
    return Path(dataset_dir) / PARAMETERS_FILE


def load_parameters(dataset_dir: str | Path | None = None, *, base: Path | None = None) -> Parameters:
    """Load the packaged parameters, merged with ``dataset_dir/parameters.yaml`` if present.

    Records of the dataset file override packaged ones with the same id (``toc``,
    ``hoc``, ``sources``), country (``grid``) or ``country/mode/unit`` (``tariffs``);
    ``inventory`` replaces the default. Results are cached in memory by the files' path,
    modification time, size and inode (checked with one ``stat`` per file and call, so an
    edited file is read again), and on disk by their contents (:mod:`karavan.io.cache`).

    Parameters
    ----------
    dataset_dir
        A dataset directory; ``None`` for the packaged parameters only.
    base
        Another base file instead of the packaged one (for tests and tools).

    Returns
    -------
    Parameters
        The merged parameters.

    Raises
    ------
    karavan.errors.ValidationError
        Listing every problem (file, record, field, value, expectation).
    """
    base_path = base if base is not None else packaged_path()
    paths = [base_path]
    stamps = [_stamp(base_path) or (str(base_path), -1, -1, -1)]
    if dataset_dir is not None:
        candidate = _override_path(dataset_dir)
        found = _stamp(candidate)
        if found is not None:
            paths.append(candidate)
            stamps.append(found)
    key = tuple(stamps)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    from karavan.io import cache as disk_cache

    params = disk_cache.cached(
        "parameters", disk_cache.file_parts(paths), Parameters, lambda: _build(paths, base_path, dataset_dir)
    )
    _CACHE[key] = params
    return params


def _build(paths: list[Path], base_path: Path, dataset_dir: str | Path | None) -> Parameters:
    """Read, validate and merge the parameter files (the uncached part of :func:`load_parameters`)."""
    problems: list[Problem] = []
    models: list[ParametersFile | None] = []
    for p in paths:
        label = str(p)
        within = Path(dataset_dir) if dataset_dir is not None and p is not base_path else None
        data, read_problems = _read_yaml(p, label, within=within)
        if read_problems:
            problems.extend(read_problems)
            models.append(None)
            continue
        model, parse_problems = parse_parameters(data, label)
        problems.extend(parse_problems)
        models.append(model)
    if problems:
        raise ValidationError(problems)
    base_model = models[0]
    assert base_model is not None
    params = merge(base_model, models[1] if len(models) > 1 else None, tuple(str(p) for p in paths))
    ref_problems = _check_refs(params, " + ".join(str(p) for p in paths))
    if ref_problems:
        raise ValidationError(ref_problems)
    return params


def check_categories(net: Network, params: Parameters) -> list[Problem]:
    """Services and hub operations whose ``toc``/``hoc`` is unknown or does not fit.

    Reports, per record of ``services.yaml`` and ``hub_operations.yaml``: an unknown
    category id, a TOC of another mode than the service's, and a TOC whose energy
    contradicts the service's declared ``traction``.
    """
    problems: list[Problem] = []
    toc_ids = ", ".join(sorted(params.toc))
    for svc in net.services.values():
        toc = params.toc.get(svc.toc)
        if toc is None:
            problems.append(
                Problem("services.yaml", svc.id, "toc", svc.toc, f"a transport operation category id: {toc_ids}")
            )
            continue
        if toc.mode is not svc.mode:
            problems.append(
                Problem(
                    "services.yaml",
                    svc.id,
                    "toc",
                    svc.toc,
                    f"a category of mode {svc.mode.value} (this one is {toc.mode.value})",
                )
            )
        if svc.traction == "diesel" and toc.energy == "electricity":
            problems.append(Problem("services.yaml", svc.id, "toc", svc.toc, "a fuel category for diesel traction"))
        if svc.traction in ("electric", "mixed") and toc.energy == "fuel":
            problems.append(
                Problem(
                    "services.yaml",
                    svc.id,
                    "toc",
                    svc.toc,
                    f"an electricity category for {svc.traction} traction",
                )
            )
    hoc_ids = ", ".join(sorted(params.hoc))
    for op in net.hub_operations.values():
        if op.hoc not in params.hoc:
            problems.append(
                Problem("hub_operations.yaml", op.id, "hoc", op.hoc, f"a hub operation category id: {hoc_ids}")
            )
    return problems
