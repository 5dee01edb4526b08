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
from ssi.social.constitution import ConstitutionRules, parse_rules, read_constitution
from ssi.social.proposal import Proposal
from ssi.social.tally_result import fraction_json
from ssi.types import JsonObject

__all__ = ["CountingRules", "counting_rules", "threshold_passes"]


@dataclass(frozen=True, slots=True)
class CountingRules:
    """What a tally needs from the rules of the proposal's decision kind.

    Attributes:
        parsed: the rules as ``ssi.social.constitution`` reads them.
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


def threshold_passes(rule: str, support: Fraction | None) -> bool:
    """Apply a threshold rule to a count's support.

    ``"none"`` always passes; ``">p/q"`` needs ``support > p/q``; ``">=p/q"``
    needs ``support >= p/q``; a missing support passes only ``"none"``.

    Spec: docs/tallies.md (Quorum and threshold)

    Raises:
        TallyError: the rule is not of that form.
    """
    if rule == "none":
        return True
    strict = not rule.startswith(">=")
    bound = fraction_json(rule[1:] if strict else rule[2:])
    if not rule.startswith(">") or bound is None:
        raise TallyError(f"the threshold {rule[:40]!r} is not >p/q, >=p/q or none.")
    if support is None:
        return False
    return support > bound if strict else support >= bound


def counting_rules(
    proposal: Proposal, constitution: JsonObject | None
) -> CountingRules:
    """Return the rules ``proposal`` is counted under.

    Spec: docs/tallies.md (Rules)

    Raises:
        TallyError: a constitution is cited and not given, or the one given
            is not the one cited or not the community's; a genesis proposal
            that is not an amendment.
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
        read_constitution(constitution)
        if constitution.get("issuer") != proposal.community:
            raise TallyError(
                "the constitution given is not issued by the proposal's community."
            )
        subject = constitution["credentialSubject"]
        assert isinstance(subject, dict)  # noqa: S101 - read_constitution checked
        found = subject.get("rules")
        assert isinstance(found, dict)  # noqa: S101 - read_constitution checked
        rules_json = found
    parsed = parse_rules(rules_json)
    kinds = rules_json["kinds"]
    assert isinstance(kinds, dict)  # noqa: S101 - parse_rules checked
    kind = kinds[proposal.kind]
    assert isinstance(kind, dict)  # noqa: S101 - parse_rules checked
    quorum = fraction_json(kind["quorum"])
    assert quorum is not None  # noqa: S101 - parse_rules checked
    methods = kind["methods"]
    assert isinstance(methods, list)  # noqa: S101 - parse_rules checked
    return CountingRules(
        parsed=parsed,
        rules_json=rules_json,
        quorum=quorum,
        threshold=str(kind["threshold"]),
        methods=tuple(str(m) for m in methods),
        revoting=rules_json.get("revoting") is True,
        delegation=rules_json.get("delegation") is True,
        max_score=_integer(rules_json.get("maxScore"), 5),
        voice_credits=_integer(rules_json.get("voiceCredits"), 100),
    )


def _integer(value: object, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return default
