"""DIDComm plaintext messages and attachments: the JSON model, strictly checked.

Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#plaintext-message-structure
"""

from __future__ import annotations

import copy
import json
import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, cast

from ssi.did.syntax import is_did_url, parse_did_url
from ssi.messaging.errors import MalformedMessageError
from ssi.types import JsonObject, JsonValue

__all__ = [
    "ENCRYPTED",
    "MAX_DEPTH",
    "PLAINTEXT",
    "SIGNED",
    "Attachment",
    "FromPrior",
    "Message",
    "load_json",
]

PLAINTEXT: Final = "application/didcomm-plain+json"
"""The media type of a plaintext message (its ``typ``)."""
SIGNED: Final = "application/didcomm-signed+json"
"""The media type of a signed message (the JWS ``typ``)."""
ENCRYPTED: Final = "application/didcomm-encrypted+json"
"""The media type of an encrypted message (the JWE ``typ``)."""

MAX_DEPTH: Final = 64
"""The deepest JSON nesting a message or envelope may have."""

_ATTACHMENT_KEYS: Final = frozenset(
    {
        "id",
        "description",
        "filename",
        "media_type",
        "format",
        "lastmod_time",
        "data",
        "byte_count",
    }
)
_DATA_KEYS: Final = frozenset({"jws", "hash", "links", "base64", "json"})
_MESSAGE_KEYS: Final = frozenset(
    {
        "id",
        "typ",
        "type",
        "body",
        "from",
        "to",
        "thid",
        "pthid",
        "created_time",
        "expires_time",
        "from_prior",
        "attachments",
    }
)


def _too_deep(text: str, value: JsonValue) -> bool:
    """Return whether ``value``, parsed from ``text``, nests deeper than
    :data:`MAX_DEPTH`.

    Each level opens with a bracket, so a text with at most MAX_DEPTH of them
    (in strings or not) is shallow enough and its value is not walked.
    Otherwise the walk goes level by level and looks at containers only.
    """
    if text.count("{") + text.count("[") <= MAX_DEPTH:
        return False
    level = [value] if type(value) is dict or type(value) is list else []
    for _ in range(MAX_DEPTH):
        below: list[JsonValue] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            below += [c for c in children if type(c) is dict or type(c) is list]
        if not below:
            return False
        level = below
    return True


def _no_constant(name: str) -> JsonValue:
    raise MalformedMessageError(f"JSON holds the non-standard number {name}.")


def _unique_keys(pairs: list[tuple[str, JsonValue]]) -> JsonObject:
    out: JsonObject = {}
    for key, value in pairs:
        if key in out:
            raise MalformedMessageError(f"JSON object has the member {key!r} twice.")
        out[key] = value
    return out


def load_json(data: str | bytes, *, what: str = "message") -> JsonValue:
    """Parse untrusted JSON strictly: UTF-8, no duplicate member, no NaN or
    Infinity, at most :data:`MAX_DEPTH` levels of nesting.

    Raises:
        MalformedMessageError: the text is not such JSON.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(
            text, object_pairs_hook=_unique_keys, parse_constant=_no_constant
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, MalformedMessageError):
            raise
        raise MalformedMessageError(f"The {what} is not valid JSON.") from exc
    if _too_deep(text, value):
        raise MalformedMessageError(
            f"The {what} nests JSON deeper than {MAX_DEPTH} levels."
        )
    return value


def _taken(value: JsonValue, owned: bool) -> JsonValue:
    """Return ``value`` itself when the caller handed it over, else a deep copy."""
    return value if owned else copy.deepcopy(value)


def _string(obj: Mapping[str, JsonValue], key: str, path: str) -> str | None:
    value = obj.get(key)
    if value is None and key not in obj:
        return None
    if not isinstance(value, str):
        raise MalformedMessageError(f"{path}.{key} must be a string.")
    return value


def _integer(obj: Mapping[str, JsonValue], key: str, path: str) -> int | None:
    if key not in obj:
        return None
    value = obj[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedMessageError(f"{path}.{key} must be an integer.")
    return value


def _did_or_url(value: str, path: str) -> str:
    """Check a ``from``/``to`` value: a DID or DID URL without a fragment."""
    if not is_did_url(value) or parse_did_url(value).fragment is not None:
        raise MalformedMessageError(
            f"{path} must be a DID or a DID URL without a fragment."
        )
    return value


@dataclass(frozen=True, slots=True)
class FromPrior:
    """A checked ``from_prior``: the prior DID (``iss``) announced its rotation
    to the new DID (``sub``) at ``iat``, signed with the key ``kid``.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#did-rotation
    """

    iss: str
    sub: str
    iat: int
    kid: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """An attachment of a message: data inline (``base64``, ``json``), by
    reference (``links`` with ``hash``) or signed (``jws``).

    Attributes:
        data: the ``data`` object; it holds at least one of ``jws``, ``hash``,
            ``links``, ``base64``, ``json``.
        id: identifies the attachment within the message.
        description, filename, media_type, format: optional hints.
        lastmod_time: when the content was last modified (epoch seconds).
        byte_count: the size of the content.
        extra: other members, kept as found.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#attachments
    """

    data: JsonObject
    id: str | None = None
    description: str | None = None
    filename: str | None = None
    media_type: str | None = None
    format: str | None = None
    lastmod_time: int | None = None
    byte_count: int | None = None
    extra: JsonObject = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: JsonValue, *, path: str = "attachment") -> Attachment:
        """Check an attachment's JSON and build the model (from a copy).

        Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#attachments

        Raises:
            MalformedMessageError: a member has the wrong type, or ``data``
                holds none of the members that give access to the content.
        """
        return cls._from_json(obj, path, owned=False)

    @classmethod
    def _from_json(cls, obj: JsonValue, path: str, *, owned: bool) -> Attachment:
        if not isinstance(obj, dict):
            raise MalformedMessageError(f"{path} must be a JSON object.")
        data = obj.get("data")
        if not isinstance(data, dict):
            raise MalformedMessageError(f"{path}.data must be a JSON object.")
        if not _DATA_KEYS & data.keys():
            raise MalformedMessageError(
                f"{path}.data has none of jws, hash, links, base64, json."
            )
        for key in ("hash", "base64"):
            if key in data and not isinstance(data[key], str):
                raise MalformedMessageError(f"{path}.data.{key} must be a string.")
        if "links" in data and not (
            isinstance(data["links"], list)
            and all(isinstance(link, str) for link in data["links"])
        ):
            raise MalformedMessageError(f"{path}.data.links must be strings.")
        if "jws" in data and not isinstance(data["jws"], dict | str):
            raise MalformedMessageError(f"{path}.data.jws must be a JWS.")
        return cls(
            data=cast(JsonObject, _taken(data, owned)),
            id=_string(obj, "id", path),
            description=_string(obj, "description", path),
            filename=_string(obj, "filename", path),
            media_type=_string(obj, "media_type", path),
            format=_string(obj, "format", path),
            lastmod_time=_integer(obj, "lastmod_time", path),
            byte_count=_integer(obj, "byte_count", path),
            extra={
                k: _taken(v, owned) for k, v in obj.items() if k not in _ATTACHMENT_KEYS
            },
        )

    def to_json(self) -> JsonObject:
        """Return the attachment's JSON object (a copy).

        Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#attachments
        """
        return self._to_json(copied=True)

    def _to_json(self, *, copied: bool) -> JsonObject:
        out: JsonObject = {}
        for key, value in (
            ("id", self.id),
            ("description", self.description),
            ("filename", self.filename),
            ("media_type", self.media_type),
            ("format", self.format),
            ("lastmod_time", self.lastmod_time),
        ):
            if value is not None:
                out[key] = value
        out["data"] = _taken(self.data, not copied)
        if self.byte_count is not None:
            out["byte_count"] = self.byte_count
        out.update(
            (k, _taken(v, not copied)) for k, v in self.extra.items() if k not in out
        )
        return out


@dataclass(frozen=True, slots=True)
class Message:
    """A DIDComm plaintext message.

    Attributes:
        id: the message id, unique to the sender.
        type: the message type URI.
        body: the ``body`` object.
        from_: the sender's DID (JSON ``from``), or None.
        to: the recipients' DIDs (JSON ``to``).
        thid: the thread id; ``pthid`` the parent thread id.
        created_time: when the sender created it (UTC epoch seconds).
        expires_time: when the sender considers it expired (epoch seconds).
        from_prior: a compact JWT announcing a DID rotation, or None.
        attachments: the attachments.
        extra: other headers, kept as found.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-headers
    """

    id: str
    type: str
    body: JsonObject = field(default_factory=dict)
    from_: str | None = None
    to: tuple[str, ...] = ()
    thid: str | None = None
    pthid: str | None = None
    created_time: int | None = None
    expires_time: int | None = None
    from_prior: str | None = None
    attachments: tuple[Attachment, ...] = ()
    extra: JsonObject = field(default_factory=dict)

    @classmethod
    def new(
        cls,
        type: str,
        body: JsonObject | None = None,
        *,
        from_: str | None = None,
        to: Sequence[str] = (),
        thid: str | None = None,
        pthid: str | None = None,
        expires_time: int | None = None,
        from_prior: str | None = None,
        attachments: Sequence[Attachment] = (),
        extra: JsonObject | None = None,
        created_time: int | None = None,
    ) -> Message:
        """Make a new message with a fresh random ``id`` (a UUID 4) and
        ``created_time`` now (unless given).

        Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-ids

        Raises:
            MalformedMessageError: ``from_`` or a ``to`` item is not a DID or
                DID URL without a fragment.
        """
        message = cls(
            id=str(uuid.UUID(bytes=secrets.token_bytes(16), version=4)),
            type=type,
            body=copy.deepcopy(body) if body is not None else {},
            from_=from_,
            to=tuple(to),
            thid=thid,
            pthid=pthid,
            created_time=int(time.time()) if created_time is None else created_time,
            expires_time=expires_time,
            from_prior=from_prior,
            attachments=tuple(attachments),
            extra=copy.deepcopy(extra) if extra is not None else {},
        )
        return cls.from_parsed(message.to_json())

    @classmethod
    def from_json(cls, obj: JsonValue) -> Message:
        """Check a plaintext message's JSON and build the model.

        ``id`` and ``type`` are required strings; ``body`` an object (taken
        as empty when absent, as the spec asks of receivers); ``from`` a DID;
        ``to`` an array of DIDs; the times integers; unknown headers are kept
        in ``extra``.

        Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-headers

        Raises:
            MalformedMessageError: a header is missing or has the wrong type.
        """
        return cls._from_json(obj, owned=False)

    @classmethod
    def from_parsed(cls, obj: JsonValue) -> Message:
        """Check a plaintext message's JSON, handed over by the caller (freshly
        parsed and not kept), and build the model from its objects, uncopied.

        Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-headers

        Raises:
            MalformedMessageError: as :meth:`from_json`.
        """
        return cls._from_json(obj, owned=True)

    @classmethod
    def _from_json(cls, obj: JsonValue, *, owned: bool) -> Message:
        if not isinstance(obj, dict):
            raise MalformedMessageError("A plaintext message must be a JSON object.")
        path = "message"
        message_id = _string(obj, "id", path)
        message_type = _string(obj, "type", path)
        if message_id is None or message_type is None:
            raise MalformedMessageError("A message needs string 'id' and 'type'.")
        typ = _string(obj, "typ", path)
        if typ is not None and typ not in (PLAINTEXT, PLAINTEXT[len("application/") :]):
            raise MalformedMessageError(f"message.typ is not {PLAINTEXT}.")
        body = obj.get("body", {})
        if not isinstance(body, dict):
            raise MalformedMessageError("message.body must be a JSON object.")
        sender = _string(obj, "from", path)
        if sender is not None:
            _did_or_url(sender, "message.from")
        to = obj.get("to", [])
        if not isinstance(to, list) or not all(isinstance(t, str) for t in to):
            raise MalformedMessageError("message.to must be an array of strings.")
        for index, item in enumerate(to):
            _did_or_url(item, f"message.to[{index}]")
        attachments = obj.get("attachments", [])
        if not isinstance(attachments, list):
            raise MalformedMessageError("message.attachments must be an array.")
        return cls(
            id=message_id,
            type=message_type,
            body=cast(JsonObject, _taken(body, owned)),
            from_=sender,
            to=tuple(to),
            thid=_string(obj, "thid", path),
            pthid=_string(obj, "pthid", path),
            created_time=_integer(obj, "created_time", path),
            expires_time=_integer(obj, "expires_time", path),
            from_prior=_string(obj, "from_prior", path),
            attachments=tuple(
                Attachment._from_json(
                    item, f"message.attachments[{index}]", owned=owned
                )
                for index, item in enumerate(attachments)
            ),
            extra={
                k: _taken(v, owned) for k, v in obj.items() if k not in _MESSAGE_KEYS
            },
        )

    def to_json(self) -> JsonObject:
        """Return the plaintext message's JSON object, ``typ`` included (a copy).

        Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-headers
        """
        return self._to_json(copied=True)

    def to_bytes(self) -> bytes:
        """Return the plaintext message as compact UTF-8 JSON, ``typ``
        included, serialized straight from the model (nothing copied).

        Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#didcomm-plaintext-messages
        """
        value = self._to_json(copied=False)
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()

    def _to_json(self, *, copied: bool) -> JsonObject:
        out: JsonObject = {"id": self.id, "typ": PLAINTEXT, "type": self.type}
        if self.from_ is not None:
            out["from"] = self.from_
        if self.to:
            out["to"] = list(self.to)
        for key, value in (
            ("thid", self.thid),
            ("pthid", self.pthid),
            ("created_time", self.created_time),
            ("expires_time", self.expires_time),
            ("from_prior", self.from_prior),
        ):
            if value is not None:
                out[key] = value
        out["body"] = _taken(self.body, not copied)
        if self.attachments:
            out["attachments"] = [a._to_json(copied=copied) for a in self.attachments]
        out.update(
            (k, _taken(v, not copied)) for k, v in self.extra.items() if k not in out
        )
        return out

    @property
    def thread_id(self) -> str:
        """The thread this message belongs to: ``thid``, else its own ``id``.

        Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#threads
        """
        return self.thid if self.thid is not None else self.id
