"""Routing through mediators: the DIDComm Routing Protocol 2.0 ``forward``
message, wrapped by the sender for each routing key of the recipient's
``DIDCommMessaging`` service and unwrapped by each mediator.

Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#routing-protocol-20
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ssi.did.document import DIDDocument, Service
from ssi.did.syntax import is_did, is_did_url, parse_did_url
from ssi.encoding import decode_base64url
from ssi.errors import SSIError
from ssi.messaging.errors import ForwardInvalidError, MalformedMessageError
from ssi.messaging.keys import DidResolver, did_of, memoized
from ssi.messaging.message import ENCRYPTED, Attachment, Message, load_json
from ssi.messaging.pack import pack_anoncrypt
from ssi.messaging.unpack import FORWARD_TYPE, Unpacked
from ssi.types import JsonObject, JsonValue

__all__ = [
    "DIDCOMM_SERVICE_TYPE",
    "FORWARD_TYPE",
    "Route",
    "find_route",
    "unwrap_forward",
    "wrap_for_mediators",
    "wrap_forward",
]

DIDCOMM_SERVICE_TYPE: Final = "DIDCommMessaging"
"""The service type that gives a DID's DIDComm endpoints."""
_PROFILE: Final = "didcomm/v2"
_JWE_MEMBERS: Final = frozenset({"protected", "recipients", "iv", "ciphertext", "tag"})


@dataclass(frozen=True, slots=True)
class Route:
    """Where and how to send a message to a DID.

    Attributes:
        uri: the transport URI to send the outermost message to (a mediator's
            when the recipient's service names a mediator DID).
        routing_keys: the keys (DIDs or DID URLs) to wrap a ``forward`` for,
            outermost first; empty when no mediator is in the way.
        service_id: the recipient's service that gave the route.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#service-endpoint
    """

    uri: str
    routing_keys: tuple[str, ...]
    service_id: str


def _endpoints(service: Service) -> list[JsonObject]:
    """Return the service's endpoint objects that accept DIDComm v2."""
    raw = service.service_endpoint
    items = raw if isinstance(raw, list) else [raw]
    found: list[JsonObject] = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("uri"), str):
            continue
        accept = item.get("accept")
        if accept is not None and (
            not isinstance(accept, list) or _PROFILE not in accept
        ):
            continue
        keys = item.get("routingKeys", [])
        if not isinstance(keys, list) or not all(
            isinstance(k, str) and is_did_url(k) for k in keys
        ):
            raise MalformedMessageError(
                f"The service {service.id!r} has routingKeys that are not DID URLs."
            )
        found.append(item)
    return found


def _didcomm_endpoint(document: DIDDocument) -> tuple[str, JsonObject] | None:
    for service in document.service:
        types = (service.type,) if isinstance(service.type, str) else service.type
        if DIDCOMM_SERVICE_TYPE not in types:
            continue
        endpoints = _endpoints(service)
        if endpoints:
            return service.id, endpoints[0]
    return None


def find_route(to: str, resolver: DidResolver | None = None) -> Route | None:
    """Return the route to a DID from its first ``DIDCommMessaging`` service
    (its first endpoint that accepts ``didcomm/v2`` or says nothing), or None
    when the DID has none.

    When the endpoint's ``uri`` is a DID (a mediator's), that DID's own
    ``DIDCommMessaging`` endpoint gives the transport URI and the mediator DID
    is prepended to the routing keys (its ``keyAgreement`` keys receive the
    outermost ``forward``); a mediator whose URI is a DID again is refused.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#using-a-did-as-an-endpoint

    Raises:
        UnresolvableDIDError: the DID or its mediator's does not resolve.
        MalformedMessageError: the routing keys are not DID URLs, or the
            mediator has no usable endpoint or endpoints recurse.
    """
    resolve = memoized(resolver)
    found = _didcomm_endpoint(resolve(did_of(to)))
    if found is None:
        return None
    service_id, endpoint = found
    uri = str(endpoint["uri"])
    keys = [str(k) for k in endpoint.get("routingKeys", []) or []]
    if is_did_url(uri):
        mediator = _didcomm_endpoint(resolve(did_of(uri)))
        if mediator is None:
            raise MalformedMessageError(
                f"The mediator {uri!r} has no DIDCommMessaging endpoint."
            )
        mediator_uri = str(mediator[1]["uri"])
        if is_did_url(mediator_uri):
            raise MalformedMessageError(
                f"The mediator {uri!r} names another DID as its endpoint."
            )
        keys = [did_of(uri), *keys]
        uri = mediator_uri
    return Route(uri=uri, routing_keys=tuple(keys), service_id=service_id)


def wrap_forward(
    packed: str,
    to: str,
    routing_keys: Sequence[str],
    *,
    resolver: DidResolver | None = None,
    expires_time: int | None = None,
) -> str:
    """Wrap a packed message in one ``forward`` per routing key, from the last
    key to the first: each ``forward`` names the next hop (the following
    routing key, or ``to`` for the last) in ``body.next``, carries the message
    so far as its one attachment (``data.json``), and is anoncrypted to its
    routing key (every ``keyAgreement`` key of a DID, or the one a DID URL
    names). With no routing keys, ``packed`` comes back as it is.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#sender-process-to-enable-forwarding

    Raises:
        UnresolvableDIDError: a routing key's DID does not resolve.
        SenderKeyNotInDocumentError: a routing key is not a ``keyAgreement``
            key of its DID.
        MessageTooLargeError: a wrapped message would be over the cap.
        ValueError: ``packed`` is not an encrypted message, or ``to`` is not a
            DID or DID URL.
    """
    if not is_did_url(to):
        raise ValueError("the final recipient must be a DID or DID URL")
    _check_encrypted(packed, ValueError)
    resolve = memoized(resolver)
    current = packed
    hops = [*routing_keys[1:], to]
    for key, following in reversed(list(zip(routing_keys, hops, strict=True))):
        inner = load_json(current, what="packed message")
        forward = Message.new(
            FORWARD_TYPE,
            {"next": following},
            to=(did_of(key),),
            expires_time=expires_time,
            attachments=(Attachment(data={"json": inner}, media_type=ENCRYPTED),),
        )
        current = pack_anoncrypt(forward, [key], resolver=resolve)
    return current


def wrap_for_mediators(
    packed: str, to: str, resolver: DidResolver | None = None
) -> str:
    """Wrap a packed message for the mediators of ``to``'s
    ``DIDCommMessaging`` service (:func:`find_route`, :func:`wrap_forward`);
    send the result to :attr:`Route.uri`. A DID without such a service, or
    without routing keys, gets ``packed`` back unchanged.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#sender-process-to-enable-forwarding

    Raises:
        UnresolvableDIDError, SenderKeyNotInDocumentError,
        MessageTooLargeError, MalformedMessageError: as the two functions do.
    """
    resolve = memoized(resolver)
    route = find_route(to, resolve)
    if route is None or not route.routing_keys:
        return packed
    return wrap_forward(packed, to, route.routing_keys, resolver=resolve)


def _check_encrypted(packed: str | JsonValue, error: type[Exception]) -> JsonObject:
    """Check that a value is a general-JSON JWE (a DIDComm encrypted message)."""
    try:
        value = (
            load_json(packed, what="forwarded message")
            if isinstance(packed, str)
            else packed
        )
    except MalformedMessageError as exc:
        raise error("The forwarded message is not JSON.") from exc
    if not isinstance(value, dict) or not _JWE_MEMBERS <= value.keys():
        raise error("The forwarded message is not an encrypted DIDComm message.")
    recipients = value["recipients"]
    if not isinstance(recipients, list) or not recipients:
        raise error("The forwarded message has no recipients.")
    return value


def unwrap_forward(unpacked: Unpacked) -> tuple[str, str]:
    """Return the next hop and the message to pass on, from a ``forward``
    message a mediator unpacked.

    The ``forward`` must have come encrypted; its ``body.next`` must be a DID
    or DID URL; it must carry exactly one attachment whose ``data.json`` (or
    ``data.base64``) is an encrypted message. The message comes back as
    compact JSON, to deliver as it is (or to wrap again for routing keys the
    recipient registered with the mediator).

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#mediator-process

    Raises:
        ForwardInvalidError: the message is not such a ``forward``.
    """
    message = unpacked.message
    if message.type != FORWARD_TYPE:
        raise ForwardInvalidError(f"The message {message.id!r} is not a forward.")
    if not unpacked.encrypted:
        raise ForwardInvalidError("A forward message must arrive encrypted.")
    following = message.body.get("next")
    if not isinstance(following, str) or not (
        is_did(following) or is_did_url(following)
    ):
        raise ForwardInvalidError("The forward body.next is not a DID or DID URL.")
    if is_did_url(following) and parse_did_url(following).path:
        raise ForwardInvalidError("The forward body.next has a path.")
    if len(message.attachments) != 1:
        raise ForwardInvalidError("A forward message carries exactly one attachment.")
    data = message.attachments[0].data
    if "json" in data:
        inner = _check_encrypted(data["json"], ForwardInvalidError)
    elif isinstance(data.get("base64"), str):
        try:
            text = decode_base64url(str(data["base64"])).decode("utf-8")
        except (SSIError, UnicodeDecodeError) as exc:
            raise ForwardInvalidError(
                "The forward attachment is not base64url."
            ) from exc
        inner = _check_encrypted(text, ForwardInvalidError)
    else:
        raise ForwardInvalidError(
            "The forward attachment holds no json or base64 data."
        )
    return following, json.dumps(inner, separators=(",", ":"), ensure_ascii=False)
