"""Soak test: bounded mixed load on a supervised ``karavan serve``, with a worker killed mid-run.

Starts ``karavan serve --workers N`` on 127.0.0.1 (a free port; only loopback is ever
contacted), warms every lane, then for ``--duration`` seconds drives at once:

- ``--concurrency`` connections asking ``GET /api/routes`` (rotating embedded-dataset queries),
- ``--sim-concurrency`` connections asking ``GET /api/simulate`` (some with ``demand_mt``, so a
  one-year Caspian DES stands behind them: cached per demand after the first),
- one connection sending bad bodies (2 MB, a lone surrogate, broken JSON, a 5,000-character place),
- one ``/healthz`` probe every 50 ms (the latency users of cheap endpoints see),

and a third of the way through kills one worker with SIGKILL. ``--json`` prints::

    requests           all requests answered or failed
    errors_5xx         5xx answers other than the deliberate 503 (shed) and 504 (time budget)
    shed_429_503       answers 429/503 with Retry-After (load shedding)
    timeouts_504       answers 504 (time budget)
    conn_errors        requests that got no answer (the killed worker's connections)
    bad_body_statuses  status counts of the deliberately bad requests (400/413/422 expected)
    p99_ms / p50_ms    route requests answered 200
    healthz_p99_ms     the /healthz probe
    route_rps          route answers (200) per second
    recovered_s        kill -> the replacement worker has started serving
    failed_pct_recovery  failed requests (no answer or 5xx other than 503/504) in the
                         window from the kill to recovery, in % of the requests in it

Targets on a 2-core machine: errors_5xx == 0, healthz_p99_ms < 50, recovered_s < 5,
failed_pct_recovery < 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

QUERIES = [
    {"origin": "Xi'an", "destination": "Istanbul", "avoid_countries": "RU", "count": "2", "trail": "false"},
    {"origin": "Altynkol", "destination": "Baku", "trail": "false"},
    {"origin": "Altynkol", "destination": "Poti", "trail": "false"},
    {"origin": "Xi'an", "destination": "Baku", "trail": "false"},
    {"origin": "Актау", "destination": "Баку", "cargo": "TEU", "trail": "false"},
]
SIMULATIONS = [
    {"origin": "Altynkol", "destination": "Baku", "runs": "500"},
    {"origin": "Altynkol", "destination": "Baku", "runs": "500", "demand_mt": "4.5"},
    {"origin": "Xi'an", "destination": "Baku", "runs": "500", "demand_mt": "6"},
]
BAD_BODIES: list[tuple[bytes, str]] = [
    (b'{"origin": "' + b"A" * 2_000_000 + b'"}', "application/json"),
    (b'{"origin": "\\ud800", "destination": "Baku"}', "application/json"),
    (b'{"origin": "Altynkol", "destination": ', "application/json"),
    (json.dumps({"origin": "x" * 5000, "destination": "Baku"}).encode(), "application/json"),
]


@dataclass
class Tally:
    """What the load saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    bad_statuses: Counter[int] = field(default_factory=Counter)
    conn_errors: int = 0
    route_ms: list[float] = field(default_factory=list)
    healthz_ms: list[float] = field(default_factory=list)
    events: list[tuple[float, bool]] = field(default_factory=list)  # (time, failed)

    def record(self, status: int | None) -> None:
        failed = status is None or (status >= 500 and status not in (503, 504))
        if status is None:
            self.conn_errors += 1
        else:
            self.statuses[status] += 1
        self.events.append((time.monotonic(), failed))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(port: int, workers: int, log: Path, workdir: Path) -> subprocess.Popen[bytes]:
    """``karavan serve --workers N`` on 127.0.0.1; its log goes to ``log``."""
    env = {
        **os.environ,
        "KARAVAN_WEB": "false",
        "KARAVAN_LOG_LEVEL": "info",
        "KARAVAN_DATABASE_URL": f"sqlite:///{workdir / 'plans.sqlite'}",
    }
    cmd = [sys.executable, "-m", "karavan.cli.main", "serve", "--workers", str(workers), "--port", str(port)]
    with log.open("wb") as fh:
        return subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)


def startups(log: Path) -> int:
    """How many worker processes have finished starting (uvicorn logs one line each)."""
    return log.read_text(errors="replace").count("Application startup complete")


def workers_of(proc: subprocess.Popen[bytes]) -> list[int]:
    """Process ids of the supervisor's live workers: forked from it (same command line) or spawned afresh."""
    parent = psutil.Process(proc.pid)
    own = parent.cmdline()
    out = []
    for child in parent.children():
        try:
            cmd = child.cmdline()
            if child.status() != psutil.STATUS_ZOMBIE and (cmd == own or any("spawn_main" in a for a in cmd)):
                out.append(child.pid)
        except psutil.Error:
            continue
    return out


async def wait_ready(base: str, log: Path, workers: int, timeout_s: float = 300) -> None:
    """Until every worker has started and ``/healthz`` answers 200."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                if startups(log) >= workers and (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the service did not start")


async def warm(base: str, workers: int) -> None:
    """Compile and cache in every worker: enough route and simulate requests to reach each."""
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        for _ in range(3 * workers):
            await asyncio.gather(
                *(client.get("/api/routes", params=q) for q in QUERIES),
                *(client.get("/api/simulate", params=q) for q in SIMULATIONS),
            )


async def _get(client: httpx.AsyncClient, path: str, params: dict[str, Any], tally: Tally) -> tuple[int | None, float]:
    t0 = time.perf_counter()
    try:
        r = await client.get(path, params=params)
        status: int | None = r.status_code
    except httpx.HTTPError:
        status = None
    tally.record(status)
    return status, 1000 * (time.perf_counter() - t0)


async def route_loop(client: httpx.AsyncClient, stop: float, tally: Tally, offset: int) -> None:
    i = offset
    while time.monotonic() < stop:
        status, ms = await _get(client, "/api/routes", QUERIES[i % len(QUERIES)], tally)
        if status == 200:
            tally.route_ms.append(ms)
        elif status == 503:
            await asyncio.sleep(0.05)  # a polite client backs off a little
        i += 1


async def sim_loop(client: httpx.AsyncClient, stop: float, tally: Tally, offset: int) -> None:
    i = offset
    while time.monotonic() < stop:
        status, _ = await _get(client, "/api/simulate", SIMULATIONS[i % len(SIMULATIONS)], tally)
        if status == 503:
            await asyncio.sleep(0.2)
        i += 1


async def bad_loop(client: httpx.AsyncClient, stop: float, tally: Tally) -> None:
    i = 0
    while time.monotonic() < stop:
        body, ctype = BAD_BODIES[i % len(BAD_BODIES)]
        try:
            r = await client.post("/api/routes", content=body, headers={"content-type": ctype})
            status: int | None = r.status_code
            tally.bad_statuses[r.status_code] += 1
        except httpx.HTTPError:
            status = None
        tally.record(status)
        i += 1
        await asyncio.sleep(0.05)


async def health_loop(client: httpx.AsyncClient, stop: float, tally: Tally) -> None:
    while time.monotonic() < stop:
        status, ms = await _get(client, "/healthz", {}, tally)
        if status == 200:
            tally.healthz_ms.append(ms)
        await asyncio.sleep(0.05)


async def killer(proc: subprocess.Popen[bytes], log: Path, at: float, workers: int, out: dict[str, Any]) -> None:
    """Kill one worker at ``at``; record when its replacement has started serving."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    before = startups(log)
    victim = sorted(workers_of(proc))[0]
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    out["killed_at"] = killed
    while time.monotonic() - killed < 120:
        if startups(log) > before and len(workers_of(proc)) >= workers:
            out["recovered_at"] = time.monotonic()
            return
        await asyncio.sleep(0.05)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    """Run the whole soak and return its figures."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="karavan-soak-") as tmp:
        log = Path(tmp) / "serve.log"
        proc = start_server(port, args.workers, log, Path(tmp))
        try:
            await wait_ready(base, log, args.workers)
            await warm(base, args.workers)
            tally, kill = Tally(), {}
            limits = httpx.Limits(max_connections=args.concurrency + args.sim_concurrency + 4)
            async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
                t0 = time.monotonic()
                stop = t0 + args.duration
                await asyncio.gather(
                    *(route_loop(client, stop, tally, i) for i in range(args.concurrency)),
                    *(sim_loop(client, stop, tally, i) for i in range(args.sim_concurrency)),
                    bad_loop(client, stop, tally),
                    health_loop(client, stop, tally),
                    killer(proc, log, t0 + args.duration / 3, args.workers, kill),
                )
                elapsed = time.monotonic() - t0
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
    return figures(tally, kill, elapsed, args)


def figures(tally: Tally, kill: dict[str, Any], elapsed: float, args: argparse.Namespace) -> dict[str, Any]:
    """The reported figures (see the module docstring)."""
    s = tally.statuses
    recovered_s = failed_pct = None
    if "recovered_at" in kill:
        a, b = kill["killed_at"], kill["recovered_at"]
        recovered_s = round(b - a, 2)
        window = [failed for t, failed in tally.events if a <= t <= b + 1.0]
        failed_pct = round(100 * sum(window) / max(len(window), 1), 3)
    return {
        "duration_s": round(elapsed, 1),
        "workers": args.workers,
        "concurrency": args.concurrency,
        "sim_concurrency": args.sim_concurrency,
        "requests": sum(s.values()) + tally.conn_errors,
        "status_counts": {str(k): v for k, v in sorted(s.items())},
        "errors_5xx": sum(v for k, v in s.items() if k >= 500 and k not in (503, 504)),
        "shed_429_503": s[429] + s[503],
        "timeouts_504": s[504],
        "conn_errors": tally.conn_errors,
        "bad_body_statuses": {str(k): v for k, v in sorted(tally.bad_statuses.items())},
        "route_rps": round(len(tally.route_ms) / elapsed, 1),
        "p50_ms": _pct(tally.route_ms, 0.50),
        "p99_ms": _pct(tally.route_ms, 0.99),
        "healthz_p50_ms": _pct(tally.healthz_ms, 0.50),
        "healthz_p99_ms": _pct(tally.healthz_ms, 0.99),
        "recovered_s": recovered_s,
        "failed_pct_recovery": failed_pct,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32, help="route connections")
    parser.add_argument("--sim-concurrency", type=int, default=4, help="simulate connections")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = asyncio.run(soak(args))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
