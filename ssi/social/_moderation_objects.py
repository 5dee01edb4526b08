"""The moderation objects as read: their values, and the readers that
check untrusted credentials into them (:mod:`ssi.social.moderation` builds
the credentials and re-exports all of this).

Spec: docs/moderation.md (The objects, Mandates)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.cid import object_cid
from ssi.credentials.model import Credential
from ssi.errors import MalformedValueError, SSIError
from ssi.social import _fields as f
from ssi.status.credential import StatusListEntry, parse_status_entry
from ssi.types import JsonObject, JsonValue

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
    "Mandate",
    "ModerationLabel",
    "Report",
    "Verdict",
    "read_appeal",
    "read_label",
    "read_mandate",
    "read_moderation_object",
    "read_report",
    "read_verdict",
]

MANDATE_TYPE: Final = "ModeratorMandate"
"""The credential type of a moderator's mandate."""
REPORT_TYPE: Final = "Report"
"""The credential type of a member's report on a post."""
LABEL_TYPE: Final = "Label"
"""The credential type of a moderator's label on a post."""
APPEAL_TYPE: Final = "Appeal"
"""The credential type of an author's appeal against a label."""
VERDICT_TYPE: Final = "Verdict"
"""The credential type of a moderator's verdict on an appeal."""
VERDICTS: Final = ("uphold", "overturn")
"""The values of a verdict."""
MAX_REASON: Final = 1000
"""The longest reason, in code points."""
MAX_LABEL_LENGTH: Final = 64
"""The longest label value, in code points."""
_CASE_MEMBERS: Final = frozenset({"type", "community", "post", "label", "reason"})
_MEMBERS: Final = {
    MANDATE_TYPE: frozenset({"type", "id", "community", "election"}),
    REPORT_TYPE: _CASE_MEMBERS,
    LABEL_TYPE: _CASE_MEMBERS | {"negated"},
    APPEAL_TYPE: _CASE_MEMBERS,
    VERDICT_TYPE: frozenset({"type", "community", "appeal", "verdict", "reason"}),
}


@dataclass(frozen=True, slots=True)
class Mandate:
    """What a moderator's mandate says (read by :func:`read_mandate`).

    Attributes:
        cid: the CID of the credential read.
        community: the community's DID (the issuer).
        moderator: the moderator's DID (the subject's ``id``).
        election: the CID of the election's tally.
        valid_from, valid_until: the term of the mandate.
        status: the ``credentialStatus`` entries, read (None for one that is
            not a status list entry this library can check).
        credential_id: the credential's ``id``, if it has one.
    """

    cid: str
    community: str
    moderator: str
    election: str
    valid_from: datetime
    valid_until: datetime
    status: tuple[StatusListEntry | None, ...]
    credential_id: str | None = None

    def to_json(self) -> JsonObject:
        """Return the mandate's fields as JSON (wire names)."""
        out: JsonObject = {
            "type": MANDATE_TYPE,
            "cid": self.cid,
            "community": self.community,
            "moderator": self.moderator,
            "election": self.election,
            "validFrom": f.format_time(self.valid_from),
            "validUntil": f.format_time(self.valid_until),
        }
        if self.credential_id is not None:
            out["id"] = self.credential_id
        return out


@dataclass(frozen=True, slots=True)
class Report:
    """A member's report that a post deserves a label (:func:`read_report`)."""

    cid: str
    reporter: str
    community: str
    post: str
    label: str
    time: datetime
    reason: str = ""

    def to_json(self) -> JsonObject:
        """Return the report's fields as JSON (wire names)."""
        return _case_json(REPORT_TYPE, self.cid, "reporter", self.reporter, self)


@dataclass(frozen=True, slots=True)
class ModerationLabel:
    """A moderator's label on a post, wire type ``Label`` (:func:`read_label`).

    ``negated`` withdraws this moderator's label on the case.
    """

    cid: str
    moderator: str
    community: str
    post: str
    label: str
    time: datetime
    reason: str = ""
    negated: bool = False

    def to_json(self) -> JsonObject:
        """Return the label's fields as JSON (wire names)."""
        out = _case_json(LABEL_TYPE, self.cid, "moderator", self.moderator, self)
        if self.negated:
            out["negated"] = True
        return out


@dataclass(frozen=True, slots=True)
class Appeal:
    """A post's author's appeal against a label (:func:`read_appeal`)."""

    cid: str
    appellant: str
    community: str
    post: str
    label: str
    time: datetime
    reason: str = ""

    def to_json(self) -> JsonObject:
        """Return the appeal's fields as JSON (wire names)."""
        return _case_json(APPEAL_TYPE, self.cid, "appellant", self.appellant, self)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A moderator's verdict on an appeal (:func:`read_verdict`)."""

    cid: str
    moderator: str
    community: str
    appeal: str
    verdict: str
    time: datetime
    reason: str = ""

    def to_json(self) -> JsonObject:
        """Return the verdict's fields as JSON (wire names)."""
        out: JsonObject = {
            "type": VERDICT_TYPE,
            "cid": self.cid,
            "moderator": self.moderator,
            "community": self.community,
            "appeal": self.appeal,
            "verdict": self.verdict,
            "time": f.format_time(self.time),
        }
        if self.reason:
            out["reason"] = self.reason
        return out


def _case_json(
    type_name: str,
    cid: str,
    role: str,
    actor: str,
    item: Report | ModerationLabel | Appeal,
) -> JsonObject:
    out: JsonObject = {
        "type": type_name,
        "cid": cid,
        role: actor,
        "community": item.community,
        "post": item.post,
        "label": item.label,
        "time": f.format_time(item.time),
    }
    if item.reason:
        out["reason"] = item.reason
    return out


# --- Readers ----------------------------------------------------------------------


def read_mandate(credential: JsonValue, *, parsed: Credential | None = None) -> Mandate:
    """Read a moderator's mandate (its proof is not checked here).

    The subject's ``community`` must be the issuer, ``validUntil`` must be
    later than ``validFrom``, and at least one ``credentialStatus`` entry
    must be a status list entry of purpose ``revocation``.

    Args:
        credential: the mandate credential.
        parsed: what ``parse_credential`` returned for this very document,
            so it is not parsed again; ignored for another document.

    Spec: docs/moderation.md (Mandates)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a mandate; the message names the field.
        InvalidCIDError: ``election`` is not an object CID.
    """
    parsed, community, valid_from, subject = _open(credential, MANDATE_TYPE, parsed)
    path = f.SUBJECT
    _require(subject, ("id", "community", "election"))
    moderator = f.did(subject["id"], f"{path}.id")
    if f.did(subject["community"], f"{path}.community") != community:
        raise MalformedValueError(f"{path}.community must be the issuer, {community}.")
    election = f.cid(subject["election"], f"{path}.election")
    if parsed.valid_until is None:
        raise MalformedValueError("$.validUntil is required: a mandate has a term.")
    if parsed.valid_until <= valid_from:
        raise MalformedValueError("$.validUntil must be later than $.validFrom.")
    entries = tuple(_entry(raw) for raw in parsed.status)
    if not any(
        entry is not None and entry.purpose == "revocation" for entry in entries
    ):
        raise MalformedValueError(
            "$.credentialStatus must hold an entry of purpose revocation in the "
            "community's status list."
        )
    return Mandate(
        cid=object_cid(credential),
        community=community,
        moderator=moderator,
        election=election,
        valid_from=valid_from,
        valid_until=parsed.valid_until,
        status=entries,
        credential_id=parsed.id,
    )


def read_report(credential: JsonValue, *, parsed: Credential | None = None) -> Report:
    """Read a report (its proof is not checked here).

    Spec: docs/moderation.md (The objects)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a report; the message names the field.
        InvalidCIDError: ``post`` is not an object CID.
    """
    _, reporter, time, subject = _open(credential, REPORT_TYPE, parsed)
    community, post, label = _case(subject)
    return Report(
        cid=object_cid(credential),
        reporter=reporter,
        community=community,
        post=post,
        label=label,
        time=time,
        reason=_reason(subject),
    )


def read_label(
    credential: JsonValue, *, parsed: Credential | None = None
) -> ModerationLabel:
    """Read a moderator's label (its proof is not checked here).

    ``negated``, when present, must be the JSON value ``true``; ``reason``
    is required unless the label is negated.

    Spec: docs/moderation.md (The objects)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a label; the message names the field.
        InvalidCIDError: ``post`` is not an object CID.
    """
    _, moderator, time, subject = _open(credential, LABEL_TYPE, parsed)
    community, post, label = _case(subject)
    negated = False
    if "negated" in subject:
        if subject["negated"] is not True:
            raise MalformedValueError(
                f"{f.SUBJECT}.negated must be true when present, not "
                f"{f.show(repr(subject['negated']))}."
            )
        negated = True
    reason = _reason(subject)
    if not reason and not negated:
        raise MalformedValueError(
            f"{f.SUBJECT}.reason is required on a label that is not negated."
        )
    return ModerationLabel(
        cid=object_cid(credential),
        moderator=moderator,
        community=community,
        post=post,
        label=label,
        time=time,
        reason=reason,
        negated=negated,
    )


def read_appeal(credential: JsonValue, *, parsed: Credential | None = None) -> Appeal:
    """Read an appeal (its proof is not checked here).

    Spec: docs/moderation.md (The objects)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not an appeal; the message names the field.
        InvalidCIDError: ``post`` is not an object CID.
    """
    _, appellant, time, subject = _open(credential, APPEAL_TYPE, parsed)
    community, post, label = _case(subject)
    return Appeal(
        cid=object_cid(credential),
        appellant=appellant,
        community=community,
        post=post,
        label=label,
        time=time,
        reason=_reason(subject),
    )


def read_verdict(credential: JsonValue, *, parsed: Credential | None = None) -> Verdict:
    """Read a verdict (its proof is not checked here).

    Spec: docs/moderation.md (The objects)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a verdict, or its ``verdict`` is neither
            ``uphold`` nor ``overturn``; the message names the field.
        InvalidCIDError: ``appeal`` is not an object CID.
    """
    _, moderator, time, subject = _open(credential, VERDICT_TYPE, parsed)
    path = f.SUBJECT
    _require(subject, ("community", "appeal", "verdict"))
    verdict = f.string(subject["verdict"], f"{path}.verdict")
    if verdict not in VERDICTS:
        raise MalformedValueError(
            f"{path}.verdict must be uphold or overturn, not {f.show(verdict)}."
        )
    return Verdict(
        cid=object_cid(credential),
        moderator=moderator,
        community=f.did(subject["community"], f"{path}.community"),
        appeal=f.cid(subject["appeal"], f"{path}.appeal"),
        verdict=verdict,
        time=time,
        reason=_reason(subject),
    )


_Read = Mandate | Report | ModerationLabel | Appeal | Verdict
_READERS: Final[dict[str, Callable[[JsonValue, Credential | None], _Read]]] = {
    MANDATE_TYPE: lambda document, parsed: read_mandate(document, parsed=parsed),
    REPORT_TYPE: lambda document, parsed: read_report(document, parsed=parsed),
    LABEL_TYPE: lambda document, parsed: read_label(document, parsed=parsed),
    APPEAL_TYPE: lambda document, parsed: read_appeal(document, parsed=parsed),
    VERDICT_TYPE: lambda document, parsed: read_verdict(document, parsed=parsed),
}


def read_moderation_object(
    credential: JsonValue, *, parsed: Credential | None = None
) -> Mandate | Report | ModerationLabel | Appeal | Verdict:
    """Read any of the five moderation credentials, chosen by its ``type``.

    Spec: docs/moderation.md (The objects)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a moderation object, or a field breaks a
            rule; the message names the field.
        InvalidCIDError: a CID field is not an object CID.
    """
    types = credential.get("type") if isinstance(credential, dict) else None
    names = types if isinstance(types, list) else [types]
    found = [name for name in names if isinstance(name, str) and name in _READERS]
    if len(found) != 1:
        raise MalformedValueError(
            "$.type must name one of ModeratorMandate, Report, Label, Appeal, Verdict."
        )
    return _READERS[found[0]](credential, parsed)


def _open(
    credential: JsonValue, type_name: str, parsed: Credential | None
) -> tuple[Credential, str, datetime, JsonObject]:
    parsed, actor, time, subject = f.envelope(
        credential, type_name, _MEMBERS[type_name], parsed=parsed
    )
    if subject.get("type") != type_name:
        raise MalformedValueError(f'{f.SUBJECT}.type must be "{type_name}".')
    return parsed, actor, time, subject


def _require(subject: JsonObject, keys: Sequence[str]) -> None:
    for key in keys:
        if key not in subject:
            raise MalformedValueError(f"{f.SUBJECT}.{key} is required.")


def _case(subject: JsonObject) -> tuple[str, str, str]:
    path = f.SUBJECT
    _require(subject, ("community", "post", "label"))
    return (
        f.did(subject["community"], f"{path}.community"),
        f.cid(subject["post"], f"{path}.post"),
        f.short_text(subject["label"], f"{path}.label", MAX_LABEL_LENGTH),
    )


def _reason(subject: JsonObject) -> str:
    if "reason" not in subject:
        return ""
    return f.short_text(subject["reason"], f"{f.SUBJECT}.reason", MAX_REASON)


def _entry(raw: JsonObject) -> StatusListEntry | None:
    try:
        return parse_status_entry(raw)
    except SSIError:
        return None
