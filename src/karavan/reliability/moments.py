"""Mean delay beyond plan and variance of the time each element adds: the routing's reliability criterion.

The Monte Carlo (:mod:`karavan.reliability.montecarlo`) samples every element; routing needs,
per element, two numbers that add along a route: the mean time beyond the planned figure and
the variance. With independent elements the route's mean delay and variance are sums, and
P90 ≈ planned + mean delay + z·σ. The same rules as the Monte Carlo apply: departure slippage
and running factors by service kind (none for services whose times include delays), a
random departure phase for headways without published clock times, the fill wait of a
sails-when-full service, weather closures of ports by month (a length-biased residual storm),
and the dwell distributions of hub operations. What the moments leave out is the jump to a
later departure when a delay misses a weekly train; the Monte Carlo figures of the returned
routes include it.
"""

from __future__ import annotations

import math

import numpy as np

from karavan.model.distributions import Distribution, Fixed, LogNormal
from karavan.model.entities import Headway, HubOperation, Service, WhenFull
from karavan.reliability.params import PortWeather, ReliabilityParameters

Moments = tuple[float, float]
"""``(mean delay beyond plan h, variance h²)``."""
ZERO: Moments = (0.0, 0.0)


def add(*parts: Moments) -> Moments:
    """Sum of independent contributions."""
    return (sum(p[0] for p in parts), sum(p[1] for p in parts))


def hub(op: HubOperation) -> Moments:
    """A hub operation: planned at its mean dwell, so only its variance."""
    return (0.0, op.dwell_h.variance())


def boarding(rp: ReliabilityParameters, svc: Service) -> Moments:
    """Waiting to leave on ``svc`` beyond the planned wait: fill wait, departure phase or slippage."""
    pat = svc.departures
    if isinstance(pat, WhenFull):
        return (0.0, pat.expected_wait_h.variance())
    extra: Moments = ZERO
    if isinstance(pat, Headway) and not pat.phase_known:
        extra = (0.0, pat.headway_h**2 / 12.0)  # planned at the mean wait of half a headway
    slip = rp.montecarlo.slippage_h.get(svc.kind.value)
    if slip is None or svc.delays_included:
        return extra
    return add(extra, (slip.value.mean(), slip.value.variance()))


def running(rp: ReliabilityParameters, svc: Service, planned_h: float, run_h: float) -> Moments:
    """Running time of a stretch of ``planned_h`` beyond plan: the service's spread or the kind's factor."""
    rt = svc.running_time_h
    if rt is not None and not isinstance(rt, Fixed):
        share = planned_h / run_h if run_h > 0 else 0.0
        return (share * rt.mean() - planned_h, share * share * rt.variance())
    fac = rp.montecarlo.running_factor.get(svc.kind.value)
    if fac is None or svc.delays_included:
        return ZERO
    return (planned_h * (fac.value.mean() - 1.0), planned_h * planned_h * fac.value.variance())


def _residual_moments(storm: Distribution) -> tuple[float, float]:
    """First two moments of the remaining closure ``U × L*`` (``L*`` length-biased storm length)."""
    if isinstance(storm, LogNormal):
        mu, s = storm.mu + storm.sigma**2, storm.sigma
        m1, m2 = math.exp(mu + s * s / 2), math.exp(2 * mu + 2 * s * s)
    elif isinstance(storm, Fixed):
        m1, m2 = storm.value, storm.value**2
    else:
        draws = storm.sample(np.random.default_rng(0), 8192)
        mean = float(draws.mean())
        m1 = float((draws**2).mean()) / mean if mean > 0 else 0.0
        m2 = float((draws**3).mean()) / mean if mean > 0 else 0.0
    return 0.5 * m1, m2 / 3.0


def weather(rp: ReliabilityParameters, port: PortWeather | None, month: int) -> Moments:
    """Waiting for ``port`` to reopen in ``month`` (0-11): closed with the month's share, then a residual storm."""
    if port is None:
        return ZERO
    p = float(port.closed_share[month])
    r1, r2 = _residual_moments(rp.weather.storm_h.value)
    mean = p * r1
    return (mean, max(p * r2 - mean * mean, 0.0))


__all__ = ["ZERO", "Moments", "add", "boarding", "hub", "running", "weather"]
