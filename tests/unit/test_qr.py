"""QR transport: objects (a did:agora log, a credential, a post) survive
encode -> image -> decode byte for byte; the framing catches missing,
duplicated and foreign parts, corrupted images and payloads over the cap,
each with its code.

Spec: docs/qr.md
"""

from __future__ import annotations

import hashlib
import io
import json
import xml.etree.ElementTree as ET
import zlib
from datetime import UTC, datetime

import pytest
import segno
from PIL import Image

import ssi
from ssi.errors import QRCodeError, QRCodeTooLargeError
from ssi.qr import (
    HEADER_BYTES,
    MAX_CODES,
    MAX_COMPRESSED_BYTES,
    MAX_PART_BYTES,
    MAX_PAYLOAD_BYTES,
    MAX_QR_VERSION,
    QRPart,
    decode_images,
    decode_parts,
    encode_parts,
    parse_part,
    read_codes,
    render_codes,
)
from ssi.social import membership_credential, post_credential, read_post
from ssi.wallet import agora_log, create_agora_did, rotate_agora_did
from tests.unit.wallet.helpers import ISSUER_KEY, new_wallet


def noise(size: int, seed: bytes = b"qr") -> bytes:
    """Incompressible, deterministic bytes (SHA-256 in counter mode)."""
    blocks = (
        hashlib.sha256(seed + n.to_bytes(4, "big")).digest()
        for n in range(size // 32 + 1)
    )
    return b"".join(blocks)[:size]


@pytest.fixture(scope="module")
def agora_log_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A did:agora log of two entries (creation and a rotation), as JSON Lines
    written the way ``agora did log export`` writes it."""
    wallet = new_wallet(tmp_path_factory.mktemp("qr") / "home")
    create_agora_did(wallet, alias="ada")
    rotate_agora_did(wallet, "ada")
    entries = agora_log(wallet, "ada")
    assert len(entries) == 2
    text = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in entries)
    return text.encode("utf-8")


@pytest.fixture(scope="module")
def credential_bytes() -> bytes:
    """A signed membership credential, pretty-printed as the CLI writes it."""
    unsigned = membership_credential(
        "did:example:engines",
        "did:example:ada",
        community_name="Analytical Engines",
        credential_id="urn:uuid:00000000-0000-4000-8000-000000000001",
    )
    unsigned["issuer"] = ssi.did_key(ISSUER_KEY)
    signed = ssi.issue(unsigned, ssi.signer(ISSUER_KEY), created="2024-01-02T03:04:05Z")
    assert ssi.verify(signed).verified
    return (json.dumps(signed, indent=2, ensure_ascii=False) + "\n").encode()


@pytest.fixture(scope="module")
def post_bytes() -> bytes:
    """A signed post (with tags and a mention), as compact JSON."""
    author = ssi.did_key(ISSUER_KEY)
    unsigned = post_credential(
        author,
        "Notes on the **Analytical Engine**: it weaves algebraic patterns. \u00e9",
        media_type="text/markdown",
        language="en",
        tags=["engines", "history"],
        mentions=["did:example:charles"],
        published=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    signed = ssi.issue(unsigned, ssi.signer(ISSUER_KEY), created="2024-01-02T03:04:05Z")
    assert ssi.verify(signed).verified
    return json.dumps(signed, separators=(",", ":"), ensure_ascii=False).encode()


def qr_version(png: bytes) -> int:
    """The QR version of a code drawn at scale 4 with a border of 4."""
    with Image.open(io.BytesIO(png)) as image:
        modules = image.size[0] // 4 - 8
    return (modules - 17) // 4


# --- Round trips through images --------------------------------------------------


def test_a_did_agora_log_survives_png_byte_for_byte(agora_log_bytes):
    images = render_codes(agora_log_bytes, kind="png")
    assert all(image.startswith(b"\x89PNG\r\n\x1a\n") for image in images)
    assert decode_images(images) == agora_log_bytes
    lines = decode_images(images).decode().splitlines()
    assert [json.loads(line)["version"] for line in lines] == [1, 2]


def test_a_credential_survives_png_byte_for_byte(credential_bytes):
    images = render_codes(credential_bytes, kind="png")
    assert len(images) == 1
    decoded = decode_images(images)
    assert decoded == credential_bytes
    assert ssi.verify(decoded).verified


def test_a_post_survives_png_byte_for_byte(post_bytes):
    images = render_codes(post_bytes, kind="png")
    assert len(images) == 1
    decoded = decode_images(images)
    assert decoded == post_bytes
    assert ssi.verify(decoded).verified
    assert read_post(json.loads(decoded)).tags == ("engines", "history")


def test_svg_renders_a_code_of_the_right_size(credential_bytes):
    [svg] = render_codes(credential_bytes, kind="svg", scale=2)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag.endswith("svg")
    [content] = encode_parts(credential_bytes)
    expected = segno.make_qr(content, mode="byte", error="m", boost_error=False)
    side = (expected.symbol_size(scale=2, border=4))[0]
    assert int(float(root.attrib["width"])) == side
    assert root.findall(".//{http://www.w3.org/2000/svg}path")


def test_several_codes_decode_in_any_order():
    payload = noise(3 * MAX_PART_BYTES + 100)
    images = render_codes(payload)
    assert len(images) == 4
    assert all(qr_version(image) <= MAX_QR_VERSION for image in images)
    shuffled = [images[2], images[0], images[3], images[1]]
    assert decode_images(shuffled) == payload


def test_one_image_may_hold_several_codes():
    payload = noise(MAX_PART_BYTES + 10)
    first, second = (Image.open(io.BytesIO(i)) for i in render_codes(payload))
    sheet = Image.new("L", (first.width + second.width, first.height), 255)
    sheet.paste(first, (0, 0))
    sheet.paste(second, (first.width, 0))
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG")
    assert len(read_codes(buffer.getvalue())) == 2
    assert decode_images([buffer.getvalue()]) == payload


def test_the_empty_payload_round_trips():
    assert decode_images(render_codes(b"")) == b""


# --- The format, byte for byte -----------------------------------------------------


def test_the_header_is_as_documented(credential_bytes):
    [content] = encode_parts(credential_bytes)
    digest = hashlib.sha256(credential_bytes).digest()[:16]
    stream = zlib.compress(credential_bytes, 9)
    assert content == b"AQ" + bytes([1, 1, 0, 1]) + digest + stream
    assert HEADER_BYTES == 22


def test_parts_split_the_stream_evenly_in_order():
    payload = noise(2 * MAX_PART_BYTES + 1)
    parts = [parse_part(c) for c in encode_parts(payload)]
    assert [(p.index, p.count, p.compression) for p in parts] == [
        (0, 3, 0),
        (1, 3, 0),
        (2, 3, 0),
    ]
    assert b"".join(p.data for p in parts) == payload  # stored: noise
    assert max(len(p.data) for p in parts) - min(len(p.data) for p in parts) <= 1


# --- Errors ----------------------------------------------------------------------


def code_of(error: pytest.ExceptionInfo[QRCodeError]) -> str:
    return error.value.code


def test_a_missing_part_is_named():
    images = render_codes(noise(3 * MAX_PART_BYTES))
    with pytest.raises(QRCodeError) as error:
        decode_images([images[0], images[2]])
    assert code_of(error) == "qrPartMissing"
    assert "part 2 of 3 is missing" in error.value.detail


def test_a_duplicated_part_is_named():
    images = render_codes(noise(2 * MAX_PART_BYTES))
    with pytest.raises(QRCodeError) as error:
        decode_images([images[0], images[1], images[0]])
    assert code_of(error) == "qrPartDuplicated"


def test_a_part_of_another_payload_is_foreign():
    ours = render_codes(noise(2 * MAX_PART_BYTES, b"ours"))
    theirs = render_codes(noise(2 * MAX_PART_BYTES, b"theirs"))
    with pytest.raises(QRCodeError) as error:
        decode_images([ours[0], theirs[1]])
    assert code_of(error) == "qrPartForeign"


def test_a_truncated_image_is_unreadable(credential_bytes):
    [png] = render_codes(credential_bytes)
    with pytest.raises(QRCodeError) as error:
        decode_images([png[: len(png) // 2]], names=["cut.png"])
    assert code_of(error) == "qrUnreadable"
    assert "cut.png" in error.value.detail


def test_an_image_whose_code_is_painted_over_is_unreadable(credential_bytes):
    [png] = render_codes(credential_bytes)
    with Image.open(io.BytesIO(png)) as image:
        damaged = image.convert("L")
    w, h = damaged.size
    damaged.paste(255, (w // 5, h // 5, 4 * w // 5, 4 * h // 5))
    buffer = io.BytesIO()
    damaged.save(buffer, format="PNG")
    with pytest.raises(QRCodeError) as error:
        decode_images([buffer.getvalue()])
    assert code_of(error) == "qrUnreadable"


def test_an_svg_or_text_file_is_not_read(credential_bytes):
    [svg] = render_codes(credential_bytes, kind="svg")
    for data in (svg, credential_bytes):
        with pytest.raises(QRCodeError) as error:
            read_codes(data)
        assert code_of(error) == "qrUnreadable"


def test_a_qr_code_that_is_not_agora_is_refused():
    buffer = io.BytesIO()
    segno.make_qr("https://example.com/").save(buffer, kind="png", scale=4)
    with pytest.raises(QRCodeError) as error:
        decode_images([buffer.getvalue()], names=["url.png"])
    assert code_of(error) == "qrNotAgora"
    assert "url.png" in error.value.detail


def test_an_object_over_the_cap_is_refused_before_drawing():
    with pytest.raises(QRCodeTooLargeError) as error:
        render_codes(noise(MAX_COMPRESSED_BYTES + 1))
    assert error.value.code == "qrTooLarge"
    assert str(MAX_COMPRESSED_BYTES) in error.value.detail
    assert error.value.to_problem()["type"] == "urn:agora:error:qrTooLarge"


def test_the_largest_object_fits_in_the_most_codes():
    payload = noise(MAX_COMPRESSED_BYTES)
    contents = encode_parts(payload)
    assert len(contents) == MAX_CODES
    assert decode_parts(reversed(contents)) == payload


def test_an_object_over_the_uncompressed_cap_is_refused():
    with pytest.raises(QRCodeTooLargeError):
        encode_parts(bytes(MAX_PAYLOAD_BYTES + 1))
    assert decode_parts(encode_parts(bytes(MAX_PAYLOAD_BYTES))) == bytes(
        MAX_PAYLOAD_BYTES
    )


def forged(data: bytes, digest: bytes, *, compression: int = 1) -> bytes:
    return QRPart(1, compression, 0, 1, digest, data).to_bytes()


def test_a_zlib_bomb_is_stopped_at_the_cap():
    bomb = zlib.compress(bytes(8 * MAX_PAYLOAD_BYTES), 9)
    assert len(bomb) <= MAX_COMPRESSED_BYTES
    count = -(-len(bomb) // MAX_PART_BYTES)
    parts = [
        QRPart(
            1,
            1,
            i,
            count,
            bytes(16),
            bomb[i * MAX_PART_BYTES : (i + 1) * MAX_PART_BYTES],
        ).to_bytes()
        for i in range(count)
    ]
    with pytest.raises(QRCodeTooLargeError):
        decode_parts(parts)


def test_data_that_does_not_match_the_digest_is_refused(credential_bytes):
    [content] = encode_parts(credential_bytes)
    part = parse_part(content)
    other = zlib.compress(credential_bytes.replace(b"member", b"MEMBER"), 9)
    for data, compression in ((other, 1), (b"not zlib", 1), (b"plain", 0)):
        with pytest.raises(QRCodeError) as error:
            decode_parts([forged(data, part.digest, compression=compression)])
        assert code_of(error) == "qrDigestMismatch"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (b"AQ" + bytes([2, 1, 0, 1]), "qrUnsupportedVersion"),
        (b"AQ" + bytes([1, 7, 0, 1]), "qrInvalidPart"),
        (b"AQ" + bytes([1, 1, 0, 0]), "qrInvalidPart"),
        (b"AQ" + bytes([1, 1, 3, 3]), "qrInvalidPart"),
        (b"AQ" + bytes([1, 1, 0, MAX_CODES + 1]), "qrInvalidPart"),
        (b"XQ" + bytes([1, 1, 0, 1]), "qrNotAgora"),
    ],
)
def test_impossible_headers_are_refused(header, code):
    with pytest.raises(QRCodeError) as error:
        decode_parts([header + bytes(16) + b"x"])
    assert code_of(error) == code


def test_short_content_and_no_content_are_refused():
    with pytest.raises(QRCodeError) as error:
        decode_parts([b"AQ\x01"])
    assert code_of(error) == "qrNotAgora"
    with pytest.raises(QRCodeError) as error:
        decode_parts([])
    assert code_of(error) == "qrUnreadable"


def test_parts_that_disagree_on_their_count_are_refused():
    digest = bytes(16)
    first = QRPart(1, 0, 0, 2, digest, b"a").to_bytes()
    second = QRPart(1, 0, 1, 3, digest, b"b").to_bytes()
    with pytest.raises(QRCodeError) as error:
        decode_parts([first, second])
    assert code_of(error) == "qrInvalidPart"


@pytest.mark.parametrize(
    "size",
    [(8000, 6000), (10000, 10000), (20000, 10000)],
    ids=["over-our-cap", "pillow-warns", "pillow-refuses"],
)
def test_an_oversized_image_is_not_decoded(size):
    buffer = io.BytesIO()
    Image.new("1", size, 1).save(buffer, format="PNG")
    with pytest.raises(QRCodeError) as error:
        read_codes(buffer.getvalue())
    assert code_of(error) == "qrUnreadable"
    assert "large" in error.value.detail or "pixels" in error.value.detail


def test_the_documented_example_is_exact():
    [content] = encode_parts(b'{"a":1}')
    assert content.hex(" ") == (
        "41 51 01 00 00 01 "
        "01 5a bd 7f 5c c5 7a 2d d9 4b 75 90 f0 4a d8 08 "
        "7b 22 61 22 3a 31 7d"
    )
    assert decode_parts([content]) == b'{"a":1}'
