"""from_prior: DID rotation JWTs, and did:agora key rotations announced with
them and the log (docs/messaging.md, "Rotation")."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from jwcrypto import jwk, jws

from ssi.did.document import DIDDocument
from ssi.encoding import decode_base64url, encode_base64url
from ssi.errors import DuplicityError
from ssi.messaging import (
    InvalidFromPriorError,
    Message,
    SenderKeyNotInDocumentError,
    pack_authcrypt,
    unpack,
)
from ssi.messaging.keys import method_key
from ssi.messaging.rotation import (
    announce_rotation,
    attached_log,
    check_from_prior,
    log_attachment,
    make_from_prior,
    resolver_with_log,
)
from tests.unit.messaging.parties import AgoraParty, KeyParty, Resolver
from tests.vectors.load import json_file

TYPE = "https://example.org/chat/1.0/message"
PYTHON = "didcomm-python"


def _segments(token: str) -> list[str]:
    return token.split(".")


def _reencode(token: str, part: int, change: dict[str, object]) -> str:
    parts = _segments(token)
    value = json.loads(decode_base64url(parts[part]))
    value.update(change)
    parts[part] = encode_base64url(json.dumps(value).encode())
    return ".".join(parts)


# DID to DID (the spec's case): did:key -> did:key.


def test_rotation_between_dids_checks_and_reads_claims() -> None:
    prior, new = KeyParty(), KeyParty()
    token = make_from_prior(prior.signer, prior.did, new.did, iat=1_700_000_000)
    checked = check_from_prior(token, new.did, Resolver())
    assert (checked.iss, checked.sub, checked.iat) == (
        prior.did,
        new.did,
        1_700_000_000,
    )
    assert checked.kid == prior.signer.key_id
    header = json.loads(decode_base64url(_segments(token)[0]))
    assert header == {"typ": "JWT", "alg": "EdDSA", "kid": prior.signer.key_id}


def test_our_jwt_verifies_with_jwcrypto_and_carries_the_spec_claims() -> None:
    prior, new = KeyParty(), KeyParty()
    token = make_from_prior(prior.signer, prior.did, new.did)
    verifier = jws.JWS()
    verifier.deserialize(token)
    verifier.verify(jwk.JWK(**prior.key.public_key.export_jwk()), alg="EdDSA")
    claims = json.loads(verifier.payload)
    assert set(claims) == {"iss", "sub", "iat"}
    assert abs(claims["iat"] - datetime.now(UTC).timestamp()) < 3600


def test_a_jwt_signed_by_jwcrypto_is_accepted() -> None:
    prior, new = KeyParty(), KeyParty()
    private = jwk.JWK(**prior.key.export_jwk(private=True))
    token = jws.JWS(json.dumps({"iss": prior.did, "sub": new.did, "iat": 1}).encode())
    token.add_signature(
        private, protected={"alg": "EdDSA", "typ": "JWT", "kid": prior.signer.key_id}
    )
    checked = check_from_prior(token.serialize(compact=True), new.did, Resolver())
    assert checked.iss == prior.did


def test_wrong_signer_fails() -> None:
    prior, new, thief = KeyParty(), KeyParty(), KeyParty()
    forged = make_from_prior(thief.signer, thief.did, new.did)
    token = _reencode(forged, 0, {"kid": prior.signer.key_id})
    token = _reencode(token, 1, {"iss": prior.did})
    with pytest.raises(InvalidFromPriorError, match="signature"):
        check_from_prior(token, new.did, Resolver())


def test_kid_not_in_the_prior_did_fails() -> None:
    prior, new, other = KeyParty(), KeyParty(), KeyParty()
    unknown = make_from_prior(prior.signer, prior.did, new.did)
    missing = _reencode(unknown, 0, {"kid": prior.did + "#nothing-here"})
    with pytest.raises(InvalidFromPriorError, match="authentication key"):
        check_from_prior(missing, new.did, Resolver())
    agreement = _reencode(unknown, 0, {"kid": prior.agreer.key_id})
    with pytest.raises(InvalidFromPriorError, match="authentication key"):
        check_from_prior(agreement, new.did, Resolver())
    foreign = _reencode(unknown, 0, {"kid": other.signer.key_id})
    with pytest.raises(InvalidFromPriorError, match="not a key of"):
        check_from_prior(foreign, new.did, Resolver())


def test_iss_or_sub_mismatch_fails() -> None:
    prior, new, third = KeyParty(), KeyParty(), KeyParty()
    token = make_from_prior(prior.signer, prior.did, new.did)
    with pytest.raises(InvalidFromPriorError, match="sub is not the message's from"):
        check_from_prior(token, third.did, Resolver())
    with pytest.raises(InvalidFromPriorError):
        check_from_prior(_reencode(token, 1, {"iss": third.did}), new.did, Resolver())
    same = _reencode(token, 1, {"sub": prior.did})
    with pytest.raises(InvalidFromPriorError, match="same DID"):
        check_from_prior(same, prior.did, Resolver())


@pytest.mark.parametrize("part", [0, 1, 2])
def test_tampered_jwt_fails(part: int) -> None:
    prior, new = KeyParty(), KeyParty()
    token = make_from_prior(prior.signer, prior.did, new.did, iat=1_700_000_000)
    parts = _segments(token)
    if part == 1:
        parts[1] = _segments(_reencode(token, 1, {"iat": 1_700_000_001}))[1]
    elif part == 0:
        parts[0] = _segments(_reencode(token, 0, {"typ": "jwt"}))[0]
    else:
        raw = bytearray(decode_base64url(parts[2]))
        raw[0] ^= 1
        parts[2] = encode_base64url(bytes(raw))
    with pytest.raises(InvalidFromPriorError):
        check_from_prior(".".join(parts), new.did, Resolver())


@pytest.mark.parametrize(
    ("change", "part", "words"),
    [
        ({"alg": "none"}, 0, "EdDSA or ES256"),
        ({"alg": "HS256"}, 0, "EdDSA or ES256"),
        ({"crit": ["exp"]}, 0, "unknown member"),
        ({"kid": "not-a-did"}, 0, "kid"),
        ({"iat": "yesterday"}, 1, "iat"),
        ({"iat": True}, 1, "iat"),
        ({"iat": 4_000_000_000}, 1, "future"),
        ({"exp": 1}, 1, "expired"),
        ({"exp": True}, 1, "expired"),
        ({"nbf": 4_000_000_000}, 1, "nbf"),
        ({"iss": 7}, 1, "iss"),
    ],
)
def test_malformed_jwt_fails(change: dict[str, object], part: int, words: str) -> None:
    prior, new = KeyParty(), KeyParty()
    token = _reencode(make_from_prior(prior.signer, prior.did, new.did), part, change)
    with pytest.raises(InvalidFromPriorError, match=words):
        check_from_prior(token, new.did, Resolver())


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "e30.e30.", "!!.e30.AA"])
def test_not_a_jwt_fails(token: str) -> None:
    with pytest.raises(InvalidFromPriorError):
        check_from_prior(token, KeyParty().did, Resolver())


def test_make_from_prior_refuses_misuse() -> None:
    prior, new = KeyParty(), KeyParty()
    with pytest.raises(ValueError, match="not a key of the prior DID"):
        make_from_prior(prior.signer, new.did, prior.did)
    with pytest.raises(ValueError, match="names the prior version"):
        make_from_prior(prior.signer, prior.did, prior.did)


def test_unpack_checks_from_prior_in_a_message() -> None:
    prior, new, bob = KeyParty(), KeyParty(), KeyParty()
    resolver = Resolver()
    token = make_from_prior(prior.signer, prior.did, new.did)
    message = Message.new(
        TYPE, {"text": "hi"}, from_=new.did, to=[bob.did], from_prior=token
    )
    packed = pack_authcrypt(message, new.agreer, [bob.did], resolver=resolver)
    opened = unpack(packed, [bob.agreer], resolver=resolver)
    assert opened.from_prior is not None
    assert opened.from_prior.iss == prior.did
    wrong = Message.new(
        TYPE, {}, from_=new.did, to=[bob.did], from_prior=token[:-4] + "AAAA"
    )
    packed = pack_authcrypt(wrong, new.agreer, [bob.did], resolver=resolver)
    with pytest.raises(InvalidFromPriorError):
        unpack(packed, [bob.agreer], resolver=resolver)


# did:agora: one DID, a key rotation announced with the log.


def test_agora_rotation_end_to_end() -> None:
    alice, bob = AgoraParty.create(), KeyParty()
    bobs_view = Resolver({alice.did: alice.entries})  # Bob knows version 1.
    alice.rotate()
    token, attachment = announce_rotation(alice.signer(1), alice.did, alice.entries)
    announcement = Message.new(
        TYPE,
        {"text": "new keys"},
        from_=alice.did,
        to=[bob.did],
        from_prior=token,
        attachments=[attachment],
    )
    # Encrypted with the agreement key Bob knows (version 1).
    packed = pack_authcrypt(
        announcement, alice.agreer(1), [bob.did], resolver=bobs_view
    )
    opened = unpack(packed, [bob.agreer], resolver=bobs_view)
    assert opened.sender_proven
    rotation = opened.from_prior
    assert rotation is not None
    assert rotation.iss == rotation.sub == alice.did
    assert rotation.kid == f"{alice.did}?versionId=1#key-1"
    # A message under the new keys fails until Bob takes the log in.
    later = Message.new(TYPE, {"text": "hello"}, from_=alice.did, to=[bob.did])
    packed = pack_authcrypt(later, alice.agreer(2), [bob.did], resolver=bobs_view)
    with pytest.raises(SenderKeyNotInDocumentError):
        unpack(packed, [bob.agreer], resolver=bobs_view)
    log = attached_log(opened.message)
    assert log is not None
    updated = resolver_with_log(bobs_view, alice.did, log)
    assert unpack(packed, [bob.agreer], resolver=updated).sender_proven
    # The old keys no longer pass for Alice once Bob has her new state.
    stale = pack_authcrypt(later, alice.agreer(1), [bob.did], resolver=bobs_view)
    with pytest.raises(SenderKeyNotInDocumentError):
        unpack(stale, [bob.agreer], resolver=updated)


def _agora_check(alice: AgoraParty, token: str, log: object = None) -> None:
    entries = alice.entries if log is None else log
    check_from_prior(
        token, alice.did, Resolver({alice.did: alice.entries[:1]}), log=entries
    )


def test_agora_rotation_needs_the_log() -> None:
    alice = AgoraParty.create()
    alice.rotate()
    token, _ = announce_rotation(alice.signer(1), alice.did, alice.entries)
    _agora_check(alice, token)
    with pytest.raises(InvalidFromPriorError, match="carries no log"):
        check_from_prior(token, alice.did, Resolver({alice.did: alice.entries[:1]}))


def test_agora_rotation_without_a_later_entry_fails() -> None:
    alice = AgoraParty.create()
    alice.rotate()
    token, _ = announce_rotation(alice.signer(1), alice.did, alice.entries)
    with pytest.raises(InvalidFromPriorError, match="no entry after"):
        _agora_check(alice, token, alice.entries[:1])


def test_agora_rotation_signed_by_the_new_key_fails() -> None:
    alice = AgoraParty.create()
    alice.rotate()
    token = make_from_prior(alice.signer(2), alice.did, alice.did, iat=1)
    with pytest.raises(InvalidFromPriorError, match="no entry after"):
        _agora_check(alice, token)
    claims = _segments(token)[1]
    header = _segments(make_from_prior(alice.signer(1), alice.did, alice.did))[0]
    forged = ".".join([header, claims, _segments(token)[2]])
    with pytest.raises(InvalidFromPriorError):
        _agora_check(alice, forged)


def test_agora_rotation_with_another_iat_fails() -> None:
    alice = AgoraParty.create()
    alice.rotate()
    token = make_from_prior(alice.signer(1), alice.did, alice.did, iat=1_000)
    with pytest.raises(InvalidFromPriorError, match="iat"):
        _agora_check(alice, token)


def test_agora_rotation_by_a_compromised_key_fails() -> None:
    alice = AgoraParty.create()
    stolen = alice.auth[0].public_key.export_multikey()
    alice.rotate(compromised=[stolen])
    token, _ = announce_rotation(alice.signer(1), alice.did, alice.entries)
    with pytest.raises(InvalidFromPriorError, match="compromised"):
        _agora_check(alice, token)


def test_agora_kid_of_a_version_the_log_lacks_fails() -> None:
    alice = AgoraParty.create()
    alice.rotate()
    token, _ = announce_rotation(alice.signer(1), alice.did, alice.entries)
    token = _reencode(token, 0, {"kid": f"{alice.did}?versionId=7#key-1"})
    with pytest.raises(InvalidFromPriorError, match="log lacks"):
        _agora_check(alice, token)
    token = _reencode(token, 0, {"kid": f"{alice.did}?versionTime=x#key-1"})
    with pytest.raises(InvalidFromPriorError, match="versionId"):
        _agora_check(alice, token)


def test_agora_log_that_forks_from_the_known_history_fails() -> None:
    alice = AgoraParty.create()
    original = list(alice.entries)
    alice.rotate()
    fork = AgoraParty(
        update=list(alice.update[:2]),
        auth=list(alice.auth[:1]),
        agreement=list(alice.agreement[:1]),
        entries=list(original),
        did=alice.did,
    )
    fork.rotate()
    token, _ = announce_rotation(alice.signer(1), alice.did, alice.entries)
    knows_fork = Resolver({alice.did: fork.entries})
    with pytest.raises(InvalidFromPriorError, match="known history"):
        check_from_prior(token, alice.did, knows_fork, log=alice.entries)
    with pytest.raises(InvalidFromPriorError, match="known history"):
        resolver_with_log(knows_fork, alice.did, alice.entries)


def test_agora_log_that_is_broken_fails() -> None:
    alice = AgoraParty.create()
    alice.rotate()
    token, _ = announce_rotation(alice.signer(1), alice.did, alice.entries)
    broken = [dict(alice.entries[0]), {**alice.entries[1], "version": 3}]
    with pytest.raises(InvalidFromPriorError, match="not valid"):
        _agora_check(alice, token, broken)
    stranger = AgoraParty.create()
    with pytest.raises(InvalidFromPriorError, match="not valid"):
        _agora_check(alice, token, stranger.entries)


def test_attached_log_reads_one_log_attachment() -> None:
    alice = AgoraParty.create()
    single = Message.new(TYPE, {}, attachments=[log_attachment(alice.entries)])
    assert attached_log(single) == alice.entries
    assert attached_log(Message.new(TYPE, {})) is None
    double = Message.new(TYPE, {}, attachments=[log_attachment(alice.entries)] * 2)
    with pytest.raises(InvalidFromPriorError, match="more than one"):
        attached_log(double)


# The reference implementation's from_prior (tests/vectors/didcomm-python).


def _charlie() -> Resolver:
    return Resolver(
        documents=[DIDDocument.from_json(json_file(PYTHON, "did-charlie.json"))]
    )


def test_reference_from_prior_signature_verifies_with_charlies_key() -> None:
    message = json_file(PYTHON, "from-prior-message.json")
    token = message["from_prior"]
    verifier = jws.JWS()
    verifier.deserialize(token)
    key = method_key(
        _charlie()("did:example:charlie").find_verification_method(
            "did:example:charlie#key-1", "authentication"
        )
    )
    verifier.verify(jwk.JWK(**key.export_jwk()), alg="EdDSA")
    claims = json.loads(verifier.payload)
    assert (claims["iss"], claims["sub"]) == (
        "did:example:charlie",
        "did:example:alice",
    )


def test_reference_from_prior_is_refused_only_for_its_past_exp() -> None:
    message = json_file(PYTHON, "from-prior-message.json")
    now = datetime.fromtimestamp(message["created_time"], UTC)
    with pytest.raises(InvalidFromPriorError, match="expired"):
        check_from_prior(message["from_prior"], message["from"], _charlie(), now=now)
    # The same claims without exp (re-signed by a key standing in for Charlie's)
    # pass every other check, nbf and the extra claims aud and jti included.
    stand_in = KeyParty()
    claims = json.loads(decode_base64url(_segments(message["from_prior"])[1]))
    del claims["exp"]
    document = json_file(PYTHON, "did-charlie.json")
    document["verificationMethod"][1]["publicKeyJwk"] = (
        stand_in.key.public_key.export_jwk()
    )
    header = _segments(message["from_prior"])[0]
    signing_input = header + "." + encode_base64url(json.dumps(claims).encode())
    token = (
        signing_input
        + "."
        + encode_base64url(stand_in.key.sign(signing_input.encode()))
    )
    resolver = Resolver(documents=[DIDDocument.from_json(document)])
    checked = check_from_prior(token, message["from"], resolver, now=now)
    assert (checked.iss, checked.sub, checked.iat) == (
        "did:example:charlie",
        "did:example:alice",
        123456,
    )
    assert checked.kid == "did:example:charlie#key-1"


def test_agora_rotation_for_an_unknown_did_rests_on_the_log_alone() -> None:
    alice = AgoraParty.create()
    alice.rotate()
    token, _ = announce_rotation(alice.signer(1), alice.did, alice.entries)
    checked = check_from_prior(token, alice.did, Resolver(), log=alice.entries)
    assert checked.kid == f"{alice.did}?versionId=1#key-1"
    fresh = resolver_with_log(Resolver(), alice.did, alice.entries)
    assert fresh(alice.did).find_verification_method(
        f"{alice.did}#key-2", "authentication"
    )


def test_agora_rotation_when_the_known_history_is_broken_fails() -> None:
    alice = AgoraParty.create()
    alice.rotate()
    token, _ = announce_rotation(alice.signer(1), alice.did, alice.entries)

    def broken(did: str) -> DIDDocument:
        raise DuplicityError("two histories", entry=2, evidence=[])

    with pytest.raises(InvalidFromPriorError, match="cannot be read"):
        check_from_prior(token, alice.did, broken, log=alice.entries)
