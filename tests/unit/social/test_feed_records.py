"""Feed records (docs/objects.md, Feed records): a feed built from the records
that ``FEED_RECORDS`` derives is the feed built from the objects themselves,
over random object sets, and ``store_feed`` gives it whether the store holds
records for all, some or none of its objects."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ssi
from ssi.cid import object_cid
from ssi.credentials import FixedClock, Verifier
from ssi.credentials.model import parse_credential
from ssi.errors import MalformedValueError, StoreCorruptedError
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    FEED_RECORDS,
    Attachment,
    Post,
    Reaction,
    Retraction,
    build_feed,
    build_feed_from_records,
    feed_record,
    post_credential,
    reaction_credential,
    read_post,
    read_reaction,
    read_retraction,
    retraction_credential,
    store_feed,
    timeline,
)
from ssi.store import ParsedDeriver, SQLiteStore, index_object

KEYS = [Ed25519KeyPair.from_seed(bytes([seed]) * 32) for seed in (61, 62, 63)]
AUTHORS = [ssi.did_key(key) for key in KEYS]
T0 = datetime(2026, 1, 1, tzinfo=UTC)
COMMUNITIES = ("did:example:one", "did:example:two")
EMOJI = ("\U0001f44d", "\U0001f389", "\u2764", "\U0001f469\u200d\U0001f52c")


class Draws:
    """Reproducible draws from BLAKE2b of a seed and a counter (a fixed mix,
    not secrets)."""

    def __init__(self, seed: int) -> None:
        self.seed, self.drawn = seed, 0

    def random(self) -> float:
        """A number in [0, 1)."""
        self.drawn += 1
        text = f"{self.seed}:{self.drawn}".encode()
        digest = hashlib.blake2b(text, digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

    def randrange(self, stop: int, start: int = 0) -> int:
        """A number in [start, stop)."""
        return start + int(self.random() * (stop - start))

    def choice(self, items: Any) -> Any:
        """One of ``items``."""
        return items[self.randrange(len(items))]


def _time(r: Draws, number: int) -> datetime:
    """Mostly whole seconds, some milliseconds, some microseconds, some ties."""
    roll = r.random()
    if roll < 0.15:
        return T0  # ties are broken by CID
    moment = T0 + timedelta(seconds=number * 7 + r.randrange(20))
    if roll < 0.4:
        moment += timedelta(milliseconds=r.randrange(1000, 1))
    elif roll < 0.6:
        moment += timedelta(microseconds=r.randrange(1_000_000, 1))
    return moment


def _malformed(r: Draws, author: str, moment: datetime) -> dict[str, Any]:
    credential = post_credential(author, "soon broken", published=moment)
    subject = credential["credentialSubject"]
    match r.randrange(4):
        case 0:
            subject["content"] = ""
        case 1:
            subject["mediaType"] = "text/html"
        case 2:
            subject["inReplyTo"] = "not a cid"
        case _:
            credential["type"] = ["VerifiableCredential", "Post", "Reaction"]
    return credential


def random_objects(seed: int, count: int) -> list[dict[str, Any]]:
    """Posts, replies, edits (by the author and by others, of edits too),
    retractions (by the author and others), reactions (repeated, to posts,
    to reactions, to unknown objects), malformed posts, replies to unknown
    posts and objects of another type; unsigned (readers do not check
    proofs)."""
    r = Draws(seed)
    made: list[dict[str, Any]] = []
    posts: list[tuple[str, int]] = []
    for number in range(count):
        who = r.randrange(len(AUTHORS))
        author = AUTHORS[who]
        moment = _time(r, number)
        unknown = object_cid({"missing": r.randrange(3)})
        known = [object_cid(item) for item in made]
        roll = r.random()
        if not posts or roll < 0.25:
            options: dict[str, Any] = {}
            if r.random() < 0.3:
                options["community"] = r.choice(COMMUNITIES)
            if r.random() < 0.3:
                options["tags"] = sorted({f"t{r.randrange(5)}" for _ in range(2)})
            if r.random() < 0.2:
                options["mentions"] = [r.choice(AUTHORS)]
            if r.random() < 0.2:
                options["attachments"] = [
                    Attachment.of(b"x" * number, media_type="image/png", name="x.png")
                ]
            if r.random() < 0.2:
                options["language"] = "en"
            credential = post_credential(
                author,
                f"post {number} \u00e9",
                media_type=r.choice(("text/plain", "text/markdown")),
                published=moment,
                **options,
            )
            if r.random() < 0.2:
                credential["id"] = f"urn:uuid:00000000-0000-4000-8000-{number:012d}"
        elif roll < 0.45:
            target = r.choice([*(cid for cid, _ in posts), unknown, *known[-2:]])
            credential = post_credential(
                author, f"reply {number}", in_reply_to=target, published=moment
            )
        elif roll < 0.6:
            cid, owner = r.choice(posts)
            if r.random() < 0.7:
                author = AUTHORS[owner]
            target = r.choice((cid, cid, unknown, *known[-1:]))
            credential = post_credential(
                author,
                f"edit {number}",
                replaces=target,
                community=r.choice((None, *COMMUNITIES)),
                published=moment,
            )
        elif roll < 0.7:
            cid, owner = r.choice(posts)
            if r.random() < 0.7:
                author = AUTHORS[owner]
            target = r.choice((cid, cid, unknown, *known[-1:]))
            credential = retraction_credential(author, target, published=moment)
        elif roll < 0.9:
            target = r.choice([*(cid for cid, _ in posts), unknown, *known[-3:]])
            value = r.choice(("endorse", "disagree", "emoji"))
            credential = reaction_credential(
                author,
                target,
                value,
                emoji=r.choice(EMOJI) if value == "emoji" else None,
                published=moment,
            )
        elif roll < 0.96:
            credential = _malformed(r, author, moment)
        else:
            credential = {
                **post_credential(author, "other", published=moment),
                "type": ["VerifiableCredential", "Vote"],
            }
        if moment.microsecond % 1000:
            # The builders write milliseconds; validFrom may carry more.
            credential["validFrom"] = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if credential["type"][-1] == "Post" and "content" in credential.get(
            "credentialSubject", {}
        ):
            try:
                read_post(credential)
                posts.append((object_cid(credential), AUTHORS.index(author)))
            except ssi.SSIError:
                pass
        made.append(credential)
    return made


def stored_records(objects: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Each object's feed record, through JSON as a store keeps it."""
    return [
        (object_cid(item), json.loads(json.dumps(FEED_RECORDS(item))))
        for item in objects
    ]


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 60))
def test_the_feed_of_records_is_the_feed_of_the_objects(seed: int, count: int):
    objects = random_objects(seed, count)
    pairs = [(object_cid(item), item) for item in objects]
    expected = build_feed(pairs)
    got = build_feed_from_records(stored_records(objects))
    assert got == expected
    assert got.to_json() == expected.to_json()


def test_the_random_sets_cover_every_rule():
    """The generator reaches every reason and every shape the feed has."""
    reasons: set[str] = set()
    edited = retracted = orphans = replies = 0
    for seed in range(40):
        feed = build_feed(
            [(object_cid(item), item) for item in random_objects(seed, 60)]
        )
        reasons.update(item.reason for item in feed.ignored)
        edited += sum(1 for entry in feed.entries if entry.edits)
        retracted += sum(1 for entry in feed.entries if entry.retracted)
        orphans += len(feed.orphans)
        replies += sum(1 for entry in feed.entries if entry.depth)
    assert reasons >= {
        "malformed",
        "unsupportedType",
        "unknownTarget",
        "notAPost",
        "notAuthor",
        "superseded",
    }
    assert edited
    assert retracted
    assert orphans
    assert replies


def test_records_rebuild_the_values_the_readers_read():
    post = post_credential(
        AUTHORS[0],
        "hello",
        media_type="text/markdown",
        language="pt-BR",
        community=COMMUNITIES[0],
        tags=["a", "b"],
        mentions=[AUTHORS[1]],
        attachments=[Attachment.of(b"data", media_type="text/csv")],
        in_reply_to=object_cid({"a": 1}),
        published=T0,
    )
    post["id"] = "urn:example:post"
    post["validFrom"] = "2026-01-01T00:00:00.123456Z"
    record = feed_record(post)
    assert record["published"] == "2026-01-01T00:00:00.123456Z"
    assert Post.from_record(record) == read_post(post)  # type: ignore[arg-type]
    retraction = retraction_credential(
        AUTHORS[0], object_cid(post), published=T0 + timedelta(milliseconds=5)
    )
    record = feed_record(retraction)
    assert record["published"] == "2026-01-01T00:00:00.005Z"
    assert Retraction.from_record(record) == read_retraction(retraction)  # type: ignore[arg-type]
    reaction = reaction_credential(
        AUTHORS[1], object_cid(post), "emoji", emoji=EMOJI[3], published=T0
    )
    assert Reaction.from_record(feed_record(reaction)) == read_reaction(reaction)  # type: ignore[arg-type]


def test_records_of_objects_the_feed_ignores():
    vote = {
        **post_credential(AUTHORS[0], "other", published=T0),
        "type": ["VerifiableCredential", "Vote"],
    }
    assert feed_record(vote)["ignored"] == "unsupportedType"
    broken = _malformed(Draws(0), AUTHORS[0], T0)
    record = feed_record(broken)
    assert record["ignored"] == "malformed"
    assert record["detail"]
    assert feed_record("not an object")["ignored"] == "malformed"


@pytest.mark.parametrize(
    "record",
    [
        None,
        "Post",
        {},
        {"type": "Post"},
        {"type": "Post", "author": "x", "published": "yesterday"},
        {"ignored": "superseded", "detail": "only reading is recorded"},
        {"ignored": "malformed", "detail": 3},
    ],
)
def test_a_value_that_is_not_a_record_is_refused(record):
    with pytest.raises(MalformedValueError):
        build_feed_from_records([(object_cid({"n": 1}), record)])


# --- store_feed over records --------------------------------------------------------


def _sign(credential: dict[str, Any]) -> dict[str, Any]:
    author = AUTHORS.index(credential["issuer"])
    return ssi.issue(
        credential, ssi.signer(KEYS[author]), created="2026-01-01T00:00:00Z"
    )


@pytest.fixture(scope="module")
def signed_pool() -> list[dict[str, Any]]:
    """Random objects, signed, in the order they were made."""
    return [_sign(item) for seed in (3, 4) for item in random_objects(seed, 30)]


def _social(objects: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """The objects a store lists under a social type, as build_feed takes them
    (store_feed reads only those: a Vote is not in its set at all)."""
    return [
        (object_cid(item), item)
        for item in objects
        if set(index_object(item).types) & set(timeline.SOCIAL_TYPES)
    ]


def _verifier() -> Verifier:
    return Verifier(clock=FixedClock(T0 + timedelta(days=30)))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_store_feed_equals_build_feed_with_and_without_records(
    signed_pool, tmp_path_factory, data
):
    chosen = [
        item
        for item in signed_pool
        if data.draw(st.booleans(), label=f"include {object_cid(item)[-6:]}")
    ]
    with_records = data.draw(
        st.lists(st.booleans(), min_size=len(chosen), max_size=len(chosen))
    )
    one_by_one = data.draw(st.sampled_from((0, 200)), label="fetch one by one")
    folder = tmp_path_factory.mktemp("store")
    with SQLiteStore(folder / "store.sqlite") as store:
        for item, derive in zip(chosen, with_records, strict=True):
            result = store.add(
                [item], verifier=_verifier(), derive=FEED_RECORDS if derive else None
            )
            assert result[0].outcome == "stored"
        expected = build_feed(_social(chosen))
        original = timeline._FETCH_ONE_BY_ONE
        timeline._FETCH_ONE_BY_ONE = one_by_one
        try:
            got = store_feed(store)
        finally:
            timeline._FETCH_ONE_BY_ONE = original
        assert got == expected
        assert got.to_json() == expected.to_json()


def test_store_feed_reads_records_not_documents(signed_pool, tmp_path: Path):
    """With a record for every object, no document is read."""
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        store.add(signed_pool, verifier=_verifier(), derive=FEED_RECORDS)
        expected = build_feed(_social(signed_pool))

        def no_documents(*args: object, **kwargs: object) -> None:
            raise AssertionError("a document was read")

        store.get = no_documents  # type: ignore[method-assign]
        store.query = no_documents  # type: ignore[method-assign]
        assert store_feed(store).to_json() == expected.to_json()


def test_a_damaged_record_is_a_store_error(signed_pool, tmp_path: Path):
    path = tmp_path / "store.sqlite"
    with SQLiteStore(path) as store:
        store.add(signed_pool[:3], verifier=_verifier(), derive=FEED_RECORDS)
        connection = store._connection
        assert connection is not None
        connection.execute('UPDATE derived SET record = \'{"type": "Post"}\'')
        with pytest.raises(StoreCorruptedError):
            store_feed(store)


def test_building_pauses_the_collector_and_restores_it():
    import gc

    objects = random_objects(7, 10)
    assert gc.isenabled()
    build_feed([(object_cid(item), item) for item in objects])
    assert gc.isenabled()
    with pytest.raises(MalformedValueError):
        build_feed_from_records([(object_cid(objects[0]), "not a record")])
    assert gc.isenabled()
    gc.disable()
    try:
        build_feed_from_records(stored_records(objects))
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "valid_from",
    [
        "0999-01-01T00:00:00.123456Z",
        "2026-01-01T00:00:00.000001Z",
        "9999-12-31T23:59:59Z",
    ],
)
def test_record_times_come_back_exactly(valid_from):
    credential = post_credential(AUTHORS[0], "x", published=T0)
    credential["validFrom"] = valid_from
    record = json.loads(json.dumps(feed_record(credential)))
    assert Post.from_record(record).published == read_post(credential).published


def test_a_record_from_the_parsed_summary_is_the_same():
    """``feed_record(doc, parsed=...)`` (what the store's ``derive_parsed``
    does with what verification parsed) gives the record ``feed_record(doc)``
    gives; a summary of another object is not used."""
    post = post_credential(
        AUTHORS[0], "hi", community=COMMUNITIES[0], tags=["x"], published=T0
    )
    retraction = retraction_credential(AUTHORS[0], object_cid(post), published=T0)
    reaction = reaction_credential(
        AUTHORS[1], object_cid(post), "emoji", emoji=EMOJI[3], published=T0
    )
    vote = {**post, "type": ["VerifiableCredential", "Vote"]}
    for document in (post, retraction, reaction, vote):
        parsed = parse_credential(document)
        assert feed_record(document, parsed=parsed) == feed_record(document)
        assert FEED_RECORDS.derive_parsed(document, parsed) == feed_record(document)
    other = parse_credential(reaction)
    assert feed_record(post, parsed=other) == feed_record(post)
    assert isinstance(FEED_RECORDS, ParsedDeriver)
