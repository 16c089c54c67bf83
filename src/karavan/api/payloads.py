"""What the API's endpoints compute: validated request options in, JSON-ready answers out.

The routers of :mod:`karavan.api.app`, the exports (:mod:`karavan.api.exports`) and the saved plans
(:mod:`karavan.api.plans`) all answer through these functions, so a saved plan holds exactly what the
endpoint answers. Each builds its library query once (:func:`route_query`) and calls the library.
"""

from __future__ import annotations

from typing import Any, cast

from karavan.api.errors import CapabilityMissingError
from karavan.api.models import Place, RouteOptions, RouteRequest, SimulateRequest
from karavan.api.openapi import check_request
from karavan.api.protect import ResultCache
from karavan.api.settings import Settings
from karavan.api.state import NetworkHolder
from karavan.errors import InputError
from karavan.model.network import Network
from karavan.routing import RoutePlan, RouteQuery


def place_of(net: Network, node_id: str) -> Place:
    """The API view of a node."""
    n = net.nodes[node_id]
    return Place(
        id=n.id,
        name_en=n.name_en,
        name_ru=n.name_ru,
        country=n.country,
        kind=n.kind,
        locode=n.locode,
        lat=n.lat,
        lon=n.lon,
        label=f"{n.name_en} ({n.name_ru}), {n.country}",
    )


def route_query(opts: RouteOptions, settings: Settings, **extra: Any) -> RouteQuery:
    """The :class:`karavan.routing.RouteQuery` of validated request options (built once per request)."""
    from karavan.accounting import Cargo

    opts = check_request(opts, settings)
    cargo = Cargo(unit=opts.cargo, count=opts.count, gross_t_per_unit=opts.weight_t, value_usd=opts.value_usd)
    return RouteQuery(
        origin=opts.origin,
        destination=opts.destination,
        depart=opts.depart,
        window_h=opts.window_h,
        cargo=cargo,
        via=tuple(opts.via),
        avoid_countries=tuple(opts.avoid_countries),
        avoid_nodes=tuple(opts.avoid_nodes),
        modes=tuple(opts.modes) if opts.modes else None,  # type: ignore[arg-type]
        slack=opts.slack,
        target=opts.target,
        **{"max_routes": opts.max_routes, **extra},
    )


def plan(net: Network, opts: RouteOptions, settings: Settings) -> RoutePlan:
    """Run :func:`karavan.routing.plan_routes` for validated request options."""
    from karavan.routing import plan_routes

    return plan_routes(net, route_query(opts, settings))


def routes_payload(net: Network, opts: RouteRequest, settings: Settings) -> dict[str, Any]:
    """The JSON answer of the routes endpoint: the map geometry only when asked (``geojson``)."""
    result = plan(net, opts, settings)
    data = result.to_dict(trail=opts.trail)
    if opts.geojson:
        from karavan.routing.geojson import plan_layers

        layers = plan_layers(net, result)
        data["geojson"] = layers["routes"]
        data["layers"] = {"legs": layers["legs"], "stops": layers["stops"]}
    return data


def simulate_payload(
    net: Network, opts: SimulateRequest, settings: Settings, results: ResultCache | None = None
) -> dict[str, Any]:
    """The JSON answer of the simulate endpoint (needs :mod:`karavan.reliability`).

    With ``results``, answers are cached per (dataset content, request) and the one-year
    Caspian DES behind ``demand_mt`` per (demand, seed): each runs once per configuration.
    """
    opts = check_request(opts, settings)
    simulate = capability("reliability", "simulate")
    cache = results if results is not None else ResultCache(0)

    def des() -> Any:
        demand = opts.demand_mt
        if demand is None:
            return None
        from karavan.reliability import simulate_caspian

        key = ("des", demand, opts.seed)
        return cache.get_or_compute(key, lambda: simulate_caspian(demand_mt=demand, seed=opts.seed))

    def compute() -> dict[str, Any]:
        query = route_query(opts, settings, seed=opts.seed, max_routes=max(opts.max_routes, opts.route_index + 1))
        for place in (query.origin, query.destination, *query.via):
            net.resolve(place)  # an unknown place is a 404 before any DES year is simulated
        result = simulate(net, query, route_index=opts.route_index, runs=opts.runs, demand_mt=opts.demand_mt, des=des())
        data: dict[str, Any] = result.to_dict()
        return data

    return cast(dict[str, Any], cache.get_or_compute(("simulate", net.content_hash, opts.model_dump_json()), compute))


def capability(name: str, attr: str | None = None) -> Any:
    """The module ``karavan.<name>`` (or one of its attributes), or :class:`CapabilityMissingError`."""
    from importlib import import_module

    try:
        module = import_module(f"karavan.{name}")
        return getattr(module, attr) if attr else module
    except (ImportError, AttributeError):
        raise CapabilityMissingError(name) from None


def capacity_module() -> Any:
    capability("capacity", "assign")
    return capability("capacity")


def assign_payload(holder: NetworkHolder, scenario: str | None, method: str) -> dict[str, Any]:
    """The JSON answer of the assign endpoint (computed once per scenario and method)."""
    net = holder.get()
    capacity = capacity_module()

    def compute() -> dict[str, Any]:
        from karavan.capacity.scenario import apply_scenarios
        from karavan.web.geo import utilisation_on_map

        stack = [shipped_scenario(n) for n in (scenario or "").split("+") if n]
        s_net, s_dem, _ = apply_scenarios(net, stack, capacity.builtin_demand(net))
        data: dict[str, Any] = capacity.assign(s_net, s_dem, method=method).to_dict()
        data["map"] = utilisation_on_map(net, data["elements"])
        return data

    result: dict[str, Any] = holder.cached(("assign", scenario, method), compute)
    return result


def diff_payload(holder: NetworkHolder, name: str, base: str) -> dict[str, Any]:
    """The JSON answer of the scenario diff endpoint (computed once per pair)."""
    net = holder.get()
    diff_scenarios = capability("capacity", "diff_scenarios")
    new_sc = [shipped_scenario(n) for n in name.split("+") if n]
    base_sc = [shipped_scenario(n) for n in base.split("+") if n and n.lower() != "base"]

    def compute() -> dict[str, Any]:
        data: dict[str, Any] = diff_scenarios(net, base_sc, new_sc).to_dict()
        return data

    result: dict[str, Any] = holder.cached(("diff", base, name), compute)
    return result


def shipped_scenario(name: str) -> Any:
    """A shipped scenario by name; clients never name files on the server (``InputError`` otherwise)."""
    list_scenarios = capability("capacity", "list_scenarios")
    shipped = {sc.name: sc for sc in list_scenarios()}
    if name not in shipped:
        raise InputError("scenario", name, "one of: " + (", ".join(sorted(shipped)) or "(none shipped)"))
    return shipped[name]


def scenario_view(sc: Any, *, overlay: bool = False) -> dict[str, Any]:
    """JSON view of a scenario: its summary, description and (optionally) the overlay."""
    data: dict[str, Any] = dict(sc.summary())
    data["description"] = sc.description
    if overlay:
        data["overlay"] = sc.overlay
        data["notes"] = list(sc.notes)
    return data


def scenario_list(net: Network) -> list[dict[str, Any]]:
    """The shipped scenarios (summaries)."""
    list_scenarios = capability("capacity", "list_scenarios")
    return [scenario_view(sc) for sc in list_scenarios()]


def scenario_show(net: Network, name: str) -> dict[str, Any]:
    """One shipped scenario with its overlay."""
    return scenario_view(shipped_scenario(name), overlay=True)
