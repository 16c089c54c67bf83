"""``karavan serve``: the REST API and the web map under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from karavan.cli.common import DatasetOpt, err_console


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="TCP port (default 8000).", min=1, max=65535)] = None,
    dataset: DatasetOpt = None,
    log_level: Annotated[str | None, typer.Option("--log-level", help="uvicorn log level.")] = None,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs) and the web map at /.

    Settings not given as options come from KARAVAN_* environment variables.
    """
    try:
        import uvicorn

        from karavan.api import Settings, create_app
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
        err_console.print(f"[bold red]error[/]: the service needs {exc.name!r}: pip install 'karavan[service]'")
        raise typer.Exit(1) from None
    base = Settings()
    updates = {k: v for k, v in {"host": host, "port": port, "dataset": dataset, "log_level": log_level}.items() if v}
    settings = Settings(**{**base.model_dump(), **updates})
    app = create_app(settings)
    err_console.print(f"karavan serving on http://{settings.host}:{settings.port}/  (API docs: /docs)")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level)


def register(app: typer.Typer) -> None:
    """Attach ``serve`` to the main app."""
    app.command("serve")(serve)
