"""Downloads for the web map: the plan as GeoJSON layers, a route's calculation trail as CSV, an HTML report.

Each endpoint takes the same query parameters as ``GET /api/routes``, so a page can offer them as
plain links; the work is done by the library (:mod:`karavan.routing.geojson`, the itinerary's
trail, :mod:`karavan.web.report`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field, field_validator

from karavan import limits
from karavan.api.errors import ERROR_RESPONSES
from karavan.api.models import RouteOptions
from karavan.api.openapi import check_request
from karavan.api.payloads import plan
from karavan.api.responses import IleapExport
from karavan.errors import InputError


class GeoJSONResponse(JSONResponse):
    """JSON with the GeoJSON media type (RFC 7946)."""

    media_type = "application/geo+json"


def _text(media: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": what, "content": {media: {"schema": {"type": "string"}}}}}


class TrailExport(RouteOptions):
    """Route options plus which route's trail to export."""

    route_index: int = Field(default=0, **limits.ROUTE_INDEX.field(), description="Which route of the plan (0 = first)")


class ReportExport(RouteOptions):
    """Route options plus the Monte Carlo runs behind the report's distribution charts."""

    runs: int = Field(
        default=2000,
        ge=0,
        le=limits.RUNS.hi,
        description=f"Monte Carlo runs per route: 0 (no distribution) or {int(limits.RUNS.lo)} and more",
        json_schema_extra={"not": {"minimum": 1, "maximum": limits.RUNS.lo - 1}},
    )

    @field_validator("runs")
    @classmethod
    def _runs(cls, value: int) -> int:
        if value != 0 and value < limits.RUNS.lo:
            raise ValueError(f"0 (no distribution) or {limits.RUNS.expected}")
        return value


async def _state(request: Request) -> tuple[Any, Any]:
    """The network and settings (``async``: read on the event loop, no thread-pool hop)."""
    return request.app.state.holder.get(), request.app.state.settings


StateDep = Annotated[tuple[Any, Any], Depends(_state)]


def _filename(net: Any, opts: RouteOptions, ext: str) -> str:
    o, d = net.resolve(opts.origin).id, net.resolve(opts.destination).id
    return f"karavan-{o}-{d}.{ext}".replace("/", "_")


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def exports_router() -> APIRouter:
    """``/export/*``: GeoJSON, iLEAP records, CSV trail and HTML report of a route query."""
    router = APIRouter(tags=["routes"], responses=ERROR_RESPONSES)

    @router.get(
        "/export/routes.geojson",
        operation_id="export_routes_geojson",
        summary="Routes, legs and stops as one GeoJSON FeatureCollection",
        response_class=Response,
        responses={
            200: {
                "description": "GeoJSON (RFC 7946) FeatureCollection",
                "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}},
            }
        },
    )
    def routes_geojson(ctx: StateDep, opts: Annotated[RouteOptions, Query()]) -> Response:
        """Every route (LineString), leg (LineString with mode, service, tkm, CO2e) and stop (Point)."""
        from karavan.routing.geojson import plan_layers

        net, settings = ctx
        layers = plan_layers(net, plan(net, opts, settings))
        features = [f for name in ("routes", "legs", "stops") for f in layers[name]["features"]]
        for f in layers["routes"]["features"]:
            f["properties"]["feature"] = "route"
        body = {"type": "FeatureCollection", "features": features}
        return GeoJSONResponse(body, headers=_attachment(_filename(net, opts, "geojson")))

    @router.get(
        "/export/routes.ileap.json",
        operation_id="export_routes_ileap",
        summary="Routes as iLEAP ShipmentFootprint, TOC and HOC records (ISO 14083)",
        response_model=IleapExport,
    )
    def routes_ileap(ctx: StateDep, opts: Annotated[RouteOptions, Query()]) -> JSONResponse:
        """One ShipmentFootprint per route (a TCE per leg and hub operation), the TOCs and HOCs they use."""
        from karavan.accounting.ileap import plan_ileap

        net, settings = ctx
        body = plan_ileap(net, plan(net, opts, settings))
        return JSONResponse(body, headers=_attachment(_filename(net, opts, "ileap.json")))

    @router.get(
        "/export/trail.csv",
        operation_id="export_trail_csv",
        summary="Calculation trail of one route as CSV",
        response_class=Response,
        responses=_text("text/csv", "CSV: element, kind, quantity, result, unit, formula, inputs, sources, flags"),
    )
    def trail_csv(ctx: StateDep, opts: Annotated[TrailExport, Query()]) -> Response:
        """One row per computed figure: element, quantity, result, unit, formula, inputs, sources, flags."""
        net, settings = ctx
        opts = check_request(opts, settings)
        result = plan(net, opts, settings)
        if opts.route_index >= len(result.routes):
            raise InputError("route_index", opts.route_index, f"an index below {len(result.routes)}")
        text = result.routes[opts.route_index].itinerary.trail_csv()
        name = _filename(net, opts, f"route{opts.route_index + 1}.csv")
        return Response(text, media_type="text/csv; charset=utf-8", headers=_attachment(name))

    @router.get(
        "/export/report.html",
        operation_id="export_report_html",
        summary="Self-contained HTML report of a route query",
        response_class=Response,
        responses=_text("text/html", "One self-contained HTML page"),
    )
    def report_html(ctx: StateDep, opts: Annotated[ReportExport, Query()]) -> Response:
        """Map with legs by mode, Pareto chart, distribution charts, legs, hubs, trail and sources in one file."""
        from karavan.web.report import route_report

        net, settings = ctx
        opts = check_request(opts, settings)
        result = plan(net, opts, settings)
        sims = _simulations(net, result, opts) if opts.runs else None
        html = route_report(net, result, simulations=sims)
        name = _filename(net, opts, "html")
        return Response(html, media_type="text/html; charset=utf-8", headers=_attachment(name))

    return router


def _simulations(net: Any, result: Any, opts: ReportExport) -> list[dict[str, Any] | None] | None:
    """Transit-time distributions of every route of the plan, when reliability is installed."""
    try:
        from karavan.reliability import plan_from_itinerary, simulate_itinerary
        from karavan.reliability.montecarlo import route_summary
    except ImportError:
        return None
    out: list[dict[str, Any] | None] = []
    for route in result.routes:
        it = route.itinerary
        res = simulate_itinerary(
            net, plan_from_itinerary(it), it.cargo, depart=it.depart, runs=opts.runs, seed=0, route=route_summary(route)
        )
        out.append(res.to_dict())
    return out
