"""The compiled C kernels (routing search, Monte Carlo), built from the sources beside this file.

The C code is compiled at install time into one shared library (the ``_kernels`` extension
built by ``setup.py``) and called through :mod:`ctypes`, which releases the GIL for the length
of every call. :mod:`karavan.routing.kernel` and :mod:`karavan.reliability.kernel` are the
Python faces of these functions; nothing here is loaded before their first call.
"""

from __future__ import annotations

import ctypes
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from karavan.errors import NativeKernelError

LIBRARY = "_kernels"
"""File stem of the compiled library (an extension suffix such as ``.cpython-311-x86_64-linux-gnu.so`` follows)."""

BUILD_HINT = "pip install -e . (or python setup.py build_ext --inplace in a source checkout)"
"""How to build the library, named by the error raised when it is missing."""

_loaded: list[ctypes.CDLL] = []


def library_path(folder: Path | None = None) -> Path:
    """The compiled library in ``folder`` (this package's folder by default).

    Raises
    ------
    karavan.errors.NativeKernelError
        No built library is there.
    """
    where = Path(__file__).parent if folder is None else folder
    for suffix in EXTENSION_SUFFIXES:
        candidate = where / f"{LIBRARY}{suffix}"
        if candidate.is_file():
            return candidate
    raise NativeKernelError(f"the compiled kernels are not built (no {LIBRARY}.*.so in {where}): run {BUILD_HINT}")


def library() -> ctypes.CDLL:
    """The loaded library (opened once per process; a :class:`ctypes.CDLL` releases the GIL in calls).

    Raises
    ------
    karavan.errors.NativeKernelError
        The library is missing or cannot be loaded.
    """
    if not _loaded:
        path = library_path()
        try:
            _loaded.append(ctypes.CDLL(str(path)))
        except OSError as exc:
            raise NativeKernelError(
                f"the compiled kernels in {path} cannot be loaded ({exc}): run {BUILD_HINT}"
            ) from exc
    return _loaded[0]
