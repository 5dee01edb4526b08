"""Credentials and presentations: the VC Data Model 2.0 and 1.1, checked.

:func:`parse_credential` and :func:`parse_presentation` take a JSON object,
check every requirement the data model states as a MUST that can be checked
without JSON-LD processing or the network, and return a frozen summary of the
parts the rest of the library uses. The document itself is kept unchanged in
``document``: proofs are computed over it, never over the summary.

The version is chosen by the first ``@context`` entry: VC 2.0
(``https://www.w3.org/ns/credentials/v2``) or VC 1.1
(``https://www.w3.org/2018/credentials/v1``). A document that names both base
contexts, or uses the validity terms of the other version (``issuanceDate``
and ``expirationDate`` in 2.0, ``validFrom`` and ``validUntil`` in 1.1), is
refused: the two base contexts define their terms differently and a reader
cannot know which meaning the issuer intended.

Failures raise :class:`~ssi.errors.ParsingError` when the input is not a JSON
object (or not JSON at all), and :class:`~ssi.errors.MalformedValueError` for
every data-model violation. Each message is one sentence naming the path of
the offending value, such as ``$.credentialSubject[1].id``.

Choices where the specifications leave room:

- A URL is an absolute URI: a scheme, ``:``, then at least one character,
  with no whitespace or control characters (non-ASCII is allowed, as in
  IRIs). A value with the ``did:`` scheme must also be a valid DID or DID URL.
- Arrays standing for "one or more" values (``credentialSubject``,
  ``credentialStatus``, ``proof``, ...) must not be empty.
- ``credentialSchema`` needs an ``id`` as well as a ``type``, as both
  versions require; a VC 1.1 ``credentialStatus`` needs an ``id``, as 1.1
  requires (2.0 made it optional).
- An embedded ``EnvelopedVerifiableCredential`` (VC-JOSE-COSE) is refused:
  this library verifies Data Integrity proofs only.
- A presentation may embed credentials of either version.
- Date-times keep microseconds; further fraction digits are cut off.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#basic-concepts,
https://www.w3.org/TR/vc-data-model/#basic-concepts
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.credentials.json_input import check_json_value
from ssi.datetimes import parse_date_time
from ssi.did.syntax import is_did_url
from ssi.errors import MalformedValueError, ParsingError
from ssi.types import JsonObject, JsonValue

__all__ = [
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "Credential",
    "Presentation",
    "parse_credential",
    "parse_date_time",
    "parse_presentation",
    "validate_for_issue",
]

VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
"""The base context of the VC Data Model 2.0; first in every 2.0 document."""

VC_V1_CONTEXT: Final = "https://www.w3.org/2018/credentials/v1"
"""The base context of the VC Data Model 1.1; first in every 1.1 document."""

_VERSIONS: Final = {VC_V2_CONTEXT: "2.0", VC_V1_CONTEXT: "1.1"}


@dataclass(frozen=True, slots=True)
class Credential:
    """A credential that meets the VC Data Model, with its parts picked out.

    Attributes:
        document: the JSON object that was parsed, unchanged.
        version: ``"2.0"`` or ``"1.1"``.
        id: the credential's ``id``, if it has one.
        types: the ``type`` values, in document order.
        issuer: the issuer's URL (``issuer``, or ``issuer.id``).
        subjects: the ``credentialSubject`` objects.
        valid_from: ``validFrom`` (2.0) or ``issuanceDate`` (1.1), in UTC.
        valid_until: ``validUntil`` (2.0) or ``expirationDate`` (1.1), in UTC.
        status: the ``credentialStatus`` objects.
        proofs: the ``proof`` objects (a single proof becomes one item).

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-credentials
    """

    document: JsonObject
    version: str
    id: str | None
    types: tuple[str, ...]
    issuer: str
    subjects: tuple[JsonObject, ...]
    valid_from: datetime | None
    valid_until: datetime | None
    status: tuple[JsonObject, ...]
    proofs: tuple[JsonObject, ...]


@dataclass(frozen=True, slots=True)
class Presentation:
    """A presentation that meets the VC Data Model, with its parts picked out.

    Attributes:
        document: the JSON object that was parsed, unchanged.
        version: ``"2.0"`` or ``"1.1"``.
        id: the presentation's ``id``, if it has one.
        types: the ``type`` values, in document order.
        holder: the holder's URL (``holder``, or ``holder.id``), if given.
        credentials: the embedded ``verifiableCredential`` items, parsed.
        proofs: the ``proof`` objects (a single proof becomes one item).

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-presentations
    """

    document: JsonObject
    version: str
    id: str | None
    types: tuple[str, ...]
    holder: str | None
    credentials: tuple[Credential, ...]
    proofs: tuple[JsonObject, ...]


# --- Public functions ----------------------------------------------------------


def parse_credential(
    document: JsonValue, *, path: str = "$", checked: bool = False
) -> Credential:
    """Check a credential against the VC Data Model and return its summary.

    Args:
        document: the credential, a JSON object (a ``dict``); not modified.
        path: how the credential is named in messages, such as
            ``$.verifiableCredential[0]`` for one inside a presentation.
        checked: the caller has already passed the document through
            :func:`check_json_value`, so it is not walked again.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-credentials,
    https://www.w3.org/TR/vc-data-model/#basic-concepts

    Raises:
        ParsingError: the input is not a JSON object, holds values that are
            not JSON, or is nested too deeply.
        MalformedValueError: the credential breaks a rule of the data model.
    """
    if not isinstance(document, dict):
        raise ParsingError(f"{path} must be a JSON object.")
    if not checked:
        check_json_value(document, path=path)
    return _credential(document, path)


def parse_presentation(document: JsonValue, *, checked: bool = False) -> Presentation:
    """Check a presentation and its credentials and return its summary.

    Every embedded credential is checked with :func:`parse_credential`;
    errors name its path, such as ``$.verifiableCredential[0].issuer``.

    Args:
        document: the presentation, a JSON object (a ``dict``); not modified.
        checked: the caller has already passed the document through
            :func:`check_json_value`, so it is not walked again.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-presentations,
    https://www.w3.org/TR/vc-data-model/#presentations-0

    Raises:
        ParsingError: the input is not a JSON object, holds values that are
            not JSON, or is nested too deeply.
        MalformedValueError: the presentation, or a credential in it, breaks
            a rule of the data model.
    """
    path = "$"
    if not isinstance(document, dict):
        raise ParsingError(f"{path} must be a JSON object.")
    if not checked:
        check_json_value(document, path=path)
    version = _version(document, path)
    types = _types(document, path, "VerifiablePresentation")
    if "VerifiableCredential" in types:
        raise MalformedValueError(
            f"{path}.type names both VerifiablePresentation and VerifiableCredential."
        )
    holder = None
    if "holder" in document:
        holder = _url_or_object_with_id(document["holder"], f"{path}.holder")
    credentials: list[Credential] = []
    if "verifiableCredential" in document:
        field = f"{path}.verifiableCredential"
        for item, item_path in _objects(document["verifiableCredential"], field):
            if _is_enveloped(item):
                raise MalformedValueError(
                    f"{item_path} is an EnvelopedVerifiableCredential, which this "
                    "library does not process."
                )
            credentials.append(_credential(item, item_path))
    if "termsOfUse" in document:
        _typed_objects(document["termsOfUse"], f"{path}.termsOfUse")
    return Presentation(
        document=document,
        version=version,
        id=_optional_id(document, path),
        types=types,
        holder=holder,
        credentials=tuple(credentials),
        proofs=_proofs(document, path),
    )


def validate_for_issue(document: JsonValue) -> Credential:
    """Check a credential before it is signed; the same as :func:`parse_credential`.

    Rules about proofs (a proof set or chain when a proof is already present)
    belong to the proof layer, so any ``proof`` is only checked for shape.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-credentials

    Raises:
        ParsingError: the input is not a JSON object.
        MalformedValueError: the credential breaks a rule of the data model.
    """
    return parse_credential(document)


# --- Credentials -------------------------------------------------------------


def _credential(document: JsonObject, path: str) -> Credential:
    """Check a credential already known to be a JSON object of plain JSON."""
    version = _version(document, path)
    types = _types(document, path, "VerifiableCredential")
    if "VerifiablePresentation" in types:
        raise MalformedValueError(
            f"{path}.type names both VerifiableCredential and VerifiablePresentation."
        )
    if "issuer" not in document:
        raise MalformedValueError(f"{path}.issuer is missing; a credential needs one.")
    issuer = _url_or_object_with_id(document["issuer"], f"{path}.issuer")
    if "credentialSubject" not in document:
        raise MalformedValueError(
            f"{path}.credentialSubject is missing; a credential needs one."
        )
    subjects = _subjects(document["credentialSubject"], f"{path}.credentialSubject")
    if version == "2.0":
        valid_from, valid_until = _validity_v2(document, path)
        _names(document, path)
        if "relatedResource" in document:
            _related_resources(document["relatedResource"], f"{path}.relatedResource")
    else:
        valid_from, valid_until = _validity_v1(document, path)
    status: tuple[JsonObject, ...] = ()
    if "credentialStatus" in document:
        status = _typed_objects(
            document["credentialStatus"],
            f"{path}.credentialStatus",
            id_required=version == "1.1",
        )
    if "credentialSchema" in document:
        _typed_objects(
            document["credentialSchema"], f"{path}.credentialSchema", id_required=True
        )
    for name in ("evidence", "termsOfUse", "refreshService"):
        if name in document:
            _typed_objects(document[name], f"{path}.{name}")
    return Credential(
        document=document,
        version=version,
        id=_optional_id(document, path),
        types=types,
        issuer=issuer,
        subjects=subjects,
        valid_from=valid_from,
        valid_until=valid_until,
        status=status,
        proofs=_proofs(document, path),
    )


def _subjects(value: JsonValue, path: str) -> tuple[JsonObject, ...]:
    subjects = []
    for subject, subject_path in _objects(value, path):
        if not subject:
            raise MalformedValueError(
                f"{subject_path} is an empty object; a subject needs at least "
                "one claim."
            )
        if "id" in subject:
            _url(subject["id"], f"{subject_path}.id")
        subjects.append(subject)
    return tuple(subjects)


def _validity_v2(
    document: JsonObject, path: str
) -> tuple[datetime | None, datetime | None]:
    for name, replacement in (
        ("issuanceDate", "validFrom"),
        ("expirationDate", "validUntil"),
    ):
        if name in document:
            raise MalformedValueError(
                f"{path}.{name} is a VC 1.1 term in a VC 2.0 credential; use "
                f"{replacement} instead."
            )
    valid_from = valid_until = None
    if "validFrom" in document:
        valid_from = parse_date_time(
            document["validFrom"], require_timezone=True, path=f"{path}.validFrom"
        )
    if "validUntil" in document:
        valid_until = parse_date_time(
            document["validUntil"], require_timezone=True, path=f"{path}.validUntil"
        )
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise MalformedValueError(
            f"{path}.validUntil is earlier than {path}.validFrom."
        )
    return valid_from, valid_until


def _validity_v1(
    document: JsonObject, path: str
) -> tuple[datetime | None, datetime | None]:
    for name in ("validFrom", "validUntil"):
        if name in document:
            raise MalformedValueError(
                f"{path}.{name} is a VC 2.0 term in a VC 1.1 credential; a "
                "credential follows one version."
            )
    if "issuanceDate" not in document:
        raise MalformedValueError(
            f"{path}.issuanceDate is missing; a VC 1.1 credential needs one."
        )
    valid_from = parse_date_time(
        document["issuanceDate"], require_timezone=False, path=f"{path}.issuanceDate"
    )
    valid_until = None
    if "expirationDate" in document:
        valid_until = parse_date_time(
            document["expirationDate"],
            require_timezone=False,
            path=f"{path}.expirationDate",
        )
    return valid_from, valid_until


def _names(document: JsonObject, path: str) -> None:
    """Check ``name`` and ``description``: strings or language value objects."""
    for field in ("name", "description"):
        if field not in document:
            continue
        value = document[field]
        field_path = f"{path}.{field}"
        items = value if isinstance(value, list) else [value]
        if not items:
            raise MalformedValueError(f"{field_path} is an empty array.")
        for index, item in enumerate(items):
            item_path = (
                f"{field_path}[{index}]" if isinstance(value, list) else field_path
            )
            if isinstance(item, str):
                continue
            if not isinstance(item, dict):
                raise MalformedValueError(
                    f"{item_path} must be a string or a language value object, "
                    f"not {_kind(item)}."
                )
            _language_value(item, item_path)


_LANGUAGE_TAG: Final = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


def _language_value(item: JsonObject, path: str) -> None:
    extra = sorted(set(item) - {"@value", "@language", "@direction"})
    if extra:
        raise MalformedValueError(
            f"{path} has the key {_show(extra[0])}; a language value object "
            "holds only @value, @language and @direction."
        )
    if not isinstance(item.get("@value"), str):
        raise MalformedValueError(f"{path}.@value must be a string.")
    language = item.get("@language")
    if language is not None and (
        not isinstance(language, str) or not _LANGUAGE_TAG.fullmatch(language)
    ):
        raise MalformedValueError(f"{path}.@language must be a BCP 47 language tag.")
    direction = item.get("@direction")
    if direction is not None and direction not in ("ltr", "rtl"):
        raise MalformedValueError(f"{path}.@direction must be 'ltr' or 'rtl'.")


def _related_resources(value: JsonValue, path: str) -> None:
    seen: set[str] = set()
    for resource, resource_path in _objects(value, path):
        if "id" not in resource:
            raise MalformedValueError(f"{resource_path}.id is missing.")
        resource_id = _url(resource["id"], f"{resource_path}.id")
        if resource_id in seen:
            raise MalformedValueError(
                f"{resource_path}.id repeats the id of an earlier related resource."
            )
        seen.add(resource_id)
        if "digestSRI" not in resource and "digestMultibase" not in resource:
            raise MalformedValueError(
                f"{resource_path} has neither digestSRI nor digestMultibase."
            )


# --- Shared rules ----------------------------------------------------------------


def _version(document: JsonObject, path: str) -> str:
    """Return ``"2.0"`` or ``"1.1"`` from ``@context``, checking its entries."""
    field = f"{path}.@context"
    if "@context" not in document:
        raise MalformedValueError(f"{field} is missing.")
    contexts = document["@context"]
    if isinstance(contexts, str):
        entries: list[JsonValue] = [contexts]
    elif isinstance(contexts, list):
        entries = contexts
    else:
        raise MalformedValueError(
            f"{field} must be a string or an array, not {_kind(contexts)}."
        )
    if not entries:
        raise MalformedValueError(f"{field} is an empty array.")
    first = entries[0]
    version = _VERSIONS.get(first) if isinstance(first, str) else None
    if version is None:
        raise MalformedValueError(
            f"{field} must start with {VC_V2_CONTEXT} (VC 2.0) or "
            f"{VC_V1_CONTEXT} (VC 1.1)."
        )
    for index, entry in enumerate(entries[1:], start=1):
        entry_path = f"{field}[{index}]"
        if isinstance(entry, str):
            if entry in _VERSIONS:
                raise MalformedValueError(
                    f"{entry_path} is a second base context; a document follows "
                    "either VC 2.0 or VC 1.1, not both."
                )
            _url(entry, entry_path)
        elif not isinstance(entry, dict):
            raise MalformedValueError(
                f"{entry_path} must be a URL or a context object, not {_kind(entry)}."
            )
    return version


def _types(document: JsonObject, path: str, required: str) -> tuple[str, ...]:
    field = f"{path}.type"
    if "type" not in document:
        raise MalformedValueError(f"{field} is missing.")
    types = _type_values(document["type"], field)
    if required not in types:
        raise MalformedValueError(f"{field} must include {required}.")
    return types


def _type_values(value: JsonValue, path: str) -> tuple[str, ...]:
    """Check a ``type`` value: a string or a non-empty array of strings."""
    if isinstance(value, str):
        values: list[JsonValue] = [value]
    elif isinstance(value, list) and value:
        values = value
    else:
        raise MalformedValueError(
            f"{path} must be a string or a non-empty array of strings, not "
            f"{_kind(value)}."
        )
    for index, item in enumerate(values):
        if not isinstance(item, str) or not item or _SPACE.search(item):
            item_path = f"{path}[{index}]" if isinstance(value, list) else path
            raise MalformedValueError(
                f"{item_path} must be a type name or URL without spaces, not "
                f"{_kind(item)}."
            )
    return tuple(values)


def _optional_id(document: JsonObject, path: str) -> str | None:
    if "id" not in document:
        return None
    return _url(document["id"], f"{path}.id")


def _url_or_object_with_id(value: JsonValue, path: str) -> str:
    """Check an ``issuer`` or ``holder``: a URL or an object with an ``id`` URL."""
    if isinstance(value, dict):
        if "id" not in value:
            raise MalformedValueError(f"{path}.id is missing; the object needs one.")
        return _url(value["id"], f"{path}.id")
    if isinstance(value, str):
        return _url(value, path)
    raise MalformedValueError(
        f"{path} must be a URL or an object with an id, not {_kind(value)}."
    )


def _objects(value: JsonValue, path: str) -> list[tuple[JsonObject, str]]:
    """Return an object or non-empty array of objects with their paths."""
    if isinstance(value, dict):
        return [(value, path)]
    if isinstance(value, list):
        if not value:
            raise MalformedValueError(f"{path} is an empty array.")
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise MalformedValueError(
                    f"{path}[{index}] must be an object, not {_kind(item)}."
                )
        return [(item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise MalformedValueError(
        f"{path} must be an object or an array of objects, not {_kind(value)}."
    )


def _typed_objects(
    value: JsonValue, path: str, *, id_required: bool = False
) -> tuple[JsonObject, ...]:
    """Check objects that each need a ``type`` and may (or must) have an ``id``."""
    result = []
    for item, item_path in _objects(value, path):
        if "type" not in item:
            raise MalformedValueError(f"{item_path}.type is missing.")
        _type_values(item["type"], f"{item_path}.type")
        if "id" in item:
            _url(item["id"], f"{item_path}.id")
        elif id_required:
            raise MalformedValueError(f"{item_path}.id is missing.")
        result.append(item)
    return tuple(result)


def _proofs(document: JsonObject, path: str) -> tuple[JsonObject, ...]:
    if "proof" not in document:
        return ()
    return tuple(item for item, _ in _objects(document["proof"], f"{path}.proof"))


def _is_enveloped(item: JsonObject) -> bool:
    kind = item.get("type")
    return kind == "EnvelopedVerifiableCredential" or (
        isinstance(kind, list) and "EnvelopedVerifiableCredential" in kind
    )


# An absolute URI (RFC 3986 section 4.3): a scheme, ":", and the rest, here
# required to be non-empty and free of whitespace and control characters.
_URL: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f-\x9f]+")
_SPACE: Final = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


_KNOWN_URLS_SIZE: Final = 4096
_KNOWN_URLS: set[str] = set()
"""URLs already found valid; issuers and contexts repeat across credentials."""


def _url(value: JsonValue, path: str) -> str:
    """Return ``value`` if it is a URL (an absolute URI); raise otherwise."""
    if type(value) is str and value in _KNOWN_URLS:
        return value
    if not isinstance(value, str):
        raise MalformedValueError(f"{path} must be a URL string, not {_kind(value)}.")
    if _URL.fullmatch(value) is None:
        raise MalformedValueError(
            f"{path} is {_show(value)}, not a URL (an absolute URI such as "
            "https://example.com/1, did:example:123 or urn:uuid:...)."
        )
    if value[:4].lower() == "did:" and not is_did_url(value):
        raise MalformedValueError(f"{path} is {_show(value)}, not a valid DID URL.")
    if len(_KNOWN_URLS) >= _KNOWN_URLS_SIZE:
        _KNOWN_URLS.clear()
    _KNOWN_URLS.add(value)
    return value


_SHOWN: Final = 40


def _show(text: str) -> str:
    """Quote untrusted text for a message: ASCII-escaped, cut short."""
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 3] + "..."
    return ascii(text)


def _kind(value: object) -> str:
    """Name the JSON kind of ``value`` for a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"the string {_show(value)}"
    if isinstance(value, list):
        return "an empty array" if not value else "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
