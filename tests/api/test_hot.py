"""``GET /api/routes`` and ``GET /api/simulate`` served by :class:`~karavan.api.hot.HotPaths`: FastAPI's answers."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from karavan.api import Settings, create_app
from karavan.api.hot import HotPaths, exception_handler
from karavan.api.responses import RoutesResponse
from karavan.errors import InputError, KaravanError, UnknownPlaceError

MINI = Path(__file__).parents[1] / "fixtures" / "mini"

QUERIES = [
    "routes?origin=Alpha&destination=Baku",
    "routes?origin=Alpha&destination=Baku&trail=true&max_routes=2",
    "routes?origin=Alpha&destination=Baku&geojson=true&depart=2026-12-03",
    "routes?origin=Alpha&destination=Baku&window_h=48&cargo=teu&count=3",
    "routes?origin=Alpha&destination=Baku&avoid_countries=RU,IR&modes=rail&modes=sea",
    "routes?origin=Nowhere&destination=Baku",  # 404 with suggestions
    "routes?origin=Alpha",  # 422: destination missing
    "routes?origin=Alpha&destination=Baku&count=-1",  # 422 from the model
    "routes?origin=Alpha&destination=Baku&bogus=1",  # 422: unknown parameter
    "routes?origin=Alpha&destination=Alpha",  # 422 from the library
    "routes?origin=Alpha&destination=Baku&max_routes=11",  # 422: above the service's maximum
    "simulate?origin=Alpha&destination=Baku&runs=500",
    "simulate?origin=Alpha&destination=Baku&runs=500",  # from the result cache
    "simulate?origin=Alpha&destination=Baku&route_index=7",  # 422 or 404: no such route
    "simulate?origin=Alpha&destination=Baku&runs=0",  # 422
]


def _without_hot_paths(app: FastAPI) -> FastAPI:
    """The app with every request served by FastAPI (the middleware stack is built on first use)."""
    app.user_middleware = [m for m in app.user_middleware if m.cls is not HotPaths]
    return app


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TestClient]]:
    """Clients of two apps over the mini fixture (each with its own store): with and without the hot paths."""
    tmp = tmp_path_factory.mktemp("hot")
    hot_app, plain_app = (
        create_app(Settings(dataset=str(MINI), web=False, database_url=f"sqlite:///{tmp / name}.sqlite"))
        for name in ("hot", "plain")
    )
    with TestClient(hot_app) as hot, TestClient(_without_hot_paths(plain_app)) as plain:
        yield hot, plain


def _answer(r: httpx.Response) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return r.status_code, list(r.headers.raw), r.content


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_answers_are_the_bytes_fastapi_sends(clients: tuple[TestClient, TestClient], query: str, encoding: str) -> None:
    hot, plain = clients
    headers = {"accept-encoding": encoding}
    expected = _answer(plain.get(f"/api/{query}", headers=headers))
    assert _answer(hot.get(f"/api/{query}", headers=headers)) == expected
    assert expected[0] in (200, 404, 422)


def test_route_answer_matches_the_response_model(clients: tuple[TestClient, TestClient]) -> None:
    hot, _ = clients
    r = hot.get("/api/routes?origin=Alpha&destination=Baku&geojson=true")
    assert r.status_code == 200
    model = RoutesResponse.model_validate_json(r.content)
    assert model.routes
    assert r.json()["geojson"]["type"] == "FeatureCollection"


def test_other_methods_and_paths_go_to_fastapi(clients: tuple[TestClient, TestClient]) -> None:
    hot, plain = clients
    for method, path in (("HEAD", "/api/routes?origin=Alpha&destination=Baku"), ("GET", "/api/routes/?origin=Alpha")):
        expected = _answer(plain.request(method, path, follow_redirects=False))
        assert expected[0] in (307, 405)
        assert _answer(hot.request(method, path, follow_redirects=False)) == expected
    body = {"origin": "Alpha", "destination": "Baku"}
    assert hot.post("/api/routes", json=body).content == plain.post("/api/routes", json=body).content


def test_unavailable_dataset_is_503_before_the_query_is_read(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(dataset=str(tmp_path / "missing"), web=False))) as client:
        r = client.get("/api/routes?bogus=1")
    assert r.status_code == 503
    assert r.json()["error"] == "dataset_unavailable"


def test_unexpected_error_is_a_json_500(monkeypatch: pytest.MonkeyPatch) -> None:
    import karavan.api.app as app_module

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(app_module, "routes_payload", broken)
    with TestClient(create_app(Settings(dataset=str(MINI), web=False)), raise_server_exceptions=False) as client:
        r = client.get("/api/routes?origin=Alpha&destination=Baku")
    assert r.status_code == 500
    assert r.json() == {"error": "internal_error", "message": "internal server error"}


def test_exception_handler_takes_the_most_specific_class_and_never_the_catch_all() -> None:
    def general(*args: Any) -> None: ...
    def specific(*args: Any) -> None: ...
    def catch_all(*args: Any) -> None: ...

    handlers = {KaravanError: general, InputError: specific, Exception: catch_all}
    assert exception_handler(handlers, InputError("count", -1, "a positive number")) is specific
    assert exception_handler(handlers, UnknownPlaceError("Nowhere", [])) is general
    assert exception_handler(handlers, RuntimeError("boom")) is None


def test_time_budget_still_answers_504(monkeypatch: pytest.MonkeyPatch) -> None:
    """A route plan past the budget is answered 504 while it finishes in its thread; the lane stays held."""
    import karavan.api.app as app_module

    release = threading.Event()
    real = app_module.routes_payload
    calls: list[int] = []

    def slow(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > 1:
            release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(app_module, "routes_payload", slow)
    app = create_app(Settings(dataset=str(MINI), web=False, request_timeout_s=0.3, route_queue=0))
    app.state.holder.load()
    errors: list[BaseException] = []

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            url = "/api/routes?origin=Alpha&destination=Baku"
            assert (await client.get(url)).status_code == 200  # warms the lane
            t0 = time.perf_counter()
            r = await client.get(url)
            assert (r.status_code, r.json()["error"]) == (504, "timeout")
            assert time.perf_counter() - t0 < 5
            assert (await client.get(url)).status_code == 503  # the abandoned plan still holds the slot
            release.set()
            for _ in range(200):
                await asyncio.sleep(0.02)
                if (r := await client.get(url)).status_code == 200:
                    break
            assert r.status_code == 200

    def target() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)
        finally:
            release.set()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if errors:
        raise errors[0]


def test_workers_run_in_their_threads_with_the_callers_context() -> None:
    import contextvars

    from karavan.api.hot import Workers

    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
    workers = Workers(2)

    def job(x: int) -> tuple[int, str, str]:
        if x < 0:
            raise InputError("x", x, "a non-negative number")
        return x * 2, var.get(), threading.current_thread().name

    async def scenario() -> None:
        var.set("request")
        results = await asyncio.gather(*(workers.run(job, i) for i in range(6)))
        assert [r[0] for r in results] == [0, 2, 4, 6, 8, 10]
        assert {r[1] for r in results} == {"request"}
        assert {r[2] for r in results} <= {"karavan-hot-0", "karavan-hot-1"}
        with pytest.raises(InputError):
            await workers.run(job, -1)

    asyncio.run(scenario())
    asyncio.run(scenario())  # another event loop, the same threads


def test_workers_start_again_in_a_forked_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads do not survive ``fork``: a process with another id starts its own."""
    from karavan.api import hot

    workers = hot.Workers(1)
    assert asyncio.run(workers.run(str, 1)) == "1"
    started = {t.ident for t in threading.enumerate() if t.name.startswith("karavan-hot")}
    monkeypatch.setattr(hot.os, "getpid", lambda: -1)
    assert asyncio.run(workers.run(str, 2)) == "2"
    now = {t.ident for t in threading.enumerate() if t.name.startswith("karavan-hot")}
    assert now - started


def test_workers_threads_end_with_their_owner() -> None:
    import gc

    from karavan.api import hot

    workers = hot.Workers(2, name="karavan-hot-ending")
    assert asyncio.run(workers.run(len, "abc")) == 3
    threads = [t for t in threading.enumerate() if t.name.startswith("karavan-hot-ending")]
    assert len(threads) == 2
    del workers
    gc.collect()
    for t in threads:
        t.join(5)
    assert not any(t.is_alive() for t in threads)
