"""The stored did:agora logs: each resolves as ``expected.json`` says, and the
builders still produce them byte for byte (the format has not drifted)."""

from __future__ import annotations

import pytest

import ssi
import ssi.methods
from tests.unit.agora.builders import jsonl, resolver_for, vector_logs
from tests.vectors import load

FOLDER = "did-agora"
EXPECTED = load.json_file(FOLDER, "expected.json")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_vector_log_resolves_as_expected(name):
    expect = EXPECTED[name]
    result = ssi.methods.resolve(expect["did"], log=load.text(FOLDER, name))
    if "error" in expect:
        assert result.did_document is None
        assert result.error == expect["error"]
        assert result.did_resolution_metadata["logEntry"] == expect["logEntry"]
        return
    assert result.ok
    metadata = result.did_document_metadata
    for member in ("versionId", "deactivated", "compromisedKeys"):
        assert metadata.get(member) == expect.get(member), member


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_vector_log_resolves_from_its_file(name):
    expect = EXPECTED[name]
    result = resolver_for(load.path(FOLDER, name)).resolve(expect["did"])
    assert result.error == expect.get("error")


@pytest.mark.parametrize("name", sorted(vector_logs()))
def test_builders_reproduce_the_stored_logs(name):
    entries, expect = vector_logs()[name]
    assert jsonl(entries) == load.text(FOLDER, name)
    assert expect == EXPECTED[name]
