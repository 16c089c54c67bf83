"""Door-to-door, multimodal, time-dependent Pareto routing.

Build one :class:`RouteQuery`, call :func:`plan_routes`; the :class:`RoutePlan` keeps the query
and each :class:`Route` its itinerary and simulated time distribution.
"""

from karavan.routing.plan import DepartureFigures, Route, RoutePlan, plan_routes, resolve_query
from karavan.routing.query import Criterion, FastestBy, RouteQuery, parse_duration_h

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
