"""The bundle format: the header, line shapes and limits; every bad line is
reported on its own (with a code) while the other objects verify."""

from __future__ import annotations

import base64
import io

import pytest

from ssi.bundle import MAX_BLOB_BYTES, MAX_LINE_BYTES, MEDIA_TYPE, verify_bundle
from ssi.bundle.format import blob_line, encode_line, header_line, object_line
from ssi.cid import blob_cid
from ssi.errors import (
    BlobTooLargeError,
    BundleError,
    BundleHeaderError,
    BundleLineTooLongError,
    BundleTooLargeError,
    UnsupportedBundleVersionError,
)
from ssi.jsonld.canon import canonicalize_jcs
from tests.unit.bundle.corpus import CLOCK, Corpus


def results(bundle: bytes):
    with verify_bundle(io.BytesIO(bundle), clock=CLOCK) as verification:
        return list(verification)


def test_the_header_and_line_shapes(corpus: Corpus):
    bundle = corpus.bundle(corpus.posts[:40], blobs=[(b"\x89PNG...", "image/png")])
    lines = bundle.rstrip(b"\n").split(b"\n")
    assert lines[0] == (
        b'{"kind":"header","mediaType":"' + MEDIA_TYPE.encode() + b'","version":1}'
    )
    kinds = [line.split(b'"', 4)[3].decode() for line in lines[1:]]
    order = ["didLog", "statusList", "membership", "blob", "credential"]
    assert kinds == sorted(kinds, key=order.index), "dependencies come first"
    assert set(kinds) == set(order)
    post = corpus.posts[0]
    assert object_line(post) == (
        b'{"kind":"credential","credential":' + canonicalize_jcs(post) + b"}\n"
    )
    blob = blob_line(b"abc", "text/plain")
    assert blob == (
        b'{"kind":"blob","cid":"' + blob_cid(b"abc").encode() + b'",'
        b'"mediaType":"text/plain","data":"YWJj"}\n'
    )


def test_bad_lines_are_reported_one_by_one(corpus: Corpus):
    good = corpus.bundle(corpus.posts[:20]).rstrip(b"\n").split(b"\n")
    post_line = good[-1]
    wrong_cid = encode_line(
        "blob", {"cid": blob_cid(b"other"), "data": base64.b64encode(b"x").decode()}
    )
    bad = [
        (b'{"kind":"credential","credential":{"oops"', "invalidBundleLine"),
        (b"x" * (MAX_LINE_BYTES + 10), "bundleLineTooLong"),
        (b'{"kind":"vote","vote":{}}', "unknownBundleItem"),
        (b"[1, 2, 3]", "invalidBundleLine"),
        (b'{"kind":"credential","credential":"a string"}', "invalidBundleItem"),
        (post_line[:-1] + b',"extra":1}', "invalidBundleItem"),
        (header_line().rstrip(b"\n"), "invalidBundleItem"),
        (wrong_cid.rstrip(b"\n"), "blobCidMismatch"),
        (
            b'{"kind":"didLog","did":"did:agora:zQm","entries":[{}]}',
            "invalidBundleItem",
        ),
        (b'{"kind":"statusList","credential":{"type":"x"}}', "invalidBundleItem"),
        (b"\xff\xfe not utf-8", "invalidBundleLine"),
        (b'{"kind":"credential","kind":"blob"}', "invalidBundleLine"),
    ]
    body = good[:-1]
    for line, _ in bad:
        body.extend([line, post_line])
    found = results(b"\n".join(body) + b"\n")
    failed = [r for r in found if not r.verified]
    assert [r.problems[0].error.code for r in failed] == [code for _, code in bad]
    assert all(r.problems[0].check == "line" for r in failed)
    first_bad = len(good)  # the line number of the first bad line
    assert [r.line for r in failed] == [first_bad + 2 * i for i in range(len(bad))]
    verified = [r for r in found if r.verified]
    assert len(verified) == 19 + len(bad)


def test_a_line_written_in_another_member_order_is_read(corpus: Corpus):
    post = corpus.posts[3]
    lines = corpus.bundle([post]).rstrip(b"\n").split(b"\n")
    lines[-1] = b'{"credential":' + canonicalize_jcs(post) + b',"kind":"credential"}'
    lines.insert(1, b"   ")  # blank lines are allowed
    (result,) = results(b"\r\n".join(lines))
    assert result.verified, result.to_json()
    assert result.line == len(lines)


def test_blobs_are_checked(corpus: Corpus):
    found = results(corpus.bundle([], blobs=[(b"hello", None), (b"", "text/plain")]))
    assert [(r.kind, r.cid, r.verified) for r in found] == [
        ("blob", blob_cid(b"hello"), True),
        ("blob", blob_cid(b""), True),
    ]
    with pytest.raises(BlobTooLargeError):
        blob_line(b"\0" * (MAX_BLOB_BYTES + 1))


@pytest.mark.parametrize(
    ("text", "error", "code"),
    [
        (b"", BundleHeaderError, "invalidBundleHeader"),
        (b"\n\n", BundleHeaderError, "invalidBundleHeader"),
        (b"not json\n", BundleHeaderError, "invalidBundleHeader"),
        (b'{"kind":"header","mediaType":"application/json","version":1}\n',
         BundleHeaderError, "invalidBundleHeader"),
        (b'{"kind":"header","mediaType":"' + MEDIA_TYPE.encode() + b'","version":"1"}',
         BundleHeaderError, "invalidBundleHeader"),
        (b'{"kind":"header","mediaType":"' + MEDIA_TYPE.encode() + b'","version":2}',
         UnsupportedBundleVersionError, "unsupportedBundleVersion"),
    ],
)  # fmt: skip
def test_headers_that_are_refused(text, error, code):
    with pytest.raises(error) as raised:
        verify_bundle(io.BytesIO(text))
    assert raised.value.code == code


def test_a_file_that_is_not_there(tmp_path):
    with pytest.raises(BundleError) as raised:
        verify_bundle(tmp_path / "missing.jsonl")
    assert raised.value.code == "invalidBundle"


def test_too_many_dependencies(corpus: Corpus, monkeypatch):
    monkeypatch.setattr("ssi.bundle.verify.MAX_DEPENDENCY_ITEMS", 3)
    with pytest.raises(BundleTooLargeError) as raised:
        verify_bundle(io.BytesIO(corpus.bundle(corpus.posts[:40])))
    assert raised.value.code == "bundleTooLarge"


def test_a_line_too_long_to_write():
    with pytest.raises(BundleLineTooLongError):
        encode_line("credential", {"credential": {"x": "y" * MAX_LINE_BYTES}})
