"""``Verifier.verify_many``: the same reports as ``verify`` on each input, in
order, in this process, on a process pool and on a Dask cluster (issue 10).
"""

from __future__ import annotations

import json
import logging
import pickle
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor

import pytest

import ssi
from ssi.credentials import FixedClock, Verifier
from ssi.credentials import verifier as verifier_module
from ssi.credentials.verifier import verify_chunk
from ssi.did.methods import key as did_key_module
from ssi.types import JsonObject
from tests.unit.proofs.doubles import CREATED, NOW, ed25519_key

KEYS = [ed25519_key(seed) for seed in range(40, 45)]
COUNT = 2000


def credential(index: int, issuer: str) -> JsonObject:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": f"did:example:subject-{index}", "name": "Sam"},
    }


def make_corpus(count: int) -> list[JsonObject | str | bytes]:
    """Distinct credentials: mostly good, some tampered, some malformed JSON
    text, some by DIDs no resolver knows, some as JSON text or bytes."""
    corpus: list[JsonObject | str | bytes] = []
    for index in range(count):
        key = KEYS[index % len(KEYS)]
        kind = index % 10
        if kind == 3:
            corpus.append('{"@context": ["https://www.w3.org/ns/credentials/v2"], ')
            continue
        if kind == 7:
            unknown = "did:example:nobody"
            signer = ssi.LocalSigner(key, unknown + "#key-1")
            corpus.append(
                ssi.issue(credential(index, unknown), signer, created=CREATED)
            )
            continue
        document = ssi.issue(
            credential(index, ssi.did_key(key)), ssi.signer(key), created=CREATED
        )
        if kind == 5:
            document["credentialSubject"]["name"] = "Mallory"
        if kind == 8:
            corpus.append(json.dumps(document))
        elif kind == 9:
            corpus.append(json.dumps(document).encode("utf-8"))
        else:
            corpus.append(document)
    return corpus


def normal(report: ssi.VerificationReport) -> tuple[object, ...]:
    """A report as comparable data: JSON, and each problem's exact error."""
    return (
        report.to_json(),
        [
            (p.check, type(p.error), p.error.code, p.error.detail, p.error.__dict__)
            for p in report.all_problems()
        ],
        [(type(w), str(w)) for w in report.warnings],
    )


@pytest.fixture(scope="module")
def verifier() -> Verifier:
    return Verifier(resolver=ssi.Resolver(), clock=FixedClock(NOW))


@pytest.fixture(scope="module")
def corpus() -> list[JsonObject | str | bytes]:
    return make_corpus(COUNT)


@pytest.fixture(scope="module")
def expected(verifier, corpus) -> list[tuple[object, ...]]:
    return [normal(verifier.verify(item)) for item in corpus]


def test_the_corpus_has_every_kind_of_outcome(expected):
    verified = [item[0]["verified"] for item in expected]
    codes = {error[2] for item in expected for error in item[1]}

    assert sum(verified) == COUNT * 7 // 10  # kinds 3, 5 and 7 fail
    assert {"PARSING_ERROR", "methodNotSupported"} <= codes
    assert any("PROOF_VERIFICATION_ERROR" in code for code in codes)


def test_verify_many_in_process_matches_verify_on_each(verifier, corpus, expected):
    reports = verifier.verify_many(corpus)

    assert [normal(r) for r in reports] == expected


def test_verify_many_on_a_process_pool_matches_verify_on_each(
    verifier, corpus, expected
):
    with ProcessPoolExecutor(2) as executor:
        reports = verifier.verify_many(corpus, executor=executor, chunk_size=100)

    assert [normal(r) for r in reports] == expected


def test_a_worker_builds_its_verifier_once_and_keeps_its_caches(verifier, corpus):
    key, blob = verifier.description()
    verifier_module._workers.discard(key)
    verify_chunk(key, blob, corpus[:10])
    built = verifier_module._workers.peek(key)
    assert built is not None
    resolver = built.resolver
    assert resolver is not None
    cached = len(resolver._cache)
    # did:key:X#X methods come straight from the key, through a memo of their
    # own (ssi.did.methods.key); either cache must already hold the issuers.
    misses = did_key_module._resolved.cache_info().misses
    assert cached + did_key_module._resolved.cache_info().currsize > 0

    verify_chunk(key, blob, corpus[10:20])

    assert verifier_module._workers.peek(key) is built
    assert len(resolver._cache) == cached  # the same five issuers, cache warm
    assert did_key_module._resolved.cache_info().misses == misses


def test_worker_results_are_compact(verifier, corpus):
    key, blob = verifier.description()
    documents = [item for item in corpus[:10] if isinstance(item, dict)]

    shipped = pickle.dumps(verify_chunk(key, blob, documents))

    for document in documents:
        assert document["proof"]["proofValue"].encode() not in shipped
        assert document["id"].encode() not in shipped


class _FailingExecutor(Executor):
    """Runs nothing: every submission fails, as a broken pool does."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_exception(RuntimeError("worker died"))
        return future


def test_a_chunk_the_executor_cannot_run_is_verified_here(verifier, corpus, expected):
    reports = verifier.verify_many(
        corpus[:30], executor=_FailingExecutor(), chunk_size=7
    )

    assert [normal(r) for r in reports] == expected[:30]


def test_an_item_that_does_not_pickle_still_gets_its_report(verifier):
    items = [{"unpicklable": lambda: None}, "[]"]
    with ProcessPoolExecutor(1) as executor:
        reports = verifier.verify_many(items, executor=executor, chunk_size=1)

    assert [normal(r) for r in reports] == [normal(verifier.verify(i)) for i in items]
    assert not any(r.verified for r in reports)


def test_a_verifier_that_does_not_pickle_is_refused_for_an_executor(corpus):
    local = Verifier(clock=lambda: NOW)

    assert len(local.verify_many(corpus[:3])) == 3
    with pytest.raises(TypeError, match="cannot be shipped"):
        local.verify_many(corpus[:3], executor=_FailingExecutor())


@pytest.mark.parametrize(
    ("size", "error"), [(0, ValueError), (-1, ValueError), (2.5, TypeError)]
)
def test_chunk_size_is_checked(verifier, size, error):
    with pytest.raises(error):
        verifier.verify_many([], chunk_size=size)


def test_empty_input_gives_no_reports(verifier):
    assert verifier.verify_many([], executor=_FailingExecutor()) == []


def test_a_verifier_with_a_status_checker_is_shipped_to_workers(tmp_path):
    from ssi.status import BitstringStatusChecker, FolderStatusSource, StatusListState
    from tests.unit.status.helpers import LIST_URL, credential_with, signed_list

    state = StatusListState(LIST_URL)
    kept, revoked = state.allocate(), state.allocate()
    documents = [
        credential_with(state.entry(kept)),
        credential_with(state.entry(revoked)),
    ]
    state.revoke(revoked)
    (tmp_path / "list.json").write_text(json.dumps(signed_list(state)))
    checker = BitstringStatusChecker(FolderStatusSource(tmp_path))
    local = Verifier(status=checker, clock=FixedClock(NOW))
    assert [r.verified for r in local.verify_many(documents)] == [True, False]

    with ProcessPoolExecutor(1) as executor:
        reports = local.verify_many(documents, executor=executor)

    assert [normal(r) for r in reports] == [normal(local.verify(d)) for d in documents]
    assert [p.error.code for p in reports[1].problems] == ["revoked"]


# --- Dask last: its client runs threads, and the pools above fork. ---------


@pytest.fixture(scope="module")
def dask_client() -> Iterator[object]:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_verify_many_on_a_dask_cluster_matches_verify_on_each(
    verifier, corpus, expected, dask_client
):
    executor = dask_client.get_executor()
    reports = verifier.verify_many(corpus, executor=executor, chunk_size=100)

    assert [normal(r) for r in reports] == expected
    workers = dask_client.run(_worker_verifier_count)
    assert len(workers) == 2
    assert all(count == 1 for count in workers.values())


def _worker_verifier_count() -> int:
    return len(verifier_module._workers)
