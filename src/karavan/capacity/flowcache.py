"""Flow networks kept between assignments: in memory, and on disk between processes.

Building the flow network (the routing graph of each unit class, then one block per demand class with its
capacity rows) costs more than solving the 2024 assignment, and it depends only on inputs that rarely change.
:func:`cached_flownet` keeps the result in memory and, for networks up to :data:`DISK_MAX_EDGES` edges, in the
on-disk cache of :mod:`karavan.io.cache`. An entry's key names every input the flow network is built from:

* the network's ``content_hash`` (every dataset file, and the digest of each scenario applied to it);
* the accounting parameters' digest (the packaged file and the dataset's own ``parameters.yaml``);
* the packaged reliability parameters' bytes (the weather closures behind fleet capacities);
* the demand classes (unit, tonnes per unit, value of time, ``via`` places) and the waits that replace the
  dataset's;
* the karavan version and a fingerprint of its code (added by :func:`karavan.io.cache.entry_key`).

A network without a ``content_hash`` (built in code, not loaded) is never cached. The entry stores the flow
network without its :class:`~karavan.model.network.Network`; the caller's network is attached on reading back.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from karavan.accounting import Parameters
from karavan.capacity.flownet import DemandClass, FlowNet, build_flownet
from karavan.model.network import Network

KIND = "flownet"
"""Kind of the on-disk cache entries."""
DISK_MAX_EDGES = 200_000
"""Larger flow networks are kept in memory only (an entry of this size is about 20 MB)."""
MEMORY_ENTRIES = 4
"""Flow networks kept in memory (most recently used)."""
RELIABILITY_PARAMETERS = "parameters.yaml"
"""The packaged reliability parameters file (``karavan.reliability``), read for the key without importing it."""

_MEMORY: OrderedDict[str, FlowNet] = OrderedDict()
_LOCK = threading.Lock()


def _reliability_parameters_bytes() -> bytes:
    spec = find_spec("karavan.reliability")  # locates the package without running its imports
    if spec is None or not spec.submodule_search_locations:
        return b"\0missing"
    path = Path(next(iter(spec.submodule_search_locations))) / RELIABILITY_PARAMETERS
    try:
        return path.read_bytes()
    except OSError:
        return b"\0unreadable"


def key_parts(
    net: Network, classes: list[DemandClass], params: Parameters, wait_h: Mapping[str, float] | None
) -> list[str | bytes] | None:
    """Every input a flow network is built from (see the module docstring); ``None`` when not cacheable."""
    if not net.content_hash:
        return None
    from karavan.routing.graph import parameters_digest

    waits = sorted((str(k), float(v)) for k, v in (wait_h or {}).items())
    return [
        net.content_hash,
        parameters_digest(params),
        _reliability_parameters_bytes(),
        repr([dataclasses.astuple(c) for c in classes]),
        repr(waits),
    ]


def _with_net(fn: FlowNet, net: Network) -> FlowNet:
    return fn if fn.net is net else dataclasses.replace(fn, net=net)


def _remember(key: str, fn: FlowNet) -> None:
    with _LOCK:
        _MEMORY[key] = fn
        _MEMORY.move_to_end(key)
        while len(_MEMORY) > MEMORY_ENTRIES:
            _MEMORY.popitem(last=False)


def _from_disk(key: str, net: Network) -> FlowNet | None:
    from karavan.io import cache

    stored = cache.read_entry(KIND, key, dict)
    if stored is None:
        return None
    try:
        return FlowNet(net=net, **stored)
    except TypeError:  # fields changed without a code change the fingerprint sees: rebuild
        return None


def _to_disk(key: str, fn: FlowNet) -> None:
    if fn.n_edges > DISK_MAX_EDGES:
        return
    from karavan.io import cache

    fields: dict[str, Any] = {f.name: getattr(fn, f.name) for f in dataclasses.fields(fn) if f.name != "net"}
    cache.write_entry(KIND, key, fields)


def cached_flownet(
    net: Network, classes: list[DemandClass], params: Parameters, *, wait_h: Mapping[str, float] | None = None
) -> FlowNet:
    """:func:`~karavan.capacity.flownet.build_flownet`, or the flow network built before from the same inputs."""
    parts = key_parts(net, classes, params, wait_h)
    if parts is None:
        return build_flownet(net, classes, params, wait_h=wait_h)
    from karavan.io import cache

    key = cache.entry_key(KIND, parts)
    with _LOCK:
        hit = _MEMORY.get(key)
    if hit is None:
        hit = _from_disk(key, net)
    if hit is None:
        hit = build_flownet(net, classes, params, wait_h=wait_h)
        _to_disk(key, hit)
    _remember(key, hit)
    return _with_net(hit, net)


def clear_memory() -> None:
    """Forget the flow networks kept in memory (the disk entries stay)."""
    with _LOCK:
        _MEMORY.clear()


__all__ = ["DISK_MAX_EDGES", "KIND", "cached_flownet", "clear_memory", "key_parts"]
