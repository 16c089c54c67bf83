"""Soak test: bounded mixed load on a supervised ``karavan serve``, with a worker killed mid-run.

Starts ``karavan serve --workers N`` on 127.0.0.1 (a free port; only loopback is ever
contacted), warms every lane, then for ``--duration`` seconds drives at once:

- ``--concurrency`` connections asking ``GET /api/routes`` (rotating embedded-dataset queries),
- ``--sim-concurrency`` connections asking ``GET /api/simulate`` (some with ``demand_mt``, so a
  one-year Caspian DES stands behind them: cached per demand after the first),
- one connection sending bad bodies (2 MB, a lone surrogate, broken JSON, a 5,000-character place),
- a ``/healthz`` probe every 50 ms from its own process (the latency users of cheap endpoints
  see), and another from the load generator's event loop,

and a third of the way through kills one worker (``--kill-signal KILL``, default, or ``TERM``
for a graceful stop). The client behaves like a realistic one: a ``GET`` whose connection breaks
before any answer (the killed worker's connections) is sent again once on a new connection, as
RFC 9110 section 9.2.2 allows for idempotent requests. The same holds for ``POST /api/routes``:
the API documents it as a query without side effects (the GET's options in a body), which is
what section 9.2.2 asks a client to know before it retries a POST; a POST that stores something
(``/api/plans``) would never be retried. Figures are given both per attempt (``raw``) and per
request after that retry. ``--json`` prints::

    requests           requests made (a retried GET counts once); attempts counts each try
    errors_5xx         5xx answers other than the deliberate 503 (shed) and 504 (time budget)
    shed_429_503       answers 429/503 with Retry-After (load shedding)
    timeouts_504       answers 504 (time budget)
    conn_errors        attempts that got no answer (the killed worker's connections), raw
    conn_errors_after_retry  requests still without an answer after their retry
    lost               the attempts without an answer, by path and error
    bad_body_statuses  status counts of the deliberately bad requests (400/413/422 expected)
    p99_ms / p50_ms    route requests answered 200
    healthz_p99_ms     the /healthz probe, run in its own process (the server's latency)
    healthz_p99_ms_load_client  the same probe from the load generator's event loop (adds the
                       time that loop spends on route answers before it reads the probe's)
    route_rps          route answers (200) per second
    recovered_s        kill -> the replacement worker has started serving
    failed_pct_recovery_raw  failed attempts (no answer or 5xx other than 503/504) in the
                       window from the kill to recovery + 1 s, in % of the attempts in it
    failed_pct_recovery_after_retry  the same for requests after their retry: what a client
                       that retries an idempotent request once sees

Targets on a 2-core machine: errors_5xx == 0, healthz_p99_ms < 50, recovered_s < 5,
failed_pct_recovery_after_retry < 1 (failed_pct_recovery_raw counts the requests in flight on
the killed worker; no server can answer those after SIGKILL).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
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


RETRIED = (httpx.NetworkError, httpx.RemoteProtocolError)
"""Errors of a connection that closed or broke before any answer: an idempotent request is sent again once."""
RETRIED_NAMES = ("RemoteDisconnected", "ConnectionResetError", "BrokenPipeError", "ConnectionRefusedError")
"""The same errors as :mod:`http.client` (the health probe) names them."""


def _failed(status: int | None) -> bool:
    """No answer, or a 5xx other than the deliberate 503 (shed) and 504 (time budget)."""
    return status is None or (status >= 500 and status not in (503, 504))


@dataclass
class Tally:
    """What the load saw: every attempt (raw) and every request after its retry, if any."""

    statuses: Counter[int] = field(default_factory=Counter)
    bad_statuses: Counter[int] = field(default_factory=Counter)
    conn_errors: int = 0
    conn_errors_after_retry: int = 0
    lost: Counter[str] = field(default_factory=Counter)  # attempts without an answer, by "path: error"
    route_ms: list[float] = field(default_factory=list)
    healthz_ms: list[float] = field(default_factory=list)
    attempts: list[tuple[float, bool]] = field(default_factory=list)  # (time, failed), every attempt
    events: list[tuple[float, bool]] = field(default_factory=list)  # (time, failed), after the retry

    def attempt(self, path: str, status: int | None, error: str = "") -> None:
        """One try at a request: its answer's status or ``None`` with the error's name."""
        if status is None:
            self.conn_errors += 1
            self.lost[f"{path}: {error}"] += 1
        else:
            self.statuses[status] += 1
        self.attempts.append((time.monotonic(), _failed(status)))

    def record(self, status: int | None) -> None:
        """A request's outcome after its last attempt."""
        if status is None:
            self.conn_errors_after_retry += 1
        self.events.append((time.monotonic(), _failed(status)))


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


async def _send(
    client: httpx.AsyncClient, label: str, send: Callable[[], Awaitable[httpx.Response]], tally: Tally
) -> tuple[int | None, float]:
    """Send a side-effect-free request; a connection that breaks before any answer is retried once.

    RFC 9110 section 9.2.2: an idempotent request (a GET, or a POST whose semantics the client
    knows to be a pure query) may be sent again after a broken connection.
    """
    t0 = time.perf_counter()
    status: int | None = None
    for _ in range(2):
        try:
            r = await send()
        except httpx.HTTPError as exc:
            tally.attempt(label, None, type(exc).__name__)
            if isinstance(exc, RETRIED):
                continue
            break
        status = r.status_code
        tally.attempt(label, status)
        break
    tally.record(status)
    return status, 1000 * (time.perf_counter() - t0)


async def _get(client: httpx.AsyncClient, path: str, params: dict[str, Any], tally: Tally) -> tuple[int | None, float]:
    """GET ``path``, retried once on a broken connection."""
    return await _send(client, path, lambda: client.get(path, params=params), tally)


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
    """Deliberately bad bodies to ``POST /api/routes`` (a query: retried once like a GET)."""
    i = 0
    while time.monotonic() < stop:
        body, ctype = BAD_BODIES[i % len(BAD_BODIES)]
        status, _ = await _send(
            client,
            "POST /api/routes",
            lambda body=body, ctype=ctype: client.post("/api/routes", content=body, headers={"content-type": ctype}),
            tally,
        )
        if status is not None:
            tally.bad_statuses[status] += 1
        i += 1
        await asyncio.sleep(0.05)


async def health_loop(client: httpx.AsyncClient, stop: float, tally: Tally, ms_out: list[float]) -> None:
    """``/healthz`` from the load generator's own event loop (latency includes that loop's delays)."""
    while time.monotonic() < stop:
        status, ms = await _get(client, "/healthz", {}, tally)
        if status == 200:
            ms_out.append(ms)
        await asyncio.sleep(0.05)


Probe = tuple[float, int | None, float, list[tuple[float, str]]]
"""One probe request: (end time, final status or None, ms, failed attempts as (time, error))."""


def _probe_once(port: int, conn: list[http.client.HTTPConnection]) -> tuple[int | None, str]:
    """One ``GET /healthz`` on the kept-alive connection ``conn[0]`` (replaced after a failure)."""
    try:
        conn[0].request("GET", "/healthz")
        r = conn[0].getresponse()
        r.read()
        return r.status, ""
    except (OSError, http.client.HTTPException) as exc:
        conn[0].close()
        conn[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        return None, type(exc).__name__


def health_probe(port: int, start: float, stop: float, interval_s: float) -> list[Probe]:
    """``GET /healthz`` every ``interval_s`` from ``start`` to ``stop`` (monotonic clock), in its own process.

    A client of a cheap endpoint is not the load generator: run apart from it, the probe's
    figures are the server's latency, not the time the load generator's own event loop spends
    parsing route answers before it reads the probe's. A broken connection is retried once.
    """
    conn = [http.client.HTTPConnection("127.0.0.1", port, timeout=10)]
    out: list[Probe] = []
    time.sleep(max(0.0, start - time.monotonic()))
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        failures: list[tuple[float, str]] = []
        status, error = _probe_once(port, conn)
        if status is None and error in RETRIED_NAMES:
            failures.append((time.monotonic(), error))
            status, error = _probe_once(port, conn)
        if status is None:
            failures.append((time.monotonic(), error))
        out.append((time.monotonic(), status, 1000 * (time.perf_counter() - t0), failures))
        time.sleep(interval_s)
    conn[0].close()
    return out


def add_probes(tally: Tally, probes: list[Probe]) -> None:
    """Fold the probe process's requests into the tally."""
    for end, status, ms, failures in probes:
        for at, error in failures:
            tally.conn_errors += 1
            tally.lost[f"/healthz: {error}"] += 1
            tally.attempts.append((at, True))
        if status is not None:
            tally.statuses[status] += 1
            tally.attempts.append((end, _failed(status)))
            if status == 200:
                tally.healthz_ms.append(ms)
        else:
            tally.conn_errors_after_retry += 1
        tally.events.append((end, _failed(status)))


async def killer(
    proc: subprocess.Popen[bytes], log: Path, at: float, args: argparse.Namespace, out: dict[str, Any]
) -> None:
    """Kill one worker at ``at`` with ``args.kill_signal``; record when its replacement has started serving."""
    workers = args.workers
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    before = startups(log)
    victim = sorted(workers_of(proc))[0]
    os.kill(victim, getattr(signal, f"SIG{args.kill_signal}"))
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
            tally, kill = Tally(), dict[str, Any]()
            shared_ms: list[float] = []
            limits = httpx.Limits(max_connections=args.concurrency + args.sim_concurrency + 4)
            loop = asyncio.get_running_loop()
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                await loop.run_in_executor(pool, time.monotonic)  # the probe's process is up before the load
                async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
                    t0 = time.monotonic()
                    stop = t0 + args.duration
                    probes = loop.run_in_executor(pool, health_probe, port, t0, stop, 0.05)
                    await asyncio.gather(
                        *(route_loop(client, stop, tally, i) for i in range(args.concurrency)),
                        *(sim_loop(client, stop, tally, i) for i in range(args.sim_concurrency)),
                        bad_loop(client, stop, tally),
                        health_loop(client, stop, tally, shared_ms),
                        killer(proc, log, t0 + args.duration / 3, args, kill),
                    )
                    elapsed = time.monotonic() - t0
                    add_probes(tally, await probes)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
    result = figures(tally, kill, elapsed, args)
    result["healthz_p99_ms_load_client"] = _pct(shared_ms, 0.99)
    return result


def _failed_pct(events: list[tuple[float, bool]], a: float, b: float) -> float:
    window = [failed for t, failed in events if a <= t <= b]
    return round(100 * sum(window) / max(len(window), 1), 3)


def recovery(tally: Tally, kill: dict[str, Any]) -> dict[str, Any]:
    """Recovery time and the failed share of the kill -> recovered + 1 s window, raw and after the retry."""
    if "recovered_at" not in kill:
        return {"recovered_s": None, "failed_pct_recovery_raw": None, "failed_pct_recovery_after_retry": None}
    a, b = kill["killed_at"], kill["recovered_at"]
    return {
        "recovered_s": round(b - a, 2),
        "failed_pct_recovery_raw": _failed_pct(tally.attempts, a, b + 1.0),
        "failed_pct_recovery_after_retry": _failed_pct(tally.events, a, b + 1.0),
    }


def figures(tally: Tally, kill: dict[str, Any], elapsed: float, args: argparse.Namespace) -> dict[str, Any]:
    """The reported figures (see the module docstring)."""
    s = tally.statuses
    return {
        "duration_s": round(elapsed, 1),
        "workers": args.workers,
        "concurrency": args.concurrency,
        "sim_concurrency": args.sim_concurrency,
        "kill_signal": args.kill_signal,
        "requests": len(tally.events),
        "attempts": len(tally.attempts),
        "status_counts": {str(k): v for k, v in sorted(s.items())},
        "errors_5xx": sum(v for k, v in s.items() if k >= 500 and k not in (503, 504)),
        "shed_429_503": s[429] + s[503],
        "timeouts_504": s[504],
        "conn_errors": tally.conn_errors,
        "conn_errors_after_retry": tally.conn_errors_after_retry,
        "lost": dict(tally.lost.most_common()),
        "bad_body_statuses": {str(k): v for k, v in sorted(tally.bad_statuses.items())},
        "route_rps": round(len(tally.route_ms) / elapsed, 1),
        "p50_ms": _pct(tally.route_ms, 0.50),
        "p99_ms": _pct(tally.route_ms, 0.99),
        "healthz_p50_ms": _pct(tally.healthz_ms, 0.50),
        "healthz_p99_ms": _pct(tally.healthz_ms, 0.99),
        **recovery(tally, kill),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32, help="route connections")
    parser.add_argument("--sim-concurrency", type=int, default=4, help="simulate connections")
    parser.add_argument(
        "--kill-signal", choices=("KILL", "TERM"), default="KILL", help="signal sent to one worker (default KILL)"
    )
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
