"""``karavan assign`` and ``karavan scenario`` through the real entry point."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import yaml

from .conftest import write_demand

RunCli = Callable[..., tuple[int, str, str]]
"""The ``run_cli`` fixture: run ``karavan ARGS``, return (exit code, stdout, stderr)."""


def test_assign_json(run_cli: RunCli, cap_dir: Path, demand_csv: Path) -> None:
    code, out, _ = run_cli("assign", str(demand_csv), "--dataset", str(cap_dir), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert {"elements", "bottlenecks", "od", "totals", "unserved", "full", "solver"} <= set(data)
    assert "objective_usd" in data["solver"]
    assert data["od"][0]["origin"] == "CNAAA"
    assert data["bottlenecks"][0]["id"] == "kz-train"


def test_assign_table_and_geojson(run_cli: RunCli, cap_dir: Path, demand_csv: Path) -> None:
    code, out, _ = run_cli("assign", str(demand_csv), "--dataset", str(cap_dir))
    assert code == 0
    assert "Bottlenecks" in out
    code, out, _ = run_cli("assign", str(demand_csv), "--dataset", str(cap_dir), "-f", "geojson")
    assert code == 0
    assert json.loads(out)["type"] == "FeatureCollection"


def test_assign_equilibrium(run_cli: RunCli, cap_dir: Path, demand_csv: Path) -> None:
    code, out, _ = run_cli(
        "assign", str(demand_csv), "--dataset", str(cap_dir), "--method", "equilibrium", "-f", "json"
    )
    assert code == 0
    assert json.loads(out)["method"] == "equilibrium"


def test_assign_errors(run_cli: RunCli, cap_dir: Path, tmp_path: Path) -> None:
    bad = write_demand(tmp_path / "bad.csv", ["Atlantis,Baku,TEU,1,TEU,,,test:S1,"])
    code, _, err = run_cli("assign", str(bad), "--dataset", str(cap_dir))
    assert code == 1
    assert "Atlantis" in err
    assert "bad.csv" in err
    code, _, err = run_cli("assign", str(bad), "--dataset", str(cap_dir), "--method", "guess")
    assert code == 2
    assert "--method" in err


def test_scenario_list_and_show(run_cli: RunCli) -> None:
    code, out, _ = run_cli("scenario", "list", "-f", "json")
    assert code == 0
    names = {s["name"] for s in json.loads(out)["scenarios"]}
    assert {"aktau-hub-240k", "no-russia", "bakhty-ayagoz"} <= names
    code, out, _ = run_cli("scenario", "show", "no-russia")
    assert code == 0
    assert "no-russia" in out


def test_scenario_apply_and_diff(run_cli: RunCli, cap_dir: Path, tmp_path: Path, demand_csv: Path) -> None:
    sc = tmp_path / "more.yaml"
    sc.write_text(
        yaml.safe_dump(
            {
                "name": "more-trains",
                "title": "t",
                "modify": {
                    "services": [
                        {"id": "kz-train", "set": {"capacity_per_departure": {"TEU": 300}}, "source": "test:S1"}
                    ]
                },
            }
        ),
        encoding="utf-8",
    )
    out_dir = tmp_path / "out"
    code, _, err = run_cli("scenario", "apply", str(sc), "-o", str(out_dir), "--dataset", str(cap_dir))
    assert code == 0, err
    assert (out_dir / "services.yaml").is_file()
    code, out, _ = run_cli("network", "validate", "--dataset", str(out_dir))
    assert code == 0
    code, out, err = run_cli(
        "scenario",
        "diff",
        "base",
        str(sc),
        "--routes",
        "Alpha:Baku",
        "--demand",
        str(demand_csv),
        "--dataset",
        str(cap_dir),
        "-f",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["base"] == "base"
    assert data["new"] == "more-trains"
    assert data["assignment"]["delta"]["unserved_t"] <= 0
    assert "objective_usd" not in data["assignment"]["base"]
    assert "fastest" in data["routes"][0]["base"]
    code, out, _ = run_cli(
        "scenario",
        "diff",
        "base",
        str(sc),
        "--routes",
        "Alpha:Baku",
        "--demand",
        str(demand_csv),
        "--dataset",
        str(cap_dir),
    )
    assert code == 0
    assert "Routes" in out


def test_scenario_errors(run_cli: RunCli, cap_dir: Path, tmp_path: Path) -> None:
    sc = tmp_path / "bad.yaml"
    sc.write_text("name: bad\nremove: {services: [nope]}\n", encoding="utf-8")
    code, _, err = run_cli("scenario", "apply", str(sc), "-o", str(tmp_path / "o"), "--dataset", str(cap_dir))
    assert code == 1
    assert "bad.yaml" in err
    assert "remove.services[0]" in err
    code, _, err = run_cli("scenario", "show", "no-such-thing")
    assert code == 2
