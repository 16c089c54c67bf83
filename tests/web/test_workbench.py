"""The web map as a workbench, in headless Chromium: legs by mode, charts, URL state, downloads, languages,
scenarios, and the fixes (autocomplete, emissions text, popups). Screenshots go to tmp_path only."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import LiveServer, PageProbe


def _caps(server: LiveServer) -> dict[str, bool]:
    with urllib.request.urlopen(server.url + "/healthz", timeout=10) as resp:  # loopback only
        caps: dict[str, bool] = json.load(resp)["capabilities"]
        return caps


def _od(server: LiveServer) -> tuple[str, str, str]:
    """Origin id, destination id and an avoided country for a route that has rail and sea legs."""
    if server.dataset == "caspian":
        return "CNXIA", "TRIST", "RU"
    return "CNAAA", "AZBAK", ""


def _url(server: LiveServer, **extra: str) -> str:
    o, d, avoid = _od(server)
    q = f"/?o={o}&d={d}&date=2026-12-01&unit=FEU&n=2" + (f"&avoid={avoid}" if avoid else "")
    return server.url + q + "".join(f"&{k}={v}" for k, v in extra.items())


def _open(probe: PageProbe, url: str) -> Any:
    page = probe.page
    page.goto(url)
    page.wait_for_selector("body.ready", timeout=60_000)
    page.wait_for_selector("#route-list li.route", timeout=60_000)
    return page


def test_legs_drawn_by_mode_with_stops_and_leg_list(open_page: Any, live_server: LiveServer, tmp_path: Path) -> None:
    probe = open_page(1400, 900)
    page = _open(probe, _url(live_server))
    # each leg of the selected route is a line in its mode's style: sea dashed, rail solid
    sea = page.locator("path.route-line.route-0.leg-mode-sea")
    rail = page.locator("path.route-line.route-0.leg-mode-rail")
    assert sea.count() >= 1
    assert rail.count() >= 1
    assert sea.first.get_attribute("stroke-dasharray")
    assert not rail.first.get_attribute("stroke-dasharray")
    # ports and border crossings of the selected route are labelled on the map
    labels = page.locator(".leaflet-tooltip.stop-label")
    assert labels.count() >= 2
    assert page.locator(".stop-icon.stop-port").count() >= 1
    assert page.locator(".stop-icon.stop-border").count() >= 1
    # the leg list names each leg's mode and service, with activity and intensity
    page.locator("#route-list li.route").first.locator("summary").click()
    legs = page.locator("#route-list li.route").first.locator("ol.legs li.leg")
    assert legs.count() >= 2
    modes = legs.locator(".mode").all_inner_texts()
    assert {"RAIL", "SEA"} <= {m.strip().upper() for m in modes}
    text = page.locator("#route-list li.route").first.locator("ol.legs").inner_text()
    assert "km" in text
    assert "g CO₂e/tkm" in text
    assert page.locator("#route-list li.route").first.locator("ol.legs li.hub").count() >= 1
    # emissions are shown in full, not cut off by the card
    co2 = page.locator("#route-list dd.co2e").first
    assert co2.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    assert "t CO₂e" in co2.inner_text()
    page.screenshot(path=str(tmp_path / "legs.png"))
    assert probe.errors == []


def test_charts_pareto_cdf_histogram(open_page: Any, live_server: LiveServer) -> None:
    if not _caps(live_server)["reliability"]:
        pytest.skip("reliability not available")
    probe = open_page(1400, 900)
    page = _open(probe, _url(live_server))
    n = page.locator("#route-list li.route").count()
    pareto = page.evaluate("() => Chart.getChart('pareto').data.datasets[0].data.map(d => [d.x, d.y, d.r])")
    assert len(pareto) == n
    assert all(x > 0 and y > 0 and r > 0 for x, y, r in pareto)
    # clicking a bubble selects its route
    if n > 1:
        page.evaluate(
            "() => { const c = Chart.getChart('pareto'); const p = c.getDatasetMeta(0).data[1];"
            " c.canvas.dispatchEvent(new MouseEvent('click', {clientX: c.canvas.getBoundingClientRect().left + p.x,"
            " clientY: c.canvas.getBoundingClientRect().top + p.y, bubbles: true})); }"
        )
        page.wait_for_function("document.querySelectorAll('#route-list li.route')[1].classList.contains('selected')")
        assert "r=1" in page.url
    page.wait_for_selector("#charts:not([hidden])", timeout=60_000)
    cdf = page.evaluate("() => Chart.getChart('cdf').data.datasets[0].data.map(p => p.y)")
    assert cdf[0] == pytest.approx(0.0)
    assert cdf[-1] == pytest.approx(1.0)
    assert cdf == sorted(cdf)
    hist = page.evaluate(
        "() => { const c = Chart.getChart('hist'); return {n: c.data.datasets[0].data.length,"
        " y: c.options.scales.y.title.text, max: c.options.scales.x.max}; }"
    )
    assert hist["n"] >= 10
    assert hist["y"] == "share of runs"
    note = page.inner_text("#dist-note")
    assert "P90" in note
    assert "on time" in note
    # a target date is set, so the CDF carries the on-time probability
    assert page.locator("#target").input_value()
    assert probe.errors == []


def test_url_state_is_shareable_and_back_button_works(open_page: Any, live_server: LiveServer) -> None:
    probe = open_page(1366, 800)
    page = probe.page
    page.goto(_url(live_server))
    page.wait_for_selector("#route-list li.route", timeout=60_000)
    first_routes = page.locator("#route-list li.route").count()
    o, d, avoid = _od(live_server)
    assert page.get_attribute("#origin", "data-id") == o
    assert page.get_attribute("#destination", "data-id") == d
    if avoid:
        assert page.is_checked(f"input[name=avoid][value={avoid}]")
    # a second query from the form becomes a new history entry
    page.fill("#count", "3")
    page.click("#plan-button")
    page.wait_for_function("location.search.includes('n=3')")
    page.wait_for_selector("#route-list li.route", timeout=60_000)
    page.go_back()
    page.wait_for_function("location.search.includes('n=2')")
    page.wait_for_selector("#route-list li.route", timeout=60_000)
    assert page.input_value("#count") == "2"
    assert page.locator("#route-list li.route").count() == first_routes
    # the same URL opened elsewhere shows the same plan
    other = open_page(1366, 800)
    page2 = _open(other, page.url)
    assert page2.locator("#route-list li.route").count() == first_routes
    assert page2.get_attribute("#origin", "data-id") == o
    assert probe.errors == []
    assert other.errors == []


def test_downloads(open_page: Any, live_server: LiveServer) -> None:
    probe = open_page(1366, 800)
    page = _open(probe, _url(live_server))
    page.wait_for_selector("#downloads:not([hidden])")
    hrefs = {k: page.get_attribute(f"#dl-{k}", "href") for k in ("geojson", "csv", "json", "report")}
    assert all(h and h.startswith("api/") for h in hrefs.values()), hrefs
    assert page.get_attribute("#dl-geojson", "download").endswith(".geojson")
    base = live_server.url + "/"
    gj = page.request.get(base + hrefs["geojson"])
    assert gj.status == 200
    assert gj.headers["content-type"].startswith("application/geo+json")
    features = gj.json()["features"]
    kinds = {f["properties"]["feature"] for f in features}
    assert kinds == {"route", "leg", "stop"}
    assert {f["properties"]["mode"] for f in features if f["properties"]["feature"] == "leg"} >= {"rail", "sea"}
    trail = page.request.get(base + hrefs["csv"])
    assert trail.status == 200
    rows = list(csv.reader(io.StringIO(trail.text())))
    assert rows[0][:3] == ["element", "kind", "quantity"]
    assert len(rows) > 5
    js = page.request.get(base + hrefs["json"])
    assert js.status == 200
    assert "trail" in js.json()["routes"][0]
    report = page.request.get(base + hrefs["report"] + "&runs=200", timeout=120_000)
    assert report.status == 200
    html = report.text()
    assert '<canvas id="pareto"' in html
    assert "window.Chart" in html or "Chart.js" in html
    assert probe.errors == []


def test_russian_interface_and_country_names(open_page: Any, live_server: LiveServer) -> None:
    probe = open_page(1366, 800)
    page = _open(probe, _url(live_server))
    via = page.locator("#route-list .route-via").first.inner_text()
    if live_server.dataset == "caspian":
        assert "Kazakhstan" in via
        assert "KZ →" not in via
    page.click(".lang button[data-lang=ru]")
    page.wait_for_function("location.search.includes('lang=ru')")
    assert page.inner_text("label[for=origin]") == "Откуда"
    assert page.inner_text("#plan-button") == "Построить маршруты"
    assert page.evaluate("document.documentElement.lang") == "ru"
    chips = page.locator("#avoid-countries span").all_inner_texts()
    if live_server.dataset == "caspian":
        assert "Казахстан" in chips
        assert "Казахстан" in page.locator("#route-list .route-via").first.inner_text()
    assert "сут" in page.inner_text("#route-list")
    # the language survives a reload from the URL (once the simulations in flight have answered)
    if _caps(live_server)["reliability"]:
        page.wait_for_function(
            "[...document.querySelectorAll('#route-list .p90')].every(e => !e.textContent.includes('…'))",
            timeout=120_000,
        )
    page.reload()
    page.wait_for_selector("body.ready", timeout=60_000)
    assert page.inner_text("label[for=destination]") == "Куда"
    assert probe.errors == []


def test_autocomplete_does_not_reopen_after_escape(open_page: Any, live_server: LiveServer) -> None:
    probe = open_page(1366, 800)
    page = probe.page
    page.goto(live_server.url + "/")
    page.wait_for_selector("body.ready", timeout=60_000)
    # type and leave before the suggestions arrive: a late answer must not open a stale list
    page.fill("#origin", "Ak")
    page.keyboard.press("Escape")
    page.wait_for_timeout(700)
    assert page.locator("#origin-list").is_hidden()
    # choosing a suggestion closes the list for good, even with a request still in flight
    page.fill("#origin", "Akta")
    page.locator("#origin-list li[role=option]").first.wait_for(timeout=10_000)
    page.keyboard.type("u")
    page.keyboard.press("Enter")
    page.wait_for_timeout(700)
    assert page.locator("#origin-list").is_hidden()
    assert page.get_attribute("#origin", "data-id")
    assert probe.errors == []


def test_popups_do_not_repeat_text(open_page: Any, live_server: LiveServer) -> None:
    probe = open_page(1366, 800)
    page = probe.page
    page.goto(live_server.url + "/")
    page.wait_for_selector("body.ready", timeout=60_000)
    summary = page.evaluate("KaravanMap.opSummary(['port_handling', 'port_handling', 'border_crossing'])")
    assert summary == "port handling ×2, border crossing"
    html = page.evaluate(
        "KaravanMap.nodePopup({id: 'KZAAU', locode: 'KZAAU', name_en: 'Aktau', name_ru: 'Aktau', kind: 'seaport',"
        " country: 'KZ', operations: ['port_handling', 'port_handling']})"
    )
    assert html.count("KZAAU") == 1
    assert html.count("Aktau") == 1
    assert "Kazakhstan" in html
    assert "×2" in html
    assert probe.errors == []


def test_scenario_comparison_and_utilisation(open_page: Any, live_server: LiveServer, tmp_path: Path) -> None:
    caps = _caps(live_server)
    if not caps["capacity"] or live_server.dataset != "caspian":
        pytest.skip("scenarios need the capacity module and the embedded dataset")
    probe = open_page(1400, 900)
    page = probe.page
    page.goto(live_server.url + "/?tab=scenarios")
    page.wait_for_selector("body.ready", timeout=60_000)
    assert page.locator("#pane-scenarios").is_visible()
    options = page.locator("#scenario option").evaluate_all("els => els.map(e => e.value).filter(Boolean)")
    assert "six-kz-container-ships" in options
    page.select_option("#scenario", "six-kz-container-ships")
    assert "sc=six-kz-container-ships" in page.url
    page.click("#compare")
    page.wait_for_selector("#comparison table.cmp", timeout=240_000)
    assert page.locator("#comparison table.cmp tbody tr").count() >= 3
    assert page.locator("#comparison .cmp-bn ol li").count() >= 2
    # utilisation on the map after assigning the scenario's demand
    page.check("#util")
    page.wait_for_selector("#legend .legend-title", timeout=240_000)
    assert "six-kz-container-ships" in page.inner_text("#legend")
    colours = page.locator("path.net-link").evaluate_all("els => els.map(e => e.getAttribute('stroke'))")
    assert len(set(colours)) > 1
    assert "util=1" in page.url
    page.screenshot(path=str(tmp_path / "scenario.png"))
    assert probe.errors == []


def test_save_share_and_reopen(open_page: Any, live_server: LiveServer) -> None:
    probe = open_page(1366, 800)
    page = _open(probe, _url(live_server))
    n = page.locator("#route-list li.route").count()
    page.click("#save")
    page.wait_for_selector("#share:not([hidden])", timeout=60_000)
    link = page.input_value("#share-url")
    assert "?plan=" in link
    assert "plan=" in page.url
    # the link opens the stored plan (no planning request) with the same routes and form
    other = open_page(1366, 800)
    page2 = other.page
    page2.goto(link)
    page2.wait_for_selector("#route-list li.route", timeout=60_000)
    assert page2.locator("#route-list li.route").count() == n
    assert page2.locator("path.route-line.route-0").count() >= 1  # the stored answer holds the map geometry
    o, d, _ = _od(live_server)
    assert page2.get_attribute("#origin", "data-id") == o
    assert page2.get_attribute("#destination", "data-id") == d
    assert "reopened" in page2.inner_text("#status")
    assert not any("/api/routes" in u for u in other.requests)
    # an unknown id is reported in the page
    page2.goto(live_server.url + "/?plan=does-not-exist")
    page2.wait_for_selector("#status.error", timeout=30_000)
    assert "does-not-exist" in page2.inner_text("#status")
    assert probe.errors == []
