"""GeoJSON export is valid RFC 7946 GeoJSON."""

from __future__ import annotations

import json

import geojson

from karavan.io import network_geojson
from karavan.model import Network


def test_export_is_valid_geojson(mini_net: Network) -> None:
    data = network_geojson(mini_net)
    obj = geojson.loads(json.dumps(data))
    assert obj.is_valid, obj.errors()
    assert data["type"] == "FeatureCollection"
    kinds = [f["geometry"]["type"] for f in data["features"]]
    assert kinds.count("Point") == len(mini_net.nodes)
    assert kinds.count("LineString") == len(mini_net.links)


def test_coordinates_are_lon_lat(mini_net: Network) -> None:
    data = network_geojson(mini_net)
    aktau = next(f for f in data["features"] if f["id"] == "KZAAU")
    assert aktau["geometry"]["coordinates"] == [51.15, 43.65]


def test_link_carries_services_and_waypoints(mini_net: Network) -> None:
    data = network_geojson(mini_net)
    sea = next(f for f in data["features"] if f["id"] == "s-aktau-baku")
    assert sea["properties"]["services"] == ["ferry"]
    assert len(sea["geometry"]["coordinates"]) == 3
