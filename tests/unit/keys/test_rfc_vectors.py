"""RFC 8032 section 7.1 and RFC 8037 Appendix A vectors, stage by stage."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ssi.encoding import decode_base64url, encode_base64url
from ssi.errors import InvalidPublicKeyError, InvalidSignatureError
from ssi.keys import (
    Ed25519KeyPair,
    Ed25519PublicKey,
    X25519KeyPair,
    X25519PublicKey,
    decode_jwk,
    decode_public_jwk,
    import_key,
)
from tests.vectors import load

# --- RFC 8032 section 7.1 --------------------------------------------------


def _rfc8032(path: Path) -> dict[str, str]:
    vector: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return vector


@pytest.mark.parametrize("path", load.cases("rfc8032"))
def test_rfc8032_public_key_from_seed(path: Path) -> None:
    vector = _rfc8032(path)
    pair = Ed25519KeyPair.from_seed(bytes.fromhex(vector["secret_key"]))
    assert pair.public_key.raw.hex() == vector["public_key"]


@pytest.mark.parametrize("path", load.cases("rfc8032"))
def test_rfc8032_message_has_the_stated_length(path: Path) -> None:
    vector = _rfc8032(path)
    assert len(bytes.fromhex(vector["message"])) == int(vector["message_length"])


@pytest.mark.parametrize("path", load.cases("rfc8032"))
def test_rfc8032_signature_is_reproduced_byte_for_byte(path: Path) -> None:
    vector = _rfc8032(path)
    pair = Ed25519KeyPair.from_seed(bytes.fromhex(vector["secret_key"]))
    signature = pair.sign(bytes.fromhex(vector["message"]))
    assert signature.hex() == vector["signature"]


@pytest.mark.parametrize("path", load.cases("rfc8032"))
def test_rfc8032_signature_verifies(path: Path) -> None:
    vector = _rfc8032(path)
    public = Ed25519PublicKey(bytes.fromhex(vector["public_key"]))
    public.verify(bytes.fromhex(vector["message"]), bytes.fromhex(vector["signature"]))


@pytest.mark.parametrize("path", load.cases("rfc8032"))
@pytest.mark.parametrize("bit", [0, 7, 255, 256, 511])
def test_rfc8032_flipped_signature_bit_fails(path: Path, bit: int) -> None:
    vector = _rfc8032(path)
    public = Ed25519PublicKey(bytes.fromhex(vector["public_key"]))
    signature = bytearray.fromhex(vector["signature"])
    signature[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(InvalidSignatureError):
        public.verify(bytes.fromhex(vector["message"]), bytes(signature))


@pytest.mark.parametrize("path", load.cases("rfc8032"))
def test_rfc8032_flipped_message_bit_fails(path: Path) -> None:
    vector = _rfc8032(path)
    public = Ed25519PublicKey(bytes.fromhex(vector["public_key"]))
    message = bytearray.fromhex(vector["message"]) or bytearray(1)
    message[0] ^= 0x01
    with pytest.raises(InvalidSignatureError):
        public.verify(bytes(message), bytes.fromhex(vector["signature"]))


def test_rfc8032_sha_abc_message_is_sha512_of_abc() -> None:
    vector = load.json_file("rfc8032", "test-sha-abc.json")
    assert vector["message"] == hashlib.sha512(b"abc").hexdigest()


# --- RFC 8037 Appendix A ----------------------------------------------------


def test_rfc8037_a1_private_jwk() -> None:
    vector = load.json_file("rfc8037", "a1-private-key.json")
    pair = decode_jwk(vector["jwk"])
    assert isinstance(pair, Ed25519KeyPair)
    assert decode_base64url(vector["jwk"]["d"]).hex() == vector["d_hex"]
    assert pair.public_key.raw.hex() == vector["x_hex"]
    assert pair.export_jwk(private=True) == vector["jwk"]
    assert pair.export_jwk() == {k: v for k, v in vector["jwk"].items() if k != "d"}


def test_rfc8037_a1_seed_derives_a2_public_key() -> None:
    private = load.json_file("rfc8037", "a1-private-key.json")
    public = load.json_file("rfc8037", "a2-public-key.json")
    pair = Ed25519KeyPair.from_seed(bytes.fromhex(private["d_hex"]))
    assert pair.public_key.export_jwk() == public["jwk"]


def test_rfc8037_a2_public_jwk() -> None:
    vector = load.json_file("rfc8037", "a2-public-key.json")
    public = decode_public_jwk(vector["jwk"])
    assert isinstance(public, Ed25519PublicKey)
    assert public.export_jwk() == vector["jwk"]
    assert import_key(vector["jwk"]) == public


def test_rfc8037_a1_is_refused_as_a_public_jwk() -> None:
    vector = load.json_file("rfc8037", "a1-private-key.json")
    with pytest.raises(InvalidPublicKeyError) as caught:
        decode_public_jwk(vector["jwk"])
    assert vector["jwk"]["d"] not in str(caught.value)


def test_rfc8037_a3_thumbprint_stages() -> None:
    vector = load.json_file("rfc8037", "a3-thumbprint.json")
    members = vector["jwk"]
    canonical = json.dumps(
        {k: members[k] for k in ("crv", "kty", "x")}, separators=(",", ":")
    )
    assert canonical == vector["canonical"]
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    assert digest.hex() == vector["sha256_hex"]
    assert encode_base64url(digest) == vector["thumbprint"]


def test_rfc8037_a3_thumbprint() -> None:
    vector = load.json_file("rfc8037", "a3-thumbprint.json")
    public = decode_public_jwk(vector["jwk"])
    assert public.jwk_thumbprint() == vector["thumbprint"]
    assert vector["thumbprint"] == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_rfc8037_a4_signing_input_stages() -> None:
    vector = load.json_file("rfc8037", "a4-ed25519-signing.json")
    header = vector["protected_header"].encode("utf-8")
    payload = vector["payload"].encode("utf-8")
    assert encode_base64url(header) == vector["protected_b64"]
    assert encode_base64url(payload) == vector["payload_b64"]
    assert (
        f"{vector['protected_b64']}.{vector['payload_b64']}"
        == (vector["signing_input"])
    )
    signature = bytes.fromhex(vector["signature_hex"])
    assert encode_base64url(signature) == vector["signature_b64"]
    assert f"{vector['signing_input']}.{vector['signature_b64']}" == vector["compact"]


def test_rfc8037_a4_signature_is_reproduced() -> None:
    vector = load.json_file("rfc8037", "a4-ed25519-signing.json")
    pair = decode_jwk(load.json_file("rfc8037", "a1-private-key.json")["jwk"])
    assert isinstance(pair, Ed25519KeyPair)
    signature = pair.sign(vector["signing_input"].encode("ascii"))
    assert signature.hex() == vector["signature_hex"]
    assert encode_base64url(signature) == vector["signature_b64"]


def test_rfc8037_a5_validation() -> None:
    vector = load.json_file("rfc8037", "a4-ed25519-signing.json")
    public = decode_public_jwk(load.json_file("rfc8037", "a2-public-key.json")["jwk"])
    signing_input, _, signature = vector["compact"].rpartition(".")
    public.verify(signing_input.encode("ascii"), decode_base64url(signature))
    tampered = signing_input.replace("RXhh", "RXhi").encode("ascii")
    with pytest.raises(InvalidSignatureError):
        public.verify(tampered, decode_base64url(signature))


def test_rfc8037_a6_public_keys_and_jwks() -> None:
    vector = load.json_file("rfc8037", "a6-ecdh-es-x25519.json")
    recipient = decode_public_jwk(vector["recipient_jwk"])
    assert isinstance(recipient, X25519PublicKey)
    assert recipient.raw.hex() == vector["recipient_public_hex"]
    ephemeral = X25519KeyPair.from_private_bytes(
        bytes.fromhex(vector["ephemeral_secret_hex"])
    )
    assert ephemeral.public_key.raw.hex() == vector["ephemeral_public_hex"]
    assert ephemeral.public_key.export_jwk() == vector["ephemeral_jwk"]
    header = json.loads(vector["protected_header"])
    assert header["epk"] == vector["ephemeral_jwk"]
    assert header["kid"] == vector["recipient_jwk"]["kid"]


def test_rfc8037_a6_shared_secret() -> None:
    vector = load.json_file("rfc8037", "a6-ecdh-es-x25519.json")
    ephemeral = X25519KeyPair.from_private_bytes(
        bytes.fromhex(vector["ephemeral_secret_hex"])
    )
    recipient = decode_public_jwk(vector["recipient_jwk"])
    assert isinstance(recipient, X25519PublicKey)
    assert ephemeral.exchange(recipient).hex() == vector["z_hex"]


def test_rfc7748_6_1_both_sides_agree() -> None:
    vector = load.json_file("rfc8037", "rfc7748-6.1-curve25519.json")
    alice = X25519KeyPair.from_private_bytes(bytes.fromhex(vector["alice_private"]))
    bob = X25519KeyPair.from_private_bytes(bytes.fromhex(vector["bob_private"]))
    assert alice.public_key.raw.hex() == vector["alice_public"]
    assert bob.public_key.raw.hex() == vector["bob_public"]
    assert alice.exchange(bob.public_key).hex() == vector["shared"]
    assert bob.exchange(alice.public_key).hex() == vector["shared"]


def test_rfc7748_keys_are_the_rfc8037_a6_keys() -> None:
    a6 = load.json_file("rfc8037", "a6-ecdh-es-x25519.json")
    rfc7748 = load.json_file("rfc8037", "rfc7748-6.1-curve25519.json")
    assert a6["ephemeral_secret_hex"] == rfc7748["alice_private"]
    assert a6["recipient_public_hex"] == rfc7748["bob_public"]
    assert a6["z_hex"] == rfc7748["shared"]
