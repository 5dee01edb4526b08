"""The counting rules of moderation, on facts already read.

:func:`judge_case` decides one case as of a moment from the acts on it
(:class:`~ssi.social.moderation_case.CaseFacts`) and a
:class:`~ssi.social.moderation_case.CaseContext`. Nothing here signs,
verifies or parses: ``ssi.social.moderation_decide`` gathers the evidence
and calls these rules, and tests call them directly with plain values.

The work is linear in the acts on the case, apart from sorting them and
drawing the panels: :attr:`Decision.steps` counts it.

Spec: docs/moderation.md (Cases and decisions, Appeals)
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime
from fractions import Fraction
from typing import Final

from ssi.social.moderation_case import (
    AppealOutcome,
    CaseAct,
    CaseContext,
    CaseFacts,
    Counted,
    Decision,
)
from ssi.social.panel import Panels, draw_panels
from ssi.social.rules import ModerationRules

__all__ = ["judge_case"]

_VALID: Final = "valid"
_ELIGIBLE: Final = "eligible"
_NEGATED: Final = "negated"
_SEATED: Final = "seated"
_OVERTURN: Final = "overturn"
_UPHOLD: Final = "uphold"


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
        ValueError: ``at`` has no timezone (the caller's mistake).
    """
    if at.tzinfo is None:
        raise ValueError("at must have a timezone")
    return _Judge(facts, context, at).decide()


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
            reports = _seat_reports(reports, opened, panels)
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
        # Drawn once, as the case opens: a later report moves nobody, so no
        # one can reshuffle the panels after the labels or the verdicts.
        skip = {r.actor for r in reports if r.counts and r.time <= opened}
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


def _seat_reports(
    reports: list[Counted], opened: datetime, panels: Panels
) -> list[Counted]:
    """Reports dated after the opening by a DID already seated on a panel do
    not count (``seated``): the draw is fixed, and a judge reports nothing."""
    seated = frozenset(panels.panel) | frozenset(panels.appeal_panel)
    return [
        Counted(r.cid, r.actor, r.time, False, _SEATED)
        if r.counts and r.time > opened and r.actor in seated
        else r
        for r in reports
    ]
