"""A real hub process (``agora hub serve``) over HTTP: push, read back, stream."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from tests.hub.conftest import Hub
from tests.unit.bundle.corpus import Corpus
from tests.unit.store.objects import post


def _events(
    hub: Hub,
    count: int,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> list[dict[str, str]]:
    """Read ``count`` object events from the hub's stream, then hang up."""
    events: list[dict[str, str]] = []
    current: dict[str, str] = {}
    with httpx.stream(
        "GET", hub.url + "/stream", headers=headers, params=params, timeout=30
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line:
                if current.get("event") == "object":
                    events.append(current)
                    if len(events) == count:
                        break
                current = {}
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(": ")
            current[field] = value
    return events


def test_push_read_back_and_stream(hub_process: Callable[..., Hub]) -> None:
    hub = hub_process()
    first, second = post(0, 1), post(1, 2)
    answer = httpx.post(hub.url + "/objects", json=first, timeout=30).json()
    assert answer["stored"] == 1
    cid = answer["results"][0]["cid"]
    stored = httpx.get(f"{hub.url}/objects/{cid}", timeout=10).json()
    assert stored["document"] == first
    assert stored["author"] == first["issuer"]

    events = _events(hub, 1)
    assert json.loads(events[0]["data"])["cid"] == cid
    cursor = events[0]["id"]
    httpx.post(hub.url + "/objects", json=second, timeout=30).raise_for_status()
    resumed = _events(hub, 1, headers={"Last-Event-ID": cursor})
    assert json.loads(resumed[0]["data"])["document"] == second
    from_query = _events(hub, 1, params={"since": cursor})
    assert from_query == resumed
    # The stream's cursor is a cursor of GET /objects without filters.
    page = httpx.get(hub.url + "/objects", params={"cursor": cursor}, timeout=10)
    assert [item["document"] for item in page.json()["items"]] == [second]


def test_stream_delivers_an_object_pushed_while_it_waits(
    hub_process: Callable[..., Hub],
) -> None:
    hub = hub_process()
    httpx.post(hub.url + "/objects", json=post(0, 3), timeout=30).raise_for_status()
    with httpx.stream("GET", hub.url + "/stream", timeout=30) as response:
        lines = response.iter_lines()
        seen: list[str] = []
        pushed = False
        for line in lines:
            if line.startswith("data: "):
                seen.append(json.loads(line[6:])["document"]["id"])
                if not pushed:
                    pushed = True
                    httpx.post(
                        hub.url + "/objects", json=post(2, 4), timeout=30
                    ).raise_for_status()
                if len(seen) == 2:
                    break
    assert seen == [post(0, 3)["id"], post(2, 4)["id"]]


def test_agora_hub_push_sends_a_bundle(
    hub_process: Callable[..., Hub], corpus: Corpus, tmp_path: Path
) -> None:
    hub = hub_process()
    bundle = tmp_path / "posts.bundle.jsonl"
    bundle.write_bytes(corpus.bundle(corpus.posts[:30]))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wallet_cli",
            "hub",
            "push",
            str(bundle),
            "--to",
            hub.url,
            "--json",
        ],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["stored"] == 30
    assert report["rejected"] == 0
    page = httpx.get(hub.url + "/objects", params={"limit": 100}, timeout=10).json()
    kinds = [item["types"][-1] for item in page["items"]]
    assert kinds.count("Post") == 30
    # The status lists and memberships the bundle carried are kept too, for
    # later readers (memberships as evidence, hub.evidence).
    assert set(kinds) == {
        "Post",
        "BitstringStatusListCredential",
        "MembershipCredential",
    }
    # The hub kept the did:agora logs the bundle carried: a later post by
    # one of those authors verifies alone.
    later = next(
        p for p in corpus.posts[30:] if str(p["issuer"]).startswith("did:agora")
    )
    alone = httpx.post(hub.url + "/objects", json=later, timeout=30).json()
    assert alone["results"][0]["outcome"] == "stored"
    log = httpx.get(f"{hub.url}/dids/{later['issuer']}/log", timeout=10)
    assert log.status_code == 200


def test_tampered_object_is_rejected_with_a_problem(
    hub_process: Callable[..., Hub],
) -> None:
    hub = hub_process()
    tampered = post(0, 5)
    tampered["credentialSubject"]["content"] = "not what was signed"
    answer = httpx.post(hub.url + "/objects", json=tampered, timeout=30).json()
    (result,) = answer["results"]
    assert result["outcome"] == "rejected"
    assert result["problems"][0]["check"] == "proof"
    assert httpx.get(hub.url + "/objects", timeout=10).json()["items"] == []


def test_a_streamed_body_over_the_cap_is_refused(
    hub_process: Callable[..., Hub],
) -> None:
    hub = hub_process(env={"AGORA_HUB_MAX_BODY_BYTES": "5000"})

    def chunks() -> Iterator[bytes]:
        yield b"["
        for _ in range(100):
            yield b" " * 100

    response = httpx.post(hub.url + "/objects", content=chunks(), timeout=30)
    assert response.status_code == 413
    assert response.json()["code"] == "bodyTooLarge"
    assert "content-length" not in {k.lower() for k in response.request.headers}
