"""verify_bundle: 1,000 posts by 20 authors verify offline; a tampered post, a
post whose author's log is missing and a post by a revoked member are each
reported precisely while the rest verify; executors give the same results."""

from __future__ import annotations

import io
from concurrent.futures import ProcessPoolExecutor

import pytest

import ssi
from ssi.bundle import MemoryLogSource, verify_bundle
from ssi.bundle.format import encode_line
from ssi.cid import object_cid
from ssi.status import StatusList, build_status_list_credential
from tests.unit.bundle.corpus import (
    CLOCK,
    LIST_URL,
    MEMBERS,
    REVOKED,
    ROTATING,
    T0,
    Corpus,
    post,
)


def results(bundle: bytes, **options):
    with verify_bundle(io.BytesIO(bundle), clock=CLOCK, **options) as verification:
        return list(verification)


def only_problem(result):
    assert not result.verified
    (problem,) = result.problems
    return problem


def test_a_thousand_posts_by_twenty_authors_verify_offline(corpus: Corpus):
    found = results(corpus.bundle())
    assert len(found) == 1000
    assert [r.verified for r in found] == [True] * 1000, [
        r.to_json() for r in found if not r.verified
    ][:2]
    assert [r.cid for r in found] == [object_cid(p) for p in corpus.posts]
    assert [r.author for r in found] == [p["issuer"] for p in corpus.posts]
    assert {r.types for r in found} == {("Post",)}
    assert {r.kind for r in found} == {"credential"}
    lines = [r.line for r in found]
    assert lines == sorted(lines)
    assert len({p["issuer"] for p in corpus.posts}) == 20


def test_keys_rotated_midway_still_verify_with_a_warning(corpus: Corpus):
    found = results(corpus.bundle())
    rotating = {corpus.authors[n].did for n in ROTATING}
    early = [
        r
        for r, p in zip(found, corpus.posts, strict=True)
        if r.author in rotating and p["proof"]["verificationMethod"].endswith("#key-1")
    ]
    late = [
        r
        for r, p in zip(found, corpus.posts, strict=True)
        if r.author in rotating and p["proof"]["verificationMethod"].endswith("#key-2")
    ]
    assert early
    assert late
    assert all(r.verified for r in early + late)
    assert all(any("key-1" in w for w in r.warnings) for r in early)
    assert all(r.warnings == () for r in late)


def bad_bundle(corpus: Corpus) -> tuple[bytes, int]:
    """The corpus posts, a post by a revoked member, a post whose author's log
    is not packed, and post 500 changed after signing."""
    posts = [*corpus.posts, corpus.revoked_post, corpus.ghost_post]
    bundle = corpus.bundle(posts, require_complete=False)
    original = b'"content":"post 500 by '
    assert bundle.count(original) == 1
    return bundle.replace(original, b'"content":"POST 500 by '), 500


def test_bad_posts_are_reported_precisely_and_the_rest_verify(corpus: Corpus):
    bundle, tampered = bad_bundle(corpus)
    found = results(bundle)
    assert len(found) == 1002
    failed = {r.cid: r for r in found if not r.verified}
    assert len(failed) == 3
    assert sum(r.verified for r in found) == 999

    changed = found[tampered]
    assert changed.author == corpus.posts[tampered]["issuer"]
    problem = only_problem(changed)
    assert (problem.check, problem.error.code) == ("proof", "PROOF_VERIFICATION_ERROR")
    assert changed.cid != object_cid(corpus.posts[tampered])

    ghost = failed[object_cid(corpus.ghost_post)]
    problem = only_problem(ghost)
    assert problem.error.code == "notFound"
    assert corpus.ghost.did in problem.detail
    assert "no log" in problem.detail

    revoked = failed[object_cid(corpus.revoked_post)]
    problem = only_problem(revoked)
    assert (problem.check, problem.error.code) == ("community", "membershipRevoked")
    assert corpus.community.did in problem.detail
    assert "revoked" in problem.detail


def test_the_revoked_members_other_posts_verify(corpus: Corpus):
    found = results(corpus.bundle())
    theirs = [r for r in found if r.author == corpus.authors[REVOKED].did]
    assert theirs
    assert all(r.verified for r in theirs)


def test_a_community_post_without_a_membership(corpus: Corpus):
    outsider = corpus.authors[2]
    assert 2 not in MEMBERS
    lone = post(outsider, 20_000, T0, community=corpus.community.did)
    (result,) = results(corpus.bundle([lone], require_complete=False))
    problem = only_problem(result)
    assert (problem.check, problem.error.code) == ("community", "membershipMissing")
    assert outsider.did in problem.detail


def test_a_membership_that_does_not_verify(corpus: Corpus):
    member = corpus.authors[MEMBERS[0]]
    mine = post(member, 20_001, T0, community=corpus.community.did)
    bundle = corpus.bundle([mine])
    membership = encode_line(
        "membership", {"credential": corpus.memberships[0]}
    ).rstrip(b"\n")
    assert membership in bundle
    forged = membership.replace(b'"role":"member"', b'"role":"owner"')
    (result,) = results(bundle.replace(membership, forged))
    problem = only_problem(result)
    assert (problem.check, problem.error.code) == ("community", "membershipInvalid")


def test_the_newest_status_list_wins(corpus: Corpus):
    """An older list (before the revocation) added later does not undo it."""
    older = ssi.issue(
        build_status_list_credential(
            LIST_URL,
            corpus.community.did,
            StatusList(),
            valid_from=T0.replace(year=2024),
        ),
        corpus.community.signer_at(T0),
        created="2024-12-01T00:00:00Z",
    )
    bundle = corpus.bundle([corpus.revoked_post])
    bundle += encode_line("statusList", {"credential": older})
    (result,) = results(bundle)
    assert only_problem(result).error.code == "membershipRevoked"
    (result,) = results(bundle, extra_status_lists=[older])
    assert only_problem(result).error.code == "membershipRevoked"


def test_extra_logs_complete_a_bundle(corpus: Corpus):
    bundle = corpus.bundle([corpus.ghost_post], require_complete=False)
    (result,) = results(bundle)
    assert only_problem(result).error.code == "notFound"
    extra = MemoryLogSource({corpus.ghost.did: [corpus.ghost.log]})
    (result,) = results(bundle, extra_logs=[extra])
    assert result.verified, result.to_json()


class Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_stream_that_cannot_seek_is_spooled(corpus: Corpus):
    bundle = corpus.bundle(corpus.posts[:50])
    with verify_bundle(Unseekable(bundle), clock=CLOCK) as verification:
        found = list(verification)
    assert [r.verified for r in found] == [True] * 50


def test_a_process_pool_gives_the_same_results(corpus: Corpus):
    bundle, _ = bad_bundle(corpus)
    here = [r.to_json() for r in results(bundle)]
    with ProcessPoolExecutor(2) as pool:
        there = [r.to_json() for r in results(bundle, executor=pool, chunk_size=100)]
    assert there == here


def test_the_dependencies_are_described(corpus: Corpus):
    with verify_bundle(io.BytesIO(corpus.bundle()), clock=CLOCK) as verification:
        assert set(verification.dids) == {
            i.did for i in [*corpus.authors, corpus.community] if i.log
        }
        assert verification.status_lists == (LIST_URL,)
        assert verification.memberships == 3  # the revoked member posted nothing there
        assert verification.header["version"] == 1


def test_chunk_size_must_be_positive(corpus: Corpus):
    with pytest.raises(ValueError, match="chunk_size"):
        verify_bundle(io.BytesIO(corpus.bundle([])), chunk_size=0)


def test_objects_are_streamed_not_read_ahead(corpus: Corpus):
    """Results come while the file is read: the second pass keeps a chunk
    in memory, not the bundle's objects."""
    bundle = corpus.bundle(corpus.posts[:400])
    for executor_workers in (0, 2):
        handle = io.BytesIO(bundle)
        pool = ProcessPoolExecutor(executor_workers) if executor_workers else None
        try:
            with verify_bundle(
                handle, clock=CLOCK, chunk_size=10, executor=pool
            ) as verification:
                iterator = iter(verification)
                first = next(iterator)
                position = handle.tell()
                rest = list(iterator)
        finally:
            if pool is not None:
                pool.shutdown()
        assert first.verified
        assert len(rest) == 399
        # At most the chunks in flight (one here, eight with an executor).
        assert position < len(bundle) * (0.1 if pool is None else 0.4)
