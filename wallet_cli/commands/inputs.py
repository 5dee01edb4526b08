"""Reading what the command line is given: files, standard input, JSON.

Every JSON document the CLI reads (credentials, presentations, status lists,
``--claims @FILE``) goes through :func:`read_json`, the same strict reader the
library uses for credentials (:func:`ssi.credentials.load_json`): at most
:data:`MAX_JSON_BYTES` bytes are read, never more, and deep nesting, repeated
keys, ``NaN`` and byte order marks are refused. Files that are not JSON
documents (did:agora logs, backups) have their own readers.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

from ssi.credentials import load_json
from ssi.credentials.json_input import MAX_DOCUMENT_BYTES
from ssi.errors import ParsingError
from ssi.types import JsonValue
from wallet_cli.errors import UsageError

__all__ = ["MAX_JSON_BYTES", "read_bytes", "read_json", "read_source"]

MAX_JSON_BYTES = MAX_DOCUMENT_BYTES
"""The largest JSON document read from a file or standard input, in bytes."""

_CHUNK = 1024 * 1024


def _read_capped(handle: BinaryIO, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes, in chunks (never the whole of a big file)."""
    chunks: list[bytes] = []
    left = limit + 1
    while left > 0:
        chunk = handle.read(min(_CHUNK, left))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_bytes(source: str | Path, *, limit: int = MAX_JSON_BYTES) -> bytes:
    """Read a file, or standard input for ``-``: at most ``limit + 1`` bytes.

    One byte more than ``limit`` is read so that the caller can tell a file
    that is too large; the rest of such a file is never read.

    Raises:
        UsageError: the file cannot be read.
    """
    try:
        if str(source) == "-":
            return _read_capped(sys.stdin.buffer, limit)
        with Path(source).open("rb") as handle:
            return _read_capped(handle, limit)
    except OSError as exc:
        raise UsageError(
            "unusableInput", f"cannot read {source}: {exc.strerror or exc}."
        ) from exc


def read_source(source: str) -> bytes:
    """Read a JSON document's bytes from a file or standard input (``-``).

    The bytes are not parsed here (the verifier parses them, strictly, and
    reports what it finds), but no more than :data:`MAX_JSON_BYTES` + 1 are
    read.

    Raises:
        UsageError: the file cannot be read.
    """
    return read_bytes(source)


def read_json(source: str | Path, *, what: str) -> JsonValue:
    """Read and strictly parse one JSON document from a file or ``-``.

    Args:
        source: a path, or ``-`` for standard input.
        what: how the document is named in messages, such as ``the status list``.

    Raises:
        UsageError: the file cannot be read, or is not strict JSON
            (``unusableInput``; the message says why and where).
    """
    data = read_bytes(source)
    try:
        return load_json(data, max_bytes=MAX_JSON_BYTES)
    except ParsingError as exc:
        name = "standard input" if str(source) == "-" else str(source)
        raise UsageError(
            "unusableInput", f"{what} in {name} is not usable JSON: {exc.detail}"
        ) from exc
