"""``agora feed``: the store's threads as a tree, for people and with --json;
petnames from the wallet when it can be opened; filters; escaping."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

import ssi
from ssi.cid import object_cid
from ssi.credentials import FixedClock, Verifier
from ssi.keys import Ed25519KeyPair
from ssi.social import post_credential, reaction_credential, retraction_credential
from ssi.store import SQLiteStore
from ssi.wallet import add_contact
from tests.unit.wallet.helpers import PASSPHRASE, new_wallet
from wallet_cli.app import app

runner = CliRunner()
KEYS = [Ed25519KeyPair.from_seed(bytes([seed]) * 32) for seed in (41, 42)]
ADA, BOB = (ssi.did_key(key) for key in KEYS)
COMMUNITY = "did:example:engines"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def signed(credential: dict[str, Any], author: int) -> dict[str, Any]:
    return ssi.issue(
        credential, ssi.signer(KEYS[author]), created="2026-01-01T00:00:00Z"
    )


def invoke(home: Path, *args: str, passphrase: str | None = None) -> Result:
    env = {
        "AGORA_HOME": str(home),
        "AGORA_PASSPHRASE": passphrase,
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    return runner.invoke(app, list(args), env=env, input="")


def fill(home: Path, *objects: dict[str, Any]) -> None:
    home.mkdir(parents=True, exist_ok=True)
    with SQLiteStore(home / "store.sqlite") as store:
        results = store.add(
            list(objects), verifier=Verifier(clock=FixedClock(T0 + timedelta(days=1)))
        )
        assert {r.outcome for r in results} == {"stored"}


def thread() -> tuple[dict[str, Any], ...]:
    root = signed(
        post_credential(ADA, "Hello, engines", community=COMMUNITY, published=T0), 0
    )
    cid = object_cid(root)
    reply = signed(
        post_credential(
            BOB, "Hello, Ada", in_reply_to=cid, published=T0 + timedelta(minutes=1)
        ),
        1,
    )
    edit = signed(
        post_credential(
            ADA,
            "Hello, engines (edited)",
            replaces=cid,
            published=T0 + timedelta(minutes=2),
        ),
        0,
    )
    react = signed(
        reaction_credential(BOB, cid, "endorse", published=T0 + timedelta(minutes=3)), 1
    )
    other = signed(
        post_credential(BOB, "elsewhere", published=T0 + timedelta(minutes=4)), 1
    )
    gone = signed(
        retraction_credential(
            BOB, object_cid(other), published=T0 + timedelta(minutes=5)
        ),
        1,
    )
    return root, reply, edit, react, other, gone


def test_the_feed_is_a_tree_with_marks_and_counts(tmp_path):
    objects = thread()
    fill(tmp_path, *objects)
    result = invoke(tmp_path, "feed")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "2 threads, 3 posts, 0 orphans, 0 ignored objects"
    text = result.stdout
    assert "Hello, engines (edited)" in text
    assert "Hello, engines\n" not in text  # the edit is shown, not the original
    assert "edited 2026-01-01 00:02:00 UTC" in text
    assert "endorse 1" in text
    assert "retracted" in text
    assert "(retracted by its author)" in text
    assert "elsewhere" not in text
    reply_line = next(line for line in lines if "↳" in line)
    assert reply_line.startswith("    ↳ ")
    # No wallet: no petnames, and no claim that anyone is not a contact.
    assert "(not a contact)" not in text


def test_json_gives_the_same_structure(tmp_path):
    objects = thread()
    fill(tmp_path, *objects)
    result = invoke(tmp_path, "feed", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    root = object_cid(objects[0])
    assert body["threads"][0] == root
    first = body["entries"][0]
    assert (first["cid"], first["depth"], first["reactions"]) == (
        root,
        0,
        {"endorse": 1},
    )
    assert first["replies"] == [object_cid(objects[1])]
    assert first["post"]["content"] == "Hello, engines (edited)"
    assert body["entries"][1]["parent"] == root
    assert body["petnames"] == {}


def test_filters(tmp_path):
    objects = thread()
    fill(tmp_path, *objects)
    community = json.loads(
        invoke(tmp_path, "feed", "--json", "--community", COMMUNITY).stdout
    )
    assert community["threads"] == [object_cid(objects[0])]
    late = json.loads(
        invoke(tmp_path, "feed", "--json", "--since", "2026-01-01T00:03:30Z").stdout
    )
    assert late["threads"] == [object_cid(objects[4])]
    ada = json.loads(invoke(tmp_path, "feed", "--json", "--author", ADA).stdout)
    assert ada["threads"] == [object_cid(objects[0])]
    bad = invoke(tmp_path, "feed", "--since", "yesterday")
    assert bad.exit_code == 2
    assert "MALFORMED_VALUE_ERROR" in bad.stderr or "error[" in bad.stderr


def test_petnames_come_from_the_wallet(tmp_path):
    home = tmp_path / "home"
    wallet = new_wallet(home)
    add_contact(wallet, "Bob", BOB)
    fill(home, *thread())
    shown = invoke(home, "feed", passphrase=PASSPHRASE)
    assert shown.exit_code == 0, shown.output
    assert "↳ Bob · " in shown.stdout
    body = json.loads(
        invoke(home, "feed", "--json", "--author", "bob", passphrase=PASSPHRASE).stdout
    )
    assert body["petnames"] == {BOB: "Bob"}
    assert body["threads"] == [object_cid(thread()[0]), object_cid(thread()[4])]
    plain = invoke(home, "feed", "--no-petnames", passphrase=PASSPHRASE)
    assert "↳ Bob · " not in plain.stdout
    wrong = invoke(home, "feed", passphrase=PASSPHRASE + " but wrong")
    assert wrong.exit_code == 0  # petnames are a convenience: the feed still shows
    assert "petnames not shown" in wrong.stderr
    assert "↳ Bob · " not in wrong.stdout


def test_hostile_content_is_escaped(tmp_path):
    evil = signed(
        post_credential(ADA, "[red]x[/red]\x1b[2J\u202eevil", published=T0), 0
    )
    fill(tmp_path, evil)
    result = invoke(tmp_path, "feed")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "\u202e" not in result.stdout
    assert "[red]x[/red]" in result.stdout


def test_no_store_is_a_clear_error(tmp_path):
    result = invoke(tmp_path, "feed")
    assert result.exit_code == 2
    assert "error[storeAccess]" in result.stderr
    assert not (tmp_path / "store.sqlite").exists()


def test_post_show_reads_a_cid_from_the_store_with_petnames(tmp_path):
    home = tmp_path / "home"
    wallet = new_wallet(home)
    add_contact(wallet, "Bob", BOB)
    objects = thread()
    fill(home, *objects)
    reply = object_cid(objects[1])
    shown = invoke(home, "post", "show", reply, passphrase=PASSPHRASE)
    assert shown.exit_code == 0, shown.output
    assert f"Bob ({BOB})" in shown.stdout
    assert "Hello, Ada" in shown.stdout
    body = json.loads(
        invoke(home, "post", "show", reply, "--json", passphrase=PASSPHRASE).stdout
    )
    assert (body["cid"], body["petnames"]) == (reply, {BOB: "Bob"})
    stranger = invoke(home, "post", "show", reply)  # no passphrase: no petnames
    assert BOB in stranger.stdout
    assert "(not a contact)" not in stranger.stdout
    missing = object_cid({"not": "stored"})
    gone = invoke(home, "post", "show", missing)
    assert gone.exit_code == 1
    assert "error[objectNotFound]" in gone.stderr
    empty = invoke(tmp_path / "elsewhere", "post", "show", reply)
    assert empty.exit_code == 2
    assert "error[storeAccess]" in empty.stderr


def test_an_author_that_names_nobody_is_a_clear_error(tmp_path):
    home = tmp_path / "home"
    wallet = new_wallet(home)
    add_contact(wallet, "Bob", BOB)
    fill(home, *thread())
    result = invoke(home, "feed", "--author", "nobody", passphrase=PASSPHRASE)
    assert result.exit_code == 1
    assert "error[recordNotFound]" in result.stderr
    assert "is not a DID, a contact's name or an alias" in result.stderr
