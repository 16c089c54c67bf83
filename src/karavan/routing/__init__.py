"""Door-to-door, multimodal, time-dependent Pareto routing."""

from karavan.routing.plan import Route, RoutePlan, RouteQuery, plan_routes

__all__ = ["Route", "RoutePlan", "RouteQuery", "plan_routes"]
