"""Checks shared by the social object readers: the credential envelope and the
fields (CIDs, DIDs, short texts), each failing with the field's path.

Spec: docs/objects.md, docs/vocabulary.md
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Final

from ssi.cid import JSON_CODEC, ContentID, parse_cid
from ssi.credentials.model import VC_V2_CONTEXT, Credential, parse_credential
from ssi.datetimes import format_date_time
from ssi.describe import json_kind, quote
from ssi.did.syntax import parse_did
from ssi.errors import InvalidCIDError, InvalidDIDError, MalformedValueError
from ssi.social.community import AGORA_CONTEXT
from ssi.types import JsonObject, JsonValue

SUBJECT: Final = "$.credentialSubject"
_VC: Final = "VerifiableCredential"
_ZWJ: Final = "\u200d"
# RFC 5646 section 2.1, simplified to its shape: a primary subtag of 2 to 8
# letters (or a private-use "x-" tag), then subtags of 1 to 8 letters and
# digits. Grandfathered irregular tags ("i-klingon") fit the same shape.
_LANGUAGE_RE: Final = re.compile(
    r"(?:[A-Za-z]{2,8}|[xXiI])(?:-[A-Za-z0-9]{1,8})*", re.ASCII
)
_MAX_LANGUAGE: Final = 64
# RFC 6838 section 4.2: type "/" subtype, restricted-name characters, no
# parameters.
# The text of every CID that ssi.cid writes for an object (codec json,
# sha2-256): "b", the 8 letters of the 5 prefix bytes, 51 letters of the
# digest, and a last letter whose 4 unused low bits are zero. Every text of
# this shape is one that parse_cid reads back as itself (tests/unit/social
# proves it against the full path), so cid() takes it without decoding it.
_JSON_CID_RE: Final = re.compile(
    re.escape(str(ContentID(JSON_CODEC, bytes(32)))[:9]) + "[a-z2-7]{51}[aq]",
    re.ASCII,
)
_MEDIA_TYPE_RE: Final = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}",
    re.ASCII,
)


show = quote
"""Quote untrusted text for a message: ASCII-escaped, cut short."""
kind = json_kind
"""Name a JSON value's kind for a message."""


def format_time(moment: datetime) -> str:
    """Format ``published``: UTC, ``Z``, milliseconds when it has them.

    Raises:
        ValueError: ``moment`` has no timezone (programmer misuse).
    """
    return format_date_time(moment, milliseconds=moment.microsecond != 0)


def envelope(
    credential: JsonValue,
    type_name: str,
    allowed: frozenset[str],
    *,
    parsed: Credential | None = None,
) -> tuple[Credential, str, datetime, JsonObject]:
    """Check what every social object shares and return its parts.

    Returns the parsed credential, the author's DID, ``validFrom`` and the
    one ``credentialSubject``, whose members must all be in ``allowed``.
    ``parsed``, when it is the summary of ``credential`` itself (its
    ``document`` is that object), stands for ``parse_credential(credential)``.

    Raises:
        ParsingError, MalformedValueError: not a social object of that type.
    """
    parsed = model_of(credential, parsed)
    contexts = parsed.document.get("@context")
    if not isinstance(contexts, list) or AGORA_CONTEXT not in contexts:
        raise MalformedValueError(f"$.@context does not include {AGORA_CONTEXT}.")
    own = tuple(t for t in parsed.types if t != _VC)
    if own != (type_name,):
        raise MalformedValueError(
            f'$.type must be ["VerifiableCredential", "{type_name}"], not '
            f"{show(', '.join(parsed.types))}."
        )
    try:
        author = str(parse_did(parsed.issuer))
    except InvalidDIDError as exc:
        raise MalformedValueError(
            f"$.issuer must be the author's DID: {exc.detail}"
        ) from exc
    if parsed.valid_from is None:
        raise MalformedValueError(
            f"$.validFrom is required: it is the time of the {type_name}."
        )
    if len(parsed.subjects) != 1:
        raise MalformedValueError(f"{SUBJECT} must be one object.")
    subject = parsed.subjects[0]
    for key in subject:
        if key not in allowed:
            raise MalformedValueError(
                f"{SUBJECT}.{show(key)} is not a member of a {type_name}."
            )
    return parsed, author, parsed.valid_from, subject


def model_of(credential: JsonValue, parsed: Credential | None) -> Credential:
    """Return ``parsed`` if it is the summary of ``credential`` itself, else
    ``parse_credential(credential)``.

    Raises:
        ParsingError, MalformedValueError: as ``parse_credential``.
    """
    if parsed is not None and parsed.document is credential:
        return parsed
    return parse_credential(credential)


def build(
    type_name: str, author: str, published: datetime, subject: JsonObject
) -> JsonObject:
    """Return an unsigned social object of ``type_name`` (for the builders).

    Raises:
        ValueError: ``published`` has no timezone (programmer misuse).
    """
    return {
        "@context": [VC_V2_CONTEXT, AGORA_CONTEXT],
        "type": [_VC, type_name],
        "issuer": author,
        "validFrom": format_time(published),
        "credentialSubject": subject,
    }


def cid(value: JsonValue, path: str, *, codec: int = JSON_CODEC) -> str:
    """Check a CID field.

    An object CID in the form ``ssi.cid`` writes is recognized by its shape
    alone, with the same result as :func:`ssi.cid.parse_cid`; anything else
    goes through ``parse_cid``.

    Raises:
        InvalidCIDError: not a CID of that codec; the message names ``path``.
    """
    if (
        codec == JSON_CODEC
        and type(value) is str
        and _JSON_CID_RE.fullmatch(value) is not None
    ):
        return value
    return parsed_cid(value, path, codec=codec)


def parsed_cid(value: JsonValue, path: str, *, codec: int = JSON_CODEC) -> str:
    """Check a CID field with :func:`ssi.cid.parse_cid` (the full path of
    :func:`cid`).

    Raises:
        InvalidCIDError: not a CID of that codec; the message names ``path``.
    """
    try:
        return str(parse_cid(value, codec=codec))
    except InvalidCIDError as exc:
        raise InvalidCIDError(f"{path}: {exc.detail}") from exc


def did(value: JsonValue, path: str) -> str:
    """Check a DID field.

    Raises:
        MalformedValueError: not a DID; the message names ``path``.
    """
    try:
        return str(parse_did(value))
    except InvalidDIDError as exc:
        raise MalformedValueError(f"{path} must be a DID: {exc.detail}") from exc


def string(value: JsonValue, path: str) -> str:
    """Check that a field is a string.

    Raises:
        MalformedValueError: it is not.
    """
    if not isinstance(value, str):
        raise MalformedValueError(f"{path} must be a string, not {kind(value)}.")
    return value


def array(value: JsonValue, path: str, cap: int) -> list[JsonValue]:
    """Check that a field is an array of at most ``cap`` items.

    Raises:
        MalformedValueError: it is not an array, or has more items.
    """
    if not isinstance(value, list):
        raise MalformedValueError(f"{path} must be an array, not {kind(value)}.")
    if len(value) > cap:
        raise MalformedValueError(
            f"{path} has {len(value)} items; at most {cap} are allowed."
        )
    return value


def utf8_size(text: str, path: str) -> int:
    """Return the UTF-8 length of ``text``.

    Raises:
        MalformedValueError: it holds a lone surrogate (not Unicode text).
    """
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise MalformedValueError(
            f"{path} holds a lone surrogate at index {exc.start}."
        ) from exc


def short_text(
    value: JsonValue, path: str, cap: int, *, allow_joiner: bool = False
) -> str:
    """Check a short, single-line text: 1 to ``cap`` code points, none of
    them a control, format (other than ZERO WIDTH JOINER when
    ``allow_joiner``), surrogate, line or paragraph separator character.

    Raises:
        MalformedValueError: the value breaks one of those rules.
    """
    text = string(value, path)
    if not text.strip():
        raise MalformedValueError(f"{path} must not be empty.")
    if len(text) > cap:
        raise MalformedValueError(
            f"{path} has {len(text)} characters; at most {cap} are allowed."
        )
    if not (text.isascii() and text.isprintable()):
        # In ASCII, the characters that are not printable are exactly the
        # controls (Cc); there are no format, surrogate or separator ones.
        characters(text, path, allow_joiner=allow_joiner)
    return text


def characters(text: str, path: str, *, allow_joiner: bool = False) -> None:
    """Check every character of a short text (the rule of :func:`short_text`).

    Raises:
        MalformedValueError: a control, format (other than ZERO WIDTH JOINER
            when ``allow_joiner``), surrogate, line or paragraph separator.
    """
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if category in {"Cc", "Cs", "Zl", "Zp"} or (
            category == "Cf" and not (allow_joiner and char == _ZWJ)
        ):
            raise MalformedValueError(
                f"{path} holds the control or format character U+{ord(char):04X} "
                f"at index {index}."
            )


def language(value: JsonValue, path: str) -> str:
    """Check a BCP 47 language tag (its shape, RFC 5646 section 2.1).

    Raises:
        MalformedValueError: not a well-formed tag.
    """
    text = string(value, path)
    if len(text) > _MAX_LANGUAGE or _LANGUAGE_RE.fullmatch(text) is None:
        raise MalformedValueError(
            f"{path} must be a BCP 47 language tag such as en or pt-BR, not "
            f"{show(text)}."
        )
    return text


def media_type(value: JsonValue, path: str) -> str:
    """Check a media type: ``type/subtype`` (RFC 6838), without parameters.

    Raises:
        MalformedValueError: not of that shape.
    """
    text = string(value, path)
    if _MEDIA_TYPE_RE.fullmatch(text) is None:
        raise MalformedValueError(
            f"{path} must be a media type such as image/png, not {show(text)}."
        )
    return text
