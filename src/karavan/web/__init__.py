"""The bundled web map (static files) and the HTML report builders.

Nothing here imports FastAPI: :mod:`karavan.api` serves :func:`static_dir`, and
:mod:`karavan.web.report` builds self-contained HTML reports from library results.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def static_dir() -> Path:
    """Directory of the page's static files (``index.html``, ``app.js``, ``vendor/``)."""
    return Path(str(resources.files(__name__) / "static"))


__all__ = ["static_dir"]
