"""Interop with the reference DIDComm implementation (PyPI ``didcomm``).

Ours packed, theirs unpacked, and theirs packed, ours unpacked: signed,
anoncrypt (every content encryption) and authcrypt, to one key and to several
keys of the recipient DID, X25519, P-256 and P-384 (the curves DIDComm v2.1
requires). The peer runs in its own virtual
environment (``.venv-didcomm``, built by ``make``; see didcomm_peer.py for
why), over the same DID documents and keys as ours.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ssi.did.document import DIDDocument
from ssi.encoding import decode_base64url
from ssi.errors import DIDNotFoundError
from ssi.keys.base import KeyPair
from ssi.keys.ec import ECKeyPair, P256KeyPair, P384KeyPair
from ssi.keys.ed25519 import Ed25519KeyPair
from ssi.keys.signer import LocalKeyAgreer, LocalSigner
from ssi.keys.x25519 import X25519KeyPair
from ssi.messaging import (
    Message,
    pack_anoncrypt,
    pack_authcrypt,
    pack_signed,
    unpack,
)

pytestmark = pytest.mark.interop

ROOT = Path(__file__).resolve().parents[2]
PEER_PYTHON = ROOT / ".venv-didcomm" / "bin" / "python"
PEER = Path(__file__).with_name("didcomm_peer.py")


def _seed(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def _seed48(label: str) -> bytes:
    return hashlib.sha384(label.encode()).digest()


def _keys(did: str) -> dict[str, KeyPair]:
    return {
        f"{did}#key-1": Ed25519KeyPair.from_seed(_seed(did + "ed")),
        f"{did}#key-x25519-1": X25519KeyPair.from_private_bytes(_seed(did + "x1")),
        f"{did}#key-x25519-2": X25519KeyPair.from_private_bytes(_seed(did + "x2")),
        f"{did}#key-p256-1": P256KeyPair.from_private_bytes(_seed(did + "p1")),
        f"{did}#key-p384-1": P384KeyPair.from_private_bytes(_seed48(did + "q1")),
        f"{did}#key-p384-2": P384KeyPair.from_private_bytes(_seed48(did + "q2")),
    }


def _document(did: str, keys: dict[str, KeyPair]) -> dict[str, Any]:
    def method(kid: str) -> dict[str, Any]:
        return {
            "id": kid,
            "type": "JsonWebKey2020",
            "controller": did,
            "publicKeyJwk": keys[kid].public_key.export_jwk(),
        }

    # The reference implementation reads methods from verificationMethod
    # and the relationships as references to them.
    agreement = [kid for kid in keys if not kid.endswith("#key-1")]
    return {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [method(kid) for kid in keys],
        "authentication": [f"{did}#key-1"],
        "keyAgreement": agreement,
    }


ALICE, BOB = "did:example:alice", "did:example:bob"
KEYS = {ALICE: _keys(ALICE), BOB: _keys(BOB)}
DOCS = {did: _document(did, keys) for did, keys in KEYS.items()}


def _resolve(did: str) -> DIDDocument:
    if did not in DOCS:
        raise DIDNotFoundError(f"no document for {did}")
    return DIDDocument.from_json(DOCS[did])


def _agreer(kid: str) -> LocalKeyAgreer:
    key = KEYS[kid.split("#")[0]][kid]
    assert isinstance(key, X25519KeyPair | ECKeyPair)
    return LocalKeyAgreer(key, kid)


def _agreers(did: str) -> list[LocalKeyAgreer]:
    return [_agreer(kid) for kid in KEYS[did] if not kid.endswith("#key-1")]


def _signer(did: str) -> LocalSigner:
    return LocalSigner(KEYS[did][f"{did}#key-1"], f"{did}#key-1")


def _peer(op: str, owner: str, **request: Any) -> dict[str, Any]:
    """Run one request on the reference implementation, holding ``owner``'s
    secrets."""
    assert PEER_PYTHON.exists(), "run `make .venv-didcomm/.installed` first"
    secrets = [
        {**key.export_jwk(private=True), "kid": kid} for kid, key in KEYS[owner].items()
    ]
    body = {"op": op, "docs": list(DOCS.values()), "secrets": secrets, **request}
    done = subprocess.run(
        [str(PEER_PYTHON), str(PEER)],
        input=json.dumps(body),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    assert "error" not in answer, answer
    return answer


def _message() -> Message:
    return Message(
        id="interop-1",
        thid="interop-1",
        type="https://example.org/interop/1.0/hello",
        body={"text": "hello from one implementation to the other"},
        from_=ALICE,
        to=(BOB,),
        created_time=1_700_000_000,
    )


def _theirs(answer: dict[str, Any]) -> Message:
    return Message.from_json(answer["message"])


def test_ours_signed_theirs_unpack():
    packed = pack_signed(_message(), _signer(ALICE))
    answer = _peer("unpack", BOB, packed=packed)
    assert _theirs(answer) == _message()
    assert answer["metadata"]["non_repudiation"]
    assert answer["metadata"]["sign_from"] == f"{ALICE}#key-1"


def test_theirs_signed_ours_unpack():
    packed = _peer(
        "pack_signed", ALICE, message=_message().to_json(), sign_from=f"{ALICE}#key-1"
    )["packed"]
    result = unpack(packed, [], resolver=_resolve)
    assert result.message == _message()
    assert result.signer_kid == f"{ALICE}#key-1"


RECIPIENTS = [
    pytest.param([BOB], 2, id="did-x25519-two-keys"),
    pytest.param([f"{BOB}#key-x25519-2"], 1, id="one-kid"),
]


@pytest.mark.parametrize("enc", ["A256CBC-HS512", "A256GCM", "XC20P"])
@pytest.mark.parametrize(("to", "count"), RECIPIENTS)
def test_ours_anoncrypt_theirs_unpack(enc, to, count):
    packed = pack_anoncrypt(_message(), to, resolver=_resolve, enc=enc)
    answer = _peer("unpack", BOB, packed=packed)
    assert _theirs(answer) == _message()
    meta = answer["metadata"]
    assert meta["encrypted"]
    assert not meta["authenticated"]
    assert len(meta["encrypted_to"]) == count
    assert enc in meta["enc_alg_anon"].replace("_", "-")


@pytest.mark.parametrize("enc", ["A256CBC-HS512", "A256GCM", "XC20P"])
def test_theirs_anoncrypt_ours_unpack(enc):
    packed = _peer(
        "pack_encrypted", ALICE, message=_message().to_json(), to=BOB, enc_anon=enc
    )["packed"]
    header = json.loads(packed)
    assert len(header["recipients"]) == 2
    for agreer in _agreers(BOB):
        if "x25519" not in agreer.key_id:
            continue
        result = unpack(packed, [agreer], resolver=_resolve)
        assert result.message == _message()
        assert result.anoncrypt
        assert result.recipient_kid == agreer.key_id


@pytest.mark.parametrize(
    ("sender", "to", "count"),
    [
        pytest.param(f"{ALICE}#key-x25519-1", [BOB], 2, id="x25519-two-keys"),
        pytest.param(f"{ALICE}#key-p256-1", [BOB], 1, id="p256"),
        pytest.param(f"{ALICE}#key-x25519-1", [f"{BOB}#key-x25519-1"], 1, id="kid"),
    ],
)
def test_ours_authcrypt_theirs_unpack(sender, to, count):
    packed = pack_authcrypt(_message(), _agreer(sender), to, resolver=_resolve)
    answer = _peer("unpack", BOB, packed=packed)
    assert _theirs(answer) == _message()
    meta = answer["metadata"]
    assert meta["authenticated"]
    assert meta["encrypted_from"] == sender
    assert len(meta["encrypted_to"]) == count


def test_ours_authcrypt_signed_protected_theirs_unpack():
    packed = pack_authcrypt(
        _message(),
        _agreer(f"{ALICE}#key-x25519-1"),
        [BOB],
        resolver=_resolve,
        protect_sender=True,
        sign_with=_signer(ALICE),
    )
    meta = _peer("unpack", BOB, packed=packed)["metadata"]
    assert meta["authenticated"]
    assert meta["anonymous_sender"]
    assert meta["non_repudiation"]


@pytest.mark.parametrize(
    ("sender", "protect", "sign"),
    [
        pytest.param(f"{ALICE}#key-x25519-1", False, False, id="x25519"),
        pytest.param(f"{ALICE}#key-p256-1", False, False, id="p256"),
        pytest.param(f"{ALICE}#key-x25519-1", True, True, id="protected-signed"),
    ],
)
def test_theirs_authcrypt_ours_unpack(sender, protect, sign):
    packed = _peer(
        "pack_encrypted",
        ALICE,
        message=_message().to_json(),
        to=BOB,
        **{"from": sender},
        protect_sender=protect,
        sign_from=f"{ALICE}#key-1" if sign else None,
    )["packed"]
    kinds = {"x25519" if "x25519" in sender else "p256"}
    opened = 0
    for agreer in _agreers(BOB):
        if not any(kind in agreer.key_id for kind in kinds):
            continue
        result = unpack(packed, [agreer], resolver=_resolve)
        assert result.message == _message()
        assert result.authcrypt
        assert result.sender_kid == sender
        assert (result.anoncrypt, result.signed) == (protect, sign)
        opened += 1
    assert opened == (2 if "x25519" in sender else 1)


# --- P-384, both directions ----------------------------------------------------

BOB_P384 = [f"{BOB}#key-p384-1", f"{BOB}#key-p384-2"]


@pytest.mark.parametrize("enc", ["A256CBC-HS512", "A256GCM", "XC20P"])
def test_ours_anoncrypt_p384_theirs_unpack(enc):
    packed = pack_anoncrypt(_message(), BOB_P384, resolver=_resolve, enc=enc)
    assert _protected(packed)["epk"]["crv"] == "P-384"
    meta = _peer("unpack", BOB, packed=packed)["metadata"]
    assert meta["encrypted"]
    assert not meta["authenticated"]
    assert sorted(meta["encrypted_to"]) == BOB_P384


@pytest.mark.parametrize("enc", ["A256CBC-HS512", "XC20P"])
def test_theirs_anoncrypt_p384_ours_unpack(enc):
    packed = _peer(
        "pack_encrypted",
        ALICE,
        message=_message().to_json(),
        to=BOB_P384[1],
        enc_anon=enc,
    )["packed"]
    assert _protected(packed)["epk"]["crv"] == "P-384"
    result = unpack(packed, [_agreer(BOB_P384[1])], resolver=_resolve)
    assert result.message == _message()
    assert result.anoncrypt
    assert result.recipient_kid == BOB_P384[1]


@pytest.mark.parametrize("protect", [False, True], ids=["plain", "protected"])
def test_ours_authcrypt_p384_theirs_unpack(protect):
    sender = f"{ALICE}#key-p384-1"
    packed = pack_authcrypt(
        _message(), _agreer(sender), [BOB], resolver=_resolve, protect_sender=protect
    )
    meta = _peer("unpack", BOB, packed=packed)["metadata"]
    assert meta["authenticated"]
    assert meta["anonymous_sender"] is protect
    assert meta["encrypted_from"] == sender
    assert sorted(meta["encrypted_to"]) == BOB_P384


@pytest.mark.parametrize("protect", [False, True], ids=["plain", "protected"])
def test_theirs_authcrypt_p384_ours_unpack(protect):
    sender = f"{ALICE}#key-p384-1"
    packed = _peer(
        "pack_encrypted",
        ALICE,
        message=_message().to_json(),
        to=BOB_P384[0],
        **{"from": sender},
        protect_sender=protect,
    )["packed"]
    assert _protected(packed)["epk"]["crv"] == "P-384"
    result = unpack(packed, [_agreer(BOB_P384[0])], resolver=_resolve)
    assert result.message == _message()
    assert result.authcrypt
    assert result.sender_kid == sender
    assert result.anoncrypt is protect


def _protected(packed: str) -> dict[str, Any]:
    jwe = json.loads(packed)
    header: dict[str, Any] = json.loads(decode_base64url(jwe["protected"]))
    return header
