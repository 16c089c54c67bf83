"""Reliability: transit time as a distribution.

- :func:`simulate` / :func:`simulate_itinerary`: Monte Carlo over border dwell, hub handling,
  ferry waits, timetable slippage, train path delays and weather closures (vectorised numpy).
- :func:`simulate_caspian`: a discrete-event model (SimPy) of the Caspian crossing whose
  waiting times feed the Monte Carlo at a chosen demand level.
- :func:`sweep_tasks` / :func:`run_sweep`: scenario sweeps on ``dask.distributed``, to Parquet.

Parameters with their sources are in the packaged ``parameters.yaml``
(:func:`load_reliability_parameters`). SimPy and Dask are imported only when used.
"""

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
from karavan.reliability.sweep import SweepTask, read_metadata, run_sweep, sweep_metadata, sweep_tasks, write_parquet

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
