"""The compiled kernels' build (C extension); everything else about the package is in pyproject.toml."""

from __future__ import annotations

import runpy
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

NATIVE = "src/karavan/_native"
_sources = runpy.run_path(f"{NATIVE}/sources.py")
DIGEST = _sources["source_digest"](Path(NATIVE))
"""Digest of the C sources, compiled into the library so that a build left over from older sources is refused."""
UNIX_FLAGS = ["-std=c11", "-O3", "-ffp-contract=off", "-fvisibility=hidden"]
"""IEEE arithmetic as written (no fused multiply-add, no fast-math), so results match on every platform."""
MSVC_FLAGS = ["/O2", "/fp:precise"]
UNIX_LIBRARIES = ["m"]
"""libm linked by name, so exp and log bind to its current versions, not to the wrappers kept for old binaries."""


class BuildKernels(build_ext):
    """A plain shared library called through ctypes: compiler flags per compiler, no Python entry point."""

    def build_extensions(self) -> None:
        msvc = self.compiler.compiler_type == "msvc"
        for ext in self.extensions:
            ext.extra_compile_args = MSVC_FLAGS if msvc else UNIX_FLAGS
            ext.libraries = [] if msvc else UNIX_LIBRARIES
        super().build_extensions()

    def get_export_symbols(self, ext: Extension) -> list[str]:
        return []  # the kernels export their own functions; there is no PyInit_ function


setup(
    ext_modules=[
        Extension(
            "karavan._native._kernels",
            sources=[f"{NATIVE}/{name}" for name in _sources["SOURCES"]],
            depends=[f"{NATIVE}/{name}" for name in _sources["HEADERS"]],
            define_macros=[("KV_SOURCE_DIGEST", f'"{DIGEST}"')],
        )
    ],
    cmdclass={"build_ext": BuildKernels},
)
