"""The compiled C kernels (routing search, Monte Carlo), built from the sources beside this file.

The C code is compiled at install time into one shared library (the ``_kernels`` extension
built by ``setup.py``) and called through :mod:`ctypes`, which releases the GIL for the length
of every call. :mod:`karavan.routing.kernel` and :mod:`karavan.reliability.kernel` are the
Python faces of these functions; nothing here is loaded before their first call.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from karavan._native.sources import source_digest
from karavan.errors import InputError, NativeKernelError

LIBRARY = "_kernels"
"""File stem of the compiled library (an extension suffix such as ``.cpython-311-x86_64-linux-gnu.so`` follows)."""

BUILD_HINT = "pip install -e . (or python setup.py build_ext --inplace in a source checkout)"
"""How to build the library, named by the error raised when it is missing."""

_loaded: list[ctypes.CDLL] = []
_functions: dict[str, Callable[..., Any]] = {}


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


def load(path: Path) -> ctypes.CDLL:
    """Open the compiled library at ``path``, refusing a build left over from other sources.

    When the C sources are beside the library (a source checkout or an editable install), the digest
    compiled into it must be theirs: a library built before the sources changed would be called with
    arguments it does not expect.

    Raises
    ------
    karavan.errors.NativeKernelError
        The library cannot be loaded, or it was built from other sources than those beside it.
    """
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as exc:
        raise NativeKernelError(f"the compiled kernels in {path} cannot be loaded ({exc}): run {BUILD_HINT}") from exc
    expected = source_digest(path.parent)
    if expected is not None:
        built = _built_digest(lib)
        if built != expected:
            raise NativeKernelError(
                f"the compiled kernels in {path} were built from other sources (digest {built}, "
                f"sources beside it {expected}): run {BUILD_HINT}"
            )
    return lib


def _built_digest(lib: ctypes.CDLL) -> str:
    """The source digest compiled into ``lib`` (``none`` for a build older than the digest)."""
    try:
        fn = lib.kv_source_digest
    except AttributeError:
        return "none"
    fn.restype, fn.argtypes = ctypes.c_char_p, []
    value: bytes = fn()
    return value.decode("ascii")


def library() -> ctypes.CDLL:
    """The loaded library (opened once per process; a :class:`ctypes.CDLL` releases the GIL in calls).

    Raises
    ------
    karavan.errors.NativeKernelError
        The library is missing, cannot be loaded or was built from other sources (see :func:`load`).
    """
    if not _loaded:
        _loaded.append(load(library_path()))
    return _loaded[0]


def function(name: str, restype: Any, argtypes: list[Any]) -> Callable[..., Any]:
    """The C function ``name`` of the library, its result and argument types set (once per process).

    Raises
    ------
    karavan.errors.NativeKernelError
        The library is missing, cannot be loaded, or has no function ``name`` (built from older sources).
    """
    fn = _functions.get(name)
    if fn is None:
        try:
            fn = getattr(library(), name)
        except AttributeError as exc:
            raise NativeKernelError(
                f"the compiled kernels have no {name} (built from older sources): run {BUILD_HINT}"
            ) from exc
        fn.restype, fn.argtypes = restype, argtypes
        _functions[name] = fn
    return fn


_from_buffer: Callable[[Any], ctypes.c_char] = ctypes.c_char.from_buffer  # an ndarray is a buffer
_addressof = ctypes.addressof


_EMPTY: list[ctypes.c_double] = []
"""Where an empty array's data are said to be (C reads no element of it): one zeroed, aligned word."""


def address(a: NDArray[Any]) -> int:
    """The address of an array's data (through the buffer protocol: three times faster than ``a.ctypes``).

    An empty array (an absent ``via``, say) has no data to point at: its address is that of one
    word kept for the purpose, without the exception and the ``a.ctypes`` view it would cost.
    """
    if not a.size:
        if not _EMPTY:
            _EMPTY.append(ctypes.c_double(0.0))
        return _addressof(_EMPTY[0])
    try:
        return _addressof(_from_buffer(a))
    except (TypeError, ValueError):  # read-only
        return int(a.ctypes.data)


def out_address(a: NDArray[Any], dtype: type[np.generic], name: str) -> int:
    """The address of an array the C code updates in place (it must already have the C layout).

    Raises
    ------
    karavan.errors.InputError
        ``a`` is not a writeable C-contiguous array of ``dtype`` (a converted copy would not be seen).
    """
    if a.dtype != dtype or not a.flags.c_contiguous or not a.flags.writeable:
        raise InputError(name, f"{a.dtype} array", f"a writeable C-contiguous {np.dtype(dtype).name} array")
    return address(a)
