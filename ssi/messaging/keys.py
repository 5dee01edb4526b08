"""Keys for messaging: resolving the ``keyAgreement`` and ``authentication``
keys that envelopes name, from the DIDs' documents.

Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#did-document-keys
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from ssi.did.document import DIDDocument, VerificationMethod
from ssi.did.syntax import is_did, is_did_url, parse_did_url
from ssi.errors import DIDError, KeyMaterialError, SSIError
from ssi.keys.base import PublicKey
from ssi.keys.jwk import decode_public_jwk
from ssi.keys.multikey import decode_public_multikey
from ssi.messaging.errors import (
    MalformedMessageError,
    MessagingError,
    SenderKeyNotInDocumentError,
    UnresolvableDIDError,
)
from ssi.methods import resolve

__all__ = [
    "DidResolver",
    "authentication_key",
    "default_resolver",
    "did_of",
    "key_agreement_keys",
    "memoized",
    "method_key",
]

DidResolver = Callable[[str], DIDDocument]
"""Return the DID document of a DID, or raise an :class:`ssi.errors.SSIError`."""


def default_resolver(did: str) -> DIDDocument:
    """Resolve ``did`` with :func:`ssi.resolve` (the default method set).

    Raises:
        UnresolvableDIDError: resolution failed.
    """
    result = resolve(did)
    if not result.ok or result.did_document is None:
        raise UnresolvableDIDError(
            f"The DID {did!r} does not resolve: {result.error or 'no document'}."
        )
    return result.did_document


def memoized(resolver: DidResolver | None) -> DidResolver:
    """Wrap a resolver so that each DID is resolved once per wrapper; failures
    become :class:`UnresolvableDIDError`.
    """
    inner = resolver if resolver is not None else default_resolver
    cache: dict[str, DIDDocument] = {}

    def resolve_once(did: str) -> DIDDocument:
        found = cache.get(did)
        if found is None:
            try:
                found = inner(did)
            except MessagingError:
                raise
            except SSIError as exc:
                raise UnresolvableDIDError(
                    f"The DID {did!r} does not resolve: {exc.code}."
                ) from exc
            cache[did] = found
        return found

    return resolve_once


def did_of(did_or_url: str) -> str:
    """Return the DID part of a DID or DID URL.

    Results are remembered (the last 4096 values): one call of pack or unpack
    asks for the DID of the same few kids several times. Refused values are
    not remembered.

    Raises:
        MalformedMessageError: the value is neither.
    """
    if not isinstance(did_or_url, str):
        raise MalformedMessageError(f"{did_or_url!r} is not a DID or DID URL.")
    return _did_of(did_or_url)


@functools.lru_cache(maxsize=4096)
def _did_of(did_or_url: str) -> str:
    if is_did(did_or_url):
        return did_or_url
    if not is_did_url(did_or_url):
        raise MalformedMessageError(f"{did_or_url!r} is not a DID or DID URL.")
    return str(parse_did_url(did_or_url).did)


def method_key(method: VerificationMethod) -> PublicKey:
    """Return the public key of a verification method (Multikey or JWK).

    Raises:
        MalformedMessageError: the method carries no key we can read.
    """
    try:
        if method.public_key_multibase is not None:
            return decode_public_multikey(method.public_key_multibase)
        if method.public_key_jwk is not None:
            return decode_public_jwk(method.public_key_jwk)
    except KeyMaterialError as exc:
        raise MalformedMessageError(
            f"The verification method {method.id!r} has an unusable key."
        ) from exc
    raise MalformedMessageError(
        f"The verification method {method.id!r} has no publicKeyMultibase "
        "or publicKeyJwk."
    )


def key_agreement_keys(
    did_or_kid: str, resolver: DidResolver | None = None
) -> list[tuple[str, PublicKey]]:
    """Return the ``keyAgreement`` keys of a DID, or the one a DID URL names,
    as (kid, public key) pairs in document order.

    Keys whose material cannot be read are left out when a whole DID is asked
    for; a named kid must be readable.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#did-document-keys

    Raises:
        UnresolvableDIDError: the DID does not resolve.
        SenderKeyNotInDocumentError: the kid is not a ``keyAgreement`` key of
            its DID's document.
        MalformedMessageError: the value is not a DID or DID URL, or the
            named key is unreadable.
    """
    resolve_did = resolver if resolver is not None else memoized(None)
    did = did_of(did_or_kid)
    document = resolve_did(did)
    if did_or_kid == did:
        found: list[tuple[str, PublicKey]] = []
        for method in document.verification_methods_for("keyAgreement"):
            try:
                found.append((method.id, method_key(method)))
            except MalformedMessageError:
                continue
        return found
    try:
        method = document.find_verification_method(did_or_kid, "keyAgreement")
    except DIDError as exc:
        raise SenderKeyNotInDocumentError(
            f"{did_or_kid!r} is not a keyAgreement key of {did!r}."
        ) from exc
    return [(method.id, method_key(method))]


def authentication_key(kid: str, resolver: DidResolver | None = None) -> PublicKey:
    """Return the public key of ``kid``, which must be listed under its DID
    document's ``authentication`` (a DIDComm signer's key).

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#did-document-keys

    Raises:
        UnresolvableDIDError: the DID does not resolve.
        SenderKeyNotInDocumentError: the kid is not an ``authentication`` key.
        MalformedMessageError: the kid is not a DID URL, or its key unreadable.
    """
    resolve_did = resolver if resolver is not None else memoized(None)
    did = did_of(kid)
    document = resolve_did(did)
    try:
        method = document.find_verification_method(kid, "authentication")
    except DIDError as exc:
        raise SenderKeyNotInDocumentError(
            f"{kid!r} is not an authentication key of {did!r}."
        ) from exc
    return method_key(method)
