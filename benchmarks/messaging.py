"""Messaging benchmark: DIDComm authcrypt pack and unpack, as ratios to raw
X25519 key agreement.

Parties are did:key DIDs (Ed25519, with the derived X25519 ``keyAgreement``
key); their DID documents are resolved once, before any clock runs, and
served from memory, so the figures are the cost of packing and unpacking, not
of resolving. In interleaved rounds (``common.interleave``: every case once
per round, in a rotated order), each case works through ``--count`` items it
has not seen before:

- ``raw X25519 exchange``: the reference, ``cryptography``'s X25519
  ``exchange`` between distinct key pairs (one shared secret per item);
- ``authcrypt pack, 1 recipient`` / ``N recipients``:
  ``ssi.messaging.pack_authcrypt`` (ECDH-1PU+A256KW, A256CBC-HS512) of
  distinct messages (fresh id, distinct text) from one sender to one
  recipient, or to ``--recipients`` recipients (default 10) at once;
- ``authcrypt unpack, 1 recipient`` / ``N recipients``:
  ``ssi.messaging.unpack`` of distinct packed messages by one recipient (the
  last one named, for the many-recipient messages), every check included:
  sender key lookup, decryption, the plaintext's ``from``/``to``.

Rates are messages per second; each is also given as a ratio to the raw
X25519 rate of the same round (median and range over the rounds). Packing for
n recipients needs 2n exchanges and one ephemeral key; unpacking needs two.
Before the clocks run, one message of each kind is packed and unpacked and the
result compared with what was sent.

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
from ssi.keys import Ed25519KeyPair, LocalKeyAgreer
from ssi.messaging import Message, pack_authcrypt, unpack

RAW = "raw X25519 exchange (cryptography)"
TYPE = "https://example.org/chat/1.0/message"


class Party:
    """A did:key party and its X25519 key agreer."""

    def __init__(self, seed: int) -> None:
        key = Ed25519KeyPair.from_seed(seed.to_bytes(4, "big") * 8)
        self.did = ssi.did_key(key)
        agreement = key.to_x25519()
        kid = f"{self.did}#{agreement.public_key.export_multikey()}"
        self.agreer = LocalKeyAgreer(agreement, kid)


class Documents:
    """The parties' DID documents, resolved once and served from memory."""

    def __init__(self, parties: Sequence[Party]) -> None:
        self.documents: dict[str, DIDDocument] = {}
        for party in parties:
            document = ssi.resolve(party.did).did_document
            assert document is not None
            self.documents[party.did] = document

    def __call__(self, did: str) -> DIDDocument:
        return self.documents[did]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=500, help="items per case per round"
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--recipients", type=int, default=10)
    args = parser.parse_args(argv)
    many = args.recipients
    sender = Party(900)
    recipients = [Party(901 + n) for n in range(many)]
    resolver = Documents([sender, *recipients])
    serial = iter(range(10**9))

    def message(to: Sequence[Party]) -> Message:
        number = next(serial)
        return Message.new(
            TYPE,
            {"text": f"message {number}: " + "lorem ipsum " * 8},
            from_=sender.did,
            to=[party.did for party in to],
        )

    def pack(to: Sequence[Party]) -> str:
        item = message(to)
        return pack_authcrypt(
            item, sender.agreer, [p.did for p in to], resolver=resolver
        )

    for group in (recipients[:1], recipients):
        sent = message(group)
        packed = pack_authcrypt(
            sent, sender.agreer, [p.did for p in group], resolver=resolver
        )
        opened = unpack(packed, [group[-1].agreer], resolver=resolver)
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

    def pack_case(group: list[Party]) -> Case:
        names = [p.did for p in group]

        def make(n: int) -> list[object]:
            return [message(group) for _ in range(n)]

        def run(items: Sequence[object]) -> None:
            for item in items:
                pack_authcrypt(item, sender.agreer, names, resolver=resolver)  # type: ignore[arg-type]

        label = "1 recipient" if len(group) == 1 else f"{len(group)} recipients"
        return Case(f"authcrypt pack, {label}", make, run, args.count)

    def unpack_case(group: list[Party]) -> Case:
        reader = [group[-1].agreer]

        def make(n: int) -> list[object]:
            return [pack(group) for _ in range(n)]

        def run(items: Sequence[object]) -> None:
            for item in items:
                unpack(item, reader, resolver=resolver)  # type: ignore[arg-type]

        label = "1 recipient" if len(group) == 1 else f"{len(group)} recipients"
        return Case(f"authcrypt unpack, {label}", make, run, args.count)

    one = recipients[:1]
    cases = [
        Case(RAW, make_raw, run_raw, args.count),
        pack_case(one),
        unpack_case(one),
        pack_case(recipients),
        unpack_case(recipients),
    ]
    print(
        f"DIDComm authcrypt (X25519, ECDH-1PU+A256KW, A256CBC-HS512): {args.count} "
        f"distinct messages per case per round, {args.rounds} rounds, "
        f"1 and {many} recipients; round trips checked"
    )
    figures = interleave(cases, args.rounds, [RAW])
    print_figures(figures, {"vs raw X25519": RAW})
    print("ratio = messages per second / raw X25519 exchanges per second, same round")
    needed = {1: "2 + 1 key", many: f"{2 * many} + 1 key"}
    for figure in figures[1:]:
        count = 1 if figure.name.endswith(" 1 recipient") else many
        floor = (
            needed[count]
            if "pack," in figure.name and "unpack" not in figure.name
            else "2"
        )
        cost = statistics.median(1 / r for r in figure.ratios[RAW])
        print(f"{figure.name}: costs {cost:.1f} raw exchanges (needs {floor})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
