"""Capacity fixtures: the mini network with a capacitated rail leg and a truck alternative."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from karavan.io import load_network
from karavan.model import Network

MINI = Path(__file__).parents[1] / "fixtures" / "mini"

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
    "- {id: xfer-aktau-road, node: KZAAU, kind: port_handling, from_modes: [road], to_modes: [sea], "
    "dwell_h: 10, cost_usd: {TEU: 120, FEU: 180}, hoc: hub_container_terminal_maritime, source: test:S1}\n"
)
DEMAND_HEADER = "origin,destination,unit,volume,volume_unit,commodity,value_usd_per_t,source,estimate\n"

KZ_TRAIN_T = 2 * 365.25 / 7 * 100 * 10
"""Yearly capacity of the mini kz-train (Mon/Thu, 100 TEU of 10 t) in tonnes, one direction."""


@pytest.fixture
def cap_dir(tmp_path: Path) -> Path:
    """Mini network plus a truck alternative Gamma -> Aktau (dearer than the capacitated train)."""
    dest = tmp_path / "capmini"
    shutil.copytree(MINI, dest)
    with (dest / "services.yaml").open("a", encoding="utf-8") as f:
        f.write(TRUCK)
    with (dest / "links.yaml").open("a", encoding="utf-8") as f:
        f.write(ROAD)
    with (dest / "hub_operations.yaml").open("a", encoding="utf-8") as f:
        f.write(OPS)
    return dest


@pytest.fixture
def cap_net(cap_dir: Path) -> Network:
    """The capacity test network, loaded."""
    return load_network(cap_dir)


@pytest.fixture
def mini_net() -> Network:
    """The plain mini network (train only, no truck alternative)."""
    return load_network(MINI)


def write_demand(path: Path, rows: list[str]) -> Path:
    """Write a demand CSV with the standard header."""
    path.write_text(DEMAND_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path
