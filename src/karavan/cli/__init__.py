"""Command-line interface: a thin Typer adapter over the library."""
