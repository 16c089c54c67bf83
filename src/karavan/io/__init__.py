"""Read, validate and export datasets (names imported on first use)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from karavan import _lazy

if TYPE_CHECKING:
    from karavan.io.geojson import network_geojson, network_layers
    from karavan.io.load import TABLE_FILES, load_network, read_tables, validate_dataset

_LAZY = {
    "network_geojson": "karavan.io.geojson",
    "network_layers": "karavan.io.geojson",
    "TABLE_FILES": "karavan.io.load",
    "load_network": "karavan.io.load",
    "read_tables": "karavan.io.load",
    "validate_dataset": "karavan.io.load",
}
"""Public name -> the module defining it (imported on first use)."""


def __getattr__(name: str) -> Any:
    """Import public names on first use."""
    return _lazy.attribute(__name__, _LAZY, name)


__all__ = [
    "TABLE_FILES",
    "load_network",
    "network_geojson",
    "network_layers",
    "read_tables",
    "validate_dataset",
]
