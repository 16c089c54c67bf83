"""API benchmark: requests/s and latency of the route endpoint on loopback, driven by ``wrk``.

Starts the service with ``python -m karavan.api.server --workers N`` (one listening socket shared
by the workers, ``TCP_NODELAY`` on every connection) on a free 127.0.0.1 port, and drives it with
``wrk`` (a compiled load generator, so the client does not eat the server's cores; ``apt-get
install wrk``). The route load cycles through distinct queries: origin-destination pairs of the
embedded dataset that have a route, each on several departure dates, so no two consecutive
requests are alike and nothing is answered from a response cache (the service has none for
routes). ``/healthz`` is the baseline: what the HTTP stack itself costs. Traffic goes only to
127.0.0.1.

``--json`` prints one object with ``route_rps``, ``route_p50_ms``, ``route_p95_ms`` (8
connections), ``route_p99_ms_64`` and ``route_rps_64`` (64 connections), ``healthz_rps``,
``healthz_p95_ms``, ``workers``, ``queries`` (distinct route queries), ``errors`` (non-2xx and
socket errors), and, to judge figures on a shared machine, ``route_server_cpu_ms`` (server CPU
per route request, all workers) and ``load_average``. ``route_cpu_split_ms`` splits that CPU:
``plan`` (search, accounting, and the Monte Carlo of every returned route: 1,000 runs each, transit
times only), ``to_dict`` and ``encode`` (orjson) are measured in the benchmark's own process on
the same queries (CPU time, after a warm pass, once before and once after the load runs, averaged,
since the machine's load drifts), ``http`` is the rest of the server's CPU per request (uvicorn,
middleware, parameter validation, thread hand-off, response). ``route_loop_cpu_ms`` is
the part of the server's CPU per route request spent in the workers' main threads, their event
loops (uvicorn, middleware, hand-off, sending); the rest is the endpoint threads' (parameters,
planning, ``to_dict``, encoding).

Targets on a 2-core machine: ``route_rps`` >= 1,000 with ``route_p95_ms`` < 20 at 8 connections,
``route_p99_ms_64`` < 100. The load generator and the server share the machine's cores, and other
work on them lowers every figure: compare builds by running them one after the other, and judge
request rates only with a load average near the number of server workers.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

WRK_SCRIPT = r"""
local paths = {}
for line in io.lines(os.getenv("KARAVAN_BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
function init(args) i = tonumber(args[1] or "0") or 0 end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %.1f, "p95_us": %.1f, "p99_us": %.1f, "max_us": %.1f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""

KINDS = ("city", "rail_terminal", "seaport", "dry_port")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def route_queries(dataset: str | None, pairs: int, days: int) -> list[str]:
    """Paths of distinct route queries: OD pairs that have a route, each on ``days`` departure dates."""
    from karavan.errors import KaravanError
    from karavan.io import load_network
    from karavan.routing import RouteQuery, plan_routes

    net = load_network(dataset)
    places = sorted(n.id for n in net.nodes.values() if n.kind.value in KINDS)
    found: list[tuple[str, str]] = []
    for o, d in itertools.permutations(places, 2):
        try:
            plan_routes(net, RouteQuery(o, d, max_routes=1, runs=100))
        except KaravanError:
            continue
        found.append((o, d))
        if len(found) >= pairs:
            break
    paths = []
    for day in range(days):
        for o, d in found:
            q = {"origin": o, "destination": d, "depart": f"2026-12-{day + 1:02d}", "trail": "false"}
            paths.append("/api/routes?" + urllib.parse.urlencode(q))
    return paths


def cpu_split_ms(dataset: str | None, paths: list[str], count: int) -> dict[str, float]:
    """CPU ms per route request in planning, ``to_dict`` and encoding, in this process (first ``count`` queries)."""
    from karavan.api.encoding import dumps
    from karavan.api.models import RouteRequest
    from karavan.api.payloads import plan
    from karavan.api.settings import Settings
    from karavan.io import load_network

    net = load_network(dataset)
    settings = Settings(dataset=dataset)
    requests = [RouteRequest.model_validate(dict(urllib.parse.parse_qsl(p.split("?", 1)[1]))) for p in paths[:count]]
    for req in requests[:10]:  # routing graph, compiled kernels
        plan(net, req, settings)
    spent = dict.fromkeys(("plan", "to_dict", "encode"), 0.0)
    for req in requests:
        t0 = time.process_time()
        result = plan(net, req, settings)
        t1 = time.process_time()
        data = result.to_dict(trail=req.trail)
        t2 = time.process_time()
        dumps(data)
        spent["plan"] += t1 - t0
        spent["to_dict"] += t2 - t1
        spent["encode"] += time.process_time() - t2
    return {k: 1000 * v / max(len(requests), 1) for k, v in spent.items()}


def start_server(port: int, workers: int, dataset: str | None) -> subprocess.Popen[bytes]:
    """Start the service and wait until ``/healthz`` answers."""
    env = dict(os.environ)
    if dataset:
        env["KARAVAN_DATASET"] = dataset
    cmd = [sys.executable, "-m", "karavan.api.server", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except (urllib.error.URLError, OSError):
            pass
        if proc.poll() is not None:
            raise RuntimeError("the server exited")
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the server did not start")


def warm_up(base: str, paths: list[str], workers: int) -> None:
    """Each worker builds its routing graph and compiles its kernels before anything is timed."""
    for path in paths[: 20 * workers]:
        with urllib.request.urlopen(base + path, timeout=60) as r:
            r.read()


def wrk(base: str, path: str, *, connections: int, seconds: float, paths_file: str | None) -> dict[str, Any]:
    """Run wrk (one thread) and return its figures."""
    exe = shutil.which("wrk")
    if exe is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT if paths_file else WRK_SCRIPT.replace("paths[(i % #paths) + 1]", f'"{path}"'))
        script = f.name
    env = dict(os.environ)
    if paths_file:
        env["KARAVAN_BENCH_PATHS"] = paths_file
    else:
        env["KARAVAN_BENCH_PATHS"] = os.devnull
    try:
        duration = f"-d{max(1, round(seconds))}s"
        cmd = [exe, "-t1", f"-c{connections}", duration, "--timeout", "10s", "-s", script, base + path]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(script)
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def server_cpu_s(proc: subprocess.Popen[bytes]) -> float | None:
    """CPU seconds used so far by the server process and its workers (``None`` without psutil)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is optional
        return None
    p = psutil.Process(proc.pid)
    return sum(t.user + t.system for q in [p, *p.children(recursive=True)] for t in [q.cpu_times()])


def loop_thread_cpu_s(proc: subprocess.Popen[bytes]) -> float | None:
    """CPU seconds used so far by the workers' main threads, their event loops (``None`` without psutil)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is optional
        return None
    workers = psutil.Process(proc.pid).children(recursive=True)
    return sum(t.user_time + t.system_time for w in workers for t in w.threads() if t.id == w.pid)


def _split(split: dict[str, float] | None, server_cpu_ms: float | None) -> dict[str, float] | None:
    """The in-process split with ``http``, the rest of the server's CPU per request."""
    if split is None:
        return None
    out = {k: round(v, 3) for k, v in split.items()}
    if server_cpu_ms is not None:
        out["http"] = round(server_cpu_ms - sum(split.values()), 3)
    return out


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0, help="duration of each wrk run")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (one per core)")
    ap.add_argument("--pairs", type=int, default=120, help="origin-destination pairs")
    ap.add_argument("--days", type=int, default=10, help="departure dates per pair")
    ap.add_argument("--dataset", default=None, help="dataset (default: the embedded one)")
    ap.add_argument("--split", type=int, default=100, help="queries timed in-process for the CPU split (0: none)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    paths = route_queries(args.dataset, args.pairs, args.days)
    split = cpu_split_ms(args.dataset, paths, args.split) if args.split else None
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port, args.workers, args.dataset)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(paths) + "\n")
        paths_file = f.name
    try:
        warm_up(base, paths, args.workers)
        health = wrk(base, "/healthz", connections=8, seconds=args.seconds / 2, paths_file=None)
        cpu0, loop0 = server_cpu_s(proc), loop_thread_cpu_s(proc)
        route = wrk(base, paths[0], connections=8, seconds=args.seconds, paths_file=paths_file)
        cpu1, loop1 = server_cpu_s(proc), loop_thread_cpu_s(proc)
        route64 = wrk(base, paths[0], connections=64, seconds=args.seconds, paths_file=paths_file)
    finally:
        os.unlink(paths_file)
        proc.terminate()
        proc.wait(20)
    if split is not None:
        after = cpu_split_ms(args.dataset, paths, args.split)
        split = {k: (v + after[k]) / 2 for k, v in split.items()}
    cpu = None if cpu0 is None or cpu1 is None else 1000 * (cpu1 - cpu0) / max(route["requests"], 1)
    loop_cpu = None if loop0 is None or loop1 is None else 1000 * (loop1 - loop0) / max(route["requests"], 1)
    out = {
        "route_rps": round(route["rps"], 1),
        "route_p50_ms": round(route["p50_us"] / 1000, 2),
        "route_p95_ms": round(route["p95_us"] / 1000, 2),
        "route_p99_ms": round(route["p99_us"] / 1000, 2),
        "route_rps_64": round(route64["rps"], 1),
        "route_p99_ms_64": round(route64["p99_us"] / 1000, 2),
        "healthz_rps": round(health["rps"], 1),
        "healthz_p95_ms": round(health["p95_us"] / 1000, 2),
        "workers": args.workers,
        "queries": len(paths),
        "errors": sum(r["non2xx"] + r["socket_errors"] for r in (route, route64, health)),
        "route_server_cpu_ms": None if cpu is None else round(cpu, 3),
        "route_cpu_split_ms": _split(split, cpu),
        "route_loop_cpu_ms": None if loop_cpu is None else round(loop_cpu, 3),
        "load_average": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(out))
        return
    print(f"{'endpoint':<22}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    rows = [("/healthz (8 conn)", health), ("/api/routes (8 conn)", route), ("/api/routes (64 conn)", route64)]
    for name, r in rows:
        ms = [r[k] / 1000 for k in ("p50_us", "p95_us", "p99_us")]
        print(f"{name:<22}{r['rps']:>10.1f}" + "".join(f"{x:>10.2f}" for x in ms))
    print(f"{out['queries']} distinct route queries, {args.workers} worker(s), errors {out['errors']}")
    print(
        f"server CPU per route request {out['route_server_cpu_ms']} ms ({out['route_loop_cpu_ms']} in the event"
        f" loops); load average {out['load_average']}"
    )
    if out["route_cpu_split_ms"]:
        print("of which " + ", ".join(f"{k} {v}" for k, v in out["route_cpu_split_ms"].items()) + " (ms)")


if __name__ == "__main__":
    main()
