"""``karavan simulate`` through the real entry point."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

RunCli = Callable[..., tuple[int, str, str]]
"""The ``run_cli`` fixture: run ``karavan ARGS``, return (exit code, stdout, stderr)."""
MINI = str(Path(__file__).parents[1] / "fixtures" / "mini")


def test_short_form_equals_route_subcommand(run_cli: RunCli) -> None:
    common = ("--dataset", MINI, "--runs", "2000", "--seed", "3", "--depart", "2025-11-10", "-f", "json")
    code, out, _ = run_cli("simulate", "Alpha", "Baku", *common, "--target-date", "2025-11-22")
    assert code == 0
    short = json.loads(out)
    code, out, _ = run_cli("simulate", "route", "Alpha", "Baku", *common, "--target-date", "2025-11-22")
    assert code == 0
    assert json.loads(out) == short
    assert short["runs"] == 2000
    assert short["on_time_probability"] is not None
    assert short["target"].startswith("2025-11-23T00:00")


def test_table_output(run_cli: RunCli) -> None:
    code, out, _ = run_cli("simulate", "Alpha", "Baku", "--dataset", MINI, "--runs", "1000")
    assert code == 0
    assert "P90" in out
    assert "variance by part" in out


def test_saved_itinerary(run_cli: RunCli, tmp_path: Path) -> None:
    code, out, _ = run_cli("route", "Alpha", "Baku", "--dataset", MINI, "--depart", "2025-07-01", "-f", "json")
    assert code == 0
    saved = tmp_path / "route.json"
    saved.write_text(out, encoding="utf-8")
    code, out, _ = run_cli("simulate", "--itinerary", str(saved), "--dataset", MINI, "--runs", "1000", "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert data["depart"].startswith("2025-07-01")
    assert len(data["legs"]) == 7


def test_caspian_json(run_cli: RunCli) -> None:
    code, out, _ = run_cli("simulate", "caspian", "--demand-mt", "3", "--years", "0.2", "--ships", "20", "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert sum(g["count"] for g in data["fleet"]) == 20
    assert data["routes"]
    assert data["queues"]
    assert data["vessels"]


def test_caspian_table(run_cli: RunCli) -> None:
    code, out, _ = run_cli("simulate", "caspian", "--years", "0.1")
    assert code == 0
    assert "queues" in out


def test_sweep_via_existing_scheduler(run_cli: RunCli, tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    out_file = tmp_path / "s.parquet"
    with warnings.catch_warnings():
        # reason: distributed may warn about ports / event-loop internals when starting an in-process cluster
        warnings.simplefilter("ignore")
        with LocalCluster(n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None) as cluster:
            code, _, err = run_cli(
                "simulate",
                "sweep",
                "--demand-mt",
                "3,6",
                "--months",
                "1",
                "--years",
                "0.1",
                "--scheduler",
                cluster.scheduler_address,
                "-o",
                str(out_file),
            )
    assert code == 0, err
    assert out_file.exists()
    assert "wrote" in err


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("simulate", "Alpha", "Baku", "--dataset", MINI, "--runs", "0"), "--runs"),
        (("simulate", "Alpha", "Baku", "--dataset", MINI, "--target-date", "soon"), "--target-date"),
        (("simulate", "caspian", "--demand-mt", "-1"), "--demand-mt"),
        (("simulate", "caspian", "--ships", "lots"), "--ships"),
        (("simulate", "sweep", "--demand-mt", "x", "-o", "o.parquet"), "--demand-mt"),
        (("simulate", "route", "--dataset", MINI), "ORIGIN DEST"),
    ],
)
def test_bad_input_exit_2(run_cli: RunCli, args: tuple[str, ...], field: str) -> None:
    code, _, err = run_cli(*args)
    assert code == 2
    assert field in err


def test_sweep_refuses_a_malformed_scheduler_before_work(run_cli: RunCli, tmp_path: Path) -> None:
    code, _, err = run_cli(
        "simulate", "sweep", "--demand-mt", "3", "--scheduler", "localhost:8786", "-o", str(tmp_path / "s.parquet")
    )
    assert code != 0
    assert "--scheduler" in err
    assert "localhost:8786" in err
    assert "Traceback" not in err
    assert not (tmp_path / "s.parquet").exists()
