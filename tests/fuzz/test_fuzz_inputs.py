"""Fuzzing the files karavan reads: only karavan errors, never another exception.

Hypothesis mutates one field of the mini dataset (tests/fixtures/mini), of a scenario written for it,
or of the packaged reliability and accounting parameters: a wrong type, NaN, infinity, a negative,
huge or empty value, a missing key, an unknown key, a wrong id, Rich markup, a whole record
replaced. Loading and validating the result (and, for the parameters, using them) must either
work or raise :class:`karavan.errors.KaravanError` (the one exception root); anything else is a
traceback a user would see. Runs are deterministic (``derandomize``) and budgeted.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karavan.errors import KaravanError

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
TABLES = sorted(p.name for p in MINI.glob("*.yaml"))
BUDGET = settings(
    max_examples=60, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)

HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(
        [
            None,
            "",
            " ",
            "[/]",
            "[bold]x",
            "no-such-id",
            True,
            0,
            -1,
            -1e-9,
            10**40,
            1e308,
            -1e308,
            math.nan,
            math.inf,
            -math.inf,
            [],
            {},
            [None],
            {"dist": "lognormal", "median": -1, "p90": math.nan},
            {"dist": "nope"},
            "x" * 5000,
            "2026-02-30",
            "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        ]
    ),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
)


@pytest.fixture(scope="module")
def work() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="karavan-fuzz-") as tmp:
        yield Path(tmp)


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in nested lists and mappings (the containers themselves included)."""
    out = [path]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _leaves(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _leaves(v, (*path, i))
    return out


def _mutate(data: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    """``data`` with the value at ``path`` replaced, deleted, or given an unknown sibling key."""
    if not path:
        return value
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "extra" and isinstance(parent, dict):
        parent["unexpected_field"] = value
    else:
        parent[last] = value
    return data


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


MUTATION = st.tuples(st.integers(min_value=0), st.sampled_from(["replace", "replace", "delete", "extra"]), HOSTILE)


def _apply(data: Any, mutation: tuple[int, str, Any]) -> Any:
    index, action, value = mutation
    paths = _leaves(data)
    return _mutate(data, paths[index % len(paths)], action, value)


def _only_karavan_errors(call: Any) -> None:
    """Run ``call``; a karavan error is an answer, any other exception fails the test."""
    with contextlib.suppress(KaravanError):
        call()


@BUDGET
@given(table=st.sampled_from(TABLES), mutation=MUTATION)
def test_mutated_dataset_loads_or_fails_with_a_karavan_error(
    work: Path, table: str, mutation: tuple[int, str, Any]
) -> None:
    from karavan.io import load_network, validate_dataset

    target = work / "dataset"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(MINI, target)
    data = yaml.safe_load((MINI / table).read_text(encoding="utf-8"))
    (target / table).write_text(_dump(_apply(data, mutation)), encoding="utf-8")
    _only_karavan_errors(lambda: validate_dataset(target))
    _only_karavan_errors(lambda: load_network(target))


SCENARIO: dict[str, Any] = {
    "name": "fuzz",
    "title": "A scenario for the mini network",
    "year": 2027,
    "sources": [{"id": "test:S2", "publisher": "Test", "title": "Scenario figures", "year": 2025}],
    "add": {
        "nodes": [
            {
                "id": "kz-new",
                "name_en": "Newtown",
                "name_ru": "Новый",
                "country": "KZ",
                "lat": 44.5,
                "lon": 60.0,
                "kind": "junction",
                "source": "test:S2",
            }
        ],
        "links": [
            {
                "id": "r-new-aktau",
                "from": "kz-new",
                "to": "KZAAU",
                "mode": "rail",
                "length_km": 900,
                "gauge_mm": 1520,
                "source": "test:S2",
            }
        ],
    },
    "modify": {
        "links": [{"id": "r-gamma-aktau", "set": {"length_km": 2400}, "source": ["test:S2"]}],
        "hub_operations": [{"id": "port-aktau", "set": {"dwell_h": 10}, "source": ["test:S2"]}],
    },
    "close": {"countries": ["CN"]},
}


def test_the_unmutated_scenario_applies(work: Path) -> None:
    from karavan.capacity.scenario import apply_scenarios
    from karavan.io import load_network

    path = work / "base-scenario.yaml"
    path.write_text(_dump(SCENARIO), encoding="utf-8")
    net, _, applied = apply_scenarios(load_network(MINI), [path])
    assert applied[0].name == "fuzz"
    assert "kz-new" in net.nodes


@BUDGET
@given(mutation=MUTATION)
def test_mutated_scenario_applies_or_fails_with_a_karavan_error(work: Path, mutation: tuple[int, str, Any]) -> None:
    import copy

    from karavan.capacity.scenario import apply_scenarios
    from karavan.io import load_network

    path = work / "scenario.yaml"
    path.write_text(_dump(_apply(copy.deepcopy(SCENARIO), mutation)), encoding="utf-8")
    base = load_network(MINI)
    _only_karavan_errors(lambda: apply_scenarios(base, [path]))


def _packaged(module: str) -> Any:
    from importlib import resources

    return yaml.safe_load(resources.files(module).joinpath("parameters.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reliability_yaml() -> Any:
    return _packaged("karavan.reliability")


@pytest.fixture(scope="module")
def accounting_yaml() -> Any:
    return _packaged("karavan.accounting")


@settings(BUDGET, max_examples=40)
@given(mutation=MUTATION)
def test_mutated_reliability_parameters_load_and_simulate_or_fail_with_a_karavan_error(
    work: Path, reliability_yaml: Any, mutation: tuple[int, str, Any]
) -> None:
    import copy

    from karavan.io import load_network
    from karavan.reliability import load_reliability_parameters, simulate
    from karavan.routing import RouteQuery

    path = work / "reliability.yaml"
    path.write_text(_dump(_apply(copy.deepcopy(reliability_yaml), mutation)), encoding="utf-8")

    def run() -> None:
        rp = load_reliability_parameters(path)
        simulate(load_network(MINI), RouteQuery("Alpha", "Baku", runs=0), runs=200, parameters=rp)

    _only_karavan_errors(run)


@settings(BUDGET, max_examples=40)
@given(mutation=MUTATION)
def test_mutated_accounting_parameters_load_or_fail_with_a_karavan_error(
    work: Path, accounting_yaml: Any, mutation: tuple[int, str, Any]
) -> None:
    import copy

    from karavan.accounting.params import load_parameters

    target = work / "accounting"
    target.mkdir(exist_ok=True)
    path = target / "parameters.yaml"
    path.write_text(_dump(_apply(copy.deepcopy(accounting_yaml), mutation)), encoding="utf-8")
    _only_karavan_errors(lambda: load_parameters(base=path))


@pytest.mark.parametrize("source", [[None], [1, "test:S2"], {"id": "test:S2"}])
def test_scenario_source_of_the_wrong_type_is_a_validation_error(work: Path, source: Any) -> None:
    """Found by the fuzzer: a ``modify`` entry's non-string source ids ended in an AttributeError."""
    import copy

    from karavan.capacity.scenario import apply_scenarios
    from karavan.errors import ValidationError
    from karavan.io import load_network

    data = copy.deepcopy(SCENARIO)
    data["modify"]["links"][0]["source"] = source
    path = work / "bad-source.yaml"
    path.write_text(_dump(data), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        apply_scenarios(load_network(MINI), [path])
    assert any(p.field == "source" for p in info.value.problems)
