"""Saved plans: ``POST /api/plans`` computes a query's result and stores both; ``GET`` reopens and lists.

The storage itself is :mod:`karavan.storage` (SQLAlchemy + Alembic); this module only
translates HTTP to it. The store is opened (and migrated) when the app starts; if the
database cannot be reached the rest of the service keeps working and these endpoints
answer 503 ``storage_unavailable``.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from karavan import __version__
from karavan.api.encoding import FastJSONResponse
from karavan.api.errors import ERROR_RESPONSES, ErrorBody
from karavan.api.models import RouteRequest, SimulateRequest
from karavan.api.payloads import assign_payload, diff_payload, routes_payload, simulate_payload
from karavan.api.responses import PlanCreated, SavedList, SavedRecord
from karavan.api.settings import Settings
from karavan.api.state import NetworkHolder
from karavan.errors import KaravanError, StorageError

log = logging.getLogger("karavan.api")


class ScenarioQuery(BaseModel):
    """A scenario compared with a base, as ``GET /api/scenarios/{name}/diff`` takes it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Shipped scenario name")
    base: str = Field(default="base", min_length=1, max_length=200, description="'base' or a scenario name")


class AssignQuery(BaseModel):
    """An assignment of the built-in demand, as ``GET /api/assign`` takes it."""

    model_config = ConfigDict(extra="forbid")

    scenario: str | None = Field(default=None, min_length=1, max_length=200, description="Scenario applied first")
    method: Literal["lp", "equilibrium"] = "lp"


_TITLE = Field(default=None, min_length=1, max_length=200, description="Title (default from the query)")


class SaveRoute(BaseModel):
    """Save a route plan."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["route"]
    title: str | None = _TITLE
    query: RouteRequest


class SaveSimulation(BaseModel):
    """Save a transit-time simulation."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["simulation"]
    title: str | None = _TITLE
    query: SimulateRequest


class SaveScenario(BaseModel):
    """Save a scenario comparison."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["scenario"]
    title: str | None = _TITLE
    query: ScenarioQuery


class SaveAssignment(BaseModel):
    """Save an assignment of the yearly demand."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["assignment"]
    title: str | None = _TITLE
    query: AssignQuery


SaveRequest = Annotated[
    SaveRoute | SaveSimulation | SaveScenario | SaveAssignment,
    Field(discriminator="kind"),
]


class StoreHolder:
    """Opens the store once (at startup or on first use) and remembers a failure as a 503."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._store: Any = None
        self._error: KaravanError | None = None
        self._migrated = False

    def migrate(self) -> None:
        """Bring the database to the newest schema now and close it again (before workers fork).

        Workers then open it without migrating. A failure is left for :meth:`open` to report.
        """
        if not self.settings.database_migrate:
            return
        try:
            from karavan.storage import open_store

            open_store(self.settings.database_url, migrate=True).close()
        except (KaravanError, ImportError):
            return
        self._migrated = True

    def open(self) -> None:
        """Open and migrate the store now (idempotent); a failure is logged and kept."""
        with self._lock:
            if self._store is not None or self._error is not None:
                return
            try:
                from karavan.storage import open_store

                migrate = self.settings.database_migrate and not self._migrated
                self._store = open_store(self.settings.database_url, migrate=migrate)
            except KaravanError as exc:
                log.error("saved plans unavailable: %s", exc)
                self._error = exc
            except ImportError as exc:  # pragma: no cover - depends on the installation
                self._error = StorageError(f"saved plans need {exc.name}: pip install 'karavan[service]'")

    def get(self) -> Any:
        """The store, or the error that kept it from opening."""
        if self._store is None and self._error is None:
            self.open()
        if self._error is not None:
            raise self._error
        return self._store

    def close(self) -> None:
        """Release the store's connections."""
        if self._store is not None:
            self._store.close()


def _title(net: Any, req: SaveRoute | SaveSimulation | SaveScenario | SaveAssignment) -> str:
    if req.title:
        return req.title
    if isinstance(req, SaveRoute | SaveSimulation):
        o, d = net.resolve(req.query.origin), net.resolve(req.query.destination)
        what = "simulation" if isinstance(req, SaveSimulation) else "route"
        return f"{o.name_en} → {d.name_en} ({what})"
    if isinstance(req, SaveScenario):
        return f"scenario {req.query.name} vs {req.query.base}"
    return f"assignment ({req.query.scenario or 'base'}, {req.query.method})"


def _result(app_state: Any, req: SaveRoute | SaveSimulation | SaveScenario | SaveAssignment) -> dict[str, Any]:
    holder: NetworkHolder = app_state.holder
    settings: Settings = app_state.settings
    if isinstance(req, SaveRoute):  # with the map geometry: the record's share_url reopens it on the map
        return routes_payload(holder.get(), req.query.model_copy(update={"geojson": True}), settings)
    if isinstance(req, SaveSimulation):
        return simulate_payload(holder.get(), req.query, settings)
    if isinstance(req, SaveScenario):
        return diff_payload(holder, req.query.name, req.query.base)
    return assign_payload(holder, req.query.scenario, req.query.method)


def plans_router() -> APIRouter:
    """``/plans``: save, reopen and list plans, simulations, scenario runs and assignments."""
    router = APIRouter(
        tags=["plans"],
        responses={
            **ERROR_RESPONSES,
            404: {"model": ErrorBody, "description": "No saved record with this id (or unknown place / no route)"},
            503: {"model": ErrorBody, "description": "The database or the dataset is unavailable"},
        },
    )

    @router.post(
        "/plans",
        operation_id="save_plan",
        summary="Save a query with its result",
        status_code=201,
        response_model=PlanCreated,
    )
    def save_plan(request: Request, body: SaveRequest) -> JSONResponse:
        """Compute the query's result on this service's dataset and store both in one transaction.

        ``kind`` selects what is saved: ``route`` (a route query), ``simulation`` (a simulate
        query), ``scenario`` (a scenario diff) or ``assignment``. The answer carries the new
        id, its API path and the web map URL that reopens it.
        """
        from karavan.storage import DatasetStamp

        stores: StoreHolder = request.app.state.stores
        store = stores.get()
        holder: NetworkHolder = request.app.state.holder
        net = holder.get()
        result = _result(request.app.state, body)
        rec = store.save(
            body.kind,
            _title(net, body),
            query=body.query.model_dump(mode="json"),
            result=result,
            dataset=DatasetStamp(net.info.name, net.info.version, net.content_hash),
            karavan=__version__,
        )
        url = f"/api/plans/{rec.id}"
        data = {**rec.summary(), "url": url, "share_url": f"/?plan={rec.id}"}
        return FastJSONResponse(data, status_code=201, headers={"Location": url})

    @router.get("/plans", operation_id="list_plans", summary="Saved records, newest first", response_model=SavedList)
    def list_plans(
        request: Request,
        kind: Annotated[
            Literal["route", "simulation", "scenario", "assignment"] | None, Query(description="Only this kind")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000, description="Most records returned")] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9, description="Records skipped")] = 0,
    ) -> JSONResponse:
        """Ids, kinds, titles, dates and datasets of saved records (without their results)."""
        stores: StoreHolder = request.app.state.stores
        items, total = stores.get().list(kind=kind, limit=limit, offset=offset)
        return FastJSONResponse({"items": [r.summary() for r in items], "total": total})

    @router.get(
        "/plans/{plan_id}", operation_id="get_plan", summary="Reopen a saved record", response_model=SavedRecord
    )
    def get_plan(
        request: Request,
        plan_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")],
    ) -> JSONResponse:
        """The query as sent and the result as answered, with the dataset it was computed on."""
        stores: StoreHolder = request.app.state.stores
        return FastJSONResponse(stores.get().get(plan_id).to_dict())

    return router
