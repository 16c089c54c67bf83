"""Route plans as pandas DataFrames and geopandas GeoDataFrames (the optional ``[geo]`` extra).

``plan.to_frame()`` gives one row per route (``legs=True``: one row per leg) with unit-named
columns; ``plan.to_geodataframe(net)`` adds the geometry (routes or legs as LineStrings, WGS84).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from karavan.errors import MissingExtraError

if TYPE_CHECKING:
    from karavan.model.network import Network
    from karavan.routing.plan import RoutePlan

ROUTE_COLUMNS = (
    "route",
    "label",
    "labels",
    "transit_time_h",
    "cost_usd",
    "co2e_kg",
    "co2e_ttw_kg",
    "co2e_wtt_kg",
    "distance_km",
    "countries",
    "legs",
    "depart",
    "arrive",
)


def _module(name: str, what: str) -> Any:
    try:
        return import_module(name)
    except ImportError:
        raise MissingExtraError(name.split(".")[0], "geo", what) from None


def route_rows(plan: RoutePlan) -> list[dict[str, Any]]:
    """One mapping per route with the columns of :data:`ROUTE_COLUMNS`."""
    rows = []
    for i, r in enumerate(plan.routes):
        it = r.itinerary
        rows.append(
            {
                "route": i,
                "label": r.label,
                "labels": ",".join(r.labels),
                "transit_time_h": r.transit_time_h,
                "cost_usd": r.cost_usd,
                "co2e_kg": r.co2e_kg,
                "co2e_ttw_kg": float(it.co2e_ttw_kg),
                "co2e_wtt_kg": float(it.co2e_wtt_kg),
                "distance_km": float(it.distance_km),
                "countries": ",".join(r.countries),
                "legs": len(it.legs),
                "depart": it.depart,
                "arrive": it.arrive,
            }
        )
    return rows


def leg_rows(plan: RoutePlan, net: Network | None = None) -> list[dict[str, Any]]:
    """One mapping per leg of every route (the leg's JSON fields, plus ``route`` and ``label``)."""
    rows = []
    for i, r in enumerate(plan.routes):
        for leg in r.to_dict(trail=False)["legs"]:
            row = {"route": i, "label": r.label, **leg}
            row["countries"] = ",".join(row.get("countries", []))
            if net is not None and not row.get("mode"):
                row["mode"] = net.services[row["service"]].mode.value
            rows.append(row)
    return rows


def plan_frame(plan: RoutePlan, *, legs: bool = False) -> Any:
    """A ``pandas.DataFrame`` of the plan: one row per route, or per leg with ``legs=True``.

    Raises
    ------
    karavan.errors.MissingExtraError
        If pandas is not installed (``pip install 'karavan[geo]'``).
    """
    pd = _module("pandas", "plan.to_frame()")
    if legs:
        return pd.DataFrame(leg_rows(plan))
    return pd.DataFrame(route_rows(plan), columns=list(ROUTE_COLUMNS))


def plan_geodataframe(plan: RoutePlan, net: Network, *, legs: bool = False) -> Any:
    """A ``geopandas.GeoDataFrame`` (EPSG:4326) of the routes, or of the legs with ``legs=True``.

    Geometries follow the links' drawn alignment; leg rows carry ``geometry_source``.

    Raises
    ------
    karavan.errors.MissingExtraError
        If geopandas or shapely is not installed (``pip install 'karavan[geo]'``).
    """
    gpd = _module("geopandas", "plan.to_geodataframe()")
    from karavan.routing.geojson import plan_layers

    layer = plan_layers(net, plan)["legs" if legs else "routes"]
    if not legs:
        base = {row["route"]: row for row in route_rows(plan)}
        for f in layer["features"]:
            f["properties"] = {**base[f["properties"]["index"]], "nodes": ",".join(f["properties"]["nodes"])}
    else:
        for f in layer["features"]:
            p = f["properties"]
            p["countries"] = ",".join(p.get("countries", []))
            p["geometry_source"] = ",".join(p.get("geometry_source", []))
    return gpd.GeoDataFrame.from_features(layer["features"], crs="EPSG:4326")


__all__ = ["ROUTE_COLUMNS", "leg_rows", "plan_frame", "plan_geodataframe", "route_rows"]
