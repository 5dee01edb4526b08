"""Signed objects for the store tests: posts, replies, reactions, retractions
and a presentation, by did:key authors from fixed seeds, with fixed times.

They are built like the social layer's objects (docs/vocabulary.md) but by
hand, since the store must not depend on ssi.social.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import ssi
from ssi.credentials import FixedClock, Verifier
from ssi.keys import Ed25519KeyPair

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/agora/v1"]
NOW = datetime(2026, 1, 1, tzinfo=UTC)
CREATED = "2025-01-01T00:00:00Z"
COMMUNITY = "did:example:community-1"
OTHER_COMMUNITY = "did:example:community-2"

KEYS = [Ed25519KeyPair.from_seed(bytes([seed]) * 32) for seed in (11, 12, 13)]
AUTHORS = [ssi.did_key(key) for key in KEYS]


def verifier() -> Verifier:
    """A verifier whose clock is fixed after every object's validFrom."""
    return Verifier(clock=FixedClock(NOW))


def signed(
    author: int,
    kind: str,
    subject: dict[str, Any],
    *,
    number: int,
    valid_from: str = "2025-01-01T00:00:00Z",
) -> dict[str, Any]:
    """A credential of type ``kind`` by ``AUTHORS[author]``, eddsa-jcs-2022."""
    key = KEYS[author]
    return ssi.issue(
        {
            "@context": CONTEXT,
            "id": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
            "type": ["VerifiableCredential", kind],
            "issuer": AUTHORS[author],
            "validFrom": valid_from,
            "credentialSubject": subject,
        },
        ssi.signer(key),
        created=CREATED,
    )


def post(
    author: int,
    number: int,
    *,
    community: str | None = None,
    reply_to: str | None = None,
    valid_from: str = "2025-01-01T00:00:00Z",
    **more: Any,
) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "content": f"post number {number}",
        "mediaType": "text/plain",
        **more,
    }
    if community is not None:
        subject["community"] = community
    if reply_to is not None:
        subject["inReplyTo"] = reply_to
    return signed(author, "Post", subject, number=number, valid_from=valid_from)


def reaction(author: int, number: int, target: str) -> dict[str, Any]:
    return signed(
        author, "Reaction", {"reactsTo": target, "reaction": "endorse"}, number=number
    )


def retraction(author: int, number: int, target: str) -> dict[str, Any]:
    return signed(author, "Retraction", {"retracts": target}, number=number)


def many_posts(count: int, *, offset: int = 0) -> list[str]:
    """``count`` distinct posts by one author, as JSON texts (cheap to ship to
    another process)."""
    import json

    return [
        json.dumps(post(0, number, community=COMMUNITY))
        for number in range(offset, offset + count)
    ]
