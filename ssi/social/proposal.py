"""Proposals and signals: what members put to a vote, and their support for
it before the vote opens.

A proposal is a credential of type ``Proposal`` issued by a member. It names
the community, the constitution in force (its CID; absent only for the
genesis ratification), the decision kind, a title and body, the counting
method, when the vote opens and closes, and what is decided: options (an
ordinary decision), candidates and seats (an election), the full new rules
(an amendment) or the mandate recalled (a recall). Amendments and recalls are
counted over the fixed options ``yes`` and ``no``.

A signal is a credential of type ``Signal`` by a member that supports a
proposal (by CID) before it opens. :func:`check_proposal` says, from already
verified inputs, whether a proposal is valid under a constitution's rules,
with a reason code for each rule it breaks.

This module only builds, reads and checks; signing and verifying are
``ssi.credentials``' business.

Spec: docs/governance.md (Proposals, Signals, Proposal validity)
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.cid import object_cid
from ssi.credentials.model import Credential
from ssi.datetimes import parse_date_time
from ssi.errors import MalformedValueError
from ssi.social import _fields as f
from ssi.social.rules import COUNTING_METHODS, parse_rules
from ssi.types import JsonObject, JsonValue

__all__ = [
    "FIXED_OPTIONS",
    "MAX_BODY_BYTES",
    "MAX_CANDIDATES",
    "MAX_OPTIONS",
    "MAX_TITLE_LENGTH",
    "PROPOSAL_TYPE",
    "SIGNAL_TYPE",
    "Option",
    "Proposal",
    "Signal",
    "proposal_credential",
    "read_proposal",
    "read_signal",
    "signal_credential",
]

PROPOSAL_TYPE: Final = "Proposal"
"""The credential type of a proposal."""
SIGNAL_TYPE: Final = "Signal"
"""The credential type of a signal."""
FIXED_OPTIONS: Final = ("yes", "no")
"""The option ids of amendments and recalls."""
MAX_TITLE_LENGTH: Final = 200
"""The longest title (and option name), in code points."""
MAX_BODY_BYTES: Final = 64 * 1024
"""The longest body, in bytes of UTF-8."""
MAX_OPTIONS: Final = 64
"""The most options an ordinary proposal may offer (at least 2)."""
MAX_CANDIDATES: Final = 1000
"""The most candidates an election may list."""
MAX_OPTION_ID: Final = 64
"""The longest option id, in code points."""
_MAX_TAGS: Final = 32
_KIND_RE: Final = re.compile(r"[a-z][a-z0-9-]{0,31}", re.ASCII)
_MAX_TAG_LENGTH: Final = 64
_SHAPES: Final = {
    "amendment": ("amendment",),
    "election": ("candidates", "seats"),
    "recall": ("recalls",),
}
_ORDINARY_SHAPE: Final = ("options",)
_SHAPE_MEMBERS: Final = frozenset(
    {"options", "candidates", "seats", "amendment", "recalls"}
)
_PROPOSAL_MEMBERS: Final = frozenset(
    {
        "type",
        "community",
        "constitution",
        "kind",
        "title",
        "body",
        "method",
        "opens",
        "closes",
        "tags",
    }
    | _SHAPE_MEMBERS
)
_SIGNAL_MEMBERS: Final = frozenset({"type", "proposal"})


@dataclass(frozen=True, slots=True)
class Option:
    """One option of an ordinary proposal: an id ballots use and a name."""

    id: str
    name: str

    def to_json(self) -> JsonObject:
        """Return the option as a proposal carries it."""
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True, slots=True)
class Proposal:
    """What a proposal says (read by :func:`read_proposal`).

    Attributes:
        cid: the CID of the credential read (``ssi.cid.object_cid``).
        author: the proposer's DID (the credential's issuer).
        created: the time of the proposal (``validFrom``).
        community: the community's DID.
        constitution: the CID of the constitution in force, ``None`` for a
            genesis ratification.
        kind: the decision kind (``ordinary``, ``amendment``, ``election``,
            ``recall`` or another the constitution defines).
        title: a one-line title.
        body: the text of the proposal (may be empty).
        method: the counting method.
        opens: when the vote opens.
        closes: when it closes.
        tags: the tags (which scope delegations), in order.
        options: the options of an ordinary (or custom-kind) proposal.
        candidates: the candidates' DIDs of an election.
        seats: the seats an election fills.
        amendment: the full new rules object of an amendment.
        recalls: the CID of the mandate a recall would end.
        credential_id: the credential's ``id``, if it has one.
    """

    cid: str
    author: str
    created: datetime
    community: str
    constitution: str | None
    kind: str
    title: str
    body: str
    method: str
    opens: datetime
    closes: datetime
    tags: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    candidates: tuple[str, ...] = ()
    seats: int | None = None
    amendment: JsonObject | None = None
    recalls: str | None = None
    credential_id: str | None = None

    @property
    def option_ids(self) -> tuple[str, ...]:
        """The ids ballots choose among: the options' ids, the candidates'
        DIDs, or ``("yes", "no")`` for amendments and recalls."""
        if self.kind in ("amendment", "recall"):
            return FIXED_OPTIONS
        if self.kind == "election":
            return self.candidates
        return tuple(option.id for option in self.options)

    def to_json(self) -> JsonObject:
        """Return the proposal's fields as JSON (wire names, absent ones left out)."""
        out: JsonObject = {
            "type": PROPOSAL_TYPE,
            "cid": self.cid,
            "author": self.author,
            "created": f.format_time(self.created),
            "community": self.community,
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "method": self.method,
            "opens": f.format_time(self.opens),
            "closes": f.format_time(self.closes),
            "optionIds": list(self.option_ids),
        }
        if self.constitution is not None:
            out["constitution"] = self.constitution
        if self.tags:
            out["tags"] = list(self.tags)
        if self.options:
            out["options"] = [option.to_json() for option in self.options]
        if self.candidates:
            out["candidates"] = list(self.candidates)
        if self.seats is not None:
            out["seats"] = self.seats
        if self.amendment is not None:
            out["amendment"] = copy.deepcopy(self.amendment)
        if self.recalls is not None:
            out["recalls"] = self.recalls
        if self.credential_id is not None:
            out["id"] = self.credential_id
        return out


@dataclass(frozen=True, slots=True)
class Signal:
    """What a signal says (read by :func:`read_signal`).

    Attributes:
        signer: the supporting member's DID (the credential's issuer).
        proposal: the CID of the proposal supported.
        time: when the signal was given (``validFrom``).
        credential_id: the credential's ``id``, if it has one.
    """

    signer: str
    proposal: str
    time: datetime
    credential_id: str | None = None

    def __reduce__(self) -> tuple[type[Signal], tuple[str, str, datetime, str | None]]:
        """Pickle as a constructor call: small and quick to load (tallies
        ship these back from worker processes by the hundred thousand)."""
        return (Signal, (self.signer, self.proposal, self.time, self.credential_id))


def proposal_credential(
    author: str,
    *,
    community: str,
    kind: str,
    title: str,
    method: str,
    opens: datetime,
    closes: datetime,
    valid_from: datetime,
    body: str = "",
    constitution: str | None = None,
    options: Sequence[Option] = (),
    candidates: Sequence[str] = (),
    seats: int | None = None,
    amendment: JsonObject | None = None,
    recalls: str | None = None,
    tags: Sequence[str] = (),
) -> JsonObject:
    """Return an unsigned ``Proposal`` credential by ``author``.

    Give exactly what the kind needs: ``options`` (ordinary and custom
    kinds), ``candidates`` and ``seats`` (election), ``amendment`` (the full
    rules object; ``constitution`` may then be ``None`` for the genesis) or
    ``recalls`` (recall).

    Spec: docs/governance.md (Proposals)

    Raises:
        MalformedValueError: a field breaks a rule (the message names its
            path), or the kind's members are missing or mixed.
        InvalidConstitutionError: ``amendment`` is not a consistent rules
            object.
        InvalidCIDError: ``constitution`` or ``recalls`` is not an object CID.
        ValueError: a time has no timezone.
    """
    for name, value in (("tags", tags), ("candidates", candidates)):
        if isinstance(value, str):
            raise TypeError(f"{name} takes a sequence of strings, not one string")
    subject: JsonObject = {"type": PROPOSAL_TYPE, "community": community}
    if constitution is not None:
        subject["constitution"] = constitution
    subject.update(
        {
            "kind": kind,
            "title": title,
            "body": body,
            "method": method,
            "opens": f.format_time(opens),
            "closes": f.format_time(closes),
        }
    )
    if tags:
        subject["tags"] = list(tags)
    if options:
        subject["options"] = [option.to_json() for option in options]
    if candidates:
        subject["candidates"] = list(candidates)
    if seats is not None:
        subject["seats"] = seats
    if amendment is not None:
        subject["amendment"] = copy.deepcopy(amendment)
    if recalls is not None:
        subject["recalls"] = recalls
    credential = f.build(PROPOSAL_TYPE, author, valid_from, subject)
    read_proposal(credential)
    return credential


def read_proposal(credential: JsonValue) -> Proposal:
    """Read a proposal (its proof is not checked here: verify it first).

    Spec: docs/governance.md (Proposals)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a proposal, or a field breaks a rule; the
            message names the field's path.
        InvalidConstitutionError: the ``amendment`` rules are inconsistent;
            ``field`` is their path (``$.credentialSubject.amendment...``).
        InvalidCIDError: ``constitution`` or ``recalls`` is not an object CID.
    """
    parsed, author, created, subject = f.envelope(
        credential, PROPOSAL_TYPE, _PROPOSAL_MEMBERS
    )
    path = f.SUBJECT
    _subject_type(subject, PROPOSAL_TYPE)
    for key in ("community", "kind", "title", "body", "method", "opens", "closes"):
        if key not in subject:
            raise MalformedValueError(f"{path}.{key} is required.")
    kind = f.string(subject["kind"], f"{path}.kind")
    if not _is_kind_name(kind):
        raise MalformedValueError(
            f"{path}.kind must be a kind name such as ordinary or amendment, "
            f"not {f.show(kind)}."
        )
    method = f.string(subject["method"], f"{path}.method")
    if method not in COUNTING_METHODS:
        raise MalformedValueError(
            f"{path}.method is not a counting method: {f.show(method)}."
        )
    opens = parse_date_time(
        subject["opens"], require_timezone=True, path=f"{path}.opens"
    )
    closes = parse_date_time(
        subject["closes"], require_timezone=True, path=f"{path}.closes"
    )
    if closes <= opens:
        raise MalformedValueError(f"{path}.closes must be later than {path}.opens.")
    constitution: str | None = None
    if "constitution" in subject:
        constitution = f.cid(subject["constitution"], f"{path}.constitution")
    elif kind != "amendment":
        raise MalformedValueError(
            f"{path}.constitution is required: only the ratification of a "
            "genesis constitution (kind amendment) has none."
        )
    shape = _SHAPES.get(kind, _ORDINARY_SHAPE)
    for key in _SHAPE_MEMBERS:
        if key in subject and key not in shape:
            raise MalformedValueError(
                f"{path}.{key} does not belong to a proposal of kind {f.show(kind)}."
            )
    for key in shape:
        if key not in subject:
            raise MalformedValueError(
                f"{path}.{key} is required in a proposal of kind {f.show(kind)}."
            )
    body = f.string(subject["body"], f"{path}.body")
    if f.utf8_size(body, f"{path}.body") > MAX_BODY_BYTES:
        raise MalformedValueError(
            f"{path}.body is longer than {MAX_BODY_BYTES} bytes of UTF-8."
        )
    amendment: JsonObject | None = None
    if "amendment" in subject:
        parse_rules(subject["amendment"], path=f"{path}.amendment")
        value = subject["amendment"]
        amendment = copy.deepcopy(value) if isinstance(value, dict) else None
    seats: int | None = None
    if "seats" in subject:
        seats = _positive(subject["seats"], f"{path}.seats")
    return Proposal(
        cid=object_cid(credential),
        author=author,
        created=created,
        community=f.did(subject["community"], f"{path}.community"),
        constitution=constitution,
        kind=kind,
        title=f.short_text(subject["title"], f"{path}.title", MAX_TITLE_LENGTH),
        body=body,
        method=method,
        opens=opens,
        closes=closes,
        tags=_tags(subject),
        options=_options(subject),
        candidates=_candidates(subject),
        seats=seats,
        amendment=amendment,
        recalls=f.cid(subject["recalls"], f"{path}.recalls")
        if "recalls" in subject
        else None,
        credential_id=parsed.id,
    )


def signal_credential(
    signer: str, proposal_cid: str, *, valid_from: datetime
) -> JsonObject:
    """Return an unsigned ``Signal`` credential: ``signer`` supports the
    proposal ``proposal_cid`` (at ``valid_from``, which must be no later than
    the proposal's ``opens`` to count).

    Spec: docs/governance.md (Signals)

    Raises:
        MalformedValueError: ``signer`` is not a DID.
        InvalidCIDError: ``proposal_cid`` is not an object CID.
        ValueError: ``valid_from`` has no timezone.
    """
    credential = f.build(
        SIGNAL_TYPE,
        signer,
        valid_from,
        {"type": SIGNAL_TYPE, "proposal": proposal_cid},
    )
    read_signal(credential)
    return credential


def read_signal(credential: JsonValue, *, parsed: Credential | None = None) -> Signal:
    """Read a signal (its proof is not checked here: verify it first).

    Args:
        credential: the signal credential.
        parsed: what ``parse_credential`` returned for this very document
            (``Verifier.verify_read`` hands it back), so it is not parsed
            again; ignored when it is the summary of another object.

    Spec: docs/governance.md (Signals)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a signal; the message names the field.
        InvalidCIDError: ``proposal`` is not an object CID.
    """
    parsed, signer, time, subject = f.envelope(
        credential, SIGNAL_TYPE, _SIGNAL_MEMBERS, parsed=parsed
    )
    _subject_type(subject, SIGNAL_TYPE)
    if "proposal" not in subject:
        raise MalformedValueError(f"{f.SUBJECT}.proposal is required.")
    return Signal(
        signer=signer,
        proposal=f.cid(subject["proposal"], f"{f.SUBJECT}.proposal"),
        time=time,
        credential_id=parsed.id,
    )


def _subject_type(subject: JsonObject, type_name: str) -> None:
    if subject.get("type") != type_name:
        raise MalformedValueError(f'{f.SUBJECT}.type must be "{type_name}".')


def _is_kind_name(text: str) -> bool:
    return _KIND_RE.fullmatch(text) is not None


def _positive(value: JsonValue, path: str) -> int:
    if type(value) is not int or value < 1:
        raise MalformedValueError(f"{path} must be a positive integer.")
    return value


def _tags(subject: JsonObject) -> tuple[str, ...]:
    if "tags" not in subject:
        return ()
    path = f"{f.SUBJECT}.tags"
    items = f.array(subject["tags"], path, _MAX_TAGS)
    tags = [
        f.short_text(item, f"{path}[{i}]", _MAX_TAG_LENGTH)
        for i, item in enumerate(items)
    ]
    _unique(tags, path)
    return tuple(tags)


def _options(subject: JsonObject) -> tuple[Option, ...]:
    if "options" not in subject:
        return ()
    path = f"{f.SUBJECT}.options"
    items = f.array(subject["options"], path, MAX_OPTIONS)
    if len(items) < len(FIXED_OPTIONS):
        raise MalformedValueError(f"{path} must offer at least 2 options.")
    options: list[Option] = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            raise MalformedValueError(f"{where} must be an object, not {f.kind(item)}.")
        for key in item:
            if key not in ("id", "name"):
                raise MalformedValueError(
                    f"{where}.{f.show(key)} is not a member of an option."
                )
        for key in ("id", "name"):
            if key not in item:
                raise MalformedValueError(f"{where}.{key} is required.")
        options.append(
            Option(
                id=f.short_text(item["id"], f"{where}.id", MAX_OPTION_ID),
                name=f.short_text(item["name"], f"{where}.name", MAX_TITLE_LENGTH),
            )
        )
    _unique([option.id for option in options], path, member=".id")
    return tuple(options)


def _candidates(subject: JsonObject) -> tuple[str, ...]:
    if "candidates" not in subject:
        return ()
    path = f"{f.SUBJECT}.candidates"
    items = f.array(subject["candidates"], path, MAX_CANDIDATES)
    if not items:
        raise MalformedValueError(f"{path} must list at least one candidate.")
    candidates = [f.did(item, f"{path}[{i}]") for i, item in enumerate(items)]
    _unique(candidates, path)
    return tuple(candidates)


def _unique(values: list[str], path: str, *, member: str = "") -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise MalformedValueError(
                f"{path}[{index}]{member} repeats {f.show(value)}; each may "
                "appear once."
            )
        seen.add(value)
