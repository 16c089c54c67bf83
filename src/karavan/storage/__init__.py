"""Saved plans, simulations, scenario runs and assignments in a SQL database.

SQLAlchemy 2 with Alembic migrations shipped in the package; a SQLite file by default,
PostgreSQL (psycopg 3) by URL. Needs the ``service`` extra (``pip install 'karavan[service]'``).

>>> from karavan.storage import open_store
>>> store = open_store("sqlite:///plans.sqlite")          # migrates to the newest schema
>>> rec = store.save("route", "Altynkol → Baku", query={...}, result={...}, dataset=...)
>>> store.get(rec.id).result
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from karavan.storage.store import KINDS as KINDS
    from karavan.storage.store import DatasetStamp as DatasetStamp
    from karavan.storage.store import SavedRecord as SavedRecord
    from karavan.storage.store import Store as Store
    from karavan.storage.store import current_revision as current_revision
    from karavan.storage.store import default_url as default_url
    from karavan.storage.store import open_store as open_store
    from karavan.storage.store import upgrade as upgrade

_NAMES = ("KINDS", "DatasetStamp", "SavedRecord", "Store", "current_revision", "default_url", "open_store", "upgrade")


def __getattr__(name: str) -> Any:
    """Import lazily: SQLAlchemy loads only when storage is used."""
    if name in _NAMES:
        from karavan.storage import store

        return getattr(store, name)
    raise AttributeError(f"module 'karavan.storage' has no attribute {name!r}")


__all__ = list(_NAMES)
