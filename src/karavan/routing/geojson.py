"""GeoJSON of planned routes (RFC 7946, ``[lon, lat]``), used by the CLI, the API, the map and the reports.

Three layers describe a plan: ``routes`` (one LineString per route), ``legs`` (one LineString per
leg, with its mode, service and figures, drawn along the links' alignment) and ``stops`` (Points
where something happens: ports, border crossings, gauge changes, transshipments, terminals).
"""

from __future__ import annotations

import itertools
from typing import Any

from karavan.accounting import Itinerary, LegResult
from karavan.io.geometry import is_schematic, link_line
from karavan.model.network import Network
from karavan.routing.plan import Route, RoutePlan

Segment = tuple[list[list[float]], str, bool]
"""Coordinates along a link (oriented), its geometry source and whether the line is schematic."""


def _segment(net: Network, a: str, b: str, link_mode: Any, gauge: int | None) -> Segment:
    """Coordinates from node ``a`` to node ``b`` along their link (oriented), the geometry source, schematic.

    Kept with the network per segment (the drawing of a link does not change); callers copy
    before changing the list.
    """
    cache: dict[tuple[str, str, Any, int | None], Segment]
    cache = net.__dict__.setdefault("_segment_cache", {})
    key = (a, b, link_mode, gauge)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = _draw_segment(net, a, b, link_mode, gauge)
    return hit


def _draw_segment(net: Network, a: str, b: str, link_mode: Any, gauge: int | None) -> Segment:
    link = net.link_for(a, b, link_mode, gauge) if link_mode is not None else None
    if link is None:
        link = next((lk for lk in net.links_at.get(a, ()) if {lk.from_id, lk.to_id} == {a, b}), None)
    if link is None:
        na, nb = net.nodes[a], net.nodes[b]
        return [[na.lon, na.lat], [nb.lon, nb.lat]], "straight", True
    coords, source = link_line(net, link)
    if link.from_id != a:
        coords = coords[::-1]
    return coords, source, is_schematic(net, link)


def _join(parts: list[list[list[float]]]) -> list[list[float]]:
    out: list[list[float]] = []
    for seg in parts:
        out.extend(seg[1:] if out and out[-1] == seg[0] else seg)
    return out


def route_coordinates(net: Network, nodes: tuple[str, ...] | list[str]) -> list[list[float]]:
    """Coordinates of a path through ``nodes``, along each link's drawn alignment."""
    parts = [_segment(net, a, b, None, None)[0] for a, b in itertools.pairwise(nodes)]
    coords = _join(parts)
    if not coords and nodes:
        n = net.nodes[nodes[0]]
        coords = [[n.lon, n.lat]]
    return coords


def leg_stops(net: Network, leg: LegResult) -> list[str]:
    """Node ids a leg passes, from boarding to alighting, in running order."""
    svc = net.services[leg.figures.service_id]
    stops = list(svc.stops[::-1] if leg.figures.reverse else svc.stops)
    i = stops.index(leg.figures.board)
    j = stops.index(leg.figures.alight, i + 1)
    return stops[i : j + 1]


def _leg_drawing(net: Network, leg: LegResult) -> tuple[list[list[float]], list[str], bool]:
    """A leg's coordinates along its links, its distinct geometry sources and whether any link is schematic.

    Kept with the network per service, direction, boarding and alighting node (the same ride is
    drawn the same way in every plan): answers share these lists, callers copy before changing them.
    """
    f = leg.figures
    cache: dict[tuple[str, bool, str, str], tuple[list[list[float]], list[str], bool]]
    cache = net.__dict__.setdefault("_leg_drawing_cache", {})
    key = (f.service_id, f.reverse, f.board, f.alight)
    hit = cache.get(key)
    if hit is None:
        svc = net.services[f.service_id]
        segments = [_segment(net, a, b, svc.mode, svc.gauge_mm) for a, b in itertools.pairwise(leg_stops(net, leg))]
        sources = list(dict.fromkeys(src for _, src, _ in segments))
        hit = cache[key] = (_join([coords for coords, _, _ in segments]), sources, any(s for _, _, s in segments))
    return hit


def leg_geometry(net: Network, leg: LegResult) -> tuple[list[list[float]], list[str]]:
    """Coordinates of a leg along its links, and the distinct geometry sources used."""
    coords, sources, _ = _leg_drawing(net, leg)
    return coords, sources


def leg_schematic(net: Network, leg: LegResult) -> bool:
    """Whether any link of a leg is drawn schematically (straight, through waypoints or across gaps)."""
    return _leg_drawing(net, leg)[2]


def leg_properties(net: Network, it: Itinerary, leg: LegResult) -> dict[str, Any]:
    """What the map and reports show about a leg: mode, service, carrier unit, activity and intensity."""
    f = leg.figures
    svc = net.services[f.service_id]
    tkm = it.tonnes * f.distance_km
    return {
        "index": leg.index,
        "mode": svc.mode.value,
        "service": svc.id,
        "service_name": svc.name,
        "service_kind": svc.kind.value,
        "operator": svc.operator,
        "carrier_unit": it.cargo.unit.value,
        "toc": svc.toc,
        "from": f.board,
        "to": f.alight,
        "from_name": net.nodes[f.board].name_en,
        "to_name": net.nodes[f.alight].name_en,
        "depart": _iso(leg.depart_h),
        "arrive": _iso(leg.arrive_h),
        "distance_km": f.distance_km,
        "running_h": f.running_h,
        "wait_h": leg.wait_h,
        "tonnes": it.tonnes,
        "tkm": tkm,
        "cost_usd": f.cost_usd,
        "co2e_kg": f.co2e_wtw_kg,
        "co2e_intensity_g_per_tkm": 1000.0 * f.co2e_wtw_kg / tkm if tkm > 0 else None,
        "stay_aboard": leg.stay_aboard,
        "countries": list(f.countries),
    }


def _iso(hours: float) -> str:
    from karavan.model.timetable import iso_hours

    return iso_hours(hours)


def route_legs(net: Network, route: Route, route_index: int) -> list[dict[str, Any]]:
    """One LineString feature per leg of ``route`` (``properties.feature == "leg"``)."""
    out = []
    for leg in route.itinerary.legs:
        coords, sources, schematic = _leg_drawing(net, leg)
        props = leg_properties(net, route.itinerary, leg)
        props.update({"feature": "leg", "route": route_index, "geometry_source": sources, "schematic": schematic})
        out.append(
            {
                "type": "Feature",
                "id": f"{route_index}-{leg.index}",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": props,
            }
        )
    return out


def route_stops(net: Network, route: Route, route_index: int) -> list[dict[str, Any]]:
    """One Point feature per node where the route has hub operations (ports, borders, gauge changes)."""
    by_node: dict[str, list[dict[str, Any]]] = {}
    for hub in route.itinerary.hubs:
        op = net.hub_operations[hub.figures.op_id]
        by_node.setdefault(op.node, []).append(
            {"op": op.id, "kind": hub.kind, "dwell_h": hub.figures.dwell_h, "wait_h": hub.wait_h, "hoc": op.hoc}
        )
    out = []
    for node_id, ops in by_node.items():
        n = net.nodes[node_id]
        out.append(
            {
                "type": "Feature",
                "id": f"{route_index}-{node_id}",
                "geometry": {"type": "Point", "coordinates": [n.lon, n.lat]},
                "properties": {
                    "feature": "stop",
                    "route": route_index,
                    "node": node_id,
                    "name_en": n.name_en,
                    "name_ru": n.name_ru,
                    "country": n.country,
                    "kind": n.kind.value,
                    "operations": ops,
                    "dwell_h": sum(o["dwell_h"] + o["wait_h"] for o in ops),
                },
            }
        )
    return out


def route_feature(net: Network, route: Route, index: int) -> dict[str, Any]:
    """One route as a LineString feature with its totals."""
    return {
        "type": "Feature",
        "id": index,
        "geometry": {"type": "LineString", "coordinates": route_coordinates(net, route.nodes)},
        "properties": {
            "index": index,
            "label": route.label,
            "labels": list(route.labels),
            "transit_time_h": route.transit_time_h,
            "cost_usd": route.cost_usd,
            "co2e_kg": route.co2e_kg,
            "distance_km": float(route.itinerary.distance_km),
            "countries": list(route.countries),
            "nodes": list(route.nodes),
            "modes": sorted({net.services[leg.figures.service_id].mode.value for leg in route.itinerary.legs}),
        },
    }


def route_features(net: Network, plan: RoutePlan) -> dict[str, Any]:
    """The routes of ``plan`` as a GeoJSON ``FeatureCollection`` of LineStrings, in plan order.

    Each feature's properties carry ``index``, ``label``, ``labels``, ``transit_time_h``,
    ``cost_usd``, ``co2e_kg``, ``distance_km``, ``countries``, ``nodes`` and ``modes``.
    """
    return {"type": "FeatureCollection", "features": [route_feature(net, r, i) for i, r in enumerate(plan.routes)]}


def plan_layers(net: Network, plan: RoutePlan) -> dict[str, dict[str, Any]]:
    """The plan as three FeatureCollections: ``routes``, ``legs`` and ``stops``."""
    legs: list[dict[str, Any]] = []
    stops: list[dict[str, Any]] = []
    for i, r in enumerate(plan.routes):
        legs.extend(route_legs(net, r, i))
        stops.extend(route_stops(net, r, i))
    return {
        "routes": route_features(net, plan),
        "legs": {"type": "FeatureCollection", "features": legs},
        "stops": {"type": "FeatureCollection", "features": stops},
    }


def plan_geojson(net: Network, plan: RoutePlan) -> dict[str, Any]:
    """One FeatureCollection with every leg and stop of every route (``properties.feature``: leg, stop)."""
    layers = plan_layers(net, plan)
    return {"type": "FeatureCollection", "features": layers["legs"]["features"] + layers["stops"]["features"]}


__all__ = [
    "leg_geometry",
    "leg_properties",
    "leg_schematic",
    "leg_stops",
    "plan_geojson",
    "plan_layers",
    "route_coordinates",
    "route_feature",
    "route_features",
    "route_legs",
    "route_stops",
]
