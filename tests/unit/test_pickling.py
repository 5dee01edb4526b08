"""Everything a report can carry survives pickling, and so does a verifier's
configuration (issue 10: reports and verifiers cross process pools)."""

from __future__ import annotations

import inspect
import pickle
import threading
from typing import TypeVar

import pytest

import ssi
import ssi.errors
from ssi.agora import AgoraMethod, FileLogSource
from ssi.credentials import Check, FixedClock, Problem, ReportWarning, Verifier
from ssi.did.methods import JWKMethod, KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.errors import (
    DuplicityError,
    InvalidConstitutionError,
    InvalidDIDLogError,
    InvalidFeedPolicyError,
    SSIError,
    VerificationFailedError,
)
from tests.unit.proofs.doubles import NOW, ed25519_key

T = TypeVar("T")

ERROR_CLASSES = sorted(
    (
        value
        for value in vars(ssi.errors).values()
        if inspect.isclass(value) and issubclass(value, SSIError)
    ),
    key=lambda kind: kind.__name__,
)


def round_trip(value: T) -> T:
    """Pickle and unpickle ``value`` (bytes this test made, never outside data)."""
    return pickle.loads(pickle.dumps(value))  # noqa: S301


def example(kind: type[SSIError]) -> SSIError:
    """An instance of ``kind`` with every attribute its constructor sets."""
    if issubclass(kind, DuplicityError):
        return kind(
            "two entries claim entry 2.", entry=3, evidence=[{"a": 1}, {"b": [2]}]
        )
    if issubclass(kind, InvalidDIDLogError):
        return kind("entry 2 is not signed.", code="invalidLogProof", entry=2)
    if issubclass(kind, InvalidConstitutionError):
        return kind("voting_period.min is long.", field="voting_period.min", line=3)
    if issubclass(kind, InvalidFeedPolicyError):
        return kind("actions.hide is odd.", field="actions.hide", line=4)
    if issubclass(kind, VerificationFailedError):
        inner = DuplicityError("forked.", entry=1, evidence=[])
        return kind("not verified.", (inner, ssi.errors.ParsingError("bad.")))
    return kind(f"something about {kind.__name__}.")


def same(a: SSIError, b: SSIError) -> None:
    assert type(a) is type(b)
    assert a.args == b.args
    assert a.code == b.code
    assert a.to_problem() == b.to_problem()
    assert {k: v for k, v in vars(a).items() if k != "problems"} == {
        k: v for k, v in vars(b).items() if k != "problems"
    }
    for x, y in zip(
        getattr(a, "problems", ()), getattr(b, "problems", ()), strict=True
    ):
        same(x, y)


def test_the_error_tree_is_covered():
    names = {kind.__name__ for kind in ERROR_CLASSES}
    assert {"SSIError", "DuplicityError", "VerificationFailedError"} <= names
    assert len(ERROR_CLASSES) >= 40


@pytest.mark.parametrize("kind", ERROR_CLASSES, ids=lambda kind: kind.__name__)
def test_every_error_class_round_trips(kind):
    error = example(kind)

    same(round_trip(error), error)


def test_duplicity_keeps_its_evidence_and_the_log_error_its_code():
    duplicity = round_trip(example(DuplicityError))
    log = round_trip(example(InvalidDIDLogError))

    assert duplicity.metadata["duplicity"]["entries"] == [{"a": 1}, {"b": [2]}]
    assert duplicity.entry == 3
    assert log.code == "invalidLogProof"
    assert log.metadata == {"logEntry": 2}


@pytest.mark.parametrize("kind", ERROR_CLASSES, ids=lambda kind: kind.__name__)
def test_a_report_carrying_each_error_round_trips(kind):
    error = example(kind)
    inner = ssi.VerificationReport(
        "credential",
        (Check("proof", False, error.detail),),
        (Problem("proof", error),),
        (ReportWarning("holderNotSubject", "not bound."),),
    )
    report = ssi.VerificationReport(
        "presentation",
        (Check("parsing", True), Check("proof", False, error.detail)),
        (Problem("proof", error),),
        (ReportWarning("challengeNotChecked", "no challenge."), "plain"),
        (inner,),
    )

    copy = round_trip(report)

    assert copy.to_json() == report.to_json()
    assert copy.verified is False
    for x, y in zip(copy.all_problems(), report.all_problems(), strict=True):
        same(x.error, y.error)
    assert [type(w) for w in copy.warnings] == [ReportWarning, str]
    assert copy.warnings[0].code == "challengeNotChecked"
    with pytest.raises(VerificationFailedError) as raised:
        copy.raise_for_problems()
    same(round_trip(raised.value), raised.value)


def test_a_resolver_pickles_its_configuration_without_cache_or_lock(tmp_path):
    key = ed25519_key(60)
    resolver = Resolver(
        MethodRegistry(
            [KeyMethod(), JWKMethod(), AgoraMethod([FileLogSource(tmp_path)])]
        ),
        cache_ttl=12.0,
        cache_size=7,
    )
    assert resolver.resolve(ssi.did_key(key)).ok
    assert resolver._cache

    blob = pickle.dumps(resolver)
    copy = pickle.loads(blob)  # noqa: S301 - bytes this test made

    assert b"Lock" not in blob
    assert copy.registry.names == ("agora", "jwk", "key")
    assert (copy._ttl, copy._size) == (12.0, 7)
    assert not copy._cache
    assert isinstance(copy._lock, type(threading.Lock()))
    assert copy._lock is not resolver._lock
    assert copy.resolve(ssi.did_key(key)).ok
    agora = copy.registry.get("agora")
    assert isinstance(agora, AgoraMethod)
    assert agora.sources[0].path == tmp_path


def test_a_verifier_pickles_and_verifies_the_same():
    key = ed25519_key(61)
    document = ssi.issue(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": ssi.did_key(key),
            "credentialSubject": {"id": "did:example:s"},
        },
        ssi.signer(key),
        created="2024-01-01T00:00:00Z",
    )
    verifier = Verifier(resolver=Resolver(), clock=FixedClock(NOW))

    copy = round_trip(verifier)

    assert copy.clock == verifier.clock
    assert copy.skew == verifier.skew
    assert copy.verify(document).to_json() == verifier.verify(document).to_json()
    assert copy.verify(document).verified


def test_a_verifier_s_description_is_stable():
    verifier = Verifier(clock=FixedClock(NOW))

    assert verifier.description() == verifier.description()
    assert verifier.description()[0] != Verifier().description()[0]
