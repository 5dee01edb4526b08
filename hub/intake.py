"""What arrives from another hub: verified here, counted, refusals logged.

:class:`Intake` offers the objects a source hub serves (pages of
``GET /objects`` or ``GET /stream`` events, each ``{cid, document, ...}``)
to the local store's ``add`` with the local verifier, fetches the did:agora
logs of their signers from the source when given a log book, feeds status
list credentials that verified to the status checker, and keeps the counts
in a :class:`PullReport`. Used by ``hub.replicate``.

Spec: docs/hub.md (Replication)
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Final

import httpx

from hub.evidence import expiry_recorded, is_membership, membership_verifier
from hub.logbook import LogBook
from ssi.agora import split_lines
from ssi.credentials import Verifier
from ssi.errors import SSIError
from ssi.social import FEED_RECORDS
from ssi.status import BitstringStatusChecker, MemoryStatusSource
from ssi.status.credential import LIST_CREDENTIAL_TYPE
from ssi.store import AddResult, ObjectStore
from ssi.types import JsonObject, JsonValue

__all__ = ["Intake", "PullReport", "Refusal", "listed_document"]

_MAX_LOGS: Final = 100_000
"""Signers whose logs one intake asks for, at most."""

_log = logging.getLogger("hub.replicate")


@dataclass(frozen=True, slots=True)
class Refusal:
    """An object the source served that did not verify here.

    Attributes:
        cid: its CID (as computed here; None when it is not a JSON object).
        codes: the precise codes of its problems.
        claimed: the CID the source listed it under, when that differs.
    """

    cid: str | None
    codes: tuple[str, ...]
    claimed: str | None = None

    def to_json(self) -> JsonObject:
        """Return the refusal as JSON."""
        return {"cid": self.cid, "codes": list(self.codes), "claimed": self.claimed}


@dataclass
class PullReport:
    """What a pull (or a follow, so far) did.

    Attributes:
        source: the source hub's base URL.
        stored: objects stored here now.
        present: objects this store already had.
        rejected: objects refused (see ``refused``).
        refused: the refusals, in the order met.
        cursor: the source's cursor after the last object read (unfiltered
            pulls only: ``GET /stream`` resumes from it), else None.
        pages: pages read.
    """

    source: str
    stored: int = 0
    present: int = 0
    rejected: int = 0
    refused: list[Refusal] = field(default_factory=list)
    cursor: str | None = None
    pages: int = 0

    @property
    def seen(self) -> int:
        """Objects read from the source."""
        return self.stored + self.present + self.rejected

    def to_json(self) -> JsonObject:
        """Return the report as JSON."""
        return {
            "source": self.source,
            "stored": self.stored,
            "present": self.present,
            "rejected": self.rejected,
            "refused": [refusal.to_json() for refusal in self.refused],
            "cursor": self.cursor,
            "pages": self.pages,
        }


def listed_document(item: JsonValue) -> tuple[JsonValue, str | None]:
    """Return the document of a listed item and the CID it was listed under
    (a bare document is taken as it is, with no CID).

    Spec: docs/hub.md (Replication)
    """
    if isinstance(item, dict) and "document" in item:
        claimed = item.get("cid")
        return item["document"], claimed if isinstance(claimed, str) else None
    return item, None


class Intake:
    """Adds what a source serves to the store, counting and logging.

    Spec: docs/hub.md (Replication)
    """

    def __init__(
        self,
        store: ObjectStore,
        verifier: Verifier,
        report: PullReport,
        *,
        http: httpx.Client,
        logbook: LogBook | None = None,
    ) -> None:
        self.store = store
        self.report = report
        self.http = http
        self.logbook = logbook
        self.asked: set[str] = set()
        self.lists: MemoryStatusSource | None = None
        self.memberships: Verifier | None = None
        if verifier.status is None:
            self.lists = MemoryStatusSource()
            checker = BitstringStatusChecker(self.lists)
            verifier = dataclasses.replace(verifier, status=checker)
            # Memberships are kept with their status recorded (hub.evidence).
            self.memberships = expiry_recorded(membership_verifier(verifier, checker))
        # Credentials whose validity period has ended are kept, their
        # expiry recorded (hub.evidence).
        self.verifier = expiry_recorded(verifier)

    def add(self, items: list[JsonValue]) -> list[AddResult]:
        """Verify and store listed items (one transaction), counting each.

        Raises:
            StoreError: the store cannot be written.
        """
        pairs = [listed_document(item) for item in items]
        if self.logbook is not None:
            for document, _ in pairs:
                self._fetch_log(_signer(document))
        results = self._store([document for document, _ in pairs])
        for (document, claimed), result in zip(pairs, results, strict=True):
            self._count(document, claimed, result)
        return results

    def _store(self, documents: list[JsonValue]) -> list[AddResult]:
        """Add the documents in order, memberships with their own verifier."""
        special = self.memberships
        if special is None or not any(is_membership(d) for d in documents):
            return self.store.add(
                documents, verifier=self.verifier, derive=FEED_RECORDS
            )
        results: list[AddResult | None] = [None] * len(documents)
        for verifier, wanted in ((special, True), (self.verifier, False)):
            chosen = [i for i, d in enumerate(documents) if is_membership(d) == wanted]
            added = self.store.add(
                [documents[i] for i in chosen], verifier=verifier, derive=FEED_RECORDS
            )
            for index, result in zip(chosen, added, strict=True):
                results[index] = result
        return [result for result in results if result is not None]

    def _count(
        self, document: JsonValue, claimed: str | None, result: AddResult
    ) -> None:
        report = self.report
        if result.outcome == "rejected":
            report.rejected += 1
            codes = tuple(problem.error.code for problem in result.problems)
            refusal = Refusal(
                result.cid, codes, claimed if claimed != result.cid else None
            )
            report.refused.append(refusal)
            _log.warning(
                "refused object %s from %s: %s",
                result.cid,
                report.source,
                ", ".join(codes) or "unverified",
            )
            return
        if result.outcome == "stored":
            report.stored += 1
        else:
            report.present += 1
        if claimed is not None and claimed != result.cid:
            _log.warning(
                "%s listed object %s under another CID %s",
                report.source,
                result.cid,
                claimed[:80],
            )
        self._note_list(document)

    def _fetch_log(self, did: str | None) -> None:
        """Ask the source for the did:agora log of a signer (once) and keep
        it when it validates (the log book refuses forks)."""
        if self.logbook is None or did is None or did in self.asked:
            return
        if not did.startswith("did:agora:") or len(self.asked) >= _MAX_LOGS:
            return
        self.asked.add(did)
        url = f"{self.report.source}/dids/{did}/log"
        try:
            response = self.http.get(url)
        except httpx.HTTPError as exc:
            _log.info("cannot read %s: %s", url, exc)
            return
        if response.status_code != 200:
            return
        try:
            entries = split_lines(response.content, source=f"the log from {url}")
            self.logbook.record(entries)
        except SSIError as exc:
            _log.warning("refused the log of %s from %s: %s", did, url, exc.code)

    def _note_list(self, document: JsonValue) -> None:
        if self.lists is None or not isinstance(document, dict):
            return
        types = document.get("type")
        if isinstance(types, list) and LIST_CREDENTIAL_TYPE in types:
            if isinstance(document.get("id"), str):
                self.lists.add(document)


def _signer(document: JsonValue) -> str | None:
    if not isinstance(document, dict):
        return None
    signer = document.get("issuer", document.get("holder"))
    if isinstance(signer, dict):
        signer = signer.get("id")
    return signer if isinstance(signer, str) else None
