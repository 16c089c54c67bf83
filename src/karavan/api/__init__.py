"""REST API: a FastAPI app built by :func:`create_app` (the library never imports FastAPI).

>>> from karavan.api import create_app
>>> app = create_app()            # nothing is loaded until the app starts
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from karavan.api.app import create_app as create_app
    from karavan.api.settings import Settings as Settings


def __getattr__(name: str) -> Any:
    """Import lazily so ``import karavan.api`` stays cheap."""
    if name == "create_app":
        from karavan.api.app import create_app

        return create_app
    if name == "Settings":
        from karavan.api.settings import Settings

        return Settings
    raise AttributeError(f"module 'karavan.api' has no attribute {name!r}")


__all__ = ["Settings", "create_app"]
