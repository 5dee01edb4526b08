"""unpack: a bundle's objects that verify go into the object store, the
others are reported and stay out; blobs are skipped; it streams from files
and from streams alike."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ssi.bundle import unpack
from ssi.bundle.format import blob_line, encode_line, header_line
from ssi.cid import blob_cid, object_cid
from ssi.errors import BundleHeaderError
from ssi.store import SQLiteStore
from tests.unit.bundle.corpus import CLOCK, Corpus
from tests.unit.bundle.test_verify import bad_bundle


def test_what_verifies_is_stored_and_the_rest_is_not(corpus: Corpus, tmp_path: Path):
    bundle, tampered = bad_bundle(corpus)
    source = tmp_path / "bad.jsonl"
    source.write_bytes(bundle)
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        results = list(unpack(source, store, clock=CLOCK))
        assert len(results) == 1002
        outcomes = [r.outcome for r in results]
        assert outcomes.count("stored") == 999
        assert outcomes.count("rejected") == 3
        assert [r.item.line for r in results] == sorted(r.item.line for r in results)
        assert store.count() == 999
        for result in results:
            if result.outcome == "stored":
                assert store.get(result.item.cid) is not None
            else:
                assert result.item.problems
                assert result.item.cid is None or store.get(result.item.cid) is None
        assert store.get(object_cid(corpus.posts[tampered])) is None
        assert store.get(object_cid(corpus.revoked_post)) is None
        # Unpacking again stores nothing new.
        again = list(unpack(io.BytesIO(bundle), store, clock=CLOCK, batch=7))
        assert [r.outcome for r in again].count("present") == 999
        assert store.count() == 999


def test_blobs_are_skipped_and_bad_lines_rejected(corpus: Corpus, tmp_path: Path):
    post = corpus.posts[0]
    lines = [
        header_line(),
        *[
            encode_line("didLog", {"did": a.did, "entries": a.log})
            for a in corpus.authors
            if a.did == post["issuer"] and a.log
        ],
        blob_line(b"a picture", "image/png"),
        b"{not json",
        encode_line("credential", {"credential": post}),
    ]
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        results = list(
            unpack(io.BytesIO(b"\n".join(lines) + b"\n"), store, clock=CLOCK)
        )
        assert [(r.item.kind, r.outcome) for r in results] == [
            ("blob", "skipped"),
            ("unknown", "rejected"),
            ("credential", "stored"),
        ]
        assert results[0].item.cid == blob_cid(b"a picture")
        assert store.count() == 1  # the blob is not an object of the store
        assert results[0].to_json()["outcome"] == "skipped"


def test_an_unusable_bundle_raises_before_anything_is_stored(tmp_path: Path):
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        with pytest.raises(BundleHeaderError):
            list(unpack(io.BytesIO(b'{"kind":"nonsense"}\n'), store, clock=CLOCK))
        assert store.count() == 0
        with pytest.raises(ValueError, match="batch"):
            list(unpack(io.BytesIO(b""), store, batch=0))
