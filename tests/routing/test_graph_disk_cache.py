"""Routing graphs from the on-disk cache: the same arrays, the network's own records, new graph on new inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from karavan.accounting import Cargo, load_parameters
from karavan.accounting import params as accounting_params
from karavan.io import cache
from karavan.io import load as io_load
from karavan.io.load import load_network
from karavan.routing import graph as routing_graph_module
from karavan.routing.graph import build_graph, routing_graph

OVERRIDE = """
version: "ds-1"
sources:
  - {id: "ds:1", publisher: Me, title: Mine}
toc:
  - {id: rail_container_diesel, name: KZ diesel, mode: rail, basis: tkm, energy: fuel,
     wtw_g: 90, ttw_g: 70, source: "ds:1"}
"""


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "cache"))
    return monkeypatch


def _new_process(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(io_load, "_CACHE", {})
    mp.setattr(accounting_params, "_CACHE", {})
    mp.setattr(routing_graph_module, "_CACHE", routing_graph_module.OrderedDict())


def test_a_graph_read_back_equals_the_built_one(fresh: pytest.MonkeyPatch, mini_dir: Path) -> None:
    cargo = Cargo("FEU", count=2)
    built = routing_graph(load_network(mini_dir), cargo)
    _new_process(fresh)
    net = load_network(mini_dir)
    fresh.setattr(routing_graph_module, "build_graph", lambda *a: pytest.fail("built again"))
    again = routing_graph(net, cargo)
    assert again is not built
    assert again.net is net
    for name in ("indptr", "head", "kind", "dur_h", "cost_usd", "co2e_kg", "dist_km", "ref", "board_run"):
        np.testing.assert_array_equal(getattr(again, name), getattr(built, name))
    assert again.node_ids == built.node_ids
    assert again.ride_ops == built.ride_ops
    assert all(run.service is net.services[run.service.id] for run in again.runs)
    assert all(link is net.links[link.id] for run in again.runs for link in run.links)


def test_edited_parameters_give_a_new_graph(fresh: pytest.MonkeyPatch, mini_dir: Path) -> None:
    cargo = Cargo("FEU")
    before = routing_graph(load_network(mini_dir), cargo)
    (mini_dir / "parameters.yaml").write_text(OVERRIDE, encoding="utf-8")
    _new_process(fresh)
    net = load_network(mini_dir)
    after = routing_graph(net, cargo)
    expected = build_graph(net, cargo, load_parameters(mini_dir))
    np.testing.assert_array_equal(after.co2e_kg, expected.co2e_kg)
    assert not np.array_equal(after.co2e_kg, before.co2e_kg)
