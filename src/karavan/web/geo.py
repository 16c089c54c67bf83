"""GeoJSON of planned routes (RFC 7946, ``[lon, lat]``), shared by the API and the reports."""

from __future__ import annotations

import itertools
from typing import Any

from karavan.model.network import Network
from karavan.routing import RoutePlan


def route_coordinates(net: Network, nodes: tuple[str, ...] | list[str]) -> list[list[float]]:
    """Coordinates of a path through ``nodes``, following link waypoints where a link joins two stops."""
    coords: list[list[float]] = []
    for a, b in itertools.pairwise(nodes):
        na, nb = net.nodes[a], net.nodes[b]
        link = next((lk for lk in net.links_at.get(a, ()) if {lk.from_id, lk.to_id} == {a, b}), None)
        pts = list(link.geometry) if link is not None else []
        if link is not None and link.from_id != a:
            pts.reverse()
        seg = [[na.lon, na.lat], *[[x, y] for x, y in pts], [nb.lon, nb.lat]]
        coords.extend(seg[1:] if coords else seg)
    if not coords and nodes:
        n = net.nodes[nodes[0]]
        coords = [[n.lon, n.lat]]
    return coords


def route_features(net: Network, plan: RoutePlan) -> dict[str, Any]:
    """The routes of ``plan`` as a GeoJSON ``FeatureCollection`` of LineStrings, in plan order.

    Each feature's properties carry ``index``, ``label``, ``labels``, ``transit_time_h``,
    ``cost_usd``, ``co2e_kg``, ``distance_km``, ``countries`` and ``nodes``.
    """
    features = []
    for i, route in enumerate(plan.routes):
        features.append(
            {
                "type": "Feature",
                "id": i,
                "geometry": {"type": "LineString", "coordinates": route_coordinates(net, route.nodes)},
                "properties": {
                    "index": i,
                    "label": route.label,
                    "labels": list(route.labels),
                    "transit_time_h": route.transit_time_h,
                    "cost_usd": route.cost_usd,
                    "co2e_kg": route.co2e_kg,
                    "distance_km": float(route.itinerary.distance_km),
                    "countries": list(route.countries),
                    "nodes": list(route.nodes),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def element_place(net: Network, element_id: str) -> tuple[str, list[str]]:
    """Where an assignment element lies: ``("link", [link ids])`` or ``("node", [node id])``.

    Element ids are link ids, service ids or hub operation ids, optionally with a
    reverse-direction suffix ``~r`` and a capacity-measure suffix (``#trains``, ``#teu``).
    Unknown ids give ``("", [])``.
    """
    base = element_id.split("#", 1)[0].removesuffix("~r")
    if base in net.links:
        return "link", [base]
    if base in net.services:
        return "link", [lk.id for lk in net.service_segments(net.services[base]) if lk is not None]
    if base in net.hub_operations:
        return "node", [net.hub_operations[base].node]
    return "", []


def utilisation_on_map(net: Network, elements: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Highest utilisation per link id and per node id from assignment ``elements`` (their ``to_dict`` form)."""
    out: dict[str, dict[str, float]] = {"links": {}, "nodes": {}}
    for el in elements:
        u = el.get("utilisation")
        if u is None:
            continue
        kind, ids = element_place(net, str(el.get("id", "")))
        if not kind:
            continue
        bucket = out["links" if kind == "link" else "nodes"]
        for i in ids:
            bucket[i] = max(bucket.get(i, 0.0), float(u))
    return out
