"""Service settings: one immutable object read from ``KARAVAN_*`` environment variables."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from karavan import limits

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
"""The log levels uvicorn knows."""


class Settings(BaseSettings):
    """Configuration of the REST API and web map.

    Every field can be set from the environment with the ``KARAVAN_`` prefix
    (``KARAVAN_DATASET=tests/fixtures/mini``, ``KARAVAN_PORT=8080``). The object is
    frozen: build a new one (``settings.model_copy(update=...)``) instead of mutating it.

    Attributes
    ----------
    dataset : str or None
        Embedded dataset name or directory; ``None`` is the default dataset.
    energy_dataset : str or None
        Energy dataset name or directory for ``/api/energy``; ``None`` is ``central-asia-energy``.
    host, port : str, int
        Where ``karavan serve`` listens.
    web : bool
        Serve the bundled web map at ``/``.
    max_routes : int
        Upper bound a client may ask for in ``max_routes``.
    max_runs : int
        Upper bound of Monte Carlo runs per simulate request.
    log_level : str
        uvicorn log level.
    database_url : str or None
        Where saved plans live (``KARAVAN_DATABASE_URL``): a SQLAlchemy URL, ``sqlite:///plans.sqlite``
        or ``postgresql://user@host/db``; ``None`` is a SQLite file in the user's data directory.
    database_migrate : bool
        Migrate the database to the newest schema when the service starts.
    workers : int
        Worker processes of ``karavan serve`` (a supervisor respawns any that die).
    max_body_bytes : int
        Largest request body accepted (413 beyond).
    body_timeout_s : float
        Longest a client may take to send its body (408 beyond).
    request_timeout_s : float
        Time budget of a request; 504 beyond it.
    route_concurrency, route_queue : int
        Route plans and simulations computed at once per worker, and how many more may wait
        (503 beyond). The work is CPU-bound: one at a time per worker (and one worker per core)
        keeps the event loop's share of the GIL.
    compute_concurrency, compute_queue : int
        The same for capacity assignments and scenario diffs.
    cache_entries : int
        Results (simulations) kept per worker, least recently used dropped first.
    keep_alive_s : float
        Idle keep-alive connections are closed after this many seconds.
    """

    model_config = SettingsConfigDict(env_prefix="KARAVAN_", frozen=True, extra="ignore")

    dataset: str | None = None
    energy_dataset: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    web: bool = True
    max_routes: int = Field(default=10, **limits.MAX_ROUTES.field())
    max_runs: int = Field(default=20_000, **limits.RUNS.field())
    log_level: str = "info"
    database_url: str | None = None
    database_migrate: bool = True
    workers: int = Field(default=1, **limits.WORKERS.field())
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=1_073_741_824)
    body_timeout_s: float = Field(default=10.0, gt=0, le=3600)
    request_timeout_s: float = Field(default=30.0, gt=0, le=3600)
    route_concurrency: int = Field(default=1, ge=1, le=256)
    route_queue: int = Field(default=64, ge=0, le=10_000)
    compute_concurrency: int = Field(default=1, ge=1, le=64)
    compute_queue: int = Field(default=4, ge=0, le=1_000)
    cache_entries: int = Field(default=256, ge=0, le=100_000)
    keep_alive_s: float = Field(default=5.0, gt=0, le=600)

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().lower()
        if level not in LOG_LEVELS:
            raise ValueError("one of " + ", ".join(LOG_LEVELS))
        return level
