"""Running the service: warm-forked uvicorn workers under gunicorn, and the listening socket.

:func:`serve` builds the app once in the supervising process, loads the dataset and runs one
route plan there (compiled kernels loaded, routing graph and its landmark tables built),
freezes that heap for the garbage collector (:func:`preload`), then hands it to gunicorn
with ``preload_app``: every worker, and every replacement of a worker that dies, is forked
from that warm process and answers within milliseconds instead of importing and
loading again. Workers are uvicorn's (:class:`KaravanWorker`, from
``uvicorn-worker``) with the no-delay protocol below and no access log. Where gunicorn is not
installed (it does not run on Windows), uvicorn's own supervisor starts fresh worker processes.

With more than one worker, uvicorn binds one socket in the supervisor and hands it to the
worker processes. A socket made with ``socket.socket(family)`` has protocol number 0, and
asyncio turns ``TCP_NODELAY`` on only for sockets whose protocol is ``IPPROTO_TCP``; so the
workers' connections kept Nagle's algorithm, which with delayed ACKs adds a ~40 ms floor to
every keep-alive response split over two writes. :func:`bind_socket` makes the socket with
``IPPROTO_TCP`` and sets ``TCP_NODELAY`` on it (accepted connections inherit it on Linux), and
:class:`NoDelayMixin` sets it again on every accepted connection, whatever made the socket.

``python -m karavan.api.server --workers 2 --port 8000`` serves the app from ``KARAVAN_*``
settings (the API benchmark uses it); ``karavan serve`` is the same with command-line options.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import inspect
import logging
import socket
import sys
from typing import Any, ClassVar

APP = "karavan.api:create_app"
"""Import string of the app factory (worker processes import it and read ``KARAVAN_*``)."""


def bind_socket(host: str, port: int, *, backlog: int = 2048) -> socket.socket:
    """A listening TCP socket with ``TCP_NODELAY`` and ``SO_REUSEADDR`` (IPv4 or IPv6 by ``host``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(backlog)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def set_nodelay(transport: Any) -> None:
    """Turn Nagle's algorithm off on a connection's socket (no-op for non-TCP transports)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):  # the peer may already be gone
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _BaseProtocol
except ImportError:  # pragma: no cover - httptools is part of the service extra
    from uvicorn.protocols.http.h11_impl import H11Protocol as _BaseProtocol  # type: ignore[assignment]


class NoDelayProtocol(_BaseProtocol):
    """uvicorn's fastest available HTTP protocol (httptools, else h11) with ``TCP_NODELAY`` per connection."""

    def connection_made(self, transport: Any) -> None:
        """Disable Nagle's algorithm, then hand the connection to uvicorn."""
        set_nodelay(transport)
        super().connection_made(transport)


HTTP_PROTOCOL = "karavan.api.server:NoDelayProtocol"
"""Import string of :class:`NoDelayProtocol` (worker processes import it)."""


def uvicorn_config(host: str, port: int, *, workers: int = 1, log_level: str = "warning", app: Any = APP) -> Any:
    """A uvicorn ``Config`` for the karavan app with the no-delay protocol and no access log."""
    import uvicorn

    return uvicorn.Config(
        app,
        factory=isinstance(app, str),
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        http=HTTP_PROTOCOL,
        lifespan="on",
        timeout_keep_alive=30,
    )


SWITCH_INTERVAL_S = 0.001
"""GIL switch interval of a worker: the event loop (``/healthz``, queueing) gets the GIL back
from route threads within a millisecond instead of the default five."""


def warm_app(settings: Any) -> Any:
    """The app for ``settings`` with its dataset loaded and its compiled kernels warm."""
    from karavan.api import create_app
    from karavan.api.app import health_answer

    app = create_app(settings)
    app.state.holder.warm()
    app.state.stores.migrate()
    health_answer(app.state.holder)
    return app


def preload(settings: Any) -> Any:
    """:func:`warm_app`, then everything built so far moved out of the garbage collector's sight.

    Workers forked from this process inherit its heap: the dataset, the routing graph and
    the compiled kernels, some 200,000 objects. Frozen (:func:`gc.freeze`), they are never
    traversed by a worker's collector; unfrozen, a full collection walked them all, pausing
    the worker's event loop (150-200 ms on a loaded 2-core machine; the first young-generation
    collection after warming took 44 ms, 0.5 ms frozen), and touching their reference counts
    copied the shared memory pages into every worker.
    """
    app = warm_app(settings)
    gc.collect()
    gc.freeze()
    return app


try:
    from uvicorn_worker import UvicornWorker as _UvicornWorker
except ImportError:  # pragma: no cover - gunicorn and uvicorn-worker are part of the service extra
    _UvicornWorker = object


class KaravanWorker(_UvicornWorker):  # type: ignore[misc]
    """A gunicorn worker running uvicorn with the no-delay protocol and no access log."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        "loop": "auto",
        "http": HTTP_PROTOCOL,
        "access_log": False,
        "lifespan": "on",
    }

    def init_process(self) -> None:
        """Shorten the GIL switch interval, then serve."""
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        super().init_process()


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_options(settings: Any) -> dict[str, Any]:
    """gunicorn settings serving ``settings`` with warm-forked :class:`KaravanWorker` processes."""
    return {
        "bind": [_bind(settings.host, settings.port)],
        "workers": settings.workers,
        "worker_class": KaravanWorker,
        "preload_app": True,
        "timeout": max(60, round(settings.request_timeout_s * 2)),
        "graceful_timeout": 10,
        "keepalive": max(1, round(settings.keep_alive_s)),
        "backlog": 2048,
        "loglevel": settings.log_level,
        "accesslog": None,
        "errorlog": "-",
        "proc_name": "karavan",
        "control_socket_disable": True,
    }


def serve(settings: Any) -> None:
    """Serve the app for ``settings`` with ``settings.workers`` supervised, warm-forked workers.

    gunicorn's arbiter replaces a worker that dies (forked again from the warm process) and one
    that stops sending its heartbeat. Without gunicorn, uvicorn's supervisor is used instead.
    """
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # pragma: no cover - e.g. Windows
        serve_workers(settings.host, settings.port, workers=settings.workers, log_level=settings.log_level)
        return
    app = preload(settings)
    options = gunicorn_options(settings)

    class _Service(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    _Service().run()


def serve_workers(host: str, port: int, *, workers: int, log_level: str = "warning") -> None:
    """Serve the app (settings from ``KARAVAN_*``) with uvicorn's supervisor (fresh worker processes).

    The fallback of :func:`serve` where gunicorn is not installed.
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn_config(host, port, workers=workers, log_level=log_level)
    sock = bind_socket(host, port)
    try:
        if workers <= 1:
            uvicorn.Server(config).run(sockets=[sock])
        elif "target" in inspect.signature(Multiprocess).parameters:  # uvicorn before 0.50
            Multiprocess(config, target=uvicorn.Server(config).run, sockets=[sock]).run()  # type: ignore[call-arg]
        else:
            Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()


def main(argv: list[str] | None = None) -> None:
    """``python -m karavan.api.server [--host H] [--port P] [--workers N]``."""
    from karavan.api.settings import Settings

    ap = argparse.ArgumentParser(description="Serve the karavan API (settings from KARAVAN_* variables).")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--log-level", default="warning")
    args = ap.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper())
    serve(Settings(host=args.host, port=args.port, workers=args.workers, log_level=args.log_level))


if __name__ == "__main__":  # pragma: no cover
    main()
