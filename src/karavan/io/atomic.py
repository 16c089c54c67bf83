"""Writing files and directories so that nothing is ever half-written or silently overwritten.

Every command that writes (``-o`` files, ``scenario apply -o DIR``, ``network init``, sweeps,
reports, saved plans) goes through this module:

- :func:`check_file_target` / :func:`check_dir_target` run *before* the work and report an
  unwritable, missing or wrong-kind destination as an :class:`~karavan.errors.InputError`
  naming the option;
- :func:`write_file` / :func:`atomic_file` write a temporary sibling, flush it to disk and
  rename it over the destination in one step, so a reader (or a crash) sees the old file
  or the new one, never a truncated one; the temporary file is removed on any error;
- :func:`atomic_directory` builds a whole directory beside the destination and swaps it in;
  a non-empty destination is refused unless ``force`` is given.

Symlinks are refused as destinations (a rename would replace the link, not its target):
name the target itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from karavan.errors import InputError

TMP_MARK = ".karavan-tmp"
"""Suffix of every temporary this module creates: ``.NAME.PID.RANDOM.karavan-tmp``.

The writer's process id in the name lets the next write of the same destination remove
what a killed process (``kill -9``, power loss) left behind."""


def _refuse_symlink(path: Path, field: str) -> None:
    if path.is_symlink():
        raise InputError(
            field, str(path), f"a path that is not a symlink (it points to {os.readlink(path)}; name the target)"
        )


def _writable_dir(directory: Path, path: Path, field: str) -> None:
    if not directory.is_dir():
        raise InputError(field, str(path), f"a path in an existing directory ({directory} does not exist)")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(field, str(path), f"a path in a writable directory ({directory} is not writable)")


def check_file_target(path: str | Path, *, field: str = "path") -> Path:
    """Check, before any work, that ``path`` can be written as a file.

    Raises
    ------
    karavan.errors.InputError
        If its directory is missing or not writable, it is a directory or a symlink, or
        it exists and is not writable.
    """
    p = Path(path)
    _refuse_symlink(p, field)
    if p.is_dir():
        raise InputError(field, str(p), "a file name, not a directory")
    if p.exists() and not os.access(p, os.W_OK):
        raise InputError(field, str(p), "a writable file (this one is read-only)")
    _writable_dir(p.parent if str(p.parent) else Path("."), p, field)
    return p


def check_dir_target(path: str | Path, *, force: bool = False, field: str = "path") -> Path:
    """Check, before any work, that ``path`` can become a directory written by :func:`atomic_directory`.

    Raises
    ------
    karavan.errors.InputError
        If its parent is missing or not writable, it is a file or a symlink, or it is a
        non-empty directory and ``force`` is not set.
    """
    p = Path(path)
    _refuse_symlink(p, field)
    if p.exists() and not p.is_dir():
        raise InputError(field, str(p), "a directory path (this is a file)")
    if p.is_dir() and any(p.iterdir()) and not force:
        raise InputError(
            field, str(p), "a new or empty directory (it has files: refusing to overwrite them without --force)"
        )
    parent = p.absolute().parent
    _writable_dir(parent, p, field)
    return p


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale(path: Path) -> None:
    """Remove temporaries of ``path`` left by a process that was killed mid-write."""
    parent = path.absolute().parent
    with contextlib.suppress(OSError):
        for cand in parent.glob(f".{glob_escape(path.name)}.*{TMP_MARK}"):
            pid_part = cand.name[len(path.name) + 2 :].split(".", 1)[0]
            if pid_part.isdigit() and int(pid_part) != os.getpid() and not _pid_alive(int(pid_part)):
                if cand.is_dir() and not cand.is_symlink():
                    shutil.rmtree(cand, ignore_errors=True)
                else:
                    cand.unlink(missing_ok=True)


def glob_escape(name: str) -> str:
    """``name`` with glob metacharacters escaped."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _tmp_sibling(path: Path, *, directory: bool) -> Path:
    parent = path.absolute().parent
    prefix = f".{path.name}.{os.getpid()}."
    if directory:
        return Path(tempfile.mkdtemp(prefix=prefix, suffix=TMP_MARK, dir=parent))
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=TMP_MARK, dir=parent)
    os.close(fd)
    return Path(name)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform or file system allows it
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_file(path: str | Path, *, field: str = "path") -> Iterator[Path]:
    """Yield a temporary sibling of ``path`` to write; on success it replaces ``path`` atomically.

    For writers that want a path (Parquet, HTML renderers). The temporary file is removed
    if the block raises (including ``KeyboardInterrupt``).

    Raises
    ------
    karavan.errors.InputError
        If ``path`` cannot be written (see :func:`check_file_target`) or the write fails.
    """
    p = check_file_target(path, field=field)
    remove_stale(p)
    tmp = _tmp_sibling(p, directory=False)
    try:
        yield tmp
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        mode = p.stat().st_mode & 0o777 if p.exists() else 0o666 & ~_umask()
        tmp.chmod(mode)
        tmp.replace(p)
        _fsync_dir(p.absolute().parent)
    except OSError as exc:
        raise InputError(field, str(p), f"a writable file ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)


def write_file(path: str | Path, data: str | bytes, *, field: str = "path") -> Path:
    """Write ``data`` (text is UTF-8) to ``path`` atomically; see :func:`atomic_file`."""
    p = Path(path)
    with atomic_file(p, field=field) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


@contextlib.contextmanager
def atomic_directory(path: str | Path, *, force: bool = False, field: str = "path") -> Iterator[Path]:
    """Yield an empty temporary directory beside ``path``; on success it becomes ``path``.

    An existing empty ``path`` is replaced; a non-empty one only with ``force`` (its old
    contents are removed after the new directory is in place). If the block raises, the
    temporary directory is removed and ``path`` is left as it was.

    Raises
    ------
    karavan.errors.InputError
        If ``path`` cannot be written (see :func:`check_dir_target`) or the swap fails.
    """
    p = check_dir_target(path, force=force, field=field)
    remove_stale(p)
    tmp = _tmp_sibling(p, directory=True)
    old: Path | None = None
    try:
        yield tmp
        tmp.chmod(0o777 & ~_umask())
        if p.exists():
            old = _tmp_sibling(p, directory=True)
            old.rmdir()
            p.rename(old)
        tmp.rename(p)
        _fsync_dir(p.absolute().parent)
    except OSError as exc:
        if old is not None and not p.exists():
            old.rename(p)  # put the previous contents back
            old = None
        raise InputError(field, str(p), f"a writable directory ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    """The process umask, read without changing it (``os.umask`` would race other threads)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


__all__ = [
    "atomic_directory",
    "atomic_file",
    "check_dir_target",
    "check_file_target",
    "remove_stale",
    "write_file",
]
