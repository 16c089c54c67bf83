"""Bounded reading of the files a dataset is made of (no YAML here: hashing a dataset needs only its bytes).

:func:`read_bytes` refuses files that are too large, not regular or (through a symlink or
``..``) outside the dataset directory; :mod:`karavan.io.safe_yaml` parses what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from karavan.errors import Problem, ValidationError


@dataclass(frozen=True, slots=True)
class YamlLimits:
    """Bounds on what one YAML file may contain.

    Attributes
    ----------
    max_bytes : int
        Largest file, in bytes (the embedded dataset's largest table is under 100 kB).
    max_depth : int
        Deepest nesting of mappings and sequences (dataset records nest 4 or 5 deep).
    max_aliases : int
        Most alias references (``*name``) in one file.
    max_alias_nodes : int
        Most nodes that all aliases together may add when expanded.
    """

    max_bytes: int = 32 * 1024 * 1024
    max_depth: int = 64
    max_aliases: int = 1_000
    max_alias_nodes: int = 100_000


DEFAULT_LIMITS = YamlLimits()


def problem(file: str, line: int, field: str, value: object, expected: str) -> ValidationError:
    """A :class:`ValidationError` with one problem of ``file`` at ``line`` (0: the whole file)."""
    return ValidationError([Problem(file, f"line {line}" if line else "-", field, value, expected)])


def read_bytes(
    path: Path, *, within: Path | None = None, label: str | None = None, limits: YamlLimits = DEFAULT_LIMITS
) -> bytes:
    """Read a file no larger than ``limits.max_bytes``, refusing one outside ``within``.

    Raises
    ------
    karavan.errors.ValidationError
        If the file is missing, unreadable, too large, not a regular file or, through a
        symlink or ``..``, outside ``within``.
    """
    name = label or path.name
    if within is not None:
        base = within.resolve()
        target = path.resolve()
        if target != base and base not in target.parents:
            raise problem(
                name,
                0,
                "-",
                str(target),
                f"a file inside the dataset directory {base} (symlinks may not lead out of it)",
            )
    if not path.is_file():
        raise problem(name, 0, "-", str(path), "a regular file")
    try:
        with path.open("rb") as fh:
            data = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise problem(name, 0, "-", str(path), f"a readable file ({exc.strerror})") from None
    if len(data) > limits.max_bytes:
        raise problem(
            name, 0, "-", f"more than {limits.max_bytes:,} bytes", f"a file of at most {limits.max_bytes:,} bytes"
        )
    return data


__all__ = ["DEFAULT_LIMITS", "YamlLimits", "problem", "read_bytes"]
