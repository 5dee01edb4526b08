"""base64url, base58btc and multibase: strict decoding, EncodingError on bad input."""

from __future__ import annotations

from typing import Any

import pytest

from ssi.encoding import (
    MAX_BASE58_LENGTH,
    MAX_ENCODED_LENGTH,
    decode_base58btc,
    decode_base64url,
    decode_multibase,
    encode_base58btc,
    encode_base64url,
    encode_multibase,
)
from ssi.errors import EncodingError, SSIError
from tests.vectors import load


def _base64url_known_answers() -> list[Any]:
    """Pairs (bytes, base64url) published in RFC 8037 Appendix A."""
    a1 = load.json_file("rfc8037", "a1-private-key.json")
    a4 = load.json_file("rfc8037", "a4-ed25519-signing.json")
    a6 = load.json_file("rfc8037", "a6-ecdh-es-x25519.json")
    pairs = [
        (bytes.fromhex(a1["d_hex"]), a1["jwk"]["d"], "A.1 d"),
        (bytes.fromhex(a1["x_hex"]), a1["jwk"]["x"], "A.1 x"),
        (a4["protected_header"].encode(), a4["protected_b64"], "A.4 header"),
        (a4["payload"].encode(), a4["payload_b64"], "A.4 payload"),
        (bytes.fromhex(a4["signature_hex"]), a4["signature_b64"], "A.4 signature"),
        (
            bytes.fromhex(a6["ephemeral_public_hex"]),
            a6["ephemeral_jwk"]["x"],
            "A.6 epk",
        ),
        (
            bytes.fromhex(a6["recipient_public_hex"]),
            a6["recipient_jwk"]["x"],
            "A.6 Bob",
        ),
    ]
    return [pytest.param(data, text, id=name) for data, text, name in pairs]


def _base58_known_answers() -> list[Any]:
    """Pairs (bytes, base58btc): did:key publicKeyBase58 against the Multikey."""
    vectors = load.json_file("multikey", "did-key-secp256k1.json")
    params = []
    for did, entry in vectors.items():
        payload = decode_base58btc(did.removeprefix("did:key:z"))
        params.append(
            pytest.param(
                payload[2:],
                entry["verificationKeyPair"]["publicKeyBase58"],
                id=did[8:20],
            )
        )
    return params


# --- base64url --------------------------------------------------------------------


@pytest.mark.parametrize(("data", "text"), _base64url_known_answers())
def test_base64url_known_answers(data: bytes, text: str) -> None:
    assert encode_base64url(data) == text
    assert decode_base64url(text) == data


@pytest.mark.parametrize("length", range(10))
def test_base64url_round_trips_each_length(length: int) -> None:
    data = bytes(range(250, 250 - length, -1))
    text = encode_base64url(data)
    assert "=" not in text
    assert decode_base64url(text) == data


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Zg==", id="two-pad"),
        pytest.param("Zg=", id="one-pad"),
        pytest.param("Zm8=", id="pad-after-three"),
        pytest.param("Zm9v=", id="pad-after-full-group"),
        pytest.param("=", id="only-pad"),
    ],
)
def test_base64url_refuses_padding(text: str) -> None:
    with pytest.raises(EncodingError):
        decode_base64url(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Zh", id="one-byte"),
        pytest.param("Zm9", id="two-bytes"),
        pytest.param("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURp", id="32-bytes"),
        pytest.param("AB", id="zero-byte-with-bits"),
    ],
)
def test_base64url_refuses_non_canonical_trailing_bits(text: str) -> None:
    with pytest.raises(EncodingError, match="canonical"):
        decode_base64url(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("A", id="length-1"),
        pytest.param("AAAAA", id="length-5"),
        pytest.param("Zm9v+A", id="plus"),
        pytest.param("Zm9v/A", id="slash"),
        pytest.param("Zm9v YmFy", id="inner-space"),
        pytest.param("Zm9v\n", id="newline"),
        pytest.param(" Zm9v", id="leading-space"),
        pytest.param("Zm9vé", id="non-ascii"),
        pytest.param("Zm9v\u0663", id="arabic-indic-digit"),
        pytest.param("Zm9v\x00", id="nul"),
        pytest.param("Zm.9v", id="dot"),
    ],
)
def test_base64url_refuses_other_characters(text: str) -> None:
    with pytest.raises(EncodingError):
        decode_base64url(text)


def test_base64url_empty_is_empty() -> None:
    assert decode_base64url("") == b""
    assert encode_base64url(b"") == ""


@pytest.mark.parametrize("value", [b"Zm9v", None, 42, ["Zm9v"]])
def test_base64url_refuses_non_strings(value: Any) -> None:
    with pytest.raises(EncodingError, match="must be a string"):
        decode_base64url(value)


def test_base64url_refuses_huge_input() -> None:
    with pytest.raises(EncodingError, match="longer than"):
        decode_base64url("A" * (MAX_ENCODED_LENGTH + 4))


def test_base64url_accepts_up_to_the_limit() -> None:
    assert (
        len(decode_base64url("A" * MAX_ENCODED_LENGTH)) == MAX_ENCODED_LENGTH // 4 * 3
    )


# --- base58btc --------------------------------------------------------------------


@pytest.mark.parametrize(("data", "text"), _base58_known_answers())
def test_base58btc_known_answers(data: bytes, text: str) -> None:
    assert encode_base58btc(data) == text
    assert decode_base58btc(text) == data


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param(b"", "", id="empty"),
        pytest.param(b"\x00", "1", id="one-zero"),
        pytest.param(b"\x00\x00\x00", "111", id="three-zeros"),
        pytest.param(b"\x00\x01", "12", id="zero-then-one"),
        pytest.param(b"\x39", "z", id="57"),
        pytest.param(b"\x3a", "21", id="58"),
    ],
)
def test_base58btc_edges(data: bytes, text: str) -> None:
    """Leading zero bytes become '1's; 57 is the last digit, 58 needs two."""
    assert encode_base58btc(data) == text
    assert decode_base58btc(text) == data


@pytest.mark.parametrize("char", ["0", "O", "I", "l", "+", "/", " ", "\n", "é", "\x00"])
def test_base58btc_refuses_characters_outside_the_alphabet(char: str) -> None:
    with pytest.raises(EncodingError, match="not valid base58btc"):
        decode_base58btc("2NEpo7TZR" + char)


@pytest.mark.parametrize("value", [b"2NEpo", None, 7])
def test_base58btc_refuses_non_strings(value: Any) -> None:
    with pytest.raises(EncodingError, match="must be a string"):
        decode_base58btc(value)


def test_base58btc_refuses_long_input_quickly() -> None:
    """Base58 decoding is quadratic; a long string fails before decoding."""
    with pytest.raises(EncodingError, match="longer than"):
        decode_base58btc("2" * (MAX_BASE58_LENGTH + 1))
    with pytest.raises(EncodingError, match="longer than"):
        decode_multibase("z" + "2" * (MAX_BASE58_LENGTH + 1))
    with pytest.raises(EncodingError, match="longer than"):
        decode_multibase("z" + "2" * MAX_ENCODED_LENGTH)


def test_base58btc_accepts_up_to_the_limit() -> None:
    assert decode_base58btc("1" * MAX_BASE58_LENGTH) == bytes(MAX_BASE58_LENGTH)


# --- multibase --------------------------------------------------------------------


def test_multibase_encodes_base58btc_by_default() -> None:
    assert encode_multibase(b"\x00\x01") == "z12"
    assert encode_multibase(b"\x00\x01", "base58btc") == "z12"


def test_multibase_encodes_base64url() -> None:
    assert encode_multibase(b"foo", "base64url") == "uZm9v"
    assert encode_multibase(b"f", "base64url") == "uZg"


def test_multibase_decodes_base58btc_by_default() -> None:
    assert decode_multibase("z12") == b"\x00\x01"


def test_multibase_refuses_base64url_unless_allowed() -> None:
    with pytest.raises(EncodingError, match="'u'"):
        decode_multibase("uZm9v")
    assert decode_multibase("uZm9v", allowed=("base64url",)) == b"foo"
    assert decode_multibase("uZm9v", allowed=("base58btc", "base64url")) == b"foo"


def test_multibase_refuses_base58btc_when_only_base64url_is_allowed() -> None:
    with pytest.raises(EncodingError, match="'z'"):
        decode_multibase("z12", allowed=("base64url",))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("f0001", id="base16"),
        pytest.param("F0001", id="base16upper"),
        pytest.param("mAAE", id="base64"),
        pytest.param("MAAE=", id="base64pad"),
        pytest.param("bAAAQ", id="base32"),
        pytest.param("Q12", id="unassigned"),
        pytest.param("Z12", id="base58flickr"),
        pytest.param("U12", id="uppercase-u"),
        pytest.param("112", id="digit"),
        pytest.param(" z12", id="leading-space"),
    ],
)
def test_multibase_refuses_other_prefixes(text: str) -> None:
    with pytest.raises(EncodingError, match="prefix"):
        decode_multibase(text, allowed=("base58btc", "base64url"))


def test_multibase_refuses_empty_text() -> None:
    with pytest.raises(EncodingError, match="empty"):
        decode_multibase("")


def test_multibase_header_only_is_empty_payload() -> None:
    assert decode_multibase("z") == b""
    assert decode_multibase("u", allowed=("base64url",)) == b""


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("uZg==", id="padded"),
        pytest.param("uZh", id="non-canonical"),
        pytest.param("uZm9v+", id="standard-alphabet"),
    ],
)
def test_multibase_base64url_is_strict(text: str) -> None:
    with pytest.raises(EncodingError):
        decode_multibase(text, allowed=("base64url",))


@pytest.mark.parametrize("text", ["z0", "zO", "zIl", "z12 ", "z\t"])
def test_multibase_base58btc_is_strict(text: str) -> None:
    with pytest.raises(EncodingError):
        decode_multibase(text)


@pytest.mark.parametrize("value", [None, b"z12", 12, {"z": 1}])
def test_multibase_refuses_non_strings(value: Any) -> None:
    with pytest.raises(EncodingError, match="must be a string"):
        decode_multibase(value)


def test_encoding_error_is_an_ssi_error_with_a_code() -> None:
    with pytest.raises(SSIError) as caught:
        decode_multibase("f00")
    assert type(caught.value) is EncodingError
    assert caught.value.code == "invalidEncoding"
    assert caught.value.to_problem()["title"] == "Invalid encoding"


def test_error_message_names_the_prefix_not_the_value() -> None:
    secret_looking = "m" + "Q" * 60
    with pytest.raises(EncodingError) as caught:
        decode_multibase(secret_looking)
    assert "Q" * 10 not in str(caught.value)
