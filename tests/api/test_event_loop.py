"""Cheap endpoints are answered on the event loop: they never wait for a thread-pool worker."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import anyio.to_thread
import httpx
from starlette.concurrency import run_in_threadpool

from karavan.api import Settings, create_app

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


def test_healthz_and_meta_answer_while_the_thread_pool_is_busy() -> None:
    release = threading.Event()
    try:
        asyncio.run(_answers_with_a_busy_pool(release))
    finally:
        release.set()


async def _answers_with_a_busy_pool(release: threading.Event) -> None:
    app = create_app(Settings(dataset=str(MINI), web=False))
    app.state.holder.load()  # what the lifespan does
    anyio.to_thread.current_default_thread_limiter().total_tokens = 1
    busy = asyncio.ensure_future(run_in_threadpool(release.wait))  # a route computing, say
    await asyncio.sleep(0.05)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for path in ("/healthz", "/api/meta"):
            r = await asyncio.wait_for(client.get(path), timeout=10)
            assert r.status_code == 200, path
        assert not busy.done()  # the only worker thread was busy all along
        release.set()
        await busy
        r = await asyncio.wait_for(client.get("/api/places?q=Ak"), timeout=10)  # a plain def endpoint
        assert r.status_code == 200


def test_kernels_called_by_route_requests_release_the_gil() -> None:
    """A worker's event loop runs while a route thread is in compiled code (routing search, Monte Carlo)."""
    from karavan.reliability.kernel import simulate_routes
    from karavan.routing import kernel

    called = (kernel.label_search, kernel.earliest_arrival, kernel.static_bounds, kernel.landmark_tables)
    for compiled in (*called, simulate_routes):
        assert compiled.targetoptions.get("nogil") is True, compiled.py_func.__name__
