"""Property tests for the QR framing (no images): any payload under the cap
comes back from its parts in any order; a missing part or a part of another
payload is always caught.

Spec: docs/qr.md
"""

from __future__ import annotations

import hashlib
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.errors import QRCodeError, QRCodeTooLargeError
from ssi.qr import (
    HEADER_BYTES,
    MAX_CODES,
    MAX_COMPRESSED_BYTES,
    MAX_PART_BYTES,
    decode_parts,
    encode_parts,
    parse_part,
)

RUN = settings(max_examples=25, deadline=None)


def noise(size: int, seed: bytes) -> bytes:
    """Incompressible bytes (SHA-256 in counter mode), so parts are many."""
    blocks = (
        hashlib.sha256(seed + n.to_bytes(4, "big")).digest()
        for n in range(size // 32 + 1)
    )
    return b"".join(blocks)[:size]


def several_codes(most: int) -> st.SearchStrategy[bytes]:
    """Payloads that need 2 to ``most`` codes."""
    sizes = st.integers(MAX_PART_BYTES + 1, most * MAX_PART_BYTES)
    return st.builds(noise, sizes, st.binary(min_size=1, max_size=8))


payloads = st.one_of(
    st.binary(max_size=3 * MAX_PART_BYTES),
    st.text(max_size=20_000).map(str.encode),
    st.binary(min_size=MAX_COMPRESSED_BYTES - 64, max_size=MAX_COMPRESSED_BYTES + 64),
)


@RUN
@given(payloads, st.randoms(use_true_random=False))
def test_parts_in_any_order_give_back_the_payload(payload: bytes, rng) -> None:
    if min(len(zlib.compress(payload, 9)), len(payload)) > MAX_COMPRESSED_BYTES:
        with pytest.raises(QRCodeTooLargeError):
            encode_parts(payload)
        return
    parts = list(encode_parts(payload))
    assert 1 <= len(parts) <= MAX_CODES
    assert all(len(p) <= HEADER_BYTES + MAX_PART_BYTES for p in parts)
    assert {parse_part(p).count for p in parts} == {len(parts)}
    rng.shuffle(parts)
    assert decode_parts(parts) == payload


@RUN
@given(several_codes(4), st.data())
def test_a_missing_part_is_always_caught(payload: bytes, data) -> None:
    parts = list(encode_parts(payload))
    assert len(parts) >= 2
    dropped = data.draw(st.integers(0, len(parts) - 1))
    del parts[dropped]
    with pytest.raises(QRCodeError) as error:
        decode_parts(parts)
    assert error.value.code == "qrPartMissing"


@RUN
@given(several_codes(3), st.binary(min_size=1, max_size=3 * MAX_PART_BYTES), st.data())
def test_a_part_of_another_payload_is_always_caught(
    ours: bytes, theirs: bytes, data
) -> None:
    if ours == theirs:
        return
    parts = list(encode_parts(ours))
    foreign = encode_parts(theirs)
    parts[data.draw(st.integers(0, len(parts) - 1))] = data.draw(
        st.sampled_from(foreign)
    )
    with pytest.raises(QRCodeError) as error:
        decode_parts(parts)
    assert error.value.code == "qrPartForeign"
