"""Browser fixtures: the app under uvicorn on a free loopback port, and Debian's headless Chromium via Playwright.

Browser tests are skipped only when ``/usr/bin/chromium`` is absent *and* ``CI`` is unset;
in CI they must run.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from karavan import datasets

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MINI = Path(__file__).parents[1] / "fixtures" / "mini"


def _browser_or_skip() -> None:
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium) and CI is not set")


@dataclass
class LiveServer:
    """A running app: its base URL and the dataset it serves."""

    url: str
    dataset: str
    server: Any = field(repr=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(dataset: str | None, db_dir: Path) -> Iterator[LiveServer]:
    import uvicorn

    from karavan.api import Settings, create_app

    port = _free_port()
    settings = Settings(dataset=dataset, database_url=f"sqlite:///{db_dir / 'plans.sqlite'}")
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", dataset or datasets.DEFAULT, server)
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app serving the embedded dataset (the mini fixture if the embedded one is missing).

    Saved plans go to a SQLite file in a temporary directory.
    """
    spec = None if datasets.DEFAULT in datasets.available() else str(MINI)
    yield from _serve(spec, tmp_path_factory.mktemp("plans"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@dataclass
class PageProbe:
    """A page plus everything it logged: console errors, page errors, failed and off-host requests."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """Factory: a fresh page of a given viewport size that records console errors and requests."""
    contexts: list[Any] = []

    def _open(width: int, height: int) -> PageProbe:
        ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        contexts.append(ctx)
        page = ctx.new_page()
        probe = PageProbe(page)
        page.on("console", lambda m: probe.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: probe.errors.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: probe.errors.append(f"request failed: {r.url}"))
        page.on("request", lambda r: probe.requests.append(r.url))
        return probe

    yield _open
    for ctx in contexts:
        ctx.close()
