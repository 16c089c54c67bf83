"""Command-line conventions: --version, the default departure stated, spinners only on a terminal's stderr."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

import karavan
from karavan.cli import common

MINI = str(Path(__file__).parents[1] / "fixtures" / "mini")
Run = Callable[..., tuple[int, str, str]]


def test_version(run_cli: Run) -> None:
    code, out, err = run_cli("--version")
    assert code == 0
    assert out == f"karavan {karavan.__version__}\n"
    assert err == ""


def test_route_states_the_default_departure(run_cli: Run) -> None:
    code, out, _ = run_cli("route", "Alpha", "Baku", "--dataset", MINI, "--runs", "0")
    assert code == 0
    assert "(default: today; set --depart)" in out
    code, out, _ = run_cli("route", "Alpha", "Baku", "--dataset", MINI, "--runs", "0", "--depart", "2026-12-01")
    assert code == 0
    assert "depart 2026-12-01 00:00 UTC" in out
    assert "default: today" not in out


def test_report_writes_its_line_on_stderr(run_cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    code, out, err = run_cli("report", "route", "Alpha", "Baku", "-o", str(target), "--dataset", MINI, "--runs", "0")
    assert code == 0
    assert out == ""
    assert f"wrote {target}" in err
    assert "default: today" in err
    assert "<html" in target.read_text(encoding="utf-8")[:200].lower()


@pytest.mark.parametrize(
    ("terminal", "quiet", "shown"), [(True, False, True), (True, True, False), (False, False, False)]
)
def test_spinner_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch, terminal: bool, quiet: bool, shown: bool) -> None:
    buf = io.StringIO()
    monkeypatch.setattr(common, "err_console", Console(file=buf, force_terminal=terminal, width=80))
    ran = []
    with common.spinner("working…", quiet=quiet):
        ran.append(True)
    assert ran == [True]
    assert ("working" in buf.getvalue()) is shown


@pytest.mark.parametrize(
    "args",
    [
        ["trade"],
        ["simulate", "route", "Alpha", "Baku"],
        ["scenario", "list"],
        ["energy", "scenarios"],
        ["db", "current"],
    ],
)
def test_geojson_is_refused_where_there_is_no_map(run_cli: Run, args: list[str]) -> None:
    code, out, err = run_cli(*args, "--format", "geojson")
    assert code == 2
    assert out == ""
    assert "'geojson' is not one of 'table', 'json'" in err


def test_validate_places_problems_and_warnings_on_the_map(run_cli: Run, mini_dir: Path) -> None:
    (mini_dir / "link_geometry.yaml").write_text(
        "- {link: r-alpha-beta, source: [test:S1], coordinates: [[80, 40], [84, 42], [80, 44]]}\n", encoding="utf-8"
    )
    code, out, _ = run_cli("network", "validate", str(mini_dir), "--format", "geojson")
    assert code == 0
    fc = json.loads(out)
    assert fc["type"] == "FeatureCollection"
    by_record = {f["properties"]["record"]: f for f in fc["features"]}
    mismatch = by_record["r-alpha-beta"]
    assert mismatch["properties"]["severity"] == "warning"
    assert mismatch["properties"]["field"] == "length_km"
    assert mismatch["geometry"] == {"type": "LineString", "coordinates": [[80, 40], [84, 42], [80, 44]]}
    assert by_record["r-gamma-aktau"]["geometry"]["type"] == "LineString"  # drawn straight, placed on its link
