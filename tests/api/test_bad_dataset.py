"""A hostile or broken dataset gives a running server that answers 503 with the problem list."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from karavan.api import Settings, create_app

Edit = Callable[[Path, str, str], None]


@pytest.mark.parametrize(
    ("old", "new", "file"),
    [
        ("lat: 40.0, lon: 80.0", "lat: .inf, lon: 80.0", "nodes.yaml"),
        ("lat: 40.0, lon: 80.0", 'lat: "nan", lon: 80.0', "nodes.yaml"),
        ("length_km: 460,", "length_km: 460, length_km: 1,", "links.yaml"),
    ],
)
def test_bad_dataset_starts_and_answers_503(mini_dir: Path, edit_yaml: Edit, old: str, new: str, file: str) -> None:
    edit_yaml(mini_dir / file, old, new)
    with TestClient(create_app(Settings(dataset=str(mini_dir), web=False))) as client:
        health = client.get("/healthz")
        assert health.status_code == 503
        r = client.get("/api/routes", params={"origin": "CNAAA", "destination": "AZBAK"})
        assert r.status_code == 503
        body = r.json()
        assert body["error"] == "invalid_dataset"
        assert any(file in p for p in body["problems"])


def test_alias_bomb_dataset_answers_503_quickly(mini_dir: Path) -> None:
    bomb = "a: &a [" + ",".join(['"x"'] * 9) + "]\n"
    bomb += "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in itertools.pairwise("abcdefghi"))
    (mini_dir / "sources.yaml").write_text(bomb, encoding="utf-8")
    with TestClient(create_app(Settings(dataset=str(mini_dir), web=False))) as client:
        r = client.get("/api/meta")
        assert r.status_code == 503
        assert len(r.content) < 10_000
