"""Lazy public names of a package (PEP 562): a submodule is imported when one of its names is first used.

Packages list ``name -> module`` and define ``__getattr__`` with :func:`attribute`, so importing a
light submodule (``karavan.model.enums``) does not import its heavy siblings.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from importlib import import_module
from typing import Any


def attribute(package: str, names: Mapping[str, str], name: str) -> Any:
    """The public ``name`` of ``package``, imported from its module in ``names`` and kept on the package."""
    module = names.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    setattr(sys.modules[package], name, value)
    return value
