"""Property tests for keys: encodings round-trip, signatures hold and break.

Keys are built from secrets that hypothesis draws, so every failure shrinks
and replays; one test also uses ``generate_key`` to cover fresh keys.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.encoding import encode_base64url, encode_multibase
from ssi.errors import InvalidSignatureError, SSIError
from ssi.keys import (
    Ed25519KeyPair,
    KeyPair,
    KeyType,
    P256KeyPair,
    P256PublicKey,
    Secp256k1KeyPair,
    Secp256k1PublicKey,
    X25519KeyPair,
    decode_jwk,
    decode_multikey,
    decode_public_jwk,
    decode_public_multikey,
    generate_key,
    import_key,
)
from ssi.multicodec import KEY_CODECS, wrap

FAST = settings(max_examples=40, deadline=None)
FUZZ = settings(max_examples=150, deadline=None)


def _ec_scalar(order: int) -> st.SearchStrategy[bytes]:
    return st.integers(min_value=1, max_value=order - 1).map(
        lambda n: n.to_bytes(32, "big")
    )


_SEED = st.binary(min_size=32, max_size=32)

SIGNING_KEY_PAIRS: st.SearchStrategy[KeyPair] = st.one_of(
    _SEED.map(Ed25519KeyPair.from_seed),
    _ec_scalar(P256PublicKey.order).map(P256KeyPair.from_private_bytes),
    _ec_scalar(Secp256k1PublicKey.order).map(Secp256k1KeyPair.from_private_bytes),
)
KEY_PAIRS: st.SearchStrategy[KeyPair] = st.one_of(
    SIGNING_KEY_PAIRS, _SEED.map(X25519KeyPair.from_private_bytes)
)
MESSAGES = st.binary(max_size=256)


# --- encodings round-trip ---------------------------------------------------------


@FAST
@given(KEY_PAIRS)
def test_public_multikey_round_trips(pair: KeyPair) -> None:
    text = pair.export_multikey()
    public = decode_public_multikey(text)
    assert public == pair.public_key
    assert public.export_multikey() == text


@FAST
@given(KEY_PAIRS)
def test_secret_multikey_round_trips(pair: KeyPair) -> None:
    text = pair.export_multikey(private=True)
    again = decode_multikey(text)
    assert again == pair
    assert isinstance(again, KeyPair)
    assert again.export_multikey(private=True) == text


@FAST
@given(KEY_PAIRS)
def test_public_jwk_round_trips(pair: KeyPair) -> None:
    jwk = pair.export_jwk()
    public = decode_public_jwk(jwk)
    assert public == pair.public_key
    assert public.export_jwk() == jwk
    assert public.jwk_thumbprint() == pair.public_key.jwk_thumbprint()


@FAST
@given(KEY_PAIRS)
def test_private_jwk_round_trips(pair: KeyPair) -> None:
    jwk = pair.export_jwk(private=True)
    again = decode_jwk(jwk)
    assert again == pair
    assert isinstance(again, KeyPair)
    assert again.export_jwk(private=True) == jwk


@settings(max_examples=8, deadline=None)
@given(st.sampled_from(list(KeyType)))
def test_generated_keys_round_trip_every_encoding(key_type: KeyType) -> None:
    pair = generate_key(key_type)
    assert import_key(pair.export_multikey()) == pair.public_key
    assert import_key(pair.export_multikey(private=True)) == pair
    assert import_key(pair.export_jwk()) == pair.public_key
    assert import_key(pair.export_jwk(private=True)) == pair


@FAST
@given(KEY_PAIRS)
def test_repr_never_contains_the_secret(pair: KeyPair) -> None:
    jwk_d = pair.export_jwk(private=True)["d"]
    assert isinstance(jwk_d, str)
    text = repr(pair)
    assert jwk_d not in text
    assert pair.export_multikey(private=True) not in text
    assert pair._secret_bytes().hex() not in text


# --- signatures -----------------------------------------------------------------------


@FAST
@given(SIGNING_KEY_PAIRS, MESSAGES)
def test_sign_then_verify(pair: KeyPair, message: bytes) -> None:
    signature = pair.sign(message)
    assert len(signature) == 64
    pair.public_key.verify(message, signature)
    decode_public_multikey(pair.export_multikey()).verify(message, signature)


@FAST
@given(SIGNING_KEY_PAIRS, MESSAGES, st.data())
def test_flipping_a_signature_bit_fails(
    pair: KeyPair, message: bytes, data: st.DataObject
) -> None:
    signature = bytearray(pair.sign(message))
    bit = data.draw(st.integers(min_value=0, max_value=len(signature) * 8 - 1))
    signature[bit // 8] ^= 1 << (bit % 8)
    try:
        pair.public_key.verify(message, bytes(signature))
    except InvalidSignatureError:
        return
    raise AssertionError(f"signature with bit {bit} flipped still verifies")


@FAST
@given(SIGNING_KEY_PAIRS, MESSAGES.filter(bool), st.data())
def test_flipping_a_message_bit_fails(
    pair: KeyPair, message: bytes, data: st.DataObject
) -> None:
    signature = pair.sign(message)
    bit = data.draw(st.integers(min_value=0, max_value=len(message) * 8 - 1))
    tampered = bytearray(message)
    tampered[bit // 8] ^= 1 << (bit % 8)
    try:
        pair.public_key.verify(bytes(tampered), signature)
    except InvalidSignatureError:
        return
    raise AssertionError(f"message with bit {bit} flipped still verifies")


@FAST
@given(SIGNING_KEY_PAIRS, MESSAGES, st.binary(max_size=80))
def test_arbitrary_signature_bytes_raise_only_invalid_signature(
    pair: KeyPair, message: bytes, signature: bytes
) -> None:
    try:
        pair.public_key.verify(message, signature)
    except InvalidSignatureError:
        return
    raise AssertionError("random bytes verified as a signature")


@settings(max_examples=20, deadline=None)
@given(_ec_scalar(Secp256k1PublicKey.order), MESSAGES)
def test_secp256k1_signatures_are_low_s(secret: bytes, message: bytes) -> None:
    pair = Secp256k1KeyPair.from_private_bytes(secret)
    s = int.from_bytes(pair.sign(message)[32:], "big")
    assert 0 < s <= Secp256k1PublicKey.order // 2


# --- untrusted input never raises a foreign exception ---------------------------------

_JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
_JSON = st.recursive(
    _JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=12,
)
_B64URL_TEXT = st.one_of(
    st.binary(max_size=70).map(encode_base64url),
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ ",
        max_size=90,
    ),
)
_JWK_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "kty": st.one_of(
            st.sampled_from(["OKP", "EC", "RSA", "oct", "okp", ""]), _JSON
        ),
        "crv": st.one_of(
            st.sampled_from(
                ["Ed25519", "X25519", "P-256", "secp256k1", "P-384", "P-521", "Ed448"]
            ),
            _JSON,
        ),
        "x": st.one_of(_B64URL_TEXT, _JSON),
        "y": st.one_of(_B64URL_TEXT, _JSON),
        "d": st.one_of(_B64URL_TEXT, _JSON),
        "kid": _JSON,
    },
)
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_MULTIKEY_LIKE = st.one_of(
    st.text(max_size=120),
    st.text(alphabet=_BASE58, max_size=120).map(lambda s: "z" + s),
    st.tuples(st.sampled_from(sorted(KEY_CODECS)), st.binary(max_size=70)).map(
        lambda pair: encode_multibase(wrap(*pair))
    ),
    st.binary(max_size=80).map(encode_multibase),
)


def _import_only_raises_ssi_errors(value: Any) -> None:
    try:
        import_key(value)
    except SSIError:
        pass


@FUZZ
@given(_MULTIKEY_LIKE)
def test_import_key_on_arbitrary_text_raises_only_ssi_errors(text: str) -> None:
    _import_only_raises_ssi_errors(text)


@FUZZ
@given(_JWK_LIKE)
def test_import_key_on_jwk_like_dicts_raises_only_ssi_errors(
    jwk: dict[str, Any],
) -> None:
    _import_only_raises_ssi_errors(jwk)


@FUZZ
@given(_JSON)
def test_import_key_on_arbitrary_json_raises_only_ssi_errors(value: Any) -> None:
    _import_only_raises_ssi_errors(value)


@FAST
@given(KEY_PAIRS, st.sampled_from(["x", "y", "d", "crv", "kty"]), _JSON)
def test_corrupting_one_jwk_member_raises_only_ssi_errors(
    pair: KeyPair, member: str, value: Any
) -> None:
    jwk = pair.export_jwk(private=True)
    jwk[member] = value
    _import_only_raises_ssi_errors(jwk)
