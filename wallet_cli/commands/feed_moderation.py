"""What ``agora feed`` needs to moderate a feed: the evidence in the object
store and bundles, the did:agora logs that verify it, and the decisions it
gives.

The moderation objects (mandates, reports, labels, appeals, verdicts) and
what judges them (election tallies and proposals, constitutions,
memberships, every version of the status lists) are read once, from the
store and from the bundles given; the feed's posts give their authors. Each
community that a report or label names and the policy follows is judged
with ``ModerationEvidence.from_objects`` and ``moderation_log`` at the time
given. did:agora logs come from the bundles and ``--log`` files, and for a
did:agora community or signer they do not hold, from the wallet when it can
be opened without asking (a passphrase at hand).

Spec: docs/moderation.md (Feed policy), docs/cli.md (agora feed)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Final

from ssi.agora.lines import split_lines
from ssi.agora.log import did_for_inception
from ssi.bundle import read_bundle
from ssi.social import (
    Decision,
    Feed,
    FeedPolicy,
    ModerationEvidence,
    moderation_log,
)
from ssi.store import ObjectStore
from ssi.types import JsonObject, JsonValue
from ssi.wallet.agora import WalletLogSource
from wallet_cli import session
from wallet_cli.commands.inputs import read_bytes
from wallet_cli.errors import UsageError

__all__ = [
    "MODERATION_TYPES",
    "Logs",
    "bundle_evidence",
    "feed_authors",
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
_PAGE: Final = 1000

Logs = dict[str, list[list[JsonValue]]]
"""did:agora logs by DID (each DID may have several copies)."""


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


def bundle_evidence(paths: Sequence[Path], logs: Logs) -> list[JsonObject]:
    """Return the objects of the :data:`MODERATION_TYPES` that the bundles
    hold (their objects, memberships and status lists); add their did:agora
    logs to ``logs``.

    Raises:
        BundleError: a bundle is not one (the error names the line).
    """
    found: list[JsonObject] = []
    for path in paths:
        contents = read_bundle(path)
        for document in (
            *contents.objects,
            *contents.memberships,
            *contents.status_lists,
        ):
            if _subject_type(document) in MODERATION_TYPES:
                found.append(document)
        for did, versions in contents.logs.items():
            logs.setdefault(did, []).extend(list(v) for v in versions)
    return found


def feed_authors(feed: Feed) -> dict[str, str]:
    """Each version of each post of ``feed`` (original and accepted edits),
    with its author: what the judging needs of the posts, already verified."""
    authors: dict[str, str] = {}
    for entry in feed.entries:
        authors[entry.cid] = entry.author
        for edit in entry.edits:
            authors[edit] = entry.author
    return authors


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
    files: Sequence[Path],
    state: session.Session,
    dids: Iterable[str],
    *,
    logs: Logs | None = None,
) -> Logs:
    """did:agora logs: ``logs`` (from bundles), those of ``files``, and for
    each did:agora DID of ``dids`` none of these hold, the wallet's log of
    it when the wallet can be opened.

    Raises:
        UsageError: a file cannot be read or holds no did:agora log.
        InvalidDIDLogError: a file's first entry is not an inception entry.
    """
    logs = {} if logs is None else logs
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
    authors: Mapping[str, str],
) -> list[Decision]:
    """Judge every case of each community at ``at``; ``authors`` gives the
    authors of the feed's posts (the posts in ``documents`` are not read).

    Spec: docs/moderation.md (Cases and decisions)
    """
    decisions: list[Decision] = []
    for community in communities:
        evidence = ModerationEvidence.from_objects(
            documents, community=community, logs=logs, at=at, authors=authors
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
