"""The rules of a constitution: who may propose, the signals a proposal
needs, the voting period, the decision kinds with their counting methods,
quorum and threshold, revoting, delegation, ballot bounds and moderation.

The rules object is JSON with camelCase members (docs/governance.md lists
each, with its constraints). :func:`parse_rules` reads and checks it,
refusing inconsistent rules with :class:`~ssi.errors.InvalidConstitutionError`
naming the precise field (``kinds.amendment.threshold``);
:func:`rules_to_json` writes the canonical object back.

Spec: docs/governance.md (Constitution rules)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from typing import Final

from ssi.errors import InvalidConstitutionError, MalformedValueError
from ssi.jsonld.canon import canonicalize_jcs
from ssi.social import _fields as f
from ssi.social.counting._common import METHODS
from ssi.social.rule_values import (
    Threshold,
    fail,
    format_duration,
    format_fraction,
    parse_duration,
    parse_fraction,
    parse_threshold,
)
from ssi.types import JsonObject, JsonValue

__all__ = [
    "COUNTING_METHODS",
    "FIXED_KINDS",
    "LABEL_ACTIONS",
    "MAX_PREAMBLE_BYTES",
    "ConstitutionRules",
    "KindRule",
    "Label",
    "ModerationRules",
    "SignalRule",
    "VotingPeriod",
    "parse_rules",
    "rules_equal",
    "rules_to_json",
]

COUNTING_METHODS: Final = METHODS
"""The counting methods a kind may allow (docs/counting.md defines each)."""
FIXED_KINDS: Final = ("ordinary", "amendment", "election", "recall")
"""The decision kinds every constitution defines."""
LABEL_ACTIONS: Final = ("hide", "warn", "inform")
"""What a moderation label may ask a reader's feed to do."""
MAX_PREAMBLE_BYTES: Final = 64 * 1024
"""The longest preamble, in bytes of UTF-8."""
MAX_ROLES: Final = 32
MAX_KINDS: Final = 32
MAX_LABELS: Final = 64
MAX_PANEL: Final = 1000
MAX_SCORE: Final = 1000
MAX_VOICE_CREDITS: Final = 10**9
MAX_SIGNALS: Final = 10**9
_NAME_RE: Final = re.compile(r"[a-z][a-z0-9-]{0,31}", re.ASCII)
_LABEL_RE: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,63}", re.ASCII)
_ROLE_LENGTH: Final = 64
_RULES_MEMBERS: Final = (
    "preamble",
    "proposers",
    "signals",
    "votingPeriod",
    "revoting",
    "delegation",
    "maxScore",
    "voiceCredits",
    "kinds",
    "moderation",
)
_MODERATION_MEMBERS: Final = (
    "labels",
    "panelSize",
    "agreement",
    "mandateTerm",
    "appealPanelSize",
    "appealMajority",
)


@dataclass(frozen=True, slots=True)
class SignalRule:
    """How many signals a proposal needs before its vote opens: a count, or
    a share of the members eligible when it opens (exactly one is set).

    Attributes:
        count: a number of distinct members.
        share: a share of the eligible members, rounded up.
    """

    count: int | None = None
    share: Fraction | None = None

    def required(self, members: int) -> int:
        """Return the signals required when ``members`` are eligible:
        ``count``, or ``ceil(share * members)``.

        Spec: docs/governance.md (Signals)
        """
        if self.share is not None:
            return math.ceil(self.share * members)
        return self.count or 0


@dataclass(frozen=True, slots=True)
class VotingPeriod:
    """The shortest and longest time from ``opens`` to ``closes``."""

    min: timedelta
    max: timedelta

    def allows(self, length: timedelta) -> bool:
        """Say whether a vote of that length is allowed (bounds included)."""
        return self.min <= length <= self.max


@dataclass(frozen=True, slots=True)
class KindRule:
    """The rule of one decision kind.

    Attributes:
        methods: the counting methods its proposals may use, in order.
        quorum: the share of the eligible weight that must cast a counted
            ballot (directly or through delegation).
        threshold: what the count's support must reach to pass.
    """

    methods: tuple[str, ...]
    quorum: Fraction
    threshold: Threshold

    def allows(self, method: str) -> bool:
        """Say whether a proposal of this kind may use ``method``."""
        return method in self.methods


@dataclass(frozen=True, slots=True)
class Label:
    """A moderation label of the community's vocabulary and its action."""

    value: str
    action: str


@dataclass(frozen=True, slots=True)
class ModerationRules:
    """The moderation settings.

    Attributes:
        labels: the label vocabulary (values distinct), in order.
        panel_size: how many moderators a case's panel has.
        agreement: how many of them must agree for a label to take effect.
        mandate_term: how long a moderator mandate lasts.
        appeal_panel_size: the size of an appeal's (disjoint) panel.
        appeal_majority: what share of it must agree to overturn.
    """

    labels: tuple[Label, ...]
    panel_size: int
    agreement: int
    mandate_term: timedelta
    appeal_panel_size: int
    appeal_majority: Threshold

    def label(self, value: str) -> Label | None:
        """Return the label with that value, or ``None``."""
        return next((label for label in self.labels if label.value == value), None)


@dataclass(frozen=True, slots=True)
class ConstitutionRules:
    """The machine-readable rules of a constitution (see :func:`parse_rules`).

    Attributes:
        preamble: the social contract, free text.
        proposers: the membership roles that may propose.
        signals: the signals a proposal needs before it opens.
        voting_period: the allowed length of a vote.
        revoting: whether a later ballot replaces an earlier one.
        delegation: whether members may delegate.
        max_score: the top score of score and star ballots.
        voice_credits: the budget of a quadratic ballot (sum of squares).
        kinds: the decision kinds by name, in the order written.
        moderation: the moderation settings.
    """

    preamble: str
    proposers: tuple[str, ...]
    signals: SignalRule
    voting_period: VotingPeriod
    revoting: bool
    delegation: bool
    max_score: int
    voice_credits: int
    kinds: Mapping[str, KindRule]
    moderation: ModerationRules

    def kind(self, name: str) -> KindRule | None:
        """Return the rule of the kind ``name``, or ``None`` if not defined."""
        return self.kinds.get(name)


def parse_rules(obj: JsonValue, *, path: str = "") -> ConstitutionRules:
    """Read and check a rules object (JSON, camelCase).

    ``path`` prefixes the field paths of errors (``""`` for a bare rules
    object; ``$.credentialSubject.rules`` inside a credential).

    Spec: docs/governance.md (Constitution rules)

    Raises:
        InvalidConstitutionError: a field is missing, malformed, unknown or
            inconsistent with another; ``field`` names it.
    """
    return _parse_rules(obj, path)


def rules_to_json(rules: ConstitutionRules) -> JsonObject:
    """Return the canonical rules object: members in the documented order,
    fractions in lowest terms (``"1/2"``), durations as ``P1DT2H``.

    ``parse_rules(rules_to_json(r)) == r`` for every rules value ``r``.

    Spec: docs/governance.md (Constitution rules)
    """
    return {
        "preamble": rules.preamble,
        "proposers": list(rules.proposers),
        "signals": (
            {"share": format_fraction(rules.signals.share)}
            if rules.signals.share is not None
            else {"count": rules.signals.count or 0}
        ),
        "votingPeriod": {
            "min": format_duration(rules.voting_period.min),
            "max": format_duration(rules.voting_period.max),
        },
        "revoting": rules.revoting,
        "delegation": rules.delegation,
        "maxScore": rules.max_score,
        "voiceCredits": rules.voice_credits,
        "kinds": {
            name: {
                "methods": list(kind.methods),
                "quorum": format_fraction(kind.quorum),
                "threshold": str(kind.threshold),
            }
            for name, kind in rules.kinds.items()
        },
        "moderation": {
            "labels": [
                {"value": label.value, "action": label.action}
                for label in rules.moderation.labels
            ],
            "panelSize": rules.moderation.panel_size,
            "agreement": rules.moderation.agreement,
            "mandateTerm": format_duration(rules.moderation.mandate_term),
            "appealPanelSize": rules.moderation.appeal_panel_size,
            "appealMajority": str(rules.moderation.appeal_majority),
        },
    }


def rules_equal(a: JsonObject, b: JsonObject) -> bool:
    """Say whether two rules objects are JCS-equal (the same canonical bytes),
    the comparison between a ratified amendment and the constitution it makes.

    Spec: docs/governance.md (Genesis and amendments)

    Raises:
        CanonicalizationError: a value JCS cannot write (a non-finite number).
    """
    return canonicalize_jcs(a) == canonicalize_jcs(b)


# --- Reading a rules object ------------------------------------------------------


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _members(
    value: JsonValue, path: str, members: tuple[str, ...], *, required: bool = True
) -> JsonObject:
    if not isinstance(value, dict):
        raise fail(path, f"must be an object, not {f.kind(value)}.")
    for key in value:
        if key not in members:
            raise fail(_join(path, key), "is not a member here.")
    if required:
        for key in members:
            if key not in value:
                raise fail(_join(path, key), "is required.")
    return value


def _integer(value: JsonValue, path: str, low: int, high: int) -> int:
    if type(value) is not int:
        raise fail(path, f"must be an integer, not {f.kind(value)}.")
    if not low <= value <= high:
        raise fail(path, f"must be between {low} and {high}, not {value}.")
    return value


def _boolean(value: JsonValue, path: str) -> bool:
    if not isinstance(value, bool):
        raise fail(path, f"must be true or false, not {f.kind(value)}.")
    return value


def _array(value: JsonValue, path: str, cap: int) -> list[JsonValue]:
    if not isinstance(value, list):
        raise fail(path, f"must be an array, not {f.kind(value)}.")
    if not value:
        raise fail(path, "must not be empty.")
    if len(value) > cap:
        raise fail(path, f"has {len(value)} items; at most {cap} are allowed.")
    return value


def _distinct(values: list[str], path: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise fail(f"{path}[{index}]", f"repeats {f.show(value)}.")
        seen.add(value)


def _parse_rules(obj: JsonValue, path: str) -> ConstitutionRules:
    rules = _members(obj, path, _RULES_MEMBERS)
    preamble = rules["preamble"]
    if not isinstance(preamble, str):
        raise fail(
            _join(path, "preamble"), f"must be a string, not {f.kind(preamble)}."
        )
    if len(preamble.encode("utf-8", "surrogatepass")) > MAX_PREAMBLE_BYTES:
        raise fail(
            _join(path, "preamble"),
            f"is longer than {MAX_PREAMBLE_BYTES} bytes of UTF-8.",
        )
    return ConstitutionRules(
        preamble=preamble,
        proposers=_proposers(rules["proposers"], _join(path, "proposers")),
        signals=_signals(rules["signals"], _join(path, "signals")),
        voting_period=_voting_period(
            rules["votingPeriod"], _join(path, "votingPeriod")
        ),
        revoting=_boolean(rules["revoting"], _join(path, "revoting")),
        delegation=_boolean(rules["delegation"], _join(path, "delegation")),
        max_score=_integer(rules["maxScore"], _join(path, "maxScore"), 1, MAX_SCORE),
        voice_credits=_integer(
            rules["voiceCredits"], _join(path, "voiceCredits"), 1, MAX_VOICE_CREDITS
        ),
        kinds=_kinds(rules["kinds"], _join(path, "kinds")),
        moderation=_moderation(rules["moderation"], _join(path, "moderation")),
    )


def _proposers(value: JsonValue, path: str) -> tuple[str, ...]:
    roles: list[str] = []
    for index, item in enumerate(_array(value, path, MAX_ROLES)):
        where = f"{path}[{index}]"
        try:
            roles.append(f.short_text(item, where, _ROLE_LENGTH))
        except MalformedValueError as exc:
            raise InvalidConstitutionError(exc.detail, field=where) from exc
    _distinct(roles, path)
    return tuple(roles)


def _signals(value: JsonValue, path: str) -> SignalRule:
    if not isinstance(value, dict) or len(value) != 1:
        raise fail(path, 'must be an object with exactly one of "count" or "share".')
    if "count" in value:
        return SignalRule(
            count=_integer(value["count"], _join(path, "count"), 0, MAX_SIGNALS)
        )
    if "share" in value:
        return SignalRule(share=parse_fraction(value["share"], _join(path, "share")))
    key = next(iter(value))
    raise fail(_join(path, key), 'is not a member here: write "count" or "share".')


def _voting_period(value: JsonValue, path: str) -> VotingPeriod:
    period = _members(value, path, ("min", "max"))
    low = parse_duration(period["min"], _join(path, "min"))
    high = parse_duration(period["max"], _join(path, "max"))
    if low <= timedelta(0):
        raise fail(_join(path, "min"), "must be longer than zero.")
    if low > high:
        raise fail(
            _join(path, "min"),
            f"must not be longer than {_join(path, 'max')} "
            f"({format_duration(low)} > {format_duration(high)}).",
        )
    return VotingPeriod(low, high)


def _kinds(value: JsonValue, path: str) -> dict[str, KindRule]:
    if not isinstance(value, dict):
        raise fail(path, f"must be an object, not {f.kind(value)}.")
    if len(value) > MAX_KINDS:
        raise fail(path, f"has {len(value)} kinds; at most {MAX_KINDS} are allowed.")
    kinds: dict[str, KindRule] = {}
    for name, rule in value.items():
        if _NAME_RE.fullmatch(name) is None:
            raise fail(
                path,
                f"names a kind {f.show(name)}; kind names are 1 to 32 lower-case "
                "letters, digits and hyphens, starting with a letter.",
            )
        kinds[name] = _kind(rule, _join(path, name))
    for name in FIXED_KINDS:
        if name not in kinds:
            raise fail(_join(path, name), "is required: every constitution defines it.")
    return kinds


def _kind(value: JsonValue, path: str) -> KindRule:
    rule = _members(value, path, ("methods", "quorum", "threshold"))
    methods_path = _join(path, "methods")
    methods: list[str] = []
    for index, item in enumerate(
        _array(rule["methods"], methods_path, len(COUNTING_METHODS))
    ):
        if item not in COUNTING_METHODS:
            shown = f.show(item) if isinstance(item, str) else f.kind(item)
            raise fail(
                f"{methods_path}[{index}]",
                f"is not a counting method: {shown} (known: "
                f"{', '.join(COUNTING_METHODS)}).",
            )
        assert isinstance(item, str)  # noqa: S101  (it is one of the names)
        methods.append(item)
    _distinct(methods, methods_path)
    return KindRule(
        methods=tuple(methods),
        quorum=parse_fraction(rule["quorum"], _join(path, "quorum")),
        threshold=parse_threshold(rule["threshold"], _join(path, "threshold")),
    )


def _moderation(value: JsonValue, path: str) -> ModerationRules:
    rules = _members(value, path, _MODERATION_MEMBERS)
    labels_path = _join(path, "labels")
    labels: list[Label] = []
    for index, item in enumerate(_array(rules["labels"], labels_path, MAX_LABELS)):
        where = f"{labels_path}[{index}]"
        label = _members(item, where, ("value", "action"))
        text, action = label["value"], label["action"]
        if not isinstance(text, str) or _LABEL_RE.fullmatch(text) is None:
            raise fail(
                _join(where, "value"),
                "must be 1 to 64 lower-case letters, digits and hyphens, not "
                f"{f.show(text) if isinstance(text, str) else f.kind(text)}.",
            )
        if action not in LABEL_ACTIONS:
            raise fail(
                _join(where, "action"),
                f"must be hide, warn or inform, not "
                f"{f.show(action) if isinstance(action, str) else f.kind(action)}.",
            )
        assert isinstance(action, str)  # noqa: S101  (one of LABEL_ACTIONS)
        labels.append(Label(text, action))
    _distinct([label.value for label in labels], labels_path)
    panel_size = _integer(rules["panelSize"], _join(path, "panelSize"), 1, MAX_PANEL)
    agreement = _integer(rules["agreement"], _join(path, "agreement"), 1, MAX_PANEL)
    if agreement > panel_size:
        raise fail(
            _join(path, "agreement"),
            f"must not be more than {_join(path, 'panelSize')} "
            f"({agreement} > {panel_size}).",
        )
    term = parse_duration(rules["mandateTerm"], _join(path, "mandateTerm"))
    if term <= timedelta(0):
        raise fail(_join(path, "mandateTerm"), "must be longer than zero.")
    return ModerationRules(
        labels=tuple(labels),
        panel_size=panel_size,
        agreement=agreement,
        mandate_term=term,
        appeal_panel_size=_integer(
            rules["appealPanelSize"], _join(path, "appealPanelSize"), 1, MAX_PANEL
        ),
        appeal_majority=parse_threshold(
            rules["appealMajority"], _join(path, "appealMajority"), allow_none=False
        ),
    )
