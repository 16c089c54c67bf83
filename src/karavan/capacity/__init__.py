"""Capacity and scenarios: assign yearly demand to the capacitated network, find bottlenecks, compare investments.

Public surface (imported lazily; nothing is built or read at import time)::

    >>> from karavan.capacity import assign
    >>> result = assign(net)                      # built-in 2024 demand, LP with HiGHS
    >>> result.bottlenecks[0].id

See ``docs/capacity.md`` for the formulation and the data.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from karavan.capacity.assignment import AssignmentResult as AssignmentResult
    from karavan.capacity.assignment import AssignOptions as AssignOptions
    from karavan.capacity.assignment import ElementResult as ElementResult
    from karavan.capacity.assignment import ODResult as ODResult
    from karavan.capacity.assignment import assign as assign
    from karavan.capacity.demand import KZ_TM_MIX as KZ_TM_MIX
    from karavan.capacity.demand import Demand as Demand
    from karavan.capacity.demand import ODFlow as ODFlow
    from karavan.capacity.demand import TradeShare as TradeShare
    from karavan.capacity.demand import builtin_demand as builtin_demand
    from karavan.capacity.demand import read_demand as read_demand
    from karavan.capacity.demand import trade_to_freight as trade_to_freight
    from karavan.capacity.diff import ScenarioDiff as ScenarioDiff
    from karavan.capacity.diff import diff_scenarios as diff_scenarios
    from karavan.capacity.scenario import Scenario as Scenario
    from karavan.capacity.scenario import apply_scenario as apply_scenario
    from karavan.capacity.scenario import list_scenarios as list_scenarios
    from karavan.capacity.scenario import load_scenario as load_scenario
    from karavan.capacity.scenario import write_dataset as write_dataset

_LAZY = {
    "AssignmentResult": "karavan.capacity.assignment",
    "AssignOptions": "karavan.capacity.assignment",
    "ElementResult": "karavan.capacity.assignment",
    "ODResult": "karavan.capacity.assignment",
    "assign": "karavan.capacity.assignment",
    "KZ_TM_MIX": "karavan.capacity.demand",
    "Demand": "karavan.capacity.demand",
    "ODFlow": "karavan.capacity.demand",
    "TradeShare": "karavan.capacity.demand",
    "builtin_demand": "karavan.capacity.demand",
    "read_demand": "karavan.capacity.demand",
    "trade_to_freight": "karavan.capacity.demand",
    "ScenarioDiff": "karavan.capacity.diff",
    "diff_scenarios": "karavan.capacity.diff",
    "Scenario": "karavan.capacity.scenario",
    "apply_scenario": "karavan.capacity.scenario",
    "list_scenarios": "karavan.capacity.scenario",
    "load_scenario": "karavan.capacity.scenario",
    "write_dataset": "karavan.capacity.scenario",
}


def __getattr__(name: str) -> Any:
    """Import public names on first use."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'karavan.capacity' has no attribute {name!r}")


__all__ = sorted(_LAZY)
