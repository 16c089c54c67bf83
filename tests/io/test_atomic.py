"""Nothing lost: atomic file and directory writes, refusals before work, no stale temporaries."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from karavan.errors import InputError
from karavan.io.atomic import (
    TMP_MARK,
    atomic_directory,
    atomic_file,
    check_dir_target,
    check_file_target,
    write_file,
)


def _temps(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.endswith(TMP_MARK)]


def test_write_file_replaces_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_file(target, "old\n")
    write_file(target, "new\n", field="--output")
    assert target.read_text() == "new\n"
    assert _temps(tmp_path) == []


def test_failure_mid_write_keeps_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("precious\n")

    def interrupted() -> None:
        with atomic_file(target) as tmp:
            tmp.write_text("half")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert target.read_text() == "precious\n"
    assert _temps(tmp_path) == []


def test_file_target_refusals(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist") as info:
        check_file_target(tmp_path / "missing" / "x.csv", field="--trail-csv")
    assert info.value.field == "--trail-csv"
    with pytest.raises(InputError, match="not a directory"):
        check_file_target(tmp_path)
    real = tmp_path / "real.json"
    real.write_text("{}")
    (tmp_path / "link.json").symlink_to(real)
    with pytest.raises(InputError, match="symlink"):
        write_file(tmp_path / "link.json", "x")
    assert real.read_text() == "{}"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_directory_reported(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(InputError, match="not writable"):
            check_file_target(ro / "x.json")
    finally:
        ro.chmod(0o755)


def test_directory_refuses_non_empty_without_force(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    out.mkdir()
    (out / "keep.yaml").write_text("mine")
    with pytest.raises(InputError, match="--force"):
        check_dir_target(out, field="--output")
    with atomic_directory(out, force=True) as tmp:
        (tmp / "dataset.yaml").write_text("name: x\n")
    assert sorted(p.name for p in out.iterdir()) == ["dataset.yaml"]
    assert _temps(tmp_path) == []


def test_directory_failure_leaves_destination_untouched(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    out.mkdir()
    (out / "keep.yaml").write_text("mine")

    def failing() -> None:
        with atomic_directory(out, force=True) as tmp:
            (tmp / "dataset.yaml").write_text("")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        failing()
    assert (out / "keep.yaml").read_text() == "mine"
    assert _temps(tmp_path) == []


def test_directory_target_that_is_a_file_or_symlink(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_text("x")
    with pytest.raises(InputError, match="is a file"):
        check_dir_target(f)
    (tmp_path / "d").mkdir()
    (tmp_path / "l").symlink_to(tmp_path / "d")
    with pytest.raises(InputError, match="symlink"):
        check_dir_target(tmp_path / "l")


_KILLED_WRITER = """
import sys, time
from pathlib import Path
from karavan.io.atomic import atomic_directory
with atomic_directory(Path(sys.argv[1]), force=True) as tmp:
    (tmp / "dataset.yaml").write_text("name: half\\n")
    print("writing", flush=True)
    time.sleep(60)
"""


def test_killed_writer_loses_nothing_and_its_temp_is_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    out.mkdir()
    (out / "dataset.yaml").write_text("name: old\n")
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(out)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"writing"
    proc.kill()
    proc.wait(10)
    proc.stdout.close()
    assert (out / "dataset.yaml").read_text() == "name: old\n"
    assert len(_temps(tmp_path)) == 1  # what kill -9 leaves ...
    time.sleep(0.01)
    with atomic_directory(out, force=True) as tmp:
        (tmp / "dataset.yaml").write_text("name: new\n")
    assert _temps(tmp_path) == []  # ... is removed by the next write
    assert (out / "dataset.yaml").read_text() == "name: new\n"


def test_cli_writers_refuse_before_work_and_force_replaces(
    run_cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    run = run_cli
    mini = str(Path(__file__).parents[1] / "fixtures" / "mini")
    dest = tmp_path / "copy"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    code, _, err = run("network", "init", str(dest), "--dataset", mini)
    assert code == 2
    assert "--force" in err
    assert (dest / "notes.txt").read_text() == "mine"
    code, _, _ = run("network", "init", str(dest), "--dataset", mini, "--force")
    assert code == 0
    assert not (dest / "notes.txt").exists()
    assert (dest / "nodes.yaml").is_file()
    out = tmp_path / "applied"
    out.mkdir()
    (out / "x").write_text("x")
    code, _, err = run("scenario", "apply", "no-russia", "-o", str(out), "--dataset", mini)
    assert code == 2
    assert "--output" in err
    assert "--force" in err
    code, _, err = run("route", "CNAAA", "AZBAK", "--dataset", mini, "--trail-csv", str(tmp_path / "no" / "t.csv"))
    assert code == 2
    assert "--trail-csv" in err
    code, _, err = run("network", "export", "-o", str(tmp_path), "--dataset", mini)
    assert code == 2
    assert "--output" in err
    assert _temps(tmp_path) == []
