"""API fixtures: apps over the mini fixture and the embedded dataset, with their TestClients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from karavan import datasets
from karavan.api import Settings, create_app

MINI = Path(__file__).parents[1] / "fixtures" / "mini"


@pytest.fixture(scope="module")
def mini_client() -> Iterator[TestClient]:
    """A client of an app serving the mini fixture (lifespan run)."""
    with TestClient(create_app(Settings(dataset=str(MINI)))) as client:
        yield client


@pytest.fixture(scope="module")
def caspian_client() -> Iterator[TestClient]:
    """A client of an app serving the embedded default dataset."""
    if datasets.DEFAULT not in datasets.available():
        pytest.skip("the embedded caspian dataset is not in this checkout")
    with TestClient(create_app(Settings(dataset=None))) as client:
        yield client
