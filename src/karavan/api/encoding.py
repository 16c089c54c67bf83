"""Fast JSON responses: orjson when installed (part of the service extra), else the standard library."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is part of the service extra
    orjson = None  # type: ignore[assignment]


def _fallback(value: Any) -> Any:
    """Values orjson does not know (e.g. a Path): their text."""
    return str(value)


def dumps(data: Any) -> bytes:
    """``data`` as UTF-8 JSON bytes; NaN and infinity become ``null`` as in any JSON encoder that must not fail.

    Keys that are not strings (numbers, enumerations, dates) are written as their text. orjson
    checks for them a quarter slower than it encodes a dict with string keys only, so it first
    encodes without that option and only a dict with such a key is encoded again with it.
    """
    if orjson is not None:
        try:
            return orjson.dumps(data, default=_fallback, option=orjson.OPT_SERIALIZE_NUMPY)
        except orjson.JSONEncodeError:
            return orjson.dumps(data, default=_fallback, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_fallback).encode("utf-8")


GZIP_MIN_BYTES = 2048
"""Answers from this size up are gzipped for clients that accept it (here or by the app's GZip middleware)."""
GZIP_LEVEL = 5


def gzip_bytes(data: bytes) -> bytes:
    """``data`` as one gzip member at :data:`GZIP_LEVEL`."""
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


class FastJSONResponse(JSONResponse):
    """A JSON response rendered by :func:`dumps` (about 8× faster than ``json.dumps`` on route answers).

    With ``gzip=True`` (the client accepts gzip) a body of :data:`GZIP_MIN_BYTES` or more is
    compressed where the response is built: an endpoint running in the thread pool compresses
    there, instead of the GZip middleware doing it on the event loop (a route answer of
    100-160 KB takes 1-3 ms to compress, time in which the loop would answer nothing else).
    """

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
        *,
        gzip: bool = False,
    ) -> None:
        self._gzip = gzip
        self._gzipped = False
        super().__init__(content, status_code, headers, media_type, background)
        if gzip:
            self.headers.add_vary_header("Accept-Encoding")
        if self._gzipped:
            self.headers["content-encoding"] = "gzip"

    def render(self, content: Any) -> bytes:
        """Encode the content (and compress it, see the class)."""
        body = dumps(content)
        if self._gzip and len(body) >= GZIP_MIN_BYTES:
            self._gzipped = True
            return gzip_bytes(body)
        return body
