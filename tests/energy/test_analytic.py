"""Two buses and a link: answers known in closed form."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from karavan.energy.load import load_energy
from karavan.energy.network import LINK_HURDLE_USD_PER_MWH
from karavan.energy.solver import solve

HOURS = 8760.0


@pytest.mark.parametrize(("link_mw", "load_mw"), [(40.0, 60.0), (80.0, 60.0), (40.0, 20.0)])
def test_flow_is_min_of_capacity_and_demand(make_two_bus: Callable[..., Path], link_mw: float, load_mw: float) -> None:
    r = solve(load_energy(make_two_bus(link_mw=link_mw, load_mw=load_mw)))
    flow = r.flow("ab")
    assert flow.net == pytest.approx(min(link_mw, load_mw) * HOURS / 1e6, rel=1e-6)
    assert flow.utilisation == pytest.approx(min(link_mw, load_mw) / link_mw, rel=1e-6)


def test_shadow_price_is_marginal_cost_of_marginal_unit(make_two_bus: Callable[..., Path]) -> None:
    r = solve(load_energy(make_two_bus(link_mw=40.0, load_mw=60.0)))
    # B imports 40 MW and burns 20 MW of its own dear plant: the dear plant sets B's price, the cheap plant A's
    assert r.bus("B").price_mean_usd_per_mwh == pytest.approx(30.0, abs=1e-6)
    assert r.bus("A").price_mean_usd_per_mwh == pytest.approx(10.0, abs=1e-6)
    # one more MW of link saves (30 - 10 - hurdle) USD every hour of the year
    assert r.flow("ab").capacity_value_usd == pytest.approx((30.0 - 10.0 - LINK_HURDLE_USD_PER_MWH) * HOURS, rel=1e-6)


def test_uncongested_link_has_one_price_and_no_capacity_value(make_two_bus: Callable[..., Path]) -> None:
    r = solve(load_energy(make_two_bus(link_mw=80.0, load_mw=60.0)))
    assert r.bus("B").price_mean_usd_per_mwh == pytest.approx(10.0 + LINK_HURDLE_USD_PER_MWH, abs=1e-6)
    assert r.flow("ab").capacity_value_usd == pytest.approx(0.0, abs=1e-6)
    assert r.production["dear"] == pytest.approx(0.0, abs=1e-9)


def test_unserved_demand_is_priced_at_voll(make_two_bus: Callable[..., Path]) -> None:
    r = solve(load_energy(make_two_bus(link_mw=40.0, load_mw=120.0, dear_mw=50.0, voll=1000.0)))
    b = r.bus("B")
    assert b.unserved == pytest.approx(30.0 * HOURS / 1e6, rel=1e-6)
    assert b.peak_unserved_mw == pytest.approx(30.0, rel=1e-6)
    assert b.price_mean_usd_per_mwh == pytest.approx(1000.0, abs=1e-6)
    assert r.unserved_twh == pytest.approx(30.0 * HOURS / 1e6, rel=1e-6)


def test_co2_and_trade_value(make_two_bus: Callable[..., Path]) -> None:
    r = solve(load_energy(make_two_bus(link_mw=40.0, load_mw=60.0)))
    # 60 MW of coal output all year at 40 % efficiency and 0.34 t/MWh of fuel
    assert r.co2_t == pytest.approx(60.0 * HOURS / 0.4 * 0.34, rel=1e-6)
    (row,) = r.trade
    assert (row.exporter, row.importer, row.price_basis) == ("KZ", "TM", "trade_prices.yaml p-kz-tm")
    assert row.value_usd == pytest.approx(40.0 * HOURS * 50.0, rel=1e-6)


def test_gas_feeds_a_plant_through_its_fuel_bus(make_two_bus: Callable[..., Path]) -> None:
    def gas(t: dict[str, Any]) -> None:
        src = {"source": ["T1"]}
        t["buses.yaml"].append(
            {
                "id": "G",
                "name_en": "Field",
                "name_ru": "Поле",
                "country": "TM",
                "carrier": "gas",
                "kind": "field",
                "lat": 39,
                "lon": 58,
                **src,
            }
        )
        t["generators.yaml"].append(
            {
                "id": "field",
                "name": "field",
                "bus": "G",
                "carrier": "gas",
                "capacity_bcm_per_year": 1.0,
                "marginal_cost_usd_per_mwh": 2.0,
                "status": "operating",
                **src,
            }
        )
        t["generators.yaml"].append(
            {
                "id": "ccgt",
                "name": "ccgt",
                "bus": "B",
                "carrier": "gas",
                "fuel_bus": "G",
                "capacity_mw": 500,
                "marginal_cost_usd_per_mwh": 0,
                "efficiency": 0.5,
                "status": "operating",
                **src,
            }
        )

    r = solve(load_energy(make_two_bus(edit=gas, link_mw=40.0, load_mw=60.0)))
    # gas at 2 USD/MWh burnt at 50 % gives power at 4 USD/MWh at B: cheaper than the import, so B runs on it
    assert r.bus("B").price_mean_usd_per_mwh == pytest.approx(4.0, abs=1e-6)
    assert r.bus("G").price_mean_usd_per_mwh == pytest.approx(2.0, abs=1e-6)
    assert r.production["ccgt"] == pytest.approx(60.0 * HOURS / 1e6, rel=1e-6)


def test_trade_rows_for_the_trade_report(make_two_bus: Callable[..., Path]) -> None:
    from karavan.energy.trade import energy_trade_contributions, trade_contributions

    r = solve(load_energy(make_two_bus(link_mw=40.0, load_mw=60.0)))
    (row,) = trade_contributions(r, between=("TM", "KZ"))
    assert row["value_usd"] == pytest.approx(40.0 * HOURS * 50.0, rel=1e-6)
    assert trade_contributions(r, between=("KZ", "UZ")) == []
    (c,) = energy_trade_contributions(r)
    assert (c.kind, c.direction, c.quantity_unit) == ("energy", "KZ->TM", "GWh/year")
    assert c.quantity == pytest.approx(40.0 * HOURS / 1000.0)
    assert c.value_usd == pytest.approx(row["value_usd"])
    assert c.source.startswith("trade_prices.yaml p-kz-tm")
