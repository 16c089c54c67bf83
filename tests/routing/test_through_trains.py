"""Through trains: the consist goes on after the gauge change, with no wait for another departure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from karavan.accounting import Cargo
from karavan.errors import ValidationError
from karavan.io import load_network, validate_dataset
from karavan.model import Network, Unit
from karavan.reliability import plan_from_itinerary, simulate_itinerary
from karavan.routing import RouteQuery, plan_routes

DEPART = datetime(2025, 7, 3, tzinfo=UTC)  # a Thursday: the weekly Gamma train has left when the unit arrives
CONTINUES = "  stops: [CNAAA, cn-border, kz-border]\n"
REVERSE_GC = (
    "- {id: gc-gamma-back, node: kz-border, kind: gauge_change, from_modes: [rail], to_modes: [rail], "
    "from_gauge_mm: 1520, to_gauge_mm: 1435, units: [TEU, FEU], dwell_h: 6, cost_usd: {FEU: 300}, "
    "hoc: hub_rail_gauge_change, source: test:S1}\n"
)
Edit = Callable[[Path, str, str], None]


def _through(mini_dir: Path, edit_yaml: Edit, at: str = "kz-border") -> Path:
    edit_yaml(mini_dir / "services.yaml", CONTINUES, CONTINUES + f"  continues: [{{service: kz-train, at: {at}}}]\n")
    return mini_dir


def _with_reverse_gauge_change(mini_dir: Path) -> Path:
    with (mini_dir / "hub_operations.yaml").open("a", encoding="utf-8") as f:
        f.write(REVERSE_GC)
    return mini_dir


def test_a_through_train_does_not_rewait(mini_dir: Path, mini_net: Network, edit_yaml: Edit) -> None:
    separate = (
        plan_routes(mini_net, RouteQuery("CNAAA", "KZAAU", depart=DEPART, cargo=Cargo("FEU"))).routes[0].itinerary
    )
    net = load_network(_with_reverse_gauge_change(_through(mini_dir, edit_yaml)))
    through = plan_routes(net, RouteQuery("CNAAA", "KZAAU", depart=DEPART, cargo=Cargo("FEU"))).routes[0].itinerary
    kz_sep = next(leg for leg in separate.legs if leg.figures.service_id == "kz-train")
    kz_thr = next(leg for leg in through.legs if leg.figures.service_id == "kz-train")
    assert kz_sep.wait_h > 24  # separate daily and weekly trains: the unit waits for Thursday's train
    assert kz_thr.wait_h == 0.0
    assert kz_thr.stay_aboard
    assert kz_thr.through_train == "cn-train"
    assert through.transit_time_h == pytest.approx(separate.transit_time_h - kz_sep.wait_h)
    gc = next(h for h in through.hubs if h.figures.op_id == "gc-gamma")  # the bogie exchange still takes its time
    assert gc.figures.dwell_h > 0
    assert through.through_connections() == [{"train": "cn-train", "at": "kz-border", "service": "kz-train"}]
    assert through.to_dict()["through_trains"][0]["at"] == "kz-border"


def test_monte_carlo_keeps_the_connection(mini_dir: Path, edit_yaml: Edit) -> None:
    net = load_network(_with_reverse_gauge_change(_through(mini_dir, edit_yaml)))
    it = plan_routes(net, RouteQuery("CNAAA", "KZAAU", depart=DEPART, cargo=Cargo("FEU"))).routes[0].itinerary
    steps = plan_from_itinerary(it)
    res = simulate_itinerary(net, steps, Cargo("FEU"), depart=DEPART, runs=4000, seed=0)
    kz = next(e for e in res.elements if "kz-train" in e.element)
    assert kz.planned_h == pytest.approx(2500 / 50)
    assert kz.mean_h < 2500 / 50 * 1.2  # running time with path delays only: no timetable wait, no slippage


def test_reverse_direction_runs_through(mini_dir: Path, edit_yaml: Edit) -> None:
    net = load_network(_with_reverse_gauge_change(_through(mini_dir, edit_yaml)))
    it = plan_routes(net, RouteQuery("KZAAU", "CNAAA", depart=DEPART, cargo=Cargo("FEU"))).routes[0].itinerary
    cn = next(leg for leg in it.legs if leg.figures.service_id == "cn-train")
    assert cn.wait_h == 0.0
    assert cn.through_train == "kz-train"  # named after the section the consist started as


def test_consist_capacity_is_shared_along_the_chain(mini_dir: Path, edit_yaml: Edit) -> None:
    net = load_network(_with_reverse_gauge_change(_through(mini_dir, edit_yaml)))
    assert net.through_chain("kz-train") == ("cn-train", "kz-train")
    assert net.consist_capacity("kz-train") == {Unit.TEU: 100}


@pytest.mark.parametrize(
    ("edit", "field", "expected"),
    [
        (lambda d, e: _through(d, e), "continues[0].at", "gc-gamma-back"),  # no reverse bogie exchange
        (lambda d, e: _with_reverse_gauge_change(_through(d, e, at="cn-border")), "continues[0].at", "kz-border"),
    ],
)
def test_validator_names_the_connection(
    mini_dir: Path, edit_yaml: Edit, edit: Callable[[Path, Edit], Path], field: str, expected: str
) -> None:
    problems = validate_dataset(edit(mini_dir, edit_yaml))
    hit = [p for p in problems if p.record == "cn-train" and p.field == field]
    assert hit, problems
    assert "kz-train" in hit[0].expected or "kz-border" in hit[0].expected
    with pytest.raises(ValidationError):
        load_network(mini_dir)


def test_unknown_next_section(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "services.yaml", CONTINUES, CONTINUES + "  continues: [{service: nope, at: kz-border}]\n")
    problems = validate_dataset(mini_dir)
    assert any(p.field == "continues[0].service" and p.value == "nope" for p in problems)


def test_cli_names_the_through_train(
    mini_dir: Path, edit_yaml: Edit, run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    _with_reverse_gauge_change(_through(mini_dir, edit_yaml))
    code, out, _ = run_cli("route", "Alpha", "Aktau", "--dataset", str(mini_dir), "--depart", "2025-07-03")
    assert code == 0
    cells = " ".join(out.replace("│", " ").split())  # a long cell wraps onto the next table line
    assert "stays with train cn-train through Gamma Border" in cells
