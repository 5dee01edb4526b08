"""``agora hub push`` (in process, CliRunner) against real hub processes,
and ``agora hub serve`` options: several workers, the rate limit."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.hub.conftest import Hub
from tests.unit.bundle.corpus import Corpus
from tests.unit.store.objects import post
from wallet_cli.app import app

runner = CliRunner()


def test_push_for_people_lists_rejected_objects(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    hub = hub_process()
    tampered = post(0, 60)
    tampered["credentialSubject"]["content"] = "\x1b[31mchanged"
    source = tmp_path / "objects.jsonl"
    source.write_text(
        "\n".join(json.dumps(d) for d in (post(0, 61), tampered, post(1, 62))) + "\n"
    )
    result = runner.invoke(
        app, ["hub", "push", str(source), "--to", hub.url], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 1
    assert "2 stored, 0 already present, 1 rejected" in result.stdout
    assert "PROOF_VERIFICATION_ERROR" in result.stdout or "proof" in result.stdout
    assert "\x1b" not in result.stdout
    again = runner.invoke(app, ["hub", "push", str(source), "--to", hub.url, "--json"])
    report = json.loads(again.stdout)
    assert (report["stored"], report["present"], report["rejected"]) == (0, 2, 1)


def test_push_splits_a_big_bundle(
    hub_process: Callable[..., Hub],
    corpus: Corpus,
    tmp_path: Path,
) -> None:
    hub = hub_process(env={"AGORA_HUB_MAX_OBJECTS": "7"})
    bundle = tmp_path / "all.bundle.jsonl"
    bundle.write_bytes(corpus.bundle(corpus.posts))
    result = runner.invoke(
        app,
        ["hub", "push", "-", "--to", hub.url, "--batch", "7"],
        input=bundle.read_bytes(),
    )
    assert result.exit_code == 0, result.output
    assert f"sent {len(corpus.posts)} of {len(corpus.posts)} objects" in result.stderr
    count = httpx.get(
        hub.url + "/objects", params={"limit": 500, "type": "Post"}, timeout=10
    ).json()
    assert len(count["items"]) == len(corpus.posts)
    # The hub itself refuses more objects than its limit in one request.
    over = httpx.post(hub.url + "/objects", json=[{}] * 8, timeout=10)
    assert over.status_code == 413
    assert over.json()["code"] == "tooManyObjects"


def test_push_to_nowhere_is_a_transport_failure(tmp_path: Path) -> None:
    source = tmp_path / "one.json"
    source.write_text(json.dumps(post(0, 63)))
    result = runner.invoke(
        app, ["hub", "push", str(source), "--to", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 3


def test_two_workers_share_one_store(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    hub = hub_process(extra_args=("--workers", "2"), env={"AGORA_HUB_MAX_PAGE": "3"})
    documents = [post(0, 70 + n) for n in range(6)]
    for document in documents:
        answer = httpx.post(hub.url + "/objects", json=document, timeout=30).json()
        assert answer["stored"] == 1
    page = httpx.get(hub.url + "/objects", params={"limit": 50}, timeout=10).json()
    assert len(page["items"]) == 3  # the page cap came through the environment
    rest = httpx.get(
        hub.url + "/objects", params={"cursor": page["cursor"]}, timeout=10
    )
    assert [i["document"] for i in page["items"] + rest.json()["items"]] == documents


def test_rate_limit_of_a_real_process(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    hub = hub_process(extra_args=("--rate", "0.2", "--log", str(tmp_path / "hub.log")))
    with httpx.Client(base_url=hub.url, timeout=10) as client:
        statuses = [client.get("/objects").status_code for _ in range(3)]
        refused = client.get("/objects")
    assert statuses[0] == 200
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    assert "GET /objects" in (tmp_path / "hub.log").read_text()


def test_serve_assembles_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    # Several workers get the settings through the environment: a copy here.
    monkeypatch.setattr(os, "environ", {**os.environ})
    calls: list[tuple[object, dict[str, object]]] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda target, **options: calls.append((target, options))
    )
    monkeypatch.delenv("AGORA_HUB_DB", raising=False)
    db = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    log = tmp_path / "server.log"
    env = {"AGORA_HUB_MAX_PAGE": "7"}
    one = runner.invoke(
        app,
        [
            *("hub", "serve", "--db", db, "--port", "0", "--rate", "2"),
            *("--log", str(log), "--view-refresh", "0"),
        ],
        env=env,
    )
    assert one.exit_code == 0, one.output
    target, options = calls.pop()
    state = target.state.hub  # type: ignore[attr-defined]
    try:
        assert (state.settings.db, state.settings.rate) == (db, 2.0)
        assert state.settings.max_page == 7
        assert state.settings.view_refresh == 0.0
        assert options["log_config"]["handlers"]["file"]["filename"] == str(log)  # type: ignore[index]
    finally:
        state.close()
    many = runner.invoke(
        app,
        [
            *("hub", "serve", "--db", db, "--workers", "3", "--did-log", "a.jsonl"),
            *("--view-refresh", "2.5"),
        ],
        env=env,
    )
    assert many.exit_code == 0, many.output
    target, options = calls.pop()
    assert target == "hub.app:app_from_env"
    assert options["factory"] is True
    assert options["workers"] == 3
    assert os.environ["AGORA_HUB_DB"] == db
    assert os.environ["AGORA_HUB_LOGS"] == '["a.jsonl"]'
    assert os.environ["AGORA_HUB_VIEW_REFRESH"] == "2.5"


def test_serve_refuses_unusable_settings() -> None:
    result = runner.invoke(
        app, ["hub", "serve", "--db", "x"], env={"AGORA_HUB_MAX_PAGE": "none"}
    )
    assert result.exit_code == 2
    negative = runner.invoke(app, ["hub", "serve", "--view-refresh", "-1"])
    assert negative.exit_code == 2


def test_push_a_did_agora_log_alone(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    from ssi.wallet import Wallet, agora_log, create_agora_did, rotate_agora_did
    from tests.unit.wallet.helpers import PASSPHRASE, new_wallet

    hub = hub_process()
    did = create_agora_did(new_wallet(tmp_path / "w"), alias="me").did
    first = tmp_path / "me-1.jsonl"
    entries = agora_log(Wallet.open(tmp_path / "w", PASSPHRASE), "me")
    first.write_text("".join(json.dumps(entry) + "\n" for entry in entries))
    assert httpx.get(f"{hub.url}/dids/{did}/log", timeout=10).status_code == 404

    pushed = runner.invoke(app, ["hub", "push", str(first), "--to", hub.url, "--json"])
    assert pushed.exit_code == 0, pushed.output
    assert json.loads(pushed.stdout) == {
        "hub": hub.url,
        "did": did,
        "entries": 1,
        "kept": True,
        "hubVersion": 1,
    }
    assert httpx.get(f"{hub.url}/dids/{did}/log", timeout=10).status_code == 200

    # After a rotation, the longer log replaces it; the shorter one is then
    # part of what the hub keeps.
    wallet = Wallet.open(tmp_path / "w", PASSPHRASE)
    rotate_agora_did(wallet, "me")
    second = tmp_path / "me-2.jsonl"
    lines = agora_log(wallet, "me")
    second.write_text("".join(json.dumps(entry) + "\n" for entry in lines))
    shown = runner.invoke(app, ["hub", "push", str(second), "--to", hub.url])
    assert shown.exit_code == 0, shown.output
    assert f"the log of {did} is kept by {hub.url}: version 2" in shown.stdout
    again = runner.invoke(app, ["hub", "push", str(first), "--to", hub.url, "--json"])
    assert json.loads(again.stdout)["hubVersion"] == 2

    # A log that does not validate is refused here, before anything is sent.
    tampered = dict(lines[1])
    tampered["time"] = "2030-01-01T00:00:00.000Z"
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(lines[0]) + "\n" + json.dumps(tampered) + "\n")
    refused = runner.invoke(app, ["hub", "push", str(broken), "--to", hub.url])
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error[invalidLogTime]: log entry 2: ")
    log = httpx.get(f"{hub.url}/dids/{did}/log", timeout=10).text
    assert "2030-01-01" not in log


def test_push_of_a_bundle_holding_only_a_did_log(
    hub_process: Callable[..., Hub], corpus: Corpus, tmp_path: Path
) -> None:
    hub = hub_process()
    identity = next(a for a in corpus.authors if a.did.startswith("did:agora:"))
    media = "application/vnd.agora.bundle+jsonl"
    header = {"kind": "header", "mediaType": media, "version": 1}
    lines = [header, {"kind": "didLog", "did": identity.did, "entries": identity.log}]
    source = tmp_path / "log.bundle.jsonl"
    # Written with spaces after the separators, as json.dumps does by default.
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert httpx.get(f"{hub.url}/dids/{identity.did}/log").status_code == 404
    result = runner.invoke(app, ["hub", "push", str(source), "--to", hub.url, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["stored"], report["rejected"]) == (0, 0)
    served = httpx.get(f"{hub.url}/dids/{identity.did}/log")
    assert served.status_code == 200
    assert len(served.text.splitlines()) == len(identity.log)
