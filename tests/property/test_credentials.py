"""Property tests for credentials: issue then verify holds for any claims, and
changing any single leaf value of a secured credential breaks verification.

The issuer key comes from a fixed seed and the clock is fixed, so every
failure shrinks and replays.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import ssi
from ssi.keys import Ed25519KeyPair

KEY = Ed25519KeyPair.from_seed(bytes(32))
SIGNER = ssi.signer(KEY)
NOW = datetime(2025, 1, 1, tzinfo=UTC)
CREATED = "2024-06-01T00:00:00Z"
MAX_SAFE_INTEGER = 2**53 - 1

JCS = settings(max_examples=50, deadline=None)
RDFC = settings(max_examples=10, deadline=None)

# Plain ASCII identifiers; "id" and "type" have data-model rules of their own.
KEYS = st.from_regex(r"[a-z][a-zA-Z0-9_]{0,11}", fullmatch=True).filter(
    lambda key: key not in {"id", "type"}
)
SCALARS = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER),
    st.booleans(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=12,
)
SUBJECTS = st.dictionaries(KEYS, VALUES, min_size=1, max_size=6)

# For RDFC every key must expand to an IRI: with the examples context's @vocab
# any term does, and an underscore keeps clear of the terms the VC 2.0 context
# defines (some of which are typed @id). Lists are left out: JSON-LD reads
# them as sets, where two equal members are one.
RDF_KEYS = st.from_regex(r"[a-z]{1,8}_[a-z0-9]{1,4}", fullmatch=True)
RDF_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.dictionaries(RDF_KEYS, inner, min_size=1, max_size=3),
    max_leaves=8,
)
RDF_SUBJECTS = st.dictionaries(RDF_KEYS, RDF_VALUES, min_size=1, max_size=4)


def _credential(subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential"],
        "issuer": ssi.did_key(KEY),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": subject,
    }


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the path of every scalar and every empty array or object."""
    if isinstance(value, dict) and value:
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list) and value:
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


def _changed(value: Any) -> Any:
    """Return a JSON value that differs from ``value``, of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value - 1 if value > 0 else value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list):
        return [0]
    return {"added": 0}


def _with_change(document: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    parent: Any = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = _changed(parent[path[-1]])
    return changed


def _problems(report: ssi.VerificationReport) -> list[tuple[str, str, str]]:
    return [(p.check, p.code, p.error.code) for p in report.all_problems()]


@JCS
@given(SUBJECTS, st.data())
def test_jcs_issue_verifies_and_any_leaf_change_breaks_it(subject, data):
    secured = ssi.issue(
        _credential(subject), SIGNER, suite="eddsa-jcs-2022", created=CREATED
    )
    report = ssi.verify(secured, now=NOW)
    assert report.verified, _problems(report)

    # Any leaf of the whole secured document: claims, metadata and proof.
    paths = _leaves(secured)
    path = paths[data.draw(st.integers(0, len(paths) - 1), label="leaf")]
    changed = _with_change(secured, path)
    report = ssi.verify(changed, now=NOW)
    assert not report.verified, path
    assert report.all_problems(), path


@RDFC
@given(RDF_SUBJECTS, st.data())
def test_rdfc_issue_verifies_and_any_claim_change_breaks_it(subject, data):
    secured = ssi.issue(
        _credential(subject), SIGNER, suite="eddsa-rdfc-2022", created=CREATED
    )
    report = ssi.verify(secured, now=NOW)
    assert report.verified, _problems(report)

    paths = _leaves(secured["credentialSubject"], ("credentialSubject",))
    path = paths[data.draw(st.integers(0, len(paths) - 1), label="leaf")]
    changed = _with_change(secured, path)
    report = ssi.verify(changed, now=NOW)
    assert not report.verified, path
    assert ("proof", "CRYPTOGRAPHIC_SECURITY_ERROR", "PROOF_VERIFICATION_ERROR") in (
        _problems(report)
    ), path
