"""The CID text encoder against the standard library's base32."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from ssi.cid import JSON_CODEC, RAW_CODEC, ContentID, parse_cid


def _reference(prefix: bytes, digest: bytes) -> str:
    return "b" + base64.b32encode(prefix + digest).decode("ascii").rstrip("=").lower()


@given(st.binary(min_size=32, max_size=32))
def test_object_and_blob_cids_are_rfc4648_base32_lower(digest):
    json_text = str(ContentID(JSON_CODEC, digest))
    raw_text = str(ContentID(RAW_CODEC, digest))
    assert json_text == _reference(bytes([1, 0x80, 0x04, 0x12, 0x20]), digest)
    assert raw_text == _reference(bytes([1, 0x55, 0x12, 0x20]), digest)
    assert parse_cid(json_text) == ContentID(JSON_CODEC, digest)
    assert parse_cid(raw_text) == ContentID(RAW_CODEC, digest)
