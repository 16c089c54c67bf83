"""Demand CSV parsing and validation, the built-in set, and the trade-value helper."""

from __future__ import annotations

from pathlib import Path

import pytest

from karavan.capacity.demand import KZ_TM_MIX, TradeShare, demand_from_text, read_demand, trade_to_freight
from karavan.errors import InputError, ValidationError
from karavan.model import Network
from karavan.model.enums import Unit

from .conftest import write_demand


def test_reads_units_and_resolves_places(tmp_path: Path, mini_net: Network) -> None:
    path = write_demand(
        tmp_path / "d.csv",
        [
            "Альфа,Baku,TEU,1000,TEU,containers,,test:S1,",
            "gamma,AZBAK,,120000,tonnes,grain,,,one-line reasoning",
            "Alpha,Gamma,FEU,500,TEU,,,test:S1,",
            "Aktau,Baku,wagon,10,wagons,,300,test:S1,",
        ],
    )
    d = read_demand(path, mini_net)
    assert [f.origin for f in d] == ["CNAAA", "kz-border", "CNAAA", "KZAAU"]
    assert d.flows[0].volume_t == pytest.approx(10_000.0)
    assert d.flows[1].unit is Unit.WAGON
    assert d.flows[1].value_usd_per_t == 266.0
    assert d.flows[2].volume_t == pytest.approx(500 * 10.0)  # 500 TEU of FEU freight at 20 t per FEU
    assert d.flows[3].volume_t == pytest.approx(600.0)
    assert d.total_t == pytest.approx(10_000 + 120_000 + 5_000 + 600)


def test_every_kind_of_error_at_once(tmp_path: Path, mini_net: Network) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "origin,destination,unit,volume,volume_unit,commodity,value_usd_per_t,source,estimate,colour\n"
        "Atkau,Baku,TEU,10,TEU,,,test:S1,,\n"  # unknown place (suggests Aktau)
        "Aktau,Baku,crate,10,TEU,,,test:S1,,\n"  # bad unit
        "Aktau,Baku,TEU,-5,TEU,,,test:S1,,\n"  # negative volume
        "Aktau,Baku,TEU,10,barrels,,,test:S1,,\n"  # bad volume unit
        "Aktau,Baku,TEU,10,TEU,,,,,\n"  # no source or estimate
        "Aktau,,TEU,10,TEU,,,test:S1,,\n"  # missing destination
        "Aktau,Aktau,TEU,10,TEU,,,test:S1,,\n"  # same place
        "Aktau,Baku,TEU,10,TEU,,cheap,test:S1,,\n"  # bad value
        "Aktau,Baku,,10,TEU,,,test:S1,,blue\n",  # no unit, unknown column
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        read_demand(path, mini_net)
    got = {(p.record, p.field) for p in info.value.problems}
    assert {
        ("row 1", "origin"),
        ("row 2", "unit"),
        ("row 3", "volume"),
        ("row 4", "volume_unit"),
        ("row 5", "source"),
        ("row 6", "destination"),
        ("row 7", "destination"),
        ("row 8", "value_usd_per_t"),
        ("row 9", "unit"),
        ("header", "colour"),
    } <= got
    assert all(p.file == "bad.csv" for p in info.value.problems)
    unknown = next(p for p in info.value.problems if p.record == "row 1" and p.field == "origin")
    assert unknown.value == "Atkau"
    assert "Aktau" in unknown.expected


def test_missing_header_column(mini_net: Network) -> None:
    with pytest.raises(ValidationError) as info:
        demand_from_text("origin,destination,volume\nAktau,Baku,1\n", mini_net)
    assert [(p.record, p.field) for p in info.value.problems] == [("header", "volume_unit")]


def test_unreadable_file(tmp_path: Path, mini_net: Network) -> None:
    with pytest.raises(InputError):
        read_demand(tmp_path / "nope.csv", mini_net)


def test_scaled(mini_net: Network) -> None:
    d = demand_from_text(
        "origin,destination,unit,volume,volume_unit,source\nAktau,Baku,TEU,10,TEU,x\nAlpha,Baku,TEU,10,TEU,x\n",
        mini_net,
    )
    s = d.scaled(2.0, where={"origin": "KZAAU"})
    assert [f.volume_t for f in s] == [200.0, 100.0]
    with pytest.raises(InputError):
        d.scaled(-1.0)


def test_trade_to_freight() -> None:
    assert trade_to_freight(1e9, [TradeShare("wheat", 1.0, 250.0)]) == {"wheat": pytest.approx(4e6)}
    mix = trade_to_freight(1e9, KZ_TM_MIX)
    assert sum(s.value_share for s in KZ_TM_MIX) == pytest.approx(1.0)
    assert mix["wheat"] == pytest.approx(1e9 * 0.42 / 266.0)
    with pytest.raises(InputError):
        trade_to_freight(1e9, [TradeShare("wheat", 0.5, 250.0)])
    with pytest.raises(InputError):
        trade_to_freight(-1, KZ_TM_MIX)
