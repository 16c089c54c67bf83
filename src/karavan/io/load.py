"""Load a dataset directory into a :class:`~karavan.model.Network`, reporting every problem at once.

A dataset is a directory of YAML files, one per table, each a list of records::

    dataset.yaml        name, version, description, licence
    sources.yaml        publications and datasets that values cite
    unit_types.yaml     TEU, FEU, wagon, trailer, tonne parameters
    nodes.yaml          places
    links.yaml          rail, road and sea infrastructure
    services.yaml       trains, ferries, feeders, trucking
    hub_operations.yaml transfers, gauge changes, port handling, border crossings
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from karavan import datasets
from karavan.errors import DatasetError, Problem, ValidationError
from karavan.io.geometry import GEOMETRY_FILE, check_geometry, parse_geometry
from karavan.io.reading import read_bytes
from karavan.model.entities import (
    DatasetInfo,
    HubOperation,
    Link,
    Node,
    Service,
    Source,
    UnitType,
    _Record,
)
from karavan.model.enums import TRANSFER_KINDS, HubOpKind, Mode
from karavan.model.network import Network

TABLE_FILES: dict[str, type[BaseModel]] = {
    "sources.yaml": Source,
    "unit_types.yaml": UnitType,
    "nodes.yaml": Node,
    "links.yaml": Link,
    "services.yaml": Service,
    "hub_operations.yaml": HubOperation,
}
"""Table files of a dataset and the entity each record becomes."""

INFO_FILE = "dataset.yaml"
EARTH_RADIUS_KM = 6371.0088
LENGTH_TOLERANCE = 0.995
"""A land link may be at most 0.5 % shorter than the great circle between its ends."""

M = TypeVar("M", bound=BaseModel)


def dataset_hash(path: Path, files: Iterable[str] | None = None) -> str:
    """SHA-256 over the dataset's table files (names and bytes), for cache keys.

    ``files`` lists the table files of another dataset kind (default: the freight :data:`TABLE_FILES`).

    Files that cannot be read safely (missing, too large, outside the directory) are left
    out; loading reports them.
    """
    digest = hashlib.sha256()
    for name in [INFO_FILE, *(TABLE_FILES if files is None else files), GEOMETRY_FILE]:
        if name == GEOMETRY_FILE and not (path / name).exists():
            continue
        try:
            data = read_bytes(path / name, within=path)
        except ValidationError:
            continue
        digest.update(name.encode())
        digest.update(data)
    return digest.hexdigest()


def read_tables(path: Path, files: Iterable[str] | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Parse every table file of ``path`` as YAML; return raw data and parse problems.

    ``files`` lists the table files of another dataset kind (default: the freight :data:`TABLE_FILES`).

    Files are read with :mod:`karavan.io.safe_yaml`: bounded size, depth and alias
    expansion, no repeated keys, no NaN or infinity, no symlink out of ``path``.
    """
    from karavan.io.safe_yaml import parse_yaml

    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    for name in [INFO_FILE, *(TABLE_FILES if files is None else files)]:
        file = path / name
        if not file.is_file() and not file.is_symlink():
            problems.append(Problem(name, "-", "-", None, f"a file {name} in {path}"))
            continue
        try:
            data = parse_yaml(read_bytes(file, within=path), file=name)
        except ValidationError as exc:
            problems.extend(exc.problems)
            continue
        if name == INFO_FILE:
            if not isinstance(data, dict):
                problems.append(Problem(name, "-", "-", type(data).__name__, "a mapping"))
                continue
        elif data is None:
            data = []
        elif not isinstance(data, list):
            problems.append(Problem(name, "-", "-", type(data).__name__, "a list of records"))
            continue
        raw[name] = data
    return raw, problems


def _record_label(rec: Any, pos: int) -> str:
    if isinstance(rec, dict) and isinstance(rec.get("id"), str | int):
        return str(rec["id"])
    return f"#{pos + 1}"


def _parse_table(name: str, model: type[M], records: list[Any], problems: list[Problem]) -> dict[str, M]:
    out: dict[str, M] = {}
    for pos, rec in enumerate(records):
        label = _record_label(rec, pos)
        if not isinstance(rec, dict):
            problems.append(Problem(name, label, "-", rec, "a mapping of field: value"))
            continue
        try:
            obj = model.model_validate(rec)
        except PydanticValidationError as exc:
            for err in exc.errors():
                loc = [str(x) for x in err["loc"] if not str(x).startswith("function-")]
                # drop discriminator tags pydantic inserts into locations
                loc = [
                    x
                    for x in loc
                    if x
                    not in {
                        "fixed",
                        "uniform",
                        "triangular",
                        "lognormal",
                        "empirical",
                        "weekly",
                        "headway",
                        "when_full",
                    }
                ]
                field = ".".join(loc) or "-"
                value = err.get("input")
                if err["type"] == "missing":
                    value = None
                problems.append(Problem(name, label, field, value, err["msg"]))
            continue
        key = str(cast(Any, obj).id)
        if key in out:
            problems.append(Problem(name, key, "id", key, "a unique id (duplicate)"))
            continue
        out[key] = obj
    return out


def _gc_km(a: Node, b: Node) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


_NUMERIC_SKIP = {"id", "source", "estimate", "note", "aliases", "geometry", "oneway", "year"}


def _provenance(file: str, rec: _Record, sources: dict[str, Source], problems: list[Problem]) -> None:
    label = str(cast(Any, rec).id)
    for sid in rec.source:
        if sid not in sources:
            problems.append(Problem(file, label, "source", sid, "a source id defined in sources.yaml"))
    fields = type(rec).model_fields
    for key, why in rec.estimate.items():
        if key not in fields:
            problems.append(Problem(file, label, f"estimate.{key}", key, "the name of a field of this record"))
        elif not why.strip():
            problems.append(Problem(file, label, f"estimate.{key}", why, "a one-line reasoning"))
    if rec.source:
        return
    for key in fields:
        if key in _NUMERIC_SKIP or key in rec.estimate:
            continue
        value = getattr(rec, key)
        if _is_quantity(value):
            problems.append(
                Problem(
                    file,
                    label,
                    key,
                    _short(value),
                    "a source id in `source` or an `estimate` entry for this field",
                )
            )


_DISCRIMINATORS = {"pattern", "dist"}


def _is_quantity(value: Any) -> bool:
    """Whether ``value`` states a fact that needs provenance (a number, a flag, a non-empty setting)."""
    if value is None:
        return False
    if isinstance(value, bool | int | float):
        return True
    if isinstance(value, dict):
        return bool(value)
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return any(
            _is_quantity(v) or (isinstance(v, str | tuple) and bool(v))
            for k, v in ((k, getattr(value, k)) for k in fields)
            if k not in _DISCRIMINATORS
        )
    return False


def _short(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): _short(v) for k, v in value.items()}
    return value


def check_network(net: Network) -> list[Problem]:
    """Cross-table checks of a parsed network; returns every problem found."""
    problems: list[Problem] = []
    add = problems.append
    nodes, sources = net.nodes, dict(net.sources)

    for table_file, table in (
        ("unit_types.yaml", net.unit_types.values()),
        ("nodes.yaml", nodes.values()),
        ("links.yaml", net.links.values()),
        ("services.yaml", net.services.values()),
        ("hub_operations.yaml", net.hub_operations.values()),
    ):
        for rec in table:
            _provenance(table_file, rec, sources, problems)

    for n in nodes.values():
        if not -90 <= n.lat <= 90:
            add(Problem("nodes.yaml", n.id, "lat", n.lat, "a WGS84 latitude in [-90, 90]"))
        if not -180 <= n.lon <= 180:
            add(Problem("nodes.yaml", n.id, "lon", n.lon, "a WGS84 longitude in [-180, 180]"))

    for link in net.links.values():
        f = "links.yaml"
        ends_ok = True
        for fld, nid in (("from", link.from_id), ("to", link.to_id)):
            if nid not in nodes:
                add(Problem(f, link.id, fld, nid, "a node id defined in nodes.yaml"))
                ends_ok = False
        if link.from_id == link.to_id:
            add(Problem(f, link.id, "to", link.to_id, "a node other than `from`"))
        if not link.length_km > 0:
            add(Problem(f, link.id, "length_km", link.length_km, "a positive length in km"))
        if link.mode is Mode.RAIL and link.gauge_mm is None:
            add(Problem(f, link.id, "gauge_mm", None, "a track gauge in mm for a rail link (e.g. 1520 or 1435)"))
        if link.mode is not Mode.RAIL and link.gauge_mm is not None:
            add(Problem(f, link.id, "gauge_mm", link.gauge_mm, "no gauge on a non-rail link"))
        if ends_ok and link.length_km > 0 and link.mode is not Mode.SEA:
            gc = _gc_km(nodes[link.from_id], nodes[link.to_id])
            if link.length_km < gc * LENGTH_TOLERANCE:
                add(
                    Problem(
                        f,
                        link.id,
                        "length_km",
                        link.length_km,
                        f"at least the great-circle distance {gc:.1f} km between its ends "
                        "(swapped or wrong coordinates?)",
                    )
                )
        if ends_ok:
            a, b = nodes[link.from_id], nodes[link.to_id]
            if a.country != b.country:
                directions = [(a.id, b.id)] + ([] if link.oneway else [(b.id, a.id)])
                for frm, to in directions:
                    if not net.border_ops(link, frm):
                        add(
                            Problem(
                                f,
                                link.id,
                                "from/to",
                                f"{frm} ({nodes[frm].country}) -> {to} ({nodes[to].country})",
                                f"a border_crossing operation for mode {link.mode.value} from "
                                f"{nodes[frm].country} to {nodes[to].country} at {frm} or {to}",
                            )
                        )

    for svc in net.services.values():
        f = "services.yaml"
        stops_ok = True
        for i, nid in enumerate(svc.stops):
            if nid not in nodes:
                add(Problem(f, svc.id, f"stops[{i}]", nid, "a node id defined in nodes.yaml"))
                stops_ok = False
        if len(set(svc.stops)) != len(svc.stops):
            add(Problem(f, svc.id, "stops", list(svc.stops), "stops without repeats"))
        if svc.mode is Mode.RAIL and svc.gauge_mm is None:
            add(Problem(f, svc.id, "gauge_mm", None, "the gauge in mm the train runs on"))
        if svc.mode is not Mode.RAIL and svc.gauge_mm is not None:
            add(Problem(f, svc.id, "gauge_mm", svc.gauge_mm, "no gauge on a non-rail service"))
        for fld, mapping in (("capacity_per_departure", svc.capacity_per_departure), ("tariff", svc.tariff)):
            for unit in mapping:
                if unit not in svc.units:
                    add(
                        Problem(
                            f,
                            svc.id,
                            f"{fld}.{unit.value}",
                            unit.value,
                            f"a unit listed in units {[u.value for u in svc.units]}",
                        )
                    )
        for unit in svc.units:
            if unit not in net.unit_types:
                add(Problem(f, svc.id, "units", unit.value, "a unit type defined in unit_types.yaml"))
        for problem in _roll_on_problems(svc):
            add(problem)
        for i in range(len(svc.continues)):
            for problem in _continuation_problems(net, svc, i):
                add(problem)
        if not stops_ok:
            continue
        for problem in _entry_problems(net, svc):
            add(problem)
        for a_id, b_id in itertools.pairwise(svc.stops):
            candidates = net.links_between(a_id, b_id, svc.mode)
            if not candidates:
                add(
                    Problem(
                        f,
                        svc.id,
                        "stops",
                        f"{a_id} -> {b_id}",
                        f"consecutive stops joined by a {svc.mode.value} link",
                    )
                )
                continue
            if (
                svc.mode is Mode.RAIL
                and svc.gauge_mm is not None
                and not any(lk.gauge_mm == svc.gauge_mm for lk in candidates)
            ):
                gauges = sorted({lk.gauge_mm for lk in candidates if lk.gauge_mm})
                add(
                    Problem(
                        f,
                        svc.id,
                        "gauge_mm",
                        svc.gauge_mm,
                        f"the gauge of the link(s) {a_id} -> {b_id} ({', '.join(map(str, gauges))} mm); "
                        "a rail service cannot run on a link of another gauge",
                    )
                )

    for op in net.hub_operations.values():
        f = "hub_operations.yaml"
        if op.node not in nodes:
            add(Problem(f, op.id, "node", op.node, "a node id defined in nodes.yaml"))
            continue
        if op.kind is HubOpKind.BORDER_CROSSING:
            here = nodes[op.node].country
            if here not in (op.from_country, op.to_country):
                add(
                    Problem(
                        f,
                        op.id,
                        "node",
                        op.node,
                        f"a node in {op.from_country} or {op.to_country} (it is in {here})",
                    )
                )
            if op.from_country == op.to_country:
                add(Problem(f, op.id, "to_country", op.to_country, "a country other than from_country"))
        if op.kind is HubOpKind.GAUGE_CHANGE and (op.from_gauge_mm is None or op.to_gauge_mm is None):
            add(
                Problem(
                    f,
                    op.id,
                    "from_gauge_mm/to_gauge_mm",
                    [op.from_gauge_mm, op.to_gauge_mm],
                    "both gauges for a gauge_change",
                )
            )
        if op.kind in TRANSFER_KINDS and not op.to_modes:
            add(Problem(f, op.id, "to_modes", [], "the modes a unit may board"))
        for unit in op.cost_usd:
            if op.units and unit not in op.units:
                add(
                    Problem(
                        f,
                        op.id,
                        f"cost_usd.{unit.value}",
                        unit.value,
                        f"a unit listed in units {[u.value for u in op.units]}",
                    )
                )
    return problems


def _entry_problems(net: Network, svc: Service) -> list[Problem]:
    """A ship's box is cleared once, into the discharge country: a ride past transit calls needs a border.

    Neighbouring calls are checked with their link.
    """
    if svc.mode.enters_at_calls:
        return []
    out: list[Problem] = []
    stops = svc.stops
    pairs = [(stops[i], stops[j]) for i in range(len(stops)) for j in range(i + 2, len(stops))]
    if not svc.oneway:
        pairs += [(b, a) for a, b in pairs]
    for a, b in pairs:
        ca, cb = net.nodes[a].country, net.nodes[b].country
        if ca != cb and not net.entry_ops(a, b, svc.mode):
            out.append(
                Problem(
                    "services.yaml",
                    svc.id,
                    "stops",
                    f"{a} ({ca}) -> {b} ({cb})",
                    f"a border_crossing operation for mode {svc.mode.value} from {ca} to {cb} at {a} or {b} "
                    "(a box aboard is cleared into the discharge country)",
                )
            )
    return out


def _roll_on_problems(svc: Service) -> list[Problem]:
    """A roll-on ship takes boxes only on wagons or trailers: it must accept one, and price and size by it."""
    if not svc.kind.rolls_on:
        return []
    f = "services.yaml"
    boxes = [u for u in svc.units if u.is_container]
    out: list[Problem] = []
    if boxes and not svc.carriers_for(boxes[0]):
        out.append(
            Problem(f, svc.id, "units", [u.value for u in svc.units],
                    "wagon or trailer among the units: containers cross a roll-on ship on their carrier")
        )  # fmt: skip
    for fld, mapping in (("tariff", svc.tariff), ("capacity_per_departure", svc.capacity_per_departure)):
        out.extend(
            Problem(f, svc.id, f"{fld}.{u.value}", u.value,
                    "a wagon or trailer entry: containers on a roll-on ship pay and take the slot of their carrier")
            for u in mapping
            if u.is_container
        )  # fmt: skip
    return out


def _continuation_problems(net: Network, svc: Service, i: int) -> list[Problem]:
    """Problems of ``svc.continues[i]``: the next section, the connection node, a transfer there."""
    f, cont = "services.yaml", svc.continues[i]
    fld = f"continues[{i}]"
    nxt = net.services.get(cont.service)
    if nxt is None:
        return [Problem(f, svc.id, f"{fld}.service", cont.service, "a service id defined in services.yaml")]
    if nxt.id == svc.id:
        return [
            Problem(f, svc.id, f"{fld}.service", cont.service, "another service (a train cannot continue as itself)")
        ]
    if svc.stops[-1] != cont.at or nxt.stops[0] != cont.at:
        return [
            Problem(
                f, svc.id, f"{fld}.at", cont.at,
                f"the node where this section ends ({svc.stops[-1]}) and {nxt.id} starts ({nxt.stops[0]})",
            )
        ]  # fmt: skip
    shared = [u for u in svc.units if u in nxt.units]
    if not shared:
        return [
            Problem(
                f, svc.id, f"{fld}.service", cont.service, f"a section carrying one of {[u.value for u in svc.units]}"
            )
        ]
    ops = net.ops_at.get(cont.at, ())
    pairs = [(svc, nxt)] + ([] if svc.oneway or nxt.oneway else [(nxt, svc)])
    for a, b in pairs:
        missing = [u.value for u in shared if not any(op.transfers(a, b, u) for op in ops)]
        if missing:
            return [
                Problem(
                    f, svc.id, f"{fld}.at", cont.at,
                    f"a transfer operation at {cont.at} from {a.id} ({a.mode.value}, {a.gauge_mm} mm) to {b.id} "
                    f"({b.mode.value}, {b.gauge_mm} mm) for {', '.join(missing)} "
                    "(the consist's gauge change or transshipment)",
                )
            ]  # fmt: skip
    if svc.oneway != nxt.oneway:
        return [
            Problem(
                f,
                svc.id,
                f"{fld}.service",
                cont.service,
                "a section that runs in the same directions (both one-way or both two-way)",
            )
        ]
    return []


def _build(path: Path) -> tuple[Network | None, list[Problem]]:
    raw, problems = read_tables(path)
    info: DatasetInfo | None = None
    if INFO_FILE in raw:
        try:
            info = DatasetInfo.model_validate(raw[INFO_FILE])
        except PydanticValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(x) for x in err["loc"]) or "-"
                problems.append(Problem(INFO_FILE, "-", field, err.get("input"), err["msg"]))
    tables: dict[str, dict[str, Any]] = {}
    for name, model in TABLE_FILES.items():
        tables[name] = _parse_table(name, model, raw.get(name, []), problems)
    if info is None:
        info = DatasetInfo(name=path.name, version="unknown")
    geometry, geo_problems = parse_geometry(path / GEOMETRY_FILE)
    problems.extend(geo_problems)
    net = Network(
        info=info,
        sources=tables["sources.yaml"],
        unit_types={v.id: v for v in tables["unit_types.yaml"].values()},
        nodes=tables["nodes.yaml"],
        links=tables["links.yaml"],
        services=tables["services.yaml"],
        hub_operations=tables["hub_operations.yaml"],
        content_hash=dataset_hash(path),
        path=path,
        link_geometry={g.link: g for g in geometry},
    )
    problems.extend(check_network(net))
    problems.extend(check_geometry(net))
    return net, problems


def parse_records(name: str, model: type[M], records: list[Any], problems: list[Problem]) -> dict[str, M]:
    """Validate the records of one table file with ``model``, keyed by id; problems are appended.

    The same checks (field errors, duplicate ids) and error style as the freight tables, for any
    dataset kind.
    """
    return _parse_table(name, model, records, problems)


def check_provenance(file: str, rec: _Record, sources: dict[str, Source], problems: list[Problem]) -> None:
    """Check that ``rec`` cites defined sources and that every quantity has a source or an ``estimate``."""
    _provenance(file, rec, sources, problems)


def validate_dataset(path: str | Path | None = None) -> list[Problem]:
    """Every problem in the dataset at ``path`` (a directory, an embedded name or ``None``)."""
    return _build(datasets.resolve(path))[1]


_CACHE: dict[tuple[str, str], Network] = {}


def load_network(path: str | Path | None = None) -> Network:
    """Load and validate a dataset; the result is cached by the files' content hash.

    The validated network is kept in memory and on disk (:mod:`karavan.io.cache`), so a new
    process skips parsing unchanged files; any edited file gives a new cache key.

    Parameters
    ----------
    path
        A dataset directory, the name of an embedded dataset, or ``None`` for the
        default (``caspian``).

    Raises
    ------
    karavan.errors.ValidationError
        Listing every problem (file, record, field, value, expectation).
    karavan.errors.DatasetError
        If the dataset cannot be found.
    """
    directory = datasets.resolve(path)
    key = (str(directory.resolve()), dataset_hash(directory))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    net = _from_disk_cache(directory, *key)
    _CACHE[key] = net
    return net


def _from_disk_cache(directory: Path, resolved: str, content_hash: str) -> Network:
    """The validated network of ``directory`` from the on-disk cache (:mod:`karavan.io.cache`), or built.

    The entry's key names the resolved directory and the digest of every file the network is
    built from; a network whose files changed while it was being built is not stored.
    """
    from karavan.io import cache

    key = cache.entry_key("network", (resolved, content_hash))
    hit = cache.read_entry("network", key, Network)
    if hit is not None and hit.content_hash == content_hash:
        object.__setattr__(hit, "path", directory)  # a fresh copy: the directory as this caller named it
        return hit
    net, problems = _build(directory)
    if problems or net is None:
        raise ValidationError(problems)
    if net.content_hash == content_hash:
        cache.write_entry("network", key, net)
    return net


__all__ = [
    "TABLE_FILES",
    "DatasetError",
    "check_network",
    "check_provenance",
    "dataset_hash",
    "load_network",
    "parse_records",
    "read_tables",
    "validate_dataset",
]
