"""A post's moderation cases, decided from what the hub's store holds.

:func:`post_decisions` gathers the evidence of the post's community from the
store (its reports, labels, appeals and verdicts, the moderators' mandates,
the tallies, proposals and constitutions that seat them, its memberships and
the status lists it issued), builds ``ssi.social.ModerationEvidence`` from
it (which verifies every proof again, with the did:agora logs the hub
keeps) and decides each case on the post: one decision per label.

Spec: docs/hub.md (Views: cases), docs/moderation.md (Cases and decisions)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final

from ssi.agora import LogSource
from ssi.errors import SSIError
from ssi.social import ModerationEvidence
from ssi.social.ballot import BALLOT_TYPE, DELEGATION_TYPE
from ssi.social.community import MEMBERSHIP_TYPE
from ssi.social.constitution import CONSTITUTION_TYPE
from ssi.social.moderation import (
    APPEAL_TYPE,
    LABEL_TYPE,
    MANDATE_TYPE,
    REPORT_TYPE,
    VERDICT_TYPE,
)
from ssi.social.proposal import PROPOSAL_TYPE, SIGNAL_TYPE
from ssi.social.tally import TALLY_TYPE
from ssi.store import MAX_LIMIT, ObjectStore, StoredObject
from ssi.types import JsonObject, JsonValue

__all__ = ["EVIDENCE_TYPES", "post_decisions"]

EVIDENCE_TYPES: Final = (
    MANDATE_TYPE,
    REPORT_TYPE,
    LABEL_TYPE,
    APPEAL_TYPE,
    VERDICT_TYPE,
    TALLY_TYPE,
    PROPOSAL_TYPE,
    CONSTITUTION_TYPE,
    MEMBERSHIP_TYPE,
    BALLOT_TYPE,
    DELEGATION_TYPE,
    SIGNAL_TYPE,
)
"""The types read by community (``credentialSubject.community``); besides,
everything the community issued is read (constitutions, mandates,
memberships, status lists)."""


def _all(
    store: ObjectStore,
    *,
    type: str | None,
    community: str | None = None,
    author: str | None = None,
) -> Iterable[StoredObject]:
    cursor: str | None = None
    while True:
        page = store.query(
            type=type,
            community=community,
            author=author,
            limit=MAX_LIMIT,
            cursor=cursor,
        )
        yield from page.items
        if not page.more or page.cursor is None:
            return
        cursor = page.cursor


def _logs(
    dids: Iterable[str], sources: Iterable[LogSource]
) -> dict[str, list[list[JsonValue]]]:
    found: dict[str, list[list[JsonValue]]] = {}
    listed = list(sources)
    for did in sorted(set(dids)):
        if not did.startswith("did:agora:"):
            continue
        for source in listed:
            try:
                logs = source.logs_for(did)
            except SSIError:
                continue  # a broken file: the proofs it would verify fail
            found.setdefault(did, []).extend(logs)
    return found


def post_decisions(
    store: ObjectStore,
    post: StoredObject,
    *,
    at: datetime,
    logs: Iterable[LogSource] = (),
    recount: bool = False,
) -> list[JsonObject]:
    """Decide every case on ``post`` as of ``at``: one decision per label,
    sorted by label, as ``Decision.to_json`` writes them.

    Spec: docs/hub.md (Views: cases)

    Raises:
        ValueError: ``post`` names no community, or ``at`` has no timezone.
        StoreError: the store cannot be read.
    """
    community = post.community
    if community is None:
        raise ValueError("the post names no community")
    found: dict[str, StoredObject] = {}
    for kind in EVIDENCE_TYPES:
        for item in _all(store, type=kind, community=community):
            found[item.cid] = item
    for item in _all(store, type=None, author=community):
        found[item.cid] = item
    documents: list[JsonValue] = [item.document for item in found.values()]
    authors = {community} | {i.author for i in found.values() if i.author is not None}
    known = {post.cid: post.author} if post.author is not None else {}
    evidence = ModerationEvidence.from_objects(
        documents,
        community=community,
        logs=_logs(authors | set(known.values()), logs),
        recount=recount,
        at=at,
        authors=known,
    )
    cases = sorted(
        (case for case in evidence.cases() if case.post == post.cid),
        key=lambda case: case.label,
    )
    return [evidence.decide(case, at=at).to_json() for case in cases]
