"""The busiest endpoints answered without FastAPI's per-request routing and dependency resolution.

Every request FastAPI serves is matched against each route of the app in turn and has its
dependencies resolved, about 0.4 ms of CPU per request on the route endpoint before any of its
own work. :class:`HotPaths` is a plain ASGI middleware that hands ``GET`` requests for a few
paths straight to their endpoint functions, in the thread pool, as FastAPI would: the same
functions are also registered with FastAPI (which documents them in the OpenAPI schema and
serves every other method and path), and errors go to the app's exception handlers, so the
answers are the same bytes either way. It sits inside the protection layer (lanes, time
budgets) and the GZip middleware, which see these requests as before.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
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


class HotPaths:
    """Serve ``GET`` requests for the paths of ``endpoints`` directly (see the module docstring)."""

    def __init__(self, app: ASGIApp, endpoints: Mapping[str, Endpoint]) -> None:
        self.app = app
        self.endpoints = dict(endpoints)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.endpoints.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await run_in_threadpool(endpoint, request)
        except Exception as exc:
            handler = exception_handler(request.app.exception_handlers, exc)
            if handler is None:
                raise
            answer = handler(request, exc)
            response = await answer if inspect.isawaitable(answer) else answer
        await response(scope, receive, send)


__all__ = ["HotPaths", "exception_handler"]
