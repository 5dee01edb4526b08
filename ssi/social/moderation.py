"""Moderation credentials: mandates, reports, labels, appeals and verdicts.

A ``ModeratorMandate`` is issued by a community (its stewards co-sign when
the community is a threshold did:agora) to a moderator it elected; it names
the election's tally, runs for a fixed term (``validUntil`` is required) and
carries a revocation entry in the community's status list. A member files a
``Report`` against a post, a moderator files a ``Label`` (or withdraws one
with ``"negated": true``), the post's author files an ``Appeal`` and the
appeal panel's moderators answer with a ``Verdict``. Every one names the
community, so a reader knows whose rules judge it.

This module only builds and reads the credentials: signing and verifying are
``ssi.credentials``' business, and what the objects add up to is the
business of ``ssi.social.mandates`` and ``ssi.social.moderation_decide``.

Spec: docs/moderation.md (The objects, Mandates)
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ssi.social import _fields as f
from ssi.social._moderation_objects import (
    APPEAL_TYPE,
    LABEL_TYPE,
    MANDATE_TYPE,
    MAX_LABEL_LENGTH,
    MAX_REASON,
    REPORT_TYPE,
    VERDICT_TYPE,
    VERDICTS,
    Appeal,
    Mandate,
    ModerationLabel,
    Report,
    Verdict,
    read_appeal,
    read_label,
    read_mandate,
    read_moderation_object,
    read_report,
    read_verdict,
)
from ssi.social.moderation_case import Case, Decision
from ssi.types import JsonObject, JsonValue

if TYPE_CHECKING:
    from ssi.social.moderation_decide import ModerationEvidence

__all__ = [
    "APPEAL_TYPE",
    "LABEL_TYPE",
    "MANDATE_TYPE",
    "MAX_LABEL_LENGTH",
    "MAX_REASON",
    "REPORT_TYPE",
    "VERDICTS",
    "VERDICT_TYPE",
    "Appeal",
    "Case",
    "Decision",
    "Mandate",
    "ModerationLabel",
    "Report",
    "Verdict",
    "appeal_credential",
    "decide",
    "label_credential",
    "mandate_credential",
    "read_appeal",
    "read_label",
    "read_mandate",
    "read_moderation_object",
    "read_report",
    "read_verdict",
    "report_credential",
    "verdict_credential",
]


# --- Builders ---------------------------------------------------------------------


def mandate_credential(
    community: str,
    moderator: str,
    *,
    election: str,
    valid_from: datetime,
    valid_until: datetime,
    status: Sequence[JsonObject],
    credential_id: str | None = None,
) -> JsonObject:
    """Return an unsigned ``ModeratorMandate`` the community issues to
    ``moderator``, elected by the tally ``election``.

    ``status`` holds the ``credentialStatus`` entries (at least one of
    purpose ``revocation`` in the community's status list;
    ``ssi.status.build_status_entry`` makes one).

    Spec: docs/moderation.md (Mandates)

    Raises:
        MalformedValueError: a field breaks a rule (the message names its path).
        InvalidCIDError: ``election`` is not an object CID.
        ValueError: a time has no timezone.
    """
    if isinstance(status, dict):
        raise TypeError("status takes a sequence of entries, not one entry")
    subject: JsonObject = {
        "type": MANDATE_TYPE,
        "id": moderator,
        "community": community,
        "election": election,
    }
    built = f.build(MANDATE_TYPE, community, valid_from, subject)
    credential: JsonObject = {"@context": built["@context"]}
    if credential_id is not None:
        credential["id"] = credential_id
    credential.update(built)
    credential["validUntil"] = f.format_time(valid_until)
    entries = [copy.deepcopy(entry) for entry in status]
    if entries:
        credential["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    read_mandate(credential)
    return credential


def report_credential(
    reporter: str,
    *,
    community: str,
    post: str,
    label: str,
    valid_from: datetime,
    reason: str = "",
) -> JsonObject:
    """Return an unsigned ``Report``: ``reporter`` asks that ``post`` get ``label``.

    Spec: docs/moderation.md (The objects)

    Raises:
        MalformedValueError: a field breaks a rule (the message names its path).
        InvalidCIDError: ``post`` is not an object CID.
        ValueError: ``valid_from`` has no timezone.
    """
    subject = _case_subject(REPORT_TYPE, community, post, label, reason)
    credential = f.build(REPORT_TYPE, reporter, valid_from, subject)
    read_report(credential)
    return credential


def label_credential(
    moderator: str,
    *,
    community: str,
    post: str,
    label: str,
    valid_from: datetime,
    reason: str = "",
    negated: bool = False,
) -> JsonObject:
    """Return an unsigned ``Label`` by ``moderator`` on ``post``; with
    ``negated``, one that withdraws their label on the case.

    Spec: docs/moderation.md (The objects)

    Raises:
        MalformedValueError: a field breaks a rule, or ``reason`` is empty
            on a label that is not negated.
        InvalidCIDError: ``post`` is not an object CID.
        ValueError: ``valid_from`` has no timezone.
    """
    subject = _case_subject(LABEL_TYPE, community, post, label, reason)
    if negated:
        subject["negated"] = True
    credential = f.build(LABEL_TYPE, moderator, valid_from, subject)
    read_label(credential)
    return credential


def appeal_credential(
    author: str,
    *,
    community: str,
    post: str,
    label: str,
    valid_from: datetime,
    reason: str = "",
) -> JsonObject:
    """Return an unsigned ``Appeal`` by the post's ``author`` against ``label``.

    Spec: docs/moderation.md (The objects)

    Raises:
        MalformedValueError: a field breaks a rule (the message names its path).
        InvalidCIDError: ``post`` is not an object CID.
        ValueError: ``valid_from`` has no timezone.
    """
    subject = _case_subject(APPEAL_TYPE, community, post, label, reason)
    credential = f.build(APPEAL_TYPE, author, valid_from, subject)
    read_appeal(credential)
    return credential


def verdict_credential(
    moderator: str,
    *,
    community: str,
    appeal: str,
    verdict: str,
    valid_from: datetime,
    reason: str = "",
) -> JsonObject:
    """Return an unsigned ``Verdict`` by ``moderator`` on the appeal ``appeal``.

    Spec: docs/moderation.md (The objects)

    Raises:
        MalformedValueError: a field breaks a rule, or ``verdict`` is not
            ``uphold`` or ``overturn``.
        InvalidCIDError: ``appeal`` is not an object CID.
        ValueError: ``valid_from`` has no timezone.
    """
    subject: JsonObject = {
        "type": VERDICT_TYPE,
        "community": community,
        "appeal": appeal,
        "verdict": verdict,
    }
    if reason:
        subject["reason"] = reason
    credential = f.build(VERDICT_TYPE, moderator, valid_from, subject)
    read_verdict(credential)
    return credential


def _case_subject(
    type_name: str, community: str, post: str, label: str, reason: str
) -> JsonObject:
    subject: JsonObject = {
        "type": type_name,
        "community": community,
        "post": post,
        "label": label,
    }
    if reason:
        subject["reason"] = reason
    return subject


def decide(
    case: Case,
    objects: Sequence[JsonValue] | ModerationEvidence,
    *,
    at: datetime,
    logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None = None,
) -> Decision:
    """Decide ``case`` as of ``at`` from a pool of documents or from evidence
    already built: :func:`ssi.social.moderation_decide.decide`, named here too
    because this is where a reader of the credentials looks for it.

    Spec: docs/moderation.md (Cases and decisions, Appeals)

    Raises:
        ValueError: ``at`` has no timezone, or the evidence is of another
            community (the caller's mistakes).
    """
    # Imported here: the decisions read this module's credentials.
    from ssi.social import moderation_decide

    return moderation_decide.decide(case, objects, at=at, logs=logs)
