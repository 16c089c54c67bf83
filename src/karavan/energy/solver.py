"""Solve an energy dataset with PyPSA (linear optimal power and gas flow through linopy and HiGHS).

:func:`solve` builds the PyPSA network, optimises one year of typical days and turns the solution into an
:class:`~karavan.energy.results.EnergyResult` of plain numbers (flows in bcm/yr and TWh/yr, utilisation, nodal
prices, the value of one more unit of capacity, unserved demand, CO2 and cross-border trade). Results are
cached by the dataset's content hash (which a scenario changes), so the API and ``diff`` reuse them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from karavan.energy.model import EnergyDataset
from karavan.energy.network import build_network
from karavan.energy.results import EnergyResult, extract_result
from karavan.errors import SolveError

Progress = Callable[[str], None]
"""Receives a short message at each stage of a solve (build, optimise, extract)."""

_QUIET_LOGGERS = ("pypsa", "linopy")
_LOG_LOCK = threading.Lock()
_SOLVE_LOCK = threading.Lock()
_CACHE: dict[str, EnergyResult] = {}
_CACHE_MAX = 16


@contextmanager
def _quiet() -> Iterator[None]:
    """Hold PyPSA's and linopy's INFO chatter for the duration of a solve."""
    with _LOG_LOCK:
        saved = {name: logging.getLogger(name).level for name in _QUIET_LOGGERS}
        for name in _QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        with _LOG_LOCK:
            for name, level in saved.items():
                logging.getLogger(name).setLevel(level)


def _silence_highs_banner() -> None:
    """HiGHS prints a banner on fd 1 the first time a solver is built; build that one silently."""
    from karavan.capacity.lp import _new_highs

    _new_highs()


def optimise(network: Any) -> tuple[str, str]:
    """Run PyPSA's linear optimisation on ``network`` with HiGHS; returns (status, condition)."""
    _silence_highs_banner()
    with _quiet():
        status, condition = network.optimize(
            solver_name="highs",
            solver_options={"output_flag": False, "threads": 1, "random_seed": 0},
            include_objective_constant=False,
            assign_all_duals=True,
            io_api="direct",
            progress=False,
        )
    return str(status), str(condition)


def clear_cache() -> None:
    """Forget cached results (tests; a long-running service that reloads data)."""
    _CACHE.clear()


def solve(ds: EnergyDataset, *, progress: Progress | None = None, use_cache: bool = True) -> EnergyResult:
    """Optimise one year of ``ds`` at typical-day resolution and return the result.

    Parameters
    ----------
    ds
        A loaded (and possibly scenario-modified) energy dataset.
    progress
        Called with a message at each stage, e.g. to drive a spinner.
    use_cache
        Reuse an earlier result of the same dataset content.

    Raises
    ------
    karavan.errors.SolveError
        If HiGHS does not report an optimal solution.
    karavan.errors.MissingExtraError
        If the ``energy`` extra (PyPSA) is not installed.
    """
    key = ds.content_hash
    if use_cache and key in _CACHE:
        return _CACHE[key]
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    with _SOLVE_LOCK:
        say(f"building the PyPSA network of {ds.info.name} ({ds.scenario})")
        network = build_network(ds)
        say(f"optimising {len(network.buses)} buses x {len(network.snapshots)} snapshots with HiGHS")
        status, condition = optimise(network)
        if status != "ok":
            raise SolveError(f"the energy optimisation of {ds.info.name} ({ds.scenario}) ended {status}: {condition}")
        say("extracting flows, prices and trade")
        result = extract_result(ds, network, solve_s=time.perf_counter() - t0)
    if use_cache:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = result
    return result
