"""Property tests for base64url, base58btc, multibase and multicodec."""

from __future__ import annotations

import re

import base58
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.encoding import (
    decode_base58btc,
    decode_base64url,
    decode_multibase,
    encode_base58btc,
    encode_base64url,
    encode_multibase,
)
from ssi.errors import EncodingError, SSIError
from ssi.multicodec import KEY_CODECS, unwrap_key, wrap

RUN = settings(max_examples=200, deadline=None)
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@RUN
@given(st.binary(max_size=300))
def test_base64url_round_trips(data: bytes) -> None:
    text = encode_base64url(data)
    assert _BASE64URL.fullmatch(text)
    assert len(text) % 4 != 1
    assert decode_base64url(text) == data


@RUN
@given(st.binary(max_size=120))
def test_base58btc_round_trips(data: bytes) -> None:
    text = encode_base58btc(data)
    assert set(text) <= set(_BASE58)
    assert decode_base58btc(text) == data
    leading_zeros = len(data) - len(data.lstrip(b"\x00"))
    assert text.startswith("1" * leading_zeros)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=_BASE58, max_size=200))
def test_base58btc_decoder_agrees_with_the_base58_package(text: str) -> None:
    # The decoder reads two digits per step (odd and even lengths, leading
    # '1's); the reference reads one at a time.
    assert decode_base58btc(text) == base58.b58decode(text)
    assert decode_multibase("z" + text) == base58.b58decode(text)


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=120))
def test_base58btc_encoder_agrees_with_the_base58_package(data: bytes) -> None:
    assert encode_base58btc(data) == base58.b58encode(data).decode("ascii")
    assert encode_base58btc(b"\0\0" + data) == base58.b58encode(b"\0\0" + data).decode()


@RUN
@given(st.binary(max_size=120), st.sampled_from(["base58btc", "base64url"]))
def test_multibase_round_trips(data: bytes, base: str) -> None:
    text = encode_multibase(data, base)  # type: ignore[arg-type]
    assert text[0] == {"base58btc": "z", "base64url": "u"}[base]
    assert decode_multibase(text, allowed=("base58btc", "base64url")) == data


@RUN
@given(st.text(max_size=200))
def test_decode_base64url_is_canonical_or_refuses(text: str) -> None:
    try:
        data = decode_base64url(text)
    except EncodingError:
        return
    assert encode_base64url(data) == text


@RUN
@given(st.one_of(st.text(max_size=100), st.text(alphabet=_BASE58, max_size=100)))
def test_decode_base58btc_is_canonical_or_refuses(text: str) -> None:
    try:
        data = decode_base58btc(text)
    except EncodingError:
        return
    assert encode_base58btc(data) == text


@RUN
@given(
    st.one_of(
        st.text(max_size=150),
        st.text(alphabet=_BASE58, max_size=100).map(lambda s: "z" + s),
        st.text(alphabet=_BASE58 + "0OIl+/=_-", max_size=100).map(lambda s: "u" + s),
        st.binary(max_size=30),
        st.none(),
        st.integers(),
    )
)
def test_decode_multibase_raises_only_encoding_errors(text: object) -> None:
    for allowed in (("base58btc",), ("base64url",), ("base58btc", "base64url")):
        try:
            data = decode_multibase(text, allowed=allowed)  # type: ignore[arg-type]
        except EncodingError:
            continue
        except SSIError as exc:  # pragma: no cover - the assertion explains
            raise AssertionError(f"expected EncodingError, got {exc!r}") from exc
        assert isinstance(text, str)
        base = "base58btc" if text[0] == "z" else "base64url"
        assert encode_multibase(data, base) == text  # type: ignore[arg-type]


@RUN
@given(st.sampled_from(sorted(KEY_CODECS)), st.binary(max_size=100))
def test_multicodec_round_trips(codec: str, payload: bytes) -> None:
    assert unwrap_key(wrap(codec, payload)) == (codec, payload)


@RUN
@given(st.binary(max_size=12))
def test_unwrap_key_raises_only_ssi_errors(data: bytes) -> None:
    try:
        codec, payload = unwrap_key(data)
    except SSIError:
        return
    assert codec in KEY_CODECS
    assert wrap(codec, payload) == data


def _unwrap_reference(data: bytes) -> tuple[str, bytes] | type[SSIError]:
    """What ``multiformats`` alone makes of ``data`` (the pre-table path)."""
    from multiformats import multicodec

    try:
        codec, payload = multicodec.unwrap(data)
    except (KeyError, ValueError):
        return SSIError
    if KEY_CODECS.get(codec.name) != codec.code:
        return SSIError
    return codec.name, bytes(payload)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=40),
        st.tuples(st.sampled_from(sorted(KEY_CODECS)), st.binary(max_size=40)).map(
            lambda pair: wrap(pair[0], pair[1])
        ),
    )
)
def test_unwrap_key_agrees_with_multiformats(data: bytes) -> None:
    expected = _unwrap_reference(data)
    try:
        found: tuple[str, bytes] | type[SSIError] = unwrap_key(data)
    except SSIError:
        found = SSIError
    assert found == expected


def test_wrap_agrees_with_multiformats() -> None:
    from multiformats import multicodec

    for codec in KEY_CODECS:
        assert wrap(codec, b"key") == bytes(multicodec.wrap(codec, b"key"))
