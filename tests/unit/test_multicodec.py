"""Multicodec key prefixes: wrap, unwrap, and refusal of other or malformed codes."""

from __future__ import annotations

import pytest
from multiformats import multicodec

from ssi.errors import EncodingError, UnsupportedPublicKeyTypeError
from ssi.multicodec import KEY_CODECS, unwrap_key, wrap

# Varint headers of the key codecs, as CID 1.0 section "Multikey" states them
# (for the four it names) and the multicodec table gives the code (P-384
# 0x1201 / 0x1307, P-521 0x1202 / 0x1308).
HEADERS = {
    "ed25519-pub": "ed01",
    "x25519-pub": "ec01",
    "p256-pub": "8024",
    "p384-pub": "8124",
    "p521-pub": "8224",
    "secp256k1-pub": "e701",
    "ed25519-priv": "8026",
    "x25519-priv": "8226",
    "p256-priv": "8626",
    "p384-priv": "8726",
    "p521-priv": "8826",
    "secp256k1-priv": "8126",
}


def test_key_codecs_agree_with_the_multicodec_table() -> None:
    assert set(KEY_CODECS) == set(HEADERS)
    for name, code in KEY_CODECS.items():
        assert multicodec.get(name).code == code


@pytest.mark.parametrize("name", sorted(KEY_CODECS))
def test_wrap_writes_the_varint_header(name: str) -> None:
    wrapped = wrap(name, b"\x01\x02")
    assert wrapped.hex() == HEADERS[name] + "0102"


@pytest.mark.parametrize("name", sorted(KEY_CODECS))
def test_unwrap_key_round_trips(name: str) -> None:
    payload = bytes(range(33))
    assert unwrap_key(wrap(name, payload)) == (name, payload)
    assert unwrap_key(wrap(name, b"")) == (name, b"")


def test_unwrap_key_returns_bytes() -> None:
    codec, payload = unwrap_key(wrap("ed25519-pub", b"\x07"))
    assert codec == "ed25519-pub"
    assert type(payload) is bytes


@pytest.mark.parametrize(
    "name", ["sha2-256", "raw", "ed448-pub", "rsa-pub", "bls12_381-g2-pub"]
)
def test_wrap_refuses_codecs_we_do_not_write(name: str) -> None:
    with pytest.raises(ValueError, match="not one this library writes"):
        wrap(name, b"\x00")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(bytes.fromhex("1220") + bytes(32), id="sha2-256"),
        pytest.param(bytes.fromhex("55") + b"raw", id="raw"),
        pytest.param(bytes.fromhex("8324") + bytes(57), id="ed448-pub"),
        pytest.param(bytes.fromhex("8524") + bytes(10), id="rsa-pub"),
        pytest.param(bytes.fromhex("eb01") + bytes(96), id="bls12_381-g2-pub"),
        pytest.param(bytes.fromhex("00") + bytes(32), id="identity"),
    ],
)
def test_unwrap_key_refuses_known_non_key_or_unsupported_codecs(data: bytes) -> None:
    with pytest.raises(UnsupportedPublicKeyTypeError) as caught:
        unwrap_key(data)
    assert caught.value.code == "unsupportedPublicKeyType"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(bytes.fromhex("7f") + bytes(32), id="0x7f"),
        pytest.param(bytes.fromhex("3f"), id="0x3f"),
        pytest.param(bytes.fromhex("efdd03") + bytes(32), id="0xbeef"),
    ],
)
def test_unwrap_key_refuses_unassigned_codes(data: bytes) -> None:
    with pytest.raises(UnsupportedPublicKeyTypeError):
        unwrap_key(data)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff", id="truncated"),
        pytest.param(b"\x80", id="continuation-only"),
        pytest.param(b"\xed\x81\x00" + bytes(32), id="non-minimal-ed25519"),
        pytest.param(b"\x80\x00", id="non-minimal-zero"),
        pytest.param(b"\xff" * 10 + b"\x01", id="too-long"),
    ],
)
def test_unwrap_key_refuses_malformed_varints(data: bytes) -> None:
    with pytest.raises(EncodingError) as caught:
        unwrap_key(data)
    assert type(caught.value) is EncodingError
