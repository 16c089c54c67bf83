"""Shared CLI helpers: the collector paused while a command's long-lived objects are made."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

import pytest

from karavan.cli.common import long_lived


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector enabled and nothing frozen before the test; the same after it."""
    was_enabled = gc.isenabled()
    gc.enable()
    gc.unfreeze()
    yield
    gc.unfreeze()
    if not was_enabled:
        gc.disable()


def test_long_lived_pauses_the_collector_then_freezes_what_was_made(collector: None) -> None:
    assert gc.get_freeze_count() == 0
    with long_lived():
        assert not gc.isenabled()
        made = [[] for _ in range(100)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made)


def test_long_lived_leaves_a_paused_collector_paused(collector: None) -> None:
    gc.disable()
    with long_lived():
        pass
    assert not gc.isenabled()


def test_long_lived_restores_the_collector_on_an_error(collector: None) -> None:
    with pytest.raises(ValueError, match="boom"), long_lived():
        raise ValueError("boom")
    assert gc.isenabled()


@pytest.mark.parametrize("args", [("route", "Aktau", "Baku", "--format", "json"), ("route", "Nowhere", "Baku")])
def test_a_route_command_gives_the_collector_back(collector: None, args: tuple[str, ...]) -> None:
    """``karavan route`` runs without a collection, and enables the collector again however it ends."""
    from karavan.cli.main import main

    seen: list[bool] = []
    gc.callbacks.append(lambda phase, info: seen.append(phase == "start"))
    try:
        with pytest.raises(SystemExit) if args[1] == "Nowhere" else contextlib.nullcontext():
            main(list(args))
    finally:
        gc.callbacks.pop()
    assert gc.isenabled()
    if args[1] != "Nowhere":  # an error is printed after the command, with the collector back
        assert not any(seen)
