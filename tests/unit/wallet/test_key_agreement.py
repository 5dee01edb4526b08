"""The wallet's key-agreement seam: ``Wallet.key_agreers`` and
``Wallet.key_agreer`` for did:key, did:jwk and did:agora DIDs.

Each agreer must hold the private key of exactly the public key a
correspondent finds under ``keyAgreement`` in the resolved DID document
(checked by an X25519 / ECDH exchange both ways), did:agora keys of earlier
versions must stay usable after a rotation, and no private key may reach the
disk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ssi
from ssi.did.document import DIDDocument
from ssi.errors import DIDDeactivatedError, RecordNotFoundError
from ssi.keys import (
    KeyAgreer,
    KeyPair,
    LocalKeyAgreer,
    P256KeyPair,
    PublicKey,
    X25519KeyPair,
    decode_public_jwk,
    decode_public_multikey,
)
from ssi.wallet import (
    Wallet,
    agora_log,
    create_agora_did,
    deactivate_agora_did,
    prior_signer,
    rotate_agora_did,
    update_agora_did,
)
from ssi.wallet import agora as wallet_agora
from tests.unit.wallet.helpers import PASSPHRASE
from tests.unit.wallet.test_no_secrets_on_disk import every_file, leaks


def resolved(wallet: Wallet, did: str, **options: str) -> DIDDocument:
    """The DID document a correspondent resolves (did:agora from the log the
    wallet publishes)."""
    if did.startswith("did:agora:"):
        options = {**options, "log": agora_log(wallet, did)}  # type: ignore[dict-item]
    result = ssi.resolve(did, **options)
    assert result.did_document is not None, result.resolution_metadata
    return result.did_document


def listed_key(document: DIDDocument, kid: str) -> PublicKey:
    """The public key ``document`` lists under ``keyAgreement`` as ``kid``."""
    method = document.find_verification_method(kid, "keyAgreement")
    if method.public_key_multibase is not None:
        return decode_public_multikey(method.public_key_multibase)
    assert method.public_key_jwk is not None
    return decode_public_jwk(method.public_key_jwk)


def peer_for(public: PublicKey) -> X25519KeyPair | P256KeyPair:
    """A correspondent's ephemeral key of the same type."""
    return (
        X25519KeyPair.generate()
        if public.key_type == "X25519"
        else (P256KeyPair.generate())
    )


def agrees_with(agreer: KeyAgreer, public: PublicKey) -> bool:
    """True when the agreer's private key is the one of ``public``: a sender
    who only knows ``public`` computes the same shared secret."""
    peer = peer_for(public)
    sender_side = peer.exchange(public)  # type: ignore[arg-type]
    return agreer.exchange(peer.public_key) == sender_side


def stored_pair(wallet: Wallet, agreer: LocalKeyAgreer) -> KeyPair:
    """The key pair the wallet stores for an agreer's public key."""
    return wallet.key_pair(agreer.public_key.export_multikey())


@pytest.mark.parametrize(
    ("method", "key_type"),
    [("key", "Ed25519"), ("jwk", "P-256"), ("agora", "Ed25519")],
)
def test_the_agreer_holds_the_key_the_resolved_document_lists(
    wallet: Wallet, method: str, key_type: str
):
    if method == "agora":
        did = create_agora_did(wallet, alias="me").did
    else:
        did = wallet.create_did(method=method, key_type=key_type, alias="me").did
    agreers = wallet.key_agreers("me")
    assert len(agreers) == 1
    agreer = wallet.key_agreer(did)
    assert agreer.key_id == agreers[0].key_id
    assert agreer.key_id.startswith(did + "#")
    document = resolved(wallet, did)
    [method_id] = [m.id for m in document.verification_methods_for("keyAgreement")]
    assert agreer.key_id == method_id
    public = listed_key(document, agreer.key_id)
    assert agreer.public_key == public
    assert agrees_with(agreer, public)


def test_a_did_key_agreer_is_derived_from_the_seed_and_never_stored(wallet: Wallet):
    record = wallet.create_did(alias="me")
    agreer = wallet.key_agreer("me")
    signing = wallet.key_pair("me")
    assert agreer.public_key == signing.public_key.to_x25519()  # type: ignore[attr-defined]
    assert agreer.key_id == f"{record.did}#{agreer.public_key.export_multikey()}"
    # Only the Ed25519 key is in the wallet.
    assert [k.key_type for k in wallet.keys()] == ["Ed25519"]
    with pytest.raises(RecordNotFoundError):
        wallet.key_pair(agreer.public_key.export_multikey())


def test_a_rotation_replaces_the_key_and_keeps_the_old_agreer(wallet: Wallet):
    did = create_agora_did(wallet, alias="me").did
    before = wallet.key_agreer("me")
    old_public = listed_key(resolved(wallet, did), before.key_id)
    peer = X25519KeyPair.generate()
    sent_before = peer.exchange(old_public)  # type: ignore[arg-type]

    rotate_agora_did(wallet, "me")

    current = wallet.key_agreer("me")
    assert current.key_id == did + "#agreement-2"
    assert before.key_id == did + "#agreement-1"
    assert current.public_key != before.public_key
    assert [a.key_id for a in wallet.key_agreers("me")] == [
        current.key_id,
        before.key_id,
    ]
    # A message sent to the old key before the rotation still decrypts.
    old = wallet.key_agreers("me")[1]
    assert old.exchange(peer.public_key) == sent_before
    # The latest document lists only the new key; version 1 the old one.
    latest = resolved(wallet, did)
    assert [m.id for m in latest.verification_methods_for("keyAgreement")] == [
        current.key_id
    ]
    assert agrees_with(current, listed_key(latest, current.key_id))
    first = resolved(wallet, did, version_id="1")
    assert listed_key(first, before.key_id) == old_public


def test_an_update_can_replace_the_key_and_keeps_other_changes_apart(wallet: Wallet):
    did = create_agora_did(wallet, alias="me").did
    first = wallet.key_agreer("me")
    update_agora_did(wallet, "me", add_key=True)
    assert wallet.key_agreer("me").key_id == first.key_id  # a plain update keeps it
    update_agora_did(wallet, "me", new_agreement_key=True)
    assert wallet.key_agreer("me").key_id == did + "#agreement-2"
    assert [a.key_id for a in wallet.key_agreers("me")][1] == first.key_id
    document = resolved(wallet, did)
    assert {m.id.rsplit("#")[1] for m in document.verification_method} == {
        "key-1",
        "key-2",
        "agreement-2",
    }


def test_a_did_made_before_agreement_keys_gets_one_with_its_next_update(
    wallet: Wallet, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(
        wallet_agora, "_new_agreement_key", lambda tx, data, document: document
    )
    did = create_agora_did(wallet, alias="old").did
    monkeypatch.undo()
    assert wallet.key_agreers("old") == []
    with pytest.raises(RecordNotFoundError, match="new-agreement-key"):
        wallet.key_agreer("old")
    assert resolved(wallet, did).key_agreement == ()

    update_agora_did(
        wallet,
        "old",
        add_services=[{"id": "#hub", "type": "AgoraHub", "serviceEndpoint": "x:y"}],
    )
    agreer = wallet.key_agreer("old")
    assert agreer.key_id == did + "#agreement-1"
    assert agrees_with(agreer, listed_key(resolved(wallet, did), agreer.key_id))


def test_a_deactivated_did_has_no_current_agreer_but_keeps_the_old_ones(
    wallet: Wallet,
):
    create_agora_did(wallet, alias="me")
    before = wallet.key_agreer("me")
    deactivate_agora_did(wallet, "me")
    with pytest.raises(DIDDeactivatedError):
        wallet.key_agreer("me")
    assert [a.key_id for a in wallet.key_agreers("me")] == [before.key_id]


def test_dids_without_a_key_agreement_key_have_no_agreer(wallet: Wallet):
    wallet.create_did(method="jwk", key_type="Ed25519", alias="jwk")
    secp = wallet.create_did(key_type="secp256k1", alias="k1")
    web = wallet.add_did(
        "did:web:alice.example",
        key=secp.key_id,
        verification_method="did:web:alice.example#k",
        alias="web",
    )
    for reference in ("jwk", "k1", web.did):
        assert wallet.key_agreers(reference) == []
        with pytest.raises(RecordNotFoundError):
            wallet.key_agreer(reference)
    with pytest.raises(RecordNotFoundError):
        wallet.key_agreers("nobody")


def test_agreement_keys_are_sealed_at_rest(wallet: Wallet, home: Path):
    create_agora_did(wallet, alias="me")
    first = stored_pair(wallet, wallet.key_agreer("me"))
    rotate_agora_did(wallet, "me")
    second = stored_pair(wallet, wallet.key_agreer("me"))
    wallet.create_did(alias="plain")
    derived = wallet.key_pair("plain").to_x25519()  # type: ignore[attr-defined]
    assert {first.key_type, second.key_type} == {"X25519"}
    reopened = Wallet.open(home, PASSPHRASE)
    assert [stored_pair(reopened, a) for a in reopened.key_agreers("me")] == [
        second,
        first,
    ]
    assert leaks(every_file(home), [first, second, derived]) == []


def test_a_version_agreer_and_the_prior_signer_announce_a_rotation(wallet: Wallet):
    did = create_agora_did(wallet, alias="me").did
    first = wallet.key_agreer("me")
    with pytest.raises(RecordNotFoundError, match="no earlier version"):
        prior_signer(wallet, "me")
    rotate_agora_did(wallet, "me")
    assert wallet.key_agreer("me", version=1).key_id == first.key_id
    assert wallet.key_agreer("me", version=2).key_id == did + "#agreement-2"
    with pytest.raises(RecordNotFoundError, match="no version 3"):
        wallet.key_agreer("me", version=3)
    signer = prior_signer(wallet, "me")
    assert signer.key_id == did + "?versionId=1#key-1"
    version_1 = resolved(wallet, did, version_id="1")
    method = version_1.find_verification_method("#key-1", "authentication")
    assert method.public_key_multibase is not None
    public = decode_public_multikey(method.public_key_multibase)
    public.verify(b"data", signer.sign(b"data"))
    # A prior key marked compromised does not announce anything.
    rotate_agora_did(wallet, "me", compromised=["#key-2"])
    with pytest.raises(RecordNotFoundError, match="no usable key of version 2"):
        prior_signer(wallet, "me")
    wallet.create_did(alias="plain")
    with pytest.raises(RecordNotFoundError, match="not a did:agora DID"):
        prior_signer(wallet, "plain")


def test_an_imported_x25519_key_agrees_for_its_did_jwk(wallet: Wallet):
    key = X25519KeyPair.generate()
    record = wallet.import_key(key.export_multikey(private=True), alias="x")
    did = ssi.did_jwk(key)
    wallet.add_did(did, key=record.id, verification_method=did + "#0", alias="xj")
    agreer = wallet.key_agreer("xj")
    assert agreer.key_id == did + "#0"
    assert agrees_with(agreer, listed_key(resolved(wallet, did), agreer.key_id))
