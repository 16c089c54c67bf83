"""Reliability: transit time as a distribution.

- :func:`simulate` / :func:`simulate_itinerary`: Monte Carlo over border dwell, hub handling,
  ferry waits, timetable slippage, train path delays and weather closures (vectorised numpy).
- :func:`simulate_caspian`: a discrete-event model (SimPy) of the Caspian crossing whose
  waiting times feed the Monte Carlo at a chosen demand level.
- :func:`sweep_tasks` / :func:`run_sweep`: scenario sweeps on ``dask.distributed``, to Parquet.

Parameters with their sources are in the packaged ``parameters.yaml``
(:func:`load_reliability_parameters`). SimPy and Dask are imported only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from karavan import _lazy

if TYPE_CHECKING:
    from karavan.reliability.des import CaspianResult, FleetGroup, fleet_groups, parse_ships, simulate_caspian
    from karavan.reliability.montecarlo import (
        ElementStats,
        SimulationResult,
        plan_from_dict,
        plan_from_itinerary,
        simulate,
        simulate_itinerary,
        simulate_route,
    )
    from karavan.reliability.params import ReliabilityParameters, load_reliability_parameters
    from karavan.reliability.sweep import (
        SweepTask,
        read_metadata,
        run_sweep,
        sweep_metadata,
        sweep_tasks,
        write_parquet,
    )

_LAZY = {
    "CaspianResult": "karavan.reliability.des",
    "FleetGroup": "karavan.reliability.des",
    "fleet_groups": "karavan.reliability.des",
    "parse_ships": "karavan.reliability.des",
    "simulate_caspian": "karavan.reliability.des",
    "ElementStats": "karavan.reliability.montecarlo",
    "SimulationResult": "karavan.reliability.montecarlo",
    "plan_from_dict": "karavan.reliability.montecarlo",
    "plan_from_itinerary": "karavan.reliability.montecarlo",
    "simulate": "karavan.reliability.montecarlo",
    "simulate_itinerary": "karavan.reliability.montecarlo",
    "simulate_route": "karavan.reliability.montecarlo",
    "ReliabilityParameters": "karavan.reliability.params",
    "load_reliability_parameters": "karavan.reliability.params",
    "SweepTask": "karavan.reliability.sweep",
    "read_metadata": "karavan.reliability.sweep",
    "run_sweep": "karavan.reliability.sweep",
    "sweep_metadata": "karavan.reliability.sweep",
    "sweep_tasks": "karavan.reliability.sweep",
    "write_parquet": "karavan.reliability.sweep",
}
"""Public name -> the module defining it (imported on first use)."""


def __getattr__(name: str) -> Any:
    """Import public names on first use."""
    return _lazy.attribute(__name__, _LAZY, name)


__all__ = [
    "CaspianResult",
    "ElementStats",
    "FleetGroup",
    "ReliabilityParameters",
    "SimulationResult",
    "SweepTask",
    "fleet_groups",
    "load_reliability_parameters",
    "parse_ships",
    "plan_from_dict",
    "plan_from_itinerary",
    "read_metadata",
    "run_sweep",
    "simulate",
    "simulate_caspian",
    "simulate_itinerary",
    "simulate_route",
    "sweep_metadata",
    "sweep_tasks",
    "write_parquet",
]
