"""Duration distributions: moments, quantiles and seeded sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from karavan.model import Empirical, Fixed, LogNormal, Triangular, Uniform
from karavan.model.distributions import Distribution, coerce_distribution

ADAPTER: TypeAdapter[Distribution] = TypeAdapter(Distribution)


def test_fixed() -> None:
    d = Fixed(value=12)
    assert d.mean() == 12
    assert d.quantile(0.9) == 12
    assert np.all(d.sample(np.random.default_rng(0), 5) == 12)


def test_triangular_moments_and_quantiles() -> None:
    d = Triangular(low=6, mode=12, high=36)
    assert d.mean() == pytest.approx(18)
    assert d.quantile(0.0) == pytest.approx(6)
    assert d.quantile(1.0) == pytest.approx(36)
    s = d.sample(np.random.default_rng(1), 200_000)
    assert s.mean() == pytest.approx(18, rel=0.01)
    assert np.quantile(s, 0.9) == pytest.approx(d.quantile(0.9), rel=0.01)


def test_lognormal_from_median_and_p90() -> None:
    d = LogNormal(median=40, p90=70)
    assert d.quantile(0.5) == pytest.approx(40)
    assert d.quantile(0.9) == pytest.approx(70)
    assert d.mean() == pytest.approx(40 * math.exp(0.5 * d.sigma**2))
    s = d.sample(np.random.default_rng(2), 200_000)
    assert np.median(s) == pytest.approx(40, rel=0.01)
    assert np.quantile(s, 0.9) == pytest.approx(70, rel=0.01)


def test_uniform_and_empirical() -> None:
    assert Uniform(low=0, high=24).mean() == 12
    e = Empirical(samples=(10, 12, 15, 30))
    assert e.mean() == pytest.approx(16.75)
    assert set(e.sample(np.random.default_rng(3), 100)) <= {10, 12, 15, 30}


def test_plain_number_becomes_fixed() -> None:
    assert ADAPTER.validate_python(coerce_distribution(7.5)) == Fixed(value=7.5)


@pytest.mark.parametrize(
    "bad",
    [
        {"dist": "lognormal", "median": 40, "p90": 30},
        {"dist": "triangular", "low": 5, "mode": 3, "high": 9},
        {"dist": "uniform", "low": 5, "high": 1},
        {"dist": "empirical", "samples": []},
        {"dist": "gamma", "shape": 2},
        {"dist": "fixed", "value": -1},
    ],
)
def test_invalid_distributions_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(bad)


def test_sampling_is_reproducible() -> None:
    d = LogNormal(median=20, p90=48)
    a = d.sample(np.random.default_rng(42), 10)
    b = d.sample(np.random.default_rng(42), 10)
    assert np.array_equal(a, b)


@given(
    low=st.floats(0, 100),
    span1=st.floats(0, 100),
    span2=st.floats(0, 100),
    q=st.floats(0, 1),
)
def test_triangular_quantile_within_support(low: float, span1: float, span2: float, q: float) -> None:
    d = Triangular(low=low, mode=low + span1, high=low + span1 + span2)
    assert d.low - 1e-9 <= d.quantile(q) <= d.high + 1e-9
