"""The README's examples run as written, so the documentation never drifts from the code."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from karavan.cli.main import main

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
SKIP = ("karavan serve", "karavan simulate sweep")  # a server that blocks; Dask sweeps are tested on their own


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def _commands() -> list[str]:
    out = []
    for block in _blocks("bash"):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith("karavan ") and not line.startswith(SKIP):
                out.append(line)
    return out


COMMANDS = _commands()


def test_readme_has_examples() -> None:
    assert len(COMMANDS) >= 12


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    argv = shlex.split(command)[1:]
    argv = [a for a in argv if a != "[PATH]"]
    code: object = 0
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code in (0, None), command


def test_readme_python_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code = next(b for b in _blocks("python") if "plan_routes" in b)
    exec(compile(code, "README.md", "exec"), {})
    assert "CN" in capsys.readouterr().out
