"""The on-disk cache of the validated dataset and parameters: reused when nothing changed, never stale."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from karavan.accounting import params as accounting_params
from karavan.errors import ValidationError
from karavan.io import cache
from karavan.io import load as io_load
from karavan.io.load import load_network

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
SPEED = "  speed_kmh: 40\n"
"""The Alpha block train's speed line in the mini dataset's services.yaml."""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache directory for this test."""
    d = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(d))
    return d


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what this process holds in memory, as a new process would."""
    monkeypatch.setattr(io_load, "_CACHE", {})
    monkeypatch.setattr(accounting_params, "_CACHE", {})


@contextmanager
def _fresh_copy() -> Iterator[tuple[pytest.MonkeyPatch, Path]]:
    """A copy of the mini dataset with an empty cache of its own (one per hypothesis example)."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        root = Path(tmp)
        mp.setenv(cache.ENV_DIR, str(root / "cache"))
        shutil.copytree(MINI, root / "mini")
        yield mp, root / "mini"


def _entries(d: Path, kind: str) -> list[Path]:
    return sorted(d.glob(f"{kind}-*{cache.SUFFIX}"))


def test_a_new_process_reads_the_validated_network_from_disk(
    cache_dir: Path, mini_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_network(mini_dir)
    assert len(_entries(cache_dir, "network")) == 1
    _new_process(monkeypatch)

    def no_parsing(path: Path) -> None:
        raise AssertionError(f"parsed {path} again")

    monkeypatch.setattr(io_load, "_build", no_parsing)
    again = load_network(mini_dir)
    assert again is not first
    assert again.content_hash == first.content_hash
    assert again.path == mini_dir
    assert again.nodes == first.nodes
    assert again.services == first.services
    assert again.links == first.links
    assert again.resolve("Aktau").id == first.resolve("Aktau").id


def test_a_new_process_answered_from_the_cache_imports_no_yaml_and_builds_no_validators(
    cache_dir: Path, mini_dir: Path
) -> None:
    probe = (
        "import sys\n"
        "from karavan.io import load_network\n"
        "from karavan.model.entities import Node\n"
        f"net = load_network({str(mini_dir)!r})\n"
        "print(len(net.nodes), 'yaml' in sys.modules, Node.__pydantic_complete__)\n"
    )
    env = {**os.environ, cache.ENV_DIR: str(cache_dir)}
    run = [sys.executable, "-c", probe]
    cold = subprocess.run(run, check=True, capture_output=True, text=True, env=env).stdout.split()
    warm = subprocess.run(run, check=True, capture_output=True, text=True, env=env).stdout.split()
    assert cold[1:] == ["True", "True"]  # parsed and validated
    assert warm == [cold[0], "False", "False"]


@settings(max_examples=25)
@given(speed=st.integers(min_value=1, max_value=120))
def test_an_edited_file_is_never_answered_from_the_cache(speed: int) -> None:
    with _fresh_copy() as (mp, d):
        load_network(d)  # the unedited dataset is now cached
        services = d / "services.yaml"
        services.write_text(services.read_text(encoding="utf-8").replace(SPEED, f"  speed_kmh: {speed}\n", 1))
        _new_process(mp)
        assert load_network(d).services["cn-train"].speed_kmh == speed
        _new_process(mp)
        assert load_network(d).services["cn-train"].speed_kmh == speed  # and the edit is what is cached now


def test_an_invalid_dataset_is_not_cached(cache_dir: Path, mini_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    services = mini_dir / "services.yaml"
    services.write_text(services.read_text(encoding="utf-8").replace(SPEED, "  speed_kmh: -4\n", 1))
    for _ in range(2):
        _new_process(monkeypatch)
        with pytest.raises(ValidationError):
            load_network(mini_dir)
    assert _entries(cache_dir, "network") == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]),  # one flipped byte
        lambda data: b"not a cache entry",
        lambda data: b"",
    ],
    ids=["truncated", "flipped-byte", "foreign", "empty"],
)
def test_a_damaged_entry_is_ignored_and_rebuilt(
    cache_dir: Path, mini_dir: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    first = load_network(mini_dir)
    (entry,) = _entries(cache_dir, "network")
    good = entry.read_bytes()
    entry.write_bytes(damage(good))  # type: ignore[operator]
    _new_process(monkeypatch)
    again = load_network(mini_dir)
    assert again.services == first.services
    assert entry.read_bytes()[: len(cache.MAGIC)] == cache.MAGIC  # rewritten whole
    _new_process(monkeypatch)
    assert load_network(mini_dir).services == first.services


def test_an_entry_stored_under_another_key_is_not_trusted(
    cache_dir: Path, mini_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    shutil.copytree(mini_dir, other)
    (other / "services.yaml").write_text(
        (other / "services.yaml").read_text(encoding="utf-8").replace(SPEED, "  speed_kmh: 77\n", 1)
    )
    load_network(mini_dir)
    (mine,) = _entries(cache_dir, "network")
    load_network(other)
    (theirs,) = [p for p in _entries(cache_dir, "network") if p != mine]
    shutil.copyfile(theirs, mine)  # a valid entry, but for other inputs
    _new_process(monkeypatch)
    assert load_network(mini_dir).services["cn-train"].speed_kmh == 40


def test_new_code_gives_new_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.entry_key("network", ("a", b"b"))
    assert cache.entry_key("network", ("a", b"b")) == before
    assert cache.entry_key("network", ("ab", b"")) != before  # parts are length-delimited
    assert cache.entry_key("parameters", ("a", b"b")) != before
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "edited module")
    assert cache.entry_key("network", ("a", b"b")) != before


def test_the_code_fingerprint_follows_every_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import karavan

    (tmp_path / "sub" / "deep").mkdir(parents=True)
    for name in ("__init__.py", "sub/a.py", "sub/deep/b.py", "sub/data.yaml"):
        (tmp_path / name).write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(karavan, "__file__", str(tmp_path / "__init__.py"))

    def fingerprint() -> str:
        cache.code_fingerprint.cache_clear()
        return cache.code_fingerprint()

    before = fingerprint()
    assert fingerprint() == before
    (tmp_path / "sub" / "data.yaml").write_text("not code\n", encoding="utf-8")
    assert fingerprint() == before
    (tmp_path / "sub" / "deep" / "b.py").write_text("x = 22\n", encoding="utf-8")
    edited = fingerprint()
    assert edited != before
    (tmp_path / "sub" / "c.py").write_text("", encoding="utf-8")
    assert fingerprint() != edited
    cache.code_fingerprint.cache_clear()


def test_cache_off_writes_nothing(tmp_path: Path, mini_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV_DIR, "off")
    assert cache.cache_dir() is None
    monkeypatch.chdir(tmp_path)
    net = load_network(mini_dir)
    assert net.services
    assert not (tmp_path / "off").exists()


def test_an_unwritable_cache_never_fails_the_load(
    tmp_path: Path, mini_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker / "cache"))
    assert load_network(mini_dir).services
    _new_process(monkeypatch)
    assert load_network(mini_dir).services


def test_old_entries_are_pruned(cache_dir: Path) -> None:
    for i in range(cache.MAX_ENTRIES + 5):
        cache.write_entry("network", f"{i:064x}", [i])
    assert len(_entries(cache_dir, "network")) == cache.MAX_ENTRIES
    assert cache.clear("network") == cache.MAX_ENTRIES
    assert _entries(cache_dir, "network") == []


OVERRIDE = """
version: "ds-1"
sources:
  - {{id: "ds:1", publisher: Me, title: Mine}}
toc:
  - {{id: rail_container_diesel, name: KZ diesel, mode: rail, basis: tkm, energy: fuel,
     wtw_g: {wtw}, ttw_g: 1, source: "ds:1"}}
"""


@settings(max_examples=20)
@given(wtw=st.integers(min_value=2, max_value=90))
def test_an_edited_parameters_file_gives_new_factors(wtw: int) -> None:
    with _fresh_copy() as (mp, d):
        (d / "parameters.yaml").write_text(OVERRIDE.format(wtw=1.5), encoding="utf-8")
        assert accounting_params.load_parameters(d).toc["rail_container_diesel"].wtw_g == 1.5
        (d / "parameters.yaml").write_text(OVERRIDE.format(wtw=wtw), encoding="utf-8")
        _new_process(mp)
        assert accounting_params.load_parameters(d).toc["rail_container_diesel"].wtw_g == wtw
        _new_process(mp)
        assert accounting_params.load_parameters(d).toc["rail_container_diesel"].wtw_g == wtw
