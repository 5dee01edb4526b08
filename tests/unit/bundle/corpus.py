"""Deterministic test data for bundles: authors, a community, posts.

Twenty authors: twelve did:key, eight did:agora, four of which rotate their
keys midway through their posts. A did:agora community issues memberships
(with a Bitstring Status List) to four of them and revokes one. Posts are
shaped like vocab.md's Post (type ``["VerifiableCredential", "Post"]``,
Agora context, ``eddsa-jcs-2022``, so no JSON-LD processing is needed), built
here because the social module's Post builder is written elsewhere.

Keys come from fixed seeds, times are fixed, so every run builds the same
bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import ssi
from ssi.agora import (
    create_entry,
    rotate_entry,
    signing_document,
    validate_log,
)
from ssi.bundle import MemoryLogSource
from ssi.bundle.pack import pack
from ssi.credentials import FixedClock
from ssi.datetimes import format_date_time
from ssi.keys import Ed25519KeyPair, LocalSigner
from ssi.social import AGORA_CONTEXT, membership_credential
from ssi.status import (
    MemoryStatusSource,
    StatusList,
    build_status_entry,
    build_status_list_credential,
)
from ssi.types import JsonObject

T0 = datetime(2025, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 6, 1, tzinfo=UTC)
CLOCK = FixedClock(NOW)
ROTATION = T0 + timedelta(days=30)
LIST_URL = "https://community.example/status/1"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"

AUTHORS = 20
AGORA_AUTHORS = range(12, 20)
ROTATING = range(16, 20)
MEMBERS = (1, 13, 17, 7)
REVOKED = 7
"""The member whose membership the community revoked."""


def key(seed: int) -> Ed25519KeyPair:
    return Ed25519KeyPair.from_seed(seed.to_bytes(2, "big") * 16)


def when(days: float) -> datetime:
    return T0 + timedelta(days=days)


@dataclass
class Identity:
    """A DID, its log (did:agora) and the signers by period."""

    did: str
    log: list[JsonObject] = field(default_factory=list)
    signers: list[tuple[datetime, LocalSigner]] = field(default_factory=list)

    def signer_at(self, moment: datetime) -> LocalSigner:
        chosen = self.signers[0][1]
        for start, signer in self.signers:
            if start <= moment:
                chosen = signer
        return chosen


def did_key_identity(seed: int) -> Identity:
    pair = key(seed)
    signer = ssi.signer(pair)
    return Identity(ssi.did_key(pair), signers=[(T0 - timedelta(days=1), signer)])


def agora_identity(seed: int, *, rotate: bool) -> Identity:
    update, nxt, after = key(seed + 1000), key(seed + 2000), key(seed + 3000)
    signing, signing2 = key(seed + 4000), key(seed + 5000)
    created = T0 - timedelta(days=1)
    did, first = create_entry(
        update, [nxt.public_key], signing_document(signing.public_key), when=created
    )
    identity = Identity(did, [first], [(created, LocalSigner(signing, f"{did}#key-1"))])
    if rotate:
        log = validate_log(identity.log, did=did)
        entry = rotate_entry(
            log,
            nxt,
            [after.public_key],
            signing_document(signing2.public_key, fragment="key-2"),
            when=ROTATION,
        )
        identity.log.append(entry)
        identity.signers.append((ROTATION, LocalSigner(signing2, f"{did}#key-2")))
    return identity


def post(
    author: Identity,
    number: int,
    moment: datetime,
    *,
    community: str | None = None,
    content: str | None = None,
) -> JsonObject:
    subject: JsonObject = {
        "content": content or f"post {number} by {author.did[-8:]}: hello agora",
        "mediaType": "text/plain",
        "tags": ["test", f"n{number % 7}"],
    }
    if community is not None:
        subject["community"] = community
    credential: JsonObject = {
        "@context": [VC_CONTEXT, AGORA_CONTEXT],
        "type": ["VerifiableCredential", "Post"],
        "issuer": author.did,
        "validFrom": format_date_time(moment),
        "credentialSubject": subject,
    }
    return ssi.issue(
        credential,
        author.signer_at(moment),
        suite="eddsa-jcs-2022",
        created=format_date_time(moment),
    )


@dataclass
class Corpus:
    """Everything the bundle tests use, built once per session."""

    authors: list[Identity]
    community: Identity
    ghost: Identity
    posts: list[JsonObject]
    status_list: JsonObject
    memberships: list[JsonObject]
    revoked_post: JsonObject
    ghost_post: JsonObject

    def logs(self, *, with_ghost: bool = False) -> MemoryLogSource:
        source = MemoryLogSource()
        for identity in [*self.authors, self.community]:
            if identity.log:
                source.add(identity.did, identity.log)
        if with_ghost:
            source.add(self.ghost.did, self.ghost.log)
        return source

    def lists(self) -> MemoryStatusSource:
        return MemoryStatusSource({LIST_URL: self.status_list})

    def bundle(self, posts: list[JsonObject] | None = None, **options: Any) -> bytes:
        out = io.BytesIO()
        pack(
            self.posts if posts is None else posts,
            out,
            logs=options.pop("logs", self.logs()),
            status_lists=self.lists(),
            memberships=self.memberships,
            **options,
        )
        return out.getvalue()


def build_corpus(posts_per_author: int = 50) -> Corpus:
    authors = [
        agora_identity(n, rotate=n in ROTATING)
        if n in AGORA_AUTHORS
        else did_key_identity(n)
        for n in range(AUTHORS)
    ]
    community = agora_identity(900, rotate=False)
    ghost = agora_identity(901, rotate=False)
    status = StatusList()
    memberships = []
    for index, member in enumerate(MEMBERS):
        unsigned = membership_credential(
            community.did,
            authors[member].did,
            valid_from=T0 - timedelta(hours=12),
            status=build_status_entry(LIST_URL, index),
        )
        memberships.append(
            ssi.issue(
                unsigned,
                community.signer_at(T0),
                created=format_date_time(T0 - timedelta(hours=12)),
            )
        )
        if member == REVOKED:
            status.set(index, 1)
    status_list = ssi.issue(
        build_status_list_credential(
            LIST_URL, community.did, status, valid_from=T0 - timedelta(hours=6)
        ),
        community.signer_at(T0),
        created=format_date_time(T0 - timedelta(hours=6)),
    )
    posts = []
    for number in range(posts_per_author * AUTHORS):
        author = number % AUTHORS
        moment = when(60 * (number // AUTHORS) / posts_per_author + author / 1000)
        in_community = author in MEMBERS and author != REVOKED and number % 3 == 0
        posts.append(
            post(
                authors[author],
                number,
                moment,
                community=community.did if in_community else None,
            )
        )
    revoked_post = post(authors[REVOKED], 10_001, when(45), community=community.did)
    ghost_post = post(ghost, 10_002, when(46))
    return Corpus(
        authors,
        community,
        ghost,
        posts,
        status_list,
        memberships,
        revoked_post,
        ghost_post,
    )


def lines_of(bundle: bytes) -> Iterator[bytes]:
    yield from bundle.split(b"\n")
