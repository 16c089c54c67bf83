"""``/api/energy/...``: gas and power exchange endpoints (thin adapters over :mod:`karavan.energy`)."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from karavan.api.errors import ERROR_RESPONSES, ErrorBody
from karavan.errors import InputError

ScenarioQuery = Annotated[
    str, Query(min_length=1, max_length=200, description="'base' or the name of a shipped energy scenario")
]


class EnergyScenarioInfo(BaseModel):
    """A shipped energy scenario."""

    name: str
    title: str
    year: int | None
    description: str


class EnergyFeature(BaseModel):
    """A GeoJSON feature: a bus (Point) or a pipeline or power link (LineString)."""

    model_config = ConfigDict(extra="allow")

    type: str = "Feature"
    geometry: dict[str, Any]
    properties: dict[str, Any] = Field(
        description="layer, id, carrier, kind, status, capacity, color; flows when solved"
    )


class EnergyGeoJSON(BaseModel):
    """The energy network as a GeoJSON FeatureCollection."""

    type: str = "FeatureCollection"
    name: str
    features: list[EnergyFeature]


class EnergyFlow(BaseModel):
    """Yearly flow on one pipeline or power link."""

    id: str
    name: str
    kind: str = Field(description="pipeline, ac_line, hvdc or controllable")
    carrier: str
    from_bus: str
    to_bus: str
    from_country: str
    to_country: str
    capacity: float
    capacity_unit: str = Field(description="bcm/yr or MW")
    forward: float
    backward: float
    net: float
    unit: str = Field(description="bcm or TWh (per year)")
    utilisation: float
    peak_utilisation: float
    capacity_value_usd: float = Field(description="USD per year saved by one more unit of capacity (bcm/yr or MW)")
    monthly_net: dict[str, float]


class EnergyBus(BaseModel):
    """Nodal prices and unserved demand at one bus."""

    id: str
    name_en: str
    carrier: str
    country: str
    price_mean_usd_per_mwh: float
    price_min_usd_per_mwh: float
    price_max_usd_per_mwh: float
    demand: float
    unserved: float
    peak_unserved_mw: float
    unit: str


class EnergyTrade(BaseModel):
    """USD value of one cross-border flow."""

    exporter: str
    importer: str
    carrier: str
    flow_id: str
    volume: float
    unit: str
    price: float
    price_unit: str
    value_usd: float
    price_basis: str
    price_sourced: bool


class EnergySolveResponse(BaseModel):
    """One solved year."""

    dataset: str
    scenario: str
    objective_usd: float
    solve_s: float
    buses: int
    snapshots: int
    co2_t: float
    unserved_twh: float
    unserved_bcm: float
    trade_value_usd: float
    flows: list[EnergyFlow]
    bus_results: list[EnergyBus]
    trade: list[EnergyTrade]
    co2_t_by_country: dict[str, float]
    notes: list[str]


class EnergyDiffResponse(BaseModel):
    """A scenario against a base: totals, flows, buses and trade, each with both values and the change."""

    totals: dict[str, Any]
    flows: list[dict[str, Any]]
    buses: list[dict[str, Any]]
    trade: list[dict[str, Any]]
    notes: list[str]


class _EnergyState:
    """The energy dataset, loaded once per app, and solved years cached by scenario (thread-safe)."""

    def __init__(self, dataset: str | None) -> None:
        self.dataset = dataset
        self._lock = threading.Lock()

    def load(self) -> Any:
        from karavan.energy.load import load_energy

        return load_energy(self.dataset)

    def scenario(self, name: str) -> Any:
        from karavan.energy.scenario import dataset_for, list_energy_scenarios

        if name.lower() != "base" and name not in {s.name for s in list_energy_scenarios()}:
            names = ", ".join(sorted(s.name for s in list_energy_scenarios()))
            raise InputError("scenario", name, f"base or one of {names}")
        return dataset_for(name, self.load())

    def solve(self, name: str) -> Any:
        from karavan.energy.solver import solve

        ds = self.scenario(name)
        with self._lock:  # one solve at a time; results are cached by dataset content
            return solve(ds)


def _state(request: Request) -> _EnergyState:
    state = getattr(request.app.state, "energy", None)
    if state is None:
        settings = request.app.state.settings
        state = _EnergyState(getattr(settings, "energy_dataset", None))
        request.app.state.energy = state
    return state


def _solve_response(r: Any) -> EnergySolveResponse:
    flows = [
        EnergyFlow(
            id=f.id,
            name=f.name,
            kind=f.kind,
            carrier=f.carrier,
            from_bus=f.from_bus,
            to_bus=f.to_bus,
            from_country=f.from_country,
            to_country=f.to_country,
            capacity=f.capacity,
            capacity_unit=f.capacity_unit,
            forward=f.forward,
            backward=f.backward,
            net=f.net,
            unit=f.unit,
            utilisation=f.utilisation,
            peak_utilisation=f.peak_utilisation,
            capacity_value_usd=f.capacity_value_usd,
            monthly_net=dict(
                zip(
                    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
                    f.monthly,
                    strict=True,
                )
            ),
        )
        for f in r.flows
    ]
    buses = [EnergyBus(**{k: getattr(b, k) for k in EnergyBus.model_fields}) for b in r.bus_results]
    trade = [EnergyTrade(**{k: getattr(t, k) for k in EnergyTrade.model_fields}) for t in r.trade]
    s = r.summary()
    return EnergySolveResponse(
        **{
            k: s[k]
            for k in (
                "dataset",
                "scenario",
                "objective_usd",
                "solve_s",
                "buses",
                "snapshots",
                "co2_t",
                "unserved_twh",
                "unserved_bcm",
                "trade_value_usd",
            )
        },
        flows=flows,
        bus_results=buses,
        trade=trade,
        co2_t_by_country=r.co2_t_by_country,
        notes=list(r.notes),
    )


def energy_router() -> APIRouter:
    """Energy network, solve, diff and trade endpoints."""
    router = APIRouter(
        prefix="/energy",
        tags=["energy"],
        responses={**ERROR_RESPONSES, 501: {"model": ErrorBody, "description": "The energy extra is not installed"}},
    )

    @router.get("/scenarios", response_model=list[EnergyScenarioInfo], summary="Shipped energy scenarios")
    def scenarios() -> list[EnergyScenarioInfo]:
        """Names, titles and descriptions of the energy scenarios."""
        from karavan.energy.scenario import list_energy_scenarios

        return [
            EnergyScenarioInfo(name=s.name, title=s.title, year=s.year, description=s.description)
            for s in list_energy_scenarios()
        ]

    @router.get("/network", response_model=EnergyGeoJSON, summary="The energy network as GeoJSON")
    async def network(request: Request, scenario: ScenarioQuery = "base", solved: bool = False) -> EnergyGeoJSON:
        """Buses, pipelines and power links with carrier, status and capacity; with ``solved=true`` also flows
        and utilisation for the map layer."""
        from karavan.energy.export import energy_geojson

        state = _state(request)
        ds = state.scenario(scenario)
        result = await run_in_threadpool(state.solve, scenario) if solved else None
        return EnergyGeoJSON.model_validate(energy_geojson(ds, result))

    @router.get("/solve", response_model=EnergySolveResponse, summary="Solve one year (typical days) on PyPSA")
    async def solve(request: Request, scenario: ScenarioQuery = "base") -> EnergySolveResponse:
        """Flows (bcm/yr, TWh/yr), utilisation, nodal prices, capacity values, unserved demand, CO2 and trade."""
        r = await run_in_threadpool(_state(request).solve, scenario)
        return _solve_response(r)

    @router.get("/diff", response_model=EnergyDiffResponse, summary="Compare an energy scenario with a base")
    async def diff(request: Request, scenario: ScenarioQuery, base: ScenarioQuery = "base") -> EnergyDiffResponse:
        """Flows, utilisation, prices, capacity values, unserved demand, CO2 and trade value side by side."""
        from karavan.energy.diff import diff_results

        state = _state(request)
        ra = await run_in_threadpool(state.solve, base)
        rb = await run_in_threadpool(state.solve, scenario)
        return EnergyDiffResponse.model_validate(diff_results(ra, rb).to_dict())

    @router.get("/trade", response_model=list[EnergyTrade], summary="Energy trade between two countries (USD)")
    async def trade(
        request: Request,
        scenario: ScenarioQuery = "base",
        between: Annotated[
            str, Query(pattern=r"^[A-Za-z]{2},[A-Za-z]{2}$", description="two ISO codes, e.g. KZ,TM")
        ] = "KZ,TM",
    ) -> list[EnergyTrade]:
        """Rows for the trade report: energy flows between the two countries valued in USD."""
        from karavan.energy.trade import trade_contributions

        a, b = between.upper().split(",")
        r = await run_in_threadpool(_state(request).solve, scenario)
        rows = trade_contributions(r, between=(a, b))
        keep = {t.flow_id + t.exporter: t for t in r.trade}
        return [
            EnergyTrade(**{k: getattr(keep[row["flow_id"] + row["exporter"]], k) for k in EnergyTrade.model_fields})
            for row in rows
        ]

    return router
