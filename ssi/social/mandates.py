"""Which moderator mandates hold, and when: soundness from evidence, standing
as of a moment.

A ``ModeratorMandate`` is **sound** when the evidence in the pool shows the
community issued it to a moderator its members elected, for no longer than
its constitution allows. The checks run in this order, and the first that
fails names the problem (``MANDATE_PROBLEMS``):

1. ``unsigned``: the mandate's proof(s) verify (for a threshold did:agora
   community, m distinct steward proofs), its validity period and status
   aside, as of its ``validFrom`` or, when later, the latest ``created`` of
   its proofs (stewards co-sign after the community issues; every proof
   judged here, tallies' and status lists' too, is judged the same way).
2. ``notCommunity``: its issuer (= its subject's ``community``) is the
   community asked about.
3. ``noElection``: the tally its ``election`` names is in the pool.
4. ``electionUnsigned``: that tally's proof verifies (as of its ``validFrom``).
5. ``notElection``: the tally's proposal is in the pool, of kind
   ``election``, and the tally and proposal are of this community.
6. ``electionFailed``: the tally says the proposal passed.
7. ``notElected``: the moderator is among the result's ``count.winners``.
8. ``recountMismatch`` (only with ``recount``): the tally recomputes equal
   from the pool's inputs of the proposal; recounting needs the constitution
   the proposal cites, so without it the problem is ``noConstitution``.
9. ``beforeElection``: the mandate's ``validFrom`` is not before the vote's
   ``closes``.
10. ``noConstitution``: the constitution the proposal cites is in the pool.
11. ``pastTerm``: ``validUntil - validFrom`` is at most that constitution's
    ``moderation.mandateTerm``.

The standing of a DID at ``t`` comes from its sound mandates: ``valid`` if
one is in its term (``validFrom <= t < validUntil``), its revocation
entries are clear in the version of the community's status list in force at
``t``, and no recall ended it by ``t``. Otherwise the first of ``revoked``
(a revocation bit set, or recalled), ``statusUnknown`` (no version of the
list in force at ``t``), ``expired``, ``notYetValid`` that one of its sound
mandates has. A DID with only unsound mandates is ``invalidMandate``, one
with none ``noMandate``.

A recall ends a mandate: a tally in the pool that verifies and passed, of a
proposal of kind ``recall`` of this community whose ``recalls`` is the
mandate's CID (recounted too, with ``recount``), revokes the mandate from
that proposal's ``closes`` on, whether or not the community also set its bit.

Spec: docs/moderation.md (Mandates)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.credentials.verifier import Verifier
from ssi.errors import SSIError
from ssi.social._mandate_evidence import Evidence
from ssi.social.moderation import Mandate, read_mandate
from ssi.types import JsonValue

__all__ = [
    "MANDATE_PROBLEMS",
    "STANDINGS",
    "MandateBook",
    "MandateCheck",
    "check_mandates",
]

MANDATE_PROBLEMS: Final = (
    "unsigned",
    "notCommunity",
    "noElection",
    "electionUnsigned",
    "notElection",
    "electionFailed",
    "notElected",
    "recountMismatch",
    "beforeElection",
    "noConstitution",
    "pastTerm",
)
"""Why a mandate is not sound, in the order the checks run."""
STANDINGS: Final = (
    "valid",
    "noMandate",
    "notYetValid",
    "expired",
    "revoked",
    "statusUnknown",
    "invalidMandate",
)
"""A DID's standing as a moderator at a moment."""
_NOT_VALID: Final = ("revoked", "statusUnknown", "expired", "notYetValid")


@dataclass(frozen=True, slots=True)
class MandateCheck:
    """One mandate and whether it is sound.

    Attributes:
        cid: the mandate credential's CID.
        moderator: the moderator's DID.
        mandate: the mandate, read.
        problem: the first check it fails (one of ``MANDATE_PROBLEMS``),
            None when it is sound.
        detail: one sentence for people.
        recalled_at: when a passed recall ended it, if one did.
    """

    cid: str
    moderator: str
    mandate: Mandate | None
    problem: str | None
    detail: str
    recalled_at: datetime | None = None

    @property
    def sound(self) -> bool:
        """Whether every check passed."""
        return self.problem is None


class MandateBook:
    """The community's mandates, checked, and the moderators' standing.

    Built by :func:`check_mandates`.
    """

    def __init__(
        self, community: str, checks: Sequence[MandateCheck], evidence: Evidence
    ) -> None:
        self.community = community
        self.checks: tuple[MandateCheck, ...] = tuple(
            sorted(checks, key=lambda check: check.cid)
        )
        self._evidence = evidence
        self._by_did: dict[str, list[MandateCheck]] = {}
        self._standings: dict[tuple[str, datetime], str] = {}
        for check in self.checks:
            self._by_did.setdefault(check.moderator, []).append(check)

    def standing(self, did: str, at: datetime) -> str:
        """Return ``did``'s standing at ``at`` (one of ``STANDINGS``).

        Spec: docs/moderation.md (Mandates)
        """
        key = (did, at)
        known = self._standings.get(key)
        if known is not None:
            return known
        found = self._by_did.get(did)
        codes = {self._code(check, at) for check in found or () if check.sound}
        if not found:
            standing = "noMandate"
        elif not codes:
            standing = "invalidMandate"
        elif "valid" in codes:
            standing = "valid"
        else:
            standing = next(code for code in _NOT_VALID if code in codes)
        self._standings[key] = standing
        return standing

    def moderators(self, at: datetime) -> frozenset[str]:
        """Return the DIDs whose standing at ``at`` is ``valid``.

        Spec: docs/moderation.md (Mandates)
        """
        return frozenset(
            did for did in self._by_did if self.standing(did, at) == "valid"
        )

    def mandate(self, did: str, at: datetime) -> MandateCheck | None:
        """Return the sound mandate of ``did`` valid at ``at`` (of several,
        the one with the latest ``validFrom``, ties: the larger CID), or None.

        Spec: docs/moderation.md (Mandates)
        """
        valid = [
            check
            for check in self._by_did.get(did, ())
            if check.sound and self._code(check, at) == "valid"
        ]
        if not valid:
            return None
        return max(
            valid,
            key=lambda check: (
                check.mandate.valid_from if check.mandate else at,
                check.cid,
            ),
        )

    def _code(self, check: MandateCheck, at: datetime) -> str:
        mandate = check.mandate
        if mandate is None:
            return "invalidMandate"
        if check.recalled_at is not None and at >= check.recalled_at:
            return "revoked"
        unknown = False
        for entry in mandate.status:
            if entry is None or entry.purpose != "revocation":
                continue
            value = self._evidence.status.status(entry, at)
            if value is None:
                unknown = True
            elif value != 0:
                return "revoked"
        if unknown:
            return "statusUnknown"
        if at >= mandate.valid_until:
            return "expired"
        if at < mandate.valid_from:
            return "notYetValid"
        return "valid"


def check_mandates(
    documents: Sequence[JsonValue],
    *,
    community: str,
    logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None = None,
    verifier: Verifier | None = None,
    recount: bool = False,
) -> MandateBook:
    """Check every mandate in ``documents`` against the evidence there.

    ``documents`` is a pool: mandates, tallies, proposals, constitutions,
    the community's status lists (every version), and, with ``recount``,
    the inputs of the elections and recalls; anything else is ignored, and
    so is a mandate that cannot be read. Proofs are verified with
    ``verifier`` or, by default, with did:key, did:jwk and did:agora over
    ``logs`` (``{did: [log, ...]}``) as of each credential's ``validFrom``.

    Spec: docs/moderation.md (Mandates)
    """
    evidence = Evidence(
        documents, community=community, logs=logs, verifier=verifier, recount=recount
    )
    checks: list[MandateCheck] = []
    for document in evidence.mandates:
        try:
            mandate = read_mandate(document)
        except SSIError:
            continue
        problem, detail = evidence.soundness(document, mandate)
        checks.append(
            MandateCheck(
                cid=mandate.cid,
                moderator=mandate.moderator,
                mandate=mandate,
                problem=problem,
                detail=detail,
                recalled_at=evidence.recalled_at(mandate.cid)
                if problem is None
                else None,
            )
        )
    return MandateBook(community, checks, evidence)
