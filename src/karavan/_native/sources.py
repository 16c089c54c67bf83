"""The C sources of the compiled kernels and their digest (standard library only: ``setup.py`` runs this file).

The build compiles the digest into the library (``kv_source_digest``); loading the library compares it with
the sources beside it, so a library left over from older sources is refused with a clear error instead of
being called with arguments it does not expect.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SOURCES = ("routing.c", "montecarlo.c", "flow.c", "digest.c")
"""The files compiled into the library, in build order."""
HEADERS = ("kernels.h",)
"""The headers they include."""
DIGEST_CHARS = 16
"""Hex characters of the SHA-256 digest kept (64 bits: enough to tell builds apart)."""


def source_digest(folder: Path) -> str | None:
    """The digest of the kernels' sources in ``folder``, or ``None`` when they are not all there.

    An installed wheel ships the library without its sources; there is nothing to compare then.
    """
    h = hashlib.sha256()
    for name in (*SOURCES, *HEADERS):
        try:
            text = (folder / name).read_bytes()
        except OSError:
            return None
        h.update(name.encode())
        h.update(len(text).to_bytes(8, "little"))
        h.update(text)
    return h.hexdigest()[:DIGEST_CHARS]
