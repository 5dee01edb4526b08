"""Resolve delegations: whose ballot carries whose weight.

Pure and linear: given the delegations that count (read from verified
credentials of eligible members, in the proposal's community), the members
who cast a counted ballot themselves, the proposal's tags and its closing
time, :func:`resolve_delegations` picks each delegator's delegation for the
proposal and follows the chains:

- per delegator and scope (a tag, or every decision), the latest delegation
  with ``validFrom`` not after ``closes`` counts (ties: the larger CID); a
  withdrawal counts like any delegation, and leaves that scope empty;
- for a proposal with tags, a delegator's delegation in a scope among the
  tags is used (several: the latest of them, same order), else their
  untagged one;
- a direct ballot overrides: a member who voted carries their own weight,
  whatever they delegated, and a chain stops at the first member who voted;
- a chain that reaches a member who did not vote and delegated nothing
  carries no weight (``noVoter``); members whose chains run into a cycle
  with no voter on it carry no weight (``cycle``), and each such cycle is
  reported once.

Chains are followed iteratively, each member at most once, so the work is
linear in the number of delegations (``steps`` counts it).

Spec: docs/tallies.md (Delegation)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from ssi.social.ballot import Delegation

__all__ = [
    "LOST_REASONS",
    "DelegationOutcome",
    "choose_delegations",
    "resolve_delegations",
]

LOST_REASONS: Final = ("cycle", "noVoter")
"""Why a delegator's weight counts for nobody."""

_UNSEEN: Final = 0
_ON_PATH: Final = 1
_DONE: Final = 2


@dataclass(frozen=True, slots=True)
class DelegationOutcome:
    """Where every delegated weight went.

    Attributes:
        weights: per member who voted, their weight: 1 plus every delegator
            whose chain ends at them.
        reached: per delegator whose weight counts, the voter it reached.
        lost: per delegator whose weight counts for nobody, the reason
            (``cycle`` or ``noVoter``).
        cycles: the cycles with no voter on them, each as its members from
            the smallest DID on, in delegation order; sorted.
        used: per delegator, the CID of the delegation used.
        steps: the delegation edges followed (linear in the delegations).
    """

    weights: Mapping[str, int]
    reached: Mapping[str, str]
    lost: Mapping[str, str]
    cycles: tuple[tuple[str, ...], ...]
    used: Mapping[str, str] = field(default_factory=dict)
    steps: int = 0


def choose_delegations(
    delegations: Iterable[tuple[Delegation, str]],
    *,
    tags: Collection[str],
    closes: datetime,
) -> dict[str, tuple[str, str]]:
    """Pick each delegator's delegation for a proposal: ``{delegator:
    (delegate, cid)}``.

    ``delegations`` are ``(delegation, cid)`` pairs, already verified and
    from eligible members of the proposal's community.

    Spec: docs/tallies.md (Delegation)
    """
    latest: dict[tuple[str, str | None], tuple[datetime, str, Delegation]] = {}
    for delegation, cid in delegations:
        if delegation.at > closes:
            continue
        key = (delegation.delegator, delegation.tag)
        known = latest.get(key)
        if known is None or (delegation.at, cid) > (known[0], known[1]):
            latest[key] = (delegation.at, cid, delegation)
    tagged: dict[str, tuple[datetime, str, Delegation]] = {}
    untagged: dict[str, tuple[datetime, str, Delegation]] = {}
    for (delegator, tag), entry in latest.items():
        if entry[2].delegate is None:
            continue
        if tag is None:
            untagged[delegator] = entry
        elif tag in tags:
            known = tagged.get(delegator)
            if known is None or entry[:2] > known[:2]:
                tagged[delegator] = entry
    chosen: dict[str, tuple[str, str]] = {}
    for delegator in sorted(set(tagged) | set(untagged)):
        entry = tagged.get(delegator) or untagged[delegator]
        delegate = entry[2].delegate
        assert delegate is not None  # noqa: S101 - withdrawals were skipped
        chosen[delegator] = (delegate, entry[1])
    return chosen


def resolve_delegations(
    chosen: Mapping[str, tuple[str, str]], voters: Collection[str]
) -> DelegationOutcome:
    """Follow the chosen delegations to the members who voted.

    Args:
        chosen: ``{delegator: (delegate, cid)}`` from :func:`choose_delegations`.
        voters: the members whose own ballot counts (weight 1 each).

    Spec: docs/tallies.md (Delegation)
    """
    weights: dict[str, int] = dict.fromkeys(voters, 1)
    state: dict[str, int] = {}
    target: dict[str, str | None] = {}
    lost: dict[str, str] = {}
    cycles: list[tuple[str, ...]] = []
    steps = 0
    for start in sorted(chosen):
        if start in weights or state.get(start, _UNSEEN) == _DONE:
            continue
        path: list[str] = []
        node = start
        end: str | None
        reason = "noVoter"
        while True:
            if node in weights:
                end = node
                break
            seen = state.get(node, _UNSEEN)
            if seen == _DONE:
                end = target[node]
                reason = lost.get(node, "noVoter")
                break
            if seen == _ON_PATH:
                cycle = path[path.index(node) :]
                cycles.append(_rotate(cycle))
                end, reason = None, "cycle"
                break
            next_hop = chosen.get(node)
            if next_hop is None:
                end = None
                break
            state[node] = _ON_PATH
            path.append(node)
            node = next_hop[0]
            steps += 1
        for member in path:
            state[member] = _DONE
            target[member] = end
            if end is None:
                lost[member] = reason
    reached: dict[str, str] = {}
    for delegator in chosen:
        if delegator in weights:
            continue
        end = target.get(delegator)
        if end is not None:
            reached[delegator] = end
            weights[end] += 1
    return DelegationOutcome(
        weights=weights,
        reached=reached,
        lost={d: lost[d] for d in sorted(lost)},
        cycles=tuple(sorted(cycles)),
        used={d: chosen[d][1] for d in sorted(chosen) if d not in voters},
        steps=steps,
    )


def _rotate(cycle: Sequence[str]) -> tuple[str, ...]:
    first = cycle.index(min(cycle))
    return tuple(cycle[first:]) + tuple(cycle[:first])
