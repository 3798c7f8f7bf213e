"""Reading a JSON request body: media type, gzip, size limit and parse errors, each a clear 4xx."""

from __future__ import annotations

import json
import logging
import zlib
from typing import Any

from flask import Request, current_app

from lineagelens.receiver.errors import PayloadTooLarge, Unparseable, UnsupportedMediaType

log = logging.getLogger(__name__)


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and
                                              mimetype.endswith("+json"))


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise Unparseable(f"body is not valid gzip: {exc}") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise PayloadTooLarge(f"decompressed body is larger than {limit} bytes")
    if not inflater.eof:
        raise Unparseable("gzip body is truncated")
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)  # one decoder, not one per request


def read_json(request: Request) -> Any:
    """The decoded JSON body. Raises 415 (not JSON), 413 (too large), 400 (unparseable)."""
    if not _is_json(request.mimetype):
        shown = request.mimetype or "none"
        raise UnsupportedMediaType(f"Content-Type must be application/json, got {shown}")
    limit = int(current_app.config["MAX_CONTENT_LENGTH"])
    data = request.get_data(cache=False)  # Werkzeug raises 413 past MAX_CONTENT_LENGTH
    encoding = (request.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding == "gzip":
        data = _gunzip(data, limit)
    elif encoding not in {"identity", ""}:
        raise UnsupportedMediaType(f"Content-Encoding {encoding} is not supported (use gzip)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unparseable(f"body is not UTF-8: {exc.reason} at byte {exc.start}") from exc
    try:
        return _DECODER.decode(text)
    except RecursionError as exc:
        raise Unparseable("JSON is nested too deeply") from exc
    except json.JSONDecodeError as exc:
        raise Unparseable(f"body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                          [{"path": "$", "message": exc.msg, "line": exc.lineno, "column": exc.colno}],
                          ) from exc
    except ValueError as exc:
        raise Unparseable(f"body is not valid JSON: {exc}") from exc
