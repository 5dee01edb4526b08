"""What ``agora feed`` needs to moderate a feed: the evidence in the object
store, the did:agora logs that verify it, and the decisions it gives.

The store's moderation objects (mandates, reports, labels, appeals,
verdicts) and what judges them (election tallies and proposals,
constitutions, memberships, every version of the status lists, and the
posts the cases name, for their authors) are read once; each community
that a report or label names and the policy follows is judged with
``ModerationEvidence.from_objects`` and ``moderation_log`` at the time
given. did:agora logs come from the ``--log`` files, and for a did:agora
community or signer they do not hold, from the wallet when it can be opened
without asking (a passphrase at hand).

Spec: docs/moderation.md (Feed policy), docs/cli.md (agora feed)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ssi.agora.lines import split_lines
from ssi.agora.log import did_for_inception
from ssi.errors import InvalidCIDError
from ssi.social import FeedPolicy
from ssi.store import ObjectStore
from ssi.types import JsonObject, JsonValue
from ssi.wallet.agora import WalletLogSource
from wallet_cli import session
from wallet_cli.commands.inputs import read_bytes
from wallet_cli.errors import UsageError

__all__ = [
    "MODERATION_TYPES",
    "case_posts",
    "feed_decisions",
    "followed_communities",
    "gather_logs",
    "moderation_documents",
    "signers",
]

MODERATION_TYPES: Final = (
    "ModeratorMandate",
    "Report",
    "Label",
    "Appeal",
    "Verdict",
    "Tally",
    "Proposal",
    "Constitution",
    "MembershipCredential",
    "BitstringStatusListCredential",
)
"""The object types a feed's moderation is judged from."""

_CASE_TYPES: Final = frozenset({"Report", "Label"})
_POST_NAMING: Final = frozenset({"Report", "Label", "Appeal"})
_PAGE: Final = 1000

if TYPE_CHECKING:
    from ssi.social import Decision  # type: ignore[attr-defined]  # H2, pending

Logs = dict[str, list[list[JsonValue]]]


def moderation_documents(store: ObjectStore) -> list[JsonObject]:
    """Return every stored object of the :data:`MODERATION_TYPES`.

    Raises:
        StoreError: the store cannot be read.
    """
    found: list[JsonObject] = []
    for type_name in MODERATION_TYPES:
        cursor: str | None = None
        while True:
            page = store.query(type=type_name, cursor=cursor, limit=_PAGE)
            found.extend(item.document for item in page.items)
            cursor = page.cursor
            if not page.more:
                break
    return found


def case_posts(store: ObjectStore, documents: Iterable[JsonObject]) -> list[JsonObject]:
    """The stored posts that reports, labels and appeals name (a case needs
    its post to know the author, whom the panel skips and who may appeal).

    Raises:
        StoreError: the store cannot be read.
    """
    named: set[str] = set()
    for document in documents:
        if _subject_type(document) in _POST_NAMING:
            subject = document.get("credentialSubject")
            post = subject.get("post") if isinstance(subject, dict) else None
            if isinstance(post, str):
                named.add(post)
    found: list[JsonObject] = []
    for cid in sorted(named):
        try:
            stored = store.get(cid)
        except InvalidCIDError:
            continue  # a malformed case; the judging lists it
        if stored is not None:
            found.append(stored.document)
    return found


def followed_communities(
    documents: Iterable[JsonObject], policy: FeedPolicy
) -> list[str]:
    """The communities to judge: those a report or label names that the
    policy follows (a community without either has no case), sorted."""
    named: set[str] = set()
    for document in documents:
        if _subject_type(document) in _CASE_TYPES:
            subject = document.get("credentialSubject")
            community = subject.get("community") if isinstance(subject, dict) else None
            if isinstance(community, str) and policy.follows(community):
                named.add(community)
    return sorted(named)


def gather_logs(
    files: Sequence[Path], state: session.Session, dids: Iterable[str]
) -> Logs:
    """did:agora logs from ``files``; for each did:agora DID of ``dids`` they
    do not hold, the wallet's log of it when the wallet can be opened.

    Raises:
        UsageError: a file cannot be read or holds no did:agora log.
        InvalidDIDLogError: a file's first entry is not an inception entry.
    """
    logs: Logs = {}
    for path in files:
        entries = split_lines(read_bytes(str(path)), source=str(path))
        first = entries[0] if entries else None
        if not isinstance(first, dict):
            raise UsageError("unusableInput", f"{path} holds no did:agora log.")
        logs.setdefault(did_for_inception(first), []).append(entries)
    missing = sorted(
        {did for did in dids if did.startswith("did:agora:") and did not in logs}
    )
    wallet = state.evidence_wallet() if missing else None
    if wallet is not None:
        source = WalletLogSource(wallet)
        for did in missing:
            found = source.logs_for(did)
            if found:
                logs[did] = found
    return logs


def signers(documents: Iterable[JsonObject]) -> set[str]:
    """The issuers of ``documents`` (strings, or objects' ``id``)."""
    found: set[str] = set()
    for document in documents:
        issuer = document.get("issuer")
        if isinstance(issuer, dict):
            issuer = issuer.get("id")
        if isinstance(issuer, str):
            found.add(issuer)
    return found


def feed_decisions(
    documents: Sequence[JsonObject],
    communities: Iterable[str],
    *,
    logs: Logs,
    at: datetime,
) -> list[Decision]:
    """Judge every case of each community at ``at``.

    Raises:
        SSIError: as ``ModerationEvidence.from_objects`` (evidence that
            cannot be used at all).
    """
    # Imported when there is evidence to judge: a feed without moderation
    # objects does not load the moderation code.
    from ssi.social import (  # type: ignore[attr-defined]  # H2, pending
        ModerationEvidence,
        moderation_log,
    )

    decisions: list[Decision] = []
    for community in communities:
        evidence = ModerationEvidence.from_objects(
            documents, community=community, logs=logs, at=at
        )
        decisions.extend(moderation_log(evidence, at=at))
    return decisions


def _subject_type(document: JsonObject) -> str | None:
    types = document.get("type")
    if isinstance(types, list):
        for name in types:
            if isinstance(name, str) and name != "VerifiableCredential":
                return name
    return None
