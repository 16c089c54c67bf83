"""Registry of datasets embedded in the package.

>>> from karavan import datasets
>>> "caspian" in datasets.available()
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from karavan.errors import DatasetError

DEFAULT = "caspian"
"""Name of the default embedded dataset."""


def available(kind: str | None = None) -> list[str]:
    """Names of the embedded datasets, optionally only those of one ``kind`` (``freight`` or ``energy``)."""
    root = resources.files(__name__)
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "dataset.yaml").is_file())
    if kind is None:
        return names
    return [n for n in names if kind_of(n) == kind]


def kind_of(name: str) -> str:
    """``energy`` for an embedded energy dataset (its ``dataset.yaml`` says ``kind: energy``), else ``freight``."""
    text = (resources.files(__name__) / name / "dataset.yaml").read_text(encoding="utf-8")
    return "energy" if any(line.strip() == "kind: energy" for line in text.splitlines()) else "freight"


def get_path(name: str = DEFAULT) -> Path:
    """Directory of the embedded dataset ``name``.

    Raises
    ------
    DatasetError
        If no embedded dataset has that name.
    """
    if name not in available():
        raise DatasetError(f"unknown dataset {name!r}: expected one of {', '.join(available())} or a directory path")
    return Path(str(resources.files(__name__) / name))


def resolve(spec: str | Path | None) -> Path:
    """Turn a dataset name, a directory path or ``None`` (the default) into a directory."""
    if spec is None:
        return get_path(DEFAULT)
    path = Path(spec)
    if path.is_dir():
        return path
    if isinstance(spec, str) and spec in available():
        return get_path(spec)
    raise DatasetError(
        f"dataset {str(spec)!r} is neither an embedded dataset ({', '.join(available())}) nor an existing directory"
    )
