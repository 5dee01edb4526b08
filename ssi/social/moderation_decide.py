"""Moderation evidence: a pool verified and read once, then every case decided.

:meth:`ModerationEvidence.from_objects` takes a pool of documents (reports,
labels, appeals, verdicts, posts, memberships, the community's status lists,
mandates, tallies, proposals and constitutions, in any order) and does the
expensive work once: it verifies every proof it needs (in this process or,
chunk by chunk, on a ``concurrent.futures.Executor``), reads each object,
checks the mandates (``ssi.social.mandates``), works out the chain of
constitutions (``constitution_in_force``) and files every act under its
case. :meth:`ModerationEvidence.decide` then applies the counting rules of
``ssi.social.moderation_rules`` to one case: a dictionary look-up and work
linear in the acts on that case, with no verification.

Spec: docs/moderation.md (Cases and decisions, Appeals)
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from datetime import UTC, datetime
from typing import Final

from ssi.cid import object_cid
from ssi.credentials.verifier import Verifier
from ssi.errors import ConstitutionNotInForceError, SSIError
from ssi.social.ballot import BALLOT_TYPE, DELEGATION_TYPE
from ssi.social.community import MEMBERSHIP_TYPE
from ssi.social.constitution import CONSTITUTION_TYPE, read_constitution
from ssi.social.mandates import MandateBook, check_mandates
from ssi.social.moderation import (
    APPEAL_TYPE,
    LABEL_TYPE,
    MANDATE_TYPE,
    REPORT_TYPE,
    VERDICT_TYPE,
    Appeal,
    ModerationLabel,
    Report,
    Verdict,
)
from ssi.social.moderation_case import (
    APPEAL_REASONS,
    DECISION_STATES,
    LABEL_REASONS,
    REPORT_REASONS,
    VERDICT_REASONS,
    AppealOutcome,
    Case,
    CaseAct,
    CaseFacts,
    Counted,
    Decision,
)
from ssi.social.moderation_inputs import (
    CheckedAct,
    check_acts,
    check_members,
    issuer_of,
    types_of,
)
from ssi.social.moderation_rules import judge_case
from ssi.social.post import POST_TYPE
from ssi.social.proposal import PROPOSAL_TYPE, SIGNAL_TYPE
from ssi.social.rules import ModerationRules
from ssi.social.tally import TALLY_TYPE
from ssi.social.tally_constitution import constitution_in_force
from ssi.social.tally_eligibility import Electorate
from ssi.status.credential import LIST_CREDENTIAL_TYPE
from ssi.types import JsonObject, JsonValue

__all__ = [
    "APPEAL_REASONS",
    "DECISION_STATES",
    "LABEL_REASONS",
    "REPORT_REASONS",
    "VERDICT_REASONS",
    "AppealOutcome",
    "Case",
    "Counted",
    "Decision",
    "ModerationEvidence",
    "decide",
    "moderation_log",
]

_ACTS: Final = frozenset({REPORT_TYPE, LABEL_TYPE, APPEAL_TYPE, VERDICT_TYPE})
_MEMBERSHIPS: Final = frozenset({MEMBERSHIP_TYPE, LIST_CREDENTIAL_TYPE})
_GOVERNANCE: Final = frozenset(
    {MANDATE_TYPE, TALLY_TYPE, PROPOSAL_TYPE, CONSTITUTION_TYPE, LIST_CREDENTIAL_TYPE}
)
_RECOUNT: Final = frozenset(
    {BALLOT_TYPE, DELEGATION_TYPE, SIGNAL_TYPE, MEMBERSHIP_TYPE}
)


def _subject_community(document: JsonObject) -> object:
    subject = document.get("credentialSubject")
    return subject.get("community") if isinstance(subject, dict) else None


class _Facts:
    """The acts on one case, filed as they are read (internal)."""

    __slots__ = ("appeals", "labels", "reports")

    def __init__(self) -> None:
        self.reports: list[CaseAct] = []
        self.labels: list[CaseAct] = []
        self.appeals: list[CaseAct] = []


class _Context:
    """The :class:`~ssi.social.moderation_case.CaseContext` over the
    evidence, with what it has answered kept (internal)."""

    def __init__(
        self,
        electorate: Electorate,
        mandates: MandateBook,
        constitutions: list[tuple[datetime, str, ModerationRules]],
    ) -> None:
        self._electorate = electorate
        self._mandates = mandates
        self._constitutions = constitutions
        self._starts = [start for start, _, _ in constitutions]
        self._standings: dict[tuple[str, datetime], str] = {}
        self._moderators: dict[datetime, frozenset[str]] = {}

    def member(self, did: str, at: datetime) -> str:
        return self._electorate.standing(did, at).code

    def standing(self, did: str, at: datetime) -> str:
        key = (did, at)
        found = self._standings.get(key)
        if found is None:
            found = self._standings[key] = self._mandates.standing(did, at)
        return found

    def moderators(self, at: datetime) -> Iterable[str]:
        found = self._moderators.get(at)
        if found is None:
            found = self._moderators[at] = self._mandates.moderators(at)
        return found

    def rules(self, at: datetime) -> tuple[str, ModerationRules] | None:
        index = bisect.bisect_right(self._starts, at)
        if index == 0:
            return None
        _, cid, rules = self._constitutions[index - 1]
        return cid, rules


class ModerationEvidence:
    """A community's moderation evidence, verified and read once.

    Build it with :meth:`from_objects`; :meth:`decide` is then cheap.

    Attributes:
        community: the community's DID.
        mandates: its moderators' mandates, checked.
        constitutions: the CIDs of the chain of constitutions in force,
            genesis first (empty when none is).
        versions: that chain as ``(validFrom, CID, moderation rules)``.
        electorate: the community's members, from the pool's memberships
            and status lists.
        ignored: ``(cid, reason)`` for each report, label, appeal or verdict
            of the community that takes no part: ``unsigned`` (its proof does
            not verify) or ``malformed`` (it cannot be read); by CID.
        steps: units of work done building it (documents sorted, acts filed).
    """

    def __init__(
        self,
        community: str,
        mandates: MandateBook,
        *,
        electorate: Electorate,
        constitutions: Sequence[tuple[datetime, str, ModerationRules]],
        facts: Mapping[Case, CaseFacts],
        ignored: Sequence[tuple[str, str]] = (),
        steps: int = 0,
    ) -> None:
        self.community = community
        self.mandates = mandates
        ordered = sorted(constitutions, key=lambda item: (item[0], item[1]))
        self.constitutions: tuple[str, ...] = tuple(cid for _, cid, _ in ordered)
        self.versions: tuple[tuple[datetime, str, ModerationRules], ...] = tuple(
            ordered
        )
        self.electorate = electorate
        self.ignored: tuple[tuple[str, str], ...] = tuple(sorted(ignored))
        self.steps = steps
        self._facts = dict(facts)
        self._context = _Context(electorate, mandates, ordered)

    @classmethod
    def from_objects(
        cls,
        documents: Sequence[JsonValue],
        *,
        community: str,
        logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None = None,
        verifier: Verifier | None = None,
        recount: bool = False,
        at: datetime | None = None,
        executor: Executor | None = None,
        authors: Mapping[str, str] | None = None,
    ) -> ModerationEvidence:
        """Verify and read everything in ``documents`` about ``community``.

        Proofs are verified with ``verifier`` or, by default, with did:key,
        did:jwk and did:agora over ``logs`` (``{did: [log, ...]}``) as of
        ``at`` (default now), validity periods and status aside (the rules
        judge those as of each act's time). ``at`` is also the moment the
        chain of constitutions is worked out for: a version that takes
        effect later is left out. With ``recount``, every election and
        ratifying tally is recounted from the pool. ``authors`` (post CID to
        author DID, for posts already verified, such as a feed's entries)
        spares reading the posts in ``documents``.

        Spec: docs/moderation.md (Cases and decisions)

        Raises:
            ValueError: ``at`` has no timezone (the caller's mistake).
            TypeError: an executor is given and the verifier does not pickle.
        """
        moment = at or datetime.now(UTC)
        pool = _Pool(community, recount=recount, posts=authors is None)
        for document in documents:
            pool.add(document)
        check = functools.partial(
            check_acts, at=moment, verifier=verifier, logs=logs, executor=executor
        )
        checked = check(pool.acts)
        files = _Files(community)
        for item in checked:
            files.add(item)
        known = dict(authors or {})
        named = {case.post for case in files.cases}
        wanted: dict[str, JsonValue] = {}
        for post in pool.posts:
            try:
                cid = object_cid(post)
            except SSIError:
                continue
            if cid in named:
                wanted.setdefault(cid, post)
        for item in check(list(wanted.values())):
            if item.signed and item.issuer is not None:
                known[item.cid] = item.issuer
        members = check_members(
            pool.members, at=moment, verifier=verifier, logs=logs, executor=executor
        )
        mandates = check_mandates(
            pool.governance,
            community=community,
            logs=logs,
            verifier=verifier,
            recount=recount,
        )
        chain = _chain(pool, logs=logs, verifier=verifier, at=moment)
        facts = {
            case: CaseFacts(
                case,
                author=known.get(case.post),
                reports=tuple(filed.reports),
                labels=tuple(filed.labels),
                appeals=tuple(filed.appeals),
                verdicts=files.verdicts,
            )
            for case, filed in files.cases.items()
        }
        return cls(
            community,
            mandates,
            electorate=Electorate(community, members),
            constitutions=chain,
            facts=facts,
            ignored=files.ignored,
            steps=pool.steps + len(checked) + len(pool.posts) + len(members),
        )

    def cases(self) -> list[Case]:
        """Every case with a report or a label, sorted.

        Spec: docs/moderation.md (Cases and decisions)
        """
        return sorted(
            case for case, facts in self._facts.items() if facts.reports or facts.labels
        )

    def facts(self, case: Case) -> CaseFacts:
        """The acts on ``case`` (none if nothing was said about it).

        Spec: docs/moderation.md (Cases and decisions)
        """
        return self._facts.get(case) or CaseFacts(case)

    def decide(self, case: Case, *, at: datetime) -> Decision:
        """Decide ``case`` as of ``at``, from the evidence.

        Spec: docs/moderation.md (Cases and decisions, Appeals)

        Raises:
            ValueError: ``case`` is of another community, or ``at`` has no
                timezone (the caller's mistakes).
        """
        if case.community != self.community:
            raise ValueError("the case is of another community than the evidence")
        if at.tzinfo is None:
            raise ValueError("at must have a timezone")
        return judge_case(self.facts(case), self._context, at=at)


class _Pool:
    """A pool's documents, sorted by what reads them (internal)."""

    def __init__(self, community: str, *, recount: bool, posts: bool) -> None:
        self.community = community
        self.recount = recount
        self.read_posts = posts
        self.acts: list[JsonValue] = []
        self.posts: list[JsonObject] = []
        self.members: list[JsonValue] = []
        self.governance: list[JsonValue] = []
        self.constitutions: list[JsonObject] = []
        self.tallies: list[JsonObject] = []
        self.proposals: list[JsonObject] = []
        self.steps = 0

    def add(self, document: JsonValue) -> None:
        self.steps += 1
        if not isinstance(document, dict):
            return
        names = {name for name in types_of(document) if isinstance(name, str)}
        if names & _ACTS:
            if _subject_community(document) == self.community:
                self.acts.append(document)
            return
        if POST_TYPE in names:
            if self.read_posts:
                self.posts.append(document)
            return
        if names & _MEMBERSHIPS and issuer_of(document) == self.community:
            self.members.append(document)
        if names & _GOVERNANCE or (self.recount and names & _RECOUNT):
            self.governance.append(document)
        if CONSTITUTION_TYPE in names:
            self.constitutions.append(document)
        elif TALLY_TYPE in names:
            self.tallies.append(document)
        elif PROPOSAL_TYPE in names:
            self.proposals.append(document)


class _Files:
    """Each signed act of the community filed under its case (internal)."""

    def __init__(self, community: str) -> None:
        self.community = community
        self.cases: dict[Case, _Facts] = {}
        self.verdicts: dict[str, tuple[CaseAct, ...]] = {}
        self.ignored: list[tuple[str, str]] = []
        self._seen: set[str] = set()

    def add(self, item: CheckedAct) -> None:
        if item.cid in self._seen:
            return
        self._seen.add(item.cid)
        value = item.value
        if value is None:
            self.ignored.append((item.cid, "malformed"))
            return
        if not item.signed:
            self.ignored.append((item.cid, "unsigned"))
            return
        if not isinstance(value, Report | ModerationLabel | Appeal | Verdict):
            return
        if value.community != self.community:
            return
        if isinstance(value, Verdict):
            act = CaseAct(value.cid, value.moderator, value.time, value.verdict)
            self.verdicts[value.appeal] = (*self.verdicts.get(value.appeal, ()), act)
            return
        case = Case(self.community, value.post, value.label)
        filed = self.cases.get(case)
        if filed is None:
            filed = self.cases[case] = _Facts()
        if isinstance(value, Report):
            filed.reports.append(CaseAct(value.cid, value.reporter, value.time))
        elif isinstance(value, ModerationLabel):
            negated = "negated" if value.negated else None
            filed.labels.append(
                CaseAct(value.cid, value.moderator, value.time, negated)
            )
        else:
            filed.appeals.append(CaseAct(value.cid, value.appellant, value.time))


def _chain(
    pool: _Pool,
    *,
    logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None,
    verifier: Verifier | None,
    at: datetime,
) -> list[tuple[datetime, str, ModerationRules]]:
    """The constitutions in force, each with the moment it takes effect."""
    try:
        found = constitution_in_force(
            pool.constitutions,
            pool.tallies,
            pool.proposals,
            community=pool.community,
            logs=logs,
            verifier=verifier,
            inputs=pool.governance if pool.recount else None,
            at=at,
        )
    except ConstitutionNotInForceError:
        return []
    by_cid = {object_cid(document): document for document in pool.constitutions}
    out: list[tuple[datetime, str, ModerationRules]] = []
    for cid in found.chain:
        read = read_constitution(by_cid[cid])
        out.append((read.valid_from, cid, read.rules.moderation))
    return out


def decide(
    case: Case,
    objects: Sequence[JsonValue] | ModerationEvidence,
    *,
    at: datetime,
    logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None = None,
) -> Decision:
    """Decide ``case`` as of ``at`` from a pool of documents (verified and
    read here, as of ``at``) or from evidence already built.

    Spec: docs/moderation.md (Cases and decisions, Appeals)

    Raises:
        ValueError: ``at`` has no timezone, or the evidence is of another
            community (the caller's mistakes).
    """
    if isinstance(objects, ModerationEvidence):
        return objects.decide(case, at=at)
    evidence = ModerationEvidence.from_objects(
        objects, community=case.community, logs=logs, at=at
    )
    return evidence.decide(case, at=at)


def moderation_log(evidence: ModerationEvidence, *, at: datetime) -> list[Decision]:
    """Decide every case of the evidence as of ``at``, in case order.

    Spec: docs/moderation.md (Cases and decisions)

    Raises:
        ValueError: ``at`` has no timezone.
    """
    return [evidence.decide(case, at=at) for case in evidence.cases()]
