"""The curated public API: every exported name exists, the list is sorted,
and the entry points the design promises are there."""

from __future__ import annotations

import inspect
import types

import ssi
import ssi.errors

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
            problem = _example(value).to_problem()
            assert problem["type"] == value.type_uri
            assert problem["detail"] == "detail."


def _example(cls: type[ssi.SSIError]) -> ssi.SSIError:
    """An instance of ``cls``; required keyword-only arguments get ``None``."""
    parameters = inspect.signature(cls).parameters.values()
    extra = {
        p.name: None
        for p in parameters
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty
    }
    return cls("detail.", **extra)


def test_all_is_exactly_the_public_names():
    # As httpx's tests/test_exported_members.py: a public name that is not in
    # __all__, or an __all__ entry that is not a public name, fails. The lazy
    # module's own helpers and the submodules Python binds are not public.
    for name in ssi.__all__:
        getattr(ssi, name)
    helpers = {"TYPE_CHECKING", "import_module"}
    public = {
        name
        for name, value in vars(ssi).items()
        if not name.startswith("_")
        and name not in helpers
        and not isinstance(value, types.ModuleType)
    }
    assert public == set(ssi.__all__) - {"__version__"}
    assert set(dir(ssi)) >= set(ssi.__all__)


def test_every_error_class_is_exported():
    assert set(ssi.errors.__all__) <= set(ssi.__all__)


def test_the_verifier_is_the_credential_verifier():
    from ssi.credentials import Verifier

    assert ssi.Verifier is Verifier
    assert "verify_many" in dir(ssi.Verifier)
