"""Cases and decisions: the counting rules of moderation, on facts already read.

A case is a pair (subject CID, label value) in one community. This module
holds what a decision says (:class:`Decision`, :class:`Counted`,
:class:`AppealOutcome`) and the rules that produce it (:func:`judge_case`),
written against acts that have already been verified and read
(:class:`CaseAct`) and a :class:`CaseContext` that answers who was a member,
what standing a moderator's mandate had, which moderators held a valid
mandate and which constitution was in force at a moment. Nothing here signs,
verifies or parses: ``ssi.social.moderation_decide`` gathers the evidence and
calls these rules, and tests call them directly with plain values.

The work is linear in the acts on the case, apart from sorting them and
drawing the panels: :attr:`Decision.steps` counts it.

Spec: docs/moderation.md (Cases and decisions, Appeals)
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Final, Protocol

from ssi.social._fields import format_time
from ssi.social.panel import Panels, draw_panels
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
    "judge_case",
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
REPORT_REASONS: Final = ("notMember", "revoked", "suspended", "statusUnknown")
"""Why a report does not count: its author's standing as a member."""
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

_VALID: Final = "valid"
_ELIGIBLE: Final = "eligible"
_NEGATED: Final = "negated"
_OVERTURN: Final = "overturn"
_UPHOLD: Final = "uphold"


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


def _key(act: CaseAct) -> tuple[datetime, str]:
    return (act.time, act.cid)


def _mandate_reason(standing: str) -> str:
    return "notModerator" if standing == "noMandate" else standing


def judge_case(facts: CaseFacts, context: CaseContext, *, at: datetime) -> Decision:
    """Decide a case as of ``at`` from its acts and the context.

    Acts dated after ``at`` are left out. The rules, in order, are written
    in docs/moderation.md (Cases and decisions, Appeals).

    Spec: docs/moderation.md (Cases and decisions)

    Raises:
        ValueError: ``at`` or an act's time has no timezone (comparing them
            fails; the caller's mistake).
    """
    judge = _Judge(facts, context, at)
    return judge.decide()


class _Judge:
    """One run of the rules over one case (internal)."""

    def __init__(self, facts: CaseFacts, context: CaseContext, at: datetime) -> None:
        self.facts = facts
        self.context = context
        self.at = at
        self.steps = 0

    def _current(self, acts: Iterable[CaseAct]) -> list[CaseAct]:
        kept = [act for act in acts if act.time <= self.at]
        self.steps += len(kept)
        kept.sort(key=_key)
        return kept

    def decide(self) -> Decision:
        facts, context = self.facts, self.context
        reports = self._reports(self._current(facts.reports))
        labels = self._current(facts.labels)
        standings = [context.standing(label.actor, label.time) for label in labels]
        openers = [report.time for report in reports if report.counts]
        openers += [
            label.time
            for label, standing in zip(labels, standings, strict=True)
            if standing == _VALID
        ]
        everything = [r.time for r in reports] + [label.time for label in labels]
        opened = min(openers or everything or [self.at])
        ruled = context.rules(opened)
        state = "open"
        action: str | None = None
        constitution: str | None = None
        rules: ModerationRules | None = None
        if ruled is None:
            state = "noConstitution"
        else:
            constitution, rules = ruled
            vocabulary = rules.label(facts.case.label)
            if vocabulary is None:
                state = "unknownLabel"
            else:
                action = vocabulary.action
        panels: Panels | None = None
        if rules is not None and state == "open" and openers:
            panels = self._draw(rules, opened, reports)
        panel = frozenset(panels.panel) if panels is not None else frozenset()
        k = rules.agreement if rules is not None else 0
        counted, agreeing, applied_at = self._labels(labels, standings, panel, k)
        if panels is not None and applied_at is not None:
            state = "applied"
        sweep = _Sweep(labels, standings, panel, k) if panels is not None else None
        if sweep is not None:
            self.steps += len(labels)
        appeal, refused = self._appeals(sweep, panels, rules)
        if appeal is not None and appeal.overturned:
            state = "overturned"
        return Decision(
            case=facts.case,
            state=state,
            at=self.at,
            opened=opened,
            author=facts.author,
            action=action,
            constitution=constitution,
            agreement=k,
            panel_size=rules.panel_size if rules is not None else 0,
            panels=panels,
            reports=tuple(reports),
            labels=tuple(counted),
            agreeing=agreeing,
            applied_at=applied_at,
            appeal=appeal,
            refused_appeals=tuple(refused),
            steps=self.steps,
        )

    def _reports(self, reports: list[CaseAct]) -> list[Counted]:
        out: list[Counted] = []
        for report in reports:
            code = self.context.member(report.actor, report.time)
            counts = code == _ELIGIBLE
            reason = None if counts else code
            out.append(Counted(report.cid, report.actor, report.time, counts, reason))
        return out

    def _draw(
        self, rules: ModerationRules, opened: datetime, reports: list[Counted]
    ) -> Panels:
        skip = {report.actor for report in reports if report.counts}
        if self.facts.author is not None:
            skip.add(self.facts.author)
        moderators = list(self.context.moderators(opened))
        self.steps += len(moderators)
        case = self.facts.case
        return draw_panels(
            case.post,
            case.label,
            moderators,
            size=rules.panel_size,
            appeal_size=rules.appeal_panel_size,
            skip=skip,
        )

    def _labels(
        self,
        labels: list[CaseAct],
        standings: list[str],
        panel: frozenset[str],
        k: int,
    ) -> tuple[list[Counted], tuple[str, ...], datetime | None]:
        latest = {label.actor: index for index, label in enumerate(labels)}
        counted: list[Counted] = []
        agreeing: list[str] = []
        applied_at: datetime | None = None
        for index, label in enumerate(labels):
            reason = _label_reason(
                label, standings[index], panel, latest[label.actor] == index
            )
            counted.append(
                Counted(
                    label.cid,
                    label.actor,
                    label.time,
                    reason is None,
                    reason,
                    _NEGATED if label.value == _NEGATED else None,
                )
            )
            if reason is None:
                agreeing.append(label.actor)
                if len(agreeing) == k:
                    applied_at = label.time
        return counted, tuple(agreeing), applied_at

    def _appeals(
        self,
        sweep: _Sweep | None,
        panels: Panels | None,
        rules: ModerationRules | None,
    ) -> tuple[AppealOutcome | None, list[Counted]]:
        author = self.facts.author
        heard: CaseAct | None = None
        refused: list[Counted] = []
        for appeal in self._current(self.facts.appeals):
            reason: str | None = None
            if author is None:
                reason = "authorUnknown"
            elif appeal.actor != author:
                reason = "notAuthor"
            elif heard is not None:
                reason = "secondAppeal"
            elif sweep is None or not sweep.applied(appeal.time):
                reason = "noDecision"
            elif panels is None or not panels.appeal_panel:
                reason = "noAppealPanel"
            if reason is None:
                heard = appeal
            else:
                refused.append(
                    Counted(appeal.cid, appeal.actor, appeal.time, False, reason)
                )
        if heard is None or panels is None or rules is None:
            return None, refused
        return self._verdicts(heard, panels.appeal_panel, rules), refused

    def _verdicts(
        self, appeal: CaseAct, panel: tuple[str, ...], rules: ModerationRules
    ) -> AppealOutcome:
        verdicts = self._current(self.facts.verdicts.get(appeal.cid, ()))
        latest = {verdict.actor: index for index, verdict in enumerate(verdicts)}
        members = frozenset(panel)
        counted: list[Counted] = []
        votes = {_OVERTURN: 0, _UPHOLD: 0}
        majority = rules.appeal_majority
        overturned_at = appeal.time if majority.passes(Fraction(0)) else None
        for index, verdict in enumerate(verdicts):
            reason: str | None = None
            if latest[verdict.actor] != index:
                reason = "superseded"
            elif verdict.time < appeal.time:
                reason = "beforeAppeal"
            else:
                standing = self.context.standing(verdict.actor, verdict.time)
                if standing != _VALID:
                    reason = _mandate_reason(standing)
                elif verdict.actor not in members:
                    reason = "notAppealPanel"
            counts = reason is None
            if counts and verdict.value in votes:
                votes[str(verdict.value)] += 1
                share = Fraction(votes[_OVERTURN], len(panel))
                if overturned_at is None and majority.passes(share):
                    overturned_at = verdict.time
            counted.append(
                Counted(
                    verdict.cid,
                    verdict.actor,
                    verdict.time,
                    counts,
                    reason,
                    verdict.value,
                )
            )
        return AppealOutcome(
            cid=appeal.cid,
            appellant=appeal.actor,
            time=appeal.time,
            panel=panel,
            verdicts=tuple(counted),
            overturn=votes[_OVERTURN],
            uphold=votes[_UPHOLD],
            overturned=overturned_at is not None,
            overturned_at=overturned_at,
        )


def _label_reason(
    label: CaseAct, standing: str, panel: frozenset[str], latest: bool
) -> str | None:
    if not latest:
        return "superseded"
    if label.value == _NEGATED:
        return "withdrawn"
    if standing != _VALID:
        return _mandate_reason(standing)
    if label.actor not in panel:
        return "notPanel"
    return None


class _Sweep:
    """Whether a case was applied as of any earlier moment, by one pass over
    its labels in time order (internal): as of ``t``, each moderator's latest
    label dated at or before ``t`` is judged by the same rules."""

    def __init__(
        self,
        labels: list[CaseAct],
        standings: list[str],
        panel: frozenset[str],
        k: int,
    ) -> None:
        self._times: list[datetime] = []
        self._applied: list[bool] = []
        counting: set[str] = set()
        for index, label in enumerate(labels):
            if _label_reason(label, standings[index], panel, True) is None:
                counting.add(label.actor)
            else:
                counting.discard(label.actor)
            applied = len(counting) >= k
            if self._times and self._times[-1] == label.time:
                self._applied[-1] = applied
            else:
                self._times.append(label.time)
                self._applied.append(applied)

    def applied(self, at: datetime) -> bool:
        """Whether at least k labels counted as of ``at``."""
        index = bisect.bisect_right(self._times, at)
        return index > 0 and self._applied[index - 1]
