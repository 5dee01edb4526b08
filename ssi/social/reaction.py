"""Retractions and reactions: an author withdraws a post; a DID reacts to an
object.

A ``Retraction`` names, by CID, a post that its author withdraws (readers
stop showing it; a retraction by anyone else is ignored by feeds). A
``Reaction`` names an object by CID and a value from a small set:
``endorse``, ``disagree``, or ``emoji`` with a short free text in ``emoji``.
Both are credentials whose issuer is their author; ``validFrom`` is their
time.

Spec: docs/objects.md (Retractions, Reactions), docs/vocabulary.md
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from ssi.credentials.model import Credential
from ssi.errors import MalformedValueError
from ssi.social import _fields as f
from ssi.types import JsonObject, JsonValue

__all__ = [
    "MAX_EMOJI_LENGTH",
    "REACTIONS",
    "REACTION_TYPE",
    "RETRACTION_TYPE",
    "Reaction",
    "Retraction",
    "reaction_credential",
    "read_reaction",
    "read_retraction",
    "retraction_credential",
]

RETRACTION_TYPE: Final = "Retraction"
"""The credential type of a retraction."""
REACTION_TYPE: Final = "Reaction"
"""The credential type of a reaction."""
REACTIONS: Final = ("endorse", "disagree", "emoji")
"""The values of ``reaction``; ``emoji`` comes with the text in ``emoji``."""
MAX_EMOJI_LENGTH: Final = 16
"""The longest ``emoji`` text, in code points."""

_RETRACTION_MEMBERS: Final = frozenset({"retracts"})
_REACTION_MEMBERS: Final = frozenset({"reactsTo", "reaction", "emoji"})


@dataclass(frozen=True, slots=True)
class Retraction:
    """What a retraction says (read by :func:`read_retraction`).

    Attributes:
        author: the author's DID (the credential's issuer).
        published: the time of the retraction (``validFrom``), in UTC.
        retracts: the CID of the withdrawn post.
        credential_id: the credential's ``id``, if it has one.
    """

    author: str
    published: datetime
    retracts: str
    credential_id: str | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Retraction:
        """Rebuild a retraction from the JSON :meth:`to_json` wrote, trusting
        it (nothing is checked; see ``Post.from_record``).

        Spec: docs/objects.md (Feed records)

        Raises:
            KeyError, TypeError, ValueError: not such a record.
        """
        return cls(
            author=record["author"],
            published=datetime.fromisoformat(record["published"]),
            retracts=record["retracts"],
            credential_id=record.get("id"),
        )

    def to_json(self) -> JsonObject:
        """Return the retraction's fields as JSON."""
        out: JsonObject = {
            "type": RETRACTION_TYPE,
            "author": self.author,
            "published": f.format_time(self.published),
            "retracts": self.retracts,
        }
        if self.credential_id is not None:
            out["id"] = self.credential_id
        return out


@dataclass(frozen=True, slots=True)
class Reaction:
    """What a reaction says (read by :func:`read_reaction`).

    Attributes:
        author: the reacting DID (the credential's issuer).
        published: the time of the reaction (``validFrom``), in UTC.
        reacts_to: the CID of the object reacted to.
        reaction: ``endorse``, ``disagree`` or ``emoji``.
        emoji: the emoji text, with ``emoji`` only.
        credential_id: the credential's ``id``, if it has one.
    """

    author: str
    published: datetime
    reacts_to: str
    reaction: str
    emoji: str | None = None
    credential_id: str | None = None

    @property
    def value(self) -> str:
        """The value counted by feeds: the emoji text, or ``reaction``."""
        return self.emoji if self.emoji is not None else self.reaction

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Reaction:
        """Rebuild a reaction from the JSON :meth:`to_json` wrote, trusting it
        (nothing is checked; see ``Post.from_record``).

        Spec: docs/objects.md (Feed records)

        Raises:
            KeyError, TypeError, ValueError: not such a record.
        """
        return cls(
            author=record["author"],
            published=datetime.fromisoformat(record["published"]),
            reacts_to=record["reactsTo"],
            reaction=record["reaction"],
            emoji=record.get("emoji"),
            credential_id=record.get("id"),
        )

    def to_json(self) -> JsonObject:
        """Return the reaction's fields as JSON."""
        out: JsonObject = {
            "type": REACTION_TYPE,
            "author": self.author,
            "published": f.format_time(self.published),
            "reactsTo": self.reacts_to,
            "reaction": self.reaction,
        }
        if self.emoji is not None:
            out["emoji"] = self.emoji
        if self.credential_id is not None:
            out["id"] = self.credential_id
        return out


def retraction_credential(
    author: str, retracts: str, *, published: datetime
) -> JsonObject:
    """Return an unsigned ``Retraction`` of the post ``retracts`` by ``author``.

    Spec: docs/objects.md (Retractions)

    Raises:
        MalformedValueError: ``author`` is not a DID.
        InvalidCIDError: ``retracts`` is not an object CID.
        ValueError: ``published`` has no timezone.
    """
    credential = f.build(RETRACTION_TYPE, author, published, {"retracts": retracts})
    read_retraction(credential)
    return credential


def read_retraction(
    credential: JsonValue, *, parsed: Credential | None = None
) -> Retraction:
    """Read a retraction (its proof is not checked here: verify it first).

    Args:
        credential: the retraction credential.
        parsed: what ``parse_credential`` returned for this very document
            (``Verifier.verify_read`` hands it back), so it is not parsed
            again; ignored when it is the summary of another object.

    Spec: docs/objects.md (Retractions)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a retraction; the message names the path.
        InvalidCIDError: ``retracts`` is not an object CID.
    """
    parsed, author, published, subject = f.envelope(
        credential, RETRACTION_TYPE, _RETRACTION_MEMBERS, parsed=parsed
    )
    if "retracts" not in subject:
        raise MalformedValueError(f"{f.SUBJECT}.retracts is required.")
    return Retraction(
        author=author,
        published=published,
        retracts=f.cid(subject["retracts"], f"{f.SUBJECT}.retracts"),
        credential_id=parsed.id,
    )


def reaction_credential(
    author: str,
    reacts_to: str,
    reaction: str,
    *,
    emoji: str | None = None,
    published: datetime,
) -> JsonObject:
    """Return an unsigned ``Reaction`` by ``author`` to the object ``reacts_to``.

    ``reaction`` is ``endorse``, ``disagree`` or ``emoji``; with ``emoji``,
    ``emoji`` is the text (at most 16 code points).

    Spec: docs/objects.md (Reactions)

    Raises:
        MalformedValueError: ``author`` is not a DID, ``reaction`` is not one
            of :data:`REACTIONS`, or ``emoji`` is missing, unexpected or
            breaks its rules.
        InvalidCIDError: ``reacts_to`` is not an object CID.
        ValueError: ``published`` has no timezone.
    """
    subject: JsonObject = {"reactsTo": reacts_to, "reaction": reaction}
    if emoji is not None:
        subject["emoji"] = emoji
    credential = f.build(REACTION_TYPE, author, published, subject)
    read_reaction(credential)
    return credential


def read_reaction(
    credential: JsonValue, *, parsed: Credential | None = None
) -> Reaction:
    """Read a reaction (its proof is not checked here: verify it first).

    Args:
        credential: the reaction credential.
        parsed: what ``parse_credential`` returned for this very document
            (``Verifier.verify_read`` hands it back), so it is not parsed
            again; ignored when it is the summary of another object.

    Spec: docs/objects.md (Reactions)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a reaction; the message names the path.
        InvalidCIDError: ``reactsTo`` is not an object CID.
    """
    parsed, author, published, subject = f.envelope(
        credential, REACTION_TYPE, _REACTION_MEMBERS, parsed=parsed
    )
    path = f.SUBJECT
    for key in ("reactsTo", "reaction"):
        if key not in subject:
            raise MalformedValueError(f"{path}.{key} is required.")
    reacts_to = f.cid(subject["reactsTo"], f"{path}.reactsTo")
    reaction = f.string(subject["reaction"], f"{path}.reaction")
    if reaction not in REACTIONS:
        raise MalformedValueError(
            f"{path}.reaction must be endorse, disagree or emoji, not "
            f"{f.show(reaction)}."
        )
    emoji: str | None = None
    if reaction == "emoji":
        if "emoji" not in subject:
            raise MalformedValueError(
                f'{path}.emoji is required with "reaction": "emoji".'
            )
        emoji = f.short_text(
            subject["emoji"], f"{path}.emoji", MAX_EMOJI_LENGTH, allow_joiner=True
        )
    elif "emoji" in subject:
        raise MalformedValueError(
            f'{path}.emoji is allowed only with "reaction": "emoji".'
        )
    return Reaction(
        author=author,
        published=published,
        reacts_to=reacts_to,
        reaction=reaction,
        emoji=emoji,
        credential_id=parsed.id,
    )
