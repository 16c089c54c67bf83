"""Duration distributions (hours).

Every duration in the model is a distribution, not one number. All kinds share the
same small interface: :meth:`mean`, :meth:`quantile` and a vectorised :meth:`sample`.

In a dataset file a distribution is written either as a plain number (a fixed value)
or as a mapping with a ``dist`` key, for example::

    dwell_h: 12
    dwell_h: {dist: triangular, low: 6, mode: 12, high: 36}
    dwell_h: {dist: lognormal, median: 40, p90: 70}
    dwell_h: {dist: empirical, samples: [10, 12, 15, 30]}
    dwell_h: {dist: uniform, low: 0, high: 24}
"""

from __future__ import annotations

import math
from abc import abstractmethod
from functools import cached_property
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

# z-score of the 90th percentile of the standard normal distribution.
Z90 = 1.2815515655446004


class _Dist(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", allow_inf_nan=False)

    @abstractmethod
    def mean(self) -> float:
        """Expected value (hours)."""

    @abstractmethod
    def quantile(self, q: float) -> float:
        """Value below which a share ``q`` of outcomes fall."""

    @abstractmethod
    def variance(self) -> float:
        """Variance (hours squared)."""

    @abstractmethod
    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        """``size`` independent draws from ``rng``."""

    def describe(self) -> str:
        """One-line human description, e.g. ``lognormal(median=40, p90=70)``."""
        return self._description

    @cached_property
    def _description(self) -> str:
        fields = {k: getattr(self, k) for k in type(self).model_fields if k != "dist"}
        inner = ", ".join(f"{k}={_fmt(v)}" for k, v in fields.items())
        return f"{self.dist}({inner})"  # type: ignore[attr-defined]


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_fmt(x) for x in v[:6]) + (", ..." if len(v) > 6 else "") + "]"
    return str(v)


class Fixed(_Dist):
    """A deterministic duration."""

    dist: Literal["fixed"] = "fixed"
    value: float = Field(ge=0)

    def mean(self) -> float:
        return self.value

    def variance(self) -> float:
        return 0.0

    def quantile(self, q: float) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        return np.full(size, self.value, dtype=np.float64)


class Uniform(_Dist):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"] = "uniform"
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self

    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12.0

    def quantile(self, q: float) -> float:
        return self.low + q * (self.high - self.low)

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        return rng.uniform(self.low, self.high, size)


class Triangular(_Dist):
    """Triangular with ``low`` <= ``mode`` <= ``high``."""

    dist: Literal["triangular"] = "triangular"
    low: float = Field(ge=0)
    mode: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not (self.low <= self.mode <= self.high):
            raise ValueError(f"need low <= mode <= high, got {self.low}, {self.mode}, {self.high}")
        return self

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0

    def quantile(self, q: float) -> float:
        a, c, b = self.low, self.mode, self.high
        if b == a:
            return a
        fc = (c - a) / (b - a)
        if q < fc:
            return a + math.sqrt(q * (b - a) * (c - a))
        return b - math.sqrt((1 - q) * (b - a) * (b - c))

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        if self.high == self.low:
            return np.full(size, self.low, dtype=np.float64)
        return rng.triangular(self.low, self.mode, self.high, size)


class LogNormal(_Dist):
    """Log-normal given by its median and 90th percentile (``p90 >= median > 0``)."""

    dist: Literal["lognormal"] = "lognormal"
    median: float = Field(gt=0)
    p90: float = Field(gt=0)

    @model_validator(mode="after")
    def _order(self) -> LogNormal:
        if self.p90 < self.median:
            raise ValueError(f"p90 ({self.p90}) must be >= median ({self.median})")
        return self

    @property
    def mu(self) -> float:
        """Mean of the underlying normal."""
        return math.log(self.median)

    @property
    def sigma(self) -> float:
        """Standard deviation of the underlying normal."""
        return math.log(self.p90 / self.median) / Z90

    def mean(self) -> float:
        return math.exp(self.mu + 0.5 * self.sigma**2)

    def variance(self) -> float:
        return (math.exp(self.sigma**2) - 1.0) * math.exp(2 * self.mu + self.sigma**2)

    def quantile(self, q: float) -> float:
        from scipy.special import ndtri

        return math.exp(self.mu + self.sigma * float(ndtri(q)))

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        return rng.lognormal(self.mu, self.sigma, size)


class Empirical(_Dist):
    """Observed samples, drawn from with replacement."""

    dist: Literal["empirical"] = "empirical"
    samples: tuple[float, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _nonneg(self) -> Empirical:
        if min(self.samples) < 0:
            raise ValueError("samples must be >= 0")
        return self

    def mean(self) -> float:
        return float(np.mean(self.samples))

    def variance(self) -> float:
        return float(np.var(self.samples))

    def quantile(self, q: float) -> float:
        return float(np.quantile(self.samples, q))

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        arr = np.asarray(self.samples, dtype=np.float64)
        return arr[rng.integers(0, arr.size, size)]


Distribution = Annotated[Fixed | Uniform | Triangular | LogNormal | Empirical, Field(discriminator="dist")]
"""Any duration distribution (a pydantic discriminated union on ``dist``)."""


def coerce_distribution(value: Any) -> Any:
    """Turn a plain number into ``{"dist": "fixed", "value": x}``; pass mappings through."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return {"dist": "fixed", "value": value}
    return value


def fixed(value: float) -> Fixed:
    """Shorthand for :class:`Fixed`."""
    return Fixed(value=value)
