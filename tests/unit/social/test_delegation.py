"""Delegation: chains, overrides, cycles, scopes by tag, the latest per scope,
and linear work on a long chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ssi.social.ballot import Delegation
from ssi.social.delegation import choose_delegations, resolve_delegations

T = datetime(2026, 1, 1, tzinfo=UTC)
CLOSES = T + timedelta(days=30)
COMMUNITY = "did:example:community"


def d(delegator, delegate, *, tag=None, day=0):
    return Delegation(delegator, COMMUNITY, delegate, tag, T + timedelta(days=day))


def run(delegations, voters, tags=()):
    chosen = choose_delegations(
        [(item, f"cid-{i:04d}") for i, item in enumerate(delegations)],
        tags=tags,
        closes=CLOSES,
    )
    return resolve_delegations(chosen, voters)


def test_a_chain_carries_every_weight_to_the_first_voter():
    outcome = run([d("a", "b"), d("b", "c"), d("c", "v")], {"v"})
    assert outcome.weights == {"v": 4}
    assert outcome.reached == {"a": "v", "b": "v", "c": "v"}
    assert outcome.lost == {}
    assert outcome.cycles == ()


def test_a_direct_ballot_overrides_the_voters_own_delegation():
    outcome = run([d("a", "b"), d("b", "c")], {"b", "c"})
    assert outcome.weights == {"b": 2, "c": 1}
    assert outcome.reached == {"a": "b"}


def test_a_cycle_carries_no_weight_and_is_reported_once():
    outcome = run([d("x", "y"), d("y", "z"), d("z", "x"), d("t", "x")], {"v"})
    assert outcome.weights == {"v": 1}
    assert outcome.cycles == (("x", "y", "z"),)
    assert outcome.lost == {"t": "cycle", "x": "cycle", "y": "cycle", "z": "cycle"}


def test_a_cycle_with_a_voter_on_it_is_no_cycle():
    outcome = run([d("x", "y"), d("y", "x")], {"y"})
    assert outcome.weights == {"y": 2}
    assert outcome.cycles == ()


def test_a_chain_ending_at_a_non_voter_carries_no_weight():
    outcome = run([d("a", "b"), d("b", "c")], {"v"})
    assert outcome.lost == {"a": "noVoter", "b": "noVoter"}
    assert outcome.weights == {"v": 1}


def test_the_latest_delegation_per_scope_counts_and_withdrawals_empty_it():
    later = run([d("a", "b", day=1), d("a", "c", day=2)], {"b", "c"})
    assert later.reached == {"a": "c"}
    withdrawn = run([d("a", "b", day=1), d("a", None, day=2)], {"b"})
    assert withdrawn.reached == {}
    assert withdrawn.weights == {"b": 1}
    after_close = run([d("a", "b", day=1), d("a", "c", day=31)], {"b", "c"})
    assert after_close.reached == {"a": "b"}


def test_ties_in_time_go_to_the_larger_cid():
    outcome = run([d("a", "b", day=1), d("a", "c", day=1)], {"b", "c"})
    assert outcome.reached == {"a": "c"}  # cid-0001 > cid-0000


def test_scopes_by_tag():
    delegations = [
        d("a", "general"),
        d("a", "budget", tag="budget", day=1),
        d("a", "parks", tag="parks", day=2),
    ]
    voters = {"general", "budget", "parks"}
    assert run(delegations, voters).reached == {"a": "general"}
    assert run(delegations, voters, ("budget",)).reached == {"a": "budget"}
    assert run(delegations, voters, ("budget", "parks")).reached == {"a": "parks"}
    assert run(delegations, voters, ("roads",)).reached == {"a": "general"}
    # A withdrawn tag scope falls back to the untagged delegation.
    withdrawn = [*delegations, d("a", None, tag="parks", day=3)]
    assert run(withdrawn, voters, ("parks",)).reached == {"a": "general"}


def test_a_chain_of_100000_is_followed_in_linear_steps():
    size = 100_000
    chosen = {f"m{i}": (f"m{i + 1}", f"c{i}") for i in range(size)}
    outcome = resolve_delegations(chosen, {f"m{size}"})
    assert outcome.weights == {f"m{size}": size + 1}
    assert outcome.steps == size
    ring = {f"m{i}": (f"m{(i + 1) % size}", f"c{i}") for i in range(size)}
    looped = resolve_delegations(ring, set())
    assert looped.steps == size
    assert len(looped.cycles) == 1
    assert len(looped.lost) == size


@given(
    st.dictionaries(st.integers(0, 30), st.integers(0, 30), max_size=30).map(
        lambda m: {f"n{k}": (f"n{v}", f"c{k}") for k, v in m.items() if k != v}
    ),
    st.sets(st.integers(0, 30), max_size=10).map(lambda s: {f"n{i}" for i in s}),
)
def test_weight_is_conserved(chosen, voters):
    outcome = resolve_delegations(chosen, voters)
    delegators = {x for x in chosen if x not in voters}
    assert sum(outcome.weights.values()) == len(voters) + len(outcome.reached)
    assert set(outcome.reached) | set(outcome.lost) == delegators
    assert not set(outcome.reached) & set(outcome.lost)
    assert outcome.steps <= len(chosen)
    for cycle in outcome.cycles:
        assert not set(cycle) & voters
