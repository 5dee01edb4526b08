"""What the governance commands share: where their inputs come from.

``agora tally compute | verify``, ``agora constitution adopt | in-force`` read
governance objects from bundles (their objects, memberships, every version
of their status lists, did:agora logs) and from an object store, and find a
proposal with the constitution it cites. ``agora mandate verify`` and
``agora moderation log | case`` read the moderation objects the same way
(with ``moderation=True``: mandates, reports, labels, appeals, verdicts and
the posts their cases name).

Spec: docs/cli.md (Governance, Moderation)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ssi.agora.lines import split_lines
from ssi.agora.log import did_for_inception
from ssi.bundle import read_bundle
from ssi.cid import object_cid
from ssi.errors import ObjectNotFoundError, SSIError
from ssi.social import read_constitution, read_proposal
from ssi.store import open_store
from ssi.types import JsonObject, JsonValue
from wallet_cli.commands.inputs import read_bytes
from wallet_cli.errors import UsageError

__all__ = [
    "BundlesOption",
    "GovernanceInputs",
    "HubAtOption",
    "StoreOption",
    "gather_inputs",
    "proposal_context",
    "worker_pool",
]

_GOVERNANCE_TYPES = frozenset(
    {
        "Proposal",
        "Signal",
        "Ballot",
        "Delegation",
        "Constitution",
        "Tally",
        "MembershipCredential",
        "BitstringStatusListCredential",
    }
)
_MODERATION_TYPES = frozenset(
    {"ModeratorMandate", "Report", "Label", "Appeal", "Verdict"}
)
_CASE_TYPES = frozenset({"Report", "Label", "Appeal"})

BundlesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--bundle",
        metavar="FILE",
        help="A bundle holding governance objects (proposals, ballots, signals, "
        "delegations, constitutions, tallies) with the memberships, status "
        "lists and did:agora logs that verify them; may be repeated.",
        show_default=False,
    ),
]
HubAtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="TIME",
        help="With --hub: verify the objects fetched as of this RFC 3339 time "
        "(default: now).",
        show_default=False,
    ),
]
"""``--at`` of the commands that read from a hub (``proposal show``,
``tally verify``)."""

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="PATH|URL",
        help="Also take the governance objects held in this object store.",
        show_default=False,
    ),
]


class GovernanceInputs:
    """Everything the bundles and the store hold that a tally may use."""

    def __init__(self) -> None:
        self.documents: list[JsonObject] = []
        self.logs: dict[str, list[list[JsonValue]]] = {}
        self._seen: set[str] = set()

    def add(self, document: JsonObject) -> None:
        cid = object_cid(document)
        if cid not in self._seen:
            self._seen.add(cid)
            self.documents.append(document)

    def cids(self) -> set[str]:
        """The CIDs of the documents gathered."""
        return set(self._seen)

    def find(self, cid: str) -> JsonObject | None:
        for document in self.documents:
            if object_cid(document) == cid:
                return document
        return None


# --- Gathering inputs --------------------------------------------------------------


def gather_inputs(
    bundles: list[Path] | None,
    store: str | None,
    logs: list[Path] | None,
    *,
    moderation: bool = False,
    required: bool = True,
) -> GovernanceInputs:
    """Read the bundles, the store's governance objects (and with
    ``moderation``, its moderation objects and the posts their cases name)
    and the did:agora logs.

    Raises:
        UsageError: neither bundles nor a store are given (when ``required``),
            or a log file cannot be used.
    """
    found = GovernanceInputs()
    for path in bundles or ():
        contents = read_bundle(path)
        for document in (
            *contents.objects,
            *contents.memberships,
            *contents.status_lists,
        ):
            found.add(document)
        for did, versions in contents.logs.items():
            found.logs.setdefault(did, []).extend(list(v) for v in versions)
    if store is not None:
        types = _GOVERNANCE_TYPES | (_MODERATION_TYPES if moderation else set())
        with open_store(store, create=False) as opened:
            for type_name in sorted(types):
                cursor: str | None = None
                while True:
                    page = opened.query(type=type_name, cursor=cursor, limit=1000)
                    for item in page.items:
                        found.add(item.document)
                    cursor = page.cursor
                    if not page.more:
                        break
            if moderation:
                for cid in sorted(_case_posts(found.documents) - found.cids()):
                    stored = opened.get(cid)
                    if stored is not None:
                        found.add(stored.document)
    for path in logs or ():
        entries = split_lines(read_bytes(str(path)), source=str(path))
        first = entries[0] if entries else None
        if not isinstance(first, dict):
            raise UsageError("unusableInput", f"{path} holds no did:agora log.")
        found.logs.setdefault(did_for_inception(first), []).append(entries)
    if required and not bundles and store is None:
        raise UsageError(
            "unusableInput", "give the inputs with --bundle FILE or --store PATH."
        )
    return found


def _case_posts(documents: list[JsonObject]) -> set[str]:
    """The CIDs of the posts that reports, labels and appeals name."""
    posts: set[str] = set()
    for document in documents:
        subject = document.get("credentialSubject")
        if not isinstance(subject, dict) or subject.get("type") not in _CASE_TYPES:
            continue
        post = subject.get("post")
        if isinstance(post, str):
            posts.add(post)
    return posts


def proposal_context(
    proposal_cid: str, inputs: GovernanceInputs
) -> tuple[JsonObject, JsonObject | None, datetime | None]:
    """The proposal, the constitution it cites, and when that was superseded."""
    proposal = inputs.find(proposal_cid)
    if proposal is None:
        raise ObjectNotFoundError(
            f"the inputs hold no proposal {proposal_cid}: add its bundle."
        )
    cited = read_proposal(proposal).constitution
    if cited is None:
        return proposal, None, None
    constitution = inputs.find(cited)
    if constitution is None:
        raise ObjectNotFoundError(
            f"the inputs hold no constitution {cited}, which the proposal cites."
        )
    superseded: datetime | None = None
    for document in inputs.documents:
        try:
            later = read_constitution(document)
        except SSIError:
            continue
        if later.replaces == cited and (
            superseded is None or later.valid_from < superseded
        ):
            superseded = later.valid_from
    return proposal, constitution, superseded


@contextlib.contextmanager
def worker_pool(processes: int) -> Iterator[Executor | None]:
    if processes <= 1:
        yield None
        return
    with ProcessPoolExecutor(processes) as pool:
        yield pool
