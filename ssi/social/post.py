"""Posts: what a person writes, signed by their DID.

A post is a credential whose issuer is its author, of type ``Post``, with the
text in ``credentialSubject.content``, its media type (``text/plain`` or
``text/markdown``) and, optionally, a language, the CID of the post it
answers (``inReplyTo``), a community DID, tags, mentioned DIDs, attachments
(blobs named by their raw CID) and the CID of an earlier post of the same
author that it replaces (an edit). ``validFrom`` is the time of the post.
Retractions and reactions are in :mod:`ssi.social.reaction`.

This module only builds and reads the credentials; signing and verifying are
``ssi.credentials``' business.

Spec: docs/objects.md (Posts), docs/vocabulary.md
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar

from ssi.cid import RAW_CODEC, blob_cid
from ssi.credentials.model import Credential
from ssi.errors import MalformedValueError
from ssi.social import _fields as f
from ssi.types import JsonObject, JsonValue

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_NAME",
    "MAX_CONTENT_BYTES",
    "MAX_MENTIONS",
    "MAX_TAGS",
    "MAX_TAG_LENGTH",
    "POST_MEDIA_TYPES",
    "POST_TYPE",
    "Attachment",
    "Post",
    "post_credential",
    "read_post",
]

POST_TYPE: Final = "Post"
"""The credential type of a post."""
POST_MEDIA_TYPES: Final = ("text/plain", "text/markdown")
"""The media types a post's content may have."""
MAX_CONTENT_BYTES: Final = 64 * 1024
"""The largest content, in bytes of UTF-8."""
MAX_TAGS: Final = 32
"""The most tags a post may carry."""
MAX_TAG_LENGTH: Final = 64
"""The longest tag, in code points."""
MAX_MENTIONS: Final = 64
"""The most DIDs a post may mention."""
MAX_ATTACHMENTS: Final = 16
"""The most attachments a post may carry."""
MAX_ATTACHMENT_NAME: Final = 255
"""The longest attachment name, in code points."""
MAX_SIZE: Final = 2**53 - 1
"""The largest attachment size: the largest integer JSON carries exactly."""

_SUBJECT_MEMBERS: Final = frozenset(
    {
        "content",
        "mediaType",
        "language",
        "inReplyTo",
        "community",
        "tags",
        "mentions",
        "attachments",
        "replaces",
    }
)
_ATTACHMENT_MEMBERS: Final = frozenset({"cid", "mediaType", "size", "name"})
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A blob that a post carries by reference.

    Attributes:
        cid: the blob's CID (codec ``raw``).
        media_type: its media type, such as ``image/png``.
        size: its length in bytes.
        name: a file name to offer, if any.
    """

    cid: str
    media_type: str
    size: int
    name: str | None = None

    @classmethod
    def of(cls, data: bytes, *, media_type: str, name: str | None = None) -> Attachment:
        """Describe the blob ``data``: its raw CID, media type and size.

        Spec: docs/objects.md (Blobs)
        """
        return cls(cid=blob_cid(data), media_type=media_type, size=len(data), name=name)

    def to_json(self) -> JsonObject:
        """Return the attachment as it appears in a post."""
        out: JsonObject = {
            "cid": self.cid,
            "mediaType": self.media_type,
            "size": self.size,
        }
        if self.name is not None:
            out["name"] = self.name
        return out


@dataclass(frozen=True, slots=True)
class Post:
    """What a post says (read by :func:`read_post`).

    Attributes:
        author: the author's DID (the credential's issuer).
        published: the time of the post (``validFrom``), in UTC.
        content: the text.
        media_type: ``text/plain`` or ``text/markdown``.
        language: a BCP 47 language tag, if given.
        in_reply_to: the CID of the object it answers, if any.
        community: the DID of the community it is posted in, if any.
        tags: the tags, in order.
        mentions: the mentioned DIDs, in order.
        attachments: the attachments, in order.
        replaces: the CID of the author's earlier post it edits, if any.
        credential_id: the credential's ``id``, if it has one.
    """

    author: str
    published: datetime
    content: str
    media_type: str = "text/plain"
    language: str | None = None
    in_reply_to: str | None = None
    community: str | None = None
    tags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    replaces: str | None = None
    credential_id: str | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Post:
        """Rebuild a post from the JSON that :meth:`to_json` wrote, trusting it.

        Nothing is checked: only for records made from a post that
        :func:`read_post` read (such as the feed records an object store
        keeps, ``ssi.social.FEED_RECORDS``). ``published`` may carry
        microseconds.

        Spec: docs/objects.md (Feed records)

        Raises:
            KeyError, TypeError, ValueError, AttributeError: not such a record.
        """
        get = record.get
        attachments = get("attachments")
        return cls(
            author=record["author"],
            published=datetime.fromisoformat(record["published"]),
            content=record["content"],
            media_type=record["mediaType"],
            language=get("language"),
            in_reply_to=get("inReplyTo"),
            community=get("community"),
            tags=tuple(get("tags", ())),
            mentions=tuple(get("mentions", ())),
            attachments=tuple(
                Attachment(a["cid"], a["mediaType"], a["size"], a.get("name"))
                for a in attachments
            )
            if attachments
            else (),
            replaces=get("replaces"),
            credential_id=get("id"),
        )

    def to_json(self) -> JsonObject:
        """Return the post's fields as JSON (wire names, absent ones left out)."""
        out: JsonObject = {
            "type": POST_TYPE,
            "author": self.author,
            "published": f.format_time(self.published),
            "content": self.content,
            "mediaType": self.media_type,
        }
        optional: dict[str, JsonValue] = {
            "language": self.language,
            "inReplyTo": self.in_reply_to,
            "community": self.community,
            "replaces": self.replaces,
            "id": self.credential_id,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        if self.tags:
            out["tags"] = list(self.tags)
        if self.mentions:
            out["mentions"] = list(self.mentions)
        if self.attachments:
            out["attachments"] = [a.to_json() for a in self.attachments]
        return out


def post_credential(
    author: str,
    content: str,
    *,
    media_type: str = "text/plain",
    language: str | None = None,
    in_reply_to: str | None = None,
    community: str | None = None,
    tags: Sequence[str] = (),
    mentions: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
    replaces: str | None = None,
    published: datetime,
) -> JsonObject:
    """Return an unsigned ``Post`` credential by ``author``.

    Spec: docs/objects.md (Posts)

    Raises:
        MalformedValueError: a field breaks a rule of docs/objects.md (over a
            cap, not a DID, ...); the message names its path.
        InvalidCIDError: ``in_reply_to``, ``replaces`` or an attachment's
            ``cid`` is not a CID of the right codec.
        ValueError: ``published`` has no timezone.
    """
    for name, value in (("tags", tags), ("mentions", mentions)):
        if isinstance(value, str):
            raise TypeError(f"{name} takes a sequence of strings, not one string")
    subject: JsonObject = {"content": content, "mediaType": media_type}
    optional: dict[str, JsonValue] = {
        "language": language,
        "inReplyTo": in_reply_to,
        "community": community,
        "replaces": replaces,
    }
    subject.update({k: v for k, v in optional.items() if v is not None})
    if tags:
        subject["tags"] = list(tags)
    if mentions:
        subject["mentions"] = list(mentions)
    if attachments:
        subject["attachments"] = [a.to_json() for a in attachments]
    credential = f.build(POST_TYPE, author, published, subject)
    read_post(credential)
    return credential


def read_post(credential: JsonValue, *, parsed: Credential | None = None) -> Post:
    """Read a post (its proof is not checked here: verify it first).

    Args:
        credential: the post credential.
        parsed: what ``parse_credential`` returned for this very document
            (``Verifier.verify_read`` hands it back), so it is not parsed
            again; ignored when it is the summary of another object.

    Spec: docs/objects.md (Posts)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a post, or a field breaks a rule; the
            message names the field's path.
        InvalidCIDError: a CID field is not a CID of the right codec.
    """
    parsed, author, published, subject = f.envelope(
        credential, POST_TYPE, _SUBJECT_MEMBERS, parsed=parsed
    )
    path = f.SUBJECT
    if "content" not in subject:
        raise MalformedValueError(f"{path}.content is required.")
    content = f.string(subject["content"], f"{path}.content")
    size = f.utf8_size(content, f"{path}.content")
    if size > MAX_CONTENT_BYTES:
        raise MalformedValueError(
            f"{path}.content has {size} bytes of UTF-8; at most "
            f"{MAX_CONTENT_BYTES} are allowed."
        )
    media_type = f.string(subject.get("mediaType"), f"{path}.mediaType")
    if media_type not in POST_MEDIA_TYPES:
        raise MalformedValueError(
            f"{path}.mediaType must be text/plain or text/markdown, not "
            f"{f.show(media_type)}."
        )
    attachments = _attachments(subject)
    if not content.strip() and not attachments:
        raise MalformedValueError(
            f"{path}.content is empty and the post has no attachments."
        )
    return Post(
        author=author,
        published=published,
        content=content,
        media_type=media_type,
        language=_optional(subject, "language", f.language),
        in_reply_to=_optional(subject, "inReplyTo", f.cid),
        community=_optional(subject, "community", f.did),
        tags=_tags(subject),
        mentions=_mentions(subject),
        attachments=attachments,
        replaces=_optional(subject, "replaces", f.cid),
        credential_id=parsed.id,
    )


def _optional(
    subject: JsonObject, key: str, check: Callable[[JsonValue, str], _T]
) -> _T | None:
    if key not in subject:
        return None
    return check(subject[key], f"{f.SUBJECT}.{key}")


def _tags(subject: JsonObject) -> tuple[str, ...]:
    if "tags" not in subject:
        return ()
    path = f"{f.SUBJECT}.tags"
    items = f.array(subject["tags"], path, MAX_TAGS)
    tags = tuple(
        f.short_text(item, f"{path}[{i}]", MAX_TAG_LENGTH)
        for i, item in enumerate(items)
    )
    _unique(tags, path)
    return tags


def _mentions(subject: JsonObject) -> tuple[str, ...]:
    if "mentions" not in subject:
        return ()
    path = f"{f.SUBJECT}.mentions"
    items = f.array(subject["mentions"], path, MAX_MENTIONS)
    mentions = tuple(f.did(item, f"{path}[{i}]") for i, item in enumerate(items))
    _unique(mentions, path)
    return mentions


def _unique(values: tuple[str, ...], path: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise MalformedValueError(
                f"{path}[{index}] repeats {f.show(value)}; each may appear once."
            )
        seen.add(value)


def _attachments(subject: JsonObject) -> tuple[Attachment, ...]:
    if "attachments" not in subject:
        return ()
    path = f"{f.SUBJECT}.attachments"
    items = f.array(subject["attachments"], path, MAX_ATTACHMENTS)
    return tuple(_attachment(item, f"{path}[{i}]") for i, item in enumerate(items))


def _attachment(item: JsonValue, path: str) -> Attachment:
    if not isinstance(item, dict):
        raise MalformedValueError(f"{path} must be an object, not {f.kind(item)}.")
    for key in item:
        if key not in _ATTACHMENT_MEMBERS:
            raise MalformedValueError(
                f"{path}.{f.show(key)} is not a member of an attachment."
            )
    for key in ("cid", "mediaType", "size"):
        if key not in item:
            raise MalformedValueError(f"{path}.{key} is required.")
    size = item["size"]
    if not isinstance(size, int) or isinstance(size, bool):
        raise MalformedValueError(
            f"{path}.size must be an integer, not {f.kind(size)}."
        )
    if not 0 <= size <= MAX_SIZE:
        raise MalformedValueError(
            f"{path}.size must be between 0 and {MAX_SIZE}, not {size}."
        )
    name: str | None = None
    if "name" in item:
        name = f.short_text(item["name"], f"{path}.name", MAX_ATTACHMENT_NAME)
    return Attachment(
        cid=f.cid(item["cid"], f"{path}.cid", codec=RAW_CODEC),
        media_type=f.media_type(item["mediaType"], f"{path}.mediaType"),
        size=size,
        name=name,
    )
