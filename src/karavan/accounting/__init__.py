"""Accounting: time, cost and GHG emissions (ISO 14083 / GLEC v3) per leg and hub, with a trail.

Routing calls the per-element functions :func:`leg_figures` and :func:`hub_figures`;
:func:`evaluate` walks a whole plan forward in time and returns an :class:`Itinerary`
with totals and the calculation trail. Parameters (intensities, grid, default
tariffs) are read from the packaged ``parameters.yaml`` on first use, optionally
overridden by a dataset's own file (:func:`load_parameters`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from karavan import _lazy

if TYPE_CHECKING:
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

_LAZY = {
    "GLEC_T_PER_TEU": "karavan.accounting.cargo",
    "Cargo": "karavan.accounting.cargo",
    "HubFigures": "karavan.accounting.elements",
    "LegFigures": "karavan.accounting.elements",
    "hub_figures": "karavan.accounting.elements",
    "leg_figures": "karavan.accounting.elements",
    "next_opening": "karavan.accounting.elements",
    "Emissions": "karavan.accounting.ghg",
    "fuel_emissions": "karavan.accounting.ghg",
    "hub_kg": "karavan.accounting.ghg",
    "intensity": "karavan.accounting.ghg",
    "peq_share": "karavan.accounting.ghg",
    "transport_kg": "karavan.accounting.ghg",
    "HubPlan": "karavan.accounting.itinerary",
    "HubResult": "karavan.accounting.itinerary",
    "Itinerary": "karavan.accounting.itinerary",
    "LegPlan": "karavan.accounting.itinerary",
    "LegResult": "karavan.accounting.itinerary",
    "evaluate": "karavan.accounting.itinerary",
    "DefaultTariff": "karavan.accounting.params",
    "GridIntensity": "karavan.accounting.params",
    "HubCategory": "karavan.accounting.params",
    "Parameters": "karavan.accounting.params",
    "TransportCategory": "karavan.accounting.params",
    "check_categories": "karavan.accounting.params",
    "load_parameters": "karavan.accounting.params",
    "parse_parameters": "karavan.accounting.params",
    "QUANTITIES": "karavan.accounting.trail",
    "TrailInput": "karavan.accounting.trail",
    "TrailRow": "karavan.accounting.trail",
    "trail_csv": "karavan.accounting.trail",
}
"""Public name -> the module defining it (imported on first use)."""


def __getattr__(name: str) -> Any:
    """Import public names on first use."""
    return _lazy.attribute(__name__, _LAZY, name)


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
