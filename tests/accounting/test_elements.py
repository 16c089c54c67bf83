"""Per-element figures on a frozen copy of the mini network, computed by hand."""

from __future__ import annotations

import math
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from karavan.accounting import Cargo, hub_figures, leg_figures, load_parameters, next_opening
from karavan.errors import DatasetError, InputError
from karavan.io import load_network
from karavan.model import OpeningHours
from karavan.model.enums import Unit
from karavan.model.timetable import service_runs, to_hours

CHAIN = Path(__file__).resolve().parent / "fixtures" / "chain"
KWH = 0.019876  # rail_container_electric
CN, KZ = 582.0, 821.0  # grid g/kWh (Ember)


def _run(svc: str, reverse: bool = False):  # type: ignore[no-untyped-def]
    net = load_network(CHAIN)
    return next(r for r in service_runs(net, net.services[svc]) if r.reverse == reverse)


def test_electric_leg_per_country_grid() -> None:
    net, p = load_network(CHAIN), load_parameters()
    f = leg_figures(net, p, _run("cn-train"), 0, 2, Cargo("FEU", 2))
    assert f.distance_km == 472
    assert f.running_h == pytest.approx(472 / 40)
    assert f.cost_usd == pytest.approx(2 * 0.9 * 472)
    # 460 km in CN + the 12 km border link split 6/6 between CN and KZ, each on its own grid
    expect = 40 * 466 * KWH * CN / 1000 + 40 * 6 * KWH * KZ / 1000
    assert f.co2e_wtw_kg == pytest.approx(expect, rel=1e-12)
    assert f.co2e_ttw_kg == 0
    assert f.co2e_wtt_kg == f.co2e_wtw_kg
    assert f.countries == ("CN", "KZ")
    assert not f.default_tariff


def test_diesel_leg_and_default_tariff() -> None:
    net, p = load_network(CHAIN), load_parameters()
    run = _run("kz-train")
    feu = leg_figures(net, p, run, 0, 1, Cargo("FEU", 2))
    assert feu.cost_usd == 2 * 0.7 * 2500
    assert feu.co2e_wtw_kg == pytest.approx(40 * 2500 * 27.6 / 1000)
    assert feu.co2e_ttw_kg == pytest.approx(40 * 2500 * 21.2 / 1000)
    assert feu.co2e_wtt_kg == pytest.approx(40 * 2500 * 6.4 / 1000)
    # no tariff for wagons on kz-train: KZ rail default, CPMM TFI3 0.0883 USD/tkm
    wagon = leg_figures(net, p, run, 0, 1, Cargo("wagon", 1))
    assert wagon.default_tariff
    assert wagon.cost_usd == pytest.approx(0.0883 * 60 * 2500)


def test_rail_ferry_gross_mass_daf_and_flat_fare() -> None:
    net, p = load_network(CHAIN), load_parameters()
    run = _run("ferry")
    f = leg_figures(net, p, run, 0, 1, Cargo("wagon", 2))
    assert f.co2e_wtw_kg == pytest.approx(2 * (60 + 25) * 470 * 1.15 * 44.5 / 1000)
    assert f.co2e_ttw_kg == pytest.approx(2 * (60 + 25) * 470 * 1.15 * 38.4 / 1000)
    assert f.cost_usd == 2 * 1200  # the ferry's fare per wagon
    assert f.running_h == pytest.approx((18 + 20 + 30) / 3)
    assert f.countries == ("KZ", "AZ")
    assert f.carrier is None  # wagons cross as themselves


def test_a_container_on_a_ferry_pays_and_emits_as_on_its_wagon() -> None:
    net, p = load_network(CHAIN), load_parameters()
    on_wagon = replace(_run("ferry"), carrier=Unit.WAGON)
    boxes = leg_figures(net, p, on_wagon, 0, 1, Cargo("TEU", 3))
    assert boxes.carrier == "wagon"
    assert boxes.carriers == 2  # two 20' boxes share a flat wagon: three fill two
    assert boxes.cost_usd == 2 * 1200  # the fare of the two wagons
    gross = 3 * 10 + 3 * 2.2 + 2 * 25  # cargo + container tare + wagon tare (GLEC gross mass)
    assert boxes.co2e_wtw_kg == pytest.approx(gross * 470 * 1.15 * 44.5 / 1000)
    feu = leg_figures(net, p, on_wagon, 0, 1, Cargo("FEU", 1))
    assert feu.cost_usd == 1200
    assert feu.co2e_wtw_kg == pytest.approx((20 + 3.8 + 25) * 470 * 1.15 * 44.5 / 1000)


def test_mixed_traction_uses_diesel_on_non_electrified_links(tmp_path: Path) -> None:
    d = tmp_path / "chain"
    shutil.copytree(CHAIN, d)
    svc = d / "services.yaml"
    svc.write_text(svc.read_text(encoding="utf-8").replace("traction: electric", "traction: mixed"), encoding="utf-8")
    net, p = load_network(d), load_parameters(d)
    run = next(r for r in service_runs(net, net.services["cn-train"]) if not r.reverse)
    f = leg_figures(net, p, run, 0, 2, Cargo("FEU", 2))
    electric = 40 * 460 * KWH * CN / 1000
    diesel = 40 * 12 * 27.6 / 1000  # r-beta-gamma is not electrified
    assert f.co2e_wtw_kg == pytest.approx(electric + diesel, rel=1e-12)
    assert f.co2e_ttw_kg == pytest.approx(40 * 12 * 21.2 / 1000, rel=1e-12)


def test_reverse_run() -> None:
    net, p = load_network(CHAIN), load_parameters()
    fwd = leg_figures(net, p, _run("kz-train"), 0, 1, Cargo("TEU"))
    rev = leg_figures(net, p, _run("kz-train", True), 0, 1, Cargo("TEU"))
    assert (rev.board, rev.alight) == ("KZAAU", "kz-border")
    assert rev.co2e_wtw_kg == fwd.co2e_wtw_kg
    assert rev.reverse


def test_leg_errors() -> None:
    net, p = load_network(CHAIN), load_parameters()
    run = _run("cn-train")
    for i, j in ((1, 1), (2, 1), (-1, 1), (0, 3)):
        with pytest.raises(InputError):
            leg_figures(net, p, run, i, j, Cargo("TEU"))
    with pytest.raises(InputError) as info:
        leg_figures(net, p, run, 0, 1, Cargo("wagon"))
    assert info.value.field == "cargo.unit"


def test_unknown_category_is_a_dataset_error(tmp_path: Path) -> None:
    d = tmp_path / "chain"
    shutil.copytree(CHAIN, d)
    f = d / "services.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("toc: sea_rail_ferry", "toc: sea_x"), encoding="utf-8")
    net = load_network(d)
    run = service_runs(net, net.services["ferry"])[0]
    with pytest.raises(DatasetError, match="sea_x"):
        leg_figures(net, load_parameters(), run, 0, 1, Cargo("TEU"))


def test_hub_figures() -> None:
    net, p = load_network(CHAIN), load_parameters()
    port = hub_figures(net, p, net.hub_operations["port-aktau"], Cargo("FEU", 2))
    assert (port.dwell_h, port.cost_usd) == (12, 360)
    assert port.co2e_wtw_kg == pytest.approx(2 * 10.7)  # per container
    assert port.co2e_ttw_kg == port.co2e_wtw_kg  # split not published: operational
    gc = hub_figures(net, p, net.hub_operations["gc-gamma"], Cargo("TEU", 3))
    assert gc.dwell_h == pytest.approx((4 + 8 + 24) / 3)
    assert gc.cost_usd == 300
    assert gc.co2e_wtw_kg == pytest.approx(30 * 0.6)  # per tonne
    assert gc.dwell.quantile(0.5) > 0  # distribution kept for sampling
    border = hub_figures(net, p, net.hub_operations["bx-cn-kz"], Cargo("TEU", 3))
    assert border.dwell_h == pytest.approx(math.exp(math.log(20) + 0.5 * (math.log(48 / 20) / 1.2815515655446004) ** 2))
    assert (border.cost_usd, border.co2e_wtw_kg) == (150, 0)
    with pytest.raises(InputError):
        hub_figures(net, p, net.hub_operations["gc-gamma"], Cargo("wagon"))


def test_next_opening() -> None:
    always = OpeningHours()
    assert next_opening(always, 123.4) == 123.4
    weekdays = OpeningHours(days=("Mon", "Tue", "Wed", "Thu", "Fri"), start_h=8, end_h=18)  # type: ignore[arg-type]
    sat_noon = to_hours(__import__("datetime").datetime(2024, 11, 30, 12))
    mon_8 = to_hours(__import__("datetime").datetime(2024, 12, 2, 8))
    assert next_opening(weekdays, sat_noon) == mon_8
    assert next_opening(weekdays, mon_8 + 3) == mon_8 + 3
    assert next_opening(weekdays, mon_8 + 10) == mon_8 + 24


@settings(max_examples=60, deadline=None)
@given(
    w=st.floats(min_value=0.5, max_value=40, allow_nan=False),
    k=st.floats(min_value=0.1, max_value=10, allow_nan=False),
    n=st.integers(min_value=1, max_value=50),
)
def test_transport_emissions_scale_linearly_with_weight(w: float, k: float, n: int) -> None:
    net, p = load_network(CHAIN), load_parameters()
    for svc, j in (("cn-train", 2), ("kz-train", 1)):
        run = _run(svc)
        a = leg_figures(net, p, run, 0, j, Cargo("TEU", n, gross_t_per_unit=w))
        b = leg_figures(net, p, run, 0, j, Cargo("TEU", n, gross_t_per_unit=w * k))
        assert b.co2e_wtw_kg == pytest.approx(k * a.co2e_wtw_kg, rel=1e-9)
        assert b.co2e_ttw_kg == pytest.approx(k * a.co2e_ttw_kg, rel=1e-9, abs=1e-12)
    # gross-mass category (rail ferry): affine in cargo mass, slope = km x DAF x intensity
    run = _run("ferry")
    e = [leg_figures(net, p, run, 0, 1, Cargo("TEU", n, gross_t_per_unit=x)).co2e_wtw_kg for x in (w, w + k, w + 2 * k)]
    assert e[2] - e[1] == pytest.approx(e[1] - e[0], rel=1e-9)
    assert e[1] - e[0] == pytest.approx(n * k * 470 * 1.15 * 44.5 / 1000, rel=1e-9)


def test_leg_figures_is_fast() -> None:
    net, p = load_network(CHAIN), load_parameters()
    run, cargo = _run("cn-train"), Cargo("FEU", 2)
    n = 2000
    t = time.perf_counter()
    for _ in range(n):
        leg_figures(net, p, run, 0, 2, cargo)
    per_call = (time.perf_counter() - t) / n
    assert per_call < 1e-3  # generous bound; measured ~3 µs
