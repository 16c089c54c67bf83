"""Scenario diff: the same departure on both sides, per-label rows with each route's own P50/P90; stacking."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from karavan.capacity.diff import DEFAULT_DEPART, diff_scenarios
from karavan.capacity.scenario import apply_scenarios, parse_scenario
from karavan.model import Network

from .test_cli import RunCli


def _faster(name: str) -> dict[str, object]:
    return {
        "name": name,
        "modify": {"services": [{"id": "ferry", "set": {"running_time_h": 4}, "estimate": {"running_time_h": "t"}}]},
    }


def test_diff_plans_and_simulates_at_one_stated_departure(cap_net: Network, demand_csv: Path) -> None:
    fast = parse_scenario(_faster("fast"))
    d = diff_scenarios(cap_net, "base", fast, routes=[("Gamma", "Baku")], percentile_runs=200, demand=demand_csv)
    assert d.depart == DEFAULT_DEPART
    assert d.to_dict()["depart"] == "2026-03-02T00:00:00+00:00"
    row = d.routes[0]
    assert row["labels"]
    for item in row["labels"]:
        for side in ("base", "new"):
            pct = item[side]["percentiles"]
            assert pct["p50_h"] <= pct["p90_h"]
    first = row["labels"][0]
    assert first["new"]["transit_time_h"] < first["base"]["transit_time_h"]
    later = diff_scenarios(
        cap_net,
        "base",
        fast,
        routes=[("Gamma", "Baku")],
        percentile_runs=200,
        depart=datetime(2026, 3, 2, tzinfo=UTC),
        demand=demand_csv,
    )
    assert later.routes[0]["labels"] == row["labels"]


def test_percentiles_belong_to_each_route(caspian: Network) -> None:
    d = diff_scenarios(caspian, "base", [], routes=[("Altynkol", "Baku")], percentile_runs=300)
    p50 = {item["label"]: item["base"]["percentiles"]["p50_h"] for item in d.routes[0]["labels"]}
    assert len(set(p50.values())) > 1, p50


def test_scenarios_stack_in_order(cap_net: Network) -> None:
    one = parse_scenario(_faster("fast"))
    two = parse_scenario(
        {
            "name": "faster",
            "modify": {
                "services": [{"id": "ferry", "set": {"running_time_h": 2}, "estimate": {"running_time_h": "t"}}]
            },
            "demand": {"scale": 2.0},
        }
    )
    from karavan.capacity.demand import Demand, ODFlow
    from karavan.model.enums import Unit

    dem = Demand((ODFlow("kz-border", "AZBAK", Unit.TEU, 10.0, 100.0, 0.0),))
    net, stacked, applied = apply_scenarios(cap_net, [one, two], dem)
    assert [s.name for s in applied] == ["fast", "faster"]
    assert net.services["ferry"].running_time_h is not None
    assert net.services["ferry"].running_time_h.mean() == pytest.approx(2.0)
    assert stacked is not None
    assert stacked.total_t == pytest.approx(200.0)


def test_show_exits_1_on_a_file_that_does_not_apply(run_cli: RunCli, cap_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nmodify:\n  services:\n    - {id: nope, set: {vessels: 2}, estimate: {vessels: x}}\n",
        encoding="utf-8",
    )
    code, _, err = run_cli("scenario", "show", str(bad), "--dataset", str(cap_dir))
    assert code == 1
    assert "nope" in err
    good = tmp_path / "good.yaml"
    good.write_text(json.dumps(_faster("fast")), encoding="utf-8")
    code, _, err = run_cli("scenario", "show", str(good), "--dataset", str(cap_dir))
    assert code == 0, err


def test_stacked_scenarios_on_the_cli(run_cli: RunCli, cap_dir: Path, tmp_path: Path, demand_csv: Path) -> None:
    a = tmp_path / "a.yaml"
    a.write_text(json.dumps(_faster("fast")), encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text(json.dumps({"name": "growth", "demand": {"scale": 2.0}}), encoding="utf-8")
    code, out, err = run_cli("route", "Gamma", "Baku", "--scenario", str(a), "--dataset", str(cap_dir), "-f", "json")
    assert code == 0, err
    args = ("--routes", "Gamma:Baku", "--runs", "100", "--demand", str(demand_csv), "--dataset", str(cap_dir))
    code, out, err = run_cli("scenario", "diff", "base", f"{a}+{b}", *args, "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["new"] == "fast + growth"
    assert data["assignment"]["new"]["demand_t"] == pytest.approx(2 * data["assignment"]["base"]["demand_t"])
    code, out, err = run_cli(
        "assign", str(demand_csv), "--scenario", str(a), "--scenario", str(b), "--dataset", str(cap_dir), "-f", "json"
    )
    assert code == 0, err
    assert json.loads(out)["totals"]["demand_t"] == pytest.approx(2 * data["assignment"]["base"]["demand_t"])


def _today(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    """Make ``when`` the current time for the routing defaults."""
    import karavan.routing.query as query

    class _Clock(datetime):
        @classmethod
        def now(cls, tz: object = None) -> _Clock:  # type: ignore[override]
            return cls.fromtimestamp(when.timestamp(), tz=UTC)

    monkeypatch.setattr(query, "datetime", _Clock)


def test_second_kuryk_berth_diff_does_not_change_with_the_run_date(
    caspian: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    views = []
    for today in (datetime(2026, 7, 15, 9, tzinfo=UTC), datetime(2027, 1, 4, 18, tzinfo=UTC)):
        _today(monkeypatch, today)
        d = diff_scenarios(caspian, "base", "second-kuryk-berth", routes=[("Almaty", "Baku")], percentile_runs=200)
        assert d.depart == DEFAULT_DEPART
        views.append(d.to_dict())
    assert views[0] == views[1]
    labels = views[0]["routes"][0]["labels"]
    assert labels
    for item in labels:
        for side in ("base", "new"):
            pct = item[side]["percentiles"]
            assert pct["p50_h"] <= pct["p90_h"]
