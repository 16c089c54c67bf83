"""Hostile YAML: every file karavan reads is refused with file, line and reason, never expanded."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from karavan.errors import Problem, ValidationError
from karavan.io import load_network, validate_dataset
from karavan.io.safe_yaml import YamlLimits, load_yaml, parse_yaml

Edit = Callable[[Path, str, str], None]


def _bomb(levels: int = 9, width: int = 9) -> str:
    """The classic "billion laughs": ``width ** levels`` strings from about 1 KB of aliases."""
    lines = ["l0: &l0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _refusal(data: str | bytes, **kwargs: object) -> Problem:
    with pytest.raises(ValidationError) as info:
        parse_yaml(data, file="t.yaml", **kwargs)  # type: ignore[arg-type]
    (problem,) = info.value.problems
    assert problem.file == "t.yaml"
    return problem


def test_plain_documents_parse_as_with_safe_load() -> None:
    text = "a: 1\nb: [1.5, x, true, null]\nc: {d: 2024-01-01}\nm: &m {k: 1}\nn: *m\n"
    assert parse_yaml(text, file="t.yaml") == {
        "a": 1,
        "b": [1.5, "x", True, None],
        "c": {"d": __import__("datetime").date(2024, 1, 1)},
        "m": {"k": 1},
        "n": {"k": 1},
    }
    assert parse_yaml("", file="t.yaml") is None
    assert parse_yaml("<<: {a: 1}\nb: 2\n", file="t.yaml") == {"a": 1, "b": 2}


def test_alias_bomb_refused_before_expansion() -> None:
    tracemalloc.start()
    p = _refusal(_bomb())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20_000_000
    assert p.record.startswith("line ")
    assert "aliases" in p.expected
    assert len(str(p)) < 400


def test_alias_budget_is_configurable() -> None:
    p = _refusal("a: &a [1, 2]\nb: [*a, *a, *a]\n", limits=YamlLimits(max_aliases=2))
    assert p.record == "line 2"
    assert parse_yaml("a: &a [1, 2]\nb: [*a, *a]\n", file="t.yaml", limits=YamlLimits(max_aliases=2))


def test_recursive_and_undefined_aliases() -> None:
    assert "recursive" in _refusal("a: &a [1, *a]\n").expected
    assert "anchor defined above" in _refusal("a: *nowhere\n").expected


def test_depth_limit() -> None:
    p = _refusal("a:\n" + "".join("  " * i + "- \n" for i in range(1, 80)), limits=YamlLimits(max_depth=20))
    assert "20 levels" in p.expected
    _refusal("[" * 200_000)  # far past any limit: the parser's own bound, still a problem not a crash


def test_size_limit() -> None:
    p = _refusal("a: " + "x" * 2000 + "\n", limits=YamlLimits(max_bytes=1000))
    assert "1,000 bytes" in p.expected


def test_duplicate_key_names_both_lines() -> None:
    p = _refusal("id: x\nlength_km: 10\nnote: n\nlength_km: 20\n")
    assert (p.record, p.field) == ("line 4", "length_km")
    assert "line 2" in p.expected
    assert _refusal("- {a: 1, b: 2, a: 3}\n").field == "a"


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", ".NaN", "1.0e+999", "-1.5e+400"])
def test_non_finite_numbers(number: str) -> None:
    p = _refusal(f"- {{id: x, lat: {number}}}\n")
    assert (p.record, p.field, p.value) == ("line 1", "lat", number)
    assert "finite" in p.expected


def test_absurdly_long_integer() -> None:
    p = _refusal("n: " + "9" * 5000 + "\n")
    assert p.field == "n"
    assert len(str(p)) < 300


def test_non_utf8_names_the_line() -> None:
    p = _refusal(b"a: 1\nb: caf\xe9\n")
    assert p.record == "line 2"
    assert "UTF-8" in p.expected


@pytest.mark.parametrize(
    "text",
    ["a: 1\n---\nb: 2\n", "a: [1, 2\n", "? [1, 2]\n: x\n", "d: 2024-13-45\n", "a: !!python/object:os.system x\n"],
)
def test_malformed_documents_are_problems(text: str) -> None:
    p = _refusal(text)
    assert p.expected


def test_symlink_out_of_directory_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("a: 1\n")
    inside = tmp_path / "ds"
    inside.mkdir()
    (inside / "nodes.yaml").symlink_to(outside)
    with pytest.raises(ValidationError) as info:
        load_yaml(inside / "nodes.yaml", within=inside)
    assert "inside the dataset directory" in info.value.problems[0].expected
    (inside / "ok.yaml").write_text("a: 1\n")
    (inside / "link.yaml").symlink_to(inside / "ok.yaml")
    assert load_yaml(inside / "link.yaml", within=inside) == {"a": 1}


# --------------------------------------------------------------------------- whole datasets


def _only(problems: list[Problem], file: str) -> Problem:
    mine = [p for p in problems if p.file == file]
    assert mine, problems
    return mine[0]


def test_dataset_with_alias_bomb(mini_dir: Path) -> None:
    (mini_dir / "sources.yaml").write_text(_bomb(), encoding="utf-8")
    p = _only(validate_dataset(mini_dir), "sources.yaml")
    assert "aliases" in p.expected


def test_dataset_duplicate_length_is_an_error(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "links.yaml", "length_km: 460,", "length_km: 460, length_km: 9999,")
    p = _only(validate_dataset(mini_dir), "links.yaml")
    assert (p.record, p.field) == ("line 1", "length_km")


@pytest.mark.parametrize("value", [".inf", ".nan", "1.0e+999", "1e999", '"inf"', '"nan"'])
def test_dataset_non_finite_coordinate(mini_dir: Path, edit_yaml: Edit, value: str) -> None:
    edit_yaml(mini_dir / "nodes.yaml", "lat: 40.0, lon: 80.0", f"lat: {value}, lon: 80.0")
    p = _only(validate_dataset(mini_dir), "nodes.yaml")
    assert p.field == "lat"
    with pytest.raises(ValidationError):
        load_network(mini_dir)


def test_dataset_symlink_leaving_directory(mini_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    (mini_dir / "nodes.yaml").rename(outside)
    (mini_dir / "nodes.yaml").symlink_to(outside)
    p = _only(validate_dataset(mini_dir), "nodes.yaml")
    assert "symlink" in p.expected
    (mini_dir / "nodes.yaml").unlink()
    (mini_dir / "nodes.yaml").symlink_to(tmp_path / "missing.yaml")
    assert _only(validate_dataset(mini_dir), "nodes.yaml")


def test_dataset_non_utf8(mini_dir: Path) -> None:
    with (mini_dir / "nodes.yaml").open("ab") as fh:
        fh.write(b"# caf\xe9\n")
    p = _only(validate_dataset(mini_dir), "nodes.yaml")
    assert "UTF-8" in p.expected
