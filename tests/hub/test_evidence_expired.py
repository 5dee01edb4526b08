"""A hub keeps credentials whose validity period has ended as evidence, their
expiry recorded (hub.evidence): a moderation case that cites an ended mandate
is decided from the hub as from the same objects locally; a credential not
yet valid, or one with any other problem, is still refused; a replica copies
the expired evidence too."""

from __future__ import annotations

import copy
import io
import warnings
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from hub import objects
from hub.evidence import EXPIRED_WARNING, ExpiryRecorded, expiry_recorded
from hub.intake import Intake, PullReport
from hub.logbook import MemoryLogBook
from hub.settings import HubSettings
from hub.state import HubState
from hub.views import router
from ssi.bundle import pack
from ssi.cid import object_cid
from ssi.credentials import FixedClock, Verifier
from ssi.social import ModerationEvidence
from ssi.status import BitstringStatusChecker, MemoryStatusSource
from ssi.store import SQLiteStore
from tests.unit.social.moderation_world import (
    AT,
    AUTHOR,
    ELECTED,
    EXPIRES,
    REPORTER,
    REVOKES,
    START,
    ModerationWorld,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


def _verifier(
    world: ModerationWorld, *, first_lists: bool = False, **kwargs: Any
) -> Verifier:
    source = MemoryStatusSource()
    lists = reversed(world.lists) if first_lists else world.lists
    for listed in lists:  # the version added last wins
        source.add(listed)
    return Verifier(status=BitstringStatusChecker(source), **kwargs)


@pytest.fixture(scope="module")
def world() -> ModerationWorld:
    return ModerationWorld()


@pytest.fixture(scope="module")
def case(world: ModerationWorld) -> dict[str, Any]:
    """A post labelled by a moderator in office and by the one whose
    mandate had ended (``EXPIRES``)."""
    post = world.post("Cheap engines, buy now", minutes=1)
    ended = world.members[EXPIRES]
    seated = [
        world.members[i]
        for i in ELECTED
        if i not in (EXPIRES, REVOKES, REPORTER, AUTHOR)
    ]
    acts = [
        world.report(REPORTER, post),
        world.label(seated[0], post, minutes=10),
        world.label(ended, post, minutes=20),
    ]
    documents = [*world.governance(), *world.election_inputs, post, *acts]
    return {"post": post, "ended": ended, "documents": documents}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, world, case) -> Any:
    root = tmp_path_factory.mktemp("evidence")
    store = SQLiteStore(root / "hub.sqlite")
    app = FastAPI()
    verifier = _verifier(world, clock=FixedClock(AT))
    app.state.hub = HubState(HubSettings(db=str(root / "hub.sqlite")), store, verifier)
    app.state.hub_logs = MemoryLogBook()
    app.include_router(objects.router)
    app.include_router(router())
    with TestClient(app) as client:
        yield client
    store.close()


def test_an_expired_mandate_verifies_with_its_expiry_recorded(world):
    mandate = world.mandates[EXPIRES]
    plain = _verifier(world, clock=FixedClock(AT))
    refused = plain.verify(mandate)
    assert not refused.verified
    assert [p.error.code for p in refused.problems] == ["RANGE_ERROR"]
    kept = expiry_recorded(plain).verify(mandate)
    assert kept.verified
    assert EXPIRED_WARNING in kept.warnings
    [validity] = [check for check in kept.checks if check.name == "validity"]
    assert validity.passed
    assert validity.detail.startswith("expired at ")
    report, parsed = expiry_recorded(plain).verify_read(mandate)
    assert report == kept
    assert parsed is not None
    assert expiry_recorded(plain).verify_many([mandate, mandate]) == [kept, kept]


def test_a_mandate_in_force_gets_no_expiry_note(world):
    mandate = world.mandates[ELECTED[0]]
    report = expiry_recorded(_verifier(world, clock=FixedClock(AT))).verify(mandate)
    assert report.verified
    assert EXPIRED_WARNING not in report.warnings


def test_a_mandate_not_yet_valid_is_still_refused(world):
    early = FixedClock(START - timedelta(days=1))
    verifier = _verifier(world, first_lists=True, clock=early)
    report = expiry_recorded(verifier).verify(world.mandates[EXPIRES])
    assert not report.verified
    assert [p.check for p in report.problems] == ["validity"]
    assert "not valid yet" in report.problems[0].detail


def test_a_tampered_expired_mandate_is_still_refused(world):
    tampered = copy.deepcopy(world.mandates[EXPIRES])
    tampered["credentialSubject"]["id"] = world.members[AUTHOR]
    report = expiry_recorded(_verifier(world, clock=FixedClock(AT))).verify(tampered)
    assert not report.verified
    assert {p.check for p in report.problems} >= {"proof", "validity"}


def test_an_expired_mandate_of_an_unknown_signer_is_still_refused(world):
    stranger = ModerationWorld(stewards=True)
    verifier = expiry_recorded(_verifier(world, clock=FixedClock(AT)))
    report = verifier.verify(stranger.mandates[EXPIRES])
    assert not report.verified
    assert any(p.check.startswith("proof") for p in report.problems)


def test_the_hub_stores_the_expired_mandate(hub, world, case):
    answer = hub.post("/objects", json=case["documents"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    outcomes = {item["cid"]: item["outcome"] for item in body["results"]}
    assert outcomes[object_cid(world.mandates[EXPIRES])] == "stored"
    # The forged tally (and so the mandate it seats) is all that is refused.
    refused = [item for item in body["results"] if item["outcome"] == "rejected"]
    assert all(
        {p["check"] for p in item["problems"]} != {"validity"} for item in refused
    )
    stored = hub.get(f"/objects/{object_cid(world.mandates[EXPIRES])}")
    assert stored.status_code == 200
    assert stored.json()["document"] == world.mandates[EXPIRES]


def test_the_case_from_the_hub_matches_the_local_one(hub, world, case):
    hub.post("/objects", json=case["documents"])  # idempotent: present
    post = object_cid(case["post"])
    answer = hub.get(f"/cases/{post}", params={"at": AT.isoformat()})
    assert answer.status_code == 200, answer.text
    evidence = ModerationEvidence.from_objects(
        case["documents"], community=world.community, at=AT
    )
    [local] = [c for c in evidence.cases() if c.post == post]
    expected = evidence.decide(local, at=AT).to_json()
    assert answer.json()["items"] == [expected]
    # The ended mandate is cited and judged expired, not in force (a hub
    # without it would answer notModerator).
    reasons = {label["actor"]: label["reason"] for label in expected["labels"]}
    assert reasons[case["ended"]] == "expired"
    assert expected["state"] != "applied"


def test_a_replica_copies_the_expired_evidence(tmp_path, world, case):
    store = SQLiteStore(tmp_path / "replica.sqlite")
    report = PullReport("https://source.example")
    pages = [
        [{"cid": object_cid(document), "document": document} for document in page]
        for page in (world.lists, case["documents"])  # the lists come first
    ]
    with httpx.Client() as http:
        intake = Intake(store, Verifier(clock=FixedClock(AT)), report, http=http)
        assert isinstance(intake.verifier, ExpiryRecorded)
        results = [result for page in pages for result in intake.add(page)]
    mandate = object_cid(world.mandates[EXPIRES])
    assert {r.cid: r.outcome for r in results}[mandate] == "stored"
    assert mandate not in {refusal.cid for refusal in report.refused}
    assert store.get(mandate).document == world.mandates[EXPIRES]
    store.close()


def test_a_bundle_pushed_to_the_hub_keeps_the_expired_mandate(tmp_path, world):
    ended, seated = world.mandates[EXPIRES], world.mandates[ELECTED[0]]
    tampered = copy.deepcopy(ended)
    tampered["credentialSubject"]["id"] = world.members[AUTHOR]
    lists = MemoryStatusSource()
    for listed in world.lists:
        lists.add(listed)
    out = io.BytesIO()
    pack([ended, seated, tampered, ended], out, status_lists=lists)
    store = SQLiteStore(tmp_path / "hub.sqlite")
    app = FastAPI()
    settings = HubSettings(db=str(tmp_path / "hub.sqlite"), at=AT.isoformat())
    app.state.hub = HubState(settings, store, Verifier(clock=settings.clock))
    app.state.hub_logs = MemoryLogBook()
    app.include_router(objects.router)
    with TestClient(app) as client:
        answer = client.post(
            "/objects",
            content=out.getvalue(),
            headers={"content-type": "application/vnd.agora.bundle+jsonl"},
        )
    store_cids = {item.cid for item in store.query(limit=100).items}
    store.close()
    assert answer.status_code == 200, answer.text
    outcomes = [(r["cid"], r["outcome"]) for r in answer.json()["results"]]
    assert outcomes == [
        (object_cid(ended), "stored"),
        (object_cid(seated), "stored"),
        (object_cid(tampered), "rejected"),
        (object_cid(ended), "present"),  # the same object again
    ]
    assert object_cid(ended) in store_cids
    assert object_cid(tampered) not in store_cids
