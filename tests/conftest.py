"""Shared fixtures: a tiny reference network copied into a temporary directory."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from karavan.io import load_network
from karavan.model import Network

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    """A fresh, editable copy of the ``mini`` dataset."""
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest


@pytest.fixture
def mini_net() -> Network:
    """The ``mini`` network, loaded and validated."""
    return load_network(MINI)


@pytest.fixture
def edit_yaml() -> Callable[[Path, str, str], None]:
    """Replace text in a dataset file, failing loudly if the text is absent."""

    def _edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path.name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return _edit
