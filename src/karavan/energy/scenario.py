"""Energy scenarios: the freight scenario overlays (:mod:`karavan.capacity.scenario`) applied to energy tables.

A scenario file has the same shape as a freight one, with the energy tables as keys::

    name: casa-1000
    title: CASA-1000 in service
    year: 2027
    sources: [...]                     # extra sources the overlay cites
    modify:
      power_links:
        - {id: casa-hvdc-pk, set: {status: operating}, source: "energy:E17"}
    add:      {pipelines: [...], power_links: [...], generators: [...], demands: [...], buses: [...]}
    scale:    {demands: [{id: kz-north-load, field: yearly_twh, factor: 1.2, source: ...}]}
    remove:   {pipelines: [id, ...]}

``add``, ``modify`` and ``scale`` are applied by the shared :func:`~karavan.capacity.scenario.overlay_records`;
removing a bus also removes what references it (reported in the notes). Errors name the scenario file, the
entry, the field, the value and what was expected.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from karavan.capacity.scenario import Scenario, load_scenario, overlay_records
from karavan.energy.load import FILE_OF, TABLE_FILES, build_dataset
from karavan.energy.model import EnergyDataset
from karavan.errors import Problem, ValidationError
from karavan.io.load import parse_records

SCENARIO_TABLES: dict[str, str] = {
    "buses": "buses",
    "pipelines": "pipelines",
    "power_links": "power_links",
    "generators": "supplies",
    "demands": "demands",
    "parameters": "parameters",
    "profiles": "profiles",
    "trade_prices": "trade_prices",
    "carriers": "carriers",
}
"""Keys a scenario may use -> attribute of :class:`EnergyDataset`."""

_BUS_REFS = {
    "pipelines": ("from", "to"),
    "power_links": ("from", "to"),
    "supplies": ("bus", "fuel_bus"),
    "demands": ("bus",),
}


def energy_scenarios_dir() -> Path:
    """Directory of the energy scenarios shipped with karavan."""
    return Path(str(resources.files("karavan.energy") / "scenarios"))


def list_energy_scenarios() -> list[Scenario]:
    """The shipped energy scenarios, sorted by name."""
    return sorted((load_energy_scenario(p) for p in energy_scenarios_dir().glob("*.yaml")), key=lambda s: s.name)


def load_energy_scenario(spec: str | Path | Scenario) -> Scenario:
    """An energy scenario by shipped name or file path, structure checked."""
    sc = load_scenario(spec, directory=energy_scenarios_dir(), tables=SCENARIO_TABLES)
    for sec in ("close", "demand"):
        if sc.overlay.get(sec):
            raise ValidationError(
                [
                    Problem(
                        sc.file,
                        sec,
                        "-",
                        sc.overlay[sec],
                        "add, modify, scale or remove (energy scenarios have no " + sec + ")",
                    )
                ]
            )
    return sc


def _dump(rec: BaseModel) -> dict[str, Any]:
    return rec.model_dump(mode="json", by_alias=True, exclude_none=True)


def _raw_tables(ds: EnergyDataset) -> dict[str, dict[str, dict[str, Any]]]:
    return {key: {rid: _dump(r) for rid, r in getattr(ds, attr).items()} for key, attr in SCENARIO_TABLES.items()}


def _remove(
    tables: dict[str, dict[str, dict[str, Any]]], sc: Scenario, problems: list[Problem], notes: list[str]
) -> None:
    for table, ids in (sc.overlay.get("remove") or {}).items():
        for i, rid in enumerate(ids):
            if rid not in tables[table]:
                problems.append(Problem(sc.file, f"remove.{table}[{i}]", "id", rid, f"the id of a record in {table}"))
                continue
            del tables[table][rid]
            if table == "buses":
                _cascade(tables, rid, notes, f"remove.buses[{i}]")


def _cascade(tables: dict[str, dict[str, dict[str, Any]]], bus: str, notes: list[str], why: str) -> None:
    for key, attr in SCENARIO_TABLES.items():
        for rid, rec in list(tables[key].items()):
            if any(rec.get(f) == bus for f in _BUS_REFS.get(attr, ())):
                del tables[key][rid]
                notes.append(f"{key} {rid} removed by {why}")


def apply_energy_scenario(ds: EnergyDataset, scenario: str | Path | Scenario) -> EnergyDataset:
    """``ds`` with an energy scenario applied; the result is a new, fully validated :class:`EnergyDataset`.

    Raises
    ------
    karavan.errors.ValidationError
        Every problem, each naming the scenario file, the entry (e.g. ``modify.pipelines[0] (tcp)``), the
        field, the value and what was expected.
    """
    sc = load_energy_scenario(scenario)
    problems: list[Problem] = []
    notes: list[str] = []
    tables = _raw_tables(ds)
    _remove(tables, sc, problems, notes)
    origin = overlay_records(tables, sc, problems)
    parsed: dict[str, dict[str, Any]] = {}
    for key, attr in SCENARIO_TABLES.items():
        file = FILE_OF[attr]
        local: list[Problem] = []
        parsed[attr] = parse_records(file, TABLE_FILES[file][1], list(tables[key].values()), local)
        problems.extend(_relabel(sc, key, origin, p) for p in local)
    sources = {**{k: _dump(v) for k, v in ds.sources.items()}, **{s["id"]: s for s in sc.overlay.get("sources") or []}}
    parsed["sources"] = parse_records("sources.yaml", TABLE_FILES["sources.yaml"][1], list(sources.values()), problems)
    for attr in FILE_OF:
        parsed.setdefault(attr, getattr(ds, attr))
    digest = hashlib.sha256((ds.content_hash + sc.digest).encode()).hexdigest()
    info = ds.info.model_dump()
    new, after = build_dataset(info, parsed, path=ds.path, content_hash=digest)
    key_of = {FILE_OF[attr]: key for key, attr in SCENARIO_TABLES.items()}
    problems.extend(_relabel(sc, key_of.get(p.file, ""), origin, p, after=True) for p in after)
    if problems:
        raise ValidationError(problems)
    label = ds.scenario + "+" + sc.name if ds.scenario != "base" else sc.name
    object.__setattr__(new, "scenario", label)
    object.__setattr__(new, "notes", (*ds.notes, *notes))
    return new


def _relabel(
    sc: Scenario, table: str, origin: dict[tuple[str, str], str], p: Problem, *, after: bool = False
) -> Problem:
    where = origin.get((table, p.record))
    if where is not None:
        prefix = "set." if where.startswith("modify") and not after else ""
        return Problem(
            sc.file, f"{where} ({p.record})", prefix + p.field if p.field != "-" else p.field, p.value, p.expected
        )
    suffix = " (after applying)" if after else ""
    return Problem(sc.file, f"{p.file} {p.record}{suffix}", p.field, p.value, p.expected)


def dataset_for(spec: str | Path | Scenario | None, base: EnergyDataset) -> EnergyDataset:
    """``base`` for ``None`` or ``"base"``, else ``base`` with the scenario applied."""
    if spec is None or (isinstance(spec, str) and spec.lower() == "base"):
        return base
    return apply_energy_scenario(base, spec)
