"""``karavan network`` commands through the real entry point."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

RunCli = Callable[..., tuple[int, str, str]]
"""The ``run_cli`` fixture: run ``karavan ARGS``, return (exit code, stdout, stderr)."""
MINI = str(Path(__file__).parents[1] / "fixtures" / "mini")


def test_list_json(run_cli: RunCli) -> None:
    code, out, _ = run_cli("network", "list", "--dataset", MINI, "--format", "json")
    assert code == 0
    ids = {n["id"] for n in json.loads(out)["nodes"]}
    assert ids == {"CNAAA", "cn-border", "kz-border", "KZAAU", "AZBAK"}


def test_list_by_kind(run_cli: RunCli) -> None:
    code, out, _ = run_cli("network", "list", "--dataset", MINI, "--kind", "SEAPORT", "-f", "json")
    assert code == 0
    assert {n["id"] for n in json.loads(out)["nodes"]} == {"KZAAU", "AZBAK"}


def test_list_bad_kind(run_cli: RunCli) -> None:
    code, _, err = run_cli("network", "list", "--dataset", MINI, "--kind", "harbour")
    assert code == 2
    assert "--kind" in err
    assert "harbour" in err


def test_show_russian_name(run_cli: RunCli) -> None:
    code, out, _ = run_cli("network", "show", "актау", "--dataset", MINI, "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == "KZAAU"
    assert {op["id"] for op in data["hub_operations"]} == {"port-aktau", "bx-az-kz"}


def test_show_unknown_suggests(run_cli: RunCli) -> None:
    code, _, err = run_cli("network", "show", "Aktua", "--dataset", MINI)
    assert code == 2
    assert "did you mean" in err
    assert "KZAAU" in err


def test_validate_ok_and_broken(run_cli: RunCli, mini_dir: Path) -> None:
    code, out, _ = run_cli("network", "validate", str(mini_dir))
    assert code == 0
    assert "valid" in out
    links = mini_dir / "links.yaml"
    links.write_text(links.read_text(encoding="utf-8").replace("length_km: 470", "length_km: 0"), encoding="utf-8")
    code, out, _ = run_cli("network", "validate", str(mini_dir), "-f", "json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert problems[0]["record"] == "s-aktau-baku"
    assert problems[0]["field"] == "length_km"


def test_broken_dataset_in_other_command_is_readable(run_cli: RunCli, mini_dir: Path) -> None:
    (mini_dir / "nodes.yaml").write_text("- {id: X}\n", encoding="utf-8")
    code, _, err = run_cli("network", "list", "--dataset", str(mini_dir))
    assert code == 1
    assert "invalid dataset" in err
    assert "Traceback" not in err


def test_export_geojson_to_file(run_cli: RunCli, tmp_path: Path) -> None:
    out_file = tmp_path / "net.geojson"
    code, _, _ = run_cli("network", "export", "--dataset", MINI, "--format", "geojson", "-o", str(out_file))
    assert code == 0
    assert json.loads(out_file.read_text(encoding="utf-8"))["type"] == "FeatureCollection"


def test_init_copies_and_refuses_overwrite(run_cli: RunCli, tmp_path: Path) -> None:
    dest = tmp_path / "copy"
    code, _, _ = run_cli("network", "init", str(dest), "--dataset", MINI)
    assert code == 0
    assert (dest / "nodes.yaml").is_file()
    code, _, _ = run_cli("network", "validate", str(dest))
    assert code == 0
    code, _, err = run_cli("network", "init", str(dest), "--dataset", MINI)
    assert code == 2
    assert "refusing" in err


def test_unknown_dataset(run_cli: RunCli) -> None:
    code, _, err = run_cli("network", "list", "--dataset", "/no/such/dir")
    assert code == 1
    assert "/no/such/dir" in err


def test_route_json_and_trail_csv(run_cli: RunCli, tmp_path: Path) -> None:
    import csv

    out_csv = tmp_path / "trail.csv"
    code, out, _ = run_cli(
        "route", "Alpha", "Baku", "--dataset", MINI, "--depart", "2026-12-01",
        "--count", "2", "-f", "json", "--trail-csv", str(out_csv),
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    route = data["routes"][0]
    for key in ("label", "transit_time_h", "cost_usd", "co2e_kg", "distance_km", "countries", "legs", "trail"):
        assert key in route
    with out_csv.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(route["trail"])
    assert sum(float(r["result"]) for r in rows if r["quantity"] == "cost_usd") == pytest.approx(route["cost_usd"])


def test_route_explain_and_errors(run_cli: RunCli) -> None:
    code, out, _ = run_cli("route", "Alpha", "Baku", "--dataset", MINI, "--explain")
    assert code == 0
    assert "calculation trail" in out
    code, _, err = run_cli("route", "Alpha", "Baku", "--dataset", MINI, "--depart", "tomorrow")
    assert code == 2
    assert "--depart" in err
    code, _, err = run_cli("route", "Alpha", "Baku", "--dataset", MINI, "--avoid-country", "KZ")
    assert code == 1
    assert "avoid_countries=KZ" in err
    code, _, err = run_cli("route", "Alpha", "--dataset", MINI)
    assert code == 2
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["route", "Alpha", "Baku", "--trail-csv", "{missing}/t.csv"], "--trail-csv"),
        (["network", "export", "-o", "{missing}/n.geojson"], "--output"),
        (["route", "Alpha", "Baku", "--trail-csv", "{tmp}"], "--trail-csv"),
    ],
)
def test_unwritable_output_is_a_clear_error(run_cli: RunCli, tmp_path: Path, args: list[str], field: str) -> None:
    argv = [a.format(missing=tmp_path / "no" / "such", tmp=tmp_path) for a in args] + ["--dataset", MINI]
    code, _, err = run_cli(*argv)
    assert code == 2
    assert field in err
    assert "Traceback" not in err
    assert not list(tmp_path.rglob("*.tmp"))
