"""Tiny energy datasets with analytic answers, written into a temporary directory."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from karavan import datasets

SRC = "T1"
EMBEDDED = datasets.get_path("central-asia-energy")


def two_bus_tables(
    *,
    link_mw: float = 40.0,
    load_mw: float = 60.0,
    cheap_mw: float = 100.0,
    dear_mw: float = 50.0,
    voll: float = 1000.0,
) -> dict[str, Any]:
    """Two power zones A and B joined by one controllable link; a cheap plant at A, a dear one and a flat load at B."""
    src = {"source": [SRC]}
    return {
        "dataset.yaml": {"name": "two-bus", "kind": "energy", "version": "1"},
        "sources.yaml": [{"id": SRC, "publisher": "test", "title": "analytic case"}],
        "parameters.yaml": [
            {"id": k, "value": v, **src}
            for k, v in {
                "gas_mwh_per_bcm": 10_500_000,
                "voll_power_usd_per_mwh": voll,
                "voll_gas_usd_per_mwh": 150,
                "pipeline_fuel_percent_per_1000km": 0,
                "hvdc_loss_percent_per_1000km": 0,
                "controllable_loss_percent": 0,
                "x_ohm_per_km_500kv": 0.3,
                "x_ohm_per_km_220kv": 0.4,
                "gas_field_swing": 1.0,
            }.items()
        ],
        "carriers.yaml": [
            {"id": "gas", "name": "Gas", "co2_t_per_mwh": 0.2, **src},
            {"id": "coal", "name": "Coal", "co2_t_per_mwh": 0.34, **src},
            {"id": "electricity", "name": "Electricity", "co2_t_per_mwh": 0, **src},
        ],
        "days.yaml": [{"id": "day", "month": "jan", "weight_days": 365, **src}],
        "profiles.yaml": [
            {"id": "flat", "kind": "shape", "monthly": [1] * 12, "daily": [1] * 8, "peak_factor": 1.0, **src},
        ],
        "buses.yaml": [
            {
                "id": "A",
                "name_en": "Alpha",
                "name_ru": "Альфа",
                "country": "KZ",
                "carrier": "electricity",
                "kind": "zone",
                "lat": 45,
                "lon": 60,
                **src,
            },
            {
                "id": "B",
                "name_en": "Beta",
                "name_ru": "Бета",
                "country": "TM",
                "carrier": "electricity",
                "kind": "zone",
                "lat": 40,
                "lon": 58,
                **src,
            },
        ],
        "pipelines.yaml": [],
        "power_links.yaml": [
            {
                "id": "ab",
                "name": "A-B",
                "from": "A",
                "to": "B",
                "kind": "controllable",
                "capacity_mw": link_mw,
                "voltage_kv": 500,
                "length_km": 600,
                "status": "operating",
                **src,
            },
        ],
        "generators.yaml": [
            {
                "id": "cheap",
                "name": "cheap coal",
                "bus": "A",
                "carrier": "coal",
                "capacity_mw": cheap_mw,
                "marginal_cost_usd_per_mwh": 10,
                "efficiency": 0.4,
                "status": "operating",
                **src,
            },
            {
                "id": "dear",
                "name": "dear coal",
                "bus": "B",
                "carrier": "coal",
                "capacity_mw": dear_mw,
                "marginal_cost_usd_per_mwh": 30,
                "efficiency": 0.4,
                "status": "operating",
                **src,
            },
        ],
        "demands.yaml": [
            {"id": "load-b", "bus": "B", "kind": "fixed", "yearly_twh": load_mw * 8760 / 1e6, "profile": "flat", **src},
        ],
        "trade_prices.yaml": [
            {
                "id": "p-kz-tm",
                "carrier": "electricity",
                "exporter": "KZ",
                "importer": "TM",
                "price_usd_per_mwh": 50,
                **src,
            },
        ],
    }


def write_dataset(directory: Path, tables: dict[str, Any]) -> Path:
    """Write ``tables`` (file name -> data) as YAML files under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in tables.items():
        (directory / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return directory


@pytest.fixture(autouse=True)
def _fresh_solves() -> None:
    """Every test solves afresh (results are cached by dataset content across calls)."""
    from karavan.energy.solver import clear_cache

    clear_cache()


@pytest.fixture
def make_two_bus(tmp_path: Path) -> Callable[..., Path]:
    """Write a two-bus dataset with the given overrides; returns its directory."""
    counter = iter(range(1000))

    def _make(edit: Callable[[dict[str, Any]], None] | None = None, **kw: Any) -> Path:
        tables = two_bus_tables(**kw)
        if edit is not None:
            edit(tables)
        return write_dataset(tmp_path / f"two-bus-{next(counter)}", tables)

    return _make


@pytest.fixture
def energy_copy(tmp_path: Path) -> Path:
    """An editable copy of the embedded ``central-asia-energy`` dataset."""
    dest = tmp_path / "energy"
    shutil.copytree(EMBEDDED, dest)
    return dest
