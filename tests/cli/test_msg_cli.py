"""``agora msg send | read | inbox``: DIDComm messages between two wallets,
through files, pipes and a real hub inbox.

Ada (did:key) and Bo (did:agora) know each other as contacts; Ada's wallet
holds Bo's log. Each test checks the text and ``--json`` output, the
sender's proof, escaping of the stranger's text, and the errors (each with
its code and exit code).

Spec: docs/cli.md (Messages), https://identity.foundation/didcomm-messaging/spec/v2.1/
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from hub.client import deliver
from ssi.encoding import decode_base64url, encode_base64url
from ssi.wallet import (
    Wallet,
    add_contact,
    agora_log,
    create_agora_did,
    import_agora_log,
    rotate_agora_did,
)
from tests.cli.helpers import json_error, one_error
from tests.hub.conftest import Hub, start_hub
from tests.unit.wallet.helpers import PASSPHRASE, new_wallet
from wallet_cli.app import app

runner = CliRunner()


def agora(home: Path, *args: str, input: str | None = None) -> Any:
    return runner.invoke(
        app,
        list(args),
        input=input,
        env={
            "AGORA_HOME": str(home),
            "AGORA_PASSPHRASE": PASSPHRASE,
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "FORCE_COLOR": None,
            "TTY_COMPATIBLE": None,
        },
    )


def ok(result: Any) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return str(result.stdout)


@dataclass
class People:
    ada: Path
    bo: Path
    eve: Path
    ada_did: str
    bo_did: str
    eve_did: str


@pytest.fixture
def people(tmp_path: Path) -> People:
    ada_wallet = new_wallet(tmp_path / "ada")
    bo_wallet = new_wallet(tmp_path / "bo")
    eve_wallet = new_wallet(tmp_path / "eve")
    ada = ada_wallet.create_did(alias="ada").did
    bo = create_agora_did(bo_wallet, alias="bo").did
    eve = eve_wallet.create_did(alias="eve").did
    import_agora_log(ada_wallet, agora_log(bo_wallet, "bo"))
    add_contact(ada_wallet, "Bo", bo)
    add_contact(bo_wallet, "Ada", ada)
    return People(tmp_path / "ada", tmp_path / "bo", tmp_path / "eve", ada, bo, eve)


def send(people: People, *args: str) -> str:
    return ok(agora(people.ada, "msg", "send", "--as", "ada", "--to", "Bo", *args))


def read_json(home: Path, who: str, source: str, input: str | None = None) -> Any:
    result = agora(
        home, "msg", "read", "--as", who, "--from", source, "--json", input=input
    )
    return result, json.loads(result.stdout)


def test_an_authcrypted_message_proves_its_sender(people: People, tmp_path: Path):
    packed = tmp_path / "m.json"
    summary = json.loads(
        send(people, "--text", "See you at 6", "--out", str(packed), "--json")
    )
    assert summary["mode"] == "authcrypt"
    assert summary["from"] == people.ada_did
    assert summary["to"] == people.bo_did
    envelope = json.loads(packed.read_text())
    assert "See you at 6" not in packed.read_text()
    header = json.loads(decode_base64url(envelope["protected"]))
    assert header["alg"] == "ECDH-1PU+A256KW"
    assert [r["header"]["kid"] for r in envelope["recipients"]] == [
        people.bo_did + "#agreement-1"
    ]

    result, body = read_json(people.bo, "bo", str(packed))
    assert result.exit_code == 0, result.stderr
    [item] = body["items"]
    assert item["text"] == "See you at 6"
    assert item["from"] == people.ada_did
    assert item["fromName"] == "Ada"
    assert item["senderProven"] is True
    assert item["mode"] == "authcrypt"
    assert item["recipientKid"] == people.bo_did + "#agreement-1"
    assert item["id"] == summary["id"]
    assert item["created"].endswith("Z")

    text = ok(agora(people.bo, "msg", "read", "--as", "bo", "--from", str(packed)))
    assert f"Ada ({people.ada_did})" in text
    assert "proven (authcrypt" in text
    assert "See you at 6" in text


def test_an_anonymous_message_names_nobody(people: People):
    packed = send(people, "--text", "guess who", "--anon")
    result, body = read_json(people.bo, "bo", "-", input=packed)
    assert result.exit_code == 0, result.stderr
    [item] = body["items"]
    assert item["from"] is None
    assert item["senderProven"] is False
    assert item["mode"] == "anoncrypt"
    assert item["text"] == "guess who"
    text = ok(agora(people.bo, "msg", "read", "--as", "bo", input=packed))
    assert "nobody (anonymous)" in text
    assert "not proven: anonymous, the message names no sender" in text


def test_an_anonymous_message_to_a_did_needs_no_wallet(people: People, tmp_path: Path):
    nobody = tmp_path / "nobody"
    note = tmp_path / "note.json"
    args = ("msg", "send", "--anon", "--to", people.ada_did, "--text", "psst")
    shown = ok(agora(nobody, *args, "--out", str(note)))
    assert "message written" in shown
    assert "nobody (anonymous)" in shown
    assert not nobody.exists()
    result, body = read_json(people.ada, "ada", str(note))
    assert result.exit_code == 0, result.stdout
    assert body["items"][0]["text"] == "psst"
    assert body["items"][0]["senderProven"] is False
    # A name needs the wallet that holds it.
    named = agora(nobody, "msg", "send", "--anon", "--to", "Ada", "--text", "x")
    one_error(named, "walletNotFound", 2)


def test_a_file_message_through_a_pipe_with_escaped_text(
    people: People, tmp_path: Path
):
    note = tmp_path / "note.txt"
    hostile = "line one\n\x1b[31mred\x1b[0m [bold]not bold[/] \u202egnp.exe"
    note.write_text(hostile, encoding="utf-8")
    packed = send(people, "--file", str(note))
    shown = ok(agora(people.bo, "msg", "read", "--as", "bo", input=packed))
    assert "\x1b" not in shown
    assert "\u202e" not in shown
    assert "\\x1b[31mred" in shown
    assert "[bold]not bold[/]" in shown
    assert "\\u202egnp.exe" in shown
    _, body = read_json(people.bo, "bo", "-", input=packed)
    assert body["items"][0]["text"] == hostile


def test_messages_sent_before_a_rotation_still_decrypt(people: People, tmp_path: Path):
    before = send(people, "--text", "before")
    bo_wallet = Wallet.open(people.bo, PASSPHRASE)
    rotate_agora_did(bo_wallet, "bo")
    ada_wallet = Wallet.open(people.ada, PASSPHRASE)
    import_agora_log(ada_wallet, agora_log(bo_wallet, "bo"))
    after = send(people, "--text", "after")
    for packed, kid, words in (
        (before, "#agreement-1", "before"),
        (after, "#agreement-2", "after"),
    ):
        result, body = read_json(people.bo, "bo", "-", input=packed)
        assert result.exit_code == 0, result.stderr
        assert body["items"][0]["text"] == words
        assert body["items"][0]["recipientKid"] == people.bo_did + kid


def test_failures_have_their_codes(people: People, tmp_path: Path):
    packed = send(people, "--text", "for Bo only")
    # Eve holds no key of Bo's.
    result, body = read_json(people.eve, "eve", "-", input=packed)
    assert result.exit_code == 1
    assert body["items"][0]["error"]["code"] == "notForYou"
    # A changed ciphertext.
    envelope = json.loads(packed)
    raw = bytearray(decode_base64url(envelope["ciphertext"]))
    raw[0] ^= 1
    envelope["ciphertext"] = encode_base64url(bytes(raw))
    result, body = read_json(people.bo, "bo", "-", input=json.dumps(envelope))
    assert result.exit_code == 1
    assert body["items"][0]["error"]["code"] == "decryptionFailed"
    text = agora(people.bo, "msg", "read", "--as", "bo", input=json.dumps(envelope))
    assert text.exit_code == 1
    assert "could not be read" in text.stdout
    assert "decryptionFailed" in text.stdout
    # Not JSON at all.
    result, body = read_json(people.bo, "bo", "-", input="hello")
    assert body["items"][0]["error"]["code"] == "malformedMessage"
    # Usage errors: exit 2.
    both = agora(
        people.ada,
        "msg",
        "send",
        "--as",
        "ada",
        "--to",
        "Bo",
        "--text",
        "a",
        "--file",
        "x",
    )
    one_error(both, "unusableInput", 2)
    neither = agora(people.ada, "msg", "send", "--as", "ada", "--to", "Bo")
    one_error(neither, "unusableInput", 2)
    two_ways = agora(
        people.ada,
        "msg",
        "send",
        "--as",
        "ada",
        "--to",
        "Bo",
        "--text",
        "a",
        "--via",
        "http://127.0.0.1:9",
        "--out",
        "-",
    )
    one_error(two_ways, "unusableInput", 2)
    no_sender = agora(people.ada, "msg", "send", "--to", "Bo", "--text", "a")
    one_error(no_sender, "unusableInput", 2)
    # Nobody by that name; a did:agora DID whose log is not at hand.
    nobody = agora(
        people.ada, "msg", "send", "--as", "ada", "--to", "Nobody", "--text", "a"
    )
    one_error(nobody, "recordNotFound", 1)
    unknown = agora(
        people.eve,
        "--json",
        "msg",
        "send",
        "--as",
        "eve",
        "--to",
        people.bo_did,
        "--text",
        "a",
    )
    assert unknown.exit_code == 1
    json_error(unknown, "unresolvableDid")


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    folder = tmp_path / "hub"
    folder.mkdir()
    running = start_hub(folder)
    try:
        yield running
    finally:
        running.stop()


def test_through_a_hub_inbox(people: People, hub: Hub, tmp_path: Path):
    bob_key = ok(agora(people.bo, "did", "create", "--alias", "bokey", "--json"))
    bo_key = json.loads(bob_key)["did"]
    sent = json.loads(
        ok(
            agora(
                people.ada,
                "msg",
                "send",
                "--as",
                "ada",
                "--to",
                bo_key,
                "--text",
                "secret plans",
                "--via",
                hub.url,
                "--json",
            )
        )
    )
    assert sent["hub"] == hub.url
    assert sent["inboxId"]
    human = ok(
        agora(
            people.eve,
            "msg",
            "send",
            "--anon",
            "--to",
            bo_key,
            "--text",
            "psst",
            "--via",
            hub.url,
        )
    )
    assert "message sent" in human
    # The hub keeps ciphertext only.
    stored = b"".join(
        p.read_bytes() for p in (tmp_path / "hub").rglob("*") if p.is_file()
    )
    assert b"secret plans" not in stored
    assert b"psst" not in stored

    listing = ok(agora(people.bo, "msg", "inbox", "--as", "bokey", "--hub", hub.url))
    assert "Ada (" in listing
    assert "secret plans" in listing
    assert "anonymous" in listing
    assert "not proven (anonymous)" in listing
    assert "proven" in listing
    result = agora(
        people.bo, "msg", "read", "--as", "bokey", "--from", hub.url, "--json"
    )
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    assert [(i["text"], i["senderProven"]) for i in items] == [
        ("secret plans", True),
        ("psst", False),
    ]
    # Someone else's DID sees its own (empty) inbox, never Bo's.
    empty = json.loads(
        ok(agora(people.ada, "msg", "inbox", "--as", "ada", "--hub", hub.url, "--json"))
    )
    assert empty["items"] == []

    deleted = json.loads(
        ok(
            agora(
                people.bo,
                "msg",
                "inbox",
                "--as",
                "bokey",
                "--hub",
                hub.url,
                "--delete",
                "--json",
            )
        )
    )
    assert deleted["deleted"] == 2
    assert all(item["deleted"] for item in deleted["items"])
    again = ok(agora(people.bo, "msg", "inbox", "--as", "bokey", "--hub", hub.url))
    assert "is empty" in again


def rotate_bo(people: People) -> tuple[str, ...]:
    rotate_agora_did(Wallet.open(people.bo, PASSPHRASE), "bo")
    return ("msg", "send", "--as", "bo", "--to", "Ada")


def test_a_rotation_is_announced_with_from_prior_and_the_log(people: People):
    bo_send = rotate_bo(people)
    # Ada still holds Bo's old log: a plain message from Bo's new key fails.
    plain = ok(agora(people.bo, *bo_send, "--text", "new keys"))
    result, body = read_json(people.ada, "ada", "-", input=plain)
    assert result.exit_code == 1
    assert body["items"][0]["error"]["code"] == "senderKeyNotInDocument"
    # Announced under the key Ada knows; the from_prior is checked and Ada's
    # wallet keeps the new log.
    announced = ok(agora(people.bo, *bo_send, "--text", "hi", "--announce-rotation"))
    result, body = read_json(people.ada, "ada", "-", input=announced)
    assert result.exit_code == 0, result.stdout
    [item] = body["items"]
    assert item["text"] == "hi"
    assert item["senderProven"] is True
    assert item["senderKid"] == people.bo_did + "#agreement-1"
    prior = item["fromPrior"]
    assert prior["iss"] == prior["sub"] == people.bo_did
    assert prior["kid"] == people.bo_did + "?versionId=1#key-1"
    assert prior["log"] == "kept in the wallet (version 2)"
    # Now the plain message reads, and Ada writes to Bo's new key.
    result, body = read_json(people.ada, "ada", "-", input=plain)
    assert result.exit_code == 0, result.stdout
    assert body["items"][0]["senderKid"] == people.bo_did + "#agreement-2"
    reply = ok(
        agora(people.ada, "msg", "send", "--as", "ada", "--to", "Bo", "--text", "ok")
    )
    result, body = read_json(people.bo, "bo", "-", input=reply)
    assert body["items"][0]["recipientKid"] == people.bo_did + "#agreement-2"


def test_a_rotation_announcement_in_text_and_its_refusals(people: People):
    bo_send = rotate_bo(people)
    announced = ok(agora(people.bo, *bo_send, "--text", "hi", "--announce-rotation"))
    text = ok(agora(people.ada, "msg", "read", "--as", "ada", input=announced))
    assert "rotation" in text
    assert f"new keys, announced with {people.bo_did}?versionId=1#key-1" in text
    assert "log kept in the wallet (version 2)" in text
    # Announcing needs a rotated did:agora DID, and a sender.
    never = agora(
        people.ada,
        *("msg", "send", "--as", "ada", "--to", "Bo", "--text", "x"),
        "--announce-rotation",
    )
    one_error(never, "recordNotFound", 1)
    anon = agora(
        people.ada,
        *("msg", "send", "--anon", "--to", "Bo", "--text", "x"),
        "--announce-rotation",
    )
    one_error(anon, "unusableInput", 2)


def test_a_did_agora_inbox_and_a_recipient_log_from_the_hub(
    people: People, hub: Hub, tmp_path: Path
):
    # Bo publishes his log on the hub (a bundle of it alone).
    entries = agora_log(Wallet.open(people.bo, PASSPHRASE), "bo")
    bundle = tmp_path / "bo.bundle.jsonl"
    header = {
        "kind": "header",
        "mediaType": "application/vnd.agora.bundle+jsonl",
        "version": 1,
    }
    lines = [header, {"kind": "didLog", "did": people.bo_did, "entries": entries}]
    bundle.write_text("".join(json.dumps(line) + "\n" for line in lines))
    pushed = httpx.post(
        hub.url + "/objects",
        content=bundle.read_bytes(),
        headers={"Content-Type": "application/vnd.agora.bundle+jsonl"},
    )
    assert pushed.status_code == 200, pushed.text
    assert httpx.get(f"{hub.url}/dids/{people.bo_did}/log").status_code == 200
    # Eve holds no log of Bo's: --via finds it on the hub (validated here).
    sent = agora(
        people.eve,
        *("msg", "send", "--as", "eve", "--to", people.bo_did, "--text", "hello Bo"),
        *("--via", hub.url),
    )
    assert sent.exit_code == 0, (sent.stdout, sent.stderr)
    # Bo signs in as his did:agora DID (the hub resolves it from its log book).
    result = agora(people.bo, "msg", "read", "--as", "bo", "--from", hub.url, "--json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    [item] = json.loads(result.stdout)["items"]
    assert item["text"] == "hello Bo"
    assert item["from"] == people.eve_did
    assert item["fromName"] is None
    assert item["senderProven"] is True
    shown = ok(agora(people.bo, "msg", "read", "--as", "bo", "--from", hub.url))
    assert f"{people.eve_did} (not a contact)" in shown


def test_a_message_that_cannot_be_read_stays_until_removed(people: People, hub: Hub):
    bo_key = json.loads(
        ok(agora(people.bo, "did", "create", "--alias", "bokey", "--json"))
    )["did"]
    other = json.loads(
        ok(agora(people.eve, "did", "create", "--alias", "evekey", "--json"))
    )["did"]
    # A message for someone else, delivered to Bo's inbox: he cannot read it.
    stray = people.eve / "stray.json"
    sent = agora(
        people.ada,
        *("msg", "send", "--as", "ada", "--to", other, "--text", "not for bo"),
        *("--out", str(stray)),
    )
    assert sent.exit_code == 0, sent.stderr
    stray_id = deliver(hub.url, bo_key, stray.read_text())
    inbox = ("msg", "inbox", "--as", "bokey", "--hub", hub.url)
    kept = agora(people.bo, *inbox, "--delete", "--json")
    assert kept.exit_code == 1
    report = json.loads(kept.stdout)
    assert report["deleted"] == 0
    assert [item["inboxId"] for item in report["items"]] == [stray_id]
    removed = json.loads(ok(agora(people.bo, *inbox, "--remove", stray_id, "--json")))
    assert removed["deleted"] == 1
    assert "is empty" in ok(agora(people.bo, *inbox))
    unknown = agora(people.bo, *inbox, "--remove", "nope", "--json")
    assert unknown.exit_code == 1
    json_error(unknown, "messageNotFound")
