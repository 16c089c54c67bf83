"""GeoJSON of planned routes (RFC 7946, ``[lon, lat]``), used by the CLI, the API and the reports."""

from __future__ import annotations

import itertools
from typing import Any

from karavan.model.network import Network
from karavan.routing.plan import RoutePlan


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
