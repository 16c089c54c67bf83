"""The service protects itself: body limits, time budgets, load shedding, single-flight caches."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from karavan.api import Settings, create_app
from karavan.api.protect import ProtectMiddleware, ResultCache

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


def _in_thread(factory: Any) -> None:
    """Run ``factory()`` (a coroutine) on a fresh event loop in its own thread."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(factory())
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if errors:
        raise errors[0]


class SlowApp:
    """A stand-in app: ``/api/routes`` and ``/api/simulate`` wait on events; everything else answers."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.finished = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return
        body = b""
        if scope["method"] == "POST":
            msg = await receive()
            body = msg.get("body", b"")
        if scope["path"] in ("/api/routes", "/api/simulate"):
            await self.release.wait()
            self.finished += 1
        data = json.dumps({"ok": True, "got": len(body)}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": data})


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def _protected(**settings: Any) -> tuple[SlowApp, ProtectMiddleware]:
    inner = SlowApp()
    return inner, ProtectMiddleware(inner, Settings(web=False, **settings))


def test_body_limit_413_without_echo() -> None:
    _in_thread(_body_limit_413_without_echo)


async def _body_limit_413_without_echo() -> None:
    _, app = _protected(max_body_bytes=2048)
    async with _client(app) as client:
        r = await client.post("/api/routes", content=b"x" * 50_000, headers={"content-type": "application/json"})
        assert r.status_code == 413
        assert len(r.content) < 300
        assert r.json()["error"] == "body_too_large"

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"y" * 1000

        r = await client.post("/api/routes", content=chunks())
        assert r.status_code == 413


def test_lone_surrogate_is_400() -> None:
    _in_thread(_lone_surrogate_is_400)


async def _lone_surrogate_is_400() -> None:
    _, app = _protected()
    async with _client(app) as client:
        body = b'{"origin": "\\ud800", "destination": "Baku"}'
        r = await client.post("/api/places", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_json"
        paired = b'{"origin": "\\ud83d\\ude00"}'
        r = await client.post("/api/places", content=paired, headers={"content-type": "application/json"})
        assert r.status_code == 200


def test_full_lane_sheds_with_retry_after_and_cheap_requests_stay_fast() -> None:
    _in_thread(_full_lane_sheds_with_retry_after_and_cheap_requests_stay_fast)


async def _full_lane_sheds_with_retry_after_and_cheap_requests_stay_fast() -> None:
    inner, app = _protected(route_concurrency=1, route_queue=1, request_timeout_s=30)
    async with _client(app) as client:
        first = asyncio.create_task(client.get("/api/routes"))
        second = asyncio.create_task(client.get("/api/routes"))
        await asyncio.sleep(0.05)
        t0 = time.perf_counter()
        third = await client.get("/api/routes")
        assert third.status_code == 503
        assert int(third.headers["retry-after"]) >= 1
        assert third.json()["error"] == "overloaded"
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert time.perf_counter() - t0 < 1.0
        inner.release.set()
        assert (await first).status_code == 200
        assert (await second).status_code == 200


def test_time_budget_504_and_slot_held_until_work_ends() -> None:
    _in_thread(_time_budget_504_and_slot_held_until_work_ends)


async def _time_budget_504_and_slot_held_until_work_ends() -> None:
    inner, app = _protected(route_concurrency=1, route_queue=0, request_timeout_s=0.2)
    async with _client(app) as client:
        warmup = asyncio.create_task(client.get("/api/routes"))
        await asyncio.sleep(0.3)
        inner.release.set()
        assert (await warmup).status_code == 200  # the first request pays for compilation: no budget
        inner.release.clear()
        inner.finished = 0
        t0 = time.perf_counter()
        r = await client.get("/api/routes")
        assert r.status_code == 504
        assert r.json()["error"] == "timeout"
        assert time.perf_counter() - t0 < 2.0
        # the abandoned computation still occupies the lane: new work is shed, not piled up
        assert (await client.get("/api/routes")).status_code == 503
        inner.release.set()
        for _ in range(100):
            if inner.finished:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.01)
        assert (await client.get("/api/routes")).status_code == 200


def test_slow_body_is_408() -> None:
    _in_thread(_slow_body_is_408)


async def _slow_body_is_408() -> None:
    _, app = _protected(body_timeout_s=0.1)
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(10)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/routes", "headers": []}
    await asyncio.wait_for(app(scope, receive, send), timeout=5)
    assert sent[0]["status"] == 408


def test_result_cache_single_flight_and_bounded() -> None:
    cache = ResultCache(2)
    calls: list[int] = []
    gate = threading.Event()

    def compute() -> int:
        calls.append(1)
        gate.wait(5)
        return 42

    threads = [threading.Thread(target=lambda: cache.get_or_compute("k", compute)) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    gate.set()
    for t in threads:
        t.join()
    assert calls == [1]
    for k in range(5):
        cache.get_or_compute(k, lambda k=k: k)
    assert len(cache) == 2
    with pytest.raises(ZeroDivisionError):
        cache.get_or_compute("bad", lambda: 1 / 0)
    assert cache.get_or_compute("bad", lambda: 7) == 7


def test_simulation_with_demand_runs_des_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import karavan.reliability as rel

    real = rel.simulate_caspian
    calls: list[float] = []

    def counting(**kwargs: Any) -> Any:
        calls.append(kwargs["demand_mt"])
        return real(**kwargs, years=0.1)

    monkeypatch.setattr(rel, "simulate_caspian", counting)
    with TestClient(create_app(Settings(dataset=str(MINI), web=False))) as client:
        q = {"origin": "CNAAA", "destination": "AZBAK", "runs": 200, "demand_mt": 3.0}
        first = client.get("/api/simulate", params=q)
        assert first.status_code == 200, first.text
        again = client.get("/api/simulate", params=q)
        other = client.get("/api/simulate", params={**q, "runs": 300})
        assert again.json() == first.json()
        assert other.status_code == 200
    assert calls == [3.0]


def test_real_app_body_limit_and_surrogate() -> None:
    with TestClient(create_app(Settings(dataset=str(MINI), web=False, max_body_bytes=4096))) as client:
        r = client.post("/api/routes", content=b'{"origin": "' + b"A" * 100_000 + b'"}')
        assert r.status_code == 413
        assert len(r.content) < 300
        r = client.post(
            "/api/routes",
            content=b'{"origin": "\\udc00", "destination": "AZBAK"}',
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 400
        r = client.post("/api/routes", json={"origin": "x" * 3000, "destination": "AZBAK"})
        assert r.status_code == 422
        assert len(r.content) < 3000


class _Body:
    """A client's body in ``chunks`` messages of ``size`` bytes, counting how many the server read."""

    def __init__(self, chunks: int, size: int = 1000) -> None:
        self.left = chunks
        self.size = size
        self.read = 0

    async def __call__(self) -> dict[str, Any]:
        if self.left == 0:
            return {"type": "http.disconnect"}
        self.left -= 1
        self.read += 1
        return {"type": "http.request", "body": b"z" * self.size, "more_body": self.left > 0}


async def _call(app: ProtectMiddleware, body: _Body, headers: list[tuple[bytes, bytes]]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/routes", "headers": headers}
    await app(scope, body, send)
    return sent


def test_oversized_body_is_read_to_its_end_before_the_413() -> None:
    _in_thread(_oversized_body_is_read_to_its_end_before_the_413)


async def _oversized_body_is_read_to_its_end_before_the_413() -> None:
    _, app = _protected(max_body_bytes=2048)
    streamed = _Body(10)  # no Content-Length: the limit is crossed at the third chunk
    sent = await _call(app, streamed, [])
    assert sent[0]["status"] == 413
    assert streamed.read == 10  # the rest was read and discarded, so closing does not reset the client
    declared = _Body(10)
    sent = await _call(app, declared, [(b"content-length", b"10000")])
    assert sent[0]["status"] == 413
    assert declared.read == 10


def test_body_far_beyond_the_limit_is_cut_off() -> None:
    _in_thread(_body_far_beyond_the_limit_is_cut_off)


async def _body_far_beyond_the_limit_is_cut_off() -> None:
    from karavan.api.protect import DRAIN_BYTES

    _, app = _protected(max_body_bytes=2048)
    huge = _Body(10)
    sent = await _call(app, huge, [(b"content-length", str(2048 + DRAIN_BYTES + 1).encode())])
    assert sent[0]["status"] == 413
    assert huge.read == 0  # declared beyond the drain bound: answered at once
    endless = _Body(100, size=DRAIN_BYTES // 20)
    sent = await _call(app, endless, [])
    assert sent[0]["status"] == 413
    assert endless.read < 30  # read up to the drain bound, then cut off
