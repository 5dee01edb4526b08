"""read_bundle: every item of a bundle in memory, by kind, each line checked;
every version of a status list is kept (a recount needs the one in force at
a proposal's close, not the newest)."""

from __future__ import annotations

import copy
import io

import pytest

from ssi.bundle import pack, read_bundle
from ssi.bundle.format import blob_line, encode_line, header_line
from ssi.bundle.objects import community_of
from ssi.cid import object_cid
from ssi.errors import BundleHeaderError, BundleItemError, BundleTooLargeError
from tests.unit.bundle.corpus import Corpus


def test_objects_and_dependencies_are_read_apart(corpus: Corpus):
    posts = corpus.posts[:20]
    contents = read_bundle(io.BytesIO(corpus.bundle(posts)))
    assert [object_cid(d) for d in contents.objects] == [object_cid(p) for p in posts]
    signers = {p["issuer"] for p in posts if str(p["issuer"]).startswith("did:agora")}
    assert signers <= set(contents.logs)
    assert all(len(logs) >= 1 for logs in contents.logs.values())
    assert contents.blobs == 0


def test_every_status_list_version_is_kept(corpus: Corpus, tmp_path):
    older = copy.deepcopy(corpus.status_list)
    older["validFrom"] = "2020-01-01T00:00:00Z"
    lines = [
        header_line(),
        encode_line("statusList", {"credential": older}),
        encode_line("statusList", {"credential": corpus.status_list}),
        encode_line("membership", {"credential": corpus.memberships[0]}),
        blob_line(b"a picture", "image/png"),
    ]
    path = tmp_path / "b.jsonl"
    path.write_bytes(b"".join(line.rstrip(b"\n") + b"\n" for line in lines))
    contents = read_bundle(path)
    assert [d["validFrom"] for d in contents.status_lists] == [
        "2020-01-01T00:00:00Z",
        corpus.status_list["validFrom"],
    ]
    assert contents.memberships == (corpus.memberships[0],)
    assert contents.blobs == 1
    assert contents.objects == ()


def test_a_bad_line_is_named():
    data = header_line().rstrip(b"\n") + b'\n{"kind":"credential","credential":[1]}\n'
    with pytest.raises(BundleItemError) as caught:
        read_bundle(io.BytesIO(data))
    assert caught.value.line == 2


def test_no_header_is_refused():
    with pytest.raises(BundleHeaderError):
        read_bundle(io.BytesIO(b'{"kind":"credential","credential":{}}\n'))


def test_too_many_items_are_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("ssi.bundle.read.MAX_READ_ITEMS", 3)
    blob = blob_line(b"x")
    data = b"".join(
        line.rstrip(b"\n") + b"\n" for line in [header_line(), blob, blob, blob, blob]
    )
    with pytest.raises(BundleTooLargeError):
        read_bundle(io.BytesIO(data))


def test_pack_carries_every_version_of_a_status_list(corpus: Corpus):
    older = copy.deepcopy(corpus.status_list)
    older["validFrom"] = "2020-01-01T00:00:00Z"
    out = io.BytesIO()
    pack(
        [corpus.revoked_post],
        out,
        logs=corpus.logs(),
        status_lists=corpus.lists(),
        memberships=corpus.memberships,
        status_history=[older, corpus.status_list, older],
    )
    contents = read_bundle(io.BytesIO(out.getvalue()))
    assert sorted(object_cid(d) for d in contents.status_lists) == sorted(
        {object_cid(older), object_cid(corpus.status_list)}
    )


def test_the_community_rule_is_for_what_members_post(corpus: Corpus):
    membership = corpus.memberships[0]
    assert community_of(membership) is None
    tally = {
        "type": ["VerifiableCredential", "Tally"],
        "issuer": "did:key:z6MkTallier",
        "credentialSubject": {"type": "Tally", "community": "did:agora:zC"},
    }
    assert community_of(tally) is None
    post = {
        "type": ["VerifiableCredential", "Post"],
        "issuer": "did:key:z6MkAuthor",
        "credentialSubject": {"content": "hi", "community": "did:agora:zC"},
    }
    assert community_of(post) == "did:agora:zC"
