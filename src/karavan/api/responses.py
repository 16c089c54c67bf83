"""Response models of the REST API: the OpenAPI schema of every answer, with examples.

The endpoints build their answers with the library's ``to_dict`` methods and return them
directly (no second validation pass on the hot path); these models document them, and the
schema tests (schemathesis) check that every answer matches its model. Models accept extra
keys so that a field added by the library never breaks a client; the declared fields are
what clients may rely on.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    """A response object that documents its fields and tolerates additional ones."""

    model_config = ConfigDict(extra="allow")


# --------------------------------------------------------------------- GeoJSON


class Geometry(_Open):
    """A GeoJSON geometry (RFC 7946, ``[lon, lat]``)."""

    type: Literal["Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "MultiPoint"]
    coordinates: list[Any]


class Feature(_Open):
    """A GeoJSON feature."""

    type: Literal["Feature"]
    id: str | int | None = None
    geometry: Geometry | None
    properties: dict[str, Any]


class FeatureCollection(_Open):
    """A GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"]
    features: list[Feature]


# ---------------------------------------------------------------------- routes


class TrailInputView(_Open):
    """One input of a computed figure, with the sources it comes from."""

    name: str
    value: Any
    unit: str
    sources: list[str]
    provenance: Literal["sourced", "estimate", "computed"] = Field(
        default="sourced", description="`estimate` values carry their reasoning and never the record's sources"
    )
    estimate: str = Field(default="", description="the estimate's reasoning, when `provenance` is `estimate`")


class TrailRowView(_Open):
    """One computed figure of the calculation trail: formula, inputs with sources, result."""

    element: str
    kind: str
    quantity: str
    formula: str
    inputs: list[TrailInputView]
    result: float
    unit: str
    flags: list[str] = Field(description="`estimate: ...` reasons, `default_tariff` and similar markers")
    sourced_inputs: list[str] = Field(default_factory=list, description="names of the inputs that cite sources")
    estimated_inputs: list[str] = Field(default_factory=list, description="names of the inputs that are estimates")


class Leg(_Open):
    """A transport leg (ISO 14083 transport chain element) of an itinerary."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "index": 3,
                    "service": "cas-aktau-alat-feeder",
                    "service_name": "Aktau - Alat container feeder (KMTF / ASCO)",
                    "service_kind": "feeder",
                    "operator": "Kazmortransflot / ASCO",
                    "mode": "sea",
                    "carrier_unit": "FEU",
                    "reverse": False,
                    "stay_aboard": False,
                    "from": "KZAAU",
                    "to": "AZALA",
                    "depart": "2026-12-06T18:15:11+00:00",
                    "arrive": "2026-12-07T15:55:11+00:00",
                    "distance_km": 526.0,
                    "running_h": 21.67,
                    "wait_h": 32.06,
                    "tonnes": 20.0,
                    "tkm": 10520.0,
                    "toc": "sea_container_feeder",
                    "cost_usd": 1000.0,
                    "co2e_kg": 210.7,
                    "co2e_ttw_kg": 182.0,
                    "co2e_wtt_kg": 28.7,
                    "co2e_intensity_g_per_tkm": 20.03,
                    "countries": ["KZ", "AZ"],
                    "default_tariff": False,
                }
            ]
        },
    )

    index: int = Field(description="Position of the element in the itinerary (legs and hubs share the numbering)")
    service: str = Field(description="Service id")
    service_name: str = Field(description="Service name (for a ferry: the line)")
    service_kind: str = Field(description="block_train, rail_ferry, roro, feeder, container_ship, truck")
    operator: str
    mode: str = Field(description="rail, road or sea")
    carrier_unit: str = Field(description="The unit the service carries the cargo in (FEU, TEU, wagon, ...)")
    reverse: bool
    stay_aboard: bool = Field(description="Continues on the same vehicle after an on-board hub operation")
    from_: str = Field(alias="from", description="Boarding node id")
    to: str = Field(description="Alighting node id")
    depart: str
    arrive: str
    distance_km: float
    running_h: float
    wait_h: float
    tonnes: float = Field(description="Cargo mass carried")
    tkm: float = Field(description="Transport activity, tonne-kilometres")
    toc: str = Field(description="ISO 14083 transport operation category")
    cost_usd: float
    co2e_kg: float = Field(description="Well-to-wheel GHG emissions")
    co2e_ttw_kg: float
    co2e_wtt_kg: float
    co2e_intensity_g_per_tkm: float | None = Field(description="WTW emission intensity, g CO2e per tkm")
    countries: list[str]
    default_tariff: bool


class Hub(_Open):
    """A hub operation (ISO 14083 hub chain element) of an itinerary."""

    index: int
    op: str = Field(description="Hub operation id")
    node: str
    kind: str = Field(description="transshipment, gauge_change, port_handling, border_crossing, terminal, ...")
    start: str
    end: str
    wait_h: float
    dwell_h: float
    tonnes: float
    hoc: str = Field(description="ISO 14083 hub operation category")
    cost_usd: float
    co2e_kg: float
    co2e_ttw_kg: float
    co2e_wtt_kg: float
    co2e_intensity_kg_per_t: float | None = Field(description="WTW emission intensity, kg CO2e per tonne handled")


class CargoView(_Open):
    """What an itinerary carries."""

    unit: str
    count: float
    tonnes: float
    teu: float
    value_usd: float | None


class Route(_Open):
    """One labelled Pareto route: totals, legs, hub operations and (if asked) the calculation trail."""

    label: str = Field(description="Main label: fastest, cheapest, lowest_co2e, balanced or alternative")
    labels: list[str]
    countries: list[str]
    depart: str
    arrive: str
    transit_time_h: float
    distance_km: float
    cost_usd: float
    inventory_cost_usd: float
    co2e_kg: float
    co2e_ttw_kg: float
    co2e_wtt_kg: float
    cargo: CargoView
    parameters_version: str
    legs: list[Leg]
    hubs: list[Hub]
    nodes: list[str]
    trail: list[TrailRowView] | None = Field(default=None, description="Present when the request asked for it")


class RoutesResponse(_Open):
    """Pareto routes: the resolved query, the routes and their geometry."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "query": {"origin": "kz-altynkol", "destination": "AZBAK", "depart": "2026-12-01T00:00:00+00:00"},
                    "routes": [],
                    "geojson": {"type": "FeatureCollection", "features": []},
                }
            ]
        },
    )

    query: dict[str, Any] = Field(description="The query as resolved (place ids, departure, cargo, constraints)")
    routes: list[Route]
    geojson: FeatureCollection | None = Field(
        default=None, description="The routes as a GeoJSON FeatureCollection (when the request asked for geojson)"
    )
    layers: dict[str, FeatureCollection] | None = Field(
        default=None,
        description="Present when the request asked for geojson. "
        "`legs`: one LineString per leg (mode, service, tkm, CO2e, geometry_source); "
        "`stops`: one Point per node with hub operations (ports, border crossings, gauge changes)",
    )


# ------------------------------------------------------------------ simulation


class ElementShare(_Open):
    """Share of the transit-time variance one element causes."""

    element: str
    share: float


class PartShare(_Open):
    """Share of the transit-time variance by part (borders, ferry waits, ...)."""

    part: str
    share: float


class ElementTime(_Open):
    """Time one element adds to the trip, as a distribution."""

    element: str
    kind: str
    mean_h: float
    std_h: float
    p50_h: float
    p90_h: float
    planned_h: float
    variance_share: float


class Histogram(_Open):
    """Transit-time histogram: ``len(bin_edges_h) == len(counts) + 1``."""

    bin_edges_h: list[float]
    counts: list[int]


class Simulation(_Open):
    """Monte Carlo transit time of one planned route."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "runs": 2000,
                    "seed": 0,
                    "depart": "2026-12-01T00:00:00+00:00",
                    "target": None,
                    "planned_h": 195.0,
                    "p10_h": 190.1,
                    "p50_h": 222.3,
                    "p90_h": 292.4,
                    "p95_h": 310.0,
                    "mean_h": 236.0,
                    "std_h": 40.2,
                    "on_time_probability": None,
                }
            ]
        },
    )

    runs: int
    seed: int
    depart: str
    target: str | None
    demand_mt: float | None = None
    parameters_version: str
    planned_h: float
    p10_h: float
    p50_h: float
    p90_h: float
    p95_h: float
    mean_h: float
    std_h: float
    on_time_probability: float | None
    variance_shares: list[ElementShare]
    part_shares: list[PartShare]
    legs: list[ElementTime]
    histogram: Histogram
    route: Route


# -------------------------------------------------------------------- capacity


class ElementFlow(_Open):
    """Volume, capacity, utilisation and shadow price of one service, link or hub."""

    id: str
    kind: str
    name: str
    volume_t: float
    capacity_t: float | None
    utilisation: float | None
    shadow_price_usd_per_t: float | None
    capacity_native: float | None
    capacity_unit: str | None


class OdFlow(_Open):
    """How one origin-destination demand was served."""

    origin: str
    destination: str
    unit: str
    demand_t: float
    served_t: float
    unserved_t: float
    transit_time_h: float | None
    cost_usd_per_t: float | None
    co2e_kg_per_t: float | None


class UtilisationMap(_Open):
    """Utilisation per link and per node for drawing on the map."""

    links: dict[str, float | None]
    nodes: dict[str, float | None]


class Assignment(_Open):
    """The yearly demand assigned to the capacitated network."""

    method: str
    totals: dict[str, float | None] = Field(description="Demand, served and unserved t, cost, CO2e, mean time")
    served_t: float
    unserved_t: float
    elements: list[ElementFlow]
    bottlenecks: list[ElementFlow]
    od: list[OdFlow]
    solver: dict[str, Any]
    notes: list[str]
    map: UtilisationMap | None = None


class ScenarioSummary(_Open):
    """A scenario: its name, title, year and what it changes (counts per kind of change)."""

    name: str
    title: str
    year: int | None
    description: str


class ScenarioDetail(ScenarioSummary):
    """A scenario with its full overlay."""

    overlay: dict[str, Any]
    notes: list[str]


class ScenarioDiff(_Open):
    """Two scenarios side by side: routes, assignment totals and bottlenecks."""

    base: str
    new: str
    routes: list[dict[str, Any]]
    assignment: dict[str, dict[str, float | None]]
    bottlenecks: dict[str, list[ElementFlow]]
    notes: list[str]


# ------------------------------------------------------------------------ plans


class SavedSummary(_Open):
    """A saved record as listed: id, kind, title and when it was saved."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": "p_6f1c2b9e0d4a4f7a",
                    "kind": "route",
                    "title": "Altynkol → Baku",
                    "created_at": "2026-12-01T09:30:00+00:00",
                    "dataset": "caspian",
                    "content_hash": "3f2a…",
                    "karavan": "0.1.0",
                }
            ]
        },
    )

    id: str
    kind: Literal["route", "simulation", "scenario", "assignment"]
    title: str
    created_at: str
    dataset: str
    content_hash: str
    karavan: str
    dataset_version: str


class SavedRecord(SavedSummary):
    """A saved record: the query as sent and the result as answered."""

    query: dict[str, Any]
    result: dict[str, Any]


class SavedList(_Open):
    """Saved records, newest first."""

    items: list[SavedSummary]
    total: int


class PlanCreated(SavedSummary):
    """The id of a record just saved and where to fetch it."""

    url: str = Field(description="Path of the record in this API")
    share_url: str = Field(description="Path of the web map that reopens it (``/?plan=ID``)")


# ------------------------------------------------------------------------ iLEAP


class IleapLocation(_Open):
    """iLEAP ``Location``: the node's name, country, UN/LOCODE and position."""

    city: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    locode: str | None = None
    lat: str | None = None
    lng: str | None = None


class IleapTce(_Open):
    """iLEAP transport chain element: one leg (``tocId``) or hub operation (``hocId``), kg CO2e."""

    tceId: str  # noqa: N815 (iLEAP field name)
    prevTceIds: list[str] = []  # noqa: N815 (iLEAP field name)
    tocId: str | None = None  # noqa: N815 (iLEAP field name)
    hocId: str | None = None  # noqa: N815 (iLEAP field name)
    shipmentId: str  # noqa: N815 (iLEAP field name)
    mass: str = Field(pattern=r"^-?\d+(\.\d+)?$", description="kg")
    distance: dict[str, str] = Field(description="GLEC distance in km: actual, sfd")
    transportActivity: str = Field(pattern=r"^-?\d+(\.\d+)?$", description="tkm")  # noqa: N815 (iLEAP field name)
    origin: IleapLocation | None = None
    destination: IleapLocation | None = None
    departureAt: str | None = None  # noqa: N815 (iLEAP field name)
    arrivalAt: str | None = None  # noqa: N815 (iLEAP field name)
    co2eWTW: str = Field(pattern=r"^-?\d+(\.\d+)?$", description="kg CO2e")  # noqa: N815 (iLEAP field name)
    co2eTTW: str = Field(pattern=r"^-?\d+(\.\d+)?$", description="kg CO2e")  # noqa: N815 (iLEAP field name)


class IleapShipmentFootprint(_Open):
    """iLEAP ``ShipmentFootprint``: one route alternative's chain of TCEs."""

    mass: str = Field(pattern=r"^-?\d+(\.\d+)?$", description="kg")
    shipmentId: str  # noqa: N815 (iLEAP field name)
    tces: list[IleapTce]


class IleapEnergyCarrier(_Open):
    """iLEAP ``EnergyCarrier`` with emission factors in kg CO2e per ``energyConsumptionUnit``."""

    energyCarrier: str  # noqa: N815 (iLEAP field name)
    emissionFactorWTW: str  # noqa: N815 (iLEAP field name)
    emissionFactorTTW: str  # noqa: N815 (iLEAP field name)
    relativeShare: str  # noqa: N815 (iLEAP field name)


class IleapToc(_Open):
    """iLEAP transport operation category: kg CO2e per tkm."""

    tocId: str  # noqa: N815 (iLEAP field name)
    description: str | None = None
    mode: Literal["Road", "Rail", "Air", "Sea", "InlandWaterway"]
    energyCarriers: list[IleapEnergyCarrier]  # noqa: N815 (iLEAP field name)
    co2eIntensityWTW: str  # noqa: N815 (iLEAP field name)
    co2eIntensityTTW: str  # noqa: N815 (iLEAP field name)
    transportActivityUnit: Literal["tkm", "TEUkm"]  # noqa: N815 (iLEAP field name)


class IleapHoc(_Open):
    """iLEAP hub operation category: kg CO2e per outbound tonne."""

    hocId: str  # noqa: N815 (iLEAP field name)
    description: str | None = None
    hubType: str  # noqa: N815 (iLEAP field name)
    hubLocation: IleapLocation | None = None  # noqa: N815 (iLEAP field name)
    energyCarriers: list[IleapEnergyCarrier]  # noqa: N815 (iLEAP field name)
    co2eIntensityWTW: str  # noqa: N815 (iLEAP field name)
    co2eIntensityTTW: str  # noqa: N815 (iLEAP field name)
    hubActivityUnit: Literal["tonnes", "TEU"]  # noqa: N815 (iLEAP field name)


class IleapExport(_Open):
    """The routes of a query as iLEAP records (ISO 14083), with what is estimated."""

    specification: str
    query: dict[str, Any]
    parameters_version: str
    shipmentFootprints: list[IleapShipmentFootprint]  # noqa: N815 (iLEAP field name)
    tocs: list[IleapToc]
    hocs: list[IleapHoc]
    estimates: list[str]
