"""Shared fixtures: a tiny reference network copied into a temporary directory."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from karavan.io import load_network
from karavan.model import Network

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
_DB_DIR: tempfile.TemporaryDirectory[str] | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Saved plans of apps built in tests go to a throwaway SQLite file, never the user's data directory;
    the dataset cache goes to a throwaway directory, never the user's cache directory."""
    global _DB_DIR
    _DB_DIR = tempfile.TemporaryDirectory(prefix="karavan-tests-")
    os.environ["KARAVAN_DATABASE_URL"] = f"sqlite:///{Path(_DB_DIR.name) / 'plans.sqlite'}"
    os.environ["KARAVAN_CACHE_DIR"] = str(Path(_DB_DIR.name) / "cache")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the throwaway database and cache."""
    os.environ.pop("KARAVAN_DATABASE_URL", None)
    os.environ.pop("KARAVAN_CACHE_DIR", None)
    if _DB_DIR is not None:
        _DB_DIR.cleanup()


# Property tests check behaviour, not speed: no per-example deadline (the machine may be shared).
settings.register_profile("karavan", deadline=None)
settings.load_profile("karavan")


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``karavan ARGS`` through the real entry point; return (exit code, stdout, stderr)."""
    from karavan.cli.main import main

    def _run(*args: str) -> tuple[int, str, str]:
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return _run


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    """A fresh, editable copy of the ``mini`` dataset."""
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest


@pytest.fixture
def mini_net() -> Network:
    """The ``mini`` network, loaded and validated."""
    return load_network(MINI)


@pytest.fixture
def edit_yaml() -> Callable[[Path, str, str], None]:
    """Replace text in a dataset file, failing loudly if the text is absent."""

    def _edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path.name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return _edit


TRUCK = """
- id: kz-truck
  name: Gamma-Aktau trucking
  kind: truck
  stops: [kz-border, KZAAU]
  units: [TEU, FEU]
  departures: {pattern: headway, headway_h: 6}
  speed_kmh: 60
  tariff: {FEU: {per_km_usd: 2.0}, TEU: {per_km_usd: 1.5}}
  toc: road_truck_articulated
  source: test:S1
"""
ROAD = "- {id: road-gamma-aktau, from: kz-border, to: KZAAU, mode: road, length_km: 2600, source: test:S1}\n"
OPS = (
    "- {id: xfer-gamma-road, node: kz-border, kind: transshipment, from_modes: [rail], to_modes: [road], "
    "units: [TEU, FEU], dwell_h: 6, cost_usd: {TEU: 60, FEU: 90}, hoc: hub_transshipment, source: test:S1}\n"
    "- {id: xfer-aktau-road, node: KZAAU, kind: transshipment, from_modes: [road], to_modes: [sea], "
    "dwell_h: 10, cost_usd: {TEU: 120, FEU: 180}, hoc: hub_container_terminal_maritime, source: test:S1}\n"
)


@pytest.fixture
def two_way_dir(mini_dir: Path) -> Path:
    """Mini network plus a truck alternative Gamma -> Aktau (faster, dearer, dirtier)."""
    with (mini_dir / "services.yaml").open("a", encoding="utf-8") as f:
        f.write(TRUCK)
    with (mini_dir / "links.yaml").open("a", encoding="utf-8") as f:
        f.write(ROAD)
    with (mini_dir / "hub_operations.yaml").open("a", encoding="utf-8") as f:
        f.write(OPS)
    return mini_dir


@pytest.fixture
def native_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the compiled kernels' C functions looked up during the test (every kernel call looks one up)."""
    import karavan._native

    called: list[str] = []
    real = karavan._native.function

    def spy(name: str, restype: object, argtypes: list[object]) -> object:
        called.append(name)
        return real(name, restype, argtypes)

    monkeypatch.setattr(karavan._native, "function", spy)
    return called
