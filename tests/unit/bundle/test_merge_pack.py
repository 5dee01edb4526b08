"""pack writes what a verifier needs (or says what it lacks); merge keeps each
item once and joins the logs of a DID, reporting duplicity with evidence."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

import ssi
from ssi.agora import add_service, signing_document, update_entry, validate_log
from ssi.bundle import MemoryLogSource, merge, pack, verify_bundle
from ssi.cid import object_cid
from ssi.errors import DuplicityError, MissingDependencyError
from tests.unit.bundle.corpus import CLOCK, T0, Corpus, key, post


def results(bundle: bytes):
    with verify_bundle(io.BytesIO(bundle), clock=CLOCK) as verification:
        return list(verification)


def merged(*bundles: bytes):
    out = io.BytesIO()
    report = merge([io.BytesIO(b) for b in bundles], out)
    return out.getvalue(), report


def test_pack_refuses_to_leave_out_what_verifies(corpus: Corpus):
    with pytest.raises(MissingDependencyError) as raised:
        corpus.bundle([corpus.ghost_post])
    assert raised.value.code == "missingDependency"
    assert corpus.ghost.did in raised.value.detail
    out = io.BytesIO()
    summary = pack(
        [corpus.ghost_post], out, logs=MemoryLogSource(), require_complete=False
    )
    assert summary.missing == (f"no did:agora log for {corpus.ghost.did}.",)
    assert summary.objects == 1


def test_pack_takes_only_the_memberships_needed(corpus: Corpus):
    out = io.BytesIO()
    summary = pack(
        [corpus.revoked_post],
        out,
        logs=corpus.logs(),
        status_lists=corpus.lists(),
        memberships=corpus.memberships,
    )
    assert (summary.memberships, summary.status_lists) == (1, 1)
    # the author is a did:key; the community's log is packed (it signs the
    # membership and the status list).
    assert summary.logs == 1
    assert corpus.community.did.encode() in out.getvalue()


def test_merge_keeps_each_object_once(corpus: Corpus):
    first = corpus.bundle(corpus.posts[:600])
    second = corpus.bundle(corpus.posts[400:])
    bundle, report = merged(first, second)
    assert report.objects == 1000
    assert report.duplicates >= 200
    assert report.duplicity == ()
    assert report.problems == ()
    found = results(bundle)
    assert len(found) == 1000
    assert all(r.verified for r in found)
    again, report = merged(bundle, bundle)
    assert report.objects == 1000
    assert again == bundle


def test_merge_reports_duplicity_and_keeps_both_branches(corpus: Corpus):
    author = corpus.authors[12]  # did:agora, no rotation: key(1012) updates it
    log = validate_log(author.log, did=author.did)
    document = signing_document(key(4012).public_key)
    service = {"type": "LinkedDomains", "serviceEndpoint": "https://a.example"}
    left = update_entry(
        log, key(1012), add_service(document, {"id": "#a", **service}),
        when=T0 + timedelta(days=2),
    )  # fmt: skip
    right = update_entry(
        log, key(1012), add_service(document, {"id": "#b", **service}),
        when=T0 + timedelta(days=3),
    )  # fmt: skip
    theirs = [p for p in corpus.posts if p["issuer"] == author.did]
    others = [p for p in corpus.posts[:100] if p["issuer"] != author.did]

    def with_log(entries, posts):
        logs = corpus.logs()
        source = MemoryLogSource({d: logs.logs_for(d) for d in logs.dids()})
        source._logs[author.did] = [entries]
        return corpus.bundle(posts, logs=source)

    one = with_log([*author.log, left], theirs[:10] + others)
    two = with_log([*author.log, right], theirs[10:20])
    assert all(r.verified for r in results(one))
    assert all(r.verified for r in results(two))

    bundle, report = merged(one, two)
    (fork,) = report.duplicity
    assert isinstance(fork, DuplicityError)
    assert fork.code == "duplicity"
    evidence = fork.metadata["duplicity"]["entries"]
    assert sorted(e["time"] for e in evidence) == sorted([left["time"], right["time"]])
    shown = report.to_json()["duplicity"][0]
    assert shown["code"] == "duplicity"
    assert len(shown["evidence"]["entries"]) == 2

    found = results(bundle)
    forked = [r for r in found if r.author == author.did]
    assert len(forked) == 20
    assert all(r.problems[0].error.code == "duplicity" for r in forked)
    assert all(r.verified for r in found if r.author != author.did)


def test_merge_joins_a_log_and_its_extension(corpus: Corpus):
    author = corpus.authors[13]
    log = validate_log(author.log, did=author.did)
    later = update_entry(
        log, key(1013), signing_document(key(4013).public_key),
        when=T0 + timedelta(days=70),
    )  # fmt: skip
    logs = corpus.logs()
    longer = MemoryLogSource({d: logs.logs_for(d) for d in logs.dids()})
    longer._logs[author.did] = [[*author.log, later]]
    mine = [p for p in corpus.posts if p["issuer"] == author.did][:5]
    bundle, report = merged(corpus.bundle(mine), corpus.bundle(mine, logs=longer))
    assert report.duplicity == ()
    assert report.logs == 2  # the author and the community
    assert bundle.count(b'"kind":"didLog"') == 2
    assert all(r.verified for r in results(bundle))


def test_merge_leaves_out_bad_lines_and_says_which(corpus: Corpus):
    good = corpus.bundle(corpus.posts[:5])
    bad = good + b"not json\n" + b'{"kind":"poll","poll":1}\n'
    bundle, report = merged(good, bad)
    assert report.objects == 5
    assert [(p.bundle, p.error.code) for p in report.problems] == [
        (1, "invalidBundleLine"),
        (1, "unknownBundleItem"),
    ]
    assert [p.line for p in report.problems] == [
        good.count(b"\n") + 1,
        good.count(b"\n") + 2,
    ]
    assert all(r.verified for r in results(bundle))


def test_a_community_post_and_its_membership_round_trip(corpus: Corpus):
    member = corpus.authors[17]  # did:agora, rotated
    mine = post(member, 30_000, T0 + timedelta(days=40), community=corpus.community.did)
    (result,) = results(corpus.bundle([mine]))
    assert result.verified, result.to_json()


def test_a_presentation_travels_with_its_credentials_evidence(corpus: Corpus):
    """A did:key holder presents a post by a did:agora author (rotated): the
    author's log is packed because of the credential inside."""
    inner = next(p for p in corpus.posts if p["issuer"] == corpus.authors[18].did)
    holder = corpus.authors[3]
    presentation = ssi.present(
        [inner],
        holder.signer_at(T0),
        created=(T0 + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    out = io.BytesIO()
    summary = pack([presentation], out, logs=corpus.logs())
    assert summary.logs == 1
    assert corpus.authors[18].did.encode() in out.getvalue()
    (result,) = results(out.getvalue())
    assert result.verified, result.to_json()
    assert (result.kind, result.author) == ("presentation", holder.did)
    assert result.cid == object_cid(presentation)
    assert any("challenge" in w for w in result.warnings)
    changed = out.getvalue().replace(b"hello agora", b"HELLO agora")
    (result,) = results(changed)
    assert not result.verified
    assert result.problems[0].error.code == "PROOF_VERIFICATION_ERROR"
