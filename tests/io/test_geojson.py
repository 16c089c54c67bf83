"""GeoJSON export is valid RFC 7946 GeoJSON."""

from __future__ import annotations

import json
from collections.abc import Callable

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


def test_cli_export_carries_geometry_and_its_source(run_cli: Callable[..., tuple[int, str, str]]) -> None:
    # the embedded dataset: every mode's links along their drawn line, with where it comes from
    code, out, _ = run_cli("network", "export", "--format", "geojson")
    assert code == 0
    features = json.loads(out)["features"]
    nodes = [f for f in features if f["properties"]["feature"] == "node"]
    links = [f for f in features if f["properties"]["feature"] == "link"]
    assert all(f["properties"]["source"] or f["properties"]["position_estimate"] for f in nodes)
    for mode in ("rail", "sea", "road"):
        own = [f["properties"] for f in links if f["properties"]["mode"] == mode]
        derived = [p for p in own if not p["schematic"]]
        assert len(derived) > len(own) / 2, mode
        assert all(p["geometry_source"] == p["geometry_sources"][0] for p in own)
    for f in links:
        p, coords = f["properties"], f["geometry"]["coordinates"]
        assert isinstance(p["schematic"], bool)
        assert p["schematic"] or p["geometry_source"] not in {"straight", "waypoints"}
        if p["geometry_source"] == "straight":
            assert len(coords) == 2
