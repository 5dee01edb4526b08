"""The hub's views (hub.views) in process: a bare FastAPI app with the views'
router over an SQLite store filled with a signed community (governance, an
election, moderators, posts, a report and a panel's labels)."""

from __future__ import annotations

import hashlib
import json
import warnings
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from hub.logbook import MemoryLogBook
from hub.settings import HubSettings
from hub.state import HubState
from hub.views import LOG_MEDIA_TYPE, router
from ssi.cid import object_cid
from ssi.credentials import FixedClock, Verifier
from ssi.status import BitstringStatusChecker, MemoryStatusSource
from ssi.store import SQLiteStore
from tests.unit.agora.test_threshold import DID as STEWARDED
from tests.unit.agora.test_threshold import FIRST
from tests.unit.social.moderation_world import (
    AT,
    AUTHOR,
    ELECTED,
    EXPIRES,
    REPORTER,
    REVOKES,
    SUSPENSIONS,
    ModerationWorld,
)

with warnings.catch_warnings():
    # Starlette asks for httpx2 for its test client; httpx serves it as well.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def draw(post: str, label: str, moderators) -> list[str]:
    """The panel order of docs/moderation.md: lowest SHA-256 first."""
    return sorted(
        moderators,
        key=lambda did: (
            hashlib.sha256(f"{post}|{label}|{did}".encode()).hexdigest(),
            did,
        ),
    )


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("views")
    world = ModerationWorld()
    posts = [world.post(f"Post number {n}", minutes=n) for n in range(5)]
    spam = posts[0]
    spam_cid = object_cid(spam)
    valid = [world.members[i] for i in ELECTED if i not in (EXPIRES, REVOKES)]
    panel = [
        did
        for did in draw(spam_cid, "spam", valid)
        if did not in (world.members[REPORTER], world.members[AUTHOR])
    ][:3]
    acts = [
        world.report(REPORTER, spam),
        world.label(panel[0], spam, minutes=10),
        world.label(panel[1], spam, minutes=20),
        world.report(REPORTER, posts[1], "nsfw"),
    ]
    source = MemoryStatusSource()
    for listed in world.lists:  # the later version of each list wins
        source.add(listed)
    verifier = Verifier(status=BitstringStatusChecker(source), clock=FixedClock(AT))
    store = SQLiteStore(root / "hub.sqlite")
    results = store.add(
        [*world.governance(), *world.election_inputs, *posts, *acts],
        verifier=verifier,
    )
    stored = {result.cid for result in results if result.outcome != "rejected"}
    assert {object_cid(act) for act in acts} <= stored
    app = FastAPI()
    app.state.hub = HubState(HubSettings(db=str(root / "hub.sqlite")), store, verifier)
    app.state.hub_logs = MemoryLogBook()
    app.include_router(router())
    with TestClient(app) as client:
        yield {"client": client, "world": world, "posts": posts, "app": app}
    store.close()


def test_the_feed_pages_whole_threads_and_resumes(hub):
    client, world = hub["client"], hub["world"]
    path = f"/communities/{world.community}/feed"
    first = client.get(path, params={"limit": 2}).json()
    assert first["more"] is True
    assert len(first["threads"]) == 2
    assert [item["cid"] for item in first["items"]] == first["threads"]
    rest = client.get(path, params={"limit": 10, "cursor": first["cursor"]}).json()
    assert rest["more"] is False
    everything = first["threads"] + rest["threads"]
    assert sorted(everything) == sorted(object_cid(post) for post in hub["posts"])
    assert all(item["community"] == world.community for item in rest["items"])


def test_a_feed_of_another_community_is_empty(hub):
    answer = hub["client"].get("/communities/did:example:nobody/feed").json()
    assert answer["items"] == []
    assert answer["more"] is False


def test_a_forged_feed_cursor_is_a_problem(hub):
    path = f"/communities/{hub['world'].community}/feed"
    for cursor in ("k1.bm90LWEtY2lk", "garbage"):
        answer = hub["client"].get(path, params={"cursor": cursor})
        assert answer.status_code == 400
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json()["code"] == "invalidCursor"


def test_the_proposal_comes_with_its_ballots_signals_and_tally(hub):
    world = hub["world"]
    election = object_cid(world.election)
    answer = hub["client"].get(f"/proposals/{election}").json()
    assert answer["proposal"]["cid"] == election
    assert answer["tallies"] == [object_cid(world.tally)]  # the forged one is not
    ballots = [d for d in world.election_inputs if "Ballot" in d["type"]]
    assert answer["counts"]["Ballot"] == len(ballots) > 0
    assert answer["counts"]["Tally"] == 1
    assert answer["counts"]["Signal"] >= 1
    listed = {item["cid"] for item in answer["items"]}
    assert {object_cid(ballot) for ballot in ballots} <= listed


def test_the_proposal_pages_with_the_store_cursor(hub):
    election = object_cid(hub["world"].election)
    client = hub["client"]
    first = client.get(f"/proposals/{election}", params={"limit": 3}).json()
    assert first["more"] is True
    second = client.get(
        f"/proposals/{election}", params={"limit": 3, "cursor": first["cursor"]}
    ).json()
    assert not {i["cid"] for i in first["items"]} & {i["cid"] for i in second["items"]}


def test_a_post_is_no_proposal(hub):
    post = object_cid(hub["posts"][2])
    answer = hub["client"].get(f"/proposals/{post}")
    assert answer.status_code == 404
    assert answer.json()["code"] == "notFound"
    answer = hub["client"].get("/proposals/not-a-cid")
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalidCid"


def test_the_case_of_a_post_is_decided_per_label(hub):
    spam = object_cid(hub["posts"][0])
    answer = hub["client"].get(f"/cases/{spam}", params={"at": AT.isoformat()})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["community"] == hub["world"].community
    [decision] = body["items"]
    assert decision["label"] == "spam"
    assert decision["state"] == "applied"
    nsfw = object_cid(hub["posts"][1])
    [reported] = hub["client"].get(f"/cases/{nsfw}").json()["items"]
    assert reported["label"] == "nsfw"
    assert reported["state"] != "applied"


def test_a_post_nobody_reported_has_no_cases_and_a_missing_one_is_404(hub):
    quiet = object_cid(hub["posts"][4])
    assert hub["client"].get(f"/cases/{quiet}").json()["items"] == []
    missing = object_cid({"nothing": "here"})
    answer = hub["client"].get(f"/cases/{missing}")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM


def test_the_newest_status_list_with_an_id_is_served(hub):
    world = hub["world"]
    newest = [d for d in world.lists if d["id"] == SUSPENSIONS][-1]
    answer = hub["client"].get(f"/status-lists/{SUSPENSIONS}")
    assert answer.status_code == 200
    assert answer.json() == newest
    assert answer.headers["content-location"] == f"/objects/{object_cid(newest)}"
    unknown = hub["client"].get("/status-lists/" + quote("https://x.example/none"))
    assert unknown.status_code == 404


def test_a_did_log_is_served_as_json_lines(hub):
    client = hub["client"]
    assert client.get(f"/dids/{STEWARDED}/log").status_code == 404
    assert hub["app"].state.hub_logs.record([FIRST]) == "stored"
    assert hub["app"].state.hub_logs.record([FIRST]) == "present"
    answer = client.get(f"/dids/{STEWARDED}/log")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(LOG_MEDIA_TYPE)
    lines = answer.text.splitlines()
    assert [json.loads(line) for line in lines] == [FIRST]


def test_only_did_agora_logs_are_kept(hub):
    world = hub["world"]
    answer = hub["client"].get(f"/dids/{world.community}/log")
    assert answer.status_code == 400
    assert answer.json()["code"] == "methodNotSupported"


def test_the_page_size_is_capped_by_the_settings(hub):
    path = f"/communities/{hub['world'].community}/feed"
    state = hub["app"].state.hub
    original = state.settings
    state.settings = HubSettings(db=original.db, max_page=1)
    try:
        answer = hub["client"].get(path, params={"limit": 50}).json()
    finally:
        state.settings = original
    assert len(answer["threads"]) == 1
    assert answer["more"] is True


def test_a_case_asked_about_before_its_report_is_not_applied(hub):
    """A case asked about before the report: the report does not count yet."""
    spam = object_cid(hub["posts"][0])
    early = (AT - timedelta(days=400)).isoformat()
    [decision] = (
        hub["client"].get(f"/cases/{spam}", params={"at": early}).json()["items"]
    )
    assert decision["state"] != "applied"
