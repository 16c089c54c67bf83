"""Monte Carlo transit times: analytic checks, timetable vectorisation, determinism, errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from karavan.accounting import Cargo, HubPlan, LegPlan, evaluate, next_opening
from karavan.errors import InputError
from karavan.io import load_network
from karavan.model import Network
from karavan.model.distributions import LogNormal, Triangular
from karavan.model.entities import Headway, OpeningHours, Weekly
from karavan.model.timetable import month_index, next_departure, to_hours
from karavan.reliability import kernel, plan_from_dict, plan_from_itinerary, simulate, simulate_itinerary
from karavan.reliability.params import (
    ReliabilityParameters,
    load_reliability_parameters,
    parse_reliability_parameters,
)
from karavan.reliability.spec import departure_columns, opening_columns, tables
from karavan.routing import RouteQuery, plan_routes

DEPART = datetime(2025, 7, 1, tzinfo=UTC)
HUBS = [HubPlan("bx-cn-kz"), HubPlan("gc-gamma")]  # lognormal(median 20, p90 48) + triangular(4, 8, 24)


def test_sum_of_dwell_means_and_variance_shares(mini_net: Network) -> None:
    res = simulate_itinerary(mini_net, HUBS, Cargo("FEU"), depart=DEPART, runs=200_000, seed=1)
    ln = LogNormal(median=20, p90=48)
    tri = Triangular(low=4, mode=8, high=24)
    assert res.mean_h == pytest.approx(ln.mean() + tri.mean(), rel=0.01)
    var_ln = (math.exp(ln.sigma**2) - 1) * ln.mean() ** 2
    a, c, b = 4, 8, 24
    var_tri = (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    shares = [e.share for e in res.elements]
    assert sum(shares) == pytest.approx(1.0, abs=1e-9)
    assert shares[0] == pytest.approx(var_ln / (var_ln + var_tri), abs=0.02)
    assert res.part_shares["border_dwell"] + res.part_shares["hub_handling"] == pytest.approx(1.0, abs=1e-9)


def test_on_time_probability_of_a_lognormal(mini_net: Network) -> None:
    plan = [HubPlan("bx-cn-kz")]
    for hours, expected in ((20, 0.5), (48, 0.9)):
        res = simulate_itinerary(
            mini_net, plan, Cargo("FEU"), depart=DEPART, runs=100_000, seed=3, target=DEPART + timedelta(hours=hours)
        )
        assert res.on_time_probability == pytest.approx(expected, abs=0.01)
        assert res.p50_h == pytest.approx(20, rel=0.03)


def test_determinism_and_seed(mini_net: Network) -> None:
    a = simulate(mini_net, RouteQuery("Alpha", "Baku", runs=5000, seed=7, depart=DEPART))
    b = simulate(mini_net, RouteQuery("Alpha", "Baku", runs=5000, seed=7, depart=DEPART))
    c = simulate(mini_net, RouteQuery("Alpha", "Baku", runs=5000, seed=8, depart=DEPART))
    assert np.array_equal(a.transit_h, b.transit_h)
    assert a.to_dict() == b.to_dict()
    assert not np.array_equal(a.transit_h, c.transit_h)


def test_result_dict_shape(mini_net: Network) -> None:
    res = simulate(
        mini_net, RouteQuery("Alpha", "Baku", runs=4000, seed=0, depart=DEPART, target=DEPART + timedelta(days=12))
    )
    d = res.to_dict()
    for key in ("p10_h", "p50_h", "p90_h", "p95_h", "mean_h", "std_h", "on_time_probability", "runs", "seed"):
        assert key in d
    assert d["p10_h"] <= d["p50_h"] <= d["p90_h"] <= d["p95_h"]
    assert 0 <= d["on_time_probability"] <= 1
    assert sum(x["share"] for x in d["variance_shares"]) == pytest.approx(1.0)
    hist = d["histogram"]
    assert sum(hist["counts"]) + hist["above"] == hist["runs"] == 4000
    # bins span the body up to P99; the tail beyond is counted, not drawn
    assert hist["bin_edges_h"][-1] == pytest.approx(float(np.quantile(res.transit_h, 0.99)))
    assert 0 < hist["above"] <= 0.011 * 4000
    cdf = d["cdf"]
    assert cdf["p"][0] == 0.0
    assert cdf["p"][-1] == 1.0
    assert cdf["transit_h"] == sorted(cdf["transit_h"])
    assert cdf["transit_h"][50] == pytest.approx(d["p50_h"])
    assert len(d["histogram"]["bin_edges_h"]) == len(d["histogram"]["counts"]) + 1
    assert "trail" not in d["route"]
    assert d["route"]["nodes"][0] == "CNAAA"
    assert len(d["legs"]) == 7


def test_fixed_parts_reproduce_the_accounting(mini_net: Network) -> None:
    """With no slippage, weather or spread, the simulation equals the evaluated itinerary."""
    from karavan.reliability.params import load_reliability_parameters

    rp = load_reliability_parameters()
    data = rp.model_dump(by_alias=True)
    data["montecarlo"] = {"slippage_h": {}, "running_factor": {}}
    for p in data["weather"]["ports"]:
        p["closed_share"] = [0.0] * 12
    from karavan.reliability.params import parse_reliability_parameters

    quiet = parse_reliability_parameters(data)
    plan = [
        LegPlan("cn-train", False, "CNAAA", "kz-border"),
        HubPlan("gc-gamma"),
        LegPlan("kz-train", False, "kz-border", "KZAAU"),
    ]
    it = evaluate(mini_net, plan, Cargo("FEU"), depart=DEPART)
    res = simulate_itinerary(mini_net, plan, Cargo("FEU"), depart=DEPART, runs=20_000, seed=0, parameters=quiet)
    # only the gauge change dwell varies; the weekly train turns its spread into waits
    assert res.p10_h >= it.transit_time_h - 12 - 8
    assert res.mean_h == pytest.approx(it.transit_time_h, rel=0.1)


@pytest.mark.parametrize(
    "pattern",
    [Weekly(days=("Mon", "Thu"), time="12:00"), Weekly(days=("Sun",)), Headway(headway_h=7.5, first="03:00")],
)
def test_kernel_timetable_matches_scalar(mini_net: Network, pattern: Weekly | Headway) -> None:
    spec = np.zeros((1, kernel.WIDTH))
    departure_columns(tables(mini_net, load_reliability_parameters()), spec[0], pattern)
    spec[0, kernel.C_OFFSET_H] = 5.25
    state = kernel.seed_state(0)
    t = to_hours(DEPART) + np.random.default_rng(0).uniform(0, 24 * 30, 500)
    got = [kernel.next_departure(state, x, spec, 0) for x in t]
    assert np.allclose(got, [next_departure(pattern, x, 5.25) for x in t])


def test_kernel_opening_matches_scalar() -> None:
    opening = OpeningHours(days=("Mon", "Tue", "Wed", "Thu", "Fri"), start_h=8, end_h=18)
    spec = np.zeros((1, kernel.WIDTH))
    opening_columns(spec[0], opening)
    t = to_hours(DEPART) + np.random.default_rng(1).uniform(0, 24 * 14, 300)
    assert np.allclose([kernel.next_opening(x, spec, 0) for x in t], [next_opening(opening, x) for x in t])


def _residuals(storm: np.ndarray, n: int) -> np.ndarray:
    state = kernel.seed_state(0)
    pool, cum = np.zeros(1), np.ones(1)
    return np.array([kernel.storm_residual(state, storm, pool, cum) for _ in range(n)])


def _fixed_plan_table() -> tuple[np.ndarray, np.ndarray]:
    """Every element kind of the kernel: a hub with opening hours, weekly, sails-when-full (weather,
    empirical fill), unphased and phased headway legs and a stay aboard; two routes."""
    spec = np.zeros((8, kernel.WIDTH))
    hub = spec[0]
    hub[kernel.C_KIND] = kernel.HUB
    hub[kernel.C_DIST : kernel.C_DIST + 4] = (kernel.D_LOGNORMAL, math.log(20.0), 0.7, 0.0)
    hub[kernel.C_OPEN_MASK], hub[kernel.C_OPEN_START_H], hub[kernel.C_OPEN_END_H] = 0b11111, 8.0, 18.0
    hub[kernel.C_HUB_PART] = kernel.P_BORDER
    weekly = spec[1]
    weekly[kernel.C_KIND], weekly[kernel.C_DEP] = kernel.LEG, kernel.DEP_WEEKLY
    weekly[kernel.C_DIST : kernel.C_DIST + 4] = (kernel.D_TRIANGULAR, 20.0, 24.0, 40.0)
    weekly[kernel.C_OFFSET_H], weekly[kernel.C_WEEK_MASK], weekly[kernel.C_TIME_H] = 5.25, 0b1001, 12.0
    weekly[kernel.C_SLIP : kernel.C_SLIP + 4] = (kernel.D_UNIFORM, 0.0, 6.0, 0.0)
    weekly[kernel.C_BOARD_PORT : kernel.C_PLANNED_H + 1] = (-1, 0, 1.0, 24.0)  # board/alight port, run scale, planned h
    ferry = spec[2]
    ferry[kernel.C_KIND], ferry[kernel.C_DEP] = kernel.LEG, kernel.DEP_WHEN_FULL
    ferry[kernel.C_DIST : kernel.C_DIST + 4] = (kernel.D_LOGNORMAL, math.log(18.0), 0.3, 0.0)
    ferry[kernel.C_FILL : kernel.C_FILL + 4] = (kernel.D_EMPIRICAL, 0.0, 5.0, 0.0)
    ferry[kernel.C_BOARD_PORT : kernel.C_PLANNED_H + 1] = (0, 1, 1.1, 20.0)
    unphased = spec[3]
    unphased[kernel.C_KIND], unphased[kernel.C_DEP], unphased[kernel.C_HEADWAY_H] = (
        kernel.LEG,
        kernel.DEP_HEADWAY_UNKNOWN_PHASE,
        6.0,
    )
    unphased[kernel.C_DIST : kernel.C_DIST + 4] = (kernel.D_FIXED, 30.0, 0.0, 0.0)
    unphased[kernel.C_BOARD_PORT : kernel.C_PLANNED_H + 1] = (-1, -1, 1, 30)
    phased = spec[4]
    phased[kernel.C_KIND], phased[kernel.C_DEP], phased[kernel.C_HEADWAY_H], phased[kernel.C_ANCHOR_H] = (
        kernel.LEG,
        kernel.DEP_HEADWAY,
        8.0,
        100.0,
    )
    phased[kernel.C_OFFSET_H] = 2.0
    phased[kernel.C_DIST : kernel.C_DIST + 4] = (kernel.D_UNIFORM, 10.0, 14.0, 0.0)
    phased[kernel.C_SLIP : kernel.C_SLIP + 4] = (kernel.D_LOGNORMAL, 0.5, 0.8, 0.0)
    phased[kernel.C_BOARD_PORT : kernel.C_PLANNED_H + 1] = (-1, -1, 1, 12)
    aboard = spec[5]
    aboard[kernel.C_KIND], aboard[kernel.C_STAY] = kernel.LEG, 1.0
    aboard[kernel.C_DIST : kernel.C_DIST + 4] = (kernel.D_FIXED, 5.0, 0.0, 0.0)
    aboard[kernel.C_BOARD_PORT : kernel.C_PLANNED_H + 1] = (-1, -1, 1, 4)
    spec[6:8] = spec[2:4]
    shares = np.vstack([np.full(12, 0.3), np.linspace(0.1, 0.65, 12)])
    return spec, shares


def _fixed_plan_quantiles(
    storm: np.ndarray, storm_pool: np.ndarray, storm_cum: np.ndarray, *, seed: int = 7, runs: int = 2000
) -> list[float]:
    """P50 and P90 of both routes of the fixed table."""
    spec, shares = _fixed_plan_table()
    total, contrib, parts = np.empty((2, runs)), np.empty((8, runs)), np.empty((2, kernel.N_PARTS, runs))
    pool = np.array([2.0, 5.0, 9.0, 30.0, 70.0])
    t0 = np.array([489_216.0, 489_316.0])  # 2025-10-23 00:00 UTC and 100 h later
    bounds = np.array([0, 6, 8], dtype=np.int64)
    kernel.simulate_routes(seed, t0, bounds, spec, pool, shares, storm, storm_pool, storm_cum, total, contrib, parts)
    assert np.allclose(contrib[:6].sum(axis=0), total[0])
    assert np.allclose(parts[0].sum(axis=0), total[0])
    alone = np.empty((2, runs))
    kernel.simulate_routes(seed, t0, bounds, spec, pool, shares, storm, storm_pool, storm_cum, alone)
    assert np.array_equal(alone, total)  # the per-element figures do not change the runs
    return [float(x) for x in np.quantile(total, [0.5, 0.9], axis=1).ravel()]


STORMS = {
    "lognormal storms": (np.array([kernel.STORM_LOGNORMAL, math.log(36.0), 0.9]), np.zeros(1), np.ones(1)),
    "pooled storms": (np.array([kernel.STORM_POOL, 0.0, 0.0]), np.array([5.0, 10.0, 40.0]), np.array([0.5, 0.8, 1.0])),
}

# Figures of the previous sampler (Box-Muller normals, runs drawn run by run through every element),
# seed 7. The sampler changed, so the seeded figures moved; they must stay within Monte Carlo noise.
BOX_MULLER_FIXED_PLAN = {
    "lognormal storms": [279.2065921095491, 106.76723013722221, 419.7051747699448, 222.5490648730018],
    "pooled storms": [239.3906133681303, 71.97265670119668, 295.9144094881544, 127.99314219676307],
}
"""P50 of both routes, then P90 of both routes, 2,000 runs."""
BOX_MULLER_MINI_ALPHA_BAKU = (266.88287712357123, 358.3506829289836, 270.59707180454825)
"""P50, P90 and mean of ``simulate`` Alpha → Baku on the mini network (5,000 runs, 2025-07-01)."""
XOSHIRO_UNIFORMS_SEED_5 = (0.2884112281702357, 0.6020823331320106, 0.6495467305510222)


def _within_noise(reference: np.ndarray, samples: np.ndarray, center: np.ndarray) -> np.ndarray:
    """Whether each reference figure is within 4 standard deviations (over seeds) of the figure at many runs."""
    return np.abs(reference - center) < 4 * samples.std(axis=0, ddof=1)


@pytest.mark.parametrize("storms", list(STORMS))
def test_seeded_kernel_figures_agree_with_the_previous_sampler(storms: str) -> None:
    samples = np.array([_fixed_plan_quantiles(*STORMS[storms], seed=s) for s in range(30)])
    center = np.array(_fixed_plan_quantiles(*STORMS[storms], runs=100_000))
    assert _within_noise(np.array(BOX_MULLER_FIXED_PLAN[storms]), samples, center).all()
    assert _fixed_plan_quantiles(*STORMS[storms]) == _fixed_plan_quantiles(*STORMS[storms])  # seeded


def test_seeded_route_simulation_agrees_with_the_previous_sampler(mini_net: Network) -> None:
    route = plan_routes(mini_net, RouteQuery("Alpha", "Baku", runs=0, depart=DEPART)).routes[0]
    plan, cargo = plan_from_itinerary(route.itinerary), Cargo("FEU")

    def figures(seed: int, runs: int) -> tuple[float, float, float]:
        res = simulate_itinerary(mini_net, plan, cargo, depart=DEPART, runs=runs, seed=seed)
        return res.p50_h, res.p90_h, res.mean_h

    samples = np.array([figures(s, 5000) for s in range(30)])
    center = np.array(figures(7, 200_000))
    assert _within_noise(np.array(BOX_MULLER_MINI_ALPHA_BAKU), samples, center).all()
    res = simulate(mini_net, RouteQuery("Alpha", "Baku", runs=5000, seed=7, depart=DEPART))
    assert (res.p50_h, res.p90_h, res.mean_h) == figures(7, 5000)
    state = kernel.seed_state(5)
    assert tuple(kernel.uniform(state) for _ in range(3)) == XOSHIRO_UNIFORMS_SEED_5


def test_simulation_runs_in_the_compiled_library(mini_net: Network, native_calls: list[str]) -> None:
    simulate(mini_net, RouteQuery("Alpha", "Baku", runs=100, seed=1, depart=DEPART))
    assert "mc_simulate_routes" in native_calls


def test_kernel_rejects_output_arrays_it_cannot_fill() -> None:
    spec, shares = _fixed_plan_table()
    total, contrib, parts = np.empty((2, 10), dtype=np.float32), np.empty((8, 10)), np.empty((2, kernel.N_PARTS, 10))
    with pytest.raises(InputError, match="total"):
        kernel.simulate_routes(
            0, np.zeros(2), np.array([0, 6, 8]), spec, np.ones(5), shares, np.zeros(3), np.zeros(1), np.ones(1),
            total, contrib, parts,
        )  # fmt: skip


def test_month_index_and_residual_storm() -> None:
    t = np.array([to_hours(datetime(2025, m, 15, tzinfo=UTC)) for m in range(1, 13)])
    assert month_index(t).tolist() == list(range(12))
    hours = to_hours(datetime(1999, 12, 31, tzinfo=UTC)) + np.arange(0, 24 * 365 * 40, 7.3)
    assert [kernel.month_of(x) for x in hours] == month_index(hours).tolist()
    storm = LogNormal(median=36, p90=120)
    res = _residuals(np.array([kernel.STORM_LOGNORMAL, storm.mu, storm.sigma]), 400_000)
    # E[residual] = E[L^2] / (2 E[L]) for a renewal process observed at a random time
    assert res.mean() == pytest.approx(storm.mean() * math.exp(storm.sigma**2) / 2, rel=0.02)


def test_kernel_uniforms_are_uniform_and_seeded() -> None:
    a, b = kernel.seed_state(5), kernel.seed_state(5)
    x = np.array([kernel.uniform(a) for _ in range(20_000)])
    assert np.array_equal(x[:100], [kernel.uniform(b) for _ in range(100)])
    assert x.min() >= 0.0
    assert x.max() < 1.0
    assert x.mean() == pytest.approx(0.5, abs=0.01)
    assert np.histogram(x, bins=10, range=(0, 1))[0].min() > 1800
    z = np.array([kernel.normal(a) for _ in range(20_000)])
    assert z.mean() == pytest.approx(0.0, abs=0.03)
    assert z.std() == pytest.approx(1.0, abs=0.03)


def _draws(cols: tuple[float, float, float, float], runs: int, seed: int = 3) -> np.ndarray:
    """``runs`` kernel draws of one distribution (the dwell of an always-open hub)."""
    spec = np.zeros((1, kernel.WIDTH))
    spec[0, kernel.C_DIST : kernel.C_DIST + 4] = cols
    spec[0, kernel.C_OPEN_ALWAYS] = 1.0
    total = np.empty((1, runs))
    kernel.simulate_routes(
        seed, [0.0], [0, 1], spec, np.zeros(1), np.zeros((1, 12)), np.zeros(3), np.zeros(1), np.ones(1), total
    )
    return total[0]


def _one_element_runs(kind: float, cols: tuple[float, float, float, float], runs: int, seed: int) -> np.ndarray:
    """The hours ``runs`` runs spend in one element: an always-open hub or a stay aboard (run scale 1.5)."""
    spec = np.zeros((1, kernel.WIDTH))
    spec[0, kernel.C_KIND], spec[0, kernel.C_DIST : kernel.C_DIST + 4] = kind, cols
    if kind == kernel.HUB:
        spec[0, kernel.C_OPEN_ALWAYS] = 1.0
    else:
        spec[0, kernel.C_STAY] = 1.0
        spec[0, kernel.C_BOARD_PORT : kernel.C_PLANNED_H + 1] = (-1, -1, 1.5, 10.0)
    total, pool = np.empty((1, runs)), np.array([3.0, 1.0, 4.0, 1.5, 9.0])
    weather = (np.zeros((1, 12)), np.zeros(3), np.zeros(1), np.ones(1))
    kernel.simulate_routes(seed, [100.0], [0, 1], spec, pool, *weather, total)
    return total[0]


def _scalar_draw(state: np.ndarray, cols: tuple[float, float, float, float]) -> float:
    """One draw of the law in ``cols`` from the kernel's random stream, one variate at a time."""
    law, a, b, c = cols
    if law == kernel.D_FIXED:
        return a
    if law == kernel.D_UNIFORM:
        return a + (b - a) * kernel.uniform(state)
    if law == kernel.D_TRIANGULAR:
        u = kernel.uniform(state)
        if u < (b - a) / (c - a):
            return a + math.sqrt(u * (c - a) * (b - a))
        return c - math.sqrt((1.0 - u) * (c - a) * (c - b))
    if law == kernel.D_LOGNORMAL:
        return math.exp(a + b * kernel.normal(state))
    pool = [3.0, 1.0, 4.0, 1.5, 9.0][int(a) :]
    return pool[min(int(kernel.uniform(state) * b), int(b) - 1)]


@pytest.mark.parametrize("element", [kernel.HUB, kernel.LEG])
@pytest.mark.parametrize(
    "cols",
    [
        (kernel.D_FIXED, 7.5, 0.0, 0.0),
        (kernel.D_UNIFORM, 2.0, 9.0, 0.0),
        (kernel.D_TRIANGULAR, 4.0, 8.0, 24.0),
        (kernel.D_LOGNORMAL, math.log(20.0), 0.7, 0.0),
        (kernel.D_EMPIRICAL, 1.0, 3.0, 0.0),
    ],
)
def test_every_kind_of_law_runs_its_draws_in_stream_order(element: float, cols: tuple[float, ...]) -> None:
    """Run i of an element takes the i-th draw of the seeded stream, whatever the kind of its law."""
    state = kernel.seed_state(11)
    scale = 1.0 if element == kernel.HUB else 1.5
    expected = [scale * _scalar_draw(state, cols) for _ in range(300)]  # type: ignore[arg-type]
    assert np.allclose(_one_element_runs(element, cols, 300, seed=11), expected, rtol=1e-12, atol=1e-9)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cols", "law"),
    [
        ((kernel.D_UNIFORM, 2.0, 9.0, 0.0), ("uniform", (2.0, 7.0))),
        ((kernel.D_TRIANGULAR, 4.0, 8.0, 24.0), ("triang", (0.2, 4.0, 20.0))),
        ((kernel.D_LOGNORMAL, math.log(20.0), 0.7, 0.0), ("lognorm", (0.7, 0.0, 20.0))),
        ((kernel.D_LOGNORMAL, -1.0, 1.6, 0.0), ("lognorm", (1.6, 0.0, math.exp(-1.0)))),
    ],
)
def test_kernel_draws_follow_their_law(
    cols: tuple[float, float, float, float], law: tuple[str, tuple[float, ...]]
) -> None:
    """Kolmogorov-Smirnov and quantiles (the far tails too) of 200,000 draws against the exact law."""
    from scipy import stats

    dist = getattr(stats, law[0])(*law[1])
    x = _draws(cols, 200_000)
    assert stats.kstest(x, dist.cdf).pvalue > 1e-3
    q = np.array([0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999])
    # the standard error of a sample quantile: sqrt(q (1 - q) / n) / density at it
    se = np.sqrt(q * (1 - q) / x.size) / dist.pdf(dist.ppf(q))
    assert np.all(np.abs(np.quantile(x, q) - dist.ppf(q)) < 4 * se)


def test_kernel_normals_are_standard_normal() -> None:
    from scipy import stats

    s = kernel.seed_state(11)
    z = np.array([kernel.normal(s) for _ in range(50_000)])
    assert stats.kstest(z, stats.norm.cdf).pvalue > 1e-3
    lognormal = _draws((kernel.D_LOGNORMAL, 0.0, 1.0, 0.0), 50_000, seed=11)
    assert np.allclose(np.log(lognormal), z)  # the kernel's lognormal draws are exp of these normals


def test_kernel_normal_tails() -> None:
    """Shares beyond the ziggurat's base (3.654...) and around it, of 4 million draws, against the exact ones."""
    from scipy import stats

    z = np.log(_draws((kernel.D_LOGNORMAL, 0.0, 1.0, 0.0), 4_000_000, seed=2))
    for cut in (1.0, 2.5, 3.5, 3.654152885361009, 4.0):
        exact = stats.norm.sf(cut)
        for share in (np.mean(z > cut), np.mean(z < -cut)):
            assert abs(share - exact) < 4 * math.sqrt(exact * (1 - exact) / z.size)
    assert z.min() < -4.5 < 4.5 < z.max()


@given(picks=st.lists(st.lists(st.integers(0, 3), max_size=6), min_size=1, max_size=5), later=st.booleans())
def test_routes_with_shared_leading_elements_draw_as_alone(picks: list[list[int]], later: bool) -> None:
    """Leading elements routes share are simulated once: every route's runs are those it has alone."""
    table, shares = _fixed_plan_table()
    elements = table[[1, 2, 3, 0]]  # weekly leg, ferry (weather, empirical fill), headway leg, hub
    spec = np.concatenate([elements[p] for p in picks]) if any(picks) else np.zeros((0, kernel.WIDTH))
    bounds = np.cumsum([0] + [len(p) for p in picks])
    t0 = np.full(len(picks), 489_216.0)
    if later:
        t0[-1] += 1.0
    pool, weather = np.array([2.0, 5.0, 9.0, 30.0, 70.0]), (STORMS["lognormal storms"])
    runs = 40
    together = np.empty((len(picks), runs))
    kernel.simulate_routes(5, t0, bounds, spec, pool, shares, *weather, together)
    for r in range(len(picks)):
        alone = np.empty((1, runs))
        rows = spec[bounds[r] : bounds[r + 1]]
        kernel.simulate_routes(5, t0[r : r + 1], [0, len(rows)], rows, pool, shares, *weather, alone)
        assert np.array_equal(together[r], alone[0])


def test_november_weather_lengthens_the_crossing(mini_net: Network) -> None:
    plan = [LegPlan("ferry", False, "KZAAU", "AZBAK")]
    july = simulate_itinerary(mini_net, plan, Cargo("FEU"), depart=DEPART, runs=20_000, seed=2)
    nov = simulate_itinerary(
        mini_net, plan, Cargo("FEU"), depart=datetime(2025, 11, 10, tzinfo=UTC), runs=20_000, seed=2
    )
    assert nov.mean_h > july.mean_h + 10
    assert nov.part_shares["weather"] > july.part_shares.get("weather", 0.0)


def test_plan_round_trips(mini_net: Network) -> None:
    plan = plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=DEPART))
    route = plan.routes[0]
    rebuilt = plan_from_itinerary(route.itinerary)
    assert evaluate(mini_net, rebuilt, Cargo("FEU"), depart=DEPART).transit_time_h == pytest.approx(
        route.transit_time_h
    )
    steps, cargo, depart = plan_from_dict(route.to_dict())
    assert steps == rebuilt
    assert cargo.unit.value == "FEU"
    assert depart == DEPART


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"runs": 0}, "runs"),
        ({"route_index": 9}, "route_index"),
        ({"demand_mt": -2}, "demand_mt"),
    ],
)
def test_bad_input_names_the_field(mini_net: Network, kwargs: dict[str, int], field: str) -> None:
    with pytest.raises(InputError) as exc:
        simulate(mini_net, RouteQuery("Alpha", "Baku", depart=DEPART), **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field


def test_bad_itinerary_dict() -> None:
    with pytest.raises(InputError) as exc:
        plan_from_dict({"legs": [{"index": 0}], "hubs": []})
    assert exc.value.field == "itinerary"


def test_des_waits_feed_the_ferry_leg(mini_net: Network) -> None:
    from karavan.reliability import simulate_caspian

    low = simulate_caspian(demand_mt=3.0, seed=0, years=0.5)
    plan = [LegPlan("ferry", False, "KZAAU", "AZBAK")]
    res = simulate_itinerary(mini_net, plan, Cargo("wagon"), depart=DEPART, runs=5000, seed=0, des=low)
    waits = low.wait_samples("aktau", "alat", "wagon", month=6)
    assert waits is not None
    assert res.part_shares["ferry_wait"] > 0
    assert res.elements[0].mean_h == pytest.approx(float(waits.mean()) + 22.7, rel=0.15)


# ----------------------------------------------------------------- departure phase and achieved times


def _calm(*, delays: bool = True) -> ReliabilityParameters:
    """Packaged reliability parameters without weather closures (and, unless ``delays``, no slippage or path delays)."""
    data = load_reliability_parameters().model_dump(by_alias=True)
    for p in data["weather"]["ports"]:
        p["closed_share"] = [0.0] * 12
    if not delays:
        data["montecarlo"] = {"slippage_h": {}, "running_factor": {}}
    return parse_reliability_parameters(data)


CN_LEG = [LegPlan("cn-train", False, "CNAAA", "cn-border")]
CN_RUN_H = 460 / 40


def test_unknown_departure_phase_is_sampled(
    mini_dir: Path, mini_net: Network, edit_yaml: Callable[[Path, str, str], None]
) -> None:
    """A daily train whose clock time is not published: the wait is uniform over the day, not 'until 06:00'."""
    edit_yaml(mini_dir / "services.yaml", 'headway_h: 24, first: "06:00"}', "headway_h: 24, phase: unknown}")
    net = load_network(mini_dir)
    it = evaluate(net, CN_LEG, Cargo("FEU"), depart=DEPART)
    assert it.legs[0].wait_h == pytest.approx(12.0)  # deterministic: the mean wait, half the headway
    assert any("departure phase unknown" in f for r in it.trail for f in r.flags)
    rp = _calm(delays=False)
    res = simulate_itinerary(net, CN_LEG, Cargo("FEU"), depart=DEPART, runs=40_000, seed=2, parameters=rp)
    fixed = simulate_itinerary(mini_net, CN_LEG, Cargo("FEU"), depart=DEPART, runs=40_000, seed=2, parameters=rp)
    assert fixed.p10_h == pytest.approx(6.0 + CN_RUN_H)  # the 06:00 train, from midnight: always 6 h of wait
    assert fixed.p90_h == pytest.approx(6.0 + CN_RUN_H)
    for q, wait in ((0.10, 2.4), (0.50, 12.0), (0.90, 21.6)):  # a random phase: the wait is uniform on [0, 24)
        assert res.quantiles_h[q] - CN_RUN_H == pytest.approx(wait, abs=0.3)


def test_times_that_include_delays_get_no_factor_nor_slippage(
    mini_dir: Path, mini_net: Network, edit_yaml: Callable[[Path, str, str], None]
) -> None:
    edit_yaml(mini_dir / "services.yaml", "  speed_kmh: 40\n", "  speed_kmh: 40\n  delays_included: true\n")
    net = load_network(mini_dir)
    rp = _calm()
    res = simulate_itinerary(net, CN_LEG, Cargo("FEU"), depart=DEPART, runs=5000, seed=0, parameters=rp)
    planned = evaluate(net, CN_LEG, Cargo("FEU"), depart=DEPART).transit_time_h
    assert res.p10_h == pytest.approx(planned)
    assert res.p90_h == pytest.approx(planned)
    assert "slippage" not in res.part_shares
    assert "running_delay" not in res.part_shares
    base = simulate_itinerary(mini_net, CN_LEG, Cargo("FEU"), depart=DEPART, runs=5000, seed=0, parameters=rp)
    assert base.p90_h > planned + 1.0  # the same train with planned times gets slippage and path delays


def test_a_route_does_not_depend_on_the_routes_simulated_with_it(mini_net: Network) -> None:
    from karavan.reliability.montecarlo import simulate_plans

    route = plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=DEPART, runs=100)).routes[0]
    hubs = evaluate(mini_net, HUBS, Cargo("FEU"), depart=DEPART)
    items = [(list(route.steps), route.itinerary), (HUBS, hubs)]
    together = simulate_plans(mini_net, items, Cargo("FEU"), runs=2000, seed=4)
    alone = simulate_plans(mini_net, items[1:2], Cargo("FEU"), runs=2000, seed=4)
    assert np.array_equal(together[1].transit_h, alone[0].transit_h)
    assert together[1].to_dict() == alone[0].to_dict()
    for res, (steps, _) in zip(together, items, strict=True):
        assert len(res.elements) == len(steps)
        assert np.allclose(res.contrib_h.sum(axis=0), res.transit_h)  # elements add up to the trip, run by run


@given(
    data=st.data(),
    routes=st.integers(0, 4),
    runs=st.integers(1, 60),
)
def test_quantiles_equal_numpys(data: st.DataObject, routes: int, runs: int) -> None:
    from karavan.reliability.montecarlo import QUANTILES, quantiles_of

    values = st.one_of(st.floats(0, 5000, allow_nan=False), st.sampled_from([0.0, 12.5, 48.0]))  # ties too
    rows = st.lists(st.lists(values, min_size=runs, max_size=runs), min_size=routes, max_size=routes)
    total = np.array(data.draw(rows)).reshape(routes, runs)
    want = np.quantile(total, QUANTILES, axis=1)
    got = quantiles_of(total.copy(), QUANTILES)
    assert got.shape == want.shape
    assert np.array_equal(got, want)  # the very same floats, not only close ones
    with_inf = total.copy()
    if routes:  # a run that never arrives: numpy's own quantiles (inf - inf is not a number)
        with_inf[0, 0] = np.inf
        with np.errstate(invalid="ignore"):
            want_inf = np.quantile(with_inf, QUANTILES, axis=1)
            assert np.array_equal(quantiles_of(with_inf, QUANTILES), want_inf, equal_nan=True)
