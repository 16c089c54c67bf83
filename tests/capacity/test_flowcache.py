"""Flow networks kept in memory and on disk: same inputs give the same network, any changed input another key."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from karavan.accounting import load_parameters
from karavan.capacity import flowcache
from karavan.capacity.assignment import assign
from karavan.capacity.demand import Demand, ODFlow
from karavan.capacity.flownet import DemandClass, FlowNet, build_flownet
from karavan.capacity.scenario import apply_scenario, parse_scenario
from karavan.model import Network
from karavan.model.enums import Unit

TEU = DemandClass(Unit.TEU, 10.0, 0.0)


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache directory of this test alone, with nothing kept in memory."""
    monkeypatch.setenv("KARAVAN_CACHE_DIR", str(tmp_path / "cache"))
    flowcache.clear_memory()
    yield tmp_path / "cache"
    flowcache.clear_memory()


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"{flowcache.KIND}-*")) if directory.is_dir() else []


def assert_same(a: FlowNet, b: FlowNet) -> None:
    for f in dataclasses.fields(FlowNet):
        if f.name == "net":
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y)
        elif f.name == "incidence":
            for part in ("indptr", "rows", "data"):
                np.testing.assert_array_equal(getattr(x, part), getattr(y, part))
            assert x.n_rows == y.n_rows
        elif f.name == "elements":
            assert [dataclasses.asdict(e) for e in x] == [dataclasses.asdict(e) for e in y]
        else:
            assert x == y, f.name


def test_read_back_from_disk_equals_a_fresh_build(cap_net: Network, own_cache: Path) -> None:
    params = load_parameters(cap_net.path)
    first = flowcache.cached_flownet(cap_net, [TEU], params)
    assert len(entries(own_cache)) == 1
    flowcache.clear_memory()
    again = flowcache.cached_flownet(cap_net, [TEU], params)
    assert again is not first  # read from disk, not memory
    assert again.net is cap_net
    assert_same(again, build_flownet(cap_net, [TEU], params))


def test_assignment_from_a_cached_flow_network_is_unchanged(cap_net: Network, own_cache: Path) -> None:
    d = Demand((ODFlow("CNAAA", "AZBAK", Unit.TEU, 10.0, 200_000.0, 0.0, "containers", "test:S1"),), name="t")
    fresh = assign(cap_net, d).to_dict()
    flowcache.clear_memory()
    assert entries(own_cache)
    assert assign(cap_net, d).to_dict()["elements"] == fresh["elements"]


def test_every_input_changes_the_key(cap_net: Network, own_cache: Path) -> None:
    params = load_parameters(cap_net.path)
    more = apply_scenario(
        cap_net,
        parse_scenario(
            {
                "name": "bigger-train",
                "modify": {
                    "services": [
                        {"id": "kz-train", "set": {"capacity_per_departure": {"TEU": 300}}, "source": "test:S1"}
                    ]
                },
            }
        ),
    )
    base = flowcache.key_parts(cap_net, [TEU], params, None)
    variants = [
        flowcache.key_parts(more, [TEU], params, None),
        flowcache.key_parts(cap_net, [DemandClass(Unit.TEU, 14.0, 0.0)], params, None),
        flowcache.key_parts(cap_net, [DemandClass(Unit.TEU, 10.0, 0.5)], params, None),
        flowcache.key_parts(cap_net, [DemandClass(Unit.TEU, 10.0, 0.0, ("KZAAU",))], params, None),
        flowcache.key_parts(cap_net, [TEU], params, {"kz-train": 3.0}),
        flowcache.key_parts(cap_net, [TEU, DemandClass(Unit.TONNE, 1.0, 0.0)], params, None),
    ]
    assert base is not None
    assert all(v is not None and v != base for v in variants)
    assert len({repr(v) for v in variants}) == len(variants)
    bigger = flowcache.cached_flownet(more, [TEU], params)
    plain = flowcache.cached_flownet(cap_net, [TEU], params)
    assert not np.array_equal(bigger.row_rhs, plain.row_rhs)
    assert len(entries(own_cache)) == 2


def test_a_network_without_content_hash_is_not_cached(cap_net: Network, own_cache: Path) -> None:
    built = dataclasses.replace(cap_net, content_hash="")
    params = load_parameters(cap_net.path)
    assert flowcache.key_parts(built, [TEU], params, None) is None
    one = flowcache.cached_flownet(built, [TEU], params)
    two = flowcache.cached_flownet(built, [TEU], params)
    assert one is not two
    assert entries(own_cache) == []


def test_a_damaged_entry_is_rebuilt(cap_net: Network, own_cache: Path) -> None:
    params = load_parameters(cap_net.path)
    want = flowcache.cached_flownet(cap_net, [TEU], params)
    (path,) = entries(own_cache)
    path.write_bytes(path.read_bytes()[:-100])
    flowcache.clear_memory()
    assert_same(flowcache.cached_flownet(cap_net, [TEU], params), want)
