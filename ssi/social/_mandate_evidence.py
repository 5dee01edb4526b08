"""The evidence mandates are judged by: a pool read once, by CID and type.

:class:`Evidence` sorts a pool into mandates, tallies, proposals,
constitutions and the community's status lists (every version), verifies
proofs once each (as of each credential's ``validFrom``, or with the
verifier given), recounts tallies on request, and runs the soundness checks
of ``ssi.social.mandates`` in their order. Recalls are found here too.

Spec: docs/moderation.md (Mandates)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from ssi.cid import object_cid
from ssi.credentials.verifier import Verifier
from ssi.datetimes import parse_date_time
from ssi.errors import SSIError
from ssi.social._status_history import StatusHistory
from ssi.social.constitution import Constitution, read_constitution
from ssi.social.moderation import MANDATE_TYPE, Mandate
from ssi.social.proposal import Proposal, read_proposal
from ssi.social.tally import TALLY_TYPE, Tally, read_tally
from ssi.social.tally_inputs import signature_verified, tally_verifier
from ssi.social.tally_select import select_inputs
from ssi.social.tally_verify import verify_tally
from ssi.status.credential import LIST_CREDENTIAL_TYPE, parse_status_list_credential
from ssi.types import JsonObject, JsonValue

__all__ = ["Evidence"]

_SHOWN: Final = 80


class Evidence:
    """A pool of documents, sorted and checked for one community."""

    def __init__(
        self,
        documents: Sequence[JsonValue],
        *,
        community: str,
        logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None,
        verifier: Verifier | None,
        recount: bool,
    ) -> None:
        self.community = community
        self.documents = documents
        self.mandates: list[JsonObject] = []
        self.status = StatusHistory()
        self._logs = logs
        self._verifier = verifier
        self._recount = recount
        self._verifiers: dict[datetime, Verifier] = {}
        self._by_cid: dict[str, JsonObject] = {}
        self._tallies: dict[str, Tally | None] = {}
        self._signed: dict[str, bool] = {}
        self._recounted: dict[str, bool] = {}
        self._recalls: dict[str, datetime] | None = None
        self._tally_cids: list[str] = []
        seen: set[str] = set()
        for document in documents:
            if not isinstance(document, dict):
                continue
            try:
                cid = object_cid(document)
            except SSIError:
                continue
            if cid in seen:
                continue
            seen.add(cid)
            self._by_cid[cid] = document
            types = document.get("type")
            names = types if isinstance(types, list) else [types]
            if MANDATE_TYPE in names:
                self.mandates.append(document)
            elif TALLY_TYPE in names:
                self._tally_cids.append(cid)
            elif LIST_CREDENTIAL_TYPE in names:
                self._add_list(cid, document)

    def soundness(
        self, document: JsonObject, mandate: Mandate
    ) -> tuple[str | None, str]:
        """Run the checks in order; return the first problem and a sentence."""
        if not self.signed(document, mandate.valid_from):
            return "unsigned", "The mandate's proof does not verify."
        if mandate.community != self.community:
            return "notCommunity", (
                f"The mandate is issued by {mandate.community[:_SHOWN]}, "
                "not by this community."
            )
        tally = self.tally(mandate.election)
        if tally is None:
            return "noElection", "The election's tally is not at hand."
        tally_document = self._by_cid[mandate.election]
        if not self.signed(tally_document, tally.issued_at):
            return "electionUnsigned", "The election's tally does not verify."
        proposal = self._proposal(tally.proposal)
        if (
            proposal is None
            or proposal.kind != "election"
            or proposal.community != self.community
            or tally.community != self.community
        ):
            return "notElection", (
                "The tally is not of an election of this community at hand."
            )
        if not tally.passed:
            return "electionFailed", "The election did not pass."
        winners = _winners(tally)
        if mandate.moderator not in winners:
            return "notElected", "The moderator is not among the election's winners."
        constitution = self._constitution(proposal)
        if self._recount:
            if constitution is None:
                return "noConstitution", (
                    "The constitution the election cites is not at hand, so it "
                    "cannot be recounted."
                )
            if not self.recounts(mandate.election, proposal.cid, constitution[0]):
                return "recountMismatch", (
                    "The election's tally does not match its inputs."
                )
        if mandate.valid_from < proposal.closes:
            return "beforeElection", "The mandate starts before the vote closed."
        if constitution is None:
            return "noConstitution", (
                "The constitution the election cites is not at hand."
            )
        term = constitution[1].rules.moderation.mandate_term
        if mandate.valid_until - mandate.valid_from > term:
            return "pastTerm", (
                "The mandate runs longer than the constitution's mandate term."
            )
        return None, "The mandate is sound."

    def recalled_at(self, mandate_cid: str) -> datetime | None:
        """When a passed recall of this community ended the mandate, if one did."""
        if self._recalls is None:
            self._recalls = self._find_recalls()
        return self._recalls.get(mandate_cid)

    def signed(self, document: JsonObject, at: datetime) -> bool:
        """Whether a document's proof(s) verify, validity and status aside,
        as of ``at`` (its ``validFrom``) or of its latest proof's ``created``
        if later: stewards co-sign after the community issues."""
        cid = object_cid(document)
        if cid not in self._signed:
            checker = self._verifier_at(_signing_time(document, at))
            self._signed[cid] = signature_verified(checker.verify(document))
        return self._signed[cid]

    def tally(self, cid: str) -> Tally | None:
        """The tally of that CID in the pool, read; None if absent or unreadable."""
        if cid not in self._tallies:
            document = self._by_cid.get(cid)
            found: Tally | None = None
            if document is not None:
                try:
                    found = read_tally(document)
                except SSIError:
                    found = None
            self._tallies[cid] = found
        return self._tallies[cid]

    def recounts(
        self, tally_cid: str, proposal_cid: str, constitution: JsonObject
    ) -> bool:
        """Whether the tally recomputes equal from the pool's inputs."""
        if tally_cid not in self._recounted:
            proposal = self._by_cid[proposal_cid]
            try:
                outcome = verify_tally(
                    self._by_cid[tally_cid],
                    proposal,
                    select_inputs(proposal, self.documents),
                    constitution=constitution,
                    logs=self._logs,
                    verifier=self._verifier,
                )
                self._recounted[tally_cid] = outcome.verified
            except SSIError:
                self._recounted[tally_cid] = False
        return self._recounted[tally_cid]

    def _proposal(self, cid: str) -> Proposal | None:
        document = self._by_cid.get(cid)
        if document is None:
            return None
        try:
            return read_proposal(document)
        except SSIError:
            return None

    def _constitution(
        self, proposal: Proposal
    ) -> tuple[JsonObject, Constitution] | None:
        if proposal.constitution is None:
            return None
        document = self._by_cid.get(proposal.constitution)
        if document is None:
            return None
        try:
            read = read_constitution(document)
        except SSIError:
            return None
        if read.community != self.community:
            return None
        return document, read

    def _find_recalls(self) -> dict[str, datetime]:
        ends: dict[str, datetime] = {}
        for cid in self._tally_cids:
            tally = self.tally(cid)
            if tally is None or not tally.passed or tally.community != self.community:
                continue
            proposal = self._proposal(tally.proposal)
            if (
                proposal is None
                or proposal.kind != "recall"
                or proposal.community != self.community
                or proposal.recalls is None
                or not self.signed(self._by_cid[cid], tally.issued_at)
            ):
                continue
            if self._recount:
                constitution = self._constitution(proposal)
                if constitution is None or not self.recounts(
                    cid, proposal.cid, constitution[0]
                ):
                    continue
            ended = ends.get(proposal.recalls)
            if ended is None or proposal.closes < ended:
                ends[proposal.recalls] = proposal.closes
        return ends

    def _add_list(self, cid: str, document: JsonObject) -> None:
        try:
            listed = parse_status_list_credential(document)
        except SSIError:
            return
        valid_from = listed.credential.valid_from
        if listed.issuer != self.community or valid_from is None:
            return
        if self.signed(document, valid_from):
            self.status.add(cid, listed)

    def _verifier_at(self, at: datetime) -> Verifier:
        if self._verifier is not None:
            return self._verifier
        if at not in self._verifiers:
            self._verifiers[at] = tally_verifier(self._logs, at=at)
        return self._verifiers[at]


def _signing_time(document: JsonObject, at: datetime) -> datetime:
    proofs = document.get("proof")
    latest = at
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if not isinstance(proof, dict) or "created" not in proof:
            continue
        try:
            created = parse_date_time(
                proof["created"], require_timezone=True, path="$.proof.created"
            )
        except SSIError:
            continue
        latest = max(latest, created)
    return latest


def _winners(tally: Tally) -> frozenset[str]:
    count = tally.result.get("count")
    winners = count.get("winners") if isinstance(count, dict) else None
    if not isinstance(winners, list):
        return frozenset()
    return frozenset(w for w in winners if isinstance(w, str))
