"""Door-to-door, multimodal, time-dependent Pareto routing.

Build one :class:`RouteQuery`, call :func:`plan_routes`; the :class:`RoutePlan` keeps the query
and each :class:`Route` its itinerary and simulated time distribution.

Names are imported on first use, so ``karavan.routing.graph`` alone (the capacity model's
import) does not load the search kernel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from karavan import _lazy

if TYPE_CHECKING:
    from karavan.routing.plan import DepartureFigures, Route, RoutePlan, plan_routes, resolve_query
    from karavan.routing.query import Criterion, FastestBy, RouteQuery, parse_duration_h

_LAZY = {
    **dict.fromkeys(("DepartureFigures", "Route", "RoutePlan", "plan_routes", "resolve_query"), "karavan.routing.plan"),
    **dict.fromkeys(("Criterion", "FastestBy", "RouteQuery", "parse_duration_h"), "karavan.routing.query"),
}


def __getattr__(name: str) -> Any:
    """Import public names on first use."""
    return _lazy.attribute(__name__, _LAZY, name)


__all__ = [
    "Criterion",
    "DepartureFigures",
    "FastestBy",
    "Route",
    "RoutePlan",
    "RouteQuery",
    "parse_duration_h",
    "plan_routes",
    "resolve_query",
]
