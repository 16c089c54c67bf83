"""Cheap endpoints are answered on the event loop: they never wait for a thread-pool worker."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import anyio.to_thread
import httpx
import pytest
from fastapi.testclient import TestClient
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
    import ctypes

    from karavan.reliability import kernel as mc
    from karavan.routing import kernel

    for module, name in ((kernel, "kr_label_search"), (kernel, "kr_earliest_arrival"), (mc, "mc_simulate_routes")):
        fn = module.c_function(name)
        assert not fn._flags_ & ctypes._FUNCFLAG_PYTHONAPI, name  # ctypes releases the GIL unless PYTHONAPI (PyDLL)


def test_route_answers_are_gzipped_in_the_endpoint_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The GZip middleware (which compresses on the event loop) never sees a large route answer."""
    from starlette.middleware.gzip import GZipResponder

    def on_the_loop(*args: object) -> bytes:
        raise AssertionError("compressed on the event loop")

    monkeypatch.setattr(GZipResponder, "_compress_body", on_the_loop)
    with TestClient(create_app(Settings(dataset=str(MINI), web=False))) as client:
        for path in ("/api/routes?origin=Alpha&destination=Aktau&depart=2026-12-01", "/api/network"):
            r = client.get(path, headers={"accept-encoding": "gzip"})
            assert r.status_code == 200, path
            assert r.headers["content-encoding"] == "gzip"
            assert "accept-encoding" in r.headers["vary"].lower()
            assert int(r.headers["content-length"]) < len(r.content)  # the compressed length was sent
            plain = client.get(path, headers={"accept-encoding": "identity"})
            assert "content-encoding" not in plain.headers
            assert plain.json() == r.json()
