"""Load and validate an energy dataset directory, reporting every problem at once.

An energy dataset is a directory of YAML tables like the freight datasets (same reader, same error style,
same sources table and ``estimate`` flags)::

    dataset.yaml        name, kind: energy, version, description, licence
    sources.yaml        publications that values cite
    parameters.yaml     VoLL, gas conversion, losses, reactances
    carriers.yaml       fuels with CO2 per MWh and map colours
    days.yaml           typical days (month, weight in days)
    profiles.yaml       monthly and 3-hour factors for demand shapes and availabilities
    buses.yaml          gas hubs and fields, power zones
    pipelines.yaml      gas pipelines (bcm/yr, km, status)
    power_links.yaml    AC corridors, HVDC and islanded export links (MW, kV, km, status)
    generators.yaml     gas fields and power plants
    demands.yaml        fixed demands and market buyers
    trade_prices.yaml   prices that value cross-border flows
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from karavan import datasets
from karavan.energy.model import (
    Bus,
    Carrier,
    CarrierInfo,
    Day,
    Demand,
    EnergyDataset,
    EnergyInfo,
    LinkKind,
    Parameter,
    Pipeline,
    PowerLink,
    Profile,
    ProfileKind,
    Supply,
    TradePrice,
)
from karavan.errors import DatasetError, Problem, ValidationError
from karavan.io.load import INFO_FILE, check_provenance, dataset_hash, parse_records, read_tables
from karavan.model.entities import Source

DEFAULT = "central-asia-energy"
"""Name of the default embedded energy dataset."""

TABLE_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "sources.yaml": ("sources", Source),
    "parameters.yaml": ("parameters", Parameter),
    "carriers.yaml": ("carriers", CarrierInfo),
    "days.yaml": ("days", Day),
    "profiles.yaml": ("profiles", Profile),
    "buses.yaml": ("buses", Bus),
    "pipelines.yaml": ("pipelines", Pipeline),
    "power_links.yaml": ("power_links", PowerLink),
    "generators.yaml": ("supplies", Supply),
    "demands.yaml": ("demands", Demand),
    "trade_prices.yaml": ("trade_prices", TradePrice),
}
"""Table files of an energy dataset -> (attribute of :class:`EnergyDataset`, record model)."""

FILE_OF = {attr: name for name, (attr, _) in TABLE_FILES.items()}
REQUIRED_PARAMETERS = (
    "gas_mwh_per_bcm",
    "voll_power_usd_per_mwh",
    "voll_gas_usd_per_mwh",
    "pipeline_fuel_percent_per_1000km",
    "hvdc_loss_percent_per_1000km",
    "controllable_loss_percent",
    "x_ohm_per_km_500kv",
    "x_ohm_per_km_220kv",
    "gas_field_swing",
)
YEAR_DAYS = 365.0


def resolve(spec: str | Path | None) -> Path:
    """An energy dataset directory from a name, a path or ``None`` (the default)."""
    return datasets.resolve(DEFAULT if spec is None else spec)


def build_dataset(
    info_raw: Any, tables: dict[str, dict[str, Any]], *, path: Path | None, content_hash: str
) -> tuple[EnergyDataset, list[Problem]]:
    """Assemble and cross-check an :class:`EnergyDataset` from parsed tables; return it with its problems."""
    problems: list[Problem] = []
    info: EnergyInfo | None = None
    try:
        info = EnergyInfo.model_validate(info_raw)
    except PydanticValidationError as exc:
        for err in exc.errors():
            fld = ".".join(str(x) for x in err["loc"]) or "-"
            expected = "energy (this is not an energy dataset)" if fld == "kind" else err["msg"]
            problems.append(Problem(INFO_FILE, "-", fld, err.get("input"), expected))
    if info is None:
        info = EnergyInfo(name=(path.resolve().name if path else "") or "energy", kind="energy", version="unknown")
    ds = EnergyDataset(
        info=info,
        sources=tables.get("sources", {}),
        parameters=tables.get("parameters", {}),
        carriers=tables.get("carriers", {}),
        days=tables.get("days", {}),
        profiles=tables.get("profiles", {}),
        buses=tables.get("buses", {}),
        pipelines=tables.get("pipelines", {}),
        power_links=tables.get("power_links", {}),
        supplies=tables.get("supplies", {}),
        demands=tables.get("demands", {}),
        trade_prices=tables.get("trade_prices", {}),
        content_hash=content_hash,
        path=path,
    )
    problems.extend(check_dataset(ds))
    return ds, problems


def _load(path: Path) -> tuple[EnergyDataset, list[Problem]]:
    raw, problems = read_tables(path, files=TABLE_FILES)
    tables: dict[str, dict[str, Any]] = {}
    for name, (attr, model) in TABLE_FILES.items():
        tables[attr] = parse_records(name, model, raw.get(name, []), problems)
    ds, more = build_dataset(
        raw.get(INFO_FILE, {}), tables, path=path, content_hash=dataset_hash(path, files=TABLE_FILES)
    )
    return ds, problems + more


def validate_energy_dataset(path: str | Path | None = None) -> list[Problem]:
    """Every problem in the energy dataset at ``path`` (a directory, an embedded name or ``None``)."""
    return _load(resolve(path))[1]


_CACHE: dict[tuple[str, str], EnergyDataset] = {}


def load_energy(path: str | Path | None = None) -> EnergyDataset:
    """Load and validate an energy dataset; cached by the files' content hash.

    Parameters
    ----------
    path
        A dataset directory, the name of an embedded dataset, or ``None`` for ``central-asia-energy``.

    Raises
    ------
    karavan.errors.ValidationError
        Listing every problem (file, record, field, value, expectation).
    karavan.errors.DatasetError
        If the dataset cannot be found.
    """
    directory = resolve(path)
    key = (str(directory.resolve()), dataset_hash(directory, files=TABLE_FILES))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    if not (directory / "buses.yaml").is_file() and (directory / "nodes.yaml").is_file():
        raise DatasetError(f"dataset {str(path)!r} is a freight dataset; energy commands need an energy dataset")
    ds, problems = _load(directory)
    if problems:
        raise ValidationError(problems)
    _CACHE[key] = ds
    return ds


# --------------------------------------------------------------------------- cross-table checks


def check_dataset(ds: EnergyDataset) -> list[Problem]:
    """Cross-table checks (references, carriers, profiles, the year's days, provenance)."""
    problems: list[Problem] = []
    for attr, file in FILE_OF.items():
        if attr == "sources":
            continue
        for rec in getattr(ds, attr).values():
            check_provenance(file, rec, ds.sources, problems)
    for name in REQUIRED_PARAMETERS:
        if name not in ds.parameters:
            problems.append(Problem("parameters.yaml", name, "id", None, f"a parameter {name}"))
    _check_days(ds, problems)
    _check_pipelines(ds, problems)
    _check_power_links(ds, problems)
    _check_supplies(ds, problems)
    _check_demands(ds, problems)
    return problems


def _check_days(ds: EnergyDataset, problems: list[Problem]) -> None:
    total = sum(d.weight_days for d in ds.days.values())
    if ds.days and abs(total - YEAR_DAYS) > 1e-6:
        problems.append(
            Problem("days.yaml", "-", "weight_days", round(total, 6), f"weights that sum to {YEAR_DAYS:g} days")
        )
    if not ds.days:
        problems.append(Problem("days.yaml", "-", "-", [], "at least one typical day"))


def _bus_ref(
    ds: EnergyDataset, file: str, rec: str, fld: str, bus_id: str, carrier: Carrier, problems: list[Problem]
) -> bool:
    bus = ds.buses.get(bus_id)
    if bus is None:
        problems.append(Problem(file, rec, fld, bus_id, "a bus id defined in buses.yaml"))
        return False
    if bus.carrier is not carrier:
        problems.append(Problem(file, rec, fld, bus_id, f"a {carrier.value} bus (it is a {bus.carrier.value} bus)"))
        return False
    return True


def _profile_ref(
    ds: EnergyDataset, file: str, rec: str, fld: str, pid: str, kind: ProfileKind, problems: list[Problem]
) -> None:
    prof = ds.profiles.get(pid)
    if prof is None:
        problems.append(Problem(file, rec, fld, pid, "a profile id defined in profiles.yaml"))
    elif prof.kind is not kind:
        problems.append(Problem(file, rec, fld, pid, f"a profile of kind {kind.value} (it is {prof.kind.value})"))


def _check_ends(
    ds: EnergyDataset, file: str, rec: Pipeline | PowerLink, carrier: Carrier, problems: list[Problem]
) -> None:
    ok = _bus_ref(ds, file, rec.id, "from", rec.from_id, carrier, problems)
    ok = _bus_ref(ds, file, rec.id, "to", rec.to_id, carrier, problems) and ok
    if rec.from_id == rec.to_id:
        problems.append(Problem(file, rec.id, "to", rec.to_id, "a bus other than `from`"))


def _check_pipelines(ds: EnergyDataset, problems: list[Problem]) -> None:
    for p in ds.pipelines.values():
        _check_ends(ds, "pipelines.yaml", p, Carrier.GAS, problems)


def _check_power_links(ds: EnergyDataset, problems: list[Problem]) -> None:
    for lk in ds.power_links.values():
        _check_ends(ds, "power_links.yaml", lk, Carrier.ELECTRICITY, problems)
        if lk.availability is not None:
            _profile_ref(
                ds, "power_links.yaml", lk.id, "availability", lk.availability, ProfileKind.AVAILABILITY, problems
            )
        if lk.kind is LinkKind.AC_LINE and lk.bidirectional:
            problems.append(
                Problem(
                    "power_links.yaml",
                    lk.id,
                    "bidirectional",
                    True,
                    "no bidirectional flag on an ac_line (always both ways)",
                )
            )


def _check_supplies(ds: EnergyDataset, problems: list[Problem]) -> None:
    f = "generators.yaml"
    for s in ds.supplies.values():
        if s.carrier not in ds.carriers:
            problems.append(Problem(f, s.id, "carrier", s.carrier, "a carrier id defined in carriers.yaml"))
        if s.capacity_bcm_per_year is not None:
            _bus_ref(ds, f, s.id, "bus", s.bus, Carrier.GAS, problems)
            if s.fuel_bus is not None:
                problems.append(Problem(f, s.id, "fuel_bus", s.fuel_bus, "no fuel_bus on a gas field"))
        else:
            _bus_ref(ds, f, s.id, "bus", s.bus, Carrier.ELECTRICITY, problems)
            if s.fuel_bus is not None:
                _bus_ref(ds, f, s.id, "fuel_bus", s.fuel_bus, Carrier.GAS, problems)
        if s.availability is not None:
            _profile_ref(ds, f, s.id, "availability", s.availability, ProfileKind.AVAILABILITY, problems)


def _check_demands(ds: EnergyDataset, problems: list[Problem]) -> None:
    f = "demands.yaml"
    for d in ds.demands.values():
        carrier = Carrier.GAS if d.yearly_bcm is not None else Carrier.ELECTRICITY
        if d.bus in ds.buses and ds.buses[d.bus].carrier is not carrier:
            fld = "yearly_bcm" if carrier is Carrier.GAS else "yearly_twh"
            want = "yearly_twh" if carrier is Carrier.GAS else "yearly_bcm"
            problems.append(
                Problem(
                    f,
                    d.id,
                    fld,
                    d.yearly_bcm or d.yearly_twh,
                    f"{want} on the {ds.buses[d.bus].carrier.value} bus {d.bus}",
                )
            )
        else:
            _bus_ref(ds, f, d.id, "bus", d.bus, carrier, problems)
        _profile_ref(ds, f, d.id, "profile", d.profile, ProfileKind.SHAPE, problems)


def table_files() -> Iterable[str]:
    """The table file names of an energy dataset."""
    return TABLE_FILES.keys()
