"""The ObjectStore contract, run against every backend (see conftest.py).

What must hold for any backend: only verified objects go in, each once under
its CID; every index and filter combination answers what the generic rules
say; cursors page without repeats or gaps, even while another writer adds;
bad input and bad cursors get errors with codes.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

import ssi
from ssi.cid import blob_cid, object_cid
from ssi.errors import InvalidCIDError, InvalidCursorError, StoreError
from ssi.store import MAX_LIMIT, ObjectStore, Page, StoredObject

from .objects import (
    AUTHORS,
    COMMUNITY,
    KEYS,
    OTHER_COMMUNITY,
    many_posts,
    post,
    reaction,
    retraction,
    verifier,
)

BLOB = blob_cid(b"a picture")


def _corpus() -> dict[str, dict[str, Any]]:
    p0 = post(0, 1, community=COMMUNITY, valid_from="2025-01-01T00:00:00Z")
    p1 = post(1, 2, community=COMMUNITY, valid_from="2025-02-01T00:00:00Z")
    p2 = post(0, 3, community=OTHER_COMMUNITY, valid_from="2025-03-01T00:00:00Z")
    r0 = post(
        1,
        4,
        community=COMMUNITY,
        reply_to=object_cid(p0),
        valid_from="2025-04-01T00:00:00Z",
    )
    r1 = post(
        2,
        5,
        reply_to=object_cid(p0),
        valid_from="2025-05-01T00:00:00Z",
        attachments=[{"cid": BLOB, "mediaType": "image/png", "size": 9}],
        replaces=object_cid(p1),
    )
    x0 = reaction(2, 6, object_cid(p1))
    t0 = retraction(0, 7, object_cid(p2))
    vp = ssi.present(
        [p1],
        ssi.signer(KEYS[1]),
        presentation_id="urn:uuid:vp-1",
        created="2025-06-01T00:00:00Z",
    )
    return {
        "p0": p0,
        "p1": p1,
        "p2": p2,
        "r0": r0,
        "r1": r1,
        "x0": x0,
        "t0": t0,
        "vp": vp,
    }


CORPUS = _corpus()
CID = {name: object_cid(document) for name, document in CORPUS.items()}
NAME = {cid: name for name, cid in CID.items()}


@pytest.fixture
def full(store: ObjectStore) -> ObjectStore:
    results = store.add(list(CORPUS.values()), verifier=verifier())
    assert [r.outcome for r in results] == ["stored"] * len(CORPUS), results
    return store


def names(page: Page | list[StoredObject] | tuple[StoredObject, ...]) -> list[str]:
    items = page.items if isinstance(page, Page) else page
    return [NAME[item.cid] for item in items]


# --- Adding: only verified objects, each once ------------------------------------


def test_add_stores_and_get_returns_the_same_object(store):
    results = store.add([CORPUS["p0"]], verifier=verifier())
    assert results[0].cid == CID["p0"]
    assert results[0].outcome == "stored"
    assert results[0].problems == ()
    found = store.get(CID["p0"])
    assert found is not None
    assert found.document == CORPUS["p0"]
    assert object_cid(found.document) == CID["p0"]
    assert found.cid == CID["p0"]


def test_adding_again_is_a_no_op_reported_present(full):
    before = full.get(CID["r0"])
    text = json.dumps(CORPUS["r0"], indent=4, sort_keys=True)  # other bytes, same JCS
    results = full.add([CORPUS["r0"], text.encode()], verifier=verifier())
    assert [(r.cid, r.outcome) for r in results] == [(CID["r0"], "present")] * 2
    assert full.count() == len(CORPUS)
    assert full.get(CID["r0"]) == before


def test_a_repeat_within_one_batch_is_stored_once(store):
    text = json.dumps(CORPUS["p1"])
    results = store.add([CORPUS["p1"], text, CORPUS["p0"], text], verifier=verifier())
    assert [r.outcome for r in results] == ["stored", "present", "stored", "present"]
    assert store.count() == 2


def _tampered() -> dict[str, Any]:
    document = copy.deepcopy(CORPUS["p0"])
    document["credentialSubject"]["content"] = "I never wrote this"
    return document


def _wrong_signer() -> dict[str, Any]:
    # Signed by author 1's key but naming author 0 as issuer.
    document = copy.deepcopy(CORPUS["p1"])
    document["issuer"] = AUTHORS[0]
    return document


def _expired() -> dict[str, Any]:
    return ssi.issue(
        {
            "@context": CORPUS["p0"]["@context"],
            "type": ["VerifiableCredential", "Post"],
            "issuer": AUTHORS[0],
            "validFrom": "2024-01-01T00:00:00Z",
            "validUntil": "2024-06-01T00:00:00Z",
            "credentialSubject": {"content": "old", "mediaType": "text/plain"},
        },
        ssi.signer(KEYS[0]),
        created="2024-01-01T00:00:00Z",
    )


REJECTED = [
    ("tampered", _tampered, "PROOF_VERIFICATION_ERROR", True),
    ("wrong signer", _wrong_signer, None, True),
    ("expired", _expired, "RANGE_ERROR", True),
    (
        "unsigned",
        lambda: {k: v for k, v in CORPUS["p0"].items() if k != "proof"},
        None,
        True,
    ),
    ("not JSON", lambda: '{"type": ', "PARSING_ERROR", False),
    ("an array", lambda: json.dumps([CORPUS["p0"]]), "PARSING_ERROR", False),
    ("a number", lambda: 42, "PARSING_ERROR", False),
    ("not UTF-8", lambda: b'{"a": "\xff"}', "PARSING_ERROR", False),
    ("repeated key", lambda: '{"a": 1, "a": 2}', "PARSING_ERROR", False),
    ("deep", lambda: "[" * 5000 + "]" * 5000, "PARSING_ERROR", False),
    ("not JSON values", lambda: {"type": {1, 2}}, "PARSING_ERROR", False),
    (
        "huge integer",
        lambda: {"n": 2**60, "type": ["VerifiableCredential"]},
        None,
        False,
    ),
]


@pytest.mark.parametrize(
    ("make", "code", "has_cid"),
    [case[1:] for case in REJECTED],
    ids=[case[0] for case in REJECTED],
)
def test_what_does_not_verify_is_rejected_and_not_stored(store, make, code, has_cid):
    bad = make()
    results = store.add([CORPUS["p0"], bad, CORPUS["p1"]], verifier=verifier())
    assert [r.outcome for r in results] == ["stored", "rejected", "stored"]
    rejected = results[1]
    assert rejected.problems, rejected
    assert all(p.error.code for p in rejected.problems)
    if code is not None:
        assert code in {p.code for p in rejected.problems} | {
            p.error.code for p in rejected.problems
        }
    assert (rejected.cid is not None) == has_cid
    if rejected.cid is not None:
        assert store.get(rejected.cid) is None
    assert store.count() == 2
    assert {item.cid for item in store.query().items} == {CID["p0"], CID["p1"]}


def test_a_rejected_repeat_is_rejected_each_time(store):
    bad = _tampered()
    results = store.add([bad, json.dumps(bad)], verifier=verifier())
    assert [r.outcome for r in results] == ["rejected", "rejected"]
    assert results[0].cid == results[1].cid == object_cid(bad)
    assert store.count() == 0


def test_add_needs_a_verifier(store):
    with pytest.raises(TypeError):
        store.add([CORPUS["p0"]], verifier=None)
    assert store.count() == 0


def test_add_passes_the_executor_to_verify_many(store):
    documents = [json.loads(text) for text in many_posts(40, offset=900)]
    documents.append(_tampered())
    with ThreadPoolExecutor(2) as pool:
        results = store.add(documents, verifier=verifier(), executor=pool)
    assert [r.outcome for r in results] == ["stored"] * 40 + ["rejected"]
    assert store.count() == 40


def test_results_are_json(store):
    results = store.add([CORPUS["p0"], "nope"], verifier=verifier())
    assert results[0].to_json() == {
        "cid": CID["p0"],
        "outcome": "stored",
        "problems": [],
    }
    body = results[1].to_json()
    assert body["cid"] is None
    assert body["outcome"] == "rejected"
    assert body["problems"][0]["check"] == "parsing"
    assert body["problems"][0]["errorCode"] == "PARSING_ERROR"


def test_sequence_numbers_grow_with_insertion(store):
    store.add([CORPUS["p2"], CORPUS["p0"]], verifier=verifier())
    store.add([CORPUS["p1"]], verifier=verifier())
    seqs = [store.get(CID[name]).seq for name in ("p2", "p0", "p1")]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 3


# --- Indexes ---------------------------------------------------------------------


def test_index_entries_follow_the_generic_rules(full):
    reply = full.get(CID["r1"])
    assert reply is not None
    assert reply.types == ("Post",)
    assert reply.author == AUTHORS[2]
    assert reply.community is None
    assert reply.reply_to == CID["p0"]
    assert set(reply.refers_to) == {CID["p0"], CID["p1"], BLOB}
    assert reply.time == datetime(2025, 5, 1, tzinfo=UTC)
    first = full.get(CID["p0"])
    assert first is not None
    assert (first.community, first.reply_to, first.refers_to) == (COMMUNITY, None, ())
    presentation = full.get(CID["vp"])
    assert presentation is not None
    assert presentation.author == AUTHORS[1]
    assert presentation.types == ()
    assert presentation.time == datetime(2025, 6, 1, tzinfo=UTC)
    body = reply.to_json()
    assert body["replyTo"] == CID["p0"]
    assert body["time"] == "2025-05-01T00:00:00Z"
    assert body["document"] == CORPUS["r1"]


FILTERS = [
    ({}, ["p0", "p1", "p2", "r0", "r1", "x0", "t0", "vp"]),
    ({"type": "Post"}, ["p0", "p1", "p2", "r0", "r1"]),
    ({"type": "Reaction"}, ["x0"]),
    ({"type": "Retraction"}, ["t0"]),
    ({"type": "VerifiableCredential"}, []),
    ({"author": AUTHORS[0]}, ["p0", "p2", "t0"]),
    ({"author": AUTHORS[1]}, ["p1", "r0", "vp"]),
    ({"community": COMMUNITY}, ["p0", "p1", "r0"]),
    ({"community": OTHER_COMMUNITY}, ["p2"]),
    ({"reply_to": CID["p0"]}, ["r0", "r1"]),
    ({"refers_to": CID["p0"]}, ["r0", "r1"]),
    ({"refers_to": CID["p1"]}, ["r1", "x0"]),
    ({"refers_to": CID["p2"]}, ["t0"]),
    ({"refers_to": BLOB}, ["r1"]),
    ({"since": datetime(2025, 2, 1, tzinfo=UTC)}, ["p1", "p2", "r0", "r1", "vp"]),
    ({"until": datetime(2025, 2, 1, tzinfo=UTC)}, ["p0", "x0", "t0"]),
    (
        {
            "since": datetime(2025, 2, 1, tzinfo=UTC),
            "until": datetime(2025, 4, 1, tzinfo=UTC),
        },
        ["p1", "p2"],
    ),
    ({"type": "Post", "author": AUTHORS[0]}, ["p0", "p2"]),
    ({"type": "Post", "community": COMMUNITY, "author": AUTHORS[1]}, ["p1", "r0"]),
    ({"type": "Post", "reply_to": CID["p0"], "author": AUTHORS[2]}, ["r1"]),
    ({"refers_to": CID["p0"], "community": COMMUNITY}, ["r0"]),
    ({"type": "Post", "refers_to": CID["p1"]}, ["r1"]),
    (
        {
            "type": "Post",
            "community": COMMUNITY,
            "since": datetime(2025, 1, 15, 12, tzinfo=UTC),
        },
        ["p1", "r0"],
    ),
    ({"author": AUTHORS[0], "community": OTHER_COMMUNITY, "type": "Reaction"}, []),
    ({"author": "did:example:nobody"}, []),
]


@pytest.mark.parametrize(("filters", "expected"), FILTERS)
def test_each_filter_and_combination(full, filters, expected):
    assert names(full.query(**filters)) == expected
    assert full.count(**filters) == len(expected)


def test_times_in_other_zones_mean_the_same_instant(full):
    from datetime import timedelta, timezone

    paris = timezone(timedelta(hours=1))
    since = datetime(2025, 2, 1, 1, tzinfo=paris)  # 2025-02-01T00:00Z
    assert names(full.query(since=since, type="Post")) == ["p1", "p2", "r0", "r1"]


# --- Paging and cursors ------------------------------------------------------------


def test_paging_visits_every_object_once_in_order(full):
    seen: list[StoredObject] = []
    cursor = None
    pages = 0
    while True:
        page = full.query(limit=3, cursor=cursor)
        pages += 1
        seen.extend(page.items)
        cursor = page.cursor
        if not page.more:
            break
    assert pages == 3
    assert names(seen) == names(full.query(limit=MAX_LIMIT))
    assert [s.seq for s in seen] == sorted({s.seq for s in seen})


def test_paging_a_filtered_query(full):
    first = full.query(type="Post", limit=2)
    assert names(first) == ["p0", "p1"]
    assert first.more
    second = full.query(type="Post", limit=2, cursor=first.cursor)
    assert names(second) == ["p2", "r0"]
    third = full.query(type="Post", limit=2, cursor=second.cursor)
    assert names(third) == ["r1"]
    assert not third.more


def test_the_last_cursor_resumes_later_insertions(store):
    store.add([CORPUS["p0"]], verifier=verifier())
    page = store.query(type="Post")
    assert names(page) == ["p0"]
    assert not page.more
    assert page.cursor is not None
    empty = store.query(type="Post", cursor=page.cursor)
    assert empty.items == ()
    assert empty.cursor == page.cursor
    store.add([CORPUS["x0"], CORPUS["p1"]], verifier=verifier())
    assert names(store.query(type="Post", cursor=empty.cursor)) == ["p1"]


def test_an_empty_store_gives_an_empty_page_without_cursor(store):
    page = store.query()
    assert page == Page(items=(), cursor=None, more=False)
    assert store.count() == 0


def _flip(cursor: str, position: int) -> str:
    replacement = "A" if cursor[position] != "A" else "B"
    return cursor[:position] + replacement + cursor[position + 1 :]


def _reseq(cursor: str, seq: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(cursor[3:] + "=="))
    raw[:8] = seq.to_bytes(8, "big")
    return "c1." + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def test_altered_cursors_are_refused_with_a_code(full, open_backend):
    cursor = full.query(type="Post", limit=2).cursor
    assert cursor is not None
    bad = [
        _flip(cursor, 5),  # in the sequence number
        _flip(cursor, len(cursor) - 2),  # in the tag
        _reseq(cursor, 1),  # a well-formed cursor for another position
        cursor[:-1],
        cursor + "A",
        "c2" + cursor[2:],
        "",
        "not a cursor at all",
        "c1." + "é" * 32,
    ]
    for text in bad:
        with pytest.raises(InvalidCursorError) as info:
            full.query(type="Post", limit=2, cursor=text)
        assert info.value.code == "invalidCursor"
    with pytest.raises(InvalidCursorError):
        full.query(type="Post", limit=2, cursor=123)


def test_a_cursor_belongs_to_its_filters(full):
    cursor = full.query(type="Post", limit=2).cursor
    with pytest.raises(InvalidCursorError):
        full.query(type="Reaction", cursor=cursor)
    with pytest.raises(InvalidCursorError):
        full.query(cursor=cursor)
    # The page size is not a filter: it may change between pages.
    assert names(full.query(type="Post", limit=1, cursor=cursor)) == ["p2"]


def test_a_cursor_from_another_store_is_refused(full, tmp_path):
    from ssi.store import SQLiteStore

    with SQLiteStore(tmp_path / "other" / "store.sqlite") as other:
        other.add([CORPUS["p0"], CORPUS["p1"]], verifier=verifier())
        foreign = other.query(limit=1).cursor
    with pytest.raises(InvalidCursorError):
        full.query(limit=1, cursor=foreign)


def test_paging_while_another_writer_adds(open_backend):
    """A reader pages (2 at a time) while a writer, with its own store handle,
    adds 150 posts in batches; every object committed before a page was read
    is seen exactly once, in insertion order, and nothing is skipped."""
    texts = many_posts(150, offset=1000)
    reader = open_backend()
    writer = open_backend()
    reader.add(texts[:10], verifier=verifier())
    done = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            for start in range(10, 150, 7):
                writer.add(texts[start : start + 7], verifier=verifier())
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=write)
    seen: list[StoredObject] = []
    cursor = None
    thread.start()
    try:
        while True:
            finished = done.is_set()
            page = reader.query(type="Post", limit=2, cursor=cursor)
            seen.extend(page.items)
            cursor = page.cursor
            if finished and not page.more:
                break
    finally:
        thread.join()
    assert failures == []
    cids = [item.cid for item in seen]
    assert len(cids) == len(set(cids)) == 150
    assert set(cids) == {object_cid(json.loads(text)) for text in texts}
    seqs = [item.seq for item in seen]
    assert seqs == sorted(seqs)


# --- Bad arguments and closed stores ------------------------------------------------


def test_get_of_an_absent_or_invalid_cid(full):
    assert full.get(object_cid({"not": "stored"})) is None
    with pytest.raises(InvalidCIDError) as info:
        full.get("bnotacid")
    assert info.value.code == "invalidCid"
    with pytest.raises(InvalidCIDError):
        full.get(BLOB)  # a blob's CID names no object
    for text in ("b", "", CID["p0"].upper(), CID["p0"] + "=", 42):
        with pytest.raises(InvalidCIDError):
            full.get(text)


@pytest.mark.parametrize("field", ["reply_to", "refers_to"])
def test_cid_filters_must_be_cids(full, field):
    with pytest.raises(InvalidCIDError):
        full.query(**{field: "did:example:not-a-cid"})
    with pytest.raises(InvalidCIDError):
        full.count(**{field: "b" * 59})


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"limit": 0}, ValueError),
        ({"limit": MAX_LIMIT + 1}, ValueError),
        ({"limit": "10"}, TypeError),
        ({"limit": True}, TypeError),
        ({"since": datetime(2025, 1, 1)}, ValueError),
        ({"until": "2025-01-01"}, TypeError),
        ({"type": 3}, TypeError),
        ({"author": ["did:example:a"]}, TypeError),
    ],
)
def test_programming_errors_are_type_and_value_errors(full, arguments, error):
    with pytest.raises(error):
        full.query(**arguments)


def test_a_closed_store_refuses_every_call(open_backend):
    store = open_backend()
    store.add([CORPUS["p0"]], verifier=verifier())
    store.close()
    store.close()  # closing twice is fine
    calls = [
        lambda: store.get(CID["p0"]),
        lambda: store.query(),
        lambda: store.count(),
        lambda: store.add([CORPUS["p1"]], verifier=verifier()),
    ]
    for call in calls:
        with pytest.raises(StoreError) as info:
            call()
        assert info.value.code == "storeError"


def test_the_store_is_a_context_manager_and_keeps_data(open_backend):
    with open_backend() as store:
        store.add([CORPUS["p0"]], verifier=verifier())
    with pytest.raises(StoreError):
        store.count()
    with open_backend() as again:
        assert again.count() == 1
        assert isinstance(again, ObjectStore)


def _model(items: list[StoredObject], filters: dict[str, Any]) -> list[str]:
    """What a query must answer, computed from the objects' own index entries."""
    chosen = []
    for item in items:
        if "type" in filters and filters["type"] not in item.types:
            continue
        if "author" in filters and item.author != filters["author"]:
            continue
        if "community" in filters and item.community != filters["community"]:
            continue
        if "reply_to" in filters and item.reply_to != filters["reply_to"]:
            continue
        if "refers_to" in filters and filters["refers_to"] not in item.refers_to:
            continue
        if "since" in filters and (item.time is None or item.time < filters["since"]):
            continue
        if "until" in filters and (item.time is None or item.time >= filters["until"]):
            continue
        chosen.append(item.cid)
    return chosen


def test_every_combination_of_filters_agrees_with_the_index_entries(full):
    """All 288 combinations of a few values per filter: the query, the count
    and a paged walk (2 per page) give what the index entries say."""
    import itertools

    everything = list(full.query(limit=MAX_LIMIT).items)
    domains: dict[str, list[Any]] = {
        "type": ["Post", "Reaction"],
        "author": [AUTHORS[0], AUTHORS[1]],
        "community": [COMMUNITY],
        "reply_to": [CID["p0"]],
        "refers_to": [CID["p1"]],
        "since": [datetime(2025, 2, 1, tzinfo=UTC)],
        "until": [datetime(2025, 4, 1, tzinfo=UTC)],
    }
    choices = [[None, *values] for values in domains.values()]
    combinations = 0
    for picked in itertools.product(*choices):
        filters = {
            name: value
            for name, value in zip(domains, picked, strict=True)
            if value is not None
        }
        expected = _model(everything, filters)
        assert [i.cid for i in full.query(**filters).items] == expected, filters
        assert full.count(**filters) == len(expected)
        walked: list[str] = []
        cursor = None
        while True:
            page = full.query(**filters, limit=2, cursor=cursor)
            walked.extend(item.cid for item in page.items)
            cursor = page.cursor
            if not page.more:
                break
        assert walked == expected, filters
        combinations += 1
    assert combinations == 288


def test_one_batch_is_numbered_in_its_order_with_its_index_entries(store):
    documents = [
        post(n % 3, 500 + n, community=COMMUNITY if n % 2 else None) for n in range(12)
    ]
    documents.insert(5, documents[2])  # a repeat: present, not numbered twice
    results = store.add(documents, verifier=verifier())
    outcomes = [result.outcome for result in results]
    assert outcomes == ["stored"] * 5 + ["present"] + ["stored"] * 7
    cids = [result.cid for result in results if result.outcome == "stored"]
    found = [store.get(cid) for cid in cids]
    seqs = [item.seq for item in found if item is not None]
    assert len(seqs) == 12
    assert seqs == sorted(seqs)
    assert [item.community for item in found if item is not None] == [
        COMMUNITY if n % 2 else None for n in range(12)
    ]
    assert store.count(type="Post", community=COMMUNITY) == 6
