"""ISO 14083 / GLEC v3 building blocks as plain functions (no network needed).

These are the formulas the per-element functions apply, exposed for auditors and for
primary-data calculations (fuel-based TOC intensities, passenger-equivalent
allocation on Ro-Pax ferries).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PEQ_FACTORS: Mapping[str, float] = {
    "passenger": 1.0,
    "car": 1.3,
    "bus": 10.0,
    "caravan_small": 1.1,
    "caravan_medium": 2.3,
    "caravan_large": 3.5,
    "mobile_home": 3.5,
    "motorcycle": 0.3,
    "van_small": 1.3,
    "van_large": 3.5,
    "truck_rigid": 10.0,
    "truck_articulated": 18.0,
    "trailer_unaccompanied": 14.0,
}
"""Passenger equivalents per vehicle for Ro-Pax allocation (GLEC v3 p. 51; ISO 14083 Table G.4)."""


@dataclass(frozen=True, slots=True)
class Emissions:
    """GHG emissions split into energy provision (WTT) and operation (TTW); unit set by the caller."""

    wtt: float
    ttw: float

    @property
    def wtw(self) -> float:
        """Well-to-wheel = WTT + TTW."""
        return self.wtt + self.ttw

    def __add__(self, other: Emissions) -> Emissions:
        return Emissions(self.wtt + other.wtt, self.ttw + other.ttw)

    def scaled(self, factor: float) -> Emissions:
        """Both parts multiplied by ``factor`` (allocation shares, unit changes)."""
        return Emissions(self.wtt * factor, self.ttw * factor)


def transport_kg(tonnes: float, distance_km: float, g_per_tkm: float, daf: float = 1.0) -> float:
    """Transport element: ``t × km × DAF × g/tkm / 1000`` in kg CO2e (also works per TEU-km)."""
    return tonnes * distance_km * daf * g_per_tkm / 1000.0


def hub_kg(tonnes: float, kg_per_t: float) -> float:
    """Hub element: ``outbound t × kg/t`` (or containers × kg/container) in kg CO2e."""
    return tonnes * kg_per_t


def fuel_emissions(fuel: float, wtt_per_unit: float, ttw_per_unit: float) -> Emissions:
    """Fuel-based emissions: quantity of fuel (kg, l or kWh) × factors per that unit."""
    return Emissions(fuel * wtt_per_unit, fuel * ttw_per_unit)


def intensity(total: Emissions, activity: float) -> Emissions:
    """TOC/HOC intensity: emissions per unit of activity (tkm or t throughput)."""
    if activity <= 0:
        raise ValueError(f"activity must be > 0, got {activity}")
    return total.scaled(1.0 / activity)


def peq_share(counts: Mapping[str, float], of: str) -> float:
    """Share of a Ro-Pax ferry's emissions allocated to vehicles of kind ``of``.

    ``counts`` maps :data:`PEQ_FACTORS` keys to numbers carried (passengers count
    individually, with luggage).
    """
    total = sum(PEQ_FACTORS[k] * n for k, n in counts.items())
    if total <= 0:
        raise ValueError("no passenger equivalents carried")
    return PEQ_FACTORS[of] * counts.get(of, 0.0) / total
