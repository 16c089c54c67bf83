"""GeoJSON export of a network (RFC 7946: WGS84, ``[lon, lat]``)."""

from __future__ import annotations

from typing import Any

from karavan.io.geometry import is_schematic, link_line
from karavan.model.network import Network


def network_geojson(net: Network) -> dict[str, Any]:
    """A GeoJSON ``FeatureCollection`` of the network's nodes (Points) and links (LineStrings).

    Node features carry ``id``, names, country, kind, the node's ``source`` ids and
    ``position_estimate`` (the reasoning where the position is estimated, else null); link features carry mode,
    ``length_km``, gauge, the ids of services running on them, ``geometry_source``
    (the source id of the drawn alignment, ``waypoints`` or ``straight``), ``geometry_sources``
    (every source id of the drawn line, e.g. the graph and the gazetteer of its waypoints) and ``schematic``
    (true where the line is not the track's course: straight, through waypoints, or a
    derived line drawn straight over more than a quarter of its length).
    """
    layers = network_layers(net)
    return {
        "type": "FeatureCollection",
        "name": net.info.name,
        "features": layers["nodes"]["features"] + layers["links"]["features"],
    }


def network_layers(net: Network) -> dict[str, dict[str, Any]]:
    """The network as two FeatureCollections, ``nodes`` (Points) and ``links`` (LineStrings)."""
    return {
        "nodes": {"type": "FeatureCollection", "name": f"{net.info.name}-nodes", "features": _node_features(net)},
        "links": {"type": "FeatureCollection", "name": f"{net.info.name}-links", "features": _link_features(net)},
    }


def _node_features(net: Network) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = []
    for node in net.nodes.values():
        features.append(
            {
                "type": "Feature",
                "id": node.id,
                "geometry": {"type": "Point", "coordinates": [node.lon, node.lat]},
                "properties": {
                    "feature": "node",
                    "id": node.id,
                    "name_en": node.name_en,
                    "name_ru": node.name_ru,
                    "country": node.country,
                    "kind": node.kind.value,
                    "locode": node.locode,
                    "operations": [op.kind.value for op in net.ops_at.get(node.id, ())],
                    "source": list(node.source),
                    "position_estimate": node.estimate.get("lat") or node.estimate.get("lon"),
                },
            }
        )
    return features


def _link_features(net: Network) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = []
    services_on: dict[str, list[str]] = {}
    for svc in net.services.values():
        for link in net.service_segments(svc):
            if link is not None:
                services_on.setdefault(link.id, []).append(svc.id)
    for link in net.links.values():
        a, b = net.nodes.get(link.from_id), net.nodes.get(link.to_id)
        if a is None or b is None:
            continue
        coords, geometry_source = link_line(net, link)
        features.append(
            {
                "type": "Feature",
                "id": link.id,
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "feature": "link",
                    "id": link.id,
                    "from": link.from_id,
                    "to": link.to_id,
                    "mode": link.mode.value,
                    "length_km": link.length_km,
                    "gauge_mm": link.gauge_mm,
                    "tracks": link.tracks,
                    "electrified": link.electrified,
                    "services": sorted(services_on.get(link.id, [])),
                    "geometry_source": geometry_source,
                    "geometry_sources": _geometry_sources(net, link.id, geometry_source),
                    "schematic": is_schematic(net, link),
                },
            }
        )
    return features


def _geometry_sources(net: Network, link_id: str, geometry_source: str) -> list[str]:
    """Every source id of a link's drawn line (a line without a stored record: its one pseudo-source)."""
    g = net.link_geometry.get(link_id)
    return list(g.source) if g is not None else [geometry_source]
