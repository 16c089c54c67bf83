"""Options, output helpers and error handling shared by the CLI commands."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from karavan.model.network import Network

# Tables stay readable when piped or logged (Rich would otherwise assume 80 columns).
console = Console(width=None if sys.stdout.isatty() else 150)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 150)


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    geojson = "geojson"


DatasetOpt = Annotated[
    str | None,
    typer.Option(
        "--dataset",
        help="Dataset directory or embedded dataset name (default: caspian, or $KARAVAN_DATASET).",
        show_default=False,
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]


def dataset_spec(dataset: str | None) -> str | None:
    """The dataset the user chose: the option, else ``$KARAVAN_DATASET``, else the default."""
    return dataset or os.environ.get("KARAVAN_DATASET") or None


def load(dataset: str | None) -> Network:
    """Load the chosen dataset (validation errors propagate to :func:`run`)."""
    from karavan.io import load_network

    return load_network(dataset_spec(dataset))


def emit_json(data: Any, output: Path | None = None) -> None:
    """Write ``data`` as JSON to ``output`` or stdout."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        write_text_atomic(output, text + "\n")
        err_console.print(f"wrote {output}")


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file via a temporary sibling so a failure never leaves a half-written file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
