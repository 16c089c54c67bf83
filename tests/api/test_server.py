"""The listening socket and the HTTP protocol turn Nagle's algorithm off on every connection."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from karavan.api.server import HTTP_PROTOCOL, NoDelayProtocol, bind_socket, set_nodelay, uvicorn_config

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


def _nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_accepted_connections_inherit_tcp_nodelay() -> None:
    server = bind_socket("127.0.0.1", 0)
    try:
        assert server.proto == socket.IPPROTO_TCP
        assert _nodelay(server)
        client = socket.create_connection(server.getsockname())
        conn, _ = server.accept()
        try:
            assert _nodelay(conn)
        finally:
            conn.close()
            client.close()
    finally:
        server.close()


class _Transport:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, name: str) -> object:
        return self.sock if name == "socket" else None


def test_set_nodelay_fixes_a_socket_made_without_the_tcp_protocol_number() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as uvicorn's bind_socket makes it
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    conn, _ = listener.accept()
    try:
        assert not _nodelay(conn)
        set_nodelay(_Transport(conn))
        assert _nodelay(conn)
    finally:
        for s in (conn, client, listener):
            s.close()


def test_uvicorn_config_uses_the_no_delay_protocol() -> None:
    config = uvicorn_config("127.0.0.1", 8000, workers=2)
    config.load()
    assert config.http_protocol_class is NoDelayProtocol
    assert HTTP_PROTOCOL.endswith(":NoDelayProtocol")
    assert config.workers == 2


def test_two_workers_serve_keep_alive_requests() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "KARAVAN_DATASET": str(MINI)}
    cmd = [sys.executable, "-m", "karavan.api.server", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300  # the supervisor compiles the kernels before it listens
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/healthz")
                first = conn.getresponse()
                first.read()
                break
            except OSError:
                conn.close()
                assert proc.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert first.status == 200
        for _ in range(5):  # the same keep-alive connection
            conn.request("GET", "/api/routes?origin=Alpha&destination=Aktau")
            r = conn.getresponse()
            assert r.status == 200
            assert b'"mode"' in r.read()
        conn.close()
    finally:
        proc.terminate()
        proc.wait(30)


def test_gunicorn_forks_warm_workers_with_the_no_delay_protocol() -> None:
    from karavan.api.server import KaravanWorker, gunicorn_options
    from karavan.api.settings import Settings

    opts = gunicorn_options(Settings(host="::1", port=8123, workers=3, request_timeout_s=45))
    assert opts["bind"] == ["[::1]:8123"]
    assert opts["workers"] == 3
    assert opts["preload_app"] is True  # replacements fork from the warm supervisor
    assert opts["timeout"] >= 45  # a heartbeat outlives the longest request budget
    assert opts["worker_class"] is KaravanWorker
    assert KaravanWorker.CONFIG_KWARGS["http"] == HTTP_PROTOCOL
    assert KaravanWorker.CONFIG_KWARGS["access_log"] is False


def test_warm_app_loads_the_dataset_and_survives_a_broken_one(tmp_path: Path) -> None:
    from karavan.api.app import health_answer
    from karavan.api.server import warm_app
    from karavan.api.settings import Settings

    db = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    app = warm_app(Settings(dataset=str(MINI), database_url=db, web=False))
    assert app.state.holder.loaded is not None
    assert health_answer(app.state.holder)[1] == 200
    (tmp_path / "broken").mkdir()
    broken = warm_app(Settings(dataset=str(tmp_path / "broken"), database_url=db, web=False))
    assert broken.state.holder.loaded is None
    assert health_answer(broken.state.holder)[1] == 503


def test_preload_freezes_the_warm_heap_before_workers_fork(tmp_path: Path) -> None:
    import gc

    from karavan.api.server import preload
    from karavan.api.settings import Settings

    db = f"sqlite:///{tmp_path / 'plans.sqlite'}"
    try:
        app = preload(Settings(dataset=str(MINI), database_url=db, web=False))
        assert app.state.holder.loaded is not None
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # the dataset and the app: a worker's collections never walk them
        assert gc.isenabled()  # the collector stays on for what workers allocate
    finally:
        gc.unfreeze()
