"""The FastAPI application factory and its routers (thin adapters over the library)."""

from __future__ import annotations

import asyncio
import platform
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from karavan import __version__
from karavan.api.encoding import GZIP_LEVEL, GZIP_MIN_BYTES, FastJSONResponse, dumps
from karavan.api.energy import energy_router
from karavan.api.errors import ERROR_RESPONSES, CapabilityMissingError, ErrorBody, install_error_handlers
from karavan.api.hot import HotPaths
from karavan.api.models import (
    DatasetVersion,
    Health,
    Meta,
    Place,
    RouteOptions,
    RouteRequest,
    SimulateRequest,
)
from karavan.api.openapi import document
from karavan.api.params import query_options, query_parameters
from karavan.api.payloads import (
    assign_payload,
    capability,
    diff_payload,
    place_of,
    routes_payload,
    scenario_list,
    scenario_show,
    simulate_payload,
)
from karavan.api.protect import ResultCache
from karavan.api.protect import install as install_protection
from karavan.api.responses import (
    Assignment,
    FeatureCollection,
    RoutesResponse,
    ScenarioDetail,
    ScenarioDiff,
    ScenarioSummary,
    Simulation,
)
from karavan.api.settings import Settings
from karavan.api.state import NetworkHolder
from karavan.model.enums import Mode, NodeKind, Unit
from karavan.model.network import Network

DESCRIPTION = """
Plan freight across the Caspian transit corridors: door-to-door Pareto routes (time, cost, CO2e),
transit-time distributions, capacity assignment and scenarios, on the dataset the service was started with.

Places are accepted as id, UN/LOCODE, English or Russian name (case-insensitive). JSON keys carry their
units (`transit_time_h`, `cost_usd`, `co2e_kg`, `distance_km`). Errors have a stable `error` code and a
readable `message`; 404 for an unknown place (with `suggestions`) or no route, 422 naming the invalid
`field`, 503 when the service's dataset is invalid.
"""

LIBRARIES = ("fastapi", "starlette", "pydantic", "uvicorn", "numpy", "scipy", "rapidfuzz", "highspy")
CAPABILITIES = {"routing": "plan_routes", "reliability": "simulate", "capacity": "assign"}


# The dependencies below are ``async`` although they only read app state: FastAPI runs a plain
# ``def`` dependency in the thread pool, and each such hop waits for the GIL behind route
# threads (``/healthz`` would queue behind route work for nothing).


async def _holder(request: Request) -> NetworkHolder:
    holder: NetworkHolder = request.app.state.holder
    return holder


async def _network(request: Request) -> Network:
    holder: NetworkHolder = request.app.state.holder
    return holder.get()


HolderDep = Annotated[NetworkHolder, Depends(_holder)]
NetDep = Annotated[Network, Depends(_network)]


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


async def _results(request: Request) -> ResultCache:
    results: ResultCache = request.app.state.results
    return results


ResultsDep = Annotated[ResultCache, Depends(_results)]


def accepts_gzip(request: Request) -> bool:
    """Whether the client accepts gzip-encoded answers."""
    return "gzip" in request.headers.get("accept-encoding", "")


async def _accepts_gzip(request: Request) -> bool:
    return accepts_gzip(request)


GzipDep = Annotated[bool, Depends(_accepts_gzip)]
"""Whether the client accepts gzip: large answers are then compressed in the endpoint's thread."""


def _available(name: str, attr: str) -> bool:
    """Whether ``karavan.<name>`` imports and exposes ``attr``."""
    try:
        capability(name, attr)
    except CapabilityMissingError:
        return False
    return True


def _lib_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _versions() -> tuple[dict[str, str], dict[str, bool]]:
    """Versions of key libraries and which capabilities import (computed once per app)."""
    libs = {name: v for name in LIBRARIES if (v := _lib_version(name)) is not None}
    return libs, {k: _available(k, a) for k, a in CAPABILITIES.items()}


def routes_answer(request: Request) -> JSONResponse:
    """The answer of ``GET /api/routes`` (run in the thread pool; also served by :class:`~karavan.api.hot.HotPaths`)."""
    return _query_answer(request, RouteRequest, routes_payload)


def simulate_answer(request: Request) -> JSONResponse:
    """The answer of ``GET /api/simulate`` (as :func:`routes_answer`), from the app's result cache when it can."""
    results: ResultCache = request.app.state.results
    return _query_answer(
        request, SimulateRequest, lambda net, opts, settings: simulate_payload(net, opts, settings, results)
    )


def _query_answer(
    request: Request, model: type[RouteOptions], payload: Callable[[Network, Any, Settings], dict[str, Any]]
) -> JSONResponse:
    """``payload`` of the options read from the query string as ``model``, encoded (and gzipped if accepted).

    The network is fetched first, so a service whose dataset is unavailable answers 503
    whatever the query.
    """
    state = request.app.state
    net = state.holder.get()
    opts = query_options(model, request)
    return _json(payload(net, opts, state.settings), gzip=accepts_gzip(request))


def _json(data: Any, status_code: int = 200, *, gzip: bool = False) -> JSONResponse:
    return FastJSONResponse(data, status_code=status_code, gzip=gzip)


def system_router() -> APIRouter:
    """``/healthz``."""
    router = APIRouter(tags=["system"])

    @router.get("/healthz", operation_id="healthz", response_model=Health, responses={503: {"model": Health}})
    async def healthz(holder: HolderDep) -> Response:
        """Liveness, versions (karavan, dataset name/version/content hash, Python, key libraries)."""
        if holder.loaded is None:
            await run_in_threadpool(holder.load)
        body, status = health_answer(holder)
        return Response(body, status_code=status, media_type="application/json")

    return router


def health_answer(holder: NetworkHolder) -> tuple[bytes, int]:
    """The encoded ``/healthz`` body and its status (built once per app: nothing in it changes)."""
    return cast(tuple[bytes, int], holder.cached(("healthz", holder.loaded is not None), lambda: _health(holder)))


def _health(holder: NetworkHolder) -> tuple[bytes, int]:
    net = holder.loaded
    dataset = None
    if net is not None:
        dataset = DatasetVersion(
            name=net.info.name,
            version=net.info.version,
            content_hash=net.content_hash,
            nodes=len(net.nodes),
            links=len(net.links),
            services=len(net.services),
        )
    libs, caps = _versions()
    health = Health(
        status="ok" if net is not None else "dataset_unavailable",
        karavan=__version__,
        python=platform.python_version(),
        dataset=dataset,
        libraries=libs,
        capabilities=caps,
    )
    return dumps(health.model_dump(mode="json")), 200 if net is not None else 503


def network_router() -> APIRouter:
    """Network GeoJSON, vocabulary and place search."""
    router = APIRouter(tags=["network"], responses={k: ERROR_RESPONSES[k] for k in (400, 422, 503)})

    @router.get(
        "/network",
        operation_id="get_network",
        summary="The network as GeoJSON",
        response_model=FeatureCollection,
        response_description="GeoJSON FeatureCollection",
    )
    def network(holder: HolderDep, gzip: GzipDep) -> JSONResponse:
        """Nodes (Points: kind, names, country) and links (LineStrings: mode, length, gauge, services)."""
        from karavan.io import network_geojson

        net = holder.get()
        data = holder.cached(("network_geojson",), lambda: network_geojson(net))
        return _json(data, gzip=gzip)

    @router.get("/meta", operation_id="get_meta", response_model=Meta, summary="Vocabulary for building forms")
    async def meta(net: NetDep) -> Meta:
        """Unit types, modes, node kinds and the countries of the network."""
        return Meta(
            units=Unit.choices(),
            modes=Mode.choices(),
            node_kinds=NodeKind.choices(),
            countries=sorted(net.countries()),
        )

    @router.get(
        "/places", operation_id="search_places", response_model=list[Place], summary="Place search (autocomplete)"
    )
    def places(
        net: NetDep,
        q: Annotated[str, Query(min_length=1, max_length=120, description="Text typed so far, English or Russian")],
        limit: Annotated[int, Query(ge=1, le=50, description="Most places returned")] = 10,
    ) -> list[Place]:
        """Places whose names start with or fuzzily match ``q`` (English or Russian), best first."""
        return [place_of(net, n.id) for n in net.search(q, limit=limit)]

    @router.get(
        "/places/{place}",
        operation_id="resolve_place",
        response_model=Place,
        summary="Resolve one place",
        responses={404: ERROR_RESPONSES[404]},
    )
    def resolve(net: NetDep, place: Annotated[str, Path(min_length=1, max_length=120)]) -> Place:
        """Resolve an id, UN/LOCODE, English or Russian name; 404 with ``suggestions`` if unknown."""
        return place_of(net, net.resolve(place).id)

    return router


def routes_router() -> APIRouter:
    """Routing and reliability."""
    router = APIRouter(tags=["routes"], responses=ERROR_RESPONSES)
    extra: dict[int | str, dict[str, Any]] = {}

    # The GET endpoints read their options with query_options (FastAPI's reading of a parameter
    # model costs as much as the rest of the request's framework work) and document them with
    # query_parameters, as FastAPI would document ``opts: Annotated[RouteRequest, Query()]``.

    @router.get(
        "/routes",
        operation_id="plan_routes",
        summary="Pareto routes (query parameters)",
        response_model=RoutesResponse,
        responses=extra,
        openapi_extra={"parameters": query_parameters(RouteRequest)},
    )
    def get_routes(request: Request) -> JSONResponse:
        """Fastest, cheapest, lowest-CO2e and balanced routes; list options repeat or take commas."""
        return routes_answer(request)

    @router.post(
        "/routes",
        operation_id="plan_routes_post",
        summary="Pareto routes (JSON body)",
        response_model=RoutesResponse,
        responses=extra,
    )
    def post_routes(net: NetDep, settings: SettingsDep, gzip: GzipDep, opts: RouteRequest) -> JSONResponse:
        """Same as ``GET /api/routes`` with the options in a JSON body.

        A query without side effects (nothing is stored): a client may send it again after a
        broken connection (RFC 9110 section 9.2.2). Saving a plan is ``POST /api/plans``.
        """
        return _json(routes_payload(net, opts, settings), gzip=gzip)

    sim: dict[int | str, dict[str, Any]] = {501: {"model": ErrorBody, "description": "Reliability not installed"}}

    @router.get(
        "/simulate",
        operation_id="simulate_route",
        summary="Transit-time distribution (query parameters)",
        response_model=Simulation,
        responses=sim,
        openapi_extra={"parameters": query_parameters(SimulateRequest)},
    )
    def get_simulate(request: Request) -> JSONResponse:
        """Monte Carlo transit time of one planned route: P10/P50/P90/P95, on-time probability, histogram."""
        return simulate_answer(request)

    @router.post(
        "/simulate",
        operation_id="simulate_route_post",
        summary="Transit-time distribution (JSON body)",
        response_model=Simulation,
        responses=sim,
    )
    def post_simulate(
        net: NetDep, settings: SettingsDep, results: ResultsDep, gzip: GzipDep, opts: SimulateRequest
    ) -> JSONResponse:
        """Same as ``GET /api/simulate`` with the options in a JSON body.

        A query without side effects: a client may send it again after a broken connection.
        """
        return _json(simulate_payload(net, opts, settings, results), gzip=gzip)

    return router


def capacity_router() -> APIRouter:
    """Capacity assignment and scenarios."""
    router = APIRouter(
        tags=["capacity"],
        responses={**ERROR_RESPONSES, 501: {"model": ErrorBody, "description": "Capacity not installed"}},
    )

    @router.get(
        "/assign",
        operation_id="assign_demand",
        summary="Assign the yearly demand to the capacitated network",
        response_model=Assignment,
    )
    def assign(
        holder: HolderDep,
        scenario: Annotated[
            str | None,
            Query(min_length=1, max_length=200, description="Shipped scenario(s) to apply first; stack with '+'"),
        ] = None,
        method: Annotated[
            Literal["lp", "equilibrium"], Query(description="lp: min-cost flow; equilibrium: BPR user equilibrium")
        ] = "lp",
    ) -> JSONResponse:
        """Volumes, utilisation and shadow prices per element, bottlenecks and the objective (built-in demand)."""
        return _json(assign_payload(holder, scenario, method))

    @router.get(
        "/scenarios",
        operation_id="list_scenarios",
        summary="Available scenarios",
        response_model=list[ScenarioSummary],
    )
    def scenarios(holder: HolderDep) -> JSONResponse:
        """Names and descriptions of the scenarios that can be applied to the dataset."""
        net = holder.get()
        return _json(scenario_list(net))

    @router.get(
        "/scenarios/{name}/diff",
        operation_id="diff_scenarios",
        summary="Compare a scenario with another (default: the base dataset)",
        response_model=ScenarioDiff,
    )
    def scenario_diff(
        holder: HolderDep,
        name: Annotated[str, Path(min_length=1, max_length=200)],
        base: Annotated[
            str, Query(min_length=1, max_length=200, description="'base' or scenario name(s), stacked with '+'")
        ] = "base",
    ) -> JSONResponse:
        """Routes, transit-time percentiles, costs, emissions and bottlenecks side by side."""
        return _json(diff_payload(holder, name, base))

    @router.get("/scenarios/{name}", operation_id="get_scenario", summary="One scenario", response_model=ScenarioDetail)
    def scenario(holder: HolderDep, name: Annotated[str, Path(min_length=1, max_length=200)]) -> JSONResponse:
        """The scenario's overlay (what it adds, removes and changes)."""
        net = holder.get()
        return _json(scenario_show(net, name))

    return router


def web_router(settings: Settings) -> APIRouter:
    """The bundled page at ``/``."""
    from karavan.web import static_dir

    router = APIRouter(include_in_schema=False)
    index = static_dir() / "index.html"

    @router.get("/")
    async def page() -> FileResponse:
        return FileResponse(index, media_type="text/html")

    return router


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the karavan service: REST API under ``/api``, ``/healthz``, the web map at ``/``.

    Parameters
    ----------
    settings
        Configuration; default read from ``KARAVAN_*`` environment variables.

    Returns
    -------
    FastAPI
        The app. Its network is loaded once, in the lifespan (or on first use).
    """
    from karavan.api.docs import docs_router, docs_static
    from karavan.api.plans import StoreHolder, plans_router

    settings = settings if settings is not None else Settings()
    holder = NetworkHolder(settings)
    stores = StoreHolder(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(holder.load)
        # The store opens beside serving: a worker forked from a warm process answers at once,
        # and a request for saved plans waits for the store (StoreHolder.get) if it comes first.
        opening = asyncio.ensure_future(run_in_threadpool(stores.open))
        yield
        await opening
        stores.close()

    app = FastAPI(
        title="karavan",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "routes", "description": "Door-to-door Pareto routes and transit-time distributions"},
            {"name": "network", "description": "The network, its vocabulary and place search"},
            {"name": "capacity", "description": "Capacity assignment, bottlenecks and scenarios"},
            {"name": "plans", "description": "Saved plans, simulations, scenario runs and assignments"},
            {"name": "system", "description": "Health and versions"},
        ],
    )
    app.state.settings = settings
    app.state.holder = holder
    app.state.stores = stores
    install_error_handlers(app)
    app.include_router(docs_router())
    app.mount("/docs-static", docs_static(), name="docs-static")
    app.include_router(plans_router(), prefix="/api")
    hot_paths = {"/api/routes": routes_answer, "/api/simulate": simulate_answer}
    app.add_middleware(HotPaths, endpoints=hot_paths, threads=settings.route_concurrency)  # inside GZip, protection
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL)
    install_protection(app, settings)  # outermost: body limits, time budget, load shedding
    document(app, settings)  # the schema's limits and error answers are the ones enforced
    app.include_router(system_router())
    app.include_router(network_router(), prefix="/api")
    app.include_router(routes_router(), prefix="/api")
    app.include_router(capacity_router(), prefix="/api")
    from karavan.api.exports import exports_router

    app.include_router(exports_router(), prefix="/api")
    app.include_router(energy_router(), prefix="/api")
    if settings.web:
        from karavan.web import static_dir

        app.include_router(web_router(settings))
        app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    return app
