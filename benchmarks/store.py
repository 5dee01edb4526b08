"""Object store benchmark: objects stored per second, as a ratio to raw Ed25519.

Figures, measured in interleaved rounds (``common.interleave``), each round
over posts no earlier round stored (distinct ids and contents, five did:key
authors, eddsa-jcs-2022, a community and, for half of them, a reply target),
in batches of ``--batch`` objects, one transaction each, into an SQLite store
(WAL, ``synchronous=FULL``) in a temporary folder:

- ``store insert``: what ``SQLiteStore.add`` does besides verification:
  read each object (strict JSON checks, JCS bytes, CID), index it by the
  generic rules, look up which are present, insert in one transaction and
  commit. Verification is excluded: the objects were verified before the
  clock starts (the store's private ``_present``/``_insert`` steps are called
  directly; no public call stores an unverified object);
- ``store add``: the whole ``add``, verification included (one process);
- ``raw Ed25519 verify``: the reference, raw verification with
  ``cryptography`` and PyNaCl of distinct keys and messages.

Each ratio is the figure's rate over the raw ``cryptography`` rate of the same
round. A store that costs as much as one signature check per object would
show 1.0 for ``store insert``; the higher, the smaller the store's share.

Run with ``python benchmarks/store.py`` (``--count``, ``--rounds``, ``--batch``).
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import Case, interleave, print_figures, raw_cases

import ssi
from ssi.cid import object_cid
from ssi.credentials import FixedClock, Verifier
from ssi.keys import Ed25519KeyPair
from ssi.store import SQLiteStore, index_object
from ssi.store.intake import VerifiedObject, read_object

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CREATED = "2025-01-02T00:00:00Z"
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/agora/v1"]
KEYS = [Ed25519KeyPair.from_seed(bytes([seed]) * 32) for seed in range(40, 45)]
DIDS = [ssi.did_key(key) for key in KEYS]
SIGNERS = [ssi.signer(key) for key in KEYS]
_numbers = itertools.count()


def posts(count: int) -> list[dict[str, Any]]:
    """``count`` distinct signed posts; every other one replies to the one before."""
    documents: list[dict[str, Any]] = []
    for _ in range(count):
        number = next(_numbers)
        author = number % len(KEYS)
        subject: dict[str, Any] = {
            "content": f"Post number {number}: a few words about the meeting.",
            "mediaType": "text/plain",
            "community": "did:example:community",
            "tags": ["meeting", f"topic-{number % 17}"],
        }
        if documents and number % 2:
            subject["inReplyTo"] = object_cid(documents[-1])
        documents.append(
            ssi.issue(
                {
                    "@context": CONTEXT,
                    "id": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
                    "type": ["VerifiableCredential", "Post"],
                    "issuer": DIDS[author],
                    "validFrom": "2025-01-01T00:00:00Z",
                    "credentialSubject": subject,
                },
                SIGNERS[author],
                created=CREATED,
            )
        )
    return documents


def main() -> None:
    """Run the interleaved rounds and print medians, ranges and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="objects per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=500, help="objects per add")
    options = parser.parse_args()
    verifier = Verifier(clock=FixedClock(NOW))

    with tempfile.TemporaryDirectory() as folder:
        insert_store = SQLiteStore(Path(folder) / "insert.sqlite")
        add_store = SQLiteStore(Path(folder) / "add.sqlite")

        def run_insert(items: Sequence[object]) -> None:
            for start in range(0, len(items), options.batch):
                prepared = []
                for document in items[start : start + options.batch]:
                    parsed, cid, data = read_object(document)  # type: ignore[arg-type]
                    prepared.append(VerifiedObject(cid, data, index_object(parsed)))
                insert_store._present([item.cid for item in prepared])
                stored = insert_store._insert(prepared)
                if len(stored) != len(prepared):
                    raise SystemExit("a benchmark object was not new")

        def run_add(items: Sequence[object]) -> None:
            for start in range(0, len(items), options.batch):
                batch = list(items[start : start + options.batch])
                results = add_store.add(batch, verifier=verifier)
                if any(result.outcome != "stored" for result in results):
                    raise SystemExit("a benchmark object was not stored")

        cases = [
            *raw_cases(options.count),
            Case(
                "store insert (verification excluded)", posts, run_insert, options.count
            ),
            Case("store add (verification included)", posts, run_add, options.count),
        ]
        reference = "raw Ed25519 verify (cryptography)"
        figures = interleave(cases, options.rounds, [reference])
        print(
            f"object store (SQLite), {options.count} distinct posts per round, "
            f"batches of {options.batch}, {options.rounds} interleaved rounds"
        )
        print_figures(figures, {"x raw verify": reference})
        insert_store.close()
        add_store.close()


if __name__ == "__main__":
    main()
