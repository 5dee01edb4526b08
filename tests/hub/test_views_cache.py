"""Views kept per process (hub.viewcache): a cached feed page is the page
built afresh from the store; a push shows once the refresh interval allows;
views are built once however many requests ask (one after another or at
once); the cache is bounded. A fake clock stands in for time: no test
sleeps."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

import ssi
from hub.settings import HubSettings
from hub.state import HubState
from hub.viewcache import ViewCache
from hub.views import COMMUNITY_FEED, STORE_FEED, community_threads, router
from ssi.cid import object_cid
from ssi.credentials import FixedClock, Verifier
from ssi.did.methods import KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    FEED_RECORDS,
    post_credential,
    reaction_credential,
    retraction_credential,
    store_feed,
)
from ssi.store import ObjectStore, SQLiteStore, open_store
from tests.hub.conftest import Hub
from tests.pg import Schema, fresh_schema

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

KEYS = [Ed25519KeyPair.from_seed(bytes([91, n]) * 16) for n in range(3)]
DIDS = [ssi.did_key(key) for key in KEYS]
SIGNERS = [ssi.signer(key) for key in KEYS]
T0 = datetime(2026, 3, 1, tzinfo=UTC)
HERE, THERE = "did:example:here", "did:example:there"
VERIFIER = Verifier(
    resolver=Resolver(MethodRegistry([KeyMethod()])),
    clock=FixedClock(T0 + timedelta(days=30)),
)


class FakeClock:
    """Monotonic seconds that move only when told; remembers which threads
    asked (a request asks as it starts)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.threads: set[int] = set()
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            self.threads.add(threading.get_ident())
        return self.now


class World:
    """Signed social objects, numbered so that each is new."""

    def __init__(self) -> None:
        self.number = 0

    def moment(self) -> datetime:
        self.number += 1
        return T0 + timedelta(minutes=self.number)

    def sign(self, who: int, credential: dict[str, Any]) -> dict[str, Any]:
        return ssi.issue(
            credential,
            SIGNERS[who],
            suite="eddsa-jcs-2022",
            created=credential["validFrom"],
        )

    def post(self, who: int, text: str, **options: Any) -> dict[str, Any]:
        credential = post_credential(
            DIDS[who], text, published=self.moment(), **options
        )
        return self.sign(who, credential)

    def reaction(self, who: int, target: dict[str, Any]) -> dict[str, Any]:
        credential = reaction_credential(
            DIDS[who], object_cid(target), "endorse", published=self.moment()
        )
        return self.sign(who, credential)

    def retraction(self, who: int, target: dict[str, Any]) -> dict[str, Any]:
        credential = retraction_credential(
            DIDS[who], object_cid(target), published=self.moment()
        )
        return self.sign(who, credential)


def push(store: ObjectStore, *documents: dict[str, Any]) -> None:
    results = store.add(list(documents), verifier=VERIFIER, derive=FEED_RECORDS)
    assert all(result.outcome == "stored" for result in results), results


def fresh_page(
    store: ObjectStore, did: str, limit: int, cursor: str | None
) -> dict[str, Any]:
    """The page as the hub built it on every request before the cache:
    ``store_feed`` over the whole store, then one page of whole threads."""
    from hub.paging import page_keys

    feed = store_feed(store, community=did)
    page = page_keys((*feed.threads, *feed.orphans), limit=limit, cursor=cursor)
    chosen = set(page.keys)
    items: list[Any] = []
    root: str | None = None
    for entry in feed.entries:
        if entry.depth == 0:
            root = entry.cid
        if root in chosen:
            items.append(entry.to_json())
    return {
        "community": did,
        "threads": list(page.keys),
        "items": items,
        "cursor": page.cursor,
        "more": page.more,
    }


def make_state(
    store: ObjectStore, *, refresh: float, size: int = 16
) -> tuple[HubState, FakeClock]:
    settings = HubSettings(db="unused", view_refresh=refresh, view_cache=size)
    state = HubState(settings, store, VERIFIER)
    clock = FakeClock()
    state.views = ViewCache(store, size=size, refresh=refresh, clock=clock)
    return state, clock


def client_of(state: HubState) -> TestClient:
    app = FastAPI()
    app.state.hub = state
    app.include_router(router())
    return TestClient(app)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    opened = SQLiteStore(tmp_path / "hub.sqlite")
    yield opened
    opened.close()


def feed_path(did: str) -> str:
    return f"/communities/{quote(did, safe='')}/feed"


def every_page(client: TestClient, did: str, limit: int) -> list[dict[str, Any]]:
    pages = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        answer = client.get(feed_path(did), params=params)
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        cursor = pages[-1]["cursor"]
        if not pages[-1]["more"]:
            return pages


def fresh_pages(store: ObjectStore, did: str, limit: int) -> list[dict[str, Any]]:
    pages = []
    cursor: str | None = None
    while True:
        pages.append(fresh_page(store, did, limit, cursor))
        cursor = pages[-1]["cursor"]
        if not pages[-1]["more"]:
            return pages


def a_community(world: World) -> list[dict[str, Any]]:
    """Threads with replies, an edit, a reaction, a retraction, an orphan
    and a thread of another community."""
    first = world.post(0, "first", community=HERE)
    second = world.post(1, "second", community=HERE)
    reply = world.post(2, "a reply", in_reply_to=object_cid(first))
    edit = world.post(0, "first, edited", replaces=object_cid(first))
    elsewhere = world.post(1, "elsewhere", community=THERE)
    orphan = world.post(2, "to nothing", in_reply_to=object_cid({"gone": 1}))
    return [
        first,
        second,
        reply,
        edit,
        elsewhere,
        orphan,
        world.reaction(1, first),
        world.retraction(1, second),
        world.post(0, "third", community=HERE),
    ]


def test_a_cached_page_is_the_page_built_afresh(store: SQLiteStore) -> None:
    world = World()
    push(store, *a_community(world))
    state, _ = make_state(store, refresh=0)
    client = client_of(state)
    for did in (HERE, THERE):
        assert every_page(client, did, 2) == fresh_pages(store, did, 2)
        assert every_page(client, did, 2) == fresh_pages(store, did, 2)
    # Later pushes fold in: an edit, a reaction, a reply to an older thread,
    # the post an orphan answered, and a retraction of an edited post.
    first = a_community(World())[0]
    late = world.post(1, "late", community=HERE)
    push(
        store,
        late,
        world.post(0, "first, again", replaces=object_cid(first)),
        world.reaction(2, late),
        world.post(2, "late reply", in_reply_to=object_cid(first)),
    )
    assert every_page(client, HERE, 2) == fresh_pages(store, HERE, 2)
    push(store, world.retraction(0, first), world.reaction(0, late))
    assert every_page(client, HERE, 3) == fresh_pages(store, HERE, 3)
    assert every_page(client, THERE, 3) == fresh_pages(store, THERE, 3)
    assert state.views.builds[STORE_FEED] == 3  # once per store change


def test_a_push_shows_once_the_refresh_interval_allows(store: SQLiteStore) -> None:
    world = World()
    push(store, world.post(0, "before", community=HERE))
    state, clock = make_state(store, refresh=5.0)
    client = client_of(state)
    before = client.get(feed_path(HERE)).json()
    assert len(before["threads"]) == 1
    push(store, world.post(1, "after", community=HERE))
    clock.now += 4.9  # within the interval: the page may lag the store
    assert client.get(feed_path(HERE)).json() == before
    clock.now += 0.1  # the interval is over: the store is looked at
    after = client.get(feed_path(HERE)).json()
    assert len(after["threads"]) == 2
    assert after == fresh_page(store, HERE, 50, None)


def test_with_refresh_zero_a_push_shows_at_once(store: SQLiteStore) -> None:
    world = World()
    push(store, world.post(0, "before", community=HERE))
    state, _ = make_state(store, refresh=0)
    client = client_of(state)
    assert len(client.get(feed_path(HERE)).json()["threads"]) == 1
    push(store, world.post(1, "after", community=HERE))
    assert len(client.get(feed_path(HERE)).json()["threads"]) == 2


def test_requests_without_a_change_build_once(store: SQLiteStore) -> None:
    world = World()
    push(store, *a_community(world))
    for refresh in (0.0, 1.0):
        state, clock = make_state(store, refresh=refresh)
        client = client_of(state)
        pages = []
        for _ in range(20):
            pages.append(client.get(feed_path(HERE)).json())
            clock.now += 0.7  # across refresh intervals: looked at, unchanged
        assert all(page == pages[0] for page in pages)
        assert state.views.builds == {STORE_FEED: 1, COMMUNITY_FEED: 1}


class GatedStore:
    """A store whose feed records are read only once every request thread
    has started (so that all of them find the view stale at once)."""

    def __init__(self, store: ObjectStore, clock: FakeClock, threads: int) -> None:
        self.store, self.clock, self.threads = store, clock, threads
        self.reads = 0
        self.armed = False

    def latest_seq(self) -> int:
        return self.store.latest_seq()

    def derived(self, name: str, *, type: str | None = None) -> Any:
        self.reads += self.armed
        for _ in range(
            2000 if self.armed else 0
        ):  # at most ~10 s, then the test's count fails
            if len(self.clock.threads) >= self.threads:
                break
            threading.Event().wait(0.005)
        return self.store.derived(name, type=type)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_concurrent_requests_for_a_stale_view_build_it_once(
    store: SQLiteStore,
) -> None:
    world = World()
    push(store, *a_community(world))
    threads = 12
    clock = FakeClock()
    gated = GatedStore(store, clock, threads + 1)  # and this thread
    state, _ = make_state(store, refresh=0)
    state.views = ViewCache(gated, size=8, refresh=0, clock=clock)  # type: ignore[arg-type]
    state.store = gated  # type: ignore[assignment]
    clock()  # this thread counts as started
    community_threads(state, HERE)
    push(store, world.post(2, "new", community=HERE))
    clock.threads = {threading.get_ident()}
    gated.armed = True
    with ThreadPoolExecutor(threads) as pool:
        views = list(pool.map(lambda _: community_threads(state, HERE), range(threads)))
    assert len(clock.threads) == threads + 1  # every request ran at once
    assert all(view is views[0] for view in views)
    assert len(views[0].roots) == 4
    assert state.views.builds == {STORE_FEED: 2, COMMUNITY_FEED: 2}
    assert gated.reads == 3  # one build since the push: 3 types listed


def test_the_cache_is_bounded(store: SQLiteStore) -> None:
    world = World()
    communities = [f"did:example:c{n}" for n in range(10)]
    push(
        store,
        *(
            world.post(n % 3, f"in {did}", community=did)
            for n, did in enumerate(communities)
        ),
    )
    state, _ = make_state(store, refresh=0, size=3)
    client = client_of(state)
    for did in communities:
        threads = client.get(feed_path(did)).json()["threads"]
        assert len(threads) == 1
        assert len(state.views) <= 3
    # The store's feed, used by every community's view, stays in.
    assert state.views.builds == {STORE_FEED: 1, COMMUNITY_FEED: 10}
    client.get(feed_path(communities[0]))  # evicted: built again
    assert state.views.builds[COMMUNITY_FEED] == 11


def test_views_follow_a_postgresql_store() -> None:
    with fresh_schema() as schema:
        assert isinstance(schema, Schema)
        store = open_store(schema.location)
        try:
            world = World()
            push(store, *a_community(world))
            state, _ = make_state(store, refresh=0)
            client = client_of(state)
            assert every_page(client, HERE, 2) == fresh_pages(store, HERE, 2)
            push(store, world.post(1, "later", community=HERE))
            assert every_page(client, HERE, 2) == fresh_pages(store, HERE, 2)
            assert state.views.builds[STORE_FEED] == 2
        finally:
            store.close()


def test_view_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="view_refresh"):
        HubSettings(view_refresh=-1)
    with pytest.raises(ValueError, match="view_cache"):
        HubSettings(view_cache=0)
    read = HubSettings.from_env(
        {"AGORA_HUB_VIEW_REFRESH": "0", "AGORA_HUB_VIEW_CACHE": "7"}
    )
    assert (read.view_refresh, read.view_cache) == (0.0, 7)
    assert HubSettings.from_env(read.to_env()) == read
    with pytest.raises(ValueError, match="size"):
        ViewCache(SQLiteStore.__new__(SQLiteStore), size=0)
    with pytest.raises(ValueError, match="refresh"):
        ViewCache(SQLiteStore.__new__(SQLiteStore), refresh=-0.5)


def test_every_worker_serves_the_store_as_it_is(
    hub_process: Callable[..., Hub],
) -> None:
    """With --workers 2 each worker keeps its own views; with view_refresh 0
    each answers every push at once, whichever worker a request reaches."""
    hub = hub_process(
        extra_args=["--workers", "2"], env={"AGORA_HUB_VIEW_REFRESH": "0"}
    )
    world = World()
    with httpx.Client(base_url=hub.url, timeout=30) as client:
        for expected in (1, 2, 3):
            body = [world.post(expected % 3, f"post {expected}", community=HERE)]
            stored = client.post("/objects", json=body)
            assert stored.status_code == 200, stored.text
            for _ in range(8):
                # A new connection each time, so that requests spread.
                answer = httpx.get(hub.url + feed_path(HERE), timeout=30)
                assert len(answer.json()["threads"]) == expected
