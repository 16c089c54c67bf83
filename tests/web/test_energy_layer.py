"""The energy layer of the web map in headless Chromium: pipelines and power links, then utilisation."""

from __future__ import annotations

from typing import Any

import pytest
from tests.web.conftest import LiveServer


def test_energy_layer_draws_and_colours_by_utilisation(open_page: Any, live_server: LiveServer) -> None:
    probe = open_page(1366, 768)
    page = probe.page
    page.goto(live_server.url + "/")
    page.wait_for_selector("body.ready", timeout=30_000)
    page.check("input.energy-toggle")
    try:
        page.wait_for_selector("path.energy-gas", state="attached", timeout=60_000)
    except Exception:  # pragma: no cover - say why
        pytest.fail(f"no energy lines: {page.inner_text('#energy-status')!r} {probe.errors}")
    assert page.locator("path.energy-electricity").count() > 5
    assert page.locator("path.energy-planned").count() >= 5  # TAPI, Line D, TCP, CASA-1000 ... dashed
    unsolved = page.evaluate(
        "KaravanEnergy.lineStyle({carrier: 'gas', status: 'operating', capacity: 30, capacity_unit: 'bcm/yr'}, false)"
    )
    assert unsolved["color"] == "#e07b00"  # carrier colour until the year is solved
    planned = page.evaluate(
        "KaravanEnergy.lineStyle({carrier: 'electricity', status: 'proposed', capacity: 1000,"
        " capacity_unit: 'MW'}, true)"
    )
    assert planned["dashArray"] == "4 6"
    try:
        page.wait_for_selector("path.energy-solved", timeout=240_000)
    except Exception:  # pragma: no cover - report the status line the page shows
        pytest.fail("energy layer did not finish solving: " + page.inner_text("#energy-status"))
    colours = page.locator("path.energy-line").evaluate_all("els => els.map(e => e.getAttribute('stroke'))")
    assert len(set(colours)) > 2  # utilisation classes
    page.locator("path.energy-gas").first.click(force=True)
    page.wait_for_selector(".leaflet-popup-content", timeout=10_000)
    assert "utilisation" in page.inner_text(".leaflet-popup-content")
    page.uncheck("input.energy-toggle")
    assert page.locator("path.energy-line").count() == 0
    assert probe.errors == []
