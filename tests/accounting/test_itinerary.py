"""Whole itineraries: hand-computed chain, trail, JSON/CSV, errors, properties, determinism."""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import math
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from karavan.accounting import QUANTITIES, Cargo, HubPlan, LegPlan, evaluate, load_parameters
from karavan.accounting.params import ParametersFile, merge
from karavan.accounting.trail import estimate_weights
from karavan.errors import InputError
from karavan.io import load_network
from karavan.model import DatasetInfo, Link, Network, Node, Service

CHAIN = Path(__file__).resolve().parent / "fixtures" / "chain"
SUNDAY = datetime(2024, 12, 1, tzinfo=UTC)
PLAN: list[LegPlan | HubPlan] = [
    LegPlan("cn-train", False, "CNAAA", "kz-border"),
    HubPlan("gc-gamma"),
    HubPlan("bx-cn-kz"),
    LegPlan("kz-train", False, "kz-border", "KZAAU"),
    HubPlan("port-aktau"),
    LegPlan("ferry", False, "KZAAU", "AZBAK"),
    HubPlan("bx-kz-az"),
    HubPlan("port-baku"),
]


def _lognormal_mean(median: float, p90: float) -> float:
    sigma = math.log(p90 / median) / 1.2815515655446004
    return math.exp(math.log(median) + sigma**2 / 2)


def test_hand_computed_chain() -> None:
    net = load_network(CHAIN)
    it = evaluate(net, PLAN, Cargo("FEU", 2, value_usd=100_000), depart=SUNDAY)
    # --- time, walked by hand
    t = 6.0 + 472 / 40  # first cn-train 06:00 Sunday, 472 km at 40 km/h
    t += 12.0  # gauge change, triangular(4, 8, 24) mean
    t += _lognormal_mean(20, 48)  # CN->KZ border
    kz_dep = (datetime(2024, 12, 5, 12, tzinfo=UTC) - SUNDAY).total_seconds() / 3600  # Thu 12:00
    assert t < kz_dep
    t = kz_dep + 2500 / 50 + 12.0  # train, port handling at Aktau
    t += _lognormal_mean(48, 120) + (18 + 20 + 30) / 3  # ferry fill wait + crossing
    t += 6.0 + 12.0  # border at Baku, port handling
    assert it.transit_time_h == pytest.approx(t, rel=1e-12)
    assert it.arrive == SUNDAY + timedelta(hours=it.transit_time_h)
    # --- cost
    inventory = 100_000 * 0.10 * (t / 24) / 365
    line_haul = 2 * 0.9 * 472 + 2 * 0.7 * 2500 + 2 * 1200
    hubs = 2 * 150 + 2 * 50 + 2 * 180 + 2 * 180
    assert it.inventory_cost_usd == pytest.approx(inventory, rel=1e-12)
    assert it.cost_usd == pytest.approx(line_haul + hubs + inventory, rel=1e-12)
    # --- GHG (WTW, kg)
    cn = 40 * 466 * 0.019876 * 582 / 1000 + 40 * 6 * 0.019876 * 821 / 1000  # KZ grid
    kz = 40 * 2500 * 27.6 / 1000
    ferry = (40 + 2 * 3.8 + 2 * 25) * 470 * 1.15 * 44.5 / 1000  # the boxes cross on two wagons: their tare counts
    hub_ghg = 40 * 0.6 + 0 + 2 * 10.7 + 0 + 2 * 10.7
    assert it.co2e_kg == pytest.approx(cn + kz + ferry + hub_ghg, rel=1e-12)
    assert it.co2e_ttw_kg == pytest.approx(40 * 2500 * 21.2 / 1000 + (97.6 * 470 * 1.15 * 38.4 / 1000) + 24 + 42.8)
    assert it.co2e_wtt_kg == pytest.approx(it.co2e_kg - it.co2e_ttw_kg, rel=1e-12)
    assert it.distance_km == 472 + 2500 + 470


def test_to_dict_shape_and_json() -> None:
    net = load_network(CHAIN)
    d = evaluate(net, PLAN, Cargo("FEU", 2), depart=SUNDAY).to_dict()
    for key in ("transit_time_h", "cost_usd", "co2e_kg", "co2e_ttw_kg", "co2e_wtt_kg", "distance_km", "trail"):
        assert key in d
    assert [leg["service"] for leg in d["legs"]] == ["cn-train", "kz-train", "ferry"]
    leg0 = d["legs"][0]
    for key in (
        "from",
        "to",
        "depart",
        "arrive",
        "distance_km",
        "running_h",
        "wait_h",
        "cost_usd",
        "co2e_kg",
        "countries",
    ):
        assert key in leg0
    assert leg0["depart"] == "2024-12-01T06:00:00+00:00"
    assert leg0["countries"] == ["CN", "KZ"]
    assert [h["op"] for h in d["hubs"]] == ["gc-gamma", "bx-cn-kz", "port-aktau", "bx-kz-az", "port-baku"]
    json.dumps(d)  # serialisable


def test_trail_rows_carry_formula_inputs_sources() -> None:
    net = load_network(CHAIN)
    it = evaluate(net, PLAN, Cargo("FEU", 2), depart=SUNDAY)
    rows = it.trail_rows()
    kz = [r for r in rows if r["element"].startswith("4: kz-train") and r["quantity"] == "co2e_wtw_kg"]
    assert len(kz) == 1
    assert kz[0]["formula"] == "40 t × 2500 km × 1 × 27.6 g/tkm / 1000"
    assert kz[0]["result"] == pytest.approx(2760)
    assert any("glec:GLEC3" in i["sources"] for i in kz[0]["inputs"])
    assert any(f.startswith("estimate:") for f in kz[0]["flags"])
    # every row is re-computable: re-evaluate simple "a × b × ... / 1000" formulas
    for r in rows:
        f = r["formula"]
        if r["quantity"].startswith("co2e") and "×" in f and "−" not in f and "(" not in f:
            expr = " ".join(tok for tok in f.replace("×", "*").split() if _is_num_or_op(tok))
            assert eval(expr) == pytest.approx(r["result"], rel=1e-8), f
    parsed = list(csv.DictReader(io.StringIO(it.trail_csv())))
    assert len(parsed) == len(rows)
    assert {"element", "quantity", "result", "unit", "formula", "inputs", "sources", "flags"} <= set(parsed[0])


def _is_num_or_op(tok: str) -> bool:
    if tok in {"*", "/"}:
        return True
    try:
        float(tok)
    except ValueError:
        return False
    return True


def test_totals_equal_sums_of_elements_and_trail() -> None:
    net = load_network(CHAIN)
    it = evaluate(net, PLAN, Cargo("TEU", 3, value_usd=5e5), depart=SUNDAY, inventory_rate=0.08)
    _check_sums(it)


def _check_sums(it) -> None:  # type: ignore[no-untyped-def]
    legs, hubs = it.legs, it.hubs
    close = lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)  # noqa: E731
    assert close(it.distance_km, sum(x.figures.distance_km for x in legs))
    assert close(it.co2e_kg, sum(x.figures.co2e_wtw_kg for x in [*legs, *hubs]))
    assert close(it.co2e_ttw_kg, sum(x.figures.co2e_ttw_kg for x in [*legs, *hubs]))
    assert close(it.co2e_wtt_kg, sum(x.figures.co2e_wtt_kg for x in [*legs, *hubs]))
    assert close(it.cost_usd, sum(x.figures.cost_usd for x in [*legs, *hubs]) + it.inventory_cost_usd)
    time_parts = sum(x.wait_h + x.figures.running_h for x in legs) + sum(x.wait_h + x.figures.dwell_h for x in hubs)
    assert close(it.transit_time_h, time_parts)
    by_q = {q: sum(r.result for r in it.trail if r.quantity == q) for q in QUANTITIES}
    assert close(by_q["distance_km"], it.distance_km)
    assert close(by_q["cost_usd"], it.cost_usd)
    assert close(by_q["co2e_wtw_kg"], it.co2e_kg)
    assert close(by_q["co2e_ttw_kg"], it.co2e_ttw_kg)
    assert close(by_q["co2e_wtt_kg"], it.co2e_wtt_kg)
    assert close(by_q["running_h"] + by_q["wait_h"] + by_q["dwell_h"], it.transit_time_h)


@settings(max_examples=40, deadline=None)
@given(
    hours=st.floats(min_value=0, max_value=24 * 60, allow_nan=False),
    unit=st.sampled_from(["TEU", "FEU"]),
    count=st.integers(min_value=1, max_value=80),
    gross=st.one_of(st.none(), st.floats(min_value=0.5, max_value=30, allow_nan=False)),
    value=st.one_of(st.none(), st.floats(min_value=0, max_value=1e7, allow_nan=False)),
    start=st.integers(min_value=0, max_value=5),
)
def test_property_totals_equal_sums(
    hours: float, unit: str, count: int, gross: float | None, value: float | None, start: int
) -> None:
    net = load_network(CHAIN)
    plan = PLAN[[0, 1, 3, 3, 4, 5][start] :]
    it = evaluate(net, plan, Cargo(unit, count, gross, value), depart=SUNDAY + timedelta(hours=hours))
    _check_sums(it)
    for leg in it.legs:
        assert leg.wait_h >= 0
    assert it.transit_time_h >= 0


def _line(lengths: list[float]) -> Network:
    nodes = {
        f"n{k}": Node.model_validate(
            {
                "id": f"n{k}",
                "name_en": f"n{k}",
                "name_ru": f"n{k}",
                "country": "KZ" if k < 3 else "TM",
                "lat": 45.0,
                "lon": 50 + k,
                "kind": "city",
            }
        )
        for k in range(len(lengths) + 1)
    }
    links = {
        f"l{k}": Link.model_validate(
            {"id": f"l{k}", "from": f"n{k}", "to": f"n{k + 1}", "mode": "rail", "length_km": km, "gauge_mm": 1520}
        )
        for k, km in enumerate(lengths)
    }
    base = {
        "kind": "block_train",
        "stops": list(nodes),
        "units": ["TEU", "wagon"],
        "gauge_mm": 1520,
        "departures": {"pattern": "headway", "headway_h": 12},
        "speed_kmh": 40,
        "toc": "rail_container_diesel",
    }
    services = {
        "tariffed": Service.model_validate(
            {**base, "id": "tariffed", "name": "t", "tariff": {"TEU": {"flat_usd": 50, "per_km_usd": 0.3}}}
        ),
        "untariffed": Service.model_validate({**base, "id": "untariffed", "name": "u"}),
    }
    return Network(
        info=DatasetInfo(name="line", version="1"),
        sources={},
        unit_types={},
        nodes=nodes,
        links=links,
        services=services,
        hub_operations={},
    )


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.floats(min_value=0.1, max_value=3000, allow_nan=False), min_size=2, max_size=7),
    unit=st.sampled_from(["TEU", "wagon"]),
)
def test_property_longer_leg_never_costs_less(lengths: list[float], unit: str) -> None:
    from karavan.accounting import leg_figures
    from karavan.model.timetable import service_runs

    net = _line(lengths)
    p = load_parameters()
    cargo = Cargo(unit, 2, gross_t_per_unit=12.0)
    for sid in ("tariffed", "untariffed"):
        for run in service_runs(net, net.services[sid]):
            n = len(run.stops)
            for i in range(n - 1):
                costs = [leg_figures(net, p, run, i, j, cargo).cost_usd for j in range(i + 1, n)]
                assert all(b >= a - 1e-9 for a, b in itertools.pairwise(costs))


def test_determinism() -> None:
    net = load_network(CHAIN)
    a = evaluate(net, PLAN, Cargo("FEU", 2, value_usd=1e5), depart=SUNDAY)
    b = evaluate(net, PLAN, Cargo("FEU", 2, value_usd=1e5), depart=SUNDAY)
    params = load_parameters(CHAIN)
    fresh = merge(
        ParametersFile.model_validate(
            {
                "version": params.version.split("+")[0],
                "toc": list(params.toc.values()),
                "hoc": list(params.hoc.values()),
                "grid": list(params.grid.values()),
                "tariffs": list(params.tariffs.values()),
                "sources": list(params.sources.values()),
                "inventory": {"annual_rate": params.inventory_rate, "estimate": "x"},
            }
        ),
        None,
        ("copy",),
    )
    c = evaluate(net, PLAN, Cargo("FEU", 2, value_usd=1e5), depart=SUNDAY, params=fresh)
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
    assert a.trail_csv() == b.trail_csv()
    assert (a.cost_usd, a.co2e_kg, a.transit_time_h) == (c.cost_usd, c.co2e_kg, c.transit_time_h)


def test_opening_hours_wait(tmp_path: Path) -> None:
    import shutil

    d = tmp_path / "chain"
    shutil.copytree(CHAIN, d)
    f = d / "hub_operations.yaml"
    f.write_text(
        f.read_text(encoding="utf-8").replace(
            "hoc: hub_container_terminal_maritime, berths: 2",
            "hoc: hub_container_terminal_maritime, berths: 2, opening: {days: [Mon], start_h: 8, end_h: 16}",
        ),
        encoding="utf-8",
    )
    net = load_network(d)
    it = evaluate(net, [HubPlan("port-aktau")], Cargo("TEU"), depart=SUNDAY)
    assert it.hubs[0].wait_h == 32  # Sunday 00:00 -> Monday 08:00
    assert it.transit_time_h == 32 + 12
    assert any(r.quantity == "wait_h" and r.kind == "hub" for r in it.trail)


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        ([LegPlan("nope", False, "a", "b")], "plan[0].service_id"),
        ([LegPlan("kz-train", False, "CNAAA", "KZAAU")], "plan[0].board"),
        ([LegPlan("kz-train", False, "kz-border", "AZBAK")], "plan[0].alight"),
        ([LegPlan("kz-train", True, "kz-border", "KZAAU")], "plan[0].alight"),
        ([LegPlan("kz-train", False, "KZAAU", "kz-border")], "plan[0].alight"),
        ([HubPlan("nope")], "plan[0].op_id"),
        ([LegPlan("kz-train", False, "kz-border", "KZAAU"), HubPlan("port-baku")], "plan[1].op_id"),
        (
            [LegPlan("kz-train", False, "kz-border", "KZAAU"), LegPlan("cn-train", False, "CNAAA", "cn-border")],
            "plan[1].board",
        ),
        ([], "plan"),
    ],
)
def test_plan_errors(plan: list[LegPlan | HubPlan], field: str) -> None:
    net = load_network(CHAIN)
    with pytest.raises(InputError) as info:
        evaluate(net, plan, Cargo("TEU"), depart=SUNDAY)
    assert info.value.field == field


def test_unit_not_carried_and_bad_rate() -> None:
    net = load_network(CHAIN)
    with pytest.raises(InputError):
        evaluate(net, [LegPlan("cn-train", False, "CNAAA", "kz-border")], Cargo("wagon"), depart=SUNDAY)
    with pytest.raises(InputError) as info:
        evaluate(net, PLAN[:1], Cargo("TEU"), depart=SUNDAY, inventory_rate=-1)
    assert info.value.field == "inventory_rate"


def test_naive_datetime_is_utc() -> None:
    net = load_network(CHAIN)
    a = evaluate(net, PLAN[:1], Cargo("TEU"), depart=datetime(2024, 12, 1))
    b = evaluate(net, PLAN[:1], Cargo("TEU"), depart=SUNDAY)
    assert a.to_dict() == b.to_dict()


def test_trail_never_cites_a_source_for_an_estimated_field(tmp_path: Path) -> None:
    """A field flagged as an estimate shows its reasoning and no source; the record's other fields keep it."""
    data = tmp_path / "chain"
    shutil.copytree(CHAIN, data)
    ops = data / "hub_operations.yaml"
    text = ops.read_text(encoding="utf-8")
    old = "hoc: hub_container_terminal_maritime, berths: 2, source: test:S1}"
    assert old in text
    ops.write_text(
        text.replace(old, old[:-1] + ', estimate: {cost_usd: "no fee published: assumed"}}', 1), encoding="utf-8"
    )
    it = evaluate(load_network(data), PLAN, Cargo("FEU", 2), depart=SUNDAY)
    rows = {(r["element"], r["quantity"]): r for r in it.trail_rows() if "port-aktau" in r["element"]}
    dwell = next(r for (e, q), r in rows.items() if q == "dwell_h")
    fee = next(r for (e, q), r in rows.items() if q == "cost_usd")
    assert dwell["inputs"][0]["sources"] == ["test:S1"]
    assert dwell["inputs"][0]["provenance"] == "sourced"
    fee_in = next(i for i in fee["inputs"] if i["name"].startswith("cost_usd"))
    assert fee_in["sources"] == []
    assert fee_in["provenance"] == "estimate"
    assert fee_in["estimate"] == "no fee published: assumed"
    assert fee["estimated_inputs"] == [fee_in["name"]]
    csv_rows = list(csv.DictReader(io.StringIO(it.trail_csv())))
    fee_csv = next(r for r in csv_rows if "port-aktau" in r["element"] and r["quantity"] == "cost_usd")
    assert "no fee published: assumed" in fee_csv["estimates"]
    assert "test:S1" not in fee_csv["sources"]


def test_estimate_weights_attribute_each_row_to_its_estimates(tmp_path: Path) -> None:
    data = tmp_path / "chain"
    shutil.copytree(CHAIN, data)
    ops = data / "hub_operations.yaml"
    old = "hoc: hub_container_terminal_maritime, berths: 2, source: test:S1}"
    ops.write_text(
        ops.read_text(encoding="utf-8").replace(old, old[:-1] + ", estimate: {dwell_h: assumed, cost_usd: assumed}}"),
        encoding="utf-8",
    )
    it = evaluate(load_network(data), PLAN, Cargo("FEU", 2), depart=SUNDAY)
    weights = {w.key: w for w in estimate_weights(it.trail)}
    assert weights["port-aktau dwell_h"].hours == pytest.approx(12)
    assert weights["port-aktau cost_usd"].cost_usd == pytest.approx(360)
    assert weights["port-aktau cost_usd"].hours == 0


def test_results_equal_their_fields_rebuilt() -> None:
    """The itinerary and its elements hold exactly their dataclass fields: rebuilding each through its
    ``__init__`` gives an equal object with the same field values, walked from memo or afresh."""
    net = load_network(CHAIN)
    cargo = Cargo("FEU", 2, value_usd=1e5)
    for trail in (False, True, False):
        it = evaluate(net, PLAN, cargo, depart=SUNDAY, trail=trail)
        for obj in (it, *it.legs, *it.hubs):
            names = [f.name for f in dataclasses.fields(obj)]
            assert list(vars(obj))[: len(names)] == names
            rebuilt = dataclasses.replace(obj)
            assert rebuilt == obj
            assert [getattr(rebuilt, n) for n in names] == [getattr(obj, n) for n in names]
        assert sorted([leg.index for leg in it.legs] + [hub.index for hub in it.hubs]) == list(range(len(PLAN)))
