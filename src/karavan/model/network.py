"""The :class:`Network`: every table of a dataset, indexed for lookups."""

from __future__ import annotations

import itertools
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from karavan.errors import UnknownPlaceError
from karavan.model.entities import DatasetInfo, HubOperation, Link, LinkGeometry, Node, Service, Source, UnitType
from karavan.model.enums import HubOpKind, Mode, Unit


@dataclass(frozen=True, slots=True)
class ThroughConnection:
    """A timed connection of a through train: run ``from_service`` (reversed if ``from_reverse``)
    ends at ``at`` and its consist continues as ``to_service`` (reversed if ``to_reverse``)."""

    from_service: str
    from_reverse: bool
    to_service: str
    to_reverse: bool
    at: str


def normalise_name(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key for matching place names.

    ``"Xi'an"``, ``"xian"`` and ``"XI AN"`` share one key; Cyrillic letters are kept
    (``ё`` folds to ``е``).
    """
    text = unicodedata.normalize("NFKD", text.casefold().replace("ё", "е"))
    return "".join(ch for ch in text if ch.isalnum())


@dataclass(frozen=True, eq=False)
class Network:
    """A validated dataset: nodes, links, services, hub operations, unit types and sources.

    Build one with :func:`karavan.io.load_network`; the constructor does not validate.
    """

    info: DatasetInfo
    sources: Mapping[str, Source]
    unit_types: Mapping[Unit, UnitType]
    nodes: Mapping[str, Node]
    links: Mapping[str, Link]
    services: Mapping[str, Service]
    hub_operations: Mapping[str, HubOperation]
    content_hash: str = ""
    """Hash of the dataset's files; keys caches derived from the network."""
    path: Path | None = None
    """Directory the dataset was read from, if any."""
    link_geometry: Mapping[str, LinkGeometry] = field(default_factory=dict)
    """Drawn alignment per link id (``link_geometry.yaml``); links without one are drawn straight."""
    _name_index: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[str]] = defaultdict(list)
        for node in self.nodes.values():
            keys = {node.id, node.name_en, node.name_ru, *node.aliases}
            if node.locode:
                keys.add(node.locode)
            for key in keys:
                norm = normalise_name(key)
                if norm and node.id not in index[norm]:
                    index[norm].append(node.id)
        self._name_index.update(index)

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """The network as a GeoJSON FeatureCollection (nodes and links), for shapely, geopandas and folium."""
        from karavan.io.geojson import network_geojson

        return network_geojson(self)

    # ------------------------------------------------------------------ lookups
    def resolve(self, place: str) -> Node:
        """Find a node by id, UN/LOCODE, English or Russian name or alias, in any case.

        Raises
        ------
        UnknownPlaceError
            If nothing matches or the name is ambiguous; carries the closest names.
        """
        if place in self.nodes:
            return self.nodes[place]
        hits = self._name_index.get(normalise_name(place), [])
        if len(hits) == 1:
            return self.nodes[hits[0]]
        if len(hits) > 1:
            raise UnknownPlaceError(place, [f"{h} ({self.nodes[h].name_en})" for h in hits])
        raise UnknownPlaceError(place, self.suggest(place))

    def suggest(self, place: str, limit: int = 5) -> list[str]:
        """Closest place names to ``place`` (English or Russian), best first."""
        from rapidfuzz import fuzz, process, utils

        choices: dict[str, str] = {}
        for node in self.nodes.values():
            for name in (node.name_en, node.name_ru, node.id, *node.aliases):
                choices.setdefault(name, node.id)
        found = process.extract(
            place, list(choices), scorer=fuzz.WRatio, processor=utils.default_process, limit=limit * 3
        )
        out: list[str] = []
        seen: set[str] = set()
        for name, score, _ in found:
            nid = choices[name]
            if nid in seen or score < 50:
                continue
            seen.add(nid)
            node = self.nodes[nid]
            out.append(f"{node.name_en} ({nid})" if name != node.name_en else f"{name} ({nid})")
            if len(out) >= limit:
                break
        return out

    def search(self, text: str, limit: int = 10) -> list[Node]:
        """Nodes whose names best match ``text`` (prefix matches first), for autocomplete."""
        key = normalise_name(text)
        if not key:
            return []
        prefix = [
            n
            for n in self.nodes.values()
            if any(normalise_name(s).startswith(key) for s in (n.name_en, n.name_ru, n.id, *n.aliases))
        ]
        out = sorted(prefix, key=lambda n: n.name_en)[:limit]
        if len(out) < limit:
            have = {n.id for n in out}
            for name in self.suggest(text, limit=limit):
                nid = name.rsplit("(", 1)[1].rstrip(")")
                if nid not in have and nid in self.nodes:
                    out.append(self.nodes[nid])
                    have.add(nid)
                if len(out) >= limit:
                    break
        return out

    # --------------------------------------------------------------- structure
    @cached_property
    def links_at(self) -> Mapping[str, tuple[Link, ...]]:
        """Links touching each node id."""
        acc: dict[str, list[Link]] = defaultdict(list)
        for link in self.links.values():
            acc[link.from_id].append(link)
            acc[link.to_id].append(link)
        return {k: tuple(v) for k, v in acc.items()}

    @cached_property
    def _link_between(self) -> Mapping[tuple[str, str, Mode], tuple[Link, ...]]:
        acc: dict[tuple[str, str, Mode], list[Link]] = defaultdict(list)
        for link in self.links.values():
            acc[(link.from_id, link.to_id, link.mode)].append(link)
            if not link.oneway:
                acc[(link.to_id, link.from_id, link.mode)].append(link)
        return {k: tuple(v) for k, v in acc.items()}

    def links_between(self, a: str, b: str, mode: Mode) -> tuple[Link, ...]:
        """Links of ``mode`` usable from node ``a`` to node ``b``."""
        return self._link_between.get((a, b, mode), ())

    def link_for(self, a: str, b: str, mode: Mode, gauge_mm: int | None = None) -> Link | None:
        """The shortest link of ``mode`` (and gauge, for rail) from ``a`` to ``b``, if any."""
        best: Link | None = None
        for link in self.links_between(a, b, mode):
            if gauge_mm is not None and link.gauge_mm is not None and link.gauge_mm != gauge_mm:
                continue
            if best is None or link.length_km < best.length_km:
                best = link
        return best

    @cached_property
    def ops_at(self) -> Mapping[str, tuple[HubOperation, ...]]:
        """Hub operations at each node id."""
        acc: dict[str, list[HubOperation]] = defaultdict(list)
        for op in self.hub_operations.values():
            acc[op.node].append(op)
        return {k: tuple(v) for k, v in acc.items()}

    def border_ops(self, link: Link, direction_from: str, train_class: str | None = None) -> list[HubOperation]:
        """Border crossing operations that clear a unit crossing ``link`` from node ``direction_from``.

        Operations restricted to ``train_class`` win over the unrestricted ones at the same
        crossing; a class with no operation of its own gets the unrestricted ones.
        """
        b_id = link.to_id if direction_from == link.from_id else link.from_id
        return self.entry_ops(direction_from, b_id, link.mode, train_class)

    def entry_ops(self, board: str, alight: str, mode: Mode, train_class: str | None = None) -> list[HubOperation]:
        """Border crossing operations that clear a unit carried by ``mode`` from node ``board`` into ``alight``.

        A ship's unit enters a country only where it is discharged, so a sea ride past
        transit calls is cleared once, from the boarding country into the discharge
        country (:attr:`karavan.model.enums.Mode.enters_at_calls`). Operations restricted
        to ``train_class`` win over the unrestricted ones at the same crossing.
        """
        a, b = self.nodes[board], self.nodes[alight]
        if a.country == b.country:
            return []
        ops = [
            op
            for nid in (a.id, b.id)
            for op in self.ops_at.get(nid, ())
            if op.kind is HubOpKind.BORDER_CROSSING
            and op.from_country == a.country
            and op.to_country == b.country
            and mode in op.from_modes
        ]
        own = [op for op in ops if train_class is not None and train_class in op.train_classes]
        return own or [op for op in ops if not op.train_classes]

    @cached_property
    def through_connections(self) -> tuple[ThroughConnection, ...]:
        """Every timed connection of a through train, in each direction it runs.

        A ``continues`` entry of service ``a`` (``a`` goes on as ``b`` at node ``at``) gives
        ``a -> b`` forward and, when both are two-way, ``b~r -> a~r``. Entries naming unknown
        services are left out (the validator reports them).
        """
        out: list[ThroughConnection] = []
        for a in self.services.values():
            for cont in a.continues:
                b = self.services.get(cont.service)
                if b is None:
                    continue
                out.append(ThroughConnection(a.id, False, b.id, False, cont.at))
                if not a.oneway and not b.oneway:
                    out.append(ThroughConnection(b.id, True, a.id, True, cont.at))
        return tuple(out)

    def through_chain(self, service_id: str) -> tuple[str, ...]:
        """The sections (service ids, in running order) of the through train ``service_id`` belongs to."""
        prev = {c.to_service: c.from_service for c in self.through_connections if not c.from_reverse}
        nxt = {c.from_service: c.to_service for c in self.through_connections if not c.from_reverse}
        head = service_id
        seen = {head}
        while head in prev and prev[head] not in seen:
            head = prev[head]
            seen.add(head)
        chain = [head]
        while chain[-1] in nxt and nxt[chain[-1]] not in chain:
            chain.append(nxt[chain[-1]])
        return tuple(chain)

    def consist_capacity(self, service_id: str) -> dict[Unit, float]:
        """Capacity per departure of the consist ``service_id`` runs in, by unit.

        A through train is one consist along its sections: a unit type fits as many times as the
        tightest section allows; a unit type some section does not give a capacity for is left out
        (unless no section gives one).
        """
        chain = [self.services[s] for s in self.through_chain(service_id) if s in self.services]
        caps: dict[Unit, float] = {}
        for unit in {u for svc in chain for u in svc.capacity_per_departure}:
            given = [svc.capacity_per_departure[unit] for svc in chain if unit in svc.capacity_per_departure]
            caps[unit] = min(given)
        return caps

    def countries(self) -> list[str]:
        """ISO codes of the countries with nodes, sorted."""
        return sorted({n.country for n in self.nodes.values()})

    def service_segments(self, service: Service) -> list[Link | None]:
        """Link used between each pair of consecutive stops (``None`` if missing)."""
        return [self.link_for(a, b, service.mode, service.gauge_mm) for a, b in itertools.pairwise(service.stops)]

    def cited_sources(self) -> set[str]:
        """Source ids cited by any record."""
        out: set[str] = set()
        for table in self.tables():
            for rec in table:
                out.update(rec.source)
        return out

    def tables(self) -> Iterable[Iterable[UnitType | Node | Link | Service | HubOperation]]:
        """The record tables that carry provenance."""
        return (
            self.unit_types.values(),
            self.nodes.values(),
            self.links.values(),
            self.services.values(),
            self.hub_operations.values(),
        )
