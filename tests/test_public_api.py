"""The curated public API: every exported name exists, the list is sorted,
and the entry points the design promises are there."""

from __future__ import annotations

import ssi

PROMISED = {
    "generate_key",
    "import_key",
    "did_key",
    "did_jwk",
    "resolve",
    "resolve_representation",
    "dereference",
    "canonicalize_rdfc",
    "canonicalize_jcs",
    "SSIError",
}


def _isort_key(name: str) -> tuple[int, str]:
    if name.isupper():
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


def test_every_exported_name_exists():
    missing = [name for name in ssi.__all__ if not hasattr(ssi, name)]
    assert missing == []


def test_exports_are_sorted_and_unique():
    assert len(set(ssi.__all__)) == len(ssi.__all__)
    assert ssi.__all__ == sorted(ssi.__all__, key=_isort_key)


def test_promised_entry_points_are_exported():
    assert PROMISED <= set(ssi.__all__)


def test_every_exported_error_has_a_code_and_type_uri():
    for name in ssi.__all__:
        value = getattr(ssi, name)
        if isinstance(value, type) and issubclass(value, ssi.SSIError):
            assert value.code
            assert ":" in value.type_uri
            problem = value("detail.").to_problem()
            assert problem["type"] == value.type_uri
            assert problem["detail"] == "detail."
