"""The element tables shared by threads: the sample pool grows without mixing rows' samples."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from karavan.accounting import Cargo, LegPlan
from karavan.model import Network
from karavan.reliability import kernel as k
from karavan.reliability import load_reliability_parameters, montecarlo, simulate_caspian, simulate_itinerary
from karavan.reliability.params import PortWeather
from karavan.reliability.spec import Tables, tables

DEPART = datetime(2025, 7, 1, tzinfo=UTC)


def _slow(value: float, n: int) -> Iterator[float]:
    """Samples that hand the interpreter to other threads between items."""
    for _ in range(n):
        time.sleep(0)
        yield value


def test_threads_growing_the_pool_keep_their_samples_apart(mini_net: Network) -> None:
    tab = Tables(mini_net, load_reliability_parameters())
    cols: dict[int, tuple[float, float, float, float]] = {}
    start = threading.Barrier(8)

    def add(t: int) -> None:
        start.wait()
        cols[t] = tab.samples_cols(_slow(float(t), 200))

    threads = [threading.Thread(target=add, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    pool = tab.pool_array()
    assert pool.size == 8 * 200
    for t, (kind, offset, count, _) in cols.items():
        assert kind == k.D_EMPIRICAL
        assert count == 200
        assert set(pool[int(offset) : int(offset + count)].tolist()) == {float(t)}


def test_pool_array_follows_the_pool_and_is_read_only(mini_net: Network) -> None:
    tab = Tables(mini_net, load_reliability_parameters())
    assert tab.pool_array().tolist() == [0.0]  # an empty pool still gives the kernel one entry
    tab.samples_cols([5.0])
    first = tab.pool_array()
    assert first.tolist() == [5.0]
    assert tab.pool_array() is first
    tab.samples_cols([6.0, 7.0])
    assert tab.pool_array().tolist() == [5.0, 6.0, 7.0]
    with pytest.raises(ValueError, match="read-only"):
        first[0] = 1.0


def test_port_rows_from_threads_are_distinct(mini_net: Network) -> None:
    tab = Tables(mini_net, load_reliability_parameters())
    ports = [PortWeather(id=f"p{i}", name=f"p{i}", match=(f"p{i}",), closed_share=(0.01 * i,) * 12) for i in range(40)]
    out: list[list[int]] = [[] for _ in range(4)]

    def rows(t: int) -> None:
        for p in ports[t::2] + ports:
            out[t].append(tab.port_row(p))

    threads = [threading.Thread(target=rows, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(set(tab.port_rows.values())) == list(range(40))
    assert tab.shares().shape == (40, 12)


def test_des_waits_point_into_the_pool_snapshot_of_their_call(
    mini_net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another thread growing the table's pool while a call adds DES waits does not move the call's waits."""
    des = simulate_caspian(demand_mt=3.0, seed=0, years=0.5)
    plan = [LegPlan("ferry", False, "KZAAU", "AZBAK")]
    alone = simulate_itinerary(mini_net, plan, Cargo("wagon"), depart=DEPART, runs=2000, seed=3, des=des)
    tab = tables(mini_net, load_reliability_parameters())
    real = montecarlo._rows

    def busy_neighbour(*args: Any) -> Any:
        out = real(*args)
        tab.samples_cols([1e6] * 7)  # as a concurrent call meeting a new empirical law would, before the draws
        return out

    monkeypatch.setattr(montecarlo, "_rows", busy_neighbour)
    crowded = simulate_itinerary(mini_net, plan, Cargo("wagon"), depart=DEPART, runs=2000, seed=3, des=des)
    assert crowded.elements[0].mean_h == alone.elements[0].mean_h
    assert np.isclose(crowded.p90_h, alone.p90_h)
