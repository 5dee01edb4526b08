"""``--hub URL`` for the governance commands: a proposal's inputs read from a
hub, verified here.

``agora proposal show CID --hub URL`` and ``agora tally verify TALLY --hub
URL`` copy what a recount of the proposal needs into a temporary store: the
proposal (``GET /objects/{cid}``), the community's status lists and the
objects of its community index (memberships, proposals, delegations,
tallies...; ``hub.replicate.pull``), what refers to the proposal (ballots,
signals, tallies; ``hub.replicate.pull_related``) and the community's
constitutions (``GET /objects?type=Constitution&author=DID``). Every object
is verified on this side as of ``--at`` (default: now), with did:agora
signers resolved from the logs the hub serves, validated here; what does not
verify is left out and counted. The hub is trusted for nothing: the
commands then verify everything again as they do for bundles.

Spec: docs/hub.md (Replication), docs/cli.md (Governance)
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import httpx

from ssi.cid import JSON_CODEC, is_cid
from ssi.credentials import FixedClock, system_clock
from ssi.errors import ObjectNotFoundError, SSIError, TransportError
from ssi.social import read_proposal
from ssi.social.constitution import CONSTITUTION_TYPE
from ssi.status.credential import LIST_CREDENTIAL_TYPE
from ssi.store import SQLiteStore
from ssi.types import JsonObject, JsonValue
from wallet_cli.errors import UsageError
from wallet_cli.output import Output

__all__ = [
    "HubInputs",
    "ProposalPart",
    "fetch_object",
    "fetch_proposal_inputs",
    "proposal_parts",
]

_PAGE: Final = 500
_PARTS: Final = ("Signal", "Ballot", "Tally")


@dataclass(frozen=True)
class HubInputs:
    """What was copied from a hub: the temporary store, the did:agora logs
    that validated, and how many objects did not verify.

    Attributes:
        store: the temporary store's location (removed with its stack).
        logs: the did:agora logs the hub served that validated here, by DID.
        refused: how many objects from the hub did not verify here.
    """

    store: str
    logs: dict[str, list[list[JsonValue]]]
    refused: int


@dataclass(frozen=True)
class ProposalPart:
    """A ballot, signal or tally that refers to a proposal.

    Attributes:
        cid: the object's CID.
        type: ``Ballot``, ``Signal`` or ``Tally``.
        author: the DID that signed it.
        time: when it says it was made (RFC 3339), or ``-``.
    """

    cid: str
    type: str
    author: str
    time: str

    def to_json(self) -> JsonObject:
        """Return the part as JSON."""
        return {
            "cid": self.cid,
            "type": self.type,
            "author": self.author,
            "time": self.time,
        }


def proposal_parts(location: str, cid: str) -> tuple[JsonObject, list[ProposalPart]]:
    """Return the proposal stored under ``cid`` in the store at ``location``
    and its ballots, signals and tallies, oldest first.

    Raises:
        ObjectNotFoundError: the store holds no such proposal.
    """
    parts: list[ProposalPart] = []
    with SQLiteStore(location) as store:
        stored = store.get(cid)
        if stored is None:
            raise ObjectNotFoundError(f"the hub holds no proposal {cid}.")
        cursor: str | None = None
        while True:
            page = store.query(refers_to=cid, limit=1000, cursor=cursor)
            for item in page.items:
                kind = next((t for t in _PARTS if t in item.types), None)
                if kind is not None:
                    moment = (
                        item.time.strftime("%Y-%m-%dT%H:%M:%SZ") if item.time else "-"
                    )
                    parts.append(
                        ProposalPart(item.cid, kind, item.author or "-", moment)
                    )
            if not page.more or page.cursor is None:
                break
            cursor = page.cursor
    parts.sort(key=lambda part: (_PARTS.index(part.type), part.time, part.cid))
    return stored.document, parts


def fetch_object(hub_url: str, cid: str) -> JsonObject:
    """Return the document the hub stores under ``cid`` (not verified here).

    Raises:
        UsageError: ``cid`` is not a CID.
        ObjectNotFoundError: the hub holds no object with that CID.
        TransportError: the hub cannot be reached or answers badly.
    """
    from hub.replicate import replication_client

    if not is_cid(cid, codec=JSON_CODEC):
        raise UsageError("unusableInput", f"{cid[:60]!r} is not a CID.")
    base = hub_url.rstrip("/")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with replication_client() as client:
        body = _get(client, f"{base}/objects/{cid}", {})
    document = body.get("document")
    if not isinstance(document, dict):
        raise TransportError(f"{base} answered for {cid} without a document.")
    return document


def fetch_proposal_inputs(
    out: Output,
    hub_url: str,
    proposal_cid: str,
    stack: contextlib.ExitStack,
    *,
    at: datetime | None = None,
) -> HubInputs:
    """Copy a proposal and what a recount of it needs from a hub into a
    temporary store (removed when ``stack`` closes), verifying each object
    here as of ``at`` (default: now).

    Raises:
        UsageError: ``proposal_cid`` is not a CID.
        ObjectNotFoundError: the hub holds no such proposal, or it does not
            verify here.
        TransportError: the hub cannot be reached or answers badly.
    """
    from hub.intake import Intake, PullReport
    from hub.logbook import MemoryLogBook
    from hub.replicate import pull, pull_related, replication_client, verifier_with

    if not is_cid(proposal_cid, codec=JSON_CODEC):
        raise UsageError("unusableInput", f"{proposal_cid[:60]!r} is not a CID.")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    base = hub_url.rstrip("/")
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
    location = folder / "governance.sqlite"
    book = MemoryLogBook()
    verifier = verifier_with(
        [book], clock=system_clock if at is None else FixedClock(at)
    )
    with SQLiteStore(location) as store, replication_client() as client:
        found = _get(client, f"{base}/objects/{proposal_cid}", {})
        community = _community_of(found.get("document"), proposal_cid)
        # The community's status lists come first and check its memberships;
        # each did:agora signer's log is asked of the hub once and validated.
        first = pull(
            base, store, verifier, community=community, client=client, logbook=book
        )
        intake = Intake(store, verifier, PullReport(base), http=client, logbook=book)
        if intake.lists is not None:
            for listed in _stored(store, LIST_CREDENTIAL_TYPE):
                intake.lists.add(listed)  # the lists the pull verified
        intake.add([found])
        filters = {"type": CONSTITUTION_TYPE, "author": community}
        for items in _pages(client, base, filters):
            intake.add(items)
        related = pull_related(
            base, store, intake.verifier, [proposal_cid], client=client, logbook=book
        )
        if store.get(proposal_cid) is None:
            raise ObjectNotFoundError(
                f"the proposal {proposal_cid} from {base} does not verify here."
            )
        signers = _agora_signers(store)
    logs = {did: book.logs_for(did) for did in signers}
    refused = first.rejected + intake.report.rejected + related.rejected
    if refused:
        out.notice(f"{refused} objects from the hub did not verify; they are left out")
    return HubInputs(
        str(location), {did: kept for did, kept in logs.items() if kept}, refused
    )


def _stored(store: SQLiteStore, type_name: str) -> list[JsonObject]:
    """The documents of one type in the store."""
    found: list[JsonObject] = []
    cursor: str | None = None
    while True:
        page = store.query(type=type_name, limit=1000, cursor=cursor)
        found.extend(item.document for item in page.items)
        if not page.more or page.cursor is None:
            return found
        cursor = page.cursor


def _agora_signers(store: SQLiteStore) -> list[str]:
    """The did:agora DIDs that signed the objects stored."""
    found: set[str] = set()
    cursor: str | None = None
    while True:
        page = store.query(limit=1000, cursor=cursor)
        found.update(
            item.author
            for item in page.items
            if item.author is not None and item.author.startswith("did:agora:")
        )
        if not page.more or page.cursor is None:
            return sorted(found)
        cursor = page.cursor


def _community_of(document: JsonValue, cid: str) -> str:
    if not isinstance(document, dict):
        raise ObjectNotFoundError(f"the hub holds no proposal {cid}.")
    try:
        return read_proposal(document).community
    except SSIError as exc:
        raise ObjectNotFoundError(f"the object {cid} is not a proposal.") from exc


def _get(client: httpx.Client, url: str, params: dict[str, str]) -> JsonObject:
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise TransportError(f"cannot read {url}: {exc}") from exc
    if response.status_code == 404:
        raise ObjectNotFoundError(f"{url} is not on the hub (404).")
    if response.status_code != 200:
        raise TransportError(f"{url} answered {response.status_code}.")
    try:
        body = response.json()
    except ValueError as exc:
        raise TransportError(f"{url} answered with something not JSON.") from exc
    if not isinstance(body, dict):
        raise TransportError(f"{url} answered with something not a JSON object.")
    return body


def _pages(
    client: httpx.Client, base: str, filters: dict[str, str]
) -> list[list[JsonValue]]:
    pages: list[list[JsonValue]] = []
    cursor: str | None = None
    while True:
        params = {**filters, "limit": str(_PAGE)}
        if cursor is not None:
            params["cursor"] = cursor
        body = _get(client, base + "/objects", params)
        items = body.get("items")
        if not isinstance(items, list):
            raise TransportError(f"{base}/objects answered with no page of items.")
        pages.append(items)
        next_cursor = body.get("cursor")
        if (
            body.get("more") is not True
            or not items
            or not isinstance(next_cursor, str)
        ):
            return pages
        cursor = next_cursor
