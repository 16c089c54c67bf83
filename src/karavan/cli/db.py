"""``karavan db upgrade|current``: the database of saved plans (SQLite file or PostgreSQL)."""

from __future__ import annotations

from typing import Annotated

import typer

from karavan.cli.common import PlainFormat, PlainFormatOpt, console, emit_json, not_blank

app = typer.Typer(help="Migrate and inspect the database of saved plans.", no_args_is_help=True)

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="SQLAlchemy URL, e.g. sqlite:///plans.sqlite or postgresql://user@host/db "
        "(default: $KARAVAN_DATABASE_URL, else a SQLite file in the user's data directory).",
        show_default=False,
    ),
]


@app.command("upgrade")
def upgrade_cmd(url: UrlOpt = None, fmt: PlainFormatOpt = PlainFormat.table) -> None:
    """Create or migrate the database to the newest schema (the service also does this on start)."""
    from karavan.storage import default_url, upgrade
    from karavan.storage.store import safe_url

    target = not_blank(url, "--url") or default_url()
    revision = upgrade(target)
    if fmt is PlainFormat.json:
        emit_json({"url": safe_url(target), "revision": revision})
        return
    console.print(f"database {safe_url(target)} is at schema revision {revision}", highlight=False)


@app.command("current")
def current_cmd(url: UrlOpt = None, fmt: PlainFormatOpt = PlainFormat.table) -> None:
    """Show the schema revision of the database (none if it was never migrated)."""
    from karavan.storage import default_url
    from karavan.storage.store import current_revision, head_revision, safe_url

    url = not_blank(url, "--url")
    safe, revision = safe_url(url or default_url()), current_revision(url)
    if fmt is PlainFormat.json:
        emit_json({"url": safe, "revision": revision, "head": head_revision()})
        return
    state = "up to date" if revision == head_revision() else "needs `karavan db upgrade`"
    console.print(f"database {safe}: revision {revision or 'none'} ({state})", highlight=False)


def register(main: typer.Typer) -> None:
    """Attach ``db`` to the main app."""
    main.add_typer(app, name="db")
