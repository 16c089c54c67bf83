"""The trade goal: value -> freight by commodity on real regions, assigned with today's demand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from karavan.capacity import builtin_demand, load_scenario
from karavan.capacity.trade import BASE_TRADE_USD, TradeContribution, read_mix, trade_flows, trade_plan
from karavan.errors import InputError, ValidationError
from karavan.model import Network

from .test_cli import RunCli


def test_mix_is_complete_and_cited(caspian: Network) -> None:
    from karavan.capacity import KZ_TM_MIX

    mix = read_mix(caspian)
    assert [(m.commodity, m.value_share, m.usd_per_t) for m in mix] == [
        (s.commodity, s.value_share, s.usd_per_t) for s in KZ_TM_MIX
    ]
    assert sum(m.value_share for m in mix) == pytest.approx(1.0)
    assert all(m.source or m.estimate for m in mix)
    assert {m.direction for m in mix} == {"KZ-TM", "TM-KZ"}


def test_value_becomes_tonnes_on_real_regions(caspian: Network) -> None:
    mix = read_mix(caspian)
    flows, rows = trade_flows(caspian, 1e8, mix)
    wheat = next(r for r in rows if r.label == "wheat")
    assert wheat.quantity == pytest.approx(1e8 * 0.42 / 266)
    assert sum(f.volume_t for f in flows) == pytest.approx(sum(r.quantity for r in rows))
    border = {"kz-bolashak", "tm-serhetyaka", "kz-beyneu"}
    assert not {f.origin for f in flows} & border
    assert {"KZPPK", "kz-astana"} <= {f.origin for f in flows if f.commodity == "wheat"}


def test_bad_mix_file_names_row_and_field(caspian: Network, tmp_path: Path) -> None:
    p = tmp_path / "mix.csv"
    p.write_text(
        "commodity,direction,value_share,usd_per_t,unit,origins,destinations,source,estimate\n"
        "wheat,KZ-TM,0.5,266,wagon,Atlantis:1,TMASB:1,s,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as exc:
        read_mix(caspian, p)
    text = str(exc.value)
    assert "origins" in text
    assert "value_share" in text  # 0.5 does not sum to 1


def test_plan_answers_the_target(caspian: Network) -> None:
    plan = trade_plan(caspian, 1e9)
    added = 1e9 - BASE_TRADE_USD[2024]
    assert sum(c.value_usd for c in plan.contributions) == pytest.approx(added)
    assert plan.shipper["served_t"] + plan.shipper["unserved_t"] == pytest.approx(plan.freight_t)
    assert plan.shipper["cost_usd"] > 0
    assert plan.loads
    assert any(r["id"] == "kti-wagon-beyneu-incheh-borun" for r in plan.loads)
    data = plan.to_dict()
    assert data["freight_t"] == pytest.approx(plan.freight_t)
    # energy trade counted toward the same target lowers the freight the network must carry
    gas = TradeContribution("energy", "gas", "TM-KZ", 100e6, 0.5, "bcm/year", estimate="test")
    with_gas = trade_plan(caspian, 1e9, contributions=[gas])
    assert with_gas.freight_t == pytest.approx(plan.freight_t * (added - 100e6) / added)
    assert with_gas.contributions[-1] is gas


def test_target_below_today_is_refused(caspian: Network) -> None:
    with pytest.raises(InputError, match="--target-usd"):
        trade_plan(caspian, 1e8)


def test_shipped_scenario_is_the_same_reading(caspian: Network) -> None:
    plan = trade_plan(caspian, 1e9)
    sc = load_scenario("kz-tm-trade-1bn")
    base = builtin_demand(caspian)
    with_sc = sc.apply_demand(base, caspian)
    assert with_sc.total_t - base.total_t == pytest.approx(plan.freight_t, rel=1e-6)


def test_trade_cli(run_cli: RunCli) -> None:
    code, out, err = run_cli("trade", "--target-usd", "1e9", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert {"contributions", "flows", "shipper", "loads", "build", "unserved"} <= set(data)
    # every input the answer rests on is cited or carries its reasoning
    assert data["base_trade_source"]
    for row in (*data["contributions"], *data["flows"]):
        assert row["source"] or row["estimate"], row
    assert data["freight_t"] == pytest.approx(sum(f["volume_t"] for f in data["flows"]))
    code, _, err = run_cli("trade", "--target-usd", "1e6")
    assert code == 2
    assert "--target-usd" in err


def test_trade_cli_counts_energy_trade(run_cli: RunCli) -> None:
    code, out, err = run_cli("trade", "--energy", "tm-kz-gas-contract", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    energy = [c for c in data["contributions"] if c["kind"] == "energy"]
    assert energy, data["contributions"]
    assert all(c["value_usd"] > 0 for c in energy)
    code, out_base, err = run_cli("trade", "-f", "json")
    assert code == 0, err
    # energy counted toward the target leaves less value for freight to carry
    assert data["freight_t"] < json.loads(out_base)["freight_t"]
    code, _, err = run_cli("trade", "--energy", "no-such-energy-scenario")
    assert code != 0
    assert "no-such-energy-scenario" in err
