"""Per-app state: the network, loaded once, and results derived from it (thread-safe caches)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from karavan.api.settings import Settings
from karavan.errors import DatasetError, KaravanError
from karavan.model.network import Network

log = logging.getLogger("karavan.api")
WARM_TRIES = 8
"""Services whose end stops :meth:`NetworkHolder.warm` tries to plan a route between."""


class NetworkHolder:
    """Loads the configured dataset once and caches what is derived from it.

    The lifespan of the app calls :meth:`load`; endpoints call :meth:`get`, which also
    loads on first use (under a lock) when the app runs without its lifespan. A dataset
    that fails to load is remembered and re-raised on every request (503), so a broken
    dataset never takes the process down.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._net: Network | None = None
        self._error: KaravanError | None = None
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._cache_locks: dict[tuple[Any, ...], threading.Lock] = {}

    def load(self) -> None:
        """Load the dataset now (idempotent); errors are kept for :meth:`get`."""
        with self._lock:
            if self._net is not None or self._error is not None:
                return
            from karavan.io import load_network

            try:
                self._net = load_network(self.settings.dataset)
            except KaravanError as exc:
                self._error = exc
            except Exception as exc:  # a dataset the checks did not foresee must not kill the server
                log.exception("dataset %s failed to load", self.settings.dataset)
                self._error = DatasetError(f"the dataset could not be loaded: {type(exc).__name__}: {exc}")

    def warm(self) -> None:
        """Load the dataset and plan one route on it, so compiled kernels and the routing graph are ready.

        Called in the supervising process before workers are forked from it. The route is
        between the end stops of the first services that have one; a dataset that fails to
        load, or has no such route, is served all the same (requests report the problem).
        """
        from karavan.routing import RouteQuery, plan_routes

        self.load()
        net = self._net
        if net is None:
            return
        for svc in list(net.services.values())[:WARM_TRIES]:
            try:
                plan_routes(net, RouteQuery(svc.stops[0], svc.stops[-1], max_routes=1, runs=100))
            except KaravanError:
                continue
            return

    @property
    def loaded(self) -> Network | None:
        """The network if loaded successfully, else ``None`` (never raises)."""
        return self._net

    def get(self) -> Network:
        """The network; raises the load error (a :class:`~karavan.errors.DatasetError`) if it failed."""
        if self._net is None and self._error is None:
            self.load()
        if self._error is not None:
            raise self._error
        assert self._net is not None
        return self._net

    def cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()`` once per ``key``; concurrent callers of the same key wait for the first."""
        if key in self._cache:
            return self._cache[key]
        with self._lock:
            lock = self._cache_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._cache:
                self._cache[key] = compute()
            return self._cache[key]
