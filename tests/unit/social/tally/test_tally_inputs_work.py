"""check_inputs does each input's work once: one data model parse per input
(the verifier's, handed to the kind's reader), the same values as reading
the document afresh."""

from __future__ import annotations

from collections import Counter

import pytest

import ssi
import ssi.credentials.model
from ssi.credentials.verifier import Verifier
from ssi.social.ballot import read_ballot, read_delegation
from ssi.social.community import read_membership
from ssi.social.proposal import read_signal
from ssi.social.tally_inputs import _read, check_inputs, tally_verifier
from tests.unit.social.tally.world import CLOSES, World


@pytest.fixture
def parses(monkeypatch):
    counts: Counter[int] = Counter()
    real = ssi.credentials.model._credential

    def counted(document, path):
        counts[id(document)] += 1
        return real(document, path)

    monkeypatch.setattr(ssi.credentials.model, "_credential", counted)
    return counts


def _inputs(world: World):
    proposal = world.proposal()
    ballots = [world.ballot(i, proposal, "a") for i in range(3)]
    delegation = world.delegation(4, 3)
    return world.inputs(proposal, ballots, [delegation])


def test_each_input_is_parsed_once(parses):
    world = World()
    inputs = _inputs(world)
    checked = check_inputs(inputs, verifier=tally_verifier(at=CLOSES))
    kinds = Counter(item.kind for item in checked)
    assert kinds == Counter(
        membership=6, statusList=2, signal=2, ballot=3, delegation=1
    )
    for document in inputs:
        # A status list is parsed again by its own reader (and by nothing else).
        once = "BitstringStatusListCredential" not in document["type"]
        assert parses[id(document)] == (1 if once else 2)


def test_the_values_are_those_read_afresh():
    world = World()
    inputs = _inputs(world)
    checked = check_inputs(inputs, verifier=tally_verifier(at=CLOSES))
    by_cid = {ssi.object_cid(document): document for document in inputs}
    for item in checked:
        fresh = _read(item.cid, item.kind, item.signed, by_cid[item.cid])
        assert fresh == item


def test_verify_read_gives_the_report_of_verify_and_the_parsed_credential():
    world = World()
    verifier = Verifier(clock=lambda: CLOSES)
    document = world.memberships[0]
    report, parsed = verifier.verify_read(document)
    assert report.to_json() == verifier.verify(document).to_json()
    assert parsed is not None
    assert parsed.document is document
    assert parsed.issuer == world.community
    broken = dict(document, type="Nonsense")
    report, parsed = verifier.verify_read(broken)
    assert not report.verified
    assert parsed is None
    assert verifier.verify_read("{not json")[1] is None


def test_a_reader_ignores_the_summary_of_another_document(parses):
    world = World()
    proposal = world.proposal()
    ballot = world.ballot(0, proposal, "a")
    other = world.ballot(1, proposal, "b")
    summary = ssi.credentials.model.parse_credential(other)
    parses.clear()
    assert read_ballot(ballot, parsed=summary) == read_ballot(ballot)
    assert parses[id(ballot)] == 2  # read twice, afresh each time
    own = ssi.credentials.model.parse_credential(ballot)
    parses.clear()
    assert read_ballot(ballot, parsed=own) == read_ballot(ballot)
    assert parses[id(ballot)] == 1  # only the call without it
    membership = world.memberships[0]
    mine = ssi.credentials.model.parse_credential(membership)
    assert read_membership(membership, parsed=mine) == read_membership(membership)
    assert read_membership(membership, parsed=summary) == read_membership(membership)
    delegation = world.delegation(4, 3)
    assert read_delegation(
        delegation, parsed=ssi.credentials.model.parse_credential(delegation)
    ) == read_delegation(delegation)
    signal = world.signals(proposal)[0]
    assert read_signal(
        signal, parsed=ssi.credentials.model.parse_credential(signal)
    ) == read_signal(signal)


def test_checked_inputs_pickle_as_constructor_calls():
    import pickle

    world = World()
    checked = check_inputs(_inputs(world), verifier=tally_verifier(at=CLOSES))
    for item in checked:
        assert item.__reduce__()[0] is type(item)
        if item.kind in ("ballot", "delegation", "signal", "membership"):
            assert item.value.__reduce__()[0] is type(item.value)
        assert all(e.__reduce__()[0] is type(e) for e in item.entries if e)
        assert pickle.loads(pickle.dumps(item)) == item  # noqa: S301 - our own bytes


def test_a_tally_checks_and_decides_with_the_collector_paused(monkeypatch):
    import gc

    import ssi.social.tally as tally
    import ssi.social.tally_inputs as tally_inputs

    seen: list[tuple[str, bool]] = []

    def recorded(name, function):
        def wrapper(*args, **kwargs):
            seen.append((name, gc.isenabled()))
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        tally_inputs, "_check_chunk", recorded("check", tally_inputs._check_chunk)
    )
    monkeypatch.setattr(tally, "_decide", recorded("decide", tally._decide))
    world = World()
    proposal = world.proposal()
    inputs = world.inputs(proposal, [world.ballot(i, proposal, "a") for i in range(4)])
    result = tally.compute_tally(proposal, inputs, constitution=world.constitution)
    assert len(result.counted) == 4
    assert seen == [("check", False), ("check", False), ("decide", False)]
    assert gc.isenabled()
    gc.disable()
    try:
        tally.compute_tally(proposal, inputs, constitution=world.constitution)
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
