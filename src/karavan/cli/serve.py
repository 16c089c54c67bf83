"""``karavan serve``: the REST API and the web map, in supervised uvicorn worker processes."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from karavan.cli.common import DatasetOpt, err_console
from karavan.errors import InputError

OPTION_OF = {
    "host": "--host",
    "port": "--port",
    "dataset": "--dataset",
    "log_level": "--log-level",
    "workers": "--workers",
}
"""Settings that have a command-line option (the others come only from ``KARAVAN_*``)."""


def build_settings(updates: dict[str, Any]) -> Any:
    """Settings from ``KARAVAN_*`` with the given options on top; errors name the option or variable."""
    from pydantic import ValidationError

    from karavan.api import Settings

    try:
        base = Settings()
        return Settings(**{**base.model_dump(), **{k: v for k, v in updates.items() if v is not None}})
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "settings"
        where = OPTION_OF.get(name, f"KARAVAN_{name.upper()}")
        if name in updates and updates[name] is None:
            where = f"KARAVAN_{name.upper()}"
        raise InputError(where, err.get("input"), _expected(str(err["msg"]))) from None


def _expected(message: str) -> str:
    """Pydantic's message as the end of "expected ...": ``Input should be at most 64`` -> ``a value at most 64``."""
    text = message.removeprefix("Value error, ")
    return "a value " + text.removeprefix("Input should be ") if text.startswith("Input should be ") else text


def settings_environment(settings: Any) -> dict[str, str]:
    """The ``KARAVAN_*`` variables that make a worker process build exactly ``settings``."""
    return {f"KARAVAN_{k.upper()}": str(v) for k, v in settings.model_dump().items() if v is not None}


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="TCP port (default 8000).", min=1, max=65535)] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Worker processes; a supervisor respawns any that dies (default 1).", min=1),
    ] = None,
    dataset: DatasetOpt = None,
    log_level: Annotated[str | None, typer.Option("--log-level", help="uvicorn log level.")] = None,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs) and the web map at /.

    Runs WORKERS processes on one socket under gunicorn, forked from a supervisor that has
    loaded the dataset and compiled the kernels, so a worker that dies or stops answering
    its heartbeat is replaced within a second. Settings not given as options come from
    KARAVAN_* environment variables (time budget, body limit, queue sizes: see docs/service.md).
    """
    try:
        import uvicorn  # noqa: F401

        from karavan.api.server import serve as run
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
        err_console.print(f"[bold red]error[/]: the service needs {exc.name!r}: pip install 'karavan[service]'")
        raise typer.Exit(1) from None
    if host is not None and not host.strip():
        raise InputError("--host", host, "an interface name or address such as 127.0.0.1")
    settings = build_settings(
        {"host": host, "port": port, "dataset": dataset, "log_level": log_level, "workers": workers}
    )
    os.environ.update(settings_environment(settings))  # workers started afresh build their app from these
    err_console.print(
        f"karavan serving on http://{settings.host}:{settings.port}/  (API docs: /docs; "
        f"{settings.workers} supervised worker{'s' if settings.workers != 1 else ''})",
        highlight=False,
    )
    run(settings)


def register(app: typer.Typer) -> None:
    """Attach ``serve`` to the main app."""
    app.command("serve")(serve)
