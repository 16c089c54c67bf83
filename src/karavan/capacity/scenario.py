"""Scenarios: named YAML overlays applied on top of any dataset, giving a new validated network.

A scenario file::

    name: aktau-hub-240k
    title: Aktau container hub at 240,000 TEU a year
    year: 2026
    description: ...
    sources:                      # extra sources the overlay cites (same fields as sources.yaml)
      - {id: S151, publisher: ..., title: ..., year: 2025, url: ...}
    add:                          # new records, same fields as the dataset tables
      nodes: [...]
      links: [...]
      services: [...]
      hub_operations: [...]
    modify:                       # change fields of existing records
      hub_operations:
        - id: KZAAU-port
          set: {capacity_teu_per_year: 240000}
          source: S151            # or estimate: {capacity_teu_per_year: one-line reasoning}
    scale:                        # multiply numeric fields, e.g. tariffs or capacities
      services:
        - {id: "*", kind: rail_ferry, field: tariff, factor: 0.9, estimate: ...}
    remove:                       # delete records (dependants are removed too and reported)
      services: [id, ...]
    close:
      countries: [RU]             # no node, link or service in these countries
      links: [id, ...]            # e.g. the cross-border link of a border crossing
    demand:
      scale: 1.0                  # all flows
      scale_od:                   # matching flows (origin/destination place or country, commodity, unit)
        - {origin_country: KZ, destination_country: TM, factor: 2.0, source: ...}
      add: [...]                  # rows with the demand CSV columns

Every changed value must cite a source or carry an ``estimate`` reasoning. Errors name the
scenario file, the entry (``modify.links[2]``), the field, the value and what was expected.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import shutil
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from karavan.capacity.demand import Demand, parse_demand
from karavan.errors import InputError, Problem, UnknownPlaceError, ValidationError
from karavan.io.load import INFO_FILE, TABLE_FILES, check_network
from karavan.io.safe_yaml import load_yaml
from karavan.model.entities import DatasetInfo, HubOperation, Link, Node, Service, Source, UnitType
from karavan.model.network import Network

TABLES: dict[str, tuple[str, type[BaseModel]]] = {
    "nodes": ("nodes.yaml", Node),
    "links": ("links.yaml", Link),
    "services": ("services.yaml", Service),
    "hub_operations": ("hub_operations.yaml", HubOperation),
    "unit_types": ("unit_types.yaml", UnitType),
}
"""Tables a scenario may change: key in the scenario file -> (dataset file, entity)."""

TOP_KEYS = {"name", "title", "year", "description", "sources", "add", "modify", "scale", "remove", "close", "demand"}
DEMAND_KEYS = {"scale", "scale_od", "add"}
MATCH_KEYS = {"origin", "destination", "origin_country", "destination_country", "commodity", "unit"}


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario overlay (see the module docstring for the file format)."""

    name: str
    overlay: Mapping[str, Any]
    file: str = "<scenario>"
    title: str = ""
    year: int | None = None
    description: str = ""
    path: Path | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def digest(self) -> str:
        """Stable hash of the overlay (keys caches of the scenario network)."""
        return hashlib.sha256(json.dumps(self.overlay, sort_keys=True, default=str).encode()).hexdigest()

    def summary(self) -> dict[str, Any]:
        """Counts of what the overlay adds, modifies, removes and closes."""
        ov = self.overlay
        out: dict[str, Any] = {"name": self.name, "title": self.title, "year": self.year}
        for key in ("add", "modify", "scale"):
            out[key] = {t: len(v or []) for t, v in (ov.get(key) or {}).items()}
        out["remove"] = {t: list(v or []) for t, v in (ov.get("remove") or {}).items()}
        out["close"] = {t: list(v or []) for t, v in (ov.get("close") or {}).items()}
        out["demand"] = ov.get("demand") or {}
        return out

    def apply_demand(self, demand: Demand, net: Network) -> Demand:
        """The demand with this scenario's ``demand`` section applied (places resolved in ``net``)."""
        sec = self.overlay.get("demand") or {}
        problems: list[Problem] = []
        flows = list(demand.flows)
        scale = sec.get("scale", 1.0)
        if scale != 1.0:
            flows = list(Demand(tuple(flows)).scaled(float(scale)).flows)
        from dataclasses import replace

        for i, entry in enumerate(sec.get("scale_od") or []):
            where = f"demand.scale_od[{i}]"
            ids: dict[str, str] = {}
            for k in ("origin", "destination"):
                if k in entry:
                    try:
                        ids[k] = net.resolve(str(entry[k])).id
                    except UnknownPlaceError as exc:
                        problems.append(Problem(self.file, where, k, entry[k], f"a place in the network ({exc})"))
            factor = float(entry["factor"])
            hit = 0
            for j, f in enumerate(flows):
                if (
                    ("origin" not in ids or f.origin == ids["origin"])
                    and ("destination" not in ids or f.destination == ids["destination"])
                    and (
                        "origin_country" not in entry
                        or net.nodes[f.origin].country == str(entry["origin_country"]).upper()
                    )
                    and (
                        "destination_country" not in entry
                        or net.nodes[f.destination].country == str(entry["destination_country"]).upper()
                    )
                    and ("commodity" not in entry or f.commodity.lower() == str(entry["commodity"]).lower())
                    and ("unit" not in entry or f.unit.value.lower() == str(entry["unit"]).lower())
                ):
                    flows[j] = replace(f, volume_t=f.volume_t * factor)
                    hit += 1
            if hit == 0 and not problems:
                problems.append(
                    Problem(self.file, where, "-", {k: entry[k] for k in entry if k in MATCH_KEYS}, "a match for flows")
                )
        if problems:
            raise ValidationError(problems)
        extra = sec.get("add") or []
        if extra:
            rows = [{k: "" if v is None else str(v) for k, v in r.items()} for r in extra]
            added = parse_demand(rows, net, file=f"{self.file}: demand.add", name=demand.name)
            flows += list(added.flows)
        return Demand(tuple(flows), demand.name + f"+{self.name}" if demand.name else self.name, demand.notes)


# --------------------------------------------------------------------------- loading


def scenarios_dir() -> Path:
    """Directory of the scenarios shipped with karavan."""
    return Path(str(resources.files("karavan.capacity") / "scenarios"))


def list_scenarios() -> list[Scenario]:
    """The shipped scenarios, sorted by name."""
    out = [load_scenario(p) for p in sorted(scenarios_dir().glob("*.yaml"))]
    return sorted(out, key=lambda s: s.name)


def load_scenario(
    spec: str | Path | Scenario,
    *,
    directory: Path | None = None,
    tables: Collection[str] | None = None,
) -> Scenario:
    """Load a scenario by shipped name or file path, checking its structure.

    ``directory`` is where shipped names are looked up (default :func:`scenarios_dir`); ``tables`` is
    passed to :func:`parse_scenario`.

    Raises
    ------
    karavan.errors.ValidationError
        Every structural problem (file, entry, field, value, expected).
    karavan.errors.InputError
        If no shipped scenario has that name and no such file exists.
    """
    if isinstance(spec, Scenario):
        return spec
    path = Path(spec)
    shipped = directory if directory is not None else scenarios_dir()
    if not path.is_file():
        cand = shipped / f"{spec}.yaml"
        if cand.is_file():
            path = cand
        else:
            names = sorted(p.stem for p in shipped.glob("*.yaml"))
            raise InputError("scenario", str(spec), "a scenario file or one of: " + ", ".join(names))
    data = load_yaml(path)
    return parse_scenario(data, file=path.name, path=path, tables=tables)


def _listed(value: Any) -> list[Any]:
    """``value`` as a list (a scalar becomes a one-item list)."""
    return list(value) if isinstance(value, list | tuple) else [value]


def parse_scenario(
    data: Any,
    *,
    file: str = "<scenario>",
    path: Path | None = None,
    tables: Collection[str] | None = None,
) -> Scenario:
    """Check a scenario's structure (keys, shapes, factors, demand entries) and build a :class:`Scenario`.

    ``tables`` names the tables ``add``, ``modify``, ``scale`` and ``remove`` may change (default: the
    freight tables of :data:`TABLES`); another dataset kind passes its own.
    """
    problems: list[Problem] = []

    def bad(entry: str, fld: str, value: Any, expected: str) -> None:
        problems.append(Problem(file, entry, fld, value, expected))

    if not isinstance(data, dict):
        raise ValidationError([Problem(file, "-", "-", type(data).__name__, "a mapping with name, add, modify, ...")])
    for key in data:
        if key not in TOP_KEYS:
            bad("-", str(key), data[key], "one of " + ", ".join(sorted(TOP_KEYS)))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        bad("-", "name", name, "a scenario name")
        name = path.stem if path else "scenario"
    for sec in ("add", "modify", "scale", "remove", "close"):
        val = data.get(sec)
        if val is None:
            continue
        if not isinstance(val, dict):
            bad(sec, "-", val, "a mapping of table name to a list")
            continue
        allowed = set(tables if tables is not None else TABLES) if sec != "close" else {"countries", "links"}
        for table, items in val.items():
            if table not in allowed:
                bad(sec, str(table), items, "one of " + ", ".join(sorted(allowed)))
            elif not isinstance(items, list):
                bad(f"{sec}.{table}", "-", items, "a list")
            elif sec == "modify":
                for i, e in enumerate(items):
                    where = f"modify.{table}[{i}]"
                    if not isinstance(e, dict) or "id" not in e or not isinstance(e.get("set"), dict):
                        bad(where, "set", e, "a mapping with id, set: {field: value} and source or estimate")
                        continue
                    extra = set(e) - {"id", "set", "source", "estimate", "note"}
                    for k in sorted(extra):
                        bad(where, str(k), e[k], "one of id, set, source, estimate, note")
                    est = e.get("estimate") or {}
                    if not isinstance(est, dict):
                        bad(where, "estimate", est, "a mapping of field: one-line reasoning")
                        est = {}
                    src = e.get("source")
                    if src and not (isinstance(src, str) or all(isinstance(s, str) for s in _listed(src))):
                        bad(where, "source", src, "source ids: a string or a list of strings")
                    if not e.get("source"):
                        for fld, v in e["set"].items():
                            if fld not in est and fld not in ("source", "estimate", "note"):
                                bad(where, f"set.{fld}", v, "a `source` for this entry or an `estimate` for the field")
            elif sec == "scale":
                for i, e in enumerate(items):
                    where = f"scale.{table}[{i}]"
                    if not isinstance(e, dict) or "field" not in e or "factor" not in e:
                        bad(where, "-", e, "a mapping with id (or '*'), field, factor and source or estimate")
                        continue
                    if not _is_factor(e["factor"]):
                        bad(where, "factor", e["factor"], "a non-negative finite number")
                    if not e.get("source") and not e.get("estimate"):
                        bad(where, "source", None, "a source id or an `estimate` reasoning")
            elif sec in ("remove", "close"):
                for i, e in enumerate(items):
                    if not isinstance(e, str):
                        bad(f"{sec}.{table}[{i}]", "-", e, "an id (text)")
    srcs = data.get("sources") or []
    if not isinstance(srcs, list):
        bad("sources", "-", srcs, "a list of sources")
    else:
        for i, s in enumerate(srcs):
            try:
                Source.model_validate(s)
            except PydanticValidationError as exc:
                for err in exc.errors():
                    bad(f"sources[{i}]", ".".join(str(x) for x in err["loc"]) or "-", err.get("input"), err["msg"])
    dem = data.get("demand")
    if dem is not None:
        if not isinstance(dem, dict):
            bad("demand", "-", dem, "a mapping with scale, scale_od, add")
        else:
            for k in dem:
                if k not in DEMAND_KEYS:
                    bad("demand", str(k), dem[k], "one of " + ", ".join(sorted(DEMAND_KEYS)))
            if "scale" in dem and not _is_factor(dem["scale"]):
                bad("demand", "scale", dem["scale"], "a non-negative finite number")
            for i, e in enumerate(dem.get("scale_od") or []):
                where = f"demand.scale_od[{i}]"
                if not isinstance(e, dict):
                    bad(where, "-", e, "a mapping with match keys and factor")
                    continue
                if not _is_factor(e.get("factor")):
                    bad(where, "factor", e.get("factor"), "a non-negative finite number")
                if not set(e) & MATCH_KEYS:
                    bad(where, "-", e, "at least one of " + ", ".join(sorted(MATCH_KEYS)))
                for k in set(e) - MATCH_KEYS - {"factor", "source", "estimate", "note"}:
                    bad(
                        where,
                        str(k),
                        e[k],
                        "one of " + ", ".join(sorted(MATCH_KEYS | {"factor", "source", "estimate"})),
                    )
                if not e.get("source") and not e.get("estimate"):
                    bad(where, "source", None, "a source id or an `estimate` reasoning")
    if problems:
        raise ValidationError(problems)
    year = data.get("year")
    return Scenario(
        name=str(name),
        overlay=data,
        file=file,
        title=str(data.get("title") or ""),
        year=int(year) if isinstance(year, int) else None,
        description=str(data.get("description") or "").strip(),
        path=path,
    )


def _is_factor(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v >= 0


# --------------------------------------------------------------------------- applying


def _dump(rec: BaseModel) -> dict[str, Any]:
    return rec.model_dump(mode="json", by_alias=True, exclude_none=True)


def _tables_of(net: Network) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        "nodes": {k: _dump(v) for k, v in net.nodes.items()},
        "links": {k: _dump(v) for k, v in net.links.items()},
        "services": {k: _dump(v) for k, v in net.services.items()},
        "hub_operations": {k: _dump(v) for k, v in net.hub_operations.items()},
        "unit_types": {str(k.value): _dump(v) for k, v in net.unit_types.items()},
    }


def _refs_node(table: str, rec: dict[str, Any], nodes: set[str]) -> bool:
    if table == "links":
        return rec.get("from") in nodes or rec.get("to") in nodes
    if table == "services":
        return any(s in nodes for s in rec.get("stops", []))
    if table == "hub_operations":
        return rec.get("node") in nodes
    return False


def _uses_link(net_links: dict[str, dict[str, Any]], svc: dict[str, Any], gone: set[str]) -> bool:
    stops = svc.get("stops", [])
    pairs = set(itertools.pairwise(stops))
    for lid in gone:
        lk = net_links.get(lid)
        if lk is None:
            continue
        if (lk["from"], lk["to"]) in pairs or (lk["to"], lk["from"]) in pairs:
            return True
    return False


def apply_scenario(net: Network, scenario: Scenario | str | Path) -> Network:
    """Apply a scenario overlay to ``net``; the result is a new, fully validated :class:`Network`.

    Raises
    ------
    karavan.errors.ValidationError
        Every problem: entries naming unknown ids, invalid fields or values, and dataset checks
        that fail after applying (e.g. a service left without a link), each naming the scenario
        file, the entry, the field, the value and what was expected.
    """
    sc = load_scenario(scenario)
    ov = sc.overlay
    file = sc.file
    problems: list[Problem] = []
    notes: list[str] = []
    tables = _tables_of(net)
    origin_of: dict[tuple[str, str], str] = {}  # (table, id) -> scenario entry that produced it
    sources = {k: _dump(v) for k, v in net.sources.items()}
    for i, s in enumerate(ov.get("sources") or []):
        if s["id"] in sources:
            notes.append(f"sources[{i}]: {s['id']} replaces the dataset's source of that id")
        sources[s["id"]] = dict(s)

    # remove and close first (so an added record may replace a removed one)
    gone_links: set[str] = set()
    for table, ids in (ov.get("remove") or {}).items():
        for i, rid in enumerate(ids):
            if rid not in tables[table]:
                problems.append(Problem(file, f"remove.{table}[{i}]", "id", rid, f"the id of a record in {table}"))
                continue
            del tables[table][rid]
            if table == "links":
                gone_links.add(rid)
            if table == "nodes":
                _cascade_nodes(tables, {rid}, notes, f"remove.nodes[{i}]")
    close = ov.get("close") or {}
    countries = [str(c).upper() for c in close.get("countries") or []]
    known_c = {n["country"] for n in tables["nodes"].values()}
    for i, c in enumerate(countries):
        if len(c) != 2 or not c.isalpha():
            problems.append(Problem(file, f"close.countries[{i}]", "-", c, "an ISO 3166 alpha-2 country code"))
        elif c not in known_c:
            notes.append(f"close.countries[{i}]: no node of the dataset lies in {c}; nothing to close")
    dead = {nid for nid, n in tables["nodes"].items() if n["country"] in countries}
    if dead:
        for nid in dead:
            del tables["nodes"][nid]
        _cascade_nodes(tables, dead, notes, "close.countries")
    for i, lid in enumerate(close.get("links") or []):
        if lid not in tables["links"]:
            problems.append(Problem(file, f"close.links[{i}]", "id", lid, "the id of a link in links.yaml"))
            continue
        gone_links.add(lid)
    if gone_links:
        base_links = {k: _dump(v) for k, v in net.links.items()}
        for lid in gone_links:
            tables["links"].pop(lid, None)
        for sid, svc in list(tables["services"].items()):
            if _uses_link(base_links, svc, gone_links):
                del tables["services"][sid]
                notes.append(f"service {sid} removed: it runs on a closed or removed link")

    _cut_continuations(tables, notes)

    origin_of.update(overlay_records(tables, sc, problems))

    # validate every record with the table models
    parsed: dict[str, dict[str, Any]] = {}
    for table, (tfile, model) in TABLES.items():
        out: dict[str, Any] = {}
        for rid, rec in tables[table].items():
            try:
                out[rid] = model.model_validate(rec)
            except PydanticValidationError as exc:
                where = origin_of.get((table, rid), f"{tfile} {rid}")
                for err in exc.errors():
                    loc = ".".join(str(x) for x in err["loc"] if not str(x).startswith("function-")) or "-"
                    prefix = "set." if where.startswith("modify") else ""
                    problems.append(Problem(file, f"{where} ({rid})", prefix + loc, err.get("input"), err["msg"]))
        parsed[table] = out
    src_models: dict[str, Source] = {}
    for sid, s in sources.items():
        try:
            src_models[sid] = Source.model_validate(s)
        except PydanticValidationError as exc:
            problems.append(Problem(file, f"sources {sid}", "-", s, str(exc.errors()[0]["msg"])))
    info = DatasetInfo(
        name=f"{net.info.name}+{sc.name}",
        version=net.info.version,
        description=(net.info.description + f" With scenario {sc.name}: {sc.title}").strip(),
        licence=net.info.licence,
    )
    new = Network(
        info=info,
        sources=src_models,
        unit_types={v.id: v for v in parsed["unit_types"].values()},
        nodes=parsed["nodes"],
        links=parsed["links"],
        services=parsed["services"],
        hub_operations=parsed["hub_operations"],
        content_hash=hashlib.sha256((net.content_hash + sc.digest).encode()).hexdigest(),
        path=net.path,
        link_geometry={k: g for k, g in net.link_geometry.items() if k in parsed["links"]},
    )
    after = check_network(new)
    if after or problems:
        tfile_to_table = {f: t for t, (f, _) in TABLES.items()}
        for p in after:
            table = tfile_to_table.get(p.file, "")
            origin = origin_of.get((table, p.record))
            record = f"{origin} ({p.record})" if origin else f"{p.file} {p.record} (after applying)"
            problems.append(Problem(file, record, p.field, p.value, p.expected))
        raise ValidationError(problems)
    object.__setattr__(new, "_scenario_notes", tuple(notes))
    return new


def overlay_records(
    tables: dict[str, dict[str, dict[str, Any]]], sc: Scenario, problems: list[Problem]
) -> dict[tuple[str, str], str]:
    """Apply a scenario's ``add``, ``modify`` and ``scale`` entries to raw record tables, in place.

    Generic over the dataset kind: ``tables`` maps a table name to ``{id: record}``. Problems (unknown
    ids, duplicate ids, non-numeric fields) are appended to ``problems``, each naming the scenario file
    and entry. Returns which entry produced each changed record, ``(table, id) -> "modify.links[2]"``,
    so later validation errors can point at the entry.
    """
    ov, file = sc.overlay, sc.file
    origin_of: dict[tuple[str, str], str] = {}
    for table, items in (ov.get("add") or {}).items():
        for i, rec in enumerate(items):
            where = f"add.{table}[{i}]"
            if not isinstance(rec, dict) or "id" not in rec:
                problems.append(Problem(file, where, "id", rec, "a record with an id"))
                continue
            rid = str(rec["id"])
            if rid in tables[table]:
                problems.append(Problem(file, where, "id", rid, f"an id not yet in {table} (use modify to change it)"))
                continue
            tables[table][rid] = dict(rec)
            origin_of[(table, rid)] = where

    for table, items in (ov.get("modify") or {}).items():
        for i, e in enumerate(items):
            where = f"modify.{table}[{i}]"
            rid = str(e["id"])
            rec = tables[table].get(rid)
            if rec is None:
                problems.append(
                    Problem(file, where, "id", rid, f"the id of a record in {table}{_hint(tables[table], rid)}")
                )
                continue
            rec = copy.deepcopy(rec)
            for fld, v in e["set"].items():
                if v is None:
                    rec.pop(fld, None)
                else:
                    rec[fld] = v
            src = e.get("source")
            if src:
                extra = [s.strip() for s in (src.split(";") if isinstance(src, str) else _listed(src))]
                had = rec.get("source", [])
                rec["source"] = list(dict.fromkeys([*([had] if isinstance(had, str) else _listed(had)), *extra]))
            if e.get("estimate"):
                rec["estimate"] = {**rec.get("estimate", {}), **e["estimate"]}
            tables[table][rid] = rec
            origin_of[(table, rid)] = where

    for table, items in (ov.get("scale") or {}).items():
        for i, e in enumerate(items):
            where = f"scale.{table}[{i}]"
            target = str(e.get("id", "*"))
            hits = [
                rid
                for rid, rec in tables[table].items()
                if (target == "*" or rid == target) and all(rec.get(k) == v for k, v in (e.get("where") or {}).items())
            ]
            if "kind" in e:
                hits = [h for h in hits if tables[table][h].get("kind") == e["kind"]]
            if not hits:
                problems.append(
                    Problem(file, where, "id", target, f"the id of a record in {table}, or '*' with matches")
                )
                continue
            for rid in hits:
                rec = copy.deepcopy(tables[table][rid])
                fld = str(e["field"])
                if fld not in rec:
                    if target != "*":
                        problems.append(Problem(file, where, "field", fld, f"a numeric field that {rid} has"))
                    continue
                try:
                    rec[fld] = _scale_value(rec[fld], float(e["factor"]))
                except TypeError:
                    problems.append(Problem(file, where, "field", fld, "a numeric field (or a mapping of numbers)"))
                    continue
                src = e.get("source")
                if src:
                    extra = [s.strip() for s in (src.split(";") if isinstance(src, str) else src)]
                    rec["source"] = list(dict.fromkeys([*rec.get("source", []), *extra]))
                if e.get("estimate"):
                    rec["estimate"] = {**rec.get("estimate", {}), fld: str(e["estimate"])}
                tables[table][rid] = rec
                origin_of[(table, rid)] = where
    return origin_of


def scenario_notes(net: Network) -> tuple[str, ...]:
    """Notes left by :func:`apply_scenario` (cascaded removals and the like)."""
    return tuple(getattr(net, "_scenario_notes", ()))


def _hint(table: dict[str, Any], rid: str) -> str:
    from rapidfuzz import process

    found = process.extract(rid, list(table), limit=3)
    names = [f for f, score, _ in found if score >= 60]
    return f"; did you mean: {', '.join(names)}" if names else ""


def _cascade_nodes(tables: dict[str, dict[str, dict[str, Any]]], dead: set[str], notes: list[str], why: str) -> None:
    for table in ("links", "services", "hub_operations"):
        for rid, rec in list(tables[table].items()):
            if _refs_node(table, rec, dead):
                del tables[table][rid]
                notes.append(f"{table} {rid} removed by {why}")


def _cut_continuations(tables: dict[str, dict[str, dict[str, Any]]], notes: list[str]) -> None:
    """A through train whose next section is gone ends where its own section ends."""
    services = tables["services"]
    for sid, rec in services.items():
        conts = rec.get("continues") or []
        kept = [c for c in conts if not isinstance(c, dict) or c.get("service") in services]
        if len(kept) != len(conts):
            rec["continues"] = kept
            gone = [c.get("service") for c in conts if c not in kept]
            notes.append(f"service {sid} no longer runs through as {', '.join(map(str, gone))} (removed)")


def _scale_value(value: Any, factor: float) -> Any:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, int | float):
        return value * factor
    if isinstance(value, dict):
        return {k: _scale_value(v, factor) for k, v in value.items()}
    raise TypeError


# --------------------------------------------------------------------------- writing


def write_dataset(net: Network, directory: str | Path, *, force: bool = False, field: str = "directory") -> Path:
    """Write ``net`` as a full dataset directory (YAML tables) that :func:`karavan.io.load_network` reads.

    The directory is built beside ``directory`` and swapped in when complete, so an
    interrupted write leaves no partial dataset; a non-empty ``directory`` is replaced
    only with ``force``. The dataset's ``parameters.yaml`` (accounting overrides), if any,
    is copied along.

    Raises
    ------
    karavan.errors.InputError
        If ``directory`` is a file, a symlink, not writable, or non-empty without ``force``
        (named as ``field`` in the message).
    """
    from karavan.io.atomic import atomic_directory

    out = Path(directory)

    def dump(obj: Any) -> str:
        return yaml.safe_dump(obj, allow_unicode=True, sort_keys=False, width=120)

    tables: dict[str, list[dict[str, Any]]] = {
        "sources.yaml": [_dump(s) for s in net.sources.values()],
        "unit_types.yaml": [_dump(u) for u in net.unit_types.values()],
        "nodes.yaml": [_dump(n) for n in net.nodes.values()],
        "links.yaml": [_dump(lk) for lk in net.links.values()],
        "services.yaml": [_dump(s) for s in net.services.values()],
        "hub_operations.yaml": [_dump(h) for h in net.hub_operations.values()],
    }
    assert set(tables) == set(TABLE_FILES)
    with atomic_directory(out, force=force, field=field) as tmp:
        (tmp / INFO_FILE).write_text(dump(net.info.model_dump(mode="json")), encoding="utf-8")
        for name, recs in tables.items():
            (tmp / name).write_text(dump(recs), encoding="utf-8")
        if net.path is not None and (Path(net.path) / "parameters.yaml").is_file():
            shutil.copyfile(Path(net.path) / "parameters.yaml", tmp / "parameters.yaml")
    return out


def apply_scenarios(
    net: Network, specs: list[str | Path | Scenario] | tuple[str | Path | Scenario, ...], demand: Demand | None = None
) -> tuple[Network, Demand | None, list[Scenario]]:
    """Stack scenarios: apply each in order to the network (and its ``demand`` section to ``demand``).

    ``base`` entries are skipped. The result's dataset name lists every scenario applied.
    """
    applied: list[Scenario] = []
    for spec in specs:
        if isinstance(spec, str) and spec.lower() == "base":
            continue
        sc = load_scenario(spec)
        net = apply_scenario(net, sc)
        if demand is not None:
            demand = sc.apply_demand(demand, net)
        applied.append(sc)
    return net, demand, applied


def network_for(spec: str | Path | Scenario, base: Network) -> tuple[Network, Scenario | None]:
    """``base`` itself for ``"base"``, else ``base`` with the scenario applied."""
    if isinstance(spec, str) and spec.lower() == "base":
        return base, None
    sc = load_scenario(spec)
    return apply_scenario(base, sc), sc


__all__ = [
    "Scenario",
    "apply_scenario",
    "apply_scenarios",
    "list_scenarios",
    "load_scenario",
    "network_for",
    "overlay_records",
    "parse_scenario",
    "scenario_notes",
    "scenarios_dir",
    "write_dataset",
]
