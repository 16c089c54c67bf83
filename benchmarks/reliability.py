"""Reliability benchmark: the compiled Monte Carlo kernel vs a per-draw Python loop, and a DES year.

Builds a synthetic 10-leg itinerary (10 services, weekly / headway / sails-when-full, with a
transshipment between each pair: 19 elements) in a temporary dataset, then measures in this run:

- ``mc_draws_per_s``: :func:`karavan.reliability.simulate_itinerary` draws per second on one core
  (draws = runs × elements); target >= 1,000,000;
- ``route_mc_ms``: the Monte Carlo of one route answer, every route a plan returns for
  Altynkol-Baku on the embedded dataset at the default 1,000 runs, in one kernel call
  (median of 20, CPU time), with ``route_mc_routes`` and ``route_mc_elements``;
- ``python_loop_draws_per_s``: the same model written as a plain per-draw Python loop (scalar
  ``random`` draws and :func:`karavan.model.timetable.next_departure`), the baseline;
- ``des_year_s`` and ``des_events_per_s``: one simulated year of the Caspian crossing at 4.5 Mt;
  target < 10 s.

``--json`` prints one JSON object with those keys (plus ``mc_runs``, ``elements``, ``speedup``).
Timings are CPU time of this process where noted, so a busy machine inflates them less.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from karavan.accounting import Cargo, HubPlan, LegPlan
from karavan.io import load_network
from karavan.model import Network
from karavan.model.distributions import LogNormal
from karavan.model.entities import WhenFull
from karavan.model.timetable import next_departure, to_hours
from karavan.reliability import simulate_caspian, simulate_itinerary

N_LEGS = 10
DEPART = datetime(2026, 3, 2, tzinfo=UTC)


def _write_dataset(root: Path) -> None:
    nodes, links, services, ops = [], [], [], []
    for i in range(N_LEGS + 1):
        nodes.append(
            f"- {{id: N{i}, name_en: Node {i}, name_ru: Узел {i}, country: KZ, lat: 43.0, lon: {50 + i}, "
            "kind: junction, source: b:S1}"
        )
    for i in range(N_LEGS):
        sea = i in (4, 7)
        mode = "sea" if sea else "rail"
        gauge = "" if sea else ", gauge_mm: 1520"
        links.append(
            f"- {{id: L{i}, from: N{i}, to: N{i + 1}, mode: {mode}, length_km: {300 + 40 * i}{gauge}, source: b:S1}}"
        )
        if sea:
            dep = "{pattern: when_full, fill_threshold: 0.9, expected_wait_h: {dist: lognormal, median: 30, p90: 90}}"
            svc = (
                f"- {{id: S{i}, name: feeder {i}, kind: feeder, stops: [N{i}, N{i + 1}], units: [FEU], "
                f"departures: {dep}, running_time_h: {{dist: triangular, low: 18, mode: 20, high: 28}}, "
                "toc: sea_container_feeder, source: b:S1}"
            )
        else:
            dep = (
                "{pattern: weekly, days: [Mon, Wed, Fri], time: '08:00'}"
                if i % 2
                else "{pattern: headway, headway_h: 12}"
            )
            svc = (
                f"- {{id: S{i}, name: train {i}, kind: block_train, stops: [N{i}, N{i + 1}], units: [FEU], "
                f"gauge_mm: 1520, departures: {dep}, speed_kmh: 45, toc: rail_container_diesel, source: b:S1}}"
            )
        services.append(svc)
    for i in range(1, N_LEGS):
        ops.append(
            f"- {{id: X{i}, node: N{i}, kind: transshipment, from_modes: [rail, sea], to_modes: [rail, sea], "
            f"dwell_h: {{dist: lognormal, median: {4 + i}, p90: {12 + 2 * i}}}, hoc: hub_transshipment, source: b:S1}}"
        )
    files = {
        "dataset.yaml": "name: bench\nversion: '1'\n",
        "sources.yaml": "- {id: b:S1, publisher: karavan, title: synthetic benchmark network}\n",
        "unit_types.yaml": "- {id: FEU, teu: 2, gross_t: 20, tare_t: 3.8, source: b:S1}\n",
        "nodes.yaml": "\n".join(nodes) + "\n",
        "links.yaml": "\n".join(links) + "\n",
        "services.yaml": "\n".join(services) + "\n",
        "hub_operations.yaml": "\n".join(ops) + "\n",
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")


def _plan() -> list[LegPlan | HubPlan]:
    plan: list[LegPlan | HubPlan] = []
    for i in range(N_LEGS):
        if i:
            plan.append(HubPlan(f"X{i}"))
        plan.append(LegPlan(f"S{i}", False, f"N{i}", f"N{i + 1}"))
    return plan


def _python_loop(net: Network, plan: list[LegPlan | HubPlan], runs: int, seed: int) -> list[float]:
    """The same model as a plain per-draw loop: scalar draws, scalar timetable lookups."""
    from karavan.model.timetable import service_runs
    from karavan.reliability import load_reliability_parameters

    rp = load_reliability_parameters()
    rnd = random.Random(seed)
    t0 = to_hours(DEPART)
    out = []
    prepared: list[tuple[str, Any]] = []
    for el in plan:
        if isinstance(el, HubPlan):
            d = net.hub_operations[el.op_id].dwell_h
            assert isinstance(d, LogNormal)
            prepared.append(("hub", (d.mu, d.sigma)))
        else:
            svc = net.services[el.service_id]
            run = service_runs(net, svc)[0]
            slip = rp.montecarlo.slippage_h.get(svc.kind.value)
            fac = rp.montecarlo.running_factor.get(svc.kind.value)
            prepared.append(("leg", (svc, run.cum_h[-1], slip, fac)))
    for _ in range(runs):
        t = t0
        for kind, data in prepared:
            if kind == "hub":
                mu, sigma = data
                t += rnd.lognormvariate(mu, sigma)
                continue
            svc, planned, slip, fac = data
            pat = svc.departures
            if isinstance(pat, WhenFull):
                w = pat.expected_wait_h
                assert isinstance(w, LogNormal)
                t += rnd.lognormvariate(w.mu, w.sigma)
            else:
                t = next_departure(pat, t)
                if slip is not None:
                    s = slip.value
                    assert isinstance(s, LogNormal)
                    t += rnd.lognormvariate(s.mu, s.sigma)
            rt = svc.running_time_h
            if rt is not None:
                t += rnd.triangular(rt.low, rt.high, rt.mode)
            else:
                f = fac.value
                t += planned * rnd.triangular(f.low, f.high, f.mode)
        out.append(t - t0)
    return out


def _route_mc() -> tuple[float, int, int]:
    """CPU milliseconds of simulating all routes of one embedded-dataset plan at the default runs."""
    import statistics

    from karavan.reliability.montecarlo import simulate_plans
    from karavan.routing import RouteQuery, plan_routes

    net = load_network(None)
    query = RouteQuery("Altynkol", "Baku")
    plan = plan_routes(net, query)
    items = [(list(r.steps), r.itinerary) for r in plan.routes]
    times = []
    for seed in range(21):
        t = time.process_time()
        simulate_plans(net, items, query.cargo, runs=query.runs, seed=seed)
        times.append(time.process_time() - t)
    return 1000 * statistics.median(times[1:]), len(items), sum(len(s) for s, _ in items)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--runs", type=int, default=200_000, help="Monte Carlo runs (vectorised)")
    ap.add_argument("--loop-runs", type=int, default=5_000, help="runs of the Python-loop baseline")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        _write_dataset(Path(tmp))
        net = load_network(tmp)
        plan = _plan()
        cargo = Cargo("FEU")
        simulate_itinerary(net, plan, cargo, depart=DEPART, runs=1000, seed=0)  # warm-up
        best = math.inf
        for rep in range(3):
            t = time.perf_counter()
            simulate_itinerary(net, plan, cargo, depart=DEPART, runs=args.runs, seed=rep)
            best = min(best, time.perf_counter() - t)
        t = time.perf_counter()
        _python_loop(net, plan, args.loop_runs, 0)
        loop_s = time.perf_counter() - t

    route_ms, route_n, route_el = _route_mc()
    elements = len(plan)
    mc = args.runs * elements / best
    loop = args.loop_runs * elements / loop_s
    des = simulate_caspian(demand_mt=4.5, years=1.0, seed=0)
    fig = {
        "mc_draws_per_s": mc,
        "python_loop_draws_per_s": loop,
        "speedup": mc / loop,
        "mc_runs": args.runs,
        "elements": elements,
        "route_mc_ms": route_ms,
        "route_mc_routes": route_n,
        "route_mc_elements": route_el,
        "des_year_s": des.wall_s,
        "des_events_per_s": des.events / des.wall_s,
        "des_events": des.events,
        "des_throughput_mt": des.throughput_mt(),
    }
    if args.json:
        sys.stdout.write(json.dumps(fig) + "\n")
    else:
        print(f"Monte Carlo, {elements} elements x {args.runs:,} runs: {mc:,.0f} draws/s (target >= 1,000,000)")
        print(f"Python per-draw loop baseline:        {loop:,.0f} draws/s  (x{mc / loop:.0f})")
        print(f"One route answer's Monte Carlo ({route_n} routes, {route_el} elements, 1,000 runs): {route_ms:.2f} ms")
        print(f"DES one year at 4.5 Mt: {des.wall_s:.2f} s (target < 10 s), {fig['des_events_per_s']:,.0f} events/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
