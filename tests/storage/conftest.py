"""Storage fixtures: the same tests run on a SQLite file and on a real PostgreSQL server.

PostgreSQL comes from ``$KARAVAN_TEST_POSTGRES_URL`` (``.ci/run`` starts a throwaway server with
``.ci/postgres.sh`` and exports it). Without it the PostgreSQL cases are skipped, except in CI
(``$CI`` set), where they fail: CI must exercise both backends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")

from karavan.storage import DatasetStamp, Store, open_store

STAMP = DatasetStamp("caspian", "2026.1", "0" * 64)


def _postgres_url() -> str:
    url = os.environ.get("KARAVAN_TEST_POSTGRES_URL", "").strip()
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must run the storage tests on PostgreSQL: KARAVAN_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set KARAVAN_TEST_POSTGRES_URL, see .ci/postgres.sh)")
    return url


def _reset_postgres(url: str) -> None:
    """Drop what earlier tests created, so each test starts from an empty, unmigrated database."""
    import sqlalchemy as sa

    from karavan.storage.store import create_engine

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS saved_records, alembic_version"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'plans.sqlite'}"
    url = _postgres_url()
    _reset_postgres(url)
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store, closed after the test."""
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()
