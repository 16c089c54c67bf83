"""Command-line conventions: --version, the default departure stated, spinners only on a terminal's stderr."""

from __future__ import annotations

import io
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
