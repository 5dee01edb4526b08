"""Messaging benchmark: DIDComm authcrypt pack and unpack, as ratios to raw
X25519 key agreement.

The sender and the recipients are did:key DIDs (Ed25519, with the derived
X25519 ``keyAgreement`` key); one more recipient, ``did:example:devices``, is
a DID with N X25519 ``keyAgreement`` keys (one per device). The documents are
resolved once, before any clock runs, and served from memory, so the figures
are the cost of packing and unpacking, not of resolving. In interleaved
rounds (``common.interleave``: every case once per round, in a rotated
order), each case works through ``--count`` items it has not seen before:

- ``raw X25519 exchange``: the reference, ``cryptography``'s X25519
  ``exchange`` between distinct key pairs (one shared secret per item);
- ``authcrypt pack, 1 recipient``: ``ssi.messaging.pack_authcrypt``
  (ECDH-1PU+A256KW, A256CBC-HS512) of distinct messages (fresh id, distinct
  text) from the sender to one recipient;
- ``authcrypt pack, N recipient DIDs``: the same message to N recipients.
  An envelope is for one DID (DIDComm v2.1), so this packs N envelopes, one
  per recipient; each recipient unpacks its own, at the 1-recipient rate;
- ``authcrypt pack, 1 DID with N keys``: one envelope whose content key is
  wrapped for each of the N keys of ``did:example:devices``;
- ``authcrypt unpack, 1 recipient`` and ``... 1 DID with N keys``:
  ``ssi.messaging.unpack`` of distinct packed messages by the recipient (for
  the N-key envelope, by its last key), every check included: sender key
  lookup, decryption, the plaintext's ``from``/``to``.

Rates are messages per second; each is also given as a ratio to the raw
X25519 rate of the same round (median and range over the rounds), and as its
cost in raw exchanges (the inverse) next to the exchanges it cannot avoid:
packing for k keys needs 2k exchanges and one ephemeral key, unpacking two.
Before the clocks run, one message of each kind is packed and unpacked and
compared with what was sent.

Run with ``python benchmarks/messaging.py`` (``--count``, ``--rounds``,
``--recipients``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence

from common import Case, interleave, print_figures
from cryptography.hazmat.primitives.asymmetric import x25519

import ssi
from ssi.did.document import DIDDocument
from ssi.keys import Ed25519KeyPair, LocalKeyAgreer, X25519KeyPair
from ssi.messaging import Message, pack_authcrypt, unpack

RAW = "raw X25519 exchange (cryptography)"
TYPE = "https://example.org/chat/1.0/message"
DEVICES = "did:example:devices"


class Party:
    """A did:key party and its X25519 key agreer."""

    def __init__(self, seed: int) -> None:
        key = Ed25519KeyPair.from_seed(seed.to_bytes(4, "big") * 8)
        self.did = ssi.did_key(key)
        agreement = key.to_x25519()
        kid = f"{self.did}#{agreement.public_key.export_multikey()}"
        self.agreer = LocalKeyAgreer(agreement, kid)


def devices_document(keys: Sequence[X25519KeyPair]) -> DIDDocument:
    """Return the document of a DID with one X25519 key per device."""
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


class Documents:
    """The parties' DID documents, resolved once and served from memory."""

    def __init__(self, parties: Sequence[Party], *extra: DIDDocument) -> None:
        self.documents: dict[str, DIDDocument] = {d.id: d for d in extra}
        for party in parties:
            document = ssi.resolve(party.did).did_document
            assert document is not None
            self.documents[party.did] = document

    def __call__(self, did: str) -> DIDDocument:
        return self.documents[did]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=500, help="messages per case per round"
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--recipients", type=int, default=10, help="N")
    args = parser.parse_args(argv)
    many = args.recipients
    sender = Party(900)
    recipients = [Party(901 + n) for n in range(many)]
    device_keys = [
        X25519KeyPair.from_private_bytes(bytes([n + 1]) * 32) for n in range(many)
    ]
    device = LocalKeyAgreer(device_keys[-1], f"{DEVICES}#device-{many - 1}")
    resolver = Documents([sender, *recipients], devices_document(device_keys))
    serial = iter(range(10**9))

    def message(to: str) -> Message:
        number = next(serial)
        return Message.new(
            TYPE,
            {"text": f"message {number}: " + "lorem ipsum " * 8},
            from_=sender.did,
            to=[to],
        )

    def seal(item: Message, to: str) -> str:
        return pack_authcrypt(item, sender.agreer, [to], resolver=resolver)

    for to, reader in ((recipients[0].did, recipients[0].agreer), (DEVICES, device)):
        sent = message(to)
        opened = unpack(seal(sent, to), [reader], resolver=resolver)
        if opened.message != sent or not opened.sender_proven:
            print("a packed message did not unpack to what was sent", file=sys.stderr)
            return 1

    def make_raw(n: int) -> list[object]:
        return [
            (
                x25519.X25519PrivateKey.generate(),
                x25519.X25519PrivateKey.generate().public_key(),
            )
            for _ in range(n)
        ]

    def run_raw(items: Sequence[object]) -> None:
        for private, public in items:  # type: ignore[misc]
            private.exchange(public)

    def pack_case(name: str, targets: Sequence[str]) -> Case:
        def make(n: int) -> list[object]:
            return [message(targets[0]) for _ in range(n)]

        def run(items: Sequence[object]) -> None:
            for item in items:
                for to in targets:
                    seal(item, to)  # type: ignore[arg-type]

        return Case(name, make, run, args.count)

    def unpack_case(name: str, to: str, reader: LocalKeyAgreer) -> Case:
        def make(n: int) -> list[object]:
            return [seal(message(to), to) for _ in range(n)]

        def run(items: Sequence[object]) -> None:
            for item in items:
                unpack(item, [reader], resolver=resolver)  # type: ignore[arg-type]

        return Case(name, make, run, args.count)

    first = recipients[0]
    names = [p.did for p in recipients]
    keyed = f"1 DID with {many} keys"
    cases = [
        Case(RAW, make_raw, run_raw, args.count),
        pack_case("authcrypt pack, 1 recipient", [first.did]),
        unpack_case("authcrypt unpack, 1 recipient", first.did, first.agreer),
        pack_case(f"authcrypt pack, {many} recipient DIDs", names),
        pack_case(f"authcrypt pack, {keyed}", [DEVICES]),
        unpack_case(f"authcrypt unpack, {keyed}", DEVICES, device),
    ]
    print(
        f"DIDComm authcrypt (X25519, ECDH-1PU+A256KW, A256CBC-HS512): {args.count} "
        f"distinct messages per case per round, {args.rounds} rounds, "
        f"N = {many}; round trips checked"
    )
    figures = interleave(cases, args.rounds, [RAW])
    print_figures(figures, {"vs raw X25519": RAW})
    print("ratio = messages per second / raw X25519 exchanges per second, same round")
    floors = {
        "authcrypt pack, 1 recipient": "2 + 1 key",
        "authcrypt unpack, 1 recipient": "2",
        f"authcrypt pack, {many} recipient DIDs": f"{2 * many} + {many} keys",
        f"authcrypt pack, {keyed}": f"{2 * many} + 1 key",
        f"authcrypt unpack, {keyed}": "2",
    }
    for figure in figures[1:]:
        cost = statistics.median(1 / r for r in figure.ratios[RAW])
        print(
            f"{figure.name}: costs {cost:.1f} raw exchanges "
            f"(needs {floors[figure.name]})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
