"""GeoJSON export of a network (RFC 7946: WGS84, ``[lon, lat]``)."""

from __future__ import annotations

from typing import Any

from karavan.model.network import Network


def network_geojson(net: Network) -> dict[str, Any]:
    """A GeoJSON ``FeatureCollection`` of the network's nodes (Points) and links (LineStrings).

    Node features carry ``id``, names, country and kind; link features carry mode,
    ``length_km``, gauge and the ids of services running on them.
    """
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
                },
            }
        )
    services_on: dict[str, list[str]] = {}
    for svc in net.services.values():
        for link in net.service_segments(svc):
            if link is not None:
                services_on.setdefault(link.id, []).append(svc.id)
    for link in net.links.values():
        a, b = net.nodes.get(link.from_id), net.nodes.get(link.to_id)
        if a is None or b is None:
            continue
        coords = [[a.lon, a.lat], *[[lon, lat] for lon, lat in link.geometry], [b.lon, b.lat]]
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
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "name": net.info.name,
        "features": features,
    }
