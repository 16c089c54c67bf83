"""Congestion-aware assignment: user equilibrium with BPR volume-delay functions.

Each capacity row ``r`` (reference tonnes ``C_r``) gets a delay per reference tonne

    d_r(v) = T_r · α · (v / C_r)^β   hours,

where ``T_r`` is the element's free-flow time (the expected wait for a service, shared out over
its segments; the dwell of a hub operation; one hour for a link). Delays are valued at one
value of time ``θ`` (USD per tonne-hour) for all classes, so the cost map is a gradient and the
equilibrium minimises the Beckmann function

    Z(x) = c·x + θ Σ_r T_r α C_r / (β + 1) · (v_r / C_r)^(β+1),   v = Aᵀ x.

It is found by the conjugate Frank–Wolfe method (Mitradjieva & Lindberg 2013): all-or-nothing
steps with the compiled per-origin Dijkstra of :mod:`karavan.capacity.paths`, a conjugate direction, and an exact
line search by bisection, until the relative gap ``(c(x)·x - c(x)·y) / c(x)·x`` ≤ the target.
Unserved demand (no path, or a path dearer than the penalty) goes to a penalty edge.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from karavan.capacity.flownet import FlowNet, sum_by
from karavan.capacity.lp import FlowSolution, ODArrays
from karavan.capacity.paths import shortest_paths

_Paths = tuple[NDArray[np.int64], NDArray[np.int64]]
"""(OD, edge) pairs of one all-or-nothing assignment's paths."""


@dataclass(frozen=True)
class BPR:
    """BPR volume-delay parameters and the value of time that prices delays."""

    alpha: float = 0.15
    beta: float = 4.0
    vot_usd_per_t_h: float = 1.0


def row_free_time(fn: FlowNet) -> NDArray[np.float64]:
    """Free-flow time ``T_r`` of each capacity row (element time shared over its rows)."""
    out = np.zeros(fn.n_rows)
    for el in fn.elements:
        if el.rows:
            out[el.rows] = el.free_time_h / len(el.rows)
    return out


def solve_equilibrium(
    fn: FlowNet,
    ods: ODArrays,
    gc: NDArray[np.float64],
    *,
    penalty_usd_per_t: float,
    bpr: BPR,
    gap: float = 1e-4,
    max_iter: int = 2000,
) -> FlowSolution:
    """Conjugate Frank–Wolfe to relative gap ``gap`` (see the module docstring)."""
    t0 = time.perf_counter()
    n_od = ods.demand_t.size
    n_edges = fn.n_edges
    inc = fn.incidence
    cap = fn.row_rhs
    t_free = row_free_time(fn)
    a, b, theta = bpr.alpha, bpr.beta, bpr.vot_usd_per_t_h
    dem = ods.demand_t

    def delay_h(v: NDArray[np.float64]) -> NDArray[np.float64]:
        return t_free * a * np.power(np.maximum(v, 0.0) / cap, b) if cap.size else np.zeros(0)

    def ddelay_h(v: NDArray[np.float64]) -> NDArray[np.float64]:
        return t_free * a * b / cap * np.power(np.maximum(v, 0.0) / cap, b - 1) if cap.size else np.zeros(0)

    def edge_cost(v: NDArray[np.float64]) -> NDArray[np.float64]:
        return gc + (inc.edge_weight(theta * delay_h(v)) if cap.size else 0.0)

    def aon(w: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64], _Paths, Any]:
        res = shortest_paths(fn.tail, fn.head, w, fn.n_vertices, ods.o_vert, ods.d_vert, want=dem > 0)
        served = np.isfinite(res.dist) & (res.dist < penalty_usd_per_t) & (dem > 0)
        keep = served[res.path_od]
        pmat = (res.path_od[keep], res.path_edge[keep])  # (OD, edge) of each OD's path
        y = sum_by(pmat[1], weights=np.where(served, dem, 0.0)[pmat[0]], minlength=n_edges)
        u = np.where(served, 0.0, dem)
        return y, u, pmat, res.dist

    # initial all-or-nothing at free flow
    w = edge_cost(np.zeros(cap.size))
    x, ux, p0, _ = aon(w)
    weights = [1.0]
    path_sets = [p0]
    s_prev: NDArray[np.float64] | None = None
    us_prev: NDArray[np.float64] | None = None
    s_w_prev: list[float] = []
    rel_gap = np.inf
    it = 0
    while it < max_iter:
        it += 1
        v = inc.row_load(x) if cap.size else np.zeros(0)
        w = edge_cost(v)
        y, uy, p_y, _dist = aon(w)
        total = float(w @ x + penalty_usd_per_t * ux.sum())
        lower = float(w @ y + penalty_usd_per_t * uy.sum())
        rel_gap = (total - lower) / max(total, 1e-12)
        if rel_gap <= gap:
            break
        # conjugate direction
        path_sets.append(p_y)
        y_w = [0.0] * (len(path_sets) - 1) + [1.0]
        s, us, s_w = y, uy, y_w
        if s_prev is not None and us_prev is not None and cap.size:
            d_bar = s_prev - x
            d = y - x
            hd = ddelay_h(v) * theta
            vb = inc.row_load(d_bar)
            vd = inc.row_load(d)
            num = float((vb * hd * vd).sum())
            den = float((vb * hd * (vd - vb)).sum())
            if den != 0.0:
                alpha_c = num / den
                if 0.0 <= alpha_c <= 1.0 - 1e-6:
                    s = alpha_c * s_prev + (1 - alpha_c) * y
                    us = alpha_c * us_prev + (1 - alpha_c) * uy
                    prev_w = s_w_prev + [0.0] * (len(path_sets) - len(s_w_prev))
                    s_w = [alpha_c * pw + (1 - alpha_c) * yw for pw, yw in zip(prev_w, y_w, strict=True)]
        dx = s - x
        dux = us - ux
        dv = inc.row_load(dx) if cap.size else np.zeros(0)
        lam = _line_search(gc, dx, penalty_usd_per_t * dux.sum(), v, dv, lambda vv: theta * delay_h(vv))
        if lam <= 0.0:
            # conjugate step not descending: fall back to the plain FW direction next time
            s_prev, us_prev, s_w_prev = None, None, []
            continue
        x = x + lam * dx
        ux = ux + lam * dux
        weights = [(1 - lam) * wt for wt in weights] + [0.0] * (len(path_sets) - len(weights))
        weights = [wt + lam * sw for wt, sw in zip(weights, s_w + [0.0] * (len(weights) - len(s_w)), strict=True)]
        s_prev, us_prev, s_w_prev = s, us, s_w
    v = inc.row_load(x) if cap.size else np.zeros(0)
    dh = delay_h(v)
    edge_time = fn.time_h + (inc.edge_weight(dh) if cap.size else 0.0)
    served = dem - ux
    # OD statistics: demand-weighted over the AON path sets with their convex weights
    tot_t = np.zeros(n_od)
    tot_c = np.zeros(n_od)
    tot_e = np.zeros(n_od)
    share = np.zeros(n_od)
    for wt, pmat in zip(weights, path_sets, strict=False):
        if wt <= 0:
            continue
        p_od, p_edge = pmat
        used = np.bincount(p_od, minlength=n_od) > 0
        tot_t += wt * used * sum_by(p_od, weights=edge_time[p_edge], minlength=n_od)
        tot_c += wt * used * sum_by(p_od, weights=fn.cost_usd[p_edge], minlength=n_od)
        tot_e += wt * used * sum_by(p_od, weights=fn.co2e_kg[p_edge], minlength=n_od)
        share += wt * used
    with np.errstate(invalid="ignore", divide="ignore"):
        good = (share > 0) & (served > 0)
        od_time = np.where(good, tot_t / np.where(share > 0, share, 1), np.nan)
        od_cost = np.where(good, tot_c / np.where(share > 0, share, 1), np.nan)
        od_co2 = np.where(good, tot_e / np.where(share > 0, share, 1), np.nan)
    objective = float(gc @ x + penalty_usd_per_t * ux.sum() + (theta * dh * v).sum())
    return FlowSolution(
        edge_flow=x,
        served_t=served,
        unserved_t=ux,
        od_time_h=od_time,
        od_cost_usd_per_t=od_cost,
        od_co2e_kg_per_t=od_co2,
        row_price=theta * dh,
        objective_usd=objective,
        stats={
            "solver": "conjugate Frank-Wolfe (BPR), compiled Dijkstra",
            "status": "converged" if rel_gap <= gap else "iteration limit",
            "iterations": it,
            "relative_gap": float(rel_gap),
            "target_gap": gap,
            "bpr_alpha": a,
            "bpr_beta": b,
            "value_of_time_usd_per_t_h": theta,
            "seconds": time.perf_counter() - t0,
        },
        od_paths=[],
    )


def _line_search(
    gc: NDArray[np.float64],
    dx: NDArray[np.float64],
    dpen: float,
    v: NDArray[np.float64],
    dv: NDArray[np.float64],
    row_cost: Any,
) -> float:
    """Step in [0, 1] minimising the Beckmann function along ``dx`` (bisection on its derivative)."""
    lin = float(gc @ dx) + dpen

    def deriv(lam: float) -> float:
        return lin + (float(row_cost(v + lam * dv) @ dv) if v.size else 0.0)

    if deriv(0.0) >= 0.0:
        return 0.0
    if deriv(1.0) <= 0.0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if deriv(mid) > 0.0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)
