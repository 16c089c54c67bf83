"""Validation report: the model against published corridor figures (never fitted to them).

Each row compares one published figure from the facts (``shared/facts``: transit times, market
rates, GLEC worked examples) with what karavan computes from segment-level parameters alone:

- transit times: the deterministic fastest route (``fastest_d``) and the Monte Carlo median and
  90th percentile of that route (``p50_d``, ``p90_d``; P90 only where the source gives a range,
  against its upper end);
- costs: the cheapest route's cost per unit (USD per FEU, TEU or trailer);
- CO2e: the GLEC Framework v3 worked examples run through :func:`karavan.accounting.evaluate`.

Bands: transit time and cost within ±25 %, CO2e within ±10 %. A row outside its band names the
element (leg or hub operation) that contributes most to the model's figure: the segment to look at.

``--json`` prints ``{"figures", "within_band", "rows": [...]}``, each row with ``label``, ``metric``,
``published``, ``model``, ``ratio``, ``source`` and, for a miss, ``driver``. ``--markdown PATH``
writes the report (``docs/validation.md`` is generated this way).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from karavan.accounting import Cargo, HubPlan, Itinerary, LegPlan, evaluate, load_parameters
from karavan.accounting.params import ParametersFile, merge
from karavan.errors import KaravanError
from karavan.io import load_network
from karavan.model import DatasetInfo, HubOperation, Link, Network, Node, Service
from karavan.model.enums import Mode, Unit
from karavan.model.timetable import from_hours
from karavan.reliability import SimulationResult, plan_from_itinerary, simulate_itinerary
from karavan.routing import Route, RouteQuery, plan_routes

DEPART = datetime(2024, 6, 3, tzinfo=UTC)
"""A Monday in June 2024 (the year most published figures describe; no storm season)."""
BANDS = {"time": 0.25, "cost": 0.25, "co2e": 0.10}
TIME_METRICS = ("fastest_d", "p50_d", "p90_d")
OPS = "operations-costs-emissions.md"
GLEC = "emission-worked-examples.md"


@dataclass(frozen=True)
class Check:
    """One published figure for a trip: the metric it is compared with, its value and its source."""

    metric: str
    published: float
    source: str
    text: str = ""
    """How the source states it, when the compared value is derived (a range's midpoint or end)."""
    input: bool = False
    """The dataset derived a segment parameter from this very figure (a speed, a per-km tariff): the row
    then checks the rest of the chain (distances, borders, waits), not an independent prediction."""


@dataclass(frozen=True)
class Trip:
    """An origin-destination query and the published figures it is checked against."""

    label: str
    origin: str
    destination: str
    checks: tuple[Check, ...]
    unit: str = "FEU"
    modes: tuple[str, ...] | None = None
    avoid_countries: tuple[str, ...] = ()
    scope: str = "vehicle"
    """``vehicle``: from the train's or ship's departure at the origin to its arrival (what operators
    publish); ``door``: door-to-door, with the origin and destination terminals and the first wait."""
    note: str = ""
    """What the segment facts say about a miss of this trip (shown beside its driver)."""


def _t(days: float, source: str, text: str = "", *, used: bool = False) -> tuple[Check, ...]:
    return (Check("fastest_d", days, source, text, input=used), Check("p50_d", days, source, text, input=used))


def _range(low: float, high: float, source: str) -> tuple[Check, ...]:
    text = f"{low:g}–{high:g} d"
    mid = (low + high) / 2
    return (*_t(mid, source, text + " (midpoint)"), Check("p90_d", high, source, text + " (upper end)"))


RS = ("rail", "sea")
"""Modes of a container-train product that crosses the Caspian by feeder or ferry."""

TRIPS: tuple[Trip, ...] = (
    # container-train products (TITR block trains and the Caspian feeder): compared with the model's rail-sea route
    Trip(
        "Altynkol → Baku",
        "Altynkol",
        "Baku",
        _t(9, f"{OPS} §1a [S39] Trend 31 May 2024, KZ MoT schedule (B)"),
        modes=RS,
    ),
    Trip(
        "Altynkol → Poti",
        "Altynkol",
        "Poti",
        _t(12, f"{OPS} §1a [S39] Trend 31 May 2024, KZ MoT schedule (B)"),
        modes=RS,
        note=(
            "the Baku → Poti rail section: its only published train time is 34 h end to end (agenda.ge 2014, "
            "border included) on a train that runs twice a week (the wait for it at Alat is counted); the rest "
            "of the chain is the Altynkol → Baku row"
        ),
    ),
    Trip("Xi'an → Baku", "Xi'an", "Baku", _t(11, f"{OPS} §1a [S41] first 2024 trains, 55 FEU (B)"), modes=RS),
    Trip(
        "Xi'an → Poti",
        "Xi'an",
        "Poti",
        _t(14, f"{OPS} §1a [S42] vestikavkaza 21 Sep 2024, Xi'an → Georgia (B)"),
        modes=RS,
    ),
    Trip(
        "Xi'an → Istanbul (rail)",
        "Xi'an",
        "Istanbul",
        _t(15, f"{OPS} §1a [S130] KTZ Express Feb 2024 (B)", "China → AZ/GE/TR 12–15 d (upper end: Türkiye)"),
        modes=("rail", "sea"),
    ),
    Trip(
        "Altynkol → Aktau port (rail)",
        "Altynkol",
        "Aktau",
        _t(3, f"{OPS} §1e [S40] KTZ via seanews.ru, Mar 2024 (B)", used=True),
        modes=("rail",),
    ),
    Trip(
        "Farap → Turkmenbashi (rail)",
        "Farap",
        "Turkmenbashi",
        _t(50.5 / 24, f"{OPS} §1d [S70] Turkmen railways, Feb 2024 (B)", "50 h 30 min", used=True),
        modes=("rail",),
    ),
    Trip(
        "Etrek → Serhetyaka (rail)",
        "tm-etrek",
        "tm-serhetyaka",
        _t(17.75 / 24, f"{OPS} §1d [S70] Turkmen railways, Feb 2024 (B)", "17 h 45 min", used=True),
        modes=("rail",),
    ),
    Trip(
        "Dostyk → Brest (ERAI EAEU transit leg)",
        "Dostyk",
        "Brest",
        (
            *_t(7.31, f"{OPS} §1b [S36] ERAI index, 15 Jul 2024 (C)", used=True),
            Check("cost_usd", 3289, f"{OPS} §3a [S36] ERAI index, 15 Jul 2024 (C)", input=True),
        ),
        modes=("rail",),
    ),
    Trip(
        "Dostyk → Małaszewicze (Chinese to Polish border)",
        "Dostyk",
        "Małaszewicze",
        _range(6, 8, f"{OPS} §1b [S37] DHL GF via index1520, Jan 2024 (C)"),
        modes=("rail",),
    ),
    Trip(
        "Xi'an → Małaszewicze (rail)",
        "Xi'an",
        "Małaszewicze",
        _range(12, 14, f"{OPS} §1b [S44] navisgroup 2025 (C)"),
        modes=("rail",),
    ),
    Trip(
        "Xi'an → Duisburg (rail, Northern route)",
        "Xi'an",
        "Duisburg",
        _range(12, 14, f"{OPS} §1b [S115] shiphub, standard 12–14 d (C)"),
        modes=("rail",),
    ),
    Trip(
        "Urumqi → Duisburg (rail)",
        "Urumqi",
        "Duisburg",
        _t(10, f"{OPS} §1b [S114] Xinhua 28 May 2016 (B/C)"),
        modes=("rail",),
    ),
    Trip(
        "Shanghai → Rotterdam (sea, FEU)",
        "Shanghai",
        "Rotterdam",
        (
            *_t(32, f"{OPS} §1c [S64] geesecargo audit of 412 shipments, median direct (C)"),
            Check("cost_usd", 5085, f"{OPS} §3a [S36] Drewry WCI, 15 Jul 2024 (C)", input=True),
        ),
        modes=("sea",),
    ),
    Trip(
        "Shanghai → Rotterdam (sea, TEU)",
        "Shanghai",
        "Rotterdam",
        (Check("cost_usd", 3200, f"{OPS} §3a [S54] gwl.ge, May 2024 (C)"),),
        unit="TEU",
        modes=("sea",),
    ),
    Trip(
        "Shanghai → Poti (sea)",
        "Shanghai",
        "Poti",
        (
            *_range(35, 40, f"{OPS} §1c [S49] Argus via Report.az (C)"),
            Check(
                "cost_usd", 2250, f"{OPS} §3a [S49] Argus via Report.az (C)", "USD 2,000–2,500 (midpoint)", input=True
            ),
        ),
        modes=("sea",),
        note=(
            "main-line ships do not call Poti (10.5 m channel draft, 195 m LOA): the box is transshipped at "
            "Piraeus onto a feeder that sails about every 10 days (CMA CGM CGX, Poti – Piraeus 3 d), in customs "
            "transit: it is cleared once, into Georgia at Poti"
        ),
    ),
    Trip(
        "Alat → Turkmenbashi (truck on the ferry)",
        "Alat",
        "Turkmenbashi",
        (Check("cost_usd", 1200, f"{OPS} §3c [S61] Alat port admin, Dec 2023 (B)"),),
        unit="trailer",
    ),
    Trip(
        "Baku (Alat) → Turkmenbashi (TIR truck, ASCO)",
        "Alat",
        "Turkmenbashi",
        (Check("cost_usd", 1000, f"{OPS} §3c [S60] ASCO fares from 1 Mar 2023 (B)", input=True),),
        unit="trailer",
        modes=("sea",),
    ),
)


@dataclass
class Row:
    """One compared figure."""

    label: str
    metric: str
    published: float
    model: float | None
    unit: str
    source: str
    published_text: str = ""
    route: str = ""
    driver: str = ""
    kind: str = "time"
    error: str = ""
    input: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """Model / published."""
        return None if self.model is None or self.published == 0 else self.model / self.published

    @property
    def within(self) -> bool:
        """Whether the ratio lies within the band of the row's kind."""
        r = self.ratio
        return r is not None and abs(r - 1.0) <= BANDS[self.kind] + 1e-12

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        return {
            "label": self.label,
            "metric": self.metric,
            "kind": self.kind,
            "published": self.published,
            "published_text": self.published_text,
            "model": self.model,
            "unit": self.unit,
            "ratio": self.ratio,
            "band": BANDS[self.kind],
            "within": self.within,
            "source": self.source,
            "route": self.route,
            "input": self.input,
            **({"driver": self.driver} if self.driver else {}),
            **({"error": self.error} if self.error else {}),
        }


# ----------------------------------------------------------------------------- transit and cost


def _route_text(route: Route) -> str:
    return (
        " → ".join(route.nodes)
        + "  ["
        + ", ".join(dict.fromkeys(x.figures.service_id for x in route.itinerary.legs))
        + "]"
    )


def _elements(it: Itinerary) -> list[tuple[str, float, float]]:
    """``(name, hours, cost_usd)`` per element of an itinerary, in order."""
    out: list[tuple[int, str, float, float]] = []
    for leg in it.legs:
        f = leg.figures
        name = f"{f.service_id} {f.board}→{f.alight}"
        out.append((leg.index, name, leg.wait_h + f.running_h, f.cost_usd))
    for hub in it.hubs:
        f_h = hub.figures
        out.append((hub.index, f"{f_h.op_id} at {f_h.node}", hub.wait_h + f_h.dwell_h, f_h.cost_usd))
    return [(n, h, c) for _, n, h, c in sorted(out)]


def _time_driver(it: Itinerary, sim: SimulationResult | None, metric: str) -> str:
    if sim is not None and metric != "fastest_d":
        el = max(sim.elements, key=lambda e: abs(e.mean_h - e.planned_h))
        if abs(el.mean_h - el.planned_h) < 0.05 * sim.mean_h:  # the spread is not the cause: the largest part is
            el = max(sim.elements, key=lambda e: e.mean_h)
        part = max(sim.part_shares.items(), key=lambda kv: kv[1])[0] if sim.part_shares else "-"
        return (
            f"{el.element} ({el.kind}): simulated mean {el.mean_h:.1f} h against {el.planned_h:.1f} h planned "
            f"(largest variance share: {part})"
        )
    name, hours, _ = max(_elements(it), key=lambda e: e[1])
    waits = sum(leg.wait_h for leg in it.legs)
    return f"{name}: {hours:.1f} h of {it.transit_time_h:.1f} h (timetable and fill waits {waits:.1f} h in all)"


def _cost_driver(it: Itinerary) -> str:
    name, _, cost = max(_elements(it), key=lambda e: e[2])
    return f"{name}: USD {cost:,.0f} of {it.cost_usd:,.0f}"


def run_trip(net: Network, trip: Trip, *, runs: int, seed: int) -> list[Row]:
    """Rows of one trip: plan, simulate the fastest route when a percentile is checked."""
    cargo = Cargo(Unit(trip.unit))
    kinds = {c.metric for c in trip.checks}
    try:
        plan = plan_routes(
            net,
            RouteQuery(
                trip.origin,
                trip.destination,
                depart=DEPART,
                cargo=cargo,
                modes=tuple(Mode(m) for m in trip.modes) if trip.modes else tuple(Mode),
                avoid_countries=trip.avoid_countries,
            ),
        )
    except KaravanError as exc:
        return [_failed(trip, c, str(exc)) for c in trip.checks]
    fastest = min(plan.routes, key=lambda r: r.itinerary.transit_time_h)  # the deterministic fastest
    cheapest = min(plan.routes, key=lambda r: r.itinerary.cost_usd)
    steps, start = scoped_plan(net, fastest.itinerary, trip.scope)
    timed = evaluate(net, steps, cargo, depart=start)
    c_steps, c_start = scoped_plan(net, cheapest.itinerary, trip.scope)
    priced = evaluate(net, c_steps, cargo, depart=c_start)
    sim = None
    if kinds & {"p50_d", "p90_d"}:
        sim = simulate_itinerary(net, steps, cargo, depart=start, runs=runs, seed=seed)
    rows: list[Row] = []
    for c in trip.checks:
        if c.metric in TIME_METRICS:
            value = timed.transit_time_h / 24
            if c.metric == "p50_d" and sim is not None:
                value = sim.p50_h / 24
            elif c.metric == "p90_d" and sim is not None:
                value = sim.p90_h / 24
            row = Row(trip.label, c.metric, c.published, value, "d", c.source, c.text, _route_text(fastest))
            row.input = c.input
            if not row.within:
                faster = "model faster than published; " if (row.ratio or 0) < 1 else ""
                row.driver = faster + _time_driver(timed, sim, c.metric) + (f". Why: {trip.note}" if trip.note else "")
        else:
            value = priced.cost_usd / cargo.count
            row = Row(
                trip.label,
                f"cost_usd_per_{trip.unit}",
                c.published,
                value,
                f"USD/{trip.unit}",
                c.source,
                c.text,
                _route_text(cheapest),
                kind="cost",
                input=c.input,
            )
            if not row.within:
                row.driver = _cost_driver(priced)
        rows.append(row)
    return rows


def scoped_plan(net: Network, it: Itinerary, scope: str) -> tuple[list[LegPlan | HubPlan], datetime]:
    """The plan to time and its start: the whole trip (``door``) or the vehicle's run only (``vehicle``).

    ``vehicle`` drops the origin and destination terminal operations and starts on board at the
    first departure (no first wait): operators' published transit times run from departure to arrival.
    """
    steps = plan_from_itinerary(it)
    if scope == "door":
        return steps, it.depart

    def terminal(step: LegPlan | HubPlan) -> bool:
        return isinstance(step, HubPlan) and net.hub_operations[step.op_id].kind.value == "terminal"

    while steps and terminal(steps[0]):
        steps.pop(0)
    while steps and terminal(steps[-1]):
        steps.pop()
    first = steps[0]
    if not isinstance(first, LegPlan):
        return steps, it.depart
    steps[0] = LegPlan(first.service_id, first.reverse, first.board, first.alight, stay_aboard=True)
    return steps, from_hours(it.legs[0].depart_h)


def _failed(trip: Trip, c: Check, error: str) -> Row:
    kind = "time" if c.metric in TIME_METRICS else "cost"
    return Row(
        trip.label,
        c.metric,
        c.published,
        None,
        "d" if kind == "time" else "USD",
        c.source,
        c.text,
        kind=kind,
        error=error,
    )


# ----------------------------------------------------------------------------- GLEC worked examples


def _chain(legs: Sequence[tuple[str, str, float, str]], hubs: dict[str, str]) -> Network:
    """A line of nodes n0..nk; leg m runs n{m} → n{m+1} with (service kind, mode, km, toc id)."""
    nodes = {
        f"n{m}": Node.model_validate(
            {
                "id": f"n{m}",
                "name_en": f"n{m}",
                "name_ru": f"n{m}",
                "country": "DE",
                "lat": 50.0,
                "lon": 8.0 + m,
                "kind": "city",
            }
        )
        for m in range(len(legs) + 1)
    }
    links: dict[str, Link] = {}
    services: dict[str, Service] = {}
    for m, (kind, mode, km, toc) in enumerate(legs):
        rail = {"gauge_mm": 1435} if mode == "rail" else {}
        links[f"l{m}"] = Link.model_validate(
            {"id": f"l{m}", "from": f"n{m}", "to": f"n{m + 1}", "mode": mode, "length_km": km, **rail}
        )
        services[f"s{m}"] = Service.model_validate(
            {
                "id": f"s{m}",
                "name": f"s{m}",
                "kind": kind,
                "stops": [f"n{m}", f"n{m + 1}"],
                "units": ["tonne", "TEU"],
                "departures": {"pattern": "headway", "headway_h": 1},
                "speed_kmh": 50,
                "toc": toc,
                **rail,
            }
        )
    ops = {
        f"h{node}": HubOperation.model_validate(
            {
                "id": f"h{node}",
                "node": node,
                "kind": "transshipment",
                "from_modes": ["rail", "road", "sea"],
                "to_modes": ["rail", "road", "sea"],
                "dwell_h": 1,
                "hoc": hoc,
            }
        )
        for node, hoc in hubs.items()
    }
    return Network(DatasetInfo(name="glec", version="1"), {}, {}, nodes, links, services, ops)


def _chain_plan(n_legs: int, hub_after: set[int]) -> list[LegPlan | HubPlan]:
    plan: list[LegPlan | HubPlan] = []
    for m in range(n_legs):
        plan.append(LegPlan(f"s{m}", False, f"n{m}", f"n{m + 1}"))
        if m in hub_after:
            plan.append(HubPlan(f"hn{m + 1}"))
    return plan


def _glec_params(tocs: list[dict[str, Any]], hocs: list[dict[str, Any]]) -> Any:
    base = ParametersFile.model_validate({"version": "glec-example", "toc": tocs, "hoc": hocs})
    return merge(base, None, ("glec-example",))


def _toc(tid: str, mode: str, wtw: float, daf: float = 1.0) -> dict[str, Any]:
    return {
        "id": tid,
        "name": tid,
        "mode": mode,
        "basis": "tkm",
        "energy": "fuel",
        "wtw_g": wtw,
        "ttw_g": 0,
        "daf": daf,
        "estimate": "worked-example input",
    }


def glec_rows() -> list[Row]:
    """The GLEC v3 worked examples computed by the model's accounting."""
    rows: list[Row] = []
    # E5: 10 TEU Hamburg -> Shanghai, 21,000 km, packaged Asia-North Europe container factor
    net = _chain([("container_ship", "sea", 21000, "sea_container_asia_europe")], {})
    it = evaluate(net, _chain_plan(1, set()), Cargo(Unit.TEU, 10), depart=DEPART, params=load_parameters())
    rows.append(
        Row(
            "GLEC E5: 10 TEU, 21,000 km, Asia–North Europe container ship (packaged factor)",
            "co2e_kg",
            10480,
            it.co2e_kg,
            "kg CO2e",
            f"{GLEC} §2 E5, GLEC v3 p. 118: 10.48 t",
            kind="co2e",
        )
    )
    # E1 level 3: road 40 km, transshipment, electric rail 1757.5 km, transshipment, road 52.5 km, 120 t
    params = _glec_params(
        [_toc("road", "road", 76.1), _toc("rail", "rail", 10)],
        [{"id": "ts", "name": "ts", "basis": "tonne", "wtw_kg": 0.6, "estimate": "worked-example input"}],
    )
    net = _chain(
        [("truck", "road", 40, "road"), ("block_train", "rail", 1757.5, "rail"), ("truck", "road", 52.5, "road")],
        {"n1": "ts", "n2": "ts"},
    )
    it = evaluate(net, _chain_plan(3, {0, 1}), Cargo(Unit.TONNE, 120), depart=DEPART, params=params)
    cleaning = 7 * 86.6
    rows.append(
        Row(
            "GLEC E1 level 3: road–rail–road chain, 120 t, two transshipments (+7 tank cleanings as published)",
            "co2e_kg",
            3704,
            it.co2e_kg + cleaning,
            "kg CO2e",
            f"{GLEC} §2 E1, GLEC v3 p. 152 Table 23: 3,704 kg",
            kind="co2e",
        )
    )
    # E16: Cefic road groupage, 10 t over 250 km at 82 g/tkm with DAF 1.05
    net = _chain([("truck", "road", 250, "g")], {})
    it = evaluate(
        net,
        _chain_plan(1, set()),
        Cargo(Unit.TONNE, 10),
        depart=DEPART,
        params=_glec_params([_toc("g", "road", 82, 1.05)], []),
    )
    rows.append(
        Row(
            "GLEC E16: road groupage 10 t × 250 km, DAF 1.05",
            "co2e_kg",
            215.25,
            it.co2e_kg,
            "kg CO2e",
            f"{GLEC} §2 E16, GLEC v3 p. 147: 215.25 kg",
            kind="co2e",
        )
    )
    # E16b: 8 t over 510 km
    net = _chain([("truck", "road", 510, "g")], {})
    it = evaluate(
        net,
        _chain_plan(1, set()),
        Cargo(Unit.TONNE, 8),
        depart=DEPART,
        params=_glec_params([_toc("g", "road", 82, 1.05)], []),
    )
    rows.append(
        Row(
            "GLEC E16b: road groupage 8 t × 510 km, DAF 1.05",
            "co2e_kg",
            351.29,
            it.co2e_kg,
            "kg CO2e",
            f"{GLEC} §2 E16b, GLEC v3 p. 148: 351.29 kg",
            kind="co2e",
        )
    )
    return rows


# ----------------------------------------------------------------------------- report


def run(dataset: str | None = None, *, runs: int = 4000, seed: int = 0) -> dict[str, Any]:
    """All rows and the headline counts."""
    net = load_network(dataset) if dataset else load_network()
    rows: list[Row] = []
    for trip in TRIPS:
        rows.extend(run_trip(net, trip, runs=runs, seed=seed))
    rows.extend(glec_rows())
    by_kind = {k: [r for r in rows if r.kind == k] for k in BANDS}
    return {
        "dataset": net.info.name,
        "dataset_version": net.info.version,
        "depart": DEPART.isoformat(),
        "runs": runs,
        "seed": seed,
        "figures": len(rows),
        "within_band": sum(r.within for r in rows),
        "independent": {
            "figures": sum(not r.input for r in rows),
            "within_band": sum(r.within and not r.input for r in rows),
        },
        "by_kind": {
            k: {"figures": len(v), "within_band": sum(r.within for r in v), "band": BANDS[k]}
            for k, v in by_kind.items()
        },
        "rows": [r.to_dict() for r in rows],
    }


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "d":
        return f"{value:.1f} d"
    if unit.startswith("USD"):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown (``docs/validation.md``)."""
    lines = [
        "# Validation: the model against published figures",
        "",
        "<!-- generated by `python benchmarks/accuracy.py --markdown docs/validation.md`; do not edit by hand -->",
        "",
        "Every model parameter is set from segment-level facts (distances, speeds, dwells, tariffs, emission",
        "factors); the end-to-end figures below are used only to check the result, never to fit it. Transit",
        "times run, like the operators' figures, from the train's or ship's departure at the origin to its",
        "arrival (no origin or destination terminal, no first wait); they are the deterministic fastest route",
        "(each wait counted at its mean) and the Monte Carlo P50/P90 of that route "
        f"({report['runs']:,} runs, seed {report['seed']}, one unit departing {report['depart'][:10]});",
        "costs are the cheapest route's cost per unit over the same span (fares, line haul and borders, without",
        "the terminals at either end); CO2e rows run the GLEC v3 worked examples through",
        "`karavan.accounting.evaluate`. Bands: transit time and cost ±25 %, CO2e ±10 %. A P50 below the",
        "fastest time is no contradiction: a wait with a long tail (a feeder that sails when full) has a",
        "median well below its mean.",
        "",
        f"**{report['within_band']} of {report['figures']} figures within their band** "
        + "("
        + ", ".join(f"{k}: {v['within_band']}/{v['figures']}" for k, v in report["by_kind"].items())
        + f"; dataset `{report['dataset']}` {report['dataset_version']}); "
        + f"{report['independent']['within_band']} of the {report['independent']['figures']} figures the dataset "
        + "did not use as an input.",
        "",
        "| figure | metric | published | model | ratio | in band | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["rows"]:
        pub = _fmt(r["published"], r["unit"]) + (f" ({r['published_text']})" if r["published_text"] else "")
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        mark = " ¹" if r["input"] else ""
        lines.append(
            f"| {r['label']}{mark} | {r['metric']} | {pub} | {_fmt(r['model'], r['unit'])} | {ratio} | "
            f"{'yes' if r['within'] else '**no**'} | {r['source']} |"
        )
    lines += [
        "",
        "¹ The dataset derived a segment parameter (a speed or a per-km tariff) from this figure, so the row checks",
        "the rest of the chain (distances, borders, waits, other segments), not an independent prediction.",
    ]
    misses = [r for r in report["rows"] if not r["within"]]
    if misses:
        lines += ["", "## Misses and the segment that drives each", ""]
        for r in misses:
            why = r.get("driver") or r.get("error") or ""
            lines.append(f"- **{r['label']}** ({r['metric']}, ratio {r['ratio'] or 0:.2f}): {why}")
    lines += ["", "## Routes compared", ""]
    seen: set[str] = set()
    for r in report["rows"]:
        if r["route"] and r["label"] + r["route"] not in seen:
            seen.add(r["label"] + r["route"])
            lines.append(f"- {r['label']}: {r['route']}")
    return "\n".join(lines) + "\n"


README_START = "<!-- accuracy:start (generated by benchmarks/accuracy.py --readme README.md) -->"
README_END = "<!-- accuracy:end -->"
HEADLINE = (
    ("Altynkol → Baku", "Altynkol → Baku"),
    ("Altynkol → Poti", "Altynkol → Poti"),
    ("Xi'an → Baku", "Xi'an → Baku"),
    ("Xi'an → Poti", "Xi'an → Poti"),
    ("Xi'an → Duisburg (rail, Northern route)", "Xi'an → Duisburg (Northern route)"),
    ("Dostyk → Brest (ERAI EAEU transit leg)", "Dostyk → Brest (ERAI)"),
    ("Shanghai → Rotterdam (sea, FEU)", "Shanghai → Rotterdam (sea)"),
    ("Shanghai → Poti (sea)", "Shanghai → Poti (sea)"),
)


def readme_block(report: dict[str, Any]) -> str:
    """The headline table of the README, between its markers."""
    rows = {(r["label"], r["metric"]): r for r in report["rows"]}
    n, ok = report["figures"], report["within_band"]
    lines = [
        README_START,
        f"`benchmarks/accuracy.py` compares the model with {n} published figures (transit times: fastest route and",
        "Monte Carlo P50/P90; costs per unit; CO2e against the GLEC v3 worked examples);",
        f"**{ok} of {n}** are within their band (time and cost ±25 %, CO2e ±10 %); of the "
        f"{report['independent']['figures']} figures no segment",
        f"parameter was derived from, {report['independent']['within_band']}. Transit times run from the "
        "train's or ship's departure to its arrival.",
        "Every row, its source and the segment behind each miss: [docs/validation.md](docs/validation.md).",
        "",
        "| route | published | fastest | P50 | cost per FEU (published / model) |",
        "|---|---|---|---|---|",
    ]
    for label, name in HEADLINE:
        f, p50 = rows.get((label, "fastest_d")), rows.get((label, "p50_d"))
        if f is None or p50 is None:
            continue
        pub = f["published_text"].split(" (")[0] if f["published_text"] else f"{f['published']:.3g} d"
        c = rows.get((label, "cost_usd_per_FEU"))
        cost = f"{c['published']:,.0f} / {_fmt(c['model'], 'USD')} USD" if c else "—"
        lines.append(f"| {name} | {pub} | {_fmt(f['model'], 'd')} | {_fmt(p50['model'], 'd')} | {cost} |")
    lines.append(README_END)
    return "\n".join(lines)


def update_readme(path: Path, report: dict[str, Any]) -> None:
    """Replace the block between the markers in ``path`` with :func:`readme_block`."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    path.write_text(text[:start] + readme_block(report) + text[end:], encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--markdown", metavar="PATH", help="write the Markdown report to PATH")
    ap.add_argument("--readme", metavar="PATH", help="update the headline table in the README at PATH")
    ap.add_argument("--dataset", metavar="PATH", help="dataset directory (default: the embedded one)")
    ap.add_argument("--runs", type=int, default=4000, help="Monte Carlo runs per route (default 4000)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    report = run(args.dataset, runs=args.runs, seed=args.seed)
    if args.markdown:
        Path(args.markdown).write_text(markdown(report), encoding="utf-8")
    if args.readme:
        update_readme(Path(args.readme), report)
    if args.json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif not (args.markdown or args.readme):
        sys.stdout.write(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
