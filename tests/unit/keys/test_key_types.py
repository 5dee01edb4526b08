"""Key types: generate, sign, verify, encode, compare, and keep secrets secret."""

from __future__ import annotations

import base64
import copy

import pytest

from ssi.encoding import (
    decode_base58btc,
    encode_base58btc,
    encode_base64url,
    encode_multibase,
)
from ssi.errors import (
    InvalidPublicKeyError,
    InvalidPublicKeyLengthError,
    InvalidSecretKeyError,
    InvalidSignatureError,
    UnsupportedAlgorithmError,
    UnsupportedPublicKeyTypeError,
)
from ssi.keys import (
    ECKeyPair,
    Ed25519KeyPair,
    KeyPair,
    KeyType,
    LocalSigner,
    P256KeyPair,
    P256PublicKey,
    P384KeyPair,
    P521KeyPair,
    PublicKey,
    Secp256k1KeyPair,
    Secp256k1PublicKey,
    SignatureVerifier,
    Signer,
    X25519KeyPair,
    X25519PublicKey,
    decode_multikey,
    decode_public_multikey,
    generate_key,
    import_key,
)
from ssi.multicodec import wrap
from tests.unit.keys.conftest import FIXED, SIGNING_TYPES

ALGORITHMS = {
    KeyType.ED25519: "EdDSA",
    KeyType.X25519: None,
    KeyType.P256: "ES256",
    KeyType.P384: "ES384",
    KeyType.P521: "ES512",
    KeyType.SECP256K1: "ES256K",
}
SECP256K1_ORDER = Secp256k1PublicKey.order
P256_ORDER = P256PublicKey.order


# --- generation ---------------------------------------------------------------


@pytest.mark.parametrize("key_type", list(KeyType), ids=str)
def test_generate_each_key_type(key_type: KeyType) -> None:
    pair = generate_key(key_type)
    assert pair.key_type == key_type
    assert pair.public_key.key_type == key_type
    assert pair.algorithm == ALGORITHMS[key_type]
    assert generate_key(key_type.value).key_type == key_type
    assert generate_key(key_type) != pair


def test_generate_defaults_to_ed25519() -> None:
    assert isinstance(generate_key(), Ed25519KeyPair)


@pytest.mark.parametrize("name", ["RSA", "P-192", "p-384", "ed25519", "", "Ed448"])
def test_generate_refuses_unknown_key_types(name: str) -> None:
    with pytest.raises(UnsupportedPublicKeyTypeError):
        generate_key(name)


# --- signing and verifying -----------------------------------------------------


@pytest.mark.parametrize("key_type", SIGNING_TYPES, ids=str)
def test_generated_key_signs_and_verifies(key_type: KeyType) -> None:
    pair = generate_key(key_type)
    signature = pair.sign(b"hello")
    pair.verify(b"hello", signature)
    pair.public_key.verify(b"hello", signature)
    with pytest.raises(InvalidSignatureError):
        pair.verify(b"hellp", signature)


def test_fixed_key_signs_and_verifies(signing_key: KeyPair) -> None:
    for message in (b"", b"\x00", b"a" * 10_000):
        signature = signing_key.sign(message)
        signing_key.public_key.verify(message, signature)


def test_signature_from_another_key_fails(signing_key: KeyPair) -> None:
    other = generate_key(signing_key.key_type)
    with pytest.raises(InvalidSignatureError):
        other.verify(b"m", signing_key.sign(b"m"))


@pytest.mark.parametrize("length", [0, 1, 63, 65, 128])
def test_signature_of_wrong_length_fails(signing_key: KeyPair, length: int) -> None:
    with pytest.raises(InvalidSignatureError):
        signing_key.verify(b"m", bytes(length))


def test_all_zero_signature_fails(signing_key: KeyPair) -> None:
    with pytest.raises(InvalidSignatureError):
        signing_key.verify(b"m", bytes(64))


def test_signature_error_says_nothing_about_why(signing_key: KeyPair) -> None:
    with pytest.raises(InvalidSignatureError) as caught:
        signing_key.verify(b"m", bytes(64))
    assert str(caught.value) == "signature does not verify."
    assert caught.value.code == "PROOF_VERIFICATION_ERROR"


def test_x25519_cannot_sign_or_verify() -> None:
    pair = FIXED[KeyType.X25519]
    with pytest.raises(UnsupportedAlgorithmError):
        pair.sign(b"m")
    with pytest.raises(UnsupportedAlgorithmError):
        pair.verify(b"m", bytes(64))
    with pytest.raises(UnsupportedAlgorithmError):
        pair.public_key.verify(b"m", bytes(64))
    assert pair.algorithm is None


EC_TYPES = [KeyType.P256, KeyType.P384, KeyType.P521, KeyType.SECP256K1]
# RFC 7518 section 3.4: r || s, each the curve's coordinate length.
SIGNATURE_BYTES = {
    KeyType.P256: 64,
    KeyType.P384: 96,
    KeyType.P521: 132,
    KeyType.SECP256K1: 64,
}


def _ec(key_type: KeyType) -> ECKeyPair:
    pair = FIXED[key_type]
    assert isinstance(pair, ECKeyPair)
    return pair


@pytest.mark.parametrize("key_type", EC_TYPES, ids=str)
def test_ecdsa_signatures_have_the_jose_length(key_type: KeyType) -> None:
    pair = FIXED[key_type]
    for i in range(50):
        assert len(pair.sign(i.to_bytes(2, "big"))) == SIGNATURE_BYTES[key_type]


@pytest.mark.parametrize(
    ("key_type", "other"),
    [(KeyType.P384, KeyType.P256), (KeyType.P521, KeyType.P384)],
    ids=str,
)
def test_ecdsa_signature_of_another_curve_fails(
    key_type: KeyType, other: KeyType
) -> None:
    with pytest.raises(InvalidSignatureError):
        FIXED[key_type].verify(b"m", FIXED[other].sign(b"m"))


@pytest.mark.parametrize("key_type", [KeyType.P384, KeyType.P521], ids=str)
def test_ecdsa_negated_s_verifies_so_the_order_is_right(key_type: KeyType) -> None:
    """(r, n - s) is the other valid signature of a message: only the true
    group order n makes it verify, so this checks the order constant."""
    pair = _ec(key_type)
    size = pair.public_class.coordinate_bytes
    signature = pair.sign(b"m")
    s = int.from_bytes(signature[size:], "big")
    negated = (pair.public_class.order - s).to_bytes(size, "big")
    pair.verify(b"m", signature[:size] + negated)


def test_secp256k1_signatures_are_low_s() -> None:
    pair = FIXED[KeyType.SECP256K1]
    for i in range(200):
        message = f"message {i}".encode()
        signature = pair.sign(message)
        s = int.from_bytes(signature[32:], "big")
        assert 0 < s <= SECP256K1_ORDER // 2
        pair.verify(message, signature)


def test_secp256k1_high_s_signature_still_verifies() -> None:
    """RFC 8812 does not forbid high S; verification accepts either form."""
    pair = FIXED[KeyType.SECP256K1]
    signature = pair.sign(b"m")
    s = int.from_bytes(signature[32:], "big")
    high = signature[:32] + (SECP256K1_ORDER - s).to_bytes(32, "big")
    pair.verify(b"m", high)


@pytest.mark.parametrize("key_type", EC_TYPES, ids=str)
def test_ecdsa_r_or_s_out_of_range_fails(key_type: KeyType) -> None:
    pair = _ec(key_type)
    order = pair.public_class.order
    size = pair.public_class.coordinate_bytes
    signature = pair.sign(b"m")
    r, s = signature[:size], signature[size:]
    for bad in (
        bytes(size) + s,
        r + bytes(size),
        order.to_bytes(size, "big") + s,
        r + order.to_bytes(size, "big"),
        r + b"\xff" * size,
    ):
        with pytest.raises(InvalidSignatureError):
            pair.verify(b"m", bad)


def test_ed25519_signature_with_s_plus_order_fails() -> None:
    """RFC 8032 section 5.1.7: S must be below the group order L."""
    pair = FIXED[KeyType.ED25519]
    signature = pair.sign(b"m")
    order = 2**252 + 27742317777372353535851937790883648493
    s = int.from_bytes(signature[32:], "little") + order
    with pytest.raises(InvalidSignatureError):
        pair.verify(b"m", signature[:32] + s.to_bytes(32, "little"))


# --- X25519 key agreement ---------------------------------------------------------


def test_x25519_exchange_with_small_order_key_fails() -> None:
    pair = FIXED[KeyType.X25519]
    assert isinstance(pair, X25519KeyPair)
    with pytest.raises(InvalidPublicKeyError):
        pair.exchange(X25519PublicKey(bytes(32)))


def test_x25519_exchange_is_symmetric() -> None:
    a, b = FIXED[KeyType.X25519], X25519KeyPair.generate()
    assert isinstance(a, X25519KeyPair)
    assert a.exchange(b.public_key) == b.exchange(a.public_key)


# --- encodings --------------------------------------------------------------------


def test_multikey_round_trips(key_pair: KeyPair) -> None:
    public = key_pair.export_multikey()
    secret = key_pair.export_multikey(private=True)
    assert public.startswith("z")
    assert secret.startswith("z")
    assert decode_public_multikey(public) == key_pair.public_key
    assert decode_multikey(secret) == key_pair
    assert import_key(secret) == key_pair
    assert key_pair.public_key.export_multikey() == public


def test_jwk_round_trips(key_pair: KeyPair) -> None:
    public = key_pair.export_jwk()
    private = key_pair.export_jwk(private=True)
    assert "d" not in public
    assert set(private) == {*public, "d"}
    assert import_key(public) == key_pair.public_key
    assert import_key(private) == key_pair


def test_export_jwk_returns_a_fresh_dict(key_pair: KeyPair) -> None:
    jwk = key_pair.export_jwk()
    jwk["x"] = "changed"
    assert key_pair.export_jwk()["x"] != "changed"


@pytest.mark.parametrize("key_type", list(KeyType), ids=str)
def test_public_key_refuses_private_export(key_type: KeyType) -> None:
    public = FIXED[key_type].public_key
    with pytest.raises(ValueError, match="no private part"):
        public.export_multikey(private=True)
    with pytest.raises(ValueError, match="no private part"):
        public.export_jwk(private=True)


def test_secret_multikey_is_refused_as_public() -> None:
    secret = FIXED[KeyType.ED25519].export_multikey(private=True)
    with pytest.raises(InvalidPublicKeyError) as caught:
        decode_public_multikey(secret)
    assert secret not in str(caught.value)


MULTICODEC_HEADERS = {
    # (public, secret): varint multicodec headers, CID 1.0 section "Multikey".
    KeyType.ED25519: ("ed01", "8026"),
    KeyType.X25519: ("ec01", "8226"),
    KeyType.P256: ("8024", "8626"),
    KeyType.P384: ("8124", "8726"),
    KeyType.P521: ("8224", "8826"),
    KeyType.SECP256K1: ("e701", "8126"),
}
SCALAR_BYTES = {KeyType.P384: 48, KeyType.P521: 66}
POINT_BYTES = {
    KeyType.P256: 33,
    KeyType.P384: 49,
    KeyType.P521: 67,
    KeyType.SECP256K1: 33,
}


@pytest.mark.parametrize("key_type", list(KeyType), ids=str)
def test_multikey_headers(key_type: KeyType) -> None:
    public_header, secret_header = MULTICODEC_HEADERS[key_type]
    pair = FIXED[key_type]
    public = decode_base58btc(pair.export_multikey()[1:])
    secret = decode_base58btc(pair.export_multikey(private=True)[1:])
    assert public.hex().startswith(public_header)
    assert secret.hex().startswith(secret_header)
    assert len(secret) == 2 + SCALAR_BYTES.get(key_type, 32)
    assert len(public) == 2 + POINT_BYTES.get(key_type, 32)


def test_uncompressed_point_is_refused_in_multikey() -> None:
    public = FIXED[KeyType.P256].public_key
    assert isinstance(public, P256PublicKey)
    x, y = public.coordinates()
    uncompressed = encode_multibase(wrap("p256-pub", b"\x04" + x + y))
    with pytest.raises(InvalidPublicKeyLengthError) as caught:
        decode_multikey(uncompressed)
    assert type(caught.value) is InvalidPublicKeyLengthError
    assert P256PublicKey(b"\x04" + x + y) == public


@pytest.mark.parametrize("key_type", EC_TYPES, ids=str)
def test_ec_coordinates_round_trip(key_type: KeyType) -> None:
    public = _ec(key_type).public_key
    x, y = public.coordinates()
    assert len(x) == len(y) == public.coordinate_bytes
    assert type(public).from_coordinates(x, y) == public
    assert len(public.raw) == POINT_BYTES[key_type]


def test_ed25519_public_maps_to_the_x25519_of_the_pair() -> None:
    pair = FIXED[KeyType.ED25519]
    assert isinstance(pair, Ed25519KeyPair)
    assert pair.public_key.to_x25519() == pair.to_x25519().public_key


# --- secret key construction ----------------------------------------------------


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_secret_of_wrong_length_is_refused(length: int) -> None:
    with pytest.raises(InvalidSecretKeyError):
        Ed25519KeyPair.from_seed(bytes(length))
    with pytest.raises(InvalidSecretKeyError):
        X25519KeyPair.from_private_bytes(bytes(length))
    with pytest.raises(InvalidSecretKeyError):
        P256KeyPair.from_private_bytes(bytes(length))
    for cls in (P256KeyPair, P384KeyPair, P521KeyPair, Secp256k1KeyPair):
        with pytest.raises(InvalidSecretKeyError):
            cls.from_private_bytes(bytes(length))


@pytest.mark.parametrize(
    ("cls", "wrong"), [(P384KeyPair, 32), (P384KeyPair, 66), (P521KeyPair, 65)]
)
def test_nist_secret_of_another_curve_length_is_refused(
    cls: type[ECKeyPair], wrong: int
) -> None:
    with pytest.raises(InvalidSecretKeyError):
        cls.from_private_bytes(b"\x01" * wrong)


@pytest.mark.parametrize(
    "cls", [P256KeyPair, P384KeyPair, P521KeyPair, Secp256k1KeyPair]
)
def test_ec_scalar_out_of_range_is_refused(cls: type[ECKeyPair]) -> None:
    order = cls.public_class.order
    size = cls.public_class.coordinate_bytes
    for scalar in (0, order, order + 1, 2 ** (8 * size) - 1):
        with pytest.raises(InvalidSecretKeyError):
            cls.from_private_bytes(scalar.to_bytes(size, "big"))
    assert cls.from_private_bytes((order - 1).to_bytes(size, "big")).key_type


# --- equality and hashing ---------------------------------------------------------


def test_key_pair_equality(key_pair: KeyPair) -> None:
    again = import_key(key_pair.export_multikey(private=True))
    assert again == key_pair
    assert hash(again) == hash(key_pair)
    assert again is not key_pair
    assert key_pair != generate_key(key_pair.key_type)
    assert key_pair != key_pair.public_key
    assert key_pair.public_key != key_pair
    assert key_pair != key_pair.export_multikey()
    assert len({key_pair, again, key_pair.public_key}) == 2


def test_public_key_equality_needs_the_same_type() -> None:
    ed = FIXED[KeyType.ED25519].public_key
    same_bytes = X25519PublicKey(ed.raw)
    assert ed != same_bytes
    assert ed == import_key(ed.export_jwk())
    assert hash(ed) == hash(import_key(ed.export_jwk()))


def test_key_pairs_with_different_types_differ() -> None:
    pairs = list(FIXED.values())
    for i, a in enumerate(pairs):
        for b in pairs[i + 1 :]:
            assert a != b


# --- secrets never shown ------------------------------------------------------------


def _secret_encodings(pair: KeyPair) -> list[str]:
    secret = pair._secret_bytes()
    jwk_d = pair.export_jwk(private=True)["d"]
    assert isinstance(jwk_d, str)
    return [
        secret.hex(),
        secret.hex().upper(),
        encode_base64url(secret),
        base64.b64encode(secret).decode(),
        encode_base58btc(secret),
        jwk_d,
        pair.export_multikey(private=True),
        encode_base58btc(secret)[:16],
        repr(secret),
    ]


def test_repr_never_shows_the_secret(key_pair: KeyPair) -> None:
    shown = [repr(key_pair), str(key_pair), f"{key_pair!r}", f"{key_pair}"]
    shown.append(
        repr(LocalSigner(key_pair, "did:example:1#k")) if key_pair.algorithm else ""
    )
    shown.append(repr([key_pair, {"k": key_pair}]))
    for text in shown:
        for secret in _secret_encodings(key_pair):
            assert secret not in text
    assert key_pair.export_multikey() in repr(key_pair)


def test_repr_names_the_type_and_public_key(key_pair: KeyPair) -> None:
    assert repr(key_pair) == (
        f"{type(key_pair).__name__}(public_key={key_pair.export_multikey()!r})"
    )
    assert repr(key_pair.public_key) == (
        f"{type(key_pair.public_key).__name__}({key_pair.export_multikey()!r})"
    )


def test_key_pair_has_no_instance_dict(key_pair: KeyPair) -> None:
    assert not hasattr(key_pair, "__dict__")


def test_copy_keeps_the_key(key_pair: KeyPair) -> None:
    assert copy.copy(key_pair) == key_pair


def test_typo_in_secret_multikey_is_not_echoed() -> None:
    secret = FIXED[KeyType.ED25519].export_multikey(private=True)
    typo = secret[:-2] + "0" + secret[-1]
    with pytest.raises(InvalidPublicKeyError) as caught:
        import_key(typo)
    message = str(caught.value)
    assert typo not in message
    assert secret[1:20] not in message
    cause = caught.value.__cause__
    assert cause is not None
    assert secret[1:20] not in str(cause)


def test_mismatched_private_jwk_error_hides_d() -> None:
    pair = FIXED[KeyType.P256]
    jwk = pair.export_jwk(private=True)
    jwk["d"] = FIXED[KeyType.SECP256K1].export_jwk(private=True)["d"]
    with pytest.raises(InvalidSecretKeyError) as caught:
        import_key(jwk)
    assert str(jwk["d"]) not in str(caught.value)


# --- LocalSigner ----------------------------------------------------------------------


def test_local_signer(signing_key: KeyPair) -> None:
    signer = LocalSigner(signing_key, "did:example:123#key-1")
    assert isinstance(signer, Signer)
    assert signer.key_id == "did:example:123#key-1"
    assert signer.algorithm == ALGORITHMS[signing_key.key_type]
    assert signer.key is signing_key
    signature = signer.sign(b"data")
    signing_key.public_key.verify(b"data", signature)
    assert repr(signer) == (
        f"LocalSigner(key_id='did:example:123#key-1', algorithm={signer.algorithm!r})"
    )


def test_local_signer_refuses_x25519() -> None:
    with pytest.raises(UnsupportedAlgorithmError):
        LocalSigner(FIXED[KeyType.X25519], "did:example:123#key-agreement")


def test_public_keys_and_pairs_are_verifiers(key_pair: KeyPair) -> None:
    assert isinstance(key_pair.public_key, PublicKey)
    if key_pair.algorithm is not None:
        assert isinstance(key_pair.public_key, SignatureVerifier)


def test_ed25519_signatures_are_deterministic() -> None:
    pair = FIXED[KeyType.ED25519]
    assert pair.sign(b"m") == pair.sign(b"m")
    assert len(pair.sign(b"m")) == 64


@pytest.mark.parametrize("key_type", [KeyType.P384, KeyType.P521], ids=str)
def test_nist_identity_and_off_curve_points_are_refused(key_type: KeyType) -> None:
    """The identity (SEC 1 encodes it as one zero byte) and points off the
    curve never become keys, so ECDH never runs on them (invalid-curve
    attacks); these curves have cofactor 1, so they have no other small-order
    points."""
    public_class = _ec(key_type).public_class
    size = public_class.coordinate_bytes
    with pytest.raises(InvalidPublicKeyLengthError):
        public_class(b"\x00")
    with pytest.raises(InvalidPublicKeyError):
        public_class(b"\x00" + bytes(2 * size))
    x, y = _ec(key_type).public_key.coordinates()
    off = y[:-1] + bytes([y[-1] ^ 1])
    with pytest.raises(InvalidPublicKeyError):
        public_class.from_coordinates(x, off)
    with pytest.raises(InvalidPublicKeyError):
        public_class.from_coordinates(bytes(size), bytes(size))
