"""karavan: plan and simulate freight across the Caspian transit corridors.

The public surface is small; everything else lives in the subpackages::

    >>> import karavan
    >>> net = karavan.load_network()          # the embedded ``caspian`` dataset
    >>> net.resolve("Актау").id
    'KZAAU'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from karavan._version import __version__
from karavan.errors import (
    DatasetError,
    InputError,
    KaravanError,
    NoRouteError,
    UnknownPlaceError,
    ValidationError,
)

if TYPE_CHECKING:
    from karavan.io import load_network as load_network

_LAZY = {"load_network": "karavan.io"}


def __getattr__(name: str) -> Any:
    """Import public functions lazily so ``import karavan`` stays cheap."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'karavan' has no attribute {name!r}")


__all__ = [
    "DatasetError",
    "InputError",
    "KaravanError",
    "NoRouteError",
    "UnknownPlaceError",
    "ValidationError",
    "__version__",
    "load_network",
]
