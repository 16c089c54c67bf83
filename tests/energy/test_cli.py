"""``karavan energy`` through the real entry point (tiny datasets keep the solves small)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from karavan.energy.export import read_pypsa

RunCli = Callable[..., tuple[int, str, str]]


def test_show_json_and_geojson(run_cli: RunCli) -> None:
    code, out, _ = run_cli("energy", "show", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["dataset"] == "central-asia-energy"
    assert {p["id"] for p in data["pipelines"]} >= {"cagp-tm", "tcp", "tapi-tm-af"}
    code, out, _ = run_cli("energy", "show", "--scenario", "casa-1000", "-f", "geojson")
    feats = json.loads(out)["features"]
    casa = next(f for f in feats if f["properties"]["id"] == "casa-hvdc-pk")
    assert casa["properties"]["status"] == "operating"
    assert casa["geometry"]["type"] == "LineString"


def test_scenarios_list(run_cli: RunCli) -> None:
    code, out, _ = run_cli("energy", "scenarios", "-f", "json")
    assert code == 0
    assert "trans-caspian-early-gas" in {s["name"] for s in json.loads(out)["scenarios"]}


def test_solve_json_keeps_stdout_clean(run_cli: RunCli, make_two_bus: Callable[..., Path]) -> None:
    code, out, err = run_cli("energy", "solve", "--dataset", str(make_two_bus()), "--format", "json")
    assert code == 0, err
    data = json.loads(out)  # no solver banner or progress on stdout
    assert data["flows"][0]["net_twh"] == pytest.approx(40 * 8760 / 1e6)
    assert "optimising" in err  # progress goes to stderr


def test_solve_table(run_cli: RunCli, make_two_bus: Callable[..., Path]) -> None:
    code, out, _ = run_cli("energy", "solve", "--dataset", str(make_two_bus()))
    assert code == 0
    assert "cross-border trade value" in out
    assert "ab" in out


def test_diff_json(run_cli: RunCli, make_two_bus: Callable[..., Path], tmp_path: Path) -> None:
    sc = tmp_path / "wider.yaml"
    sc.write_text(
        "name: wider\nmodify:\n  power_links:\n    - {id: ab, set: {capacity_mw: 60}, source: T1}\n", encoding="utf-8"
    )
    code, out, err = run_cli("energy", "diff", "base", str(sc), "--dataset", str(make_two_bus()), "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    (row,) = [r for r in d["flows"] if r["id"] == "ab"]
    assert row["change"] == pytest.approx(20 * 8760 / 1e6)
    assert d["totals"]["objective_usd"]["change"] < 0
    b = next(r for r in d["buses"] if r["id"] == "B")
    assert b["price_scenario_usd_per_mwh"] == pytest.approx(10.01)


def test_export_pypsa_reads_back(run_cli: RunCli, make_two_bus: Callable[..., Path], tmp_path: Path) -> None:
    out_file = tmp_path / "net.nc"
    code, _, err = run_cli(
        "energy", "export", "--format", "pypsa", "-o", str(out_file), "--dataset", str(make_two_bus())
    )
    assert code == 0, err
    n = read_pypsa(out_file)
    assert set(n.buses.index) == {"A", "B"}
    assert float(n.links_t.p0["ab"].max()) == pytest.approx(40.0)
    assert float(n.buses_t.marginal_price["B"].iloc[0]) == pytest.approx(30.0)


def test_export_geojson_and_bad_output(run_cli: RunCli, make_two_bus: Callable[..., Path], tmp_path: Path) -> None:
    out_file = tmp_path / "net.geojson"
    code, _, _ = run_cli("energy", "export", "-f", "geojson", "-o", str(out_file), "--dataset", str(make_two_bus()))
    assert code == 0
    props = [f["properties"] for f in json.loads(out_file.read_text())["features"] if f["properties"]["id"] == "ab"]
    assert props[0]["utilisation"] == pytest.approx(1.0)
    code, _, err = run_cli("energy", "export", "-o", str(tmp_path / "no" / "x.nc"), "--dataset", str(make_two_bus()))
    assert code == 2
    assert "--output" in err


def test_errors_are_messages(run_cli: RunCli, tmp_path: Path) -> None:
    code, _, err = run_cli("energy", "solve", "--scenario", "casa-2000")
    assert code == 2
    assert "casa-1000" in err
    code, _, err = run_cli("energy", "show", "--dataset", "caspian")
    assert code == 1
    assert "freight dataset" in err
    code, _, err = run_cli("energy", "show", "--dataset", str(tmp_path))
    assert code == 1
    assert "invalid dataset" in err
    assert "buses.yaml" in err


def test_import_and_other_commands_do_not_load_pypsa() -> None:
    code = (
        "import sys, karavan, karavan.energy, karavan.energy.solver, karavan.cli.main\n"
        "from karavan.energy import load_energy\n"
        "load_energy()\n"
        "bad = [m for m in ('pypsa', 'pandas', 'linopy', 'xarray') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_extra_names_the_install(
    monkeypatch: pytest.MonkeyPatch, make_two_bus: Callable[..., Path], run_cli: RunCli
) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "pypsa" or name.startswith("pypsa."):
            raise ImportError("No module named 'pypsa'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", fake_import)
    # a dataset never solved before, so no cached result answers
    code, _, err = run_cli("energy", "solve", "--dataset", str(make_two_bus(load_mw=33.3)))
    assert code == 1
    assert "pip install 'karavan[energy]'" in err
