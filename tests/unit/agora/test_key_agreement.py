"""did:agora documents with an X25519 ``keyAgreement`` key: the state the
operations write, resolution of every version, and logs without one."""

from __future__ import annotations

import pytest

import ssi
from ssi.agora import set_agreement_key, signing_document
from ssi.keys import X25519KeyPair, X25519PublicKey, decode_public_multikey
from tests.unit.agora.builders import (
    S1,
    S2,
    U1,
    U2,
    U3,
    LogBuilder,
    at,
    five_entry_log,
    key,
)


def agreement_key(seed: int) -> X25519KeyPair:
    """A fixed X25519 key pair, from the Ed25519 key of ``seed``."""
    return key(seed).to_x25519()


def agreement_of(result: ssi.ResolutionResult) -> list[tuple[str, str | None]]:
    """The (id, Multikey) of every keyAgreement method of a resolved document."""
    document = result.did_document
    assert document is not None, result.resolution_metadata
    return [
        (m.id, m.public_key_multibase)
        for m in document.verification_methods_for("keyAgreement")
    ]


def test_the_state_gets_one_x25519_multikey_under_key_agreement():
    x1 = agreement_key(31).public_key
    state = set_agreement_key(
        signing_document(key(S1).public_key), x1, fragment="agreement-1"
    )
    assert state["keyAgreement"] == ["#agreement-1"]
    assert state["verificationMethod"][-1] == {
        "id": "#agreement-1",
        "type": "Multikey",
        "publicKeyMultibase": x1.export_multikey(),
    }
    assert x1.export_multikey().startswith("z6LS")  # multicodec x25519-pub
    # The signing relationships are untouched.
    assert state["authentication"] == ["#key-1"]


def test_a_new_agreement_key_replaces_the_old_one_and_nothing_else():
    first = set_agreement_key(
        signing_document(key(S1).public_key),
        agreement_key(31).public_key,
        fragment="agreement-1",
    )
    second = set_agreement_key(
        first, agreement_key(32).public_key, fragment="agreement-2"
    )
    ids = [m["id"] for m in second["verificationMethod"]]
    assert ids == ["#key-1", "#agreement-2"]
    assert second["keyAgreement"] == ["#agreement-2"]
    # The input is not changed.
    assert first["keyAgreement"] == ["#agreement-1"]


def test_a_method_another_relationship_uses_is_kept():
    x1 = agreement_key(31).public_key
    state = signing_document(key(S1).public_key)
    state["keyAgreement"] = ["#key-1"]  # odd, but the state may say so
    replaced = set_agreement_key(state, x1, fragment="agreement-1")
    assert [m["id"] for m in replaced["verificationMethod"]] == [
        "#key-1",
        "#agreement-1",
    ]
    assert replaced["keyAgreement"] == ["#agreement-1"]


def test_refuses_a_key_that_is_not_x25519_and_a_taken_fragment():
    state = signing_document(key(S1).public_key)
    with pytest.raises(ValueError, match="X25519"):
        set_agreement_key(state, key(S2).public_key, fragment="agreement-1")
    with pytest.raises(ValueError, match="#key-1"):
        set_agreement_key(state, agreement_key(31).public_key, fragment="key-1")


def test_resolution_shows_the_key_of_each_version():
    x1, x2 = agreement_key(31).public_key, agreement_key(32).public_key
    builder = LogBuilder()
    builder.update(
        U1,
        at(1),
        set_agreement_key(builder.document, x1, fragment="agreement-1"),
    )
    builder.document = set_agreement_key(
        signing_document(key(S2).public_key), x2, fragment="agreement-2"
    )
    builder.rotate(U2, [U3], at(2))
    did = builder.did

    def version(number: str | None) -> list[tuple[str, str | None]]:
        options = {"version_id": number} if number is not None else {}
        return agreement_of(ssi.resolve(did, log=builder.entries, **options))

    assert version("1") == []  # a log made before documents had the key
    assert version("2") == [(did + "#agreement-1", x1.export_multikey())]
    assert version("3") == [(did + "#agreement-2", x2.export_multikey())]
    assert version(None) == version("3")
    found = ssi.resolve(did, log=builder.entries).did_document
    assert found is not None
    method = found.find_verification_method("#agreement-2", "keyAgreement")
    assert method.public_key_multibase is not None
    decoded = decode_public_multikey(method.public_key_multibase)
    assert isinstance(decoded, X25519PublicKey)
    assert decoded == x2


def test_logs_without_a_key_agreement_key_still_resolve():
    built = five_entry_log()
    result = ssi.resolve(built.did, log=built.entries)
    assert result.did_document is not None
    assert agreement_of(result) == []
