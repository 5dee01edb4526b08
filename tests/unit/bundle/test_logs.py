"""BundleLogMethod: did:agora resolution from fixed logs, each DID's logs
validated once per process, with the stock driver's answers."""

from __future__ import annotations

import pickle
import traceback

import pytest

import ssi.bundle.logs
from ssi.agora import AgoraMethod
from ssi.bundle import BundleLogMethod, MemoryLogSource
from ssi.did.syntax import parse_did
from ssi.errors import DIDNotFoundError, InvalidDIDError
from tests.unit.bundle.corpus import CLOCK, ROTATING, ROTATION, Corpus


def method(corpus: Corpus) -> BundleLogMethod:
    return BundleLogMethod([corpus.logs()], clock=CLOCK)


def test_answers_as_the_stock_driver(corpus: Corpus):
    author = corpus.authors[ROTATING[0]]
    did = parse_did(author.did)
    stock = AgoraMethod([corpus.logs()], clock=CLOCK)
    ours = method(corpus)
    for options in ({}, {"versionTime": "2025-01-02T00:00:00Z"}, {"versionId": "2"}):
        mine, theirs = ours.resolve(did, options), stock.resolve(did, options)
        assert mine.did_document == theirs.did_document
        assert mine.did_document_metadata == theirs.did_document_metadata
    before = ours.resolve(did, {"versionTime": "2025-01-02T00:00:00Z"})
    latest = ours.resolve(did, {})
    assert before.did_document.verification_method[0].id.endswith("#key-1")
    assert latest.did_document.verification_method[0].id.endswith("#key-2")
    assert latest.did_document_metadata["updated"] == ROTATION.strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )


def test_each_did_is_validated_once(corpus: Corpus, monkeypatch):
    calls = []
    real = ssi.bundle.logs.resolve_log

    def counting(did, logs, **options):
        calls.append(did)
        return real(did, logs, **options)

    monkeypatch.setattr(ssi.bundle.logs, "resolve_log", counting)
    ours = method(corpus)
    did = parse_did(corpus.authors[12].did)
    for _ in range(5):
        ours.resolve(did, {})
    assert calls == [str(did)]


def test_failures_are_kept_and_raised_afresh(corpus: Corpus):
    ours = method(corpus)
    ghost = parse_did(corpus.ghost.did)
    depths = []
    for _ in range(3):
        with pytest.raises(DIDNotFoundError) as raised:
            ours.resolve(ghost, {})
        depths.append(len(traceback.extract_tb(raised.value.__traceback__)))
        assert "no log for" in raised.value.detail
    assert depths[0] == depths[1] == depths[2]
    with pytest.raises(InvalidDIDError):
        ours.resolve(parse_did("did:agora:notmultibase"), {})


def test_the_log_option_is_honoured(corpus: Corpus):
    ours = BundleLogMethod([MemoryLogSource()], clock=CLOCK)
    ghost = corpus.ghost
    result = ours.resolve(parse_did(ghost.did), {"log": ghost.log})
    assert result.did_document is not None


def test_it_pickles_without_what_it_validated(corpus: Corpus):
    ours = method(corpus)
    did = parse_did(corpus.authors[13].did)
    ours.resolve(did, {})
    copy = pickle.loads(pickle.dumps(ours))  # noqa: S301 - our own bytes
    assert copy._memo == {}
    assert copy.resolve(did, {}).did_document == ours.resolve(did, {}).did_document
