"""Scenario sweeps (demand levels × fleet sizes × months × replications) on Dask.

Each task is one DES run (a demand level, a fleet size, a replication seed); it returns
one row per month, line, direction and unit type with waiting-time quantiles, queue and
throughput figures, and — when a route is given — Monte Carlo transit-time quantiles of
that route departing mid-month with waits taken from the same DES run. Tasks go to a
``dask.distributed`` cluster: a ``LocalCluster`` by default, or an existing scheduler
(``scheduler=`` or ``$KARAVAN_DASK_SCHEDULER``). Results are written to Parquet with pyarrow.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from karavan import limits
from karavan.errors import InputError

SCHEDULER_ENV = "KARAVAN_DASK_SCHEDULER"
#: Seconds to wait for a named Dask scheduler to answer before giving up (Dask's own default is 30 s).
SCHEDULER_CONNECT_S = 10.0
#: Address schemes a Dask scheduler listens on.
SCHEDULER_SCHEMES = ("tcp", "tls", "ucx", "ws", "wss", "inproc")


@dataclass(frozen=True)
class SweepTask:
    """One DES run of the sweep and what to report from it."""

    demand_mt: float
    ships: int | None
    replication: int
    seed: int
    months: tuple[int, ...]
    years: float = 1.0
    route: tuple[str, str] | None = None
    dataset: str | None = None
    mc_runs: int = 2000
    depart_year: int = 2026
    route_options: Mapping[str, Any] = field(default_factory=dict)


def sweep_tasks(
    *,
    demand_mt: Sequence[float],
    ships: Sequence[int | None] = (None,),
    months: Sequence[int] = (1,),
    replications: int = 1,
    seed: int = 0,
    years: float = 1.0,
    route: tuple[str, str] | None = None,
    dataset: str | None = None,
    mc_runs: int = 2000,
    depart_year: int = 2026,
) -> list[SweepTask]:
    """The task list of a sweep (validated), one per demand × fleet × replication.

    Replication seeds are drawn from ``numpy.random.SeedSequence(seed)``; replication ``r`` uses the
    same seed for every demand level and fleet size (common random numbers).

    Raises
    ------
    karavan.errors.InputError
        Naming the field of a bad value.
    """
    _check_levels(demand_mt, ships, months)
    limits.REPLICATIONS.check(replications, "runs")
    limits.SEED.check(seed, "seed")
    limits.YEARS.check(years, "years")
    limits.RUNS.check(mc_runs, "mc_runs")
    des_years = len(demand_mt) * len(ships) * replications * years
    if des_years > limits.SWEEP_DES_YEARS:
        raise InputError(
            "runs", replications, f"a sweep of at most {limits.SWEEP_DES_YEARS:,} DES years (this one: {des_years:,g})"
        )
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(replications)]
    return [
        SweepTask(float(d), s, r, seeds[r], tuple(months), years, route, dataset, mc_runs, depart_year)
        for d in demand_mt
        for s in ships
        for r in range(replications)
    ]


def _check_levels(demand_mt: Sequence[float], ships: Sequence[int | None], months: Sequence[int]) -> None:
    for name, values, what in (
        ("demand_mt", demand_mt, "demand level in Mt/yr"),
        ("ships", ships, "fleet size"),
        ("months", months, "month 1..12"),
    ):
        if not values:
            raise InputError(name, list(values), f"at least one {what}")
        if len(values) > limits.SWEEP_LEVELS:
            raise InputError(name, len(values), f"at most {limits.SWEEP_LEVELS} values")
    for d in demand_mt:
        limits.DEMAND_MT.check(d, "demand_mt")
    for s in ships:
        if s is not None:
            limits.SHIPS.check(s, "ships")
    for m in months:
        limits.MONTH.check(m, "months")


_NETWORKS: dict[str | None, Any] = {}


def run_task(task: SweepTask) -> list[dict[str, Any]]:
    """Run one sweep task (in a worker): a DES run, then rows per month × stream (+ route MC)."""
    from karavan.reliability.des import simulate_caspian
    from karavan.reliability.montecarlo import simulate_route
    from karavan.routing import RouteQuery, plan_routes

    res = simulate_caspian(demand_mt=task.demand_mt, years=task.years, seed=task.seed, ships=task.ships)
    base = {
        "demand_mt": task.demand_mt,
        "ships": task.ships if task.ships is not None else sum(g.count for g in res.fleet),
        "replication": task.replication,
        "seed": task.seed,
        "throughput_mt_per_year": res.throughput_mt(),
    }
    rows: list[dict[str, Any]] = []
    for month in task.months:
        mc: dict[str, Any] = {}
        if task.route is not None:
            net = _NETWORKS.get(task.dataset)
            if net is None:
                from karavan.io import load_network

                net = _NETWORKS[task.dataset] = load_network(task.dataset)
            query = RouteQuery(
                task.route[0],
                task.route[1],
                depart=datetime(task.depart_year, month, 15, tzinfo=UTC),
                runs=100,
                seed=task.seed,
                **dict(task.route_options),
            )
            plan = plan_routes(net, query)  # one search per month; the route is simulated with the DES waits
            r = simulate_route(net, plan.routes[0], plan.query, runs=task.mc_runs, des=res)
            mc = {"route_p50_h": r.p50_h, "route_p90_h": r.p90_h, "route_p95_h": r.p95_h, "route_mean_h": r.mean_h}
        for s in res.streams:
            sel = s.month == month - 1
            w = s.wait_h[sel]
            w = w[~np.isnan(w)]
            p50, p90 = (float(x) for x in np.quantile(w, (0.5, 0.9))) if w.size else (float("nan"), float("nan"))
            rows.append(
                {
                    **base,
                    "month": month,
                    "line": s.line,
                    "from_port": s.origin,
                    "to_port": s.destination,
                    "unit": s.unit,
                    "arrivals": int(sel.sum()),
                    "sailed": int(w.size),
                    "wait_mean_h": float(w.mean()) if w.size else float("nan"),
                    "wait_p50_h": p50,
                    "wait_p90_h": p90,
                    **mc,
                }
            )
    return rows


def scheduler_address(scheduler: str | None) -> str | None:
    """The scheduler to use: the argument, else ``$KARAVAN_DASK_SCHEDULER``, else ``None`` (local)."""
    return scheduler or os.environ.get(SCHEDULER_ENV) or None


def check_scheduler_address(address: str, *, field: str = "scheduler") -> str:
    """Return ``address`` if it has the form ``scheme://host[:port]``; else raise :class:`InputError`."""
    scheme, sep, rest = address.partition("://")
    host = rest.split("/", 1)[0].rsplit(":", 1)
    port_ok = len(host) == 1 or (host[1].isdigit() and 0 < int(host[1]) < 65536)
    if not sep or scheme not in SCHEDULER_SCHEMES or not host[0] or not port_ok:
        schemes = "/".join(SCHEDULER_SCHEMES)
        raise InputError(field, address, f"a Dask scheduler address such as tcp://host:8786 ({schemes})")
    return address


def connect_scheduler(address: str, *, field: str = "scheduler", timeout_s: float = SCHEDULER_CONNECT_S) -> Any:
    """A ``dask.distributed.Client`` on the scheduler at ``address``, or :class:`InputError` naming ``field``.

    Fails within ``timeout_s`` when nothing answers there, instead of Dask's 30 s default.
    """
    from importlib import import_module

    dd: Any = import_module("dask.distributed")  # untyped dependency, imported only here
    check_scheduler_address(address, field=field)
    try:
        return dd.Client(address, timeout=f"{timeout_s:g}s")
    except (OSError, TimeoutError, ValueError) as exc:
        expected = f"a reachable Dask scheduler (none answered within {timeout_s:g} s: {type(exc).__name__})"
        raise InputError(field, address, expected) from exc


def run_sweep(
    tasks: Sequence[SweepTask],
    *,
    scheduler: str | None = None,
    client: Any = None,
    n_workers: int = 2,
    processes: bool = True,
    on_result: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Run sweep tasks on Dask and return the rows, ordered by task.

    Parameters
    ----------
    tasks : sequence of SweepTask
        From :func:`sweep_tasks`.
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); default ``$KARAVAN_DASK_SCHEDULER``,
        else a ``LocalCluster`` started for this call.
    client : dask.distributed.Client, optional
        A client you already hold (it wins over ``scheduler`` and is left open).
    n_workers : int
        Workers of the local cluster (at most 2 on small machines).
    processes : bool
        Local cluster with worker processes (default) or threads.
    on_result : callable, optional
        ``on_result(done, total)`` after each finished task (e.g. a progress bar).

    Returns
    -------
    list of dict
        One row per task × month × line × direction × unit type.
    """
    from importlib import import_module

    dd: Any = import_module("dask.distributed")  # untyped dependency, imported only here
    address = scheduler_address(scheduler)
    cluster = None
    own = client is None
    if not own:
        pass  # the caller's client: used as is and left open
    elif address is None:
        cluster = dd.LocalCluster(
            n_workers=max(1, n_workers), threads_per_worker=1, processes=processes, dashboard_address=None
        )
        client = dd.Client(cluster)
    else:
        client = connect_scheduler(address)
    try:
        futures = client.map(run_task, list(tasks), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[list[dict[str, Any]]] = [[] for _ in tasks]
        for done, fut in enumerate(dd.as_completed(futures), start=1):
            results[index[fut.key]] = fut.result()
            if on_result is not None:
                on_result(done, len(futures))
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()
    return [row for rows in results for row in rows]


def sweep_metadata(net: Any, parameters: Mapping[str, Any]) -> dict[str, str]:
    """Key-value metadata for a sweep's Parquet file: karavan version, dataset and the sweep's parameters."""
    import json

    from karavan import __version__

    return {
        "karavan_version": __version__,
        "dataset": net.info.name,
        "dataset_version": net.info.version,
        "dataset_hash": net.content_hash,
        "parameters": json.dumps(dict(parameters), sort_keys=True, default=str),
    }


def read_metadata(path: str | Path) -> dict[str, str]:
    """The karavan metadata written by :func:`write_parquet` (decoded keys and values)."""
    from importlib import import_module

    pq: Any = import_module("pyarrow.parquet")
    raw = pq.read_schema(Path(path)).metadata or {}
    return {k.decode(): v.decode() for k, v in raw.items() if not k.startswith(b"pandas")}


def write_parquet(
    rows: Iterable[Mapping[str, Any]], path: str | Path, *, metadata: Mapping[str, str] | None = None
) -> Path:
    """Write sweep rows to a Parquet file (via a temporary sibling, then renamed).

    ``metadata`` (e.g. from :func:`sweep_metadata`) is stored as the file's key-value metadata.
    """
    from importlib import import_module

    pa: Any = import_module("pyarrow")  # untyped dependency, imported only here
    pq: Any = import_module("pyarrow.parquet")

    rows = list(rows)
    if not rows:
        raise InputError("rows", [], "at least one result row")
    cols = list(dict.fromkeys(k for r in rows for k in r))
    table = pa.table({c: [r.get(c) for r in rows] for c in cols})
    if metadata:
        table = table.replace_schema_metadata({str(k): str(v) for k, v in metadata.items()})
    from karavan.io.atomic import atomic_file

    out = Path(path)
    with atomic_file(out, field="output") as tmp:
        pq.write_table(table, tmp)
    return out
