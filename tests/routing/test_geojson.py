"""GeoJSON layers of plans: legs drawn along their links, the same ride drawn once per network."""

from __future__ import annotations

from datetime import date

from karavan.model import Network
from karavan.routing import RouteQuery, plan_routes
from karavan.routing.geojson import leg_geometry, leg_schematic, leg_stops, plan_layers


def test_leg_drawn_along_its_stops_and_shared_between_plans(mini_net: Network) -> None:
    query = RouteQuery("Alpha", "Baku", depart=date(2026, 12, 1))
    leg = plan_routes(mini_net, query).routes[0].itinerary.legs[0]
    coords, sources = leg_geometry(mini_net, leg)
    stops = leg_stops(mini_net, leg)
    board, alight = mini_net.nodes[stops[0]], mini_net.nodes[stops[-1]]
    assert coords[0] == [board.lon, board.lat]
    assert coords[-1] == [alight.lon, alight.lat]
    assert len(coords) >= len(stops)
    assert sources
    assert len(set(sources)) == len(sources)
    assert isinstance(leg_schematic(mini_net, leg), bool)
    again = plan_routes(mini_net, query).routes[0].itinerary.legs[0]
    assert again is not leg
    assert leg_geometry(mini_net, again)[0] is coords  # the same ride: the same drawing, by reference


def test_layers_do_not_change_when_drawn_again(mini_net: Network) -> None:
    plan = plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=date(2026, 12, 1)))
    once = plan_layers(mini_net, plan)
    assert plan_layers(mini_net, plan) == once
    legs = once["legs"]["features"]
    assert len(legs) == sum(len(r.itinerary.legs) for r in plan.routes)
    for feature in legs:
        assert feature["geometry"]["type"] == "LineString"
        assert isinstance(feature["properties"]["schematic"], bool)
