"""API benchmark: requests/s and latency of the route endpoint under concurrent load on loopback.

Starts ``uvicorn`` in a subprocess on 127.0.0.1 (a free port), warms it up, then drives it with
an async httpx client (``--concurrency`` requests in flight, ``--requests`` in all) against
``GET /healthz`` (the baseline: the framework's own cost) and ``GET /api/routes`` with a
rotating set of embedded-dataset queries, and stops the server. Traffic goes only to 127.0.0.1.

``--json`` prints one JSON object with the keys ``route_rps``, ``route_p50_ms``,
``route_p95_ms``, ``healthz_rps``, ``healthz_p95_ms``, ``requests``, ``concurrency``,
``workers``, ``errors``, and to judge the figures on a shared machine ``route_server_cpu_ms``
(server CPU per route request, all workers), ``route_client_cpu_ms`` (the load generator's CPU
per request) and ``load_average``.

Target: route_rps >= 200 on 2 cores with route_p95_ms < 100 for embedded-dataset queries.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx

QUERIES = [
    {"origin": "Xi'an", "destination": "Istanbul", "avoid_countries": "RU", "count": "2"},
    {"origin": "Altynkol", "destination": "Baku"},
    {"origin": "Altynkol", "destination": "Poti"},
    {"origin": "Xi'an", "destination": "Baku"},
    {"origin": "Актау", "destination": "Баку", "cargo": "TEU"},
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(port: int, workers: int, dataset: str | None) -> subprocess.Popen[bytes]:
    """Start uvicorn with the app factory on 127.0.0.1 and wait until it answers."""
    env = dict(os.environ)
    if dataset:
        env["KARAVAN_DATASET"] = dataset
    cmd = [
        sys.executable, "-m", "uvicorn", "karavan.api:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("uvicorn exited")
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("uvicorn did not start")


async def drive(base: str, path: str, params: list[dict[str, Any]], n: int, concurrency: int) -> dict[str, Any]:
    """Send ``n`` GET requests with at most ``concurrency`` in flight; latency percentiles and rate."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(n):
            queue.put_nowait(i)

        async def worker() -> None:
            nonlocal errors
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                r = await client.get(path, params=params[i % len(params)] if params else None)
                await r.aread()
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    errors += 1

        t_start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t_start
    latencies.sort()
    return {
        "rps": n / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "errors": errors,
    }


def server_cpu_s(proc: subprocess.Popen[bytes]) -> float | None:
    """CPU seconds used so far by the server process and its workers (``None`` without psutil)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is optional
        return None
    p = psutil.Process(proc.pid)
    total = 0.0
    for q in [p, *p.children(recursive=True)]:
        t = q.cpu_times()
        total += t.user + t.system
    return total


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    ap.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (one per core)")
    ap.add_argument("--dataset", default=None, help="dataset (default: the embedded one)")
    ap.add_argument("--trail", action="store_true", help="ask for the calculation trail in route answers")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port, args.workers, args.dataset)
    try:
        params = [{**q, "trail": "true" if args.trail else "false", "depart": "2026-12-01"} for q in QUERIES]
        # warm-up: routing graph per unit type, numba kernels, every query once per worker
        asyncio.run(drive(base, "/api/routes", params, 20 * args.workers, 2))
        health = asyncio.run(drive(base, "/healthz", [], args.requests, args.concurrency))
        cpu0, client0 = server_cpu_s(proc), time.process_time()
        route = asyncio.run(drive(base, "/api/routes", params, args.requests, args.concurrency))
        cpu1, client1 = server_cpu_s(proc), time.process_time()
    finally:
        proc.terminate()
        proc.wait(10)
    out = {
        "route_rps": round(route["rps"], 1),
        "route_p50_ms": round(route["p50_ms"], 2),
        "route_p95_ms": round(route["p95_ms"], 2),
        "healthz_rps": round(health["rps"], 1),
        "healthz_p95_ms": round(health["p95_ms"], 2),
        "requests": args.requests,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "errors": route["errors"] + health["errors"],
        "route_server_cpu_ms": None if cpu0 is None or cpu1 is None else round(1000 * (cpu1 - cpu0) / args.requests, 2),
        "route_client_cpu_ms": round(1000 * (client1 - client0) / args.requests, 2),
        "load_average": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(out))
        return
    print(f"{'endpoint':<12}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'/healthz':<12}{health['rps']:>10.1f}{health['p50_ms']:>10.2f}{health['p95_ms']:>10.2f}")
    print(f"{'/api/routes':<12}{route['rps']:>10.1f}{route['p50_ms']:>10.2f}{route['p95_ms']:>10.2f}")
    print(
        f"{args.requests} requests each, {args.concurrency} in flight, {args.workers} worker(s); errors {out['errors']}"
    )
    print(
        f"CPU per route request: server {out['route_server_cpu_ms']} ms, client {out['route_client_cpu_ms']} ms; "
        f"load average {out['load_average']}"
    )


if __name__ == "__main__":
    main()
