"""Routing: forward messages through one and two mediators, routes from the
DIDCommMessaging service, and malformed forwards."""

from __future__ import annotations

import json

import pytest

from ssi.did.document import DIDDocument
from ssi.messaging import (
    ForwardInvalidError,
    MalformedMessageError,
    Message,
    NotForYouError,
    pack_anoncrypt,
    pack_authcrypt,
    pack_plaintext,
    unpack,
)
from ssi.messaging.message import Attachment
from ssi.messaging.routing import (
    FORWARD_TYPE,
    Route,
    find_route,
    unwrap_forward,
    wrap_for_mediators,
    wrap_forward,
)
from ssi.messaging.unpack import Unpacked
from ssi.types import JsonObject
from tests.unit.messaging.parties import KeyParty, Resolver

TYPE = "https://example.org/chat/1.0/message"
BIG = 1 << 20


def _with_service(
    party: KeyParty, endpoint: JsonObject | list[JsonObject]
) -> DIDDocument:
    document = Resolver()(party.did).to_json()
    document["service"] = [
        {
            "id": f"{party.did}#didcomm-1",
            "type": "DIDCommMessaging",
            "serviceEndpoint": endpoint,
        }
    ]
    return DIDDocument.from_json(document)


def _mediate(packed: str, mediator: KeyParty, resolver: Resolver) -> tuple[str, str]:
    opened = unpack(
        packed, [mediator.agreer], resolver=resolver, max_attachment_bytes=BIG
    )
    assert opened.forwarded
    assert opened.anoncrypt
    return unwrap_forward(opened)


@pytest.fixture
def parties() -> tuple[KeyParty, KeyParty, KeyParty, KeyParty]:
    return KeyParty(), KeyParty(), KeyParty(), KeyParty()


def _letter(alice: KeyParty, bob: KeyParty, resolver: Resolver) -> tuple[Message, str]:
    message = Message.new(
        TYPE, {"text": "through the mediators"}, from_=alice.did, to=[bob.did]
    )
    return message, pack_authcrypt(message, alice.agreer, [bob.did], resolver=resolver)


def test_one_mediator(parties: tuple[KeyParty, ...]) -> None:
    alice, bob, mediator, _ = parties
    resolver = Resolver(
        documents=[
            _with_service(
                bob,
                {
                    "uri": "https://mediator.example/in",
                    "routingKeys": [mediator.agreer.key_id],
                },
            )
        ]
    )
    route = find_route(bob.did, resolver)
    assert route == Route(
        "https://mediator.example/in", (mediator.agreer.key_id,), f"{bob.did}#didcomm-1"
    )
    message, packed = _letter(alice, bob, resolver)
    wrapped = wrap_for_mediators(packed, bob.did, resolver)
    with pytest.raises(NotForYouError):
        unpack(wrapped, [bob.agreer], resolver=resolver)
    following, inner = _mediate(wrapped, mediator, resolver)
    assert following == bob.did
    assert json.loads(inner) == json.loads(packed)
    with pytest.raises(NotForYouError):
        unpack(inner, [mediator.agreer], resolver=resolver)
    opened = unpack(inner, [bob.agreer], resolver=resolver)
    assert opened.message == message
    assert opened.sender_proven
    assert not opened.forwarded


def test_two_mediators(parties: tuple[KeyParty, ...]) -> None:
    alice, bob, first, second = parties
    keys = [first.agreer.key_id, second.agreer.key_id]
    resolver = Resolver(
        documents=[
            _with_service(bob, [{"uri": "https://first.example", "routingKeys": keys}])
        ]
    )
    message, packed = _letter(alice, bob, resolver)
    wrapped = wrap_for_mediators(packed, bob.did, resolver)
    with pytest.raises(NotForYouError):
        unpack(wrapped, [second.agreer], resolver=resolver)
    following, middle = _mediate(wrapped, first, resolver)
    assert following == second.agreer.key_id
    following, inner = _mediate(middle, second, resolver)
    assert following == bob.did
    assert unpack(inner, [bob.agreer], resolver=resolver).message == message
    assert len(wrapped) > len(middle) > len(inner)


def test_a_mediator_did_as_the_endpoint(parties: tuple[KeyParty, ...]) -> None:
    alice, bob, mediator, other = parties
    resolver = Resolver(
        documents=[
            _with_service(
                bob, {"uri": mediator.did, "routingKeys": [other.agreer.key_id]}
            ),
            _with_service(
                mediator, {"uri": "https://mediator.example", "accept": ["didcomm/v2"]}
            ),
        ]
    )
    route = find_route(bob.did, resolver)
    assert route is not None
    assert route.uri == "https://mediator.example"
    assert route.routing_keys == (mediator.did, other.agreer.key_id)
    message, packed = _letter(alice, bob, resolver)
    following, middle = _mediate(
        wrap_for_mediators(packed, bob.did, resolver), mediator, resolver
    )
    assert following == other.agreer.key_id
    following, inner = _mediate(middle, other, resolver)
    assert (following, unpack(inner, [bob.agreer], resolver=resolver).message) == (
        bob.did,
        message,
    )


def test_no_service_or_no_routing_keys_leaves_the_message_alone(
    parties: tuple[KeyParty, ...],
) -> None:
    alice, bob, _, _ = parties
    plain = Resolver()
    _, packed = _letter(alice, bob, plain)
    assert find_route(bob.did, plain) is None
    assert wrap_for_mediators(packed, bob.did, plain) == packed
    direct = Resolver(documents=[_with_service(bob, {"uri": "https://bob.example"})])
    assert find_route(bob.did, direct) == Route(
        "https://bob.example", (), f"{bob.did}#didcomm-1"
    )
    assert wrap_for_mediators(packed, bob.did, direct) == packed


def test_endpoints_for_other_profiles_are_skipped(
    parties: tuple[KeyParty, ...],
) -> None:
    _, bob, mediator, _ = parties
    resolver = Resolver(
        documents=[
            _with_service(
                bob,
                [
                    {
                        "uri": "https://old.example",
                        "accept": ["didcomm/aip2;env=rfc19"],
                    },
                    {"uri": "https://new.example", "routingKeys": [mediator.did]},
                ],
            )
        ]
    )
    assert find_route(bob.did, resolver) == Route(
        "https://new.example", (mediator.did,), f"{bob.did}#didcomm-1"
    )


def test_recursive_mediator_endpoints_are_refused(
    parties: tuple[KeyParty, ...],
) -> None:
    _, bob, mediator, other = parties
    resolver = Resolver(
        documents=[
            _with_service(bob, {"uri": mediator.did}),
            _with_service(mediator, {"uri": other.did}),
        ]
    )
    with pytest.raises(MalformedMessageError, match="another DID"):
        find_route(bob.did, resolver)
    bad_keys = Resolver(
        documents=[
            _with_service(bob, {"uri": "https://x.example", "routingKeys": ["k"]})
        ]
    )
    with pytest.raises(MalformedMessageError, match="routingKeys"):
        find_route(bob.did, bad_keys)


def test_wrap_forward_takes_only_encrypted_messages(
    parties: tuple[KeyParty, ...],
) -> None:
    alice, bob, mediator, _ = parties
    plaintext = pack_plaintext(Message.new(TYPE, {}, from_=alice.did))
    with pytest.raises(ValueError, match="not an encrypted"):
        wrap_forward(plaintext, bob.did, [mediator.did], resolver=Resolver())


def _forward_to(mediator: KeyParty, message: Message, resolver: Resolver) -> Unpacked:
    packed = pack_anoncrypt(message, [mediator.did], resolver=resolver)
    return unpack(
        packed, [mediator.agreer], resolver=resolver, max_attachment_bytes=BIG
    )


def _inner(alice: KeyParty, bob: KeyParty, resolver: Resolver) -> JsonObject:
    value = json.loads(_letter(alice, bob, resolver)[1])
    assert isinstance(value, dict)
    return value


@pytest.mark.parametrize(
    "case",
    [
        "wrong type",
        "no next",
        "next not a DID",
        "no attachment",
        "two attachments",
        "plaintext inside",
        "no data",
        "bad base64",
        "not encrypted",
    ],
)
def test_malformed_forward_fails(parties: tuple[KeyParty, ...], case: str) -> None:
    alice, bob, mediator, _ = parties
    resolver = Resolver()
    inner = Attachment(data={"json": _inner(alice, bob, resolver)})
    body: JsonObject = {"next": bob.did}
    attachments = [inner]
    kind = FORWARD_TYPE
    if case == "wrong type":
        kind = TYPE
    elif case == "no next":
        body = {}
    elif case == "next not a DID":
        body = {"next": "https://bob.example"}
    elif case == "no attachment":
        attachments = []
    elif case == "two attachments":
        attachments = [inner, inner]
    elif case == "plaintext inside":
        attachments = [Attachment(data={"json": Message.new(TYPE, {}).to_json()})]
    elif case == "no data":
        attachments = [Attachment(data={"links": ["https://cdn.example/x"]})]
    elif case == "bad base64":
        attachments = [Attachment(data={"base64": "not base64!"})]
    message = Message.new(kind, body, to=[mediator.did], attachments=attachments)
    if case == "not encrypted":
        opened = unpack(pack_plaintext(message), [mediator.agreer], resolver=resolver)
    else:
        opened = _forward_to(mediator, message, resolver)
    with pytest.raises(ForwardInvalidError) as caught:
        unwrap_forward(opened)
    assert caught.value.code == "forwardInvalid"


def test_a_base64_attachment_is_forwarded(parties: tuple[KeyParty, ...]) -> None:
    from ssi.encoding import encode_base64url

    alice, bob, mediator, _ = parties
    resolver = Resolver()
    message, packed = _letter(alice, bob, resolver)
    attachment = Attachment(data={"base64": encode_base64url(packed.encode())})
    forward = Message.new(FORWARD_TYPE, {"next": bob.did}, attachments=[attachment])
    following, inner = unwrap_forward(_forward_to(mediator, forward, resolver))
    assert following == bob.did
    assert unpack(inner, [bob.agreer], resolver=resolver).message == message
