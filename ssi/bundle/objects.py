"""What a bundle needs to know about an object, read without the social module.

The generic rules of docs/vocabulary.md: an object's types, author and
community, and, for packing, the DIDs that signed it and the status lists its
``credentialStatus`` entries name (its own and those of the credentials a
presentation holds).

Spec: docs/bundles.md (Objects)
"""

from __future__ import annotations

from collections.abc import Iterator

from ssi.types import JsonObject, JsonValue

__all__ = [
    "author_of",
    "community_of",
    "embedded_credentials",
    "is_presentation",
    "signer_dids",
    "status_urls",
    "types_of",
]

_BASE_TYPES = frozenset({"VerifiableCredential", "VerifiablePresentation"})
_MAX_EMBEDDED = 256


def types_of(document: JsonObject) -> tuple[str, ...]:
    """The object's ``type`` values other than VerifiableCredential and
    VerifiablePresentation."""
    value = document.get("type")
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list):
        return ()
    return tuple(t for t in values if isinstance(t, str) and t not in _BASE_TYPES)


def is_presentation(document: JsonObject) -> bool:
    """True when the object's ``type`` names VerifiablePresentation."""
    value = document.get("type")
    return value == "VerifiablePresentation" or (
        isinstance(value, list) and "VerifiablePresentation" in value
    )


def author_of(document: JsonObject) -> str | None:
    """The author: ``issuer`` (a string or ``issuer.id``); for a presentation,
    ``holder`` (likewise)."""
    value = document.get("holder" if is_presentation(document) else "issuer")
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


_NOT_POSTED = frozenset({"Tally"})
"""Types that name a community without being posted in it."""


def _subject(document: JsonObject) -> JsonObject | None:
    subject = document.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    return subject if isinstance(subject, dict) else None


def community_of(document: JsonObject) -> str | None:
    """The community an object is posted in, whose membership its author must
    show: the (first) ``credentialSubject``'s ``community`` when it is a
    string; None for a presentation, for the community's own credentials
    (its issuer is the community: memberships) and for a ``Tally`` (anyone
    may count a community's vote)."""
    if is_presentation(document) or _NOT_POSTED & set(types_of(document)):
        return None
    subject = _subject(document)
    community = subject.get("community") if subject is not None else None
    if not isinstance(community, str) or community == author_of(document):
        return None
    return community


def embedded_credentials(document: JsonObject) -> Iterator[JsonObject]:
    """The credentials a presentation holds as JSON objects (at most 256)."""
    if not is_presentation(document):
        return
    value = document.get("verifiableCredential")
    values = value if isinstance(value, list) else [value]
    for credential in values[:_MAX_EMBEDDED]:
        if isinstance(credential, dict):
            yield credential


def _did_of(url: JsonValue) -> str | None:
    if not isinstance(url, str) or not url.startswith("did:"):
        return None
    return url.split("#", 1)[0].split("?", 1)[0].split("/", 1)[0]


def signer_dids(document: JsonObject) -> set[str]:
    """The DIDs of the object's author and of every proof's verification
    method, for it and for the credentials it holds."""
    found: set[str] = set()
    for item in (document, *embedded_credentials(document)):
        author = _did_of(author_of(item))
        if author is not None:
            found.add(author)
        proofs = item.get("proof")
        for proof in proofs if isinstance(proofs, list) else [proofs]:
            if isinstance(proof, dict):
                did = _did_of(proof.get("verificationMethod"))
                if did is not None:
                    found.add(did)
    return found


def status_urls(document: JsonObject) -> set[str]:
    """The ``statusListCredential`` URLs of the object's ``credentialStatus``
    entries and of those of the credentials it holds."""
    found: set[str] = set()
    for item in (document, *embedded_credentials(document)):
        entries = item.get("credentialStatus")
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict):
                url = entry.get("statusListCredential")
                if isinstance(url, str):
                    found.add(url)
    return found
