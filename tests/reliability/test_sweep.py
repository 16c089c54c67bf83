"""Sweeps on a small Dask LocalCluster (threads, one worker) to Parquet."""

from __future__ import annotations

import socket
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from karavan.errors import InputError
from karavan.reliability import run_sweep, sweep_tasks, write_parquet
from karavan.reliability.sweep import SCHEDULER_ENV, check_scheduler_address, connect_scheduler, scheduler_address

MINI = str(Path(__file__).parents[1] / "fixtures" / "mini")


def test_sweep_on_local_cluster(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    tasks = sweep_tasks(
        demand_mt=[3.0, 6.0], months=[1, 11], years=0.2, route=("Alpha", "Baku"), dataset=MINI, mc_runs=500
    )
    assert len(tasks) == 2
    seen: list[tuple[int, int]] = []
    with warnings.catch_warnings():
        # reason: distributed may warn about ports / event-loop internals when starting an in-process cluster
        warnings.simplefilter("ignore")
        rows = run_sweep(tasks, n_workers=1, processes=False, on_result=lambda d, n: seen.append((d, n)))
    assert seen[-1] == (2, 2)
    assert {r["demand_mt"] for r in rows} == {3.0, 6.0}
    assert {r["month"] for r in rows} == {1, 11}
    assert all("route_p90_h" in r for r in rows)
    out = write_parquet(rows, tmp_path / "sweep.parquet")
    table = pq.read_table(out)
    assert table.num_rows == len(rows)
    assert {"wait_p50_h", "wait_p90_h", "throughput_mt_per_year", "route_p50_h"} <= set(table.column_names)


def test_common_seeds_across_scenarios() -> None:
    tasks = sweep_tasks(demand_mt=[3.0, 6.0], ships=[10, 20], replications=2, seed=4)
    assert len(tasks) == 8
    by_rep = {t.replication: t.seed for t in tasks}
    assert all(t.seed == by_rep[t.replication] for t in tasks)
    assert by_rep[0] != by_rep[1]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"demand_mt": []}, "demand_mt"),
        ({"demand_mt": [3], "months": [13]}, "months"),
        ({"demand_mt": [3], "ships": [0]}, "ships"),
        ({"demand_mt": [3], "replications": 0}, "runs"),
    ],
)
def test_bad_sweep_input(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as exc:
        sweep_tasks(**kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field


def test_scheduler_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://10.0.0.1:8786")
    assert scheduler_address(None) == "tcp://10.0.0.1:8786"
    assert scheduler_address("tcp://127.0.0.1:1") == "tcp://127.0.0.1:1"
    monkeypatch.delenv(SCHEDULER_ENV)
    assert scheduler_address(None) is None


def test_sweep_with_a_client_and_parquet_metadata(tmp_path: Path) -> None:
    import json

    from karavan import __version__
    from karavan.io import load_network
    from karavan.reliability import read_metadata, sweep_metadata

    dd = pytest.importorskip("dask.distributed")
    tasks = sweep_tasks(demand_mt=[3.0], months=[1], years=0.1, dataset=MINI)
    with warnings.catch_warnings():
        # reason: distributed may warn about ports / event-loop internals when starting an in-process cluster
        warnings.simplefilter("ignore")
        cluster = dd.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None)
        client = dd.Client(cluster)
        try:
            rows = run_sweep(tasks, client=client)
            # the caller's client stays open for more work
            assert client.status == "running"
            assert client.submit(sum, [1, 2]).result() == 3
        finally:
            client.close()
            cluster.close()
    assert rows
    net = load_network(MINI)
    meta = sweep_metadata(net, {"demand_mt": "3", "months": "1"})
    out = write_parquet(rows, tmp_path / "sweep.parquet", metadata=meta)
    back = read_metadata(out)
    assert back["karavan_version"] == __version__
    assert back["dataset_hash"] == net.content_hash
    assert json.loads(back["parameters"]) == {"demand_mt": "3", "months": "1"}


def test_sweep_cli_writes_metadata(tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    from karavan.reliability import read_metadata

    out = tmp_path / "s.parquet"
    code, _, err = run_cli(
        "simulate", "sweep", "--demand-mt", "3", "--months", "1", "--years", "0.1", "--workers", "1",
        "--dataset", MINI, "-o", str(out),
    )  # fmt: skip
    assert code == 0, err
    meta = read_metadata(out)
    assert meta["dataset"] == "mini" or meta["dataset_hash"]
    assert '"demand_mt": "3"' in meta["parameters"]


@pytest.mark.parametrize("address", ["localhost:8786", "http://host:8786", "tcp://", "tcp://host:99999", "tcp://h:x"])
def test_malformed_scheduler_address_is_refused(address: str) -> None:
    with pytest.raises(InputError, match="scheduler"):
        check_scheduler_address(address)


def test_unreachable_scheduler_fails_fast_naming_the_address() -> None:
    port = _free_port()
    start = time.monotonic()
    with pytest.raises(InputError, match=f"tcp://127.0.0.1:{port}"):
        connect_scheduler(f"tcp://127.0.0.1:{port}", timeout_s=1.0)
    assert time.monotonic() - start < 20  # not Dask's 30 s default


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
