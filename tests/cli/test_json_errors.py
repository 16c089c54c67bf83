"""``--format json`` errors: JSON on stdout with the same stable codes as the REST API."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from karavan.api import Settings, create_app
from karavan.cli.main import wants_json

MINI = str(Path(__file__).parents[1] / "fixtures" / "mini")
Run = Callable[..., tuple[int, str, str]]


@pytest.mark.parametrize(
    ("args", "params", "code", "status"),
    [
        (["route", "Nowhere", "Aktau"], {"origin": "Nowhere", "destination": "Aktau"}, "unknown_place", 2),
        (["route", "Alpha", "Aktau", "--count", "-3"], {"origin": "Alpha", "destination": "Aktau", "count": -3},
         "invalid_input", 2),
    ],
)  # fmt: skip
def test_cli_json_errors_use_the_api_codes(
    run_cli: Run, args: list[str], params: dict[str, object], code: str, status: int
) -> None:
    exit_code, out, _ = run_cli(*args, "--format", "json", "--dataset", MINI)
    assert exit_code == status
    body = json.loads(out)
    assert body["error"] == code
    assert body["message"]
    with TestClient(create_app(Settings(dataset=MINI))) as client:
        assert client.get("/api/routes", params=params).json()["error"] == code


def test_unknown_place_json_error_carries_suggestions(run_cli: Run) -> None:
    _, out, err = run_cli("route", "Aktaw", "Alpha", "-f", "json", "--dataset", MINI)
    body = json.loads(out)
    assert body["query"] == "Aktaw"
    assert any("Aktau" in s for s in body["suggestions"])
    assert err == ""


def test_ileap_format_errors_are_json(run_cli: Run) -> None:
    code, out, _ = run_cli("route", "Nowhere", "Aktau", "--format", "ileap", "--dataset", MINI)
    assert code == 2
    assert json.loads(out)["error"] == "unknown_place"


def test_table_format_errors_stay_on_stderr(run_cli: Run) -> None:
    code, out, err = run_cli("route", "Nowhere", "Aktau", "--dataset", MINI)
    assert code == 2
    assert out == ""
    assert "unknown place" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["route", "a", "b", "--format", "json"], True),
        (["route", "a", "b", "-f", "JSON"], True),
        (["route", "a", "b", "--format=json"], True),
        (["route", "a", "b", "--format", "ileap"], True),
        (["route", "a", "b", "--format=geojson"], True),
        (["route", "a", "b", "--format", "table"], False),
        (["route", "json", "b"], False),
    ],
)
def test_wants_json(args: list[str], expected: bool) -> None:
    assert wants_json(args) is expected
