"""What the CLI imports before it runs a command: only what that command uses.

Each check runs in a new interpreter (``sys.modules`` of the test process already holds everything).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = (
    "numpy",
    "scipy",
    "highspy",
    "numba",
    "simpy",
    "dask",
    "pyarrow",
    "pandas",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "uvicorn",
    "jinja2",
    "pypsa",
    "rapidfuzz",
    "networkx",
    "yaml",
)
"""Libraries of particular commands; listing or parsing the command line needs none of them."""


def imported_after(code: str) -> set[str]:
    """Top-level packages and karavan modules in ``sys.modules`` after ``code`` runs in a new interpreter."""
    probe = (
        "import json, sys\n"
        f"{code}\n"
        "names = {m.split('.')[0] for m in sys.modules} | {m for m in sys.modules if m.startswith('karavan.')}\n"
        "sys.__stdout__.write('\\n' + json.dumps(sorted(names)))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def run_main(*args: str) -> str:
    """Code that runs ``karavan ARGS`` through :func:`karavan.cli.main.main`, ignoring its exit."""
    return f"from karavan.cli.main import main\ntry:\n    main({list(args)!r})\nexcept SystemExit:\n    pass"


def test_importing_the_entry_point_loads_no_command() -> None:
    names = imported_after("import karavan.cli.main")
    assert not names & set(HEAVY)
    assert not {n for n in names if n.startswith("karavan.cli.")} - {"karavan.cli.main", "karavan.cli.common"}
    assert "pydantic" not in names
    assert "karavan.model.entities" not in names


def test_help_lists_every_command_without_their_libraries() -> None:
    names = imported_after(run_main("--help"))
    assert not names & set(HEAVY)
    assert {f"karavan.cli.{c}" for c in ("route", "assign", "serve", "energy", "db")} <= names


@pytest.mark.parametrize(
    ("command", "absent"),
    [
        ("route", {"karavan.cli.assign", "karavan.cli.serve", "karavan.cli.simulate", "karavan.capacity.lp"}),
        ("assign", {"karavan.cli.route", "karavan.cli.energy", "karavan.cli.report", "karavan.reliability.des"}),
    ],
)
def test_a_command_imports_only_its_own_module(command: str, absent: set[str]) -> None:
    names = imported_after(run_main(command, "--help"))
    assert f"karavan.cli.{command}" in names
    assert not names & absent
    assert not names & set(HEAVY)


def test_a_warm_route_reads_caches_and_imports_no_parser_or_other_command() -> None:
    """With the dataset, graph and weights on disk, ``karavan route`` parses no YAML and builds nothing."""
    code = run_main("route", "Aktau", "Baku", "--format", "json")
    imported_after(code)  # fills the disk cache (the test session has a throwaway one)
    names = imported_after(code)
    assert {"karavan.routing.plan", "karavan.routing.stored", "karavan.reliability.montecarlo"} <= names
    absent = {
        "yaml",
        "karavan.io.safe_yaml",
        "numpy.ma",
        "rich",
        "karavan.capacity",
        "karavan.api",
        "karavan.energy",
        "karavan.reliability.des",
        "karavan.cli.simulate",
    }
    assert not names & absent
    assert not names & (set(HEAVY) - {"numpy"})


@pytest.mark.parametrize(
    ("args", "preset", "threads"),
    [
        (("route", "Aktau", "Baku", "--format", "json"), None, "1"),
        (("route", "Aktau", "Baku", "--format", "json"), "2", "2"),
        (("network", "list", "--format", "json"), None, None),
    ],
)
def test_route_starts_numpy_with_one_blas_thread(
    args: tuple[str, ...], preset: str | None, threads: str | None
) -> None:
    """Unless the user chose a number; other commands keep OpenBLAS's default."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if preset is not None:
        env["OPENBLAS_NUM_THREADS"] = preset
    probe = (
        f"import os, sys\n{run_main(*args)}\nsys.__stdout__.write('\\n' + repr(os.environ.get('OPENBLAS_NUM_THREADS')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True, env=env).stdout
    assert out.splitlines()[-1] == repr(threads)
