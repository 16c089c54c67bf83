"""Accounting: time, cost and GHG emissions (ISO 14083 / GLEC v3) per leg and hub, with a trail.

Routing calls the per-element functions :func:`leg_figures` and :func:`hub_figures`;
:func:`evaluate` walks a whole plan forward in time and returns an :class:`Itinerary`
with totals and the calculation trail. Parameters (intensities, grid, default
tariffs) are read from the packaged ``parameters.yaml`` on first use, optionally
overridden by a dataset's own file (:func:`load_parameters`).
"""

from karavan.accounting.cargo import GLEC_T_PER_TEU, Cargo
from karavan.accounting.elements import HubFigures, LegFigures, hub_figures, leg_figures, next_opening
from karavan.accounting.ghg import Emissions, fuel_emissions, hub_kg, intensity, peq_share, transport_kg
from karavan.accounting.itinerary import HubPlan, HubResult, Itinerary, LegPlan, LegResult, evaluate
from karavan.accounting.params import (
    DefaultTariff,
    GridIntensity,
    HubCategory,
    Parameters,
    TransportCategory,
    check_categories,
    load_parameters,
    parse_parameters,
)
from karavan.accounting.trail import QUANTITIES, TrailInput, TrailRow, trail_csv

__all__ = [
    "GLEC_T_PER_TEU",
    "QUANTITIES",
    "Cargo",
    "DefaultTariff",
    "Emissions",
    "GridIntensity",
    "HubCategory",
    "HubFigures",
    "HubPlan",
    "HubResult",
    "Itinerary",
    "LegFigures",
    "LegPlan",
    "LegResult",
    "Parameters",
    "TrailInput",
    "TrailRow",
    "TransportCategory",
    "check_categories",
    "evaluate",
    "fuel_emissions",
    "hub_figures",
    "hub_kg",
    "intensity",
    "leg_figures",
    "load_parameters",
    "next_opening",
    "parse_parameters",
    "peq_share",
    "trail_csv",
    "transport_kg",
]
