"""Operation counts of authcrypt pack and unpack: each does the key
agreements its cryptography needs and no more (docs/messaging.md, "Costs").

Counted are the X25519 exchanges of our key classes (the KeyAgreer seam and
the ephemeral key both go through ``X25519KeyPair.exchange``), the key pairs
generated, and the small-order probes of public keys decoded. The parties'
documents are decoded once before counting, as a resolver cache would.
"""

from __future__ import annotations

from collections import Counter

import pytest

from ssi.did.document import DIDDocument
from ssi.keys import x25519 as x25519_module
from ssi.keys.signer import LocalKeyAgreer
from ssi.keys.x25519 import X25519KeyPair, X25519PublicKey
from ssi.messaging import Message, pack_authcrypt, unpack
from tests.unit.messaging.parties import KeyParty, Resolver

TYPE = "https://example.org/chat/1.0/message"
DEVICES = "did:example:devices"


def devices(keys: list[X25519KeyPair]) -> DIDDocument:
    """Return the document of a DID with one X25519 keyAgreement key per device."""
    methods = [
        {
            "id": f"{DEVICES}#device-{n}",
            "type": "Multikey",
            "controller": DEVICES,
            "publicKeyMultibase": key.public_key.export_multikey(),
        }
        for n, key in enumerate(keys)
    ]
    return DIDDocument.from_json(
        {
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": DEVICES,
            "verificationMethod": methods,
            "keyAgreement": [m["id"] for m in methods],
        }
    )


def message(sender: KeyParty, to: str, n: int) -> Message:
    """Return a fresh message from ``sender`` to ``to``."""
    return Message.new(TYPE, {"text": f"hello {n}"}, from_=sender.did, to=[to])


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count exchanges, key generations and small-order probes."""
    counter: Counter[str] = Counter()
    exchange = X25519KeyPair.exchange
    generate = X25519KeyPair.generate.__func__  # type: ignore[attr-defined]
    probe = x25519_module._probe()

    class CountingProbe:
        def exchange(self, peer: object) -> bytes:
            counter["probe"] += 1
            return probe.exchange(peer)  # type: ignore[arg-type]

    def counting_exchange(self: X25519KeyPair, peer: X25519PublicKey) -> bytes:
        counter["exchange"] += 1
        return exchange(self, peer)

    def counting_generate(cls: type[X25519KeyPair]) -> X25519KeyPair:
        counter["generate"] += 1
        return generate(cls)  # type: ignore[no-any-return]

    monkeypatch.setattr(X25519KeyPair, "exchange", counting_exchange)
    monkeypatch.setattr(X25519KeyPair, "generate", classmethod(counting_generate))
    monkeypatch.setattr(x25519_module, "_probe", CountingProbe)
    return counter


@pytest.fixture
def world() -> tuple[KeyParty, KeyParty, list[X25519KeyPair], Resolver]:
    """A sender, a did:key recipient, three device keys, and a resolver over
    them whose documents' keys have been decoded once already."""
    sender, recipient = KeyParty(), KeyParty()
    keys = [X25519KeyPair.generate() for _ in range(3)]
    resolver = Resolver(documents=[devices(keys)])
    for to, reader in (
        (recipient.did, recipient.agreer),
        (DEVICES, LocalKeyAgreer(keys[0], f"{DEVICES}#device-0")),
    ):
        sent = message(sender, to, 0)
        packed = pack_authcrypt(sent, sender.agreer, [to], resolver=resolver)
        assert unpack(packed, [reader], resolver=resolver).message == sent
    return sender, recipient, keys, resolver


def test_pack_to_one_key_does_two_exchanges_and_one_key_generation(world, counts):
    sender, recipient, _, resolver = world
    calls = resolver.calls
    pack_authcrypt(
        message(sender, recipient.did, 1),
        sender.agreer,
        [recipient.did],
        resolver=resolver,
    )
    assert counts == Counter(exchange=2, generate=1)
    assert resolver.calls - calls == 1


def test_pack_to_k_keys_does_2k_exchanges_and_one_key_generation(world, counts):
    sender, _, keys, resolver = world
    calls = resolver.calls
    pack_authcrypt(
        message(sender, DEVICES, 1), sender.agreer, [DEVICES], resolver=resolver
    )
    assert counts == Counter(exchange=2 * len(keys), generate=1)
    assert resolver.calls - calls == 1


def test_a_key_pair_is_not_probed_but_a_decoded_key_is(counts):
    pair = X25519KeyPair.from_private_bytes(bytes(range(32)))
    assert counts["probe"] == 0
    assert X25519PublicKey(pair.public_key.raw).raw == pair.public_key.raw
    assert counts["probe"] == 1


@pytest.mark.parametrize("to", ["recipient", DEVICES])
def test_unpack_does_two_exchanges_and_no_probe(world, counts, to):
    sender, recipient, keys, resolver = world
    if to == DEVICES:
        reader = LocalKeyAgreer(keys[-1], f"{DEVICES}#device-{len(keys) - 1}")
    else:
        to, reader = recipient.did, recipient.agreer
    sent = message(sender, to, 2)
    packed = pack_authcrypt(sent, sender.agreer, [to], resolver=resolver)
    counts.clear()
    calls = resolver.calls
    opened = unpack(packed, [reader], resolver=resolver)
    assert opened.message == sent
    assert opened.sender_proven
    assert counts == Counter(exchange=2)
    assert resolver.calls - calls == 1
