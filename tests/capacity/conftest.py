"""Capacity fixtures: the mini network with a capacitated rail leg and a truck alternative."""

from __future__ import annotations

from pathlib import Path

import pytest

from karavan.io import load_network
from karavan.model import Network

MINI = Path(__file__).parents[1] / "fixtures" / "mini"

DEMAND_HEADER = "origin,destination,unit,volume,volume_unit,commodity,value_usd_per_t,source,estimate\n"

KZ_TRAIN_T = 2 * 365.25 / 7 * 100 * 10
"""Yearly capacity of the mini kz-train (Mon/Thu, 100 TEU of 10 t) in tonnes, one direction."""


@pytest.fixture
def cap_dir(two_way_dir: Path) -> Path:
    """Mini network plus a truck alternative Gamma -> Aktau (dearer than the capacitated train)."""
    return two_way_dir


@pytest.fixture
def cap_net(cap_dir: Path) -> Network:
    """The capacity test network, loaded."""
    return load_network(cap_dir)


def write_demand(path: Path, rows: list[str]) -> Path:
    """Write a demand CSV with the standard header."""
    path.write_text(DEMAND_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def caspian() -> Network:
    """The embedded dataset (loaded once)."""
    return load_network()


@pytest.fixture
def demand_csv(tmp_path: Path) -> Path:
    """A two-row demand file on the capacity test network."""
    return write_demand(
        tmp_path / "d.csv", ["Alpha,Baku,TEU,20000,TEU,containers,,test:S1,", "Gamma,Baku,TEU,500,TEU,,,test:S1,"]
    )
