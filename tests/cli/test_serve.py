"""``karavan serve --workers N``: supervised workers, a killed one is replaced; settings errors are named."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

MINI = str(Path(__file__).parents[1] / "fixtures" / "mini")
RunCli = Callable[..., tuple[int, str, str]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def _wait(pred: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return False


def test_killed_worker_is_respawned() -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KARAVAN_WEB": "false"}
    cmd = [sys.executable, "-m", "karavan.cli.main", "serve", "--workers", "2", "--port", str(port), "--dataset", MINI]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        parent = psutil.Process(proc.pid)

        own = parent.cmdline()

        def workers() -> list[psutil.Process]:
            out = []
            for c in parent.children():
                try:  # forked from the supervisor (same command line), or spawned afresh
                    cmd = c.cmdline()
                    if c.status() != psutil.STATUS_ZOMBIE and (cmd == own or any("spawn_main" in a for a in cmd)):
                        out.append(c)
                except psutil.Error:  # gone meanwhile
                    continue
            return out

        assert _wait(lambda: len(workers()) >= 2 and _healthy(url), 300), "service did not start"
        before = {w.pid for w in workers()}
        victim = sorted(before)[0]
        os.kill(victim, signal.SIGKILL)
        assert _healthy(url) or _wait(lambda: _healthy(url), 10)  # the other worker keeps answering
        answered = sum(_healthy(url) for _ in range(20))  # while the replacement starts

        def replaced() -> bool:
            now = {w.pid for w in workers()}
            return victim not in now and len(now - before) >= 1 and len(now) >= 2

        assert _wait(replaced, 300), "the killed worker was not replaced"
        assert _wait(lambda: _healthy(url), 60)
        assert answered == 20
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_bad_setting_names_its_option_or_variable(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli("serve", "--workers", "500")
    assert code == 2
    assert "--workers" in err
    monkeypatch.setenv("KARAVAN_REQUEST_TIMEOUT_S", "-1")
    code, _, err = run_cli("serve")
    assert code == 2
    assert "KARAVAN_REQUEST_TIMEOUT_S" in err
