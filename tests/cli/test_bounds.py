"""Hostile and boundary CLI values: a non-zero exit and one error line naming the option and the value.

Every case fails before any heavy work starts (no search, simulation or solve runs), so the
whole file stays fast; none may end in a traceback, a hang or Rich markup being interpreted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from karavan import limits

Run = Callable[..., tuple[int, str, str]]
MINI = str(Path(__file__).parents[1] / "fixtures" / "mini")
ROUTE = ["route", "Alpha", "Baku", "--dataset", MINI]
SIM = ["simulate", "route", "Alpha", "Baku", "--dataset", MINI]
CASPIAN = ["simulate", "caspian", "--demand-mt", "3"]
SWEEP = ["simulate", "sweep"]

CASES = [
    ([*ROUTE, "--depart", "9999-12-31"], "--depart", "9999-12-31"),
    ([*ROUTE, "--depart", "0001-01-01"], "--depart", "0001-01-01"),
    ([*ROUTE, "--depart", "9999-12-31T23:00-05:00"], "--depart", "9999-12-31T23:00-05:00"),
    ([*ROUTE, "--depart", ""], "--depart", "''"),
    ([*ROUTE, "--target-date", "9999-12-31"], "--target-date", "9999-12-31"),
    ([*ROUTE, "--target-date", "2100-12-31"], "--target-date", "2100-12-31"),
    (["route", "", "Baku", "--dataset", MINI], "ORIGIN", "''"),
    (["route", "Alpha", "Alpha", "--dataset", MINI], "DESTINATION", "Alpha"),
    ([*ROUTE, "--count", "0"], "--count", "0"),
    ([*ROUTE, "--count", "nan"], "--count", "nan"),
    ([*ROUTE, "--count", "1e9"], "--count", "1000000000"),
    ([*ROUTE, "--weight-t", "inf"], "--weight-t", "inf"),
    ([*ROUTE, "--weight-t", "1e9"], "--weight-t", "1000000000"),
    ([*ROUTE, "--value-usd", "-1"], "--value-usd", "-1"),
    ([*ROUTE, "--max-routes", "0"], "--max-routes", "0"),
    ([*ROUTE, "--max-routes", "1000000"], "--max-routes", "1000000"),
    ([*ROUTE, "--slack", "nan"], "--slack", "nan"),
    ([*ROUTE, "--slack", "1e300"], "--slack", "1e+300"),
    ([*ROUTE, "--runs", "50"], "--runs", "50"),
    ([*ROUTE, "--runs", "10000000000"], "--runs", "10000000000"),
    ([*ROUTE, "--runs", "1e10"], "--runs", "1e10"),
    ([*ROUTE, "--seed", "-1"], "--seed", "-1"),
    ([*ROUTE, "--window", "9999d"], "--window", "9999d"),
    ([*ROUTE, "--window", "nan"], "--window", "nan"),
    ([*ROUTE, "--modes", ""], "--modes", "[]"),
    ([*ROUTE, "--modes", "[/]"], "--modes", "[/]"),
    ([*ROUTE, "--cargo", "[bold]x"], "--cargo", "[bold]x"),
    ([*ROUTE, "--avoid-country", "[/]"], "--avoid-country", "[/]"),
    ([*ROUTE, "--fastest-by", "[/]"], "--fastest-by", "[/]"),
    (ROUTE + [a for i in range(9) for a in ("--via", f"v{i}")], "--via", "9"),
    (["route", "[/]", "Baku", "--dataset", MINI], "unknown place", "[/]"),
    (["route", "[bold]x", "Baku", "--dataset", MINI], "unknown place", "[bold]x"),
    ([*SIM, "--runs", "1"], "--runs", "1"),
    ([*SIM, "--route-index", "1000000"], "--route-index", "1000000"),
    ([*SIM, "--demand-mt", "inf"], "--demand-mt", "inf"),
    ([*SIM, "--des-scale", "nan"], "--des-scale", "nan"),
    (["simulate", "caspian", "--ships", "1e6"], "--ships", "1e6"),
    ([*CASPIAN, "--ships", "1000000"], "--ships", "1000000"),
    ([*CASPIAN, "--ships", "feeder=100000"], "--ships", "100000"),
    ([*CASPIAN, "--ships", ""], "--ships", "''"),
    ([*CASPIAN, "--years", "inf"], "--years", "inf"),
    ([*CASPIAN, "--max-wait-h", "inf"], "--max-wait-h", "inf"),
    ([*CASPIAN, "--fill-threshold", "nan"], "--fill-threshold", "nan"),
    (["simulate", "caspian", "--demand-mt", "nan"], "--demand-mt", "nan"),
    (["simulate", "caspian", "--scale", "0"], "--scale", "0"),
    (["simulate", "caspian", "--iterations", "100000"], "--iterations", "100000"),
    ([*SWEEP, "--runs", "1e10"], "--runs", "1e10"),
    ([*SWEEP, "--runs", "10000000000"], "--runs", "10000000000"),
    ([*SWEEP, "--runs", "1000", "--demand-mt", "1,2,3,4,5,6,7,8,9,10,11"], "--runs", "1000"),
    ([*SWEEP, "--demand-mt", "nan"], "--demand-mt", "nan"),
    ([*SWEEP, "--demand-mt", ""], "--demand-mt", "''"),
    ([*SWEEP, "--ships", "100000"], "--ships", "100000"),
    ([*SWEEP, "--months", "13"], "--months", "13"),
    ([*SWEEP, "--mc-runs", "-1"], "--mc-runs", "-1"),
    ([*SWEEP, "--workers", "0"], "--workers", "0"),
    (["assign", "--carbon-price", "nan"], "--carbon-price", "nan"),
    (["assign", "--value-of-time", "-1"], "--value-of-time", "-1"),
    (["assign", "--top", "1000000000"], "--top", "1000000000"),
    (["scenario", "diff", "base", "no-russia", "--runs", "10000000000"], "--runs", "10000000000"),
    (["scenario", "diff", "base", "no-russia", "--depart", "9999-12-31"], "--depart", "9999-12-31"),
    (["scenario", "show", "[/]"], "SCENARIO", "[/]"),
    (["trade", "--target-usd", "nan"], "--target-usd", "nan"),
    (["trade", "--scale", "inf"], "--scale", "inf"),
    (["network", "list", "--country", "[/]", "--dataset", MINI], "--country", "[/]"),
    (["serve", "--log-level", "[/]"], "--log-level", "[/]"),
    (["serve", "--workers", "1000"], "--workers", "1000"),
    (["serve", "--host", ""], "--host", "''"),
    (["route", "Alpha", "Baku", "--dataset", ""], "--dataset", "''"),
    (["energy", "show", "--dataset", ""], "--dataset", "''"),
    (["scenario", "diff", "base", "no-russia", "--routes", ""], "--routes", "''"),
    (["scenario", "diff", "base", "no-russia", "--routes", "a:b:c"], "--routes", "a:b:c"),
    (["db", "current", "--url", ""], "--url", "''"),
]


@pytest.mark.parametrize(("args", "option", "value"), CASES, ids=[" ".join(c[0][:6]) for c in CASES])
def test_bad_option_is_one_line_naming_option_and_value(run_cli: Run, args: list[str], option: str, value: str) -> None:
    code, _out, err = run_cli(*args)
    assert code != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert option in lines[0]
    assert value in lines[0]


def _hostile_files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "latin1.yaml").write_bytes(b"name: caf\xe9\n")
    (tmp_path / "broken.yaml").write_text("a: [1, 2\n", encoding="utf-8")
    (tmp_path / "bomb.yaml").write_text(
        'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True)),
        encoding="utf-8",
    )
    (tmp_path / "dir").mkdir()
    return {
        "non-UTF-8": str(tmp_path / "latin1.yaml"),
        "malformed": str(tmp_path / "broken.yaml"),
        "alias bomb": str(tmp_path / "bomb.yaml"),
        "directory": str(tmp_path / "dir"),
        "missing": str(tmp_path / "missing.yaml"),
    }


FILE_OPTIONS = [
    ["route", "Alpha", "Baku", "--dataset", MINI, "--scenario"],
    ["simulate", "caspian", "--parameters"],
    ["simulate", "caspian", "--demand"],
    ["simulate", "route", "--itinerary"],
    ["assign"],
    ["trade", "--mix"],
    ["scenario", "show"],
]


@pytest.mark.parametrize("kind", ["non-UTF-8", "malformed", "alias bomb", "directory", "missing"])
@pytest.mark.parametrize("args", FILE_OPTIONS, ids=[" ".join(a[:2] + a[-1:]) for a in FILE_OPTIONS])
def test_hostile_file_is_an_error_not_a_traceback(run_cli: Run, tmp_path: Path, args: list[str], kind: str) -> None:
    path = _hostile_files(tmp_path)[kind]
    code, _, err = run_cli(*args, path)
    assert code in (1, 2)
    assert "Traceback" not in err
    assert err.strip()


def test_markup_in_a_dataset_prints_literally(run_cli: Run, mini_dir: Path, edit_yaml: Callable[..., None]) -> None:
    edit_yaml(mini_dir / "nodes.yaml", "name_en: Alpha,", 'name_en: "[bold]x[/]",')
    code, out, err = run_cli("network", "show", "CNAAA", "--dataset", str(mini_dir))
    assert code == 0, err
    assert "[bold]x[/]" in out
    code, out, err = run_cli("route", "CNAAA", "Baku", "--runs", "0", "--dataset", str(mini_dir))
    assert code == 0, err
    assert "[bold]x[/]" in out


def test_cli_and_query_share_the_bounds(run_cli: Run) -> None:
    """The CLI's bound is the library's: the largest accepted value passes the check, the next fails."""
    top = str(int(limits.MAX_ROUTES.hi) + 1)
    code, _, err = run_cli(*ROUTE, "--max-routes", top)
    assert code == 2
    assert limits.MAX_ROUTES.expected in err
