"""Sourced and estimated value counts per table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from karavan.io import load_network
from karavan.io.provenance import dataset_provenance, value_fields

Edit = Callable[[Path, str, str], None]


def test_counts_add_up(mini_dir: Path) -> None:
    tables = {t.table: t for t in dataset_provenance(load_network(mini_dir))}
    assert set(tables) == {"unit_types.yaml", "nodes.yaml", "links.yaml", "services.yaml", "hub_operations.yaml"}
    for t in tables.values():
        assert t.sourced + t.estimated == t.values
        assert 0.0 <= t.sourced_share <= 1.0


def test_an_estimate_moves_a_value_from_sourced_to_estimated(mini_dir: Path, edit_yaml: Edit) -> None:
    before = {t.table: t for t in dataset_provenance(load_network(mini_dir))}["links.yaml"]
    edit_yaml(
        mini_dir / "links.yaml",
        "mode: sea, length_km: 470, geometry: [[50.5, 42.0]], source: test:S1",
        "mode: sea, length_km: 470, geometry: [[50.5, 42.0]], source: test:S1, estimate: {length_km: assumed}",
    )
    net = load_network(mini_dir)
    after = {t.table: t for t in dataset_provenance(net)}["links.yaml"]
    assert after.values == before.values
    assert after.estimated == before.estimated + 1
    assert "length_km" in value_fields(net.links["s-aktau-baku"])
    assert "geometry" not in value_fields(net.links["s-aktau-baku"])
