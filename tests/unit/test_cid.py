"""Content identifiers: ssi.cid agrees with an independent implementation
written here (JCS from ``rfc8785``, ``hashlib.sha256``, a hand-written varint
and base32), with the worked examples of docs/objects.md, and refuses every
CID that is not a base32 lower CIDv1 over sha2-256 with the json or raw codec.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from multiformats import CID, multihash

from ssi.cid import (
    JSON_CODEC,
    RAW_CODEC,
    ContentID,
    blob_cid,
    is_cid,
    object_cid,
    parse_cid,
)
from ssi.errors import InvalidCIDError
from tests.vectors import load

DOC = Path(__file__).resolve().parents[2] / "docs" / "objects.md"
WORKED = load.json_file("cid", "worked-example.json")
BLOB = load.json_file("cid", "blob-example.json")

# --- An independent implementation ---------------------------------------------

_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648 section 6, lower case


def base32_lower(data: bytes) -> str:
    """RFC 4648 base32, lower case, no padding: 5 bits per letter."""
    bits = "".join(f"{byte:08b}" for byte in data)
    bits += "0" * (-len(bits) % 5)
    return "".join(_ALPHABET[int(bits[i : i + 5], 2)] for i in range(0, len(bits), 5))


def varint(number: int) -> bytes:
    """Unsigned LEB128, as multiformats' unsigned-varint."""
    out = bytearray()
    while True:
        low, number = number & 0x7F, number >> 7
        out.append(low | (0x80 if number else 0))
        if not number:
            return bytes(out)


def reference_cid(codec: int, data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    binary = b"\x01" + varint(codec) + b"\x12\x20" + digest
    return "b" + base32_lower(binary)


def reference_cid_of_digest(codec: int, digest: bytes) -> str:
    return "b" + base32_lower(b"\x01" + varint(codec) + b"\x12\x20" + digest)


def reference_object_cid(value) -> str:
    return reference_cid(0x0200, rfc8785.dumps(value))


SAMPLES = [
    {},
    [],
    "text",
    0,
    {"a": 1},
    load.json_file("rfc8785", "sample-input.json"),
    {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "Post"],
        "issuer": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "credentialSubject": {"content": "héllo \u2028 🌍", "tags": ["a", "b"]},
        "proof": {"proofValue": "z3FXQ", "created": "2025-01-01T00:00:00Z"},
    },
    {"numbers": [1e21, 1e-7, -0.0, 333333333.3333333, 2**53 - 1]},
]


# --- Agreement ------------------------------------------------------------------


def test_the_hand_written_base32_agrees_with_rfc4648_vectors():
    # RFC 4648 section 10, lower-cased and without padding.
    for plain, encoded in [
        (b"", ""),
        (b"f", "my"),
        (b"fo", "mzxq"),
        (b"foo", "mzxw6"),
        (b"foob", "mzxw6yq"),
        (b"fooba", "mzxw6ytb"),
        (b"foobar", "mzxw6ytboi"),
    ]:
        assert base32_lower(plain) == encoded


@pytest.mark.parametrize("sample", SAMPLES, ids=range(len(SAMPLES)))
def test_object_cids_agree_with_the_independent_implementation(sample):
    cid = object_cid(sample)
    assert cid == reference_object_cid(sample)
    assert len(cid) == 61
    parsed = parse_cid(cid)
    assert parsed == ContentID(
        codec=JSON_CODEC, digest=hashlib.sha256(rfc8785.dumps(sample)).digest()
    )
    assert parsed.codec_name == "json"
    assert str(parsed) == cid


@pytest.mark.parametrize("blob", [b"", b"\x00", b"hello\n", bytes(range(256)) * 9])
def test_blob_cids_agree_with_the_independent_implementation(blob):
    cid = blob_cid(blob)
    assert cid == reference_cid(0x55, blob)
    assert cid.startswith("bafkrei")
    assert len(cid) == 59
    parsed = parse_cid(cid, codec=RAW_CODEC)
    assert parsed.codec_name == "raw"
    assert parsed.digest == hashlib.sha256(blob).digest()
    assert blob_cid(bytearray(blob)) == blob_cid(memoryview(blob)) == cid


def test_a_blob_cid_and_an_object_cid_of_the_same_bytes_differ():
    data = rfc8785.dumps({"a": 1})
    assert blob_cid(data) != object_cid({"a": 1})
    assert parse_cid(blob_cid(data)).digest == parse_cid(object_cid({"a": 1})).digest


def test_the_codec_can_be_required():
    assert is_cid(blob_cid(b"x"), codec=RAW_CODEC)
    assert not is_cid(blob_cid(b"x"), codec=JSON_CODEC)
    assert not is_cid(object_cid({}), codec=RAW_CODEC)
    with pytest.raises(InvalidCIDError, match="not raw"):
        parse_cid(object_cid({}), codec=RAW_CODEC)


def test_multiformats_reads_our_cids_the_same_way():
    cid = CID.decode(object_cid(SAMPLES[5]))
    assert (cid.version, cid.codec.name, cid.hashfun.name) == (1, "json", "sha2-256")
    assert bytes(cid.raw_digest) == hashlib.sha256(rfc8785.dumps(SAMPLES[5])).digest()


def test_blob_cid_takes_bytes_only():
    with pytest.raises(TypeError):
        blob_cid("text")  # type: ignore[arg-type]


# --- One object, one CID; another object, another CID ---------------------------


def test_whitespace_and_key_order_do_not_change_the_cid():
    first = '{"b": [1, 2],\n  "a": "agora"}'
    second = '{ "a" : "agora" , "b" : [ 1 , 2 ] }'
    third = '{"a":"agora","b":[1.0,2e0]}'
    cids = {object_cid(json.loads(text)) for text in (first, second, third)}
    assert cids == {WORKED["cid"]}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def _reordered(value):
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


@settings(max_examples=150, deadline=None)
@given(value=json_values, indent=st.sampled_from([None, 1, 4]))
def test_any_json_text_of_an_object_gives_its_cid(value, indent):
    text = json.dumps(_reordered(value), indent=indent, ensure_ascii=indent is None)
    assert object_cid(json.loads(text)) == object_cid(value)
    assert object_cid(value) == reference_object_cid(value)


@settings(max_examples=150, deadline=None)
@given(first=json_values, second=json_values)
def test_any_change_gives_another_cid(first, second):
    same = rfc8785.dumps(first) == rfc8785.dumps(second)
    assert (object_cid(first) == object_cid(second)) == same


@settings(max_examples=100, deadline=None)
@given(
    value=st.dictionaries(st.text(max_size=6), st.text(max_size=6), min_size=1),
    data=st.data(),
)
def test_changing_one_member_changes_the_cid(value, data):
    key = data.draw(st.sampled_from(sorted(value)))
    changed = dict(value)
    changed[key] = value[key] + data.draw(st.text(min_size=1, max_size=3))
    assert object_cid(changed) != object_cid(value)
    renamed = {k + ("_" if k == key else ""): v for k, v in value.items()}
    if renamed.keys() != value.keys():
        assert object_cid(renamed) != object_cid(value)


@settings(max_examples=100, deadline=None)
@given(blob=st.binary(max_size=64), flip=st.integers(min_value=0, max_value=511))
def test_flipping_a_bit_of_a_blob_changes_its_cid(blob, flip):
    if not blob:
        return
    index = (flip // 8) % len(blob)
    changed = bytearray(blob)
    changed[index] ^= 1 << (flip % 8)
    assert blob_cid(bytes(changed)) != blob_cid(blob)


# --- The worked examples of docs/objects.md -------------------------------------


def test_the_worked_example_recomputes_step_by_step():
    jcs = rfc8785.dumps(WORKED["object"])
    assert jcs.decode("utf-8") == WORKED["jcs"]
    digest = hashlib.sha256(jcs).digest()
    assert digest.hex() == WORKED["sha256"]
    binary = bytes.fromhex(WORKED["cid_bytes"].replace(" ", ""))
    assert binary == bytes([0x01, 0x80, 0x04, 0x12, 0x20]) + digest
    assert "b" + base32_lower(binary) == WORKED["cid"]
    assert object_cid(WORKED["object"]) == WORKED["cid"]


def test_the_blob_example_recomputes_step_by_step():
    blob = BLOB["blob_utf8"].encode("utf-8")
    assert hashlib.sha256(blob).hexdigest() == BLOB["sha256"]
    binary = bytes.fromhex(BLOB["cid_bytes"].replace(" ", ""))
    assert binary == bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(blob).digest()
    assert "b" + base32_lower(binary) == BLOB["cid"] == blob_cid(blob)


def _spaced_hex(hex_text: str) -> str:
    return " ".join(hex_text[i : i + 2] for i in range(0, len(hex_text), 2))


def test_docs_objects_md_shows_the_same_values():
    doc = DOC.read_text(encoding="utf-8")
    for value in (WORKED["jcs"], WORKED["sha256"], WORKED["cid"]):
        assert value in doc
    prefix, digest = WORKED["cid_bytes"].split(" ")
    assert _spaced_hex(prefix + digest) in " ".join(doc.split())
    for value in (BLOB["sha256"], BLOB["cid"]):
        assert value in doc


# --- What parse_cid refuses -----------------------------------------------------

_DIGEST = hashlib.sha256(b"agora").digest()


def _v1(base: str, codec: str = "json", hashfun: str = "sha2-256") -> str:
    if hashfun == "sha2-256":
        digest = multihash.get(hashfun).digest(b"agora")
    else:
        digest = multihash.digest(b"agora", hashfun)
    return str(CID(base, 1, codec, digest))


def _b32(binary: bytes) -> str:
    return "b" + base32_lower(binary)


_GOOD = _b32(b"\x01\x80\x04\x12\x20" + _DIGEST)

REFUSED = {
    "cidv0": "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n",
    "cidv0-as-base32": _b32(b"\x12\x20" + _DIGEST),
    "base58btc": _v1("base58btc"),
    "base64": _v1("base64"),
    "base16": _v1("base16"),
    "base32-upper": _v1("base32upper"),
    "uppercase-body": "b" + _GOOD[1:].upper(),
    "mixed-case": _GOOD[:10] + _GOOD[10:20].upper() + _GOOD[20:],
    "padding": _GOOD + "=" * (-len(_GOOD[1:]) % 8),
    "sha2-512": _v1("base32", hashfun="sha2-512"),
    "blake2b-256": _v1("base32", hashfun="blake2b-256"),
    "short-digest": _b32(b"\x01\x80\x04\x12\x10" + _DIGEST[:16]),
    "dag-cbor": _v1("base32", codec="dag-cbor"),
    "dag-pb": _v1("base32", codec="dag-pb"),
    "cidv2": _b32(b"\x02\x80\x04\x12\x20" + _DIGEST),
    "trailing-byte": _b32(b"\x01\x80\x04\x12\x20" + _DIGEST + b"\x00"),
    "truncated": _GOOD[:-4],
    "not-base32": _GOOD[:-1] + "1",
    "empty": "",
    "only-b": "b",
    "spaces": " " + _GOOD,
    "newline": _GOOD + "\n",
    "non-ascii": _GOOD[:-1] + "é",
    "huge": "b" + "a" * 1_000_000,
    "did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
}


def test_the_good_cid_used_below_parses():
    assert parse_cid(_GOOD).digest == _DIGEST


@pytest.mark.parametrize("text", list(REFUSED.values()), ids=list(REFUSED))
def test_parse_cid_refuses(text):
    with pytest.raises(InvalidCIDError) as caught:
        parse_cid(text)
    assert caught.value.code == "invalidCid"
    assert len(caught.value.detail) < 200
    assert not is_cid(text)


@pytest.mark.parametrize(
    "value", [None, 1, 1.5, True, b"bafy", ["b"], {"cid": _GOOD}], ids=repr
)
def test_parse_cid_refuses_what_is_not_a_string(value):
    with pytest.raises(InvalidCIDError, match="must be a string"):
        parse_cid(value)
    assert not is_cid(value)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=80).map(lambda t: "b" + t),
        st.text(alphabet=_ALPHABET, max_size=70).map(lambda t: "b" + t),
        st.binary(max_size=45).map(_b32),
    )
)
def test_parse_cid_either_parses_or_refuses_with_invalid_cid(text):
    try:
        parsed = parse_cid(text)
    except InvalidCIDError:
        assert not is_cid(text)
    else:
        assert str(parsed) == text
        decoded = CID.decode(text)
        assert (decoded.codec.code, bytes(decoded.raw_digest)) == (
            parsed.codec,
            parsed.digest,
        )


@settings(max_examples=200, deadline=None)
@given(digest=st.binary(min_size=32, max_size=32), codec=st.sampled_from([0x55, 0x200]))
def test_every_cid_we_write_parses_as_multiformats_reads_it(digest, codec):
    text = str(ContentID(codec=codec, digest=digest))
    assert text == reference_cid_of_digest(codec, digest)
    parsed = parse_cid(text)
    decoded = CID.decode(text)
    assert (parsed.codec, parsed.digest) == (codec, digest)
    assert (decoded.codec.code, bytes(decoded.raw_digest)) == (codec, digest)
    flipped = text[:-1] + ("a" if text[-1] != "a" else "b")
    if is_cid(flipped):
        assert parse_cid(flipped).digest != digest


def test_a_multihash_longer_than_its_function_is_not_a_cid():
    # CIDv1, codec json (0x0200), sha2-256 (0x12) declaring 33 bytes: the
    # general parser unwraps the digest lazily; found by the fast-path
    # property test with an all-zero digest.
    raw = bytes([0x01, 0x80, 0x04, 0x12, 0x21]) + bytes(33)
    text = "b" + base64.b32encode(raw).decode("ascii").lower().rstrip("=")
    with pytest.raises(InvalidCIDError):
        parse_cid(text)
    assert not is_cid(text)


@pytest.mark.parametrize("function", [0x1E, 0x1B])  # blake3, keccak-256
def test_a_hash_function_we_do_not_install_is_not_a_cid(function):
    # multiformats loads blake3 and keccak from packages that are not
    # installed, with an ImportError; found by the fast-path property test.
    raw = bytes([0x01, 0x80, 0x04, function, 0x20]) + bytes(32)
    text = "b" + base64.b32encode(raw).decode("ascii").lower().rstrip("=")
    with pytest.raises(InvalidCIDError):
        parse_cid(text)


def test_named_objects_skips_what_names_nothing():
    from ssi.cid import named_objects, object_cid

    good = {"a": 1}
    pool = [good, [1], "text", {"bad": float("nan")}, good]
    assert list(named_objects(pool)) == [
        (object_cid(good), good),
        (object_cid(good), good),
    ]
