"""HTML reports: one self-contained file with the map data, tables, charts and the calculation trail."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import MINI

from karavan.cli.main import main
from karavan.io import load_network
from karavan.routing import RouteQuery, plan_routes
from karavan.web.report import route_report, scenario_report, script_json

EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?(?:https?:)?//""", re.I)


def _data(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert m, "report data block missing"
    data: dict[str, Any] = json.loads(m.group(1))
    return data


def _assert_self_contained(html: str) -> None:
    assert not EXTERNAL.search(html), "a script, style or image is loaded from the network"
    assert not CSS_URL.search(html)
    assert "<script src=" not in html
    assert 'rel="stylesheet"' not in html
    assert "L.map(" in html
    assert "topojson" in html
    assert '"type":"Topology"' in html.replace(" ", "")


def test_route_report_is_self_contained() -> None:
    net = load_network(MINI)
    plan = plan_routes(net, RouteQuery("Alpha", "Baku"))
    sim = {
        "runs": 100,
        "seed": 0,
        "p10_h": 200.0,
        "p50_h": 215.0,
        "p90_h": 250.0,
        "p95_h": 260.0,
        "on_time_probability": None,
        "histogram": {"bin_edges_h": [200.0, 220.0, 240.0, 260.0], "counts": [50, 40, 10]},
    }
    html = route_report(net, plan, simulations=[sim])
    _assert_self_contained(html)
    data = _data(html)
    line = data["routes"]["features"][0]["geometry"]["coordinates"]
    assert line[0] == [80.0, 40.0]  # Alpha, lon/lat
    assert {f["properties"]["feature"] for f in data["network"]["features"]} == {"node", "link"}
    trail = plan.routes[0].itinerary.trail
    assert "Calculation trail" in html
    assert html.count("<tr><td>1: cn-train") >= 1
    assert any(row.formula.split(" ")[0] in html for row in trail)
    assert "P50 9.0" in html  # 215 h
    assert "Sources cited" in html
    assert "test:S1" in html
    # legs carry their mode, carrier unit, activity and intensity; charts are drawn with the inlined Chart.js
    assert '<span class="mode mode-sea">sea</span>' in html
    assert '<span class="mode mode-rail">rail</span>' in html
    assert "g CO₂e/tkm" in html
    assert '<canvas id="pareto"' in html
    assert '<canvas id="hist-0"' in html
    assert "Chart.js v4" in html
    assert {f["properties"]["mode"] for f in data["legs"]["features"]} == {"rail", "sea"}
    assert {f["properties"]["feature"] for f in data["stops"]["features"]} == {"stop"}


def test_script_json_cannot_close_the_script() -> None:
    text = script_json({"name": "</script><script>alert(1)</script>"})
    assert "</script" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_html_is_escaped(tmp_path: Path) -> None:
    net = load_network(MINI)
    plan = plan_routes(net, RouteQuery("Alpha", "Baku"))
    html = route_report(net, plan, title="<b>x</b>")
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_report_route_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "route.html"
    monkeypatch.setenv("KARAVAN_DATASET", str(MINI))
    main(["report", "route", "Альфа", "Баку", "--depart", "2026-12-01", "--runs", "200", "-o", str(out)])
    html = out.read_text(encoding="utf-8")
    _assert_self_contained(html)
    assert "Alpha → Baku port" in html
    assert len(_data(html)["routes"]["features"]) >= 1


def test_report_route_cli_unknown_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KARAVAN_DATASET", str(MINI))
    with pytest.raises(SystemExit) as exc:
        main(["report", "route", "Nowhere", "Baku", "-o", str(tmp_path / "x.html")])
    assert exc.value.code == 2
    assert not (tmp_path / "x.html").exists()


def test_scenario_report_renders_a_diff() -> None:
    net = load_network(MINI)
    diff = {
        "base": "base",
        "new": "more-ferries",
        "routes": [
            {
                "origin": "Alpha",
                "destination": "Baku",
                "base": {"fastest": {"transit_time_h": 240.0, "cost_usd": 3000.0, "co2e_kg": 2000.0}},
                "new": {"fastest": {"transit_time_h": 200.0, "cost_usd": 3100.0, "co2e_kg": 2000.0}},
            }
        ],
        "assignment": {
            "base": {"served_t": 100.0, "unserved_t": 10.0},
            "new": {"served_t": 110.0, "unserved_t": 0.0},
            "delta": {"served_t": 10.0, "unserved_t": -10.0},
        },
        "bottlenecks": {
            "base": [
                {"id": "ferry", "name": "Ferry", "volume_t": 9.0, "utilisation": 1.0, "shadow_price_usd_per_t": 3.0}
            ],
            "new": [],
        },
        "notes": ["a note"],
    }
    elements = [{"id": "ferry", "kind": "service", "utilisation": 0.95}, {"id": "nope", "utilisation": 0.1}]
    html = scenario_report(
        net,
        {"name": "more-ferries", "title": "More ferries", "add": {"services": 1}, "description": "Two more ferries."},
        diff,
        assignment={"elements": elements},
    )
    _assert_self_contained(html)
    assert "More ferries" in html
    assert "Two more ferries." in html
    assert "+10" in html
    assert "a note" in html
    util = _data(html)["utilisation"]
    assert util["links"], "the ferry's sea link is coloured"


def test_report_scenario_cli(tmp_path: Path) -> None:
    capacity = pytest.importorskip("karavan.capacity")
    try:
        shipped = capacity.list_scenarios()
    except Exception as exc:  # pragma: no cover - capacity still landing
        pytest.skip(f"scenarios unavailable: {exc}")
    if not shipped:
        pytest.skip("no shipped scenarios")
    out = tmp_path / "scenario.html"
    main(["report", "scenario", shipped[0].name, "-o", str(out)])
    html = out.read_text(encoding="utf-8")
    _assert_self_contained(html)
    assert "Bottlenecks" in html
    assert "Network totals" in html


def test_report_opens_offline_in_the_browser(open_page: Any, tmp_path: Path) -> None:
    net = load_network(MINI)
    out = tmp_path / "r.html"
    out.write_text(route_report(net, plan_routes(net, RouteQuery("Alpha", "Baku"))), encoding="utf-8")
    probe = open_page(1366, 768)
    probe.page.goto(out.as_uri())
    probe.page.wait_for_selector("path.route-line", timeout=10_000)
    assert probe.page.locator("path.country").count() > 10
    probe.page.screenshot(path=str(tmp_path / "report.png"))
    assert probe.errors == []
    assert all(u.startswith(("file:", "data:")) for u in probe.requests), probe.requests
