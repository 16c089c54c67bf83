"""Self-contained HTML reports (one file: CSS, JS, country outlines and data inlined).

Built from library results with Jinja2; nothing here imports FastAPI or Typer. The map is
drawn with the same Leaflet helpers as the web page (``static/karavan-map.js``) over the
Natural Earth 1:110m outlines; tables and the calculation trail are plain HTML.
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from karavan import __version__

if TYPE_CHECKING:
    import jinja2

    from karavan.model.network import Network
    from karavan.routing import RoutePlan


def _static(rel: str) -> str:
    return (resources.files("karavan.web") / "static" / rel).read_text(encoding="utf-8")


@cache
def _assets() -> dict[str, str]:
    """Vendored files inlined into every report (read once per process)."""
    leaflet = _static("vendor/leaflet/leaflet.js").replace("//# sourceMappingURL=leaflet.js.map", "")
    return {
        "leaflet_css": _static("vendor/leaflet/leaflet.css"),
        "leaflet_js": leaflet,
        "topojson_js": _static("vendor/topojson-client/topojson-client.min.js"),
        "map_js": _static("karavan-map.js"),
        "i18n_js": _static("i18n.js"),
        "charts_js": _static("charts.js"),
        "chart_js": _static("vendor/chartjs/chart.umd.min.js"),
        "countries": _static("vendor/world-atlas/countries-110m.json"),
    }


@cache
def _env() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("karavan.web", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["days"] = lambda h: _num(None if h is None else float(h) / 24.0, 1)
    env.filters["label"] = lambda s: str(s).replace("_", " ").replace("co2e", "CO₂e")
    return env


def _num(value: Any, digits: int = 0) -> str:
    """Thousands-separated number, ``–`` for missing values."""
    if value is None:
        return "–"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v != v or v in (float("inf"), float("-inf")):
        return "–"
    return f"{v:,.{digits}f}"


def script_json(data: Any) -> str:
    """JSON safe to place inside a ``<script>`` element (no ``</script>`` break-out)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return (
        text.replace("</", "<\\/").replace("<!--", "<\\!--").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _dataset(net: Network) -> dict[str, Any]:
    return {
        "name": net.info.name,
        "version": net.info.version,
        "content_hash": net.content_hash,
        "licence": net.info.licence,
    }


def _render(template: str, **context: Any) -> str:
    assets = _assets()
    context.setdefault("generated", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    context.setdefault("karavan_version", __version__)
    context.setdefault("python_version", platform.python_version())
    return _env().get_template(template).render(assets=assets, script_json=script_json, **context)


def _sources_cited(net: Network, routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids: set[str] = set()
    for r in routes:
        for row in r.get("trail", []):
            for inp in row.get("inputs", []):
                ids.update(inp.get("sources", []))
    out = []
    for sid in sorted(ids):
        src = net.sources.get(sid)
        if src is not None:
            out.append({"id": sid, "publisher": src.publisher, "title": src.title, "year": src.year, "url": src.url})
        else:
            out.append(
                {"id": sid, "publisher": "", "title": "(defined in the accounting parameters)", "year": None, "url": ""}
            )
    return out


def route_report(
    net: Network,
    plan: RoutePlan,
    *,
    simulations: list[dict[str, Any] | None] | None = None,
    title: str | None = None,
) -> str:
    """One self-contained HTML page for a route plan: map, route table, legs, hubs, distribution, trail.

    Parameters
    ----------
    net
        The network the plan was made on.
    plan
        The result of :func:`karavan.routing.plan_routes`.
    simulations
        Per route, the ``to_dict()`` of a :class:`karavan.reliability.SimulationResult` (or ``None``).
    title
        Page title (default "origin → destination").

    Returns
    -------
    str
        The HTML document.
    """
    from karavan.io import network_geojson
    from karavan.routing.geojson import leg_properties, plan_layers

    data = plan.to_dict()
    q = plan.query
    o, d = net.nodes[q.origin], net.nodes[q.destination]
    sims = list(simulations or [])
    sims += [None] * (len(plan.routes) - len(sims))
    routes = data["routes"]
    for r, sim in zip(routes, sims, strict=True):
        r["simulation"] = sim
    names = {n.id: n.name_en for n in net.nodes.values()}
    for r, route in zip(routes, plan.routes, strict=True):
        details = {leg.index: leg_properties(net, route.itinerary, leg) for leg in route.itinerary.legs}
        r["legs"] = [{**leg, **details.get(leg["index"], {})} for leg in r["legs"]]
        for hub in r["hubs"]:
            hub.setdefault("hoc", net.hub_operations[hub["op"]].hoc)
            hub["country"] = net.nodes[hub["node"]].country
    layers = plan_layers(net, plan)
    payload = {
        "network": network_geojson(net),
        "routes": layers["routes"],
        "legs": layers["legs"],
        "stops": layers["stops"],
        "simulations": sims,
        "summary": [{k: r[k] for k in ("labels", "transit_time_h", "cost_usd", "co2e_kg")} for r in routes],
    }
    return _render(
        "route.html.j2",
        title=title or f"{o.name_en} → {d.name_en}",
        origin=o,
        destination=d,
        query=data["query"],
        routes=routes,
        names=names,
        dataset=_dataset(net),
        sources=_sources_cited(net, routes),
        payload=payload,
        colors=["#d1495b", "#00798c", "#edae49", "#6a4c93", "#30638e", "#8a5a44"],
    )


def scenario_report(
    net: Network,
    scenario: dict[str, Any],
    diff: dict[str, Any],
    *,
    scenario_net: Network | None = None,
    assignment: dict[str, Any] | None = None,
    title: str | None = None,
) -> str:
    """One self-contained HTML page comparing a scenario with its base.

    Parameters
    ----------
    net
        The base network.
    scenario
        The scenario's summary (``Scenario.summary()`` plus ``description``).
    diff
        ``ScenarioDiff.to_dict()`` from :func:`karavan.capacity.diff_scenarios`.
    scenario_net
        The network with the scenario applied (drawn on the map; default ``net``).
    assignment
        ``AssignmentResult.to_dict()`` on the scenario network, to colour the map by utilisation.
    title
        Page title.

    Returns
    -------
    str
        The HTML document.
    """
    from karavan.io import network_geojson
    from karavan.web.geo import utilisation_on_map

    scenario = {
        **{"name": "", "title": "", "year": None, "description": "", "demand": {}},
        **{k: {} for k in ("add", "modify", "scale", "remove", "close")},
        **scenario,
    }
    diff = {"routes": [], "bottlenecks": {}, "notes": [], **diff}
    diff["assignment"] = {"base": {}, "new": {}, "delta": {}, **(diff.get("assignment") or {})}
    shown = scenario_net or net
    util = utilisation_on_map(shown, assignment["elements"]) if assignment else {"links": {}, "nodes": {}}
    payload = {"network": network_geojson(shown), "utilisation": util}
    return _render(
        "scenario.html.j2",
        title=title or f"Scenario {scenario.get('title') or scenario.get('name')}",
        scenario=scenario,
        diff=diff,
        assignment=assignment,
        dataset=_dataset(net),
        payload=payload,
    )


__all__ = ["route_report", "scenario_report", "script_json"]
