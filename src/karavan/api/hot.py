"""The busiest endpoints answered without FastAPI's per-request routing and dependency resolution.

Every request FastAPI serves is matched against each route of the app in turn and has its
dependencies resolved, about 0.4 ms of CPU per request on the route endpoint before any of its
own work. :class:`HotPaths` is a plain ASGI middleware that hands ``GET`` requests for a few
paths straight to their endpoint functions, in the thread pool, as FastAPI would: the same
functions are also registered with FastAPI (which documents them in the OpenAPI schema and
serves every other method and path), and errors go to the app's exception handlers, so the
answers are the same bytes either way. It sits inside the protection layer (lanes, time
budgets) and the GZip middleware, which see these requests as before.

The endpoints run in :class:`Workers`, threads of their own fed through a C queue, instead of
AnyIO's thread pool, whose hand-off (capacity limiter, cancel scope, a condition variable per
job) costs about 0.1 ms more per request. The protection layer bounds how many of these requests
run at once (``route_concurrency``); there are as many threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import os
import queue
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from karavan.api.protect import ASGIApp, Receive, Scope, Send

Endpoint = Callable[[Request], Response]
"""A plain (thread-pool) endpoint function of the request alone."""


def exception_handler(handlers: Mapping[Any, Callable[..., Any]], exc: Exception) -> Callable[..., Any] | None:
    """The app's handler for ``exc`` (most specific class first), as FastAPI's exception middleware finds it.

    The catch-all ``Exception`` handler is left out: an unexpected error propagates to the
    server-error middleware, which answers 500 with it and reports the error.
    """
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in handlers:
            return handlers[cls]
    return None  # pragma: no cover - Exception is in every MRO


Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", contextvars.Context, Callable[[Any], Any], Any]


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():  # the request went away (e.g. the server is shutting down)
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _stop(jobs: queue.SimpleQueue[Job | None], count: int) -> None:
    for _ in range(count):
        jobs.put(None)


class Workers:
    """``count`` daemon threads running functions handed over by event loops (started on first use).

    A process forked after they started (a warm-forked server worker) starts its own; the
    threads end when the object is dropped (with its app).
    """

    def __init__(self, count: int, name: str = "karavan-hot") -> None:
        self.count = count
        self.name = name
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._pid: int | None = None
        self._lock = threading.Lock()

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()  # a forked copy may hold its parent's jobs
            self._jobs = jobs
            for i in range(self.count):
                threading.Thread(target=self._serve, args=(jobs,), name=f"{self.name}-{i}", daemon=True).start()
            weakref.finalize(self, _stop, jobs, self.count)  # the threads end with the app
            self._pid = os.getpid()

    @staticmethod
    def _serve(jobs: queue.SimpleQueue[Job | None]) -> None:
        while (job := jobs.get()) is not None:
            loop, future, context, fn, arg = job
            try:
                result = (True, context.run(fn, arg))
            except BaseException as exc:  # handed to the awaiting request, as a thread pool would
                result = (False, exc)
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(_settle, future, *result)
            del job, loop, future, context, fn, arg, result  # nothing of a request outlives it here

    async def run(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        """``fn(arg)`` in one of the threads, with the caller's context variables."""
        if self._pid != os.getpid():
            self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._jobs.put((loop, future, contextvars.copy_context(), fn, arg))
        return await future


class HotPaths:
    """Serve ``GET`` requests for the paths of ``endpoints`` directly (see the module docstring)."""

    def __init__(self, app: ASGIApp, endpoints: Mapping[str, Endpoint], threads: int = 1) -> None:
        self.app = app
        self.endpoints = dict(endpoints)
        self.workers = Workers(threads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.endpoints.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.workers.run(endpoint, request)
        except Exception as exc:
            handler = exception_handler(request.app.exception_handlers, exc)
            if handler is None:
                raise
            answer = handler(request, exc)
            response = await answer if inspect.isawaitable(answer) else answer
        await response(scope, receive, send)


__all__ = ["HotPaths", "Workers", "exception_handler"]
