"""Cases and decisions: what the counting rules of moderation take and give.

A case is a pair (subject CID, label value) in one community. This module
holds what a decision says (:class:`Decision`, :class:`Counted`,
:class:`AppealOutcome`, and the reason codes) and what the rules of
``ssi.social.moderation_rules`` read: acts already verified and read
(:class:`CaseAct`, :class:`CaseFacts`) and a :class:`CaseContext` that
answers who was a member, what standing a moderator's mandate had, which
moderators held a valid mandate and which constitution was in force at a
moment.

Spec: docs/moderation.md (Cases and decisions, Appeals)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol

from ssi.social._fields import format_time
from ssi.social.panel import Panels
from ssi.social.rules import ModerationRules
from ssi.types import JsonObject

__all__ = [
    "APPEAL_REASONS",
    "DECISION_STATES",
    "LABEL_REASONS",
    "REPORT_REASONS",
    "VERDICT_REASONS",
    "AppealOutcome",
    "Case",
    "CaseAct",
    "CaseContext",
    "CaseFacts",
    "Counted",
    "Decision",
]

LABEL_REASONS: Final = (
    "superseded",
    "withdrawn",
    "notModerator",
    "notYetValid",
    "expired",
    "revoked",
    "statusUnknown",
    "invalidMandate",
    "notPanel",
)
"""Why a label does not count, in the order the rules are checked."""
REPORT_REASONS: Final = ("notMember", "revoked", "suspended", "statusUnknown", "seated")
"""Why a report does not count: its author's standing as a member, or
(``seated``) a report made after the case opened by a DID on one of its
panels."""
APPEAL_REASONS: Final = (
    "authorUnknown",
    "notAuthor",
    "secondAppeal",
    "noDecision",
    "noAppealPanel",
)
"""Why an appeal is refused, in the order the rules are checked."""
VERDICT_REASONS: Final = (
    "superseded",
    "beforeAppeal",
    "notModerator",
    "notYetValid",
    "expired",
    "revoked",
    "statusUnknown",
    "invalidMandate",
    "notAppealPanel",
)
"""Why a verdict does not count, in the order the rules are checked."""
DECISION_STATES: Final = (
    "open",
    "applied",
    "overturned",
    "unknownLabel",
    "noConstitution",
)
"""What a case's decision is, as of a moment."""


@dataclass(frozen=True, slots=True, order=True)
class Case:
    """A case: a post of a community and a label value.

    Attributes:
        community: the community's DID.
        post: the CID of the post (the subject).
        label: the label value, as the reports and labels write it.
    """

    community: str
    post: str
    label: str


@dataclass(frozen=True, slots=True)
class CaseAct:
    """One verified act on a case, as the rules see it.

    Attributes:
        cid: the credential's CID.
        actor: its issuer (reporter, moderator or appellant).
        time: its ``validFrom``.
        value: for a label, ``"negated"`` when it withdraws, else None; for
            a verdict, ``"uphold"`` or ``"overturn"``; else None.
    """

    cid: str
    actor: str
    time: datetime
    value: str | None = None


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """Everything said about one case, verified and read.

    Attributes:
        case: the case.
        author: the post's author, when the post is known.
        reports: the reports on the case, in any order.
        labels: the labels on the case, in any order.
        appeals: the appeals on the case, in any order.
        verdicts: the verdicts on each appeal, by the appeal's CID.
    """

    case: Case
    author: str | None = None
    reports: tuple[CaseAct, ...] = ()
    labels: tuple[CaseAct, ...] = ()
    appeals: tuple[CaseAct, ...] = ()
    verdicts: Mapping[str, tuple[CaseAct, ...]] = field(default_factory=dict)


class CaseContext(Protocol):
    """What the rules need to know beyond the acts on the case."""

    def member(self, did: str, at: datetime) -> str:
        """``did``'s standing as a member at ``at``: ``"eligible"`` or one of
        :data:`REPORT_REASONS`."""

    def standing(self, did: str, at: datetime) -> str:
        """``did``'s mandate standing at ``at``: ``"valid"``, ``"noMandate"``,
        ``"notYetValid"``, ``"expired"``, ``"revoked"``, ``"statusUnknown"``
        or ``"invalidMandate"``."""

    def moderators(self, at: datetime) -> Iterable[str]:
        """The DIDs whose mandate standing is ``"valid"`` at ``at``."""

    def rules(self, at: datetime) -> tuple[str, ModerationRules] | None:
        """The CID and moderation rules of the constitution in force at
        ``at``; None when none is."""


@dataclass(frozen=True, slots=True)
class Counted:
    """One report, label or verdict, and whether it counts.

    Attributes:
        cid: the credential's CID.
        actor: its issuer.
        time: its ``validFrom``.
        counts: whether it counts.
        reason: why not (a code of :data:`REPORT_REASONS`,
            :data:`LABEL_REASONS`, :data:`APPEAL_REASONS` or
            :data:`VERDICT_REASONS`); None when it counts.
        value: for a verdict, ``"uphold"`` or ``"overturn"``; for a label,
            ``"negated"`` when it withdraws; else None.
    """

    cid: str
    actor: str
    time: datetime
    counts: bool
    reason: str | None
    value: str | None = None

    def to_json(self) -> JsonObject:
        """Return it as JSON (camelCase, times in UTC)."""
        return {
            "cid": self.cid,
            "actor": self.actor,
            "time": format_time(self.time),
            "counts": self.counts,
            "reason": self.reason,
            "value": self.value,
        }


@dataclass(frozen=True, slots=True)
class AppealOutcome:
    """The appeal of a case and its verdicts.

    Attributes:
        cid: the appeal's CID.
        appellant: its issuer (the post's author).
        time: its ``validFrom``.
        panel: the appeal panel, in draw order.
        verdicts: every verdict on it, by time then CID, with its reason.
        overturn: how many counting verdicts say overturn.
        uphold: how many counting verdicts say uphold.
        overturned: whether the appeal majority overturned the decision.
        overturned_at: the time of the verdict that made it so.
    """

    cid: str
    appellant: str
    time: datetime
    panel: tuple[str, ...]
    verdicts: tuple[Counted, ...]
    overturn: int
    uphold: int
    overturned: bool
    overturned_at: datetime | None

    def to_json(self) -> JsonObject:
        """Return it as JSON (camelCase, times in UTC)."""
        return {
            "cid": self.cid,
            "appellant": self.appellant,
            "time": format_time(self.time),
            "panel": list(self.panel),
            "verdicts": [verdict.to_json() for verdict in self.verdicts],
            "overturn": self.overturn,
            "uphold": self.uphold,
            "overturned": self.overturned,
            "overturnedAt": _time(self.overturned_at),
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """A case's decision as of a moment, with all its evidence.

    Attributes:
        case: the case.
        state: one of :data:`DECISION_STATES`.
        at: the moment asked about; acts dated later are left out.
        opened: the time of the earliest counting report or of the earliest
            label by a moderator with a valid mandate (when neither exists,
            the earliest report or label, or ``at``).
        author: the post's author, when the post is known.
        action: the label's action in the vocabulary (``hide``, ``warn``,
            ``inform``); None when the label is unknown or no constitution
            is in force.
        constitution: the CID of the constitution in force at ``opened``.
        agreement: k, the labels that must agree.
        panel_size: n, the panel's size.
        panels: the draw (None before the case opened, or when no rules apply).
        reports: every report, by time then CID.
        labels: every label, by time then CID.
        agreeing: the panel members whose label counts, by label time.
        applied_at: the time of the k-th counting label, when applied.
        appeal: the appeal heard, if any.
        refused_appeals: the other appeals, with the reason.
        steps: units of work done (acts examined, moderators drawn); not
            part of the decision's value.
    """

    case: Case
    state: str
    at: datetime
    opened: datetime
    author: str | None
    action: str | None
    constitution: str | None
    agreement: int
    panel_size: int
    panels: Panels | None
    reports: tuple[Counted, ...]
    labels: tuple[Counted, ...]
    agreeing: tuple[str, ...]
    applied_at: datetime | None
    appeal: AppealOutcome | None
    refused_appeals: tuple[Counted, ...]
    steps: int = field(default=0, compare=False)

    @property
    def in_effect(self) -> bool:
        """Whether the label takes effect: the state is ``applied``."""
        return self.state == "applied"

    def to_json(self) -> JsonObject:
        """Return the decision as JSON (camelCase, times in UTC).

        Spec: docs/moderation.md (Cases and decisions)
        """
        panels = self.panels
        return {
            "community": self.case.community,
            "post": self.case.post,
            "label": self.case.label,
            "state": self.state,
            "inEffect": self.in_effect,
            "at": format_time(self.at),
            "opened": format_time(self.opened),
            "author": self.author,
            "action": self.action,
            "constitution": self.constitution,
            "agreement": self.agreement,
            "panelSize": self.panel_size,
            "panel": None if panels is None else list(panels.panel),
            "appealPanel": None if panels is None else list(panels.appeal_panel),
            "skipped": None if panels is None else list(panels.skipped),
            "reports": [report.to_json() for report in self.reports],
            "labels": [label.to_json() for label in self.labels],
            "agreeing": list(self.agreeing),
            "appliedAt": _time(self.applied_at),
            "appeal": None if self.appeal is None else self.appeal.to_json(),
            "refusedAppeals": [appeal.to_json() for appeal in self.refused_appeals],
        }


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment)
