"""Plans for the geo-Python world: DataFrames, GeoDataFrames and ``__geo_interface__``."""

from __future__ import annotations

import importlib
from datetime import date

import pytest

from karavan.errors import MissingExtraError
from karavan.model import Network
from karavan.routing import RouteQuery, plan_routes
from karavan.routing.frames import ROUTE_COLUMNS

gpd = pytest.importorskip("geopandas")
shapely_geometry = pytest.importorskip("shapely.geometry")


@pytest.fixture
def plan(mini_net: Network) -> object:
    return plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=date(2026, 12, 1)))


def test_to_frame_one_row_per_route(plan: object) -> None:
    df = plan.to_frame()  # type: ignore[attr-defined]
    assert list(df.columns) == list(ROUTE_COLUMNS)
    assert len(df) == len(plan.routes)  # type: ignore[attr-defined]
    assert df.loc[0, "cost_usd"] == pytest.approx(plan.routes[0].cost_usd)  # type: ignore[attr-defined]


def test_to_frame_legs(plan: object) -> None:
    df = plan.to_frame(legs=True)  # type: ignore[attr-defined]
    assert len(df) == sum(len(r.itinerary.legs) for r in plan.routes)  # type: ignore[attr-defined]
    assert {"route", "service", "mode", "distance_km", "co2e_kg"} <= set(df.columns)
    assert set(df["mode"]) == {"rail", "sea"}


def test_to_geodataframe(plan: object) -> None:
    gdf = plan.to_geodataframe()  # type: ignore[attr-defined]
    assert gdf.crs.to_epsg() == 4326
    assert set(gdf.geometry.geom_type) == {"LineString"}
    assert gdf.loc[0, "transit_time_h"] == pytest.approx(plan.routes[0].transit_time_h)  # type: ignore[attr-defined]
    legs = plan.to_geodataframe(legs=True)  # type: ignore[attr-defined]
    assert set(legs["mode"]) == {"rail", "sea"}
    assert "geometry_source" in legs.columns


def test_geo_interface_on_plans_routes_and_networks(plan: object, mini_net: Network) -> None:
    route = plan.routes[0]  # type: ignore[attr-defined]
    shapes = [shapely_geometry.shape(f["geometry"]) for f in route.__geo_interface__["features"]]
    assert {s.geom_type for s in shapes} == {"LineString", "Point"}
    assert gpd.GeoDataFrame.from_features(plan, crs="EPSG:4326").shape[0] >= len(route.itinerary.legs)
    net_gdf = gpd.GeoDataFrame.from_features(mini_net, crs="EPSG:4326")
    assert len(net_gdf) == len(mini_net.nodes) + len(mini_net.links)


def test_missing_extra_names_the_install(plan: object, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def fake(name: str, package: str | None = None) -> object:
        if name in {"pandas", "geopandas"}:
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr("karavan.routing.frames.import_module", fake)
    with pytest.raises(MissingExtraError, match=r"pip install 'karavan\[geo\]'"):
        plan.to_frame()  # type: ignore[attr-defined]
    with pytest.raises(MissingExtraError, match="geopandas"):
        plan.to_geodataframe()  # type: ignore[attr-defined]
