"""The rules a proposal is counted under, read once for a tally.

A proposal that cites a constitution is counted under that constitution's
rules; a genesis ratification (a proposal of kind ``amendment`` that cites
none) is counted under the rules it proposes, as the wire contract says.
:func:`counting_rules` picks them, checks that the constitution given is the
one cited and belongs to the proposal's community, and reads what a tally
needs from the decision kind's rule: methods, quorum, threshold, revoting,
delegation, the score and voice-credit bounds.

Quorum and threshold are read from the rules' JSON as the wire contract
writes them: a quorum is a fraction ``"p/q"`` or a decimal; a threshold is
``">p/q"``, ``">=p/q"`` or ``"none"``, applied to the count's ``support``
(None, for a method without one, meets only ``"none"``).

Spec: docs/tallies.md (Rules), docs/governance.md
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ssi.cid import object_cid
from ssi.errors import TallyError
from ssi.social.constitution import read_constitution
from ssi.social.proposal import Proposal
from ssi.social.rule_values import Threshold, parse_threshold
from ssi.social.rules import ConstitutionRules, parse_rules
from ssi.types import JsonObject

__all__ = ["CountingRules", "counting_rules", "threshold_passes"]


@dataclass(frozen=True, slots=True)
class CountingRules:
    """What a tally needs from the rules of the proposal's decision kind.

    Attributes:
        parsed: the rules, read (``ssi.social.rules.parse_rules``).
        rules_json: the rules object as it travels.
        quorum: the share of eligible weight that must be counted.
        threshold: the threshold text (``">1/2"``, ``">=2/3"``, ``"none"``).
        methods: the counting methods the kind allows.
        revoting, delegation: whether they are allowed.
        max_score, voice_credits: the bounds of score and quadratic ballots.
    """

    parsed: ConstitutionRules
    rules_json: JsonObject
    quorum: Fraction
    threshold: str
    methods: tuple[str, ...]
    revoting: bool
    delegation: bool
    max_score: int
    voice_credits: int

    def threshold_passes(self, support: Fraction | None) -> bool:
        """Whether ``support`` meets the threshold (see :func:`threshold_passes`)."""
        return threshold_passes(self.threshold, support)


def threshold_passes(rule: str | Threshold, support: Fraction | None) -> bool:
    """Apply a threshold rule to a count's support.

    ``"none"`` always passes; ``">p/q"`` needs ``support > p/q``; ``">=p/q"``
    needs ``support >= p/q`` (``Threshold.passes``); a missing support (a
    method without one) passes only ``"none"``.

    Spec: docs/tallies.md (Counting, quorum and threshold)

    Raises:
        InvalidConstitutionError: the rule is not of that form.
    """
    threshold = (
        rule if isinstance(rule, Threshold) else parse_threshold(rule, "threshold")
    )
    if support is None:
        return threshold.operator == "none"
    return threshold.passes(support)


def counting_rules(
    proposal: Proposal, constitution: JsonObject | None
) -> CountingRules:
    """Return the rules ``proposal`` is counted under.

    Spec: docs/tallies.md (Rules)

    Raises:
        TallyError: a constitution is cited and not given, or the one given
            is not the one cited or not the community's; a genesis proposal
            that is not an amendment; a kind the rules do not define.
        ParsingError, MalformedValueError: the constitution is not one.
        InvalidConstitutionError: the rules are inconsistent.
    """
    if proposal.constitution is None:
        if proposal.kind != "amendment" or proposal.amendment is None:
            raise TallyError(
                "a proposal that cites no constitution must be a genesis "
                "amendment carrying the rules it proposes."
            )
        rules_json = proposal.amendment
        parsed = parse_rules(rules_json, path="$.credentialSubject.amendment")
    else:
        if constitution is None:
            raise TallyError(
                f"the proposal cites the constitution {proposal.constitution}; "
                "give it to count the proposal."
            )
        if object_cid(constitution) != proposal.constitution:
            raise TallyError(
                "the constitution given is not the one the proposal cites "
                f"({proposal.constitution})."
            )
        read = read_constitution(constitution)
        if read.community != proposal.community:
            raise TallyError(
                "the constitution given is not issued by the proposal's community."
            )
        rules_json, parsed = read.rules_json, read.rules
    kind = parsed.kind(proposal.kind)
    if kind is None:
        raise TallyError(f"the rules define no decision kind {proposal.kind[:40]!r}.")
    return CountingRules(
        parsed=parsed,
        rules_json=rules_json,
        quorum=kind.quorum,
        threshold=str(kind.threshold),
        methods=kind.methods,
        revoting=parsed.revoting,
        delegation=parsed.delegation,
        max_score=parsed.max_score,
        voice_credits=parsed.voice_credits,
    )
