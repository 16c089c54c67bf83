"""The route request: bounds named by field, defaults, windows, round trips, cache keys."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from karavan.accounting import Cargo, load_parameters
from karavan.datasets import get_path
from karavan.errors import InputError
from karavan.io import load_network
from karavan.model import Network
from karavan.routing import Criterion, RouteQuery, parse_duration_h, plan_routes
from karavan.routing.graph import routing_graph

DEPART = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"origin": ""}, "origin"),
        ({"depart": datetime(1990, 1, 1)}, "depart"),
        ({"window_h": -1}, "window_h"),
        ({"window_h": 24 * 40}, "window_h"),
        ({"via": ["a"] * 9}, "via"),
        ({"avoid_countries": ["Russia"]}, "avoid_countries"),
        ({"modes": ["air"]}, "modes"),
        ({"criteria": ["speed"]}, "criteria"),
        ({"max_routes": 0}, "max_routes"),
        ({"max_routes": 51}, "max_routes"),
        ({"slack": 10}, "slack"),
        ({"max_labels": 0}, "max_labels"),
        ({"runs": 50}, "runs"),
        ({"seed": -1}, "seed"),
        ({"fastest_by": "mean"}, "fastest_by"),
        ({"target": datetime(2026, 11, 1, tzinfo=UTC)}, "target"),
    ],
)
def test_bounds_name_the_field(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"origin": "Alpha", "destination": "Baku", "depart": DEPART}
    with pytest.raises(InputError) as exc:
        RouteQuery(**{**base, **kwargs})  # type: ignore[arg-type]
    assert exc.value.field == field


def test_defaults_and_normalisation() -> None:
    q = RouteQuery(" Alpha ", "Baku", depart=date(2026, 12, 1), avoid_countries=["ru", "RU"], modes="rail")
    assert q.origin == "Alpha"
    assert q.depart_at == DEPART
    assert q.avoid_countries == ("RU",)
    assert [m.value for m in q.modes] == ["rail"]
    assert q.criteria == tuple(Criterion)
    assert RouteQuery("a", "b", criteria=["cost"]).criteria == (Criterion.TIME, Criterion.COST)


def test_window_departures_and_round_trip() -> None:
    q = RouteQuery("Alpha", "Baku", depart=DEPART, window_h=parse_duration_h("2d"), cargo=Cargo("TEU", count=3))
    assert [d.day for d in q.departures()] == [1, 2, 3]
    assert RouteQuery.from_dict(q.to_dict()) == q
    assert parse_duration_h("1w") == 168.0
    with pytest.raises(InputError, match="window"):
        parse_duration_h("soon")


def test_window_reports_best_typical_worst(mini_net: Network) -> None:
    plan = plan_routes(mini_net, RouteQuery("Alpha", "Baku", depart=DEPART, window_h=72, runs=200))
    summary = plan.window_summary()
    assert summary is not None
    assert len(plan.window) == 4
    assert summary["best"]["p50_h"] <= summary["typical"]["p50_h"] <= summary["worst"]["p50_h"]
    assert plan.depart.isoformat() == summary["best"]["depart"]
    assert plan.to_dict(trail=False)["window"]["worst"] == summary["worst"]


def test_edited_parameters_reach_the_search(tmp_path: Path) -> None:
    copy = tmp_path / "caspian"
    shutil.copytree(get_path("caspian"), copy)
    net = load_network(copy)
    cargo = Cargo("FEU")
    before = routing_graph(net, cargo, load_parameters(copy))
    packaged = Path(load_parameters().files[0]).read_text(encoding="utf-8")
    assert "toc:" in packaged
    (copy / "parameters.yaml").write_text(_doubled_rail_factor(packaged), encoding="utf-8")
    after = routing_graph(net, cargo, load_parameters(copy))
    assert after is not before
    assert after.co2e_kg.sum() > before.co2e_kg.sum()
    assert routing_graph(net, cargo, load_parameters(copy)) is after  # cached on the new content


def _doubled_rail_factor(text: str) -> str:
    """The packaged parameters with every transport category's WTW factor doubled."""
    import yaml

    data = yaml.safe_load(text)
    for toc in data["toc"]:
        toc.pop("wtt_g", None)  # only checked against wtw - ttw
        for key in ("wtw_g", "ttw_g"):
            if isinstance(toc.get(key), int | float):
                toc[key] = 2 * toc[key]
    return yaml.safe_dump(data, allow_unicode=True)


def test_cli_shows_planned_p50_p90_and_labels(run_cli: Callable[..., tuple[int, str, str]]) -> None:
    mini = str(Path(__file__).parents[1] / "fixtures" / "mini")
    code, out, _ = run_cli("route", "Alpha", "Baku", "--dataset", mini, "--depart", "2026-12-01", "--window", "2d")
    assert code == 0
    for col in ("planned d", "P50 d", "P90 d", "USD", "kg CO2e", "most_reliable", "departure window"):
        assert col in out
    code, out, _ = run_cli("route", "Alpha", "Baku", "--dataset", mini, "--runs", "0", "-f", "json")
    assert code == 0
    route = json.loads(out)["routes"][0]
    assert route["reliability_method"] == "analytic"
    assert route["planned_h"] <= route["p50_h"] <= route["p90_h"]
    code, _, err = run_cli("route", "Alpha", "Baku", "--dataset", mini, "--window", "soon")
    assert code == 2
    assert "--window" in err
