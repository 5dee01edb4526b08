"""Interop with the reference DIDComm implementation (PyPI ``didcomm``) for
``from_prior`` and ``forward``: ours checked by theirs and theirs by ours.

The peer is tests/interop/didcomm_peer.py in ``.venv-didcomm`` (built by
``make``), over the DID documents and keys below. Alice rotated from
``did:example:charlie``; ``did:example:mediator`` forwards to Bob.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ssi.did.document import DIDDocument
from ssi.errors import DIDNotFoundError
from ssi.keys.base import KeyPair
from ssi.keys.ed25519 import Ed25519KeyPair
from ssi.keys.signer import LocalKeyAgreer, LocalSigner
from ssi.keys.x25519 import X25519KeyPair
from ssi.messaging import Message, pack_anoncrypt, pack_signed, unpack
from ssi.messaging.rotation import make_from_prior
from ssi.messaging.routing import unwrap_forward, wrap_for_mediators

pytestmark = pytest.mark.interop

ROOT = Path(__file__).resolve().parents[2]
PEER_PYTHON = ROOT / ".venv-didcomm" / "bin" / "python"
PEER = Path(__file__).with_name("didcomm_peer.py")

ALICE, BOB = "did:example:alice", "did:example:bob"
CHARLIE, MEDIATOR = "did:example:charlie", "did:example:mediator"


def _seed(label: str) -> bytes:
    return hashlib.sha256(("rotation-routing " + label).encode()).digest()


def _keys(did: str) -> dict[str, KeyPair]:
    return {
        f"{did}#key-1": Ed25519KeyPair.from_seed(_seed(did + "ed")),
        f"{did}#key-x25519-1": X25519KeyPair.from_private_bytes(_seed(did + "x1")),
    }


KEYS = {did: _keys(did) for did in (ALICE, BOB, CHARLIE, MEDIATOR)}


def _document(did: str) -> dict[str, Any]:
    methods = [
        {
            "id": kid,
            "type": "JsonWebKey2020",
            "controller": did,
            "publicKeyJwk": key.public_key.export_jwk(),
        }
        for kid, key in KEYS[did].items()
    ]
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": methods,
        "authentication": [f"{did}#key-1"],
        "keyAgreement": [f"{did}#key-x25519-1"],
    }
    if did == BOB:
        document["service"] = [
            {
                "id": f"{BOB}#didcomm-1",
                "type": "DIDCommMessaging",
                "serviceEndpoint": {
                    "uri": "https://mediator.example/inbox",
                    "accept": ["didcomm/v2"],
                    "routingKeys": [f"{MEDIATOR}#key-x25519-1"],
                },
            }
        ]
    return document


DOCS = {did: _document(did) for did in KEYS}


def _resolve(did: str) -> DIDDocument:
    if did not in DOCS:
        raise DIDNotFoundError(f"no document for {did}")
    return DIDDocument.from_json(DOCS[did])


def _agreer(did: str) -> LocalKeyAgreer:
    key = KEYS[did][f"{did}#key-x25519-1"]
    assert isinstance(key, X25519KeyPair)
    return LocalKeyAgreer(key, f"{did}#key-x25519-1")


def _signer(did: str) -> LocalSigner:
    return LocalSigner(KEYS[did][f"{did}#key-1"], f"{did}#key-1")


def _peer(op: str, owners: list[str], **request: Any) -> dict[str, Any]:
    """Run one request on the reference implementation, holding the secrets
    of ``owners``."""
    assert PEER_PYTHON.exists(), "run `make .venv-didcomm/.installed` first"
    secrets = [
        {**key.export_jwk(private=True), "kid": kid}
        for owner in owners
        for kid, key in KEYS[owner].items()
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


def _message(**headers: Any) -> Message:
    return Message(
        id="interop-rotation-1",
        thid="interop-rotation-1",
        type="https://example.org/interop/1.0/hello",
        body={"text": "from my new DID"},
        from_=ALICE,
        to=(BOB,),
        created_time=1_700_000_000,
        **headers,
    )


def test_ours_from_prior_theirs_unpack():
    token = make_from_prior(_signer(CHARLIE), CHARLIE, ALICE, iat=1_699_999_000)
    packed = pack_signed(_message(from_prior=token), _signer(ALICE))
    answer = _peer("unpack", [BOB], packed=packed)
    assert answer["message"]["from_prior"] == {
        "iss": CHARLIE,
        "sub": ALICE,
        "iat": 1_699_999_000,
    }


def test_theirs_from_prior_ours_unpack():
    plain = _message().to_json()
    plain["from_prior"] = {"iss": CHARLIE, "sub": ALICE, "iat": 1_699_999_000}
    packed = _peer(
        "pack_signed", [ALICE, CHARLIE], message=plain, sign_from=f"{ALICE}#key-1"
    )["packed"]
    result = unpack(packed, [], resolver=_resolve)
    assert result.from_prior is not None
    assert (result.from_prior.iss, result.from_prior.sub) == (CHARLIE, ALICE)
    assert result.from_prior.iat == 1_699_999_000
    assert result.from_prior.kid == f"{CHARLIE}#key-1"


def test_ours_forward_theirs_mediate_and_unpack():
    inner = pack_anoncrypt(_message(), [BOB], resolver=_resolve)
    wrapped = wrap_for_mediators(inner, BOB, _resolve)
    forward = _peer("unpack", [MEDIATOR], packed=wrapped)["message"]
    assert forward["type"] == "https://didcomm.org/routing/2.0/forward"
    assert forward["body"] == {"next": BOB}
    payload = forward["attachments"][0]["data"]["json"]
    answer = _peer("unpack", [BOB], packed=json.dumps(payload))
    assert Message.from_json(answer["message"]) == _message()


def test_theirs_forward_shape_ours_unwrap():
    # The reference implementation's forward, as its pack_encrypted builds
    # it (ForwardMessage: body.next, one attachment with data.json), packed
    # by it for the mediator; our mediator unwraps it and Bob reads the inner.
    inner = json.loads(pack_anoncrypt(_message(), [BOB], resolver=_resolve))
    forward = {
        "id": "forward-1",
        "type": "https://didcomm.org/routing/2.0/forward",
        "body": {"next": BOB},
        "attachments": [{"data": {"json": inner}}],
    }
    packed = _peer("pack_encrypted", [ALICE], message=forward, to=MEDIATOR)["packed"]
    opened = unpack(
        packed, [_agreer(MEDIATOR)], resolver=_resolve, max_attachment_bytes=1 << 20
    )
    following, passed_on = unwrap_forward(opened)
    assert following == BOB
    assert unpack(passed_on, [_agreer(BOB)], resolver=_resolve).message == _message()
