"""The routing graph and its criteria weights on disk: what a new process reads equals what it would build."""

from __future__ import annotations

import dataclasses
import shutil
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from karavan.accounting import Cargo, load_parameters
from karavan.accounting import params as accounting_params
from karavan.io import cache
from karavan.io import load as io_load
from karavan.io.load import load_network
from karavan.model.network import Network
from karavan.routing import graph as graph_module
from karavan.routing import stored
from karavan.routing.graph import RoutingGraph, build_graph, routing_graph
from karavan.routing.weights import build_weights, criteria_weights

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
FIELDS = [name for name in RoutingGraph.__dataclass_fields__ if name != "net"]
"""Every field of a graph but its network (which the caller passes in)."""
OVERRIDE = """
version: "mini-1"
sources:
  - {id: "mini:1", publisher: Test, title: A lower diesel factor}
toc:
  - {id: rail_container_diesel, name: Diesel, mode: rail, basis: tkm, energy: fuel,
     wtw_g: 12.5, ttw_g: 10, source: "mini:1"}
"""
"""A dataset's own ``parameters.yaml``: a lower rail diesel emission factor than the packaged one."""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache directory for this test, and nothing in memory yet."""
    d = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(d))
    _new_process(monkeypatch)
    return d


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what this process holds in memory (networks, parameters, graphs), as a new process would."""
    monkeypatch.setattr(io_load, "_CACHE", {})
    monkeypatch.setattr(accounting_params, "_CACHE", {})
    monkeypatch.setattr(graph_module, "_CACHE", OrderedDict())


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make building a graph or its weights fail: what follows must come from the disk cache."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("built although a sound entry is on disk")

    monkeypatch.setattr(graph_module, "build_graph", refuse)
    monkeypatch.setattr("karavan.routing.weights.build_weights", refuse)


def assert_same_graph(a: RoutingGraph, b: RoutingGraph) -> None:
    """Every field equal: arrays by dtype and values, dicts also in their order (the searches iterate them)."""
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype, name
            np.testing.assert_array_equal(x, y, err_msg=name)
        else:
            assert x == y, name
            if isinstance(x, dict):
                assert list(x) == list(y), name


def assert_same_weights(graph: RoutingGraph, fresh: RoutingGraph, month: int) -> None:
    got, want = criteria_weights(graph, month), build_weights(fresh, month)
    for x, y in ((got.wts, want.wts), (got.board, want.board), (got.alight, want.alight)):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


def _entries(d: Path, kind: str) -> list[Path]:
    return sorted(d.glob(f"{kind}-*{cache.SUFFIX}"))


def _only_key(d: Path, kind: str) -> str:
    """The key of the one entry of ``kind`` in ``d``."""
    [path] = _entries(d, kind)
    return path.name[len(kind) + 1 : -len(cache.SUFFIX)]


def _stored_graph(
    net: Network, cargo: Cargo, monkeypatch: pytest.MonkeyPatch, month: int | None = None
) -> RoutingGraph:
    """The graph a new process gets with the disk cache already filled (and its weights for ``month``)."""
    _new_process(monkeypatch)
    with monkeypatch.context() as mp:
        _no_build(mp)
        graph = routing_graph(net, cargo)
        if month is not None:
            criteria_weights(graph, month)
    return graph


@pytest.mark.parametrize("dataset", [None, MINI])
def test_the_graph_a_new_process_reads_equals_a_built_one(
    cache_dir: Path, dataset: Path | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = load_network(dataset)
    cargo = Cargo("FEU", count=2)
    first = routing_graph(net, cargo)
    criteria_weights(first, 6)
    assert len(_entries(cache_dir, stored.GRAPH_KIND)) == 1
    assert len(_entries(cache_dir, stored.WEIGHTS_KIND)) == 1
    graph = _stored_graph(net, cargo, monkeypatch, month=6)
    assert graph is not first
    fresh = build_graph(net, cargo)
    assert_same_graph(graph, fresh)
    assert_same_weights(graph, fresh, 6)
    assert graph.net is net
    assert all(a.service is b.service for a, b in zip(graph.runs, fresh.runs, strict=True))


def test_the_caspian_graph_has_every_kind_of_table(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above covers border operations on rides, bonded arrivals and terminals."""
    net = load_network()
    routing_graph(net, Cargo("FEU"))
    graph = _stored_graph(net, Cargo("FEU"), monkeypatch)
    assert graph.ride_ops
    assert graph.start_terminal
    assert len(graph.vertex_of) < graph.n_vertices  # bonded arrivals follow the regular vertices


def test_another_month_unit_or_weight_is_another_entry(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    net = load_network(MINI)
    feu = routing_graph(net, Cargo("FEU"))
    criteria_weights(feu, 0)
    criteria_weights(feu, 6)
    heavy = routing_graph(net, Cargo("FEU", gross_t_per_unit=28.0))
    teu = routing_graph(net, Cargo("TEU"))
    assert len(_entries(cache_dir, stored.GRAPH_KIND)) == 3
    assert len(_entries(cache_dir, stored.WEIGHTS_KIND)) == 2
    assert not np.array_equal(feu.co2e_kg, heavy.co2e_kg)
    for cargo, built in ((Cargo("FEU", gross_t_per_unit=28.0), heavy), (Cargo("TEU"), teu)):
        graph = _stored_graph(net, cargo, monkeypatch)
        assert graph.unit is cargo.unit
        assert_same_graph(graph, built)


def test_editing_the_parameters_builds_a_graph_with_the_new_figures(
    cache_dir: Path, mini_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = load_network(mini_dir)
    cargo = Cargo("FEU")
    before = routing_graph(net, cargo)
    (mini_dir / "parameters.yaml").write_text(OVERRIDE, encoding="utf-8")
    _new_process(monkeypatch)
    after = routing_graph(net, cargo)
    assert len(_entries(cache_dir, stored.GRAPH_KIND)) == 2
    assert float(after.co2e_kg.sum()) < float(before.co2e_kg.sum())
    np.testing.assert_array_equal(after.dur_h, before.dur_h)
    assert_same_graph(_stored_graph(net, cargo, monkeypatch), build_graph(net, cargo, load_parameters(mini_dir)))


def test_a_scenario_is_another_entry_with_its_own_figures(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from karavan.capacity.scenario import apply_scenarios

    base = load_network()
    congested, _, _ = apply_scenarios(base, ["congested-borders"])
    assert congested.content_hash != base.content_hash
    cargo = Cargo("FEU")
    a, b = routing_graph(base, cargo), routing_graph(congested, cargo)
    assert len(_entries(cache_dir, stored.GRAPH_KIND)) == 2
    assert float(b.dur_h.sum()) > float(a.dur_h.sum())  # longer border dwells ride on the border edges
    criteria_weights(b, 6)
    graph = _stored_graph(congested, cargo, monkeypatch, month=6)
    assert_same_graph(graph, build_graph(congested, cargo))
    assert_same_weights(graph, build_graph(congested, cargo), 6)


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_a_damaged_entry_is_rebuilt(cache_dir: Path, damage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    net = load_network(MINI)
    cargo = Cargo("FEU")
    criteria_weights(routing_graph(net, cargo), 6)
    for path in _entries(cache_dir, stored.GRAPH_KIND) + _entries(cache_dir, stored.WEIGHTS_KIND):
        data = path.read_bytes()
        if damage == "truncate":
            data = data[: len(data) // 2]
        elif damage == "flip":
            data = data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]
        else:
            data = b""
        path.write_bytes(data)
    _new_process(monkeypatch)
    graph = routing_graph(net, cargo)
    fresh = build_graph(net, cargo)
    assert_same_graph(graph, fresh)
    assert_same_weights(graph, fresh, 6)
    assert_same_graph(_stored_graph(net, cargo, monkeypatch, month=6), fresh)  # the rebuilt entries are sound again


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.update(head=t["head"][:-1]),
        lambda t: t.update(head=t["head"].astype(np.int64)),
        lambda t: t.update(head=t["head"] + 10_000),
        lambda t: t.update(runs=t["runs"][1:]),
        lambda t: t.update(node_ids=t["node_ids"][::-1]),
        lambda t: t.update(regular=10_000),
        lambda t: t.pop("ride_ops"),
        lambda t: t.update(start_terminal=[("not", "a row")]),
    ],
)
def test_tables_that_do_not_fit_the_network_are_rebuilt(
    cache_dir: Path, tamper: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sound entry whose tables do not fit (another code's layout, another network) is not trusted."""
    net = load_network(MINI)
    cargo = Cargo("FEU")
    graph = routing_graph(net, cargo)
    key = _only_key(cache_dir, stored.GRAPH_KIND)
    tables = stored.graph_tables(graph)
    tamper(tables)
    cache.write_entry(stored.GRAPH_KIND, key, tables)
    assert stored.read_graph(net, cargo.unit, key) is None
    _new_process(monkeypatch)
    assert_same_graph(routing_graph(net, cargo), build_graph(net, cargo))


def test_weights_of_another_shape_are_rebuilt(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    net = load_network(MINI)
    cargo = Cargo("FEU")
    graph = routing_graph(net, cargo)
    weights = criteria_weights(graph, 6)
    key = _only_key(cache_dir, stored.WEIGHTS_KIND)
    cache.write_entry(stored.WEIGHTS_KIND, key, (weights.wts[:-1], weights.board, weights.alight))
    _new_process(monkeypatch)
    again = routing_graph(net, cargo)
    np.testing.assert_array_equal(criteria_weights(again, 6).wts, weights.wts)


def test_without_a_cache_directory_nothing_is_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV_DIR, "off")
    net = load_network(MINI)
    graph = routing_graph(net, Cargo("FEU"))
    criteria_weights(graph, 6)
    assert stored.read_weights(graph, 6) is None


def test_a_network_without_a_content_hash_is_not_stored(cache_dir: Path, mini_dir: Path) -> None:
    net = dataclasses.replace(load_network(mini_dir), content_hash="")
    routing_graph(net, Cargo("FEU"))
    assert not _entries(cache_dir, stored.GRAPH_KIND)


def test_a_copied_dataset_shares_the_entry(cache_dir: Path, tmp_path: Path) -> None:
    """The key is the dataset's content, not its directory."""
    copy = tmp_path / "copy"
    shutil.copytree(MINI, copy)
    routing_graph(load_network(MINI), Cargo("FEU"))
    routing_graph(load_network(copy), Cargo("FEU"))
    assert len(_entries(cache_dir, stored.GRAPH_KIND)) == 1
