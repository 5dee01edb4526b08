"""The hub's HTTP API in process (FastAPI's TestClient): shapes, filters,
cursors, limits and problems."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.openapi import DOCUMENT_PATH, openapi_text
from hub.settings import HubSettings
from tests.unit.bundle.corpus import Corpus
from tests.unit.store.objects import COMMUNITY, post, reaction

PROBLEM = "application/problem+json"


def _client(tmp_path: Path, **limits: Any) -> TestClient:
    settings = HubSettings(db=f"sqlite:///{tmp_path / 'hub.sqlite'}", **limits)
    return TestClient(create_app(settings))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with _client(tmp_path, rate=10_000) as client:
        yield client


def _is_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == "https://w3id.org/agora/problems#" + code
    assert body["title"]
    assert body["detail"]
    return body


def test_post_one_object_then_get_it(client: TestClient) -> None:
    document = post(0, 1, community=COMMUNITY)
    answer = client.post("/objects", json=document).json()
    assert answer["stored"] == 1
    (result,) = answer["results"]
    assert result["outcome"] == "stored"
    assert result["problems"] == []
    again = client.post("/objects", json=document).json()
    assert again["results"][0]["outcome"] == "present"
    found = client.get(f"/objects/{result['cid']}").json()
    assert found["document"] == document
    assert found["community"] == COMMUNITY
    assert found["types"] == ["Post"]


def test_post_an_array_gives_one_result_each(client: TestClient) -> None:
    first = post(0, 2)
    bad = {"not": "a credential"}
    answer = client.post("/objects", json=[first, bad, first]).json()
    outcomes = [result["outcome"] for result in answer["results"]]
    assert outcomes == ["stored", "rejected", "present"]
    assert answer["results"][1]["problems"][0]["errorCode"]


def test_filters_and_cursors(client: TestClient) -> None:
    parent = post(0, 10)
    parent_cid = client.post("/objects", json=parent).json()["results"][0]["cid"]
    replies = [post(1, 11 + n, reply_to=parent_cid) for n in range(5)]
    client.post("/objects", json=[*replies, reaction(2, 20, parent_cid)])
    collected: list[str] = []
    cursor = None
    while True:
        params = {"type": "Post", "reply_to": parent_cid, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/objects", params=params).json()
        collected.extend(item["document"]["id"] for item in page["items"])
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert collected == [reply["id"] for reply in replies]
    refers = client.get("/objects", params={"refers_to": parent_cid}).json()
    assert [item["types"] for item in refers["items"]][-1] == ["Reaction"]
    by_author = client.get("/objects", params={"author": replies[0]["issuer"]}).json()
    assert len(by_author["items"]) == 5
    # A cursor is bound to its filters.
    other = client.get("/objects", params={"type": "Reaction", "cursor": cursor})
    _is_problem(other, 400, "invalidCursor")


def test_time_filters(client: TestClient) -> None:
    early = post(0, 30, valid_from="2025-01-01T00:00:00Z")
    late = post(0, 31, valid_from="2025-06-01T00:00:00Z")
    client.post("/objects", json=[early, late])
    since = client.get("/objects", params={"since": "2025-03-01T00:00:00Z"}).json()
    assert [item["document"]["id"] for item in since["items"]] == [late["id"]]
    until = client.get("/objects", params={"until": "2025-03-01T00:00:00Z"}).json()
    assert [item["document"]["id"] for item in until["items"]] == [early["id"]]
    _is_problem(
        client.get("/objects", params={"since": "yesterday"}),
        400,
        "MALFORMED_VALUE_ERROR",
    )


def test_page_is_capped(tmp_path: Path) -> None:
    with _client(tmp_path, max_page=2, rate=10_000) as client:
        client.post("/objects", json=[post(0, 40 + n) for n in range(3)])
        page = client.get("/objects", params={"limit": 100}).json()
        assert len(page["items"]) == 2
        assert page["more"] is True


def test_bundle_verifies_with_its_own_logs(client: TestClient, corpus: Corpus) -> None:
    posts = corpus.posts[:20]
    agora = next(p for p in posts if str(p["issuer"]).startswith("did:agora"))
    alone = client.post("/objects", json=agora).json()
    assert alone["results"][0]["outcome"] == "rejected"
    body = corpus.bundle(posts)
    answer = client.post(
        "/objects",
        content=body,
        headers={"Content-Type": "application/vnd.agora.bundle+jsonl"},
    ).json()
    assert answer["stored"] == 20
    assert answer["rejected"] == 0


def test_bundle_with_a_tampered_object(client: TestClient, corpus: Corpus) -> None:
    lines = corpus.bundle(corpus.posts[:3]).split(b"\n")
    index = next(n for n, line in enumerate(lines) if b'"kind":"credential"' in line)
    item = json.loads(lines[index])
    item["credential"]["credentialSubject"]["content"] = "changed"
    lines[index] = json.dumps(item).encode()
    answer = client.post("/objects", content=b"\n".join(lines)).json()
    assert answer["rejected"] == 1
    rejected = next(r for r in answer["results"] if r["outcome"] == "rejected")
    assert rejected["problems"][0]["line"] == index + 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "invalidBody"),
        (b'"a string"', "invalidBody"),
        (b'{"kind":"header","mediaType":"x","version":99}\n', "invalidBundleHeader"),
    ],
)
def test_unusable_bodies_are_problems(
    client: TestClient, body: bytes, code: str
) -> None:
    response = client.post("/objects", content=body)
    assert response.status_code == 400
    _is_problem(response, 400, code)


def test_body_and_objects_caps(tmp_path: Path) -> None:
    with _client(tmp_path, max_body_bytes=2000, max_objects=2, rate=10_000) as client:
        big = client.post("/objects", content=b"[" + b" " * 3000 + b"]")
        assert _is_problem(big, 413, "bodyTooLarge")["maxBodyBytes"] == 2000
        many = client.post("/objects", json=[{}, {}, {}])
        assert _is_problem(many, 413, "tooManyObjects")["maxObjects"] == 2
        assert client.post("/objects", json=[{}, {}]).status_code == 200


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    with _client(tmp_path, rate=0.5) as client:
        statuses = [client.get("/objects").status_code for _ in range(3)]
        assert statuses[:1] == [200]
        refused = client.get("/objects")
        body = _is_problem(refused, 429, "tooManyRequests")
        assert int(refused.headers["Retry-After"]) >= 1
        assert body["retryAfter"] == int(refused.headers["Retry-After"])
        assert client.get("/healthz").status_code == 200  # probes are not counted


def test_framework_errors_are_problems(client: TestClient) -> None:
    _is_problem(client.get("/nowhere"), 404, "notFound")
    not_allowed = client.delete("/objects")
    _is_problem(not_allowed, 405, "methodNotAllowed")
    assert not_allowed.headers["Allow"] == "GET, HEAD, POST"
    _is_problem(client.get("/objects", params={"limit": "lots"}), 422, "invalidRequest")
    _is_problem(client.get("/objects/not-a-cid"), 400, "invalidCid")
    missing = "bagaaieraafnl2724yv5c3wklowipaswybbbhhec64m7mltv6vzrco2ux7bra"
    _is_problem(client.get(f"/objects/{missing}"), 404, "objectNotFound")
    _is_problem(client.get("/stream", params={"since": "c1.bad"}), 400, "invalidCursor")


def test_internal_errors_show_no_traceback(tmp_path: Path) -> None:
    app = create_app(HubSettings(db=f"sqlite:///{tmp_path / 'hub.sqlite'}"))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        body = _is_problem(client.get("/boom"), 500, "internalError")
        assert "secret" not in json.dumps(body)


def test_metrics_and_health(client: TestClient) -> None:
    client.post("/objects", json=post(0, 50))
    assert client.get("/healthz").json() == {"status": "ok"}
    text = client.get("/metrics").text
    assert 'agora_hub_objects_total{outcome="stored"}' in text
    assert 'route="/objects"' in text


def test_settings_go_to_workers_through_the_environment() -> None:
    settings = HubSettings(db="sqlite:///x.sqlite", rate=3.5, logs=("a.jsonl",))
    assert HubSettings.from_env(settings.to_env()) == settings
    with pytest.raises(ValueError, match="max_page"):
        HubSettings(max_page=0)


def test_published_openapi_document_is_current() -> None:
    path = Path(__file__).parents[2] / DOCUMENT_PATH
    assert path.read_text(encoding="utf-8") == openapi_text(), (
        "docs/hub-openapi.json is out of date: run `make openapi`."
    )


def test_posts_take_turns_at_verifying_and_storing(client: TestClient) -> None:
    state = client.app.state.hub  # type: ignore[attr-defined]
    real_add = state.store.add
    active: list[int] = [0, 0]  # running now, most at once
    guard = threading.Lock()

    def add(*args: Any, **kwargs: Any) -> Any:
        with guard:
            active[0] += 1
            active[1] = max(active)
        try:
            time.sleep(0.05)  # long enough for the other requests to arrive
            return real_add(*args, **kwargs)
        finally:
            with guard:
                active[0] -= 1

    state.store.add = add
    bodies = [[post(1, 900 + n)] for n in range(4)]
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda body: client.post("/objects", json=body), bodies)
        )
    assert [answer.json()["stored"] for answer in answers] == [1, 1, 1, 1]
    assert active == [0, 1]
