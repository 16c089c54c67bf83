"""``karavan db upgrade|current`` on a SQLite file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from karavan.storage.store import head_revision

Run = Callable[..., tuple[int, str, str]]


def test_upgrade_then_current(run_cli: Run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    code, out, _ = run_cli("db", "current", "--url", url, "--format", "json")
    assert code == 0
    assert json.loads(out)["revision"] is None
    code, out, _ = run_cli("db", "upgrade", "--url", url)
    assert code == 0
    assert head_revision() in out
    code, out, _ = run_cli("db", "current", "--url", url, "-f", "json")
    assert json.loads(out) == {"url": url, "revision": head_revision(), "head": head_revision()}


def test_unreachable_database_is_a_clear_error(run_cli: Run) -> None:
    code, out, _ = run_cli("db", "current", "--url", "postgresql://user:secret@127.0.0.1:1/none", "-f", "json")
    assert code == 1
    body = json.loads(out)
    assert body["error"] == "storage_unavailable"
    assert "secret" not in body["message"]
    assert "***" in body["message"]
