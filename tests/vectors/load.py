"""Load test vectors stored as files under ``tests/vectors``.

Vectors are data, never literals pasted into tests: a test asks for a folder
and parametrises over its files, with the file name as the test id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """Return the path of a vector file or folder."""
    return VECTORS.joinpath(*parts)


def text(*parts: str) -> str:
    """Return a vector file's text exactly as stored."""
    return path(*parts).read_text(encoding="utf-8")


def data(*parts: str) -> bytes:
    """Return a vector file's bytes exactly as stored."""
    return path(*parts).read_bytes()


def json_file(*parts: str) -> Any:
    """Return a vector file parsed as JSON."""
    return json.loads(text(*parts))


def cases(folder: str, pattern: str = "*.json") -> list[Any]:
    """Return ``pytest.param`` objects, one per file, with the file name as id."""
    files = sorted(path(folder).glob(pattern))
    if not files:
        raise FileNotFoundError(f"no vectors match {folder}/{pattern}")
    return [pytest.param(f, id=f.name) for f in files]
