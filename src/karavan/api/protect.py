"""A service that protects itself: body limits, time budgets, load shedding, bounded caches.

:class:`ProtectMiddleware` is a plain ASGI middleware wrapped around the whole app:

- **Request bodies** are read up front, at most :attr:`Settings.max_body_bytes` (413
  otherwise, never echoed back; the rest of a body up to :data:`DRAIN_BYTES` past the limit
  is read and discarded first, so the client is not reset before it reads the 413) and
  within :attr:`Settings.body_timeout_s` (408 for a client that trickles its body); a JSON
  body with a lone UTF-16 surrogate (``"\\ud800"``), which no UTF-8 response could echo,
  is a 400.
- **Expensive endpoints** run in *lanes* (:data:`LANES`): at most ``concurrency`` at a time
  per worker process, at most ``queue`` more waiting. A request that finds the queue full,
  or waits longer than its budget allows, is answered at once with 503 and a
  ``Retry-After`` estimated from recent service times, so ``/healthz``, place search and
  the page stay fast however many routes or simulations are asked for.
- **Every request** has a time budget (:attr:`Settings.request_timeout_s`); past it the
  client gets 504 (except a lane's first request in a process, which pays for one-off
  graph building while the others queue behind it). The computation is
  not interrupted mid-way (the library has no cancellation points) but finishes in the
  background, still holding its lane slot so load accounting stays honest; where the
  endpoint caches (:class:`ResultCache`), a retry is then answered at once.

Bodies of these answers follow :mod:`karavan.api.errors` (``error``, ``message``).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from karavan.api.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
DRAIN_BYTES = 16 * 1024 * 1024
"""How much of a body past the size limit is read and discarded so that the client gets its 413."""


@dataclass(frozen=True, slots=True)
class LaneSpec:
    """Which paths share a lane, and the settings that size it."""

    name: str
    pattern: re.Pattern[str]
    concurrency_setting: str
    queue_setting: str


LANES = (
    LaneSpec("route", re.compile(r"^/api/(routes|simulate)/?$"), "route_concurrency", "route_queue"),
    LaneSpec(
        "compute", re.compile(r"^/api/assign/?$|^/api/scenarios/[^/]+/diff/?$"), "compute_concurrency", "compute_queue"
    ),
)
"""The expensive endpoints, by lane; everything else is served without queueing.

Route plans and their Monte Carlo simulations share a lane (the one-year Caspian DES behind
``demand_mt`` runs once per demand and seed, then comes from the cache); capacity assignments
and scenario diffs, which solve linear programmes over the whole network, have their own.
"""


@dataclass
class Lane:
    """A bounded queue in front of one kind of expensive request (one per worker process)."""

    name: str
    concurrency: int
    queue: int
    active: int = 0
    waiting: int = 0
    ewma_s: float = 0.05
    warm: bool = False
    _slots: asyncio.Semaphore | None = field(default=None, repr=False)

    @property
    def slots(self) -> asyncio.Semaphore:
        if self._slots is None:  # created lazily, inside the server's event loop
            self._slots = asyncio.Semaphore(self.concurrency)
        return self._slots

    def full(self) -> bool:
        """Whether a new request would exceed the running plus waiting bound."""
        return self.active + self.waiting >= self.concurrency + self.queue

    async def acquire(self, timeout_s: float) -> bool:
        """Wait for a slot at most ``timeout_s``; ``False`` if none came (a free slot is taken at once)."""
        if not self.slots.locked():
            await self.slots.acquire()
            self.active += 1
            return True
        self.waiting += 1
        try:
            await asyncio.wait_for(self.slots.acquire(), timeout=max(timeout_s, 0.001))
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1
        self.active += 1
        return True

    def release(self, elapsed_s: float, *, succeeded: bool = True) -> None:
        """Free a slot and fold the request's duration into the service-time estimate.

        The lane is warm once a request has succeeded (an early error, e.g. an unknown
        place, may not have reached the compiled code).
        """
        self.active -= 1
        self.slots.release()
        if self.warm:
            self.ewma_s = 0.8 * self.ewma_s + 0.2 * elapsed_s
        self.warm = self.warm or succeeded

    def retry_after_s(self) -> int:
        """Seconds until a slot is likely free: queued work over the lane's concurrency."""
        backlog = (self.active + self.waiting + 1) / max(self.concurrency, 1)
        return max(1, min(120, math.ceil(self.ewma_s * backlog)))


async def _answer(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


class _BodyError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


class _Guarded:
    """The inner app's ``send``, cut off once the middleware has answered in its place."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False
        self.status = 0
        self.cut = False

    async def __call__(self, message: Message) -> None:
        if self.cut:
            return
        if message["type"] == "http.response.start":
            self.started = True
            self.status = int(message["status"])
        await self._send(message)


class ProtectMiddleware:
    """Body limits, per-request time budget and load shedding (see the module docstring)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.lanes = [
            (spec, Lane(spec.name, getattr(settings, spec.concurrency_setting), getattr(settings, spec.queue_setting)))
            for spec in LANES
        ]
        self.background: set[asyncio.Task[None]] = set()

    def lane_for(self, path: str) -> Lane | None:
        """The lane of an expensive endpoint, ``None`` for the others."""
        for spec, lane in self.lanes:
            if spec.pattern.match(path):
                return lane
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.monotonic()
        try:
            body = await self._read_body(scope, receive)
        except _BodyError as exc:
            await _answer(send, exc.status, {"error": exc.code, "message": exc.message}, {"connection": "close"})
            return
        replay = _replay(body, receive)
        lane = self.lane_for(scope["path"])
        budget = self.settings.request_timeout_s
        if lane is not None and (lane.full() or not await lane.acquire(budget / 2)):
            await self._shed(send, lane)
            return
        # A lane's first request in a process includes one-off graph building (routing graph,
        # landmark tables): it runs without a deadline, the others queue behind it.
        deadline = start + budget if lane is None or lane.warm else math.inf
        await self._run(scope, replay, send, lane, deadline)

    async def _run(self, scope: Scope, receive: Receive, send: Send, lane: Lane | None, deadline: float) -> None:
        guarded = _Guarded(send)
        began = time.monotonic()
        task = asyncio.ensure_future(self.app(scope, receive, guarded))

        def finished(t: asyncio.Task[None]) -> None:
            if lane is not None:
                lane.release(time.monotonic() - began, succeeded=200 <= guarded.status < 300)
            self.background.discard(t)
            if not t.cancelled():
                t.exception()  # retrieved: a late failure was already answered with 504

        timeout = None if math.isinf(deadline) else max(deadline - time.monotonic(), 0.001)
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if task in done:
            finished(task)
            task.result()
            return
        self.background.add(task)
        task.add_done_callback(finished)
        guarded.cut = True
        if not guarded.started:
            budget = self.settings.request_timeout_s
            await _answer(
                send,
                504,
                {
                    "error": "timeout",
                    "message": f"the request did not finish within its {budget:g} s budget; "
                    "retry later (an identical request may then be answered from the cache)",
                },
            )

    async def _shed(self, send: Send, lane: Lane) -> None:
        retry = lane.retry_after_s()
        await _answer(
            send,
            503,
            {
                "error": "overloaded",
                "message": f"too many {lane.name} requests in progress; retry in {retry} s",
                "retry_after_s": retry,
            },
            {"retry-after": str(retry)},
        )

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.settings.max_body_bytes
        deadline = time.monotonic() + self.settings.body_timeout_s
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._too_large(receive, deadline, more=declared <= limit + DRAIN_BYTES)
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return b""
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await self._receive(receive, deadline)
            chunk = message.get("body", b"")
            more = bool(message.get("more_body"))
            size += len(chunk)
            if size > limit:
                await self._too_large(receive, deadline, more=more)
            chunks.append(chunk)
        body = b"".join(chunks)
        if _SURROGATE_ESCAPE.search(body):
            try:
                parsed = json.loads(body)
            except ValueError:
                return body  # not JSON: the endpoint reports it
            if _has_lone_surrogate(parsed):
                raise _BodyError(400, "invalid_json", "the JSON body holds a lone UTF-16 surrogate (\\ud800-\\udfff)")
        return body

    async def _receive(self, receive: Receive, deadline: float) -> Message:
        """The client's next body message before ``deadline`` (408 after it, 400 if it went away)."""
        try:
            message = await asyncio.wait_for(receive(), timeout=max(deadline - time.monotonic(), 0.001))
        except TimeoutError:
            raise _BodyError(
                408, "body_timeout", f"the request body did not arrive within {self.settings.body_timeout_s:g} s"
            ) from None
        if message["type"] == "http.disconnect":
            raise _BodyError(400, "bad_request", "the client disconnected")
        return message

    async def _too_large(self, receive: Receive, deadline: float, *, more: bool) -> NoReturn:
        """Raise the 413, after reading and discarding what is left of the body (at most :data:`DRAIN_BYTES`).

        A server that closes the connection while the client is still sending makes the
        client's kernel reset it, and a reset discards the 413 before the client reads it
        (the client sees a broken connection instead). Reading the rest of a moderately
        oversized body first lets the answer arrive; a body beyond the bound, or one that
        does not arrive before ``deadline``, is cut off as before.
        """
        drained = 0
        while more and drained <= DRAIN_BYTES:
            try:
                message = await self._receive(receive, deadline)
            except _BodyError:
                break
            drained += len(message.get("body", b""))
            more = bool(message.get("more_body"))
        limit = self.settings.max_body_bytes
        raise _BodyError(413, "body_too_large", f"request bodies are limited to {limit:,} bytes")


def _declared_length(scope: Scope) -> int | None:
    """The request's ``Content-Length``, ``None`` without one; 400 if it is not a number."""
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                raise _BodyError(400, "bad_request", "the Content-Length header is not a number") from None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the buffered body once, then the client's further messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class ResultCache:
    """A bounded, thread-safe LRU of computed results with one computation per key at a time.

    Concurrent callers of the same key wait for the first instead of computing it again
    (a burst of identical simulations runs once); errors are not cached.
    """

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, threading.Lock] = {}

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value of ``key``, computing it (once) if absent."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            gate = self._inflight.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._data:
                    return self._data[key]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._inflight.pop(key, None)
            with self._lock:
                self._data[key] = value
                while len(self._data) > self.entries:
                    self._data.popitem(last=False)
            return value

    def __len__(self) -> int:
        return len(self._data)


def install(app: Any, settings: Settings) -> None:
    """Wrap ``app`` (a FastAPI app) in :class:`ProtectMiddleware` and give it a :class:`ResultCache`."""
    app.state.results = ResultCache(settings.cache_entries)
    app.add_middleware(ProtectMiddleware, settings=settings)


__all__ = ["LANES", "Lane", "ProtectMiddleware", "ResultCache", "install"]
