"""A content-addressed on-disk cache of derived data: the parsed, validated dataset and parameters.

Parsing and validating the YAML of a dataset costs far more than the work most commands do with
it, so the result is kept on disk between processes. An entry is addressed by a SHA-256 over
every input that determines it (:func:`entry_key`): the bytes of the files it was built from,
the karavan version and a fingerprint of the installed code (:func:`code_fingerprint`; an edited
module gives new keys), the Python, pydantic and numpy versions. A changed input gives another
key, so an entry is never stale: it is either the answer for exactly these inputs or absent.

Each entry file holds a header, a SHA-256 of its body and the body (a pickle of the kind, the
key and the value). A truncated, corrupt or foreign entry, or one whose stored key or type does
not match, is ignored, removed and rebuilt; it is never returned. Entries are written through
:mod:`karavan.io.atomic` (a reader sees a whole entry or none), and failing to write one never
fails the command. Each kind keeps its :data:`MAX_ENTRIES` most recently written entries.

Location: ``$KARAVAN_CACHE_DIR``, else the user cache directory (``~/.cache/karavan`` on Linux).
``KARAVAN_CACHE_DIR=off`` turns the cache off. The directory is created private to the user:
entries are pickles, trusted like the user's own files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ENV_DIR = "KARAVAN_CACHE_DIR"
"""Environment variable naming the cache directory (``off`` disables the cache)."""
MAGIC = b"karavan-cache\x001\n"
"""First bytes of every entry file (format version 1)."""
MAX_ENTRIES = 16
"""Entries kept per kind; older ones are removed when a new one is written."""
SUFFIX = ".pickle"


def cache_dir() -> Path | None:
    """The cache directory, or ``None`` when the cache is off (``KARAVAN_CACHE_DIR=off``)."""
    value = os.environ.get(ENV_DIR)
    if value is not None:
        return None if value.strip().lower() in ("off", "0", "none", "") else Path(value).expanduser()
    return _user_cache_dir(os.environ.get("XDG_CACHE_HOME"))


@cache
def _user_cache_dir(xdg_cache_home: str | None) -> Path:
    """The user cache directory of karavan (asked once per ``$XDG_CACHE_HOME``, which it depends on)."""
    from platformdirs import user_cache_path

    return user_cache_path("karavan", appauthor=False)


@cache
def code_fingerprint() -> str:
    """SHA-256 over the karavan version, the name, size and modification time of each of its
    modules, and the Python, pydantic and numpy versions: what the code makes of the inputs."""
    import numpy
    import pydantic

    import karavan

    digest = hashlib.sha256()
    for part in (karavan.__version__, sys.version, pydantic.VERSION, numpy.__version__):
        digest.update(part.encode() + b"\0")
    for name, size, mtime_ns in sorted(_modules(Path(karavan.__file__).resolve().parent)):
        digest.update(f"{name}\0{size}\0{mtime_ns}\n".encode())
    return digest.hexdigest()


def _modules(root: Path) -> list[tuple[str, int, int]]:
    """Relative POSIX path, size and modification time (ns) of every ``.py`` file under ``root``."""
    found: list[tuple[str, int, int]] = []
    pending = [("", os.fspath(root))]
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.name.endswith(".py"):
                    st = entry.stat()
                    found.append((prefix + entry.name, st.st_size, st.st_mtime_ns))
    return found


def entry_key(kind: str, parts: Iterable[str | bytes]) -> str:
    """The key of an entry of ``kind`` built from ``parts`` (file contents, digests, settings) by this code."""
    digest = hashlib.sha256(f"{kind}\0{code_fingerprint()}\0".encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _entry_path(directory: Path, kind: str, key: str) -> Path:
    return directory / f"{kind}-{key}{SUFFIX}"


def read_entry(kind: str, key: str, expected: type[T]) -> T | None:
    """The cached value of ``kind``/``key`` if a sound entry exists, else ``None`` (a bad entry is removed)."""
    directory = cache_dir()
    if directory is None:
        return None
    path = _entry_path(directory, kind, key)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    value = _decode(data, kind, key, expected)
    if value is None:
        with contextlib.suppress(OSError):
            path.unlink()
    return value


def _decode(data: bytes, kind: str, key: str, expected: type[T]) -> T | None:
    head = len(MAGIC)
    if not data.startswith(MAGIC) or len(data) < head + 32:
        return None
    body = data[head + 32 :]
    if hashlib.sha256(body).digest() != data[head : head + 32]:
        return None
    try:
        stored_kind, stored_key, value = pickle.loads(body)  # the user's own cache, checksummed above
    except Exception:  # any unpickling failure (a class that moved, a truncated stream) means: rebuild
        return None
    if stored_kind != kind or stored_key != key or not isinstance(value, expected):
        return None
    return value


def write_entry(kind: str, key: str, value: object) -> None:
    """Store ``value`` as ``kind``/``key``; any failure (read-only disk, unpicklable value) is ignored."""
    directory = cache_dir()
    if directory is None:
        return
    try:
        body = pickle.dumps((kind, key, value), protocol=pickle.HIGHEST_PROTOCOL)
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        from karavan.io.atomic import write_file

        write_file(_entry_path(directory, kind, key), MAGIC + hashlib.sha256(body).digest() + body)
        _prune(directory, kind)
    except Exception:  # the cache only saves time: never fail the command over it
        return


def _prune(directory: Path, kind: str) -> None:
    entries = []
    for path in directory.glob(f"{kind}-*{SUFFIX}"):
        with contextlib.suppress(OSError):
            entries.append((path.stat().st_mtime_ns, path))
    entries.sort(reverse=True)
    for _, path in entries[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            path.unlink()


def cached(kind: str, parts: Iterable[str | bytes], expected: type[T], build: Callable[[], T]) -> T:
    """``build()``, or its cached result for the same ``kind``, inputs ``parts`` and code.

    ``build`` may raise (an invalid dataset): nothing is stored then, and the error propagates.
    """
    key = entry_key(kind, parts)
    hit = read_entry(kind, key, expected)
    if hit is not None:
        return hit
    value = build()
    write_entry(kind, key, value)
    return value


def file_parts(paths: Iterable[Path]) -> list[bytes]:
    """Key parts naming each file by its path and its bytes (an unreadable file by a marker)."""
    parts: list[bytes] = []
    for path in paths:
        parts.append(str(path).encode())
        try:
            parts.append(path.read_bytes())
        except OSError:
            parts.append(b"\0unreadable")
    return parts


def clear(kind: str | None = None) -> int:
    """Remove the entries of ``kind`` (every kind if ``None``); returns how many were removed."""
    directory = cache_dir()
    if directory is None or not directory.is_dir():
        return 0
    removed = 0
    for path in directory.glob(f"{kind or '*'}-*{SUFFIX}"):
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed


__all__ = [
    "ENV_DIR",
    "cache_dir",
    "cached",
    "clear",
    "code_fingerprint",
    "entry_key",
    "file_parts",
    "read_entry",
    "write_entry",
]
