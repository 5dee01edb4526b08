"""Derived records (docs/store.md, Derived records), run against every backend:
a deriver's record goes in with each object stored, in the same transaction,
and ``derived`` reads the records back, by type, in insertion order, with
None where there is none."""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from ssi.cid import object_cid
from ssi.credentials.model import Credential
from ssi.errors import StoreError
from ssi.store import Deriver, ObjectStore, ParsedDeriver
from ssi.types import JsonObject, JsonValue

from .objects import COMMUNITY, post, reaction, retraction, verifier

P0 = post(0, 301, community=COMMUNITY)
P1 = post(1, 302, reply_to=object_cid(P0))
R0 = reaction(2, 303, object_cid(P0))
X0 = retraction(0, 304, object_cid(P0))


@dataclass
class Kinds:
    """A deriver for the tests: the object's types and author; no record for
    reactions; counts its calls."""

    name: str = "test/1"
    calls: list[str] = field(default_factory=list)

    def __call__(self, document: JsonObject) -> JsonValue | None:
        self.calls.append(object_cid(document))
        if "Reaction" in document["type"]:  # type: ignore[operator]
            return None
        return {"types": document["type"], "author": document["issuer"], "n": 1.5}


def _record(document: dict[str, Any]) -> JsonValue:
    return {"types": document["type"], "author": document["issuer"], "n": 1.5}


def test_a_deriver_is_a_protocol_the_test_deriver_meets():
    assert isinstance(Kinds(), Deriver)


def test_records_go_in_with_the_objects_and_come_back_in_order(store: ObjectStore):
    kinds = Kinds()
    results = store.add([P0, R0, P1, X0], verifier=verifier(), derive=kinds)
    assert [r.outcome for r in results] == ["stored"] * 4
    assert list(store.derived("test/1")) == [
        (object_cid(P0), _record(P0)),
        (object_cid(R0), None),  # the deriver kept nothing
        (object_cid(P1), _record(P1)),
        (object_cid(X0), _record(X0)),
    ]
    assert list(store.derived("test/1", type="Post")) == [
        (object_cid(P0), _record(P0)),
        (object_cid(P1), _record(P1)),
    ]
    assert list(store.derived("test/1", type="Retraction")) == [
        (object_cid(X0), _record(X0))
    ]
    assert list(store.derived("test/1", type="Vote")) == []
    # Another name has no records: every object, with None.
    assert list(store.derived("other/1", type="Post")) == [
        (object_cid(P0), None),
        (object_cid(P1), None),
    ]


def test_only_objects_stored_now_are_derived(store: ObjectStore):
    """Rejected and present objects are not given to the deriver; objects
    stored without a deriver have no record."""
    store.add([P0], verifier=verifier())
    tampered = copy.deepcopy(P1)
    tampered["credentialSubject"]["content"] = "changed"
    kinds = Kinds()
    results = store.add([P0, tampered, X0, X0], verifier=verifier(), derive=kinds)
    assert [r.outcome for r in results] == ["present", "rejected", "stored", "present"]
    assert kinds.calls == [object_cid(X0)]
    assert list(store.derived("test/1")) == [
        (object_cid(P0), None),
        (object_cid(X0), _record(X0)),
    ]


def test_a_deriver_that_fails_stores_nothing_of_the_batch(store: ObjectStore):
    def failing(document: JsonObject) -> JsonValue:
        if document is not P0:
            raise RuntimeError("the deriver broke")
        return 1

    failing.name = "failing/1"  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError):
        store.add([P0, P1], verifier=verifier(), derive=failing)  # type: ignore[arg-type]
    assert store.count() == 0
    assert list(store.derived("failing/1")) == []


def test_a_record_json_cannot_write_is_a_programming_error(store: ObjectStore):
    @dataclass(frozen=True)
    class Bad:
        name: str = "bad/1"

        def __call__(self, document: JsonObject) -> Any:
            return {"nan": float("nan")}

    with pytest.raises(ValueError, match="JSON"):
        store.add([P0], verifier=verifier(), derive=Bad())
    assert store.count() == 0


@pytest.mark.parametrize(
    ("deriver", "error"),
    [
        ("not callable", TypeError),
        (lambda document: None, TypeError),  # no name
        (Kinds(name=""), ValueError),
        (Kinds(name="x" * 65), ValueError),
    ],
)
def test_bad_derivers_are_programming_errors(store: ObjectStore, deriver, error):
    with pytest.raises(error):
        store.add([P0], verifier=verifier(), derive=deriver)
    assert store.count() == 0


def test_bad_arguments_and_a_closed_store(store: ObjectStore):
    with pytest.raises(TypeError):
        store.derived(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.derived("test/1", type=["Post"])  # type: ignore[arg-type]
    store.close()
    with pytest.raises(StoreError):
        store.derived("test/1")


def test_records_of_many_objects_span_pages(store: ObjectStore, monkeypatch):
    """Whatever a backend's page size, every record comes once, in order."""
    monkeypatch.setattr(type(store), "_derived_page", 2)
    documents = [post(0, 400 + n) for n in range(5)]
    store.add(documents[:2], verifier=verifier())
    store.add(documents[2:], verifier=verifier(), derive=Kinds())
    found = list(store.derived("test/1", type="Post"))
    assert [cid for cid, _ in found] == [object_cid(d) for d in documents]
    assert [record is None for _, record in found] == [True, True, False, False, False]
    assert len(list(store.derived("test/1"))) == 5


@dataclass
class Reading(Kinds):
    """A deriver that also reads the summary verification parsed; notes which
    way each object came."""

    name: str = "reading/1"
    ways: list[str] = field(default_factory=list)

    def derive_parsed(
        self, document: JsonObject, parsed: Credential
    ) -> JsonValue | None:
        assert parsed.document is document  # the summary of this very object
        self.ways.append("parsed")
        return self(document)


def test_a_parsed_deriver_reads_what_verification_parsed(store: ObjectStore):
    """Verified in this process, each credential's parsed summary goes to
    ``derive_parsed``; the records are those ``__call__`` gives."""
    reading = Reading()
    assert isinstance(reading, ParsedDeriver)
    assert not isinstance(Kinds(), ParsedDeriver)
    results = store.add([P0, R0, P1], verifier=verifier(), derive=reading)
    assert [r.outcome for r in results] == ["stored"] * 3
    assert reading.ways == ["parsed"] * 3
    assert list(store.derived("reading/1")) == [
        (object_cid(P0), _record(P0)),
        (object_cid(R0), None),
        (object_cid(P1), _record(P1)),
    ]


def test_with_an_executor_a_parsed_deriver_reads_the_documents(store: ObjectStore):
    """Verified elsewhere, nothing parsed comes back: the deriver is called on
    the document, with the same records."""
    reading = Reading()
    with ThreadPoolExecutor(2) as pool:
        results = store.add(
            [P0, X0], verifier=verifier(), derive=reading, executor=pool
        )
    assert [r.outcome for r in results] == ["stored"] * 2
    assert reading.ways == []
    assert reading.calls == [object_cid(P0), object_cid(X0)]
    assert list(store.derived("reading/1")) == [
        (object_cid(P0), _record(P0)),
        (object_cid(X0), _record(X0)),
    ]
