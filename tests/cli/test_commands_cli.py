"""Command manners from issue 9: deactivated DIDs (item 12), the rotation
warning (item 7), ``--out`` and ``--force``, files with secrets, lists as
``items``, ``vc show --raw``, ``vc delete`` confirmation, aliases wherever a
DID is accepted, admission rules, and the new ``community list``,
``did dereference`` and ``key import``.

In process with CliRunner, human and --json output; wallets use the ``test``
KDF profile.
"""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import ssi
from ssi.wallet import (
    KDFParams,
    Wallet,
    create_agora_did,
    create_community,
    deactivate_agora_did,
)
from tests.cli.helpers import json_error, one_error
from wallet_cli import session
from wallet_cli.app import app

PASSPHRASE = "commands test passphrase"
runner = CliRunner()


def invoke(args: list[str], home: Path, passphrase: str | None = PASSPHRASE, **kw):
    env: dict[str, str | None] = {
        "AGORA_HOME": str(home),
        "AGORA_PASSPHRASE": passphrase,
        "COLUMNS": "1000",
    }
    return runner.invoke(app, args, env=env, **kw)


def ok(result: Any) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return str(result.stdout)


def as_json(result: Any) -> Any:
    return json.loads(ok(result))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("commands") / "wallet"
    wallet = Wallet.create(home, PASSPHRASE, kdf=KDFParams.profile("test"))
    alice = wallet.create_did(alias="alice")
    gone = create_agora_did(wallet, alias="gone")
    deactivate_agora_did(wallet, "gone")
    me = create_agora_did(wallet, alias="me")
    engines = create_community(wallet, "Analytical Engines", alias="engines")
    return {
        "home": home,
        "alice": alice.did,
        "gone": gone.did,
        "me": me.did,
        "engines": engines.did,
    }


@pytest.fixture
def home(base: dict[str, Any], tmp_path: Path) -> Path:
    copy = tmp_path / "wallet"
    shutil.copytree(base["home"], copy)
    return copy


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "stdin_is_interactive", lambda: True)


ISSUE = ["vc", "issue", "--subject", "did:example:bob", "--type", "T"]


# --- Item 12: deactivated DIDs ------------------------------------------------------


def test_a_deactivated_did_does_not_issue(base, home):
    result = invoke([*ISSUE, "--issuer", "gone", "--claims", "{}"], home)
    line = one_error(result, "didDeactivated", 2)
    assert f"{base['gone']} is deactivated" in line
    assert result.stdout == ""
    body = as_json(invoke(["vc", "list", "--json"], home))
    assert body["items"] == []
    by_did = invoke([*ISSUE, "--issuer", base["gone"], "--claims", "{}"], home)
    one_error(by_did, "didDeactivated", 2)
    assert ok(invoke([*ISSUE, "--issuer", "me", "--claims", "{}"], home))


def test_deactivated_dids_are_marked(base):
    items = as_json(invoke(["did", "list", "--json"], base["home"]))["items"]
    state = {item["alias"]: item["deactivated"] for item in items}
    assert state == {"alice": False, "gone": True, "me": False, "engines": False}
    human = ok(invoke(["did", "list"], base["home"]))
    [row] = [line for line in human.splitlines() if base["gone"] in line]
    assert "DEACTIVATED" in row
    [row] = [line for line in human.splitlines() if base["me"] in line]
    assert "DEACTIVATED" not in row
    shown = as_json(invoke(["did", "show", "gone", "--json"], base["home"]))
    assert shown["deactivated"] is True
    assert "DEACTIVATED" in ok(invoke(["did", "show", "gone"], base["home"]))
    assert (
        as_json(invoke(["did", "show", "me", "--json"], base["home"]))["deactivated"]
        is False
    )
    assert "DEACTIVATED" not in ok(invoke(["did", "show", "me"], base["home"]))


# --- Item 7: rotate explains the choice ----------------------------------------------


def test_rotate_help_recommends_compromised_after_a_loss():
    text = " ".join(ok(runner.invoke(app, ["did", "rotate", "--help"])).split())
    assert "lost or stolen" in text
    assert "--compromised" in text
    assert "before the rotation keep verifying" in text


def test_a_plain_rotation_warns_and_names_the_command(home):
    body = as_json(invoke(["did", "rotate", "me", "--json"], home))
    assert body["rotatedOutKeys"] == ["#key-1"]
    assert "--compromised '#key-1'" in body["warning"]
    assert "lost or stolen" in body["warning"]
    human = " ".join(ok(invoke(["did", "rotate", "me"], home)).split())
    assert "warning" in human
    assert "agora did rotate me --compromised" in human
    marked = as_json(
        invoke(["did", "rotate", "me", "--compromised", "#key-3", "--json"], home)
    )
    assert "warning" not in marked
    assert len(marked["compromisedKeys"]) == 1


# --- --out, --force, secret files ---------------------------------------------------


def test_out_with_json_reports_the_file(home, tmp_path):
    target = tmp_path / "issued.json"
    args = [*ISSUE, "--issuer", "alice", "--claims", "{}", "--out", str(target)]
    body = as_json(invoke([*args, "--json"], home))
    written = json.loads(target.read_text(encoding="utf-8"))
    assert body == {
        "out": str(target),
        "id": written["id"],
        "type": ["VerifiableCredential", "T"],
        "cryptosuite": "eddsa-jcs-2022",
    }
    admitted = tmp_path / "ada.json"
    admit = ["community", "admit", "engines", "did:example:ada"]
    summary = as_json(invoke([*admit, "--out", str(admitted), "--json"], home))
    assert summary["out"] == str(admitted)
    assert "proof" not in summary
    assert summary["id"] == json.loads(admitted.read_text(encoding="utf-8"))["id"]


def test_out_refuses_to_overwrite_without_force(home, tmp_path):
    target = tmp_path / "issued.json"
    target.write_text("keep me", encoding="utf-8")
    args = [*ISSUE, "--issuer", "alice", "--claims", "{}", "--out", str(target)]
    refused = invoke(args, home)
    assert str(target) in one_error(refused, "fileExists", 2)
    assert refused.stdout == ""
    refused = invoke([*args, "--json"], home)
    assert refused.exit_code == 2
    assert str(target) in json_error(refused, "fileExists")
    assert target.read_text(encoding="utf-8") == "keep me"
    assert as_json(invoke(["vc", "list", "--json"], home))["items"] == []
    ok(invoke([*args, "--force"], home))
    assert ssi.verify(json.loads(target.read_text(encoding="utf-8"))).verified
    log = tmp_path / "me.jsonl"
    export = ["did", "log", "export", "me", "--out", str(log)]
    ok(invoke(export, home))
    one_error(invoke(export, home), "fileExists", 2)
    ok(invoke([*export, "--force"], home))
    lists = tmp_path / "status.json"
    publish = ["community", "status-list", "engines", "--out", str(lists)]
    ok(invoke(publish, home))
    one_error(invoke(publish, home), "fileExists", 2)
    assert ok(invoke([*publish, "--force", "--json"], home))


@pytest.fixture
def umask_zero():
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_secret_key_files_are_0600_whatever_the_umask(home, tmp_path, umask_zero):
    secret = tmp_path / "alice-secret.json"
    args = ["key", "export", "alice", "--private", "--yes", "--out", str(secret)]
    body = as_json(invoke([*args, "--json"], home))
    assert body["out"] == str(secret)
    assert body["secret"] is True
    assert "secretKeyMultibase" not in body
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert json.loads(secret.read_text(encoding="utf-8"))["secretKeyMultibase"]
    public = tmp_path / "alice-public.json"
    human = ok(invoke(["key", "export", "alice", "--out", str(public)], home))
    assert "public key written" in human
    assert stat.S_IMODE(public.stat().st_mode) == 0o666
    assert "secretKeyMultibase" not in public.read_text(encoding="utf-8")
    again = invoke([*args], home)
    one_error(again, "fileExists", 2)


# --- key import ---------------------------------------------------------------------


def test_key_import_round_trip(base, home, tmp_path):
    secret = tmp_path / "alice.json"
    ok(
        invoke(
            ["key", "export", "alice", "--private", "--yes", "--out", str(secret)], home
        )
    )
    other = tmp_path / "other"
    Wallet.create(other, PASSPHRASE, kdf=KDFParams.profile("test"))
    body = as_json(
        invoke(
            [
                "key",
                "import",
                str(secret),
                "--alias",
                "alice",
                "--did",
                "key",
                "--json",
            ],
            other,
        )
    )
    assert body["dids"] == [base["alice"]]
    assert body["alias"] == "alice"
    items = as_json(invoke(["did", "list", "--json"], other))["items"]
    assert [(i["alias"], i["did"]) for i in items] == [("alice", base["alice"])]
    signed = as_json(invoke([*ISSUE, "--issuer", "alice", "--claims", "{}"], other))
    assert ssi.verify(signed).verified
    twice = invoke(["key", "import", str(secret)], other)
    one_error(twice, "recordConflict", 2)
    public = tmp_path / "public.json"
    ok(invoke(["key", "export", "alice", "--out", str(public)], home))
    refused = invoke(["key", "import", str(public)], other)
    assert "public key only" in one_error(refused, "unusableInput", 2)
    multikey = tmp_path / "multikey.txt"
    fresh = ssi.generate_key("Ed25519")
    multikey.write_text(fresh.export_multikey(private=True) + "\n", encoding="utf-8")
    human = ok(invoke(["key", "import", str(multikey), "--did", "jwk"], other))
    assert "key imported" in human
    assert ssi.did_jwk(fresh) in human


# --- Lists are objects with items -------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["did", "list"],
        ["key", "list"],
        ["vc", "list"],
        ["community", "list"],
        ["community", "members", "engines"],
        ["status", "list"],
    ],
    ids=" ".join,
)
def test_every_list_is_an_object_with_items(base, command):
    body = as_json(invoke([*command, "--json"], base["home"]))
    assert isinstance(body, dict)
    assert isinstance(body["items"], list)


def test_community_list(base, tmp_path):
    body = as_json(invoke(["community", "list", "--json"], base["home"]))
    [item] = body["items"]
    assert (item["did"], item["alias"], item["name"]) == (
        base["engines"],
        "engines",
        "Analytical Engines",
    )
    assert item["members"] == 0
    human = ok(invoke(["community", "list"], base["home"]))
    assert "Analytical Engines" in human
    assert base["engines"] in human
    empty = tmp_path / "empty"
    Wallet.create(empty, PASSPHRASE, kdf=KDFParams.profile("test"))
    assert "No communities yet" in ok(invoke(["community", "list"], empty))


# --- vc show --raw, vc delete --------------------------------------------------------


def test_vc_show_raw_prints_the_credential_as_stored(home):
    signed = as_json(invoke([*ISSUE, "--issuer", "alice", "--claims", "{}"], home))
    for mode in ([], ["--json"]):
        shown = as_json(invoke(["vc", "show", signed["id"], "--raw", *mode], home))
        assert shown == signed
    record = as_json(invoke(["vc", "show", signed["id"], "--json"], home))
    assert record["credential"] == signed


def test_vc_delete_asks_for_a_confirmation(home, monkeypatch):
    signed = as_json(invoke([*ISSUE, "--issuer", "alice", "--claims", "{}"], home))
    refused = invoke(["vc", "delete", signed["id"]], home)
    one_error(refused, "confirmationRequired", 2)
    assert ok(invoke(["vc", "show", signed["id"]], home))
    monkeypatch.setattr(session, "stdin_is_interactive", lambda: True)
    declined = invoke(["vc", "delete", signed["id"]], home, input="n\n")
    assert declined.exit_code == 2
    assert "[y/N]" in declined.stderr
    assert "error[notConfirmed]: " in declined.stderr
    assert ok(invoke(["vc", "show", signed["id"]], home))
    accepted = invoke(["vc", "delete", signed["id"]], home, input="y\n")
    assert f"Deleted {signed['id']}" in ok(accepted)
    gone = invoke(["vc", "show", signed["id"]], home)
    one_error(gone, "recordNotFound", 1)


# --- Aliases and admission ------------------------------------------------------------


def test_aliases_work_where_a_did_is_accepted(base, home):
    resolved = as_json(invoke(["did", "resolve", "alice", "--json"], home))
    assert resolved["didDocument"]["id"] == base["alice"]
    agora = as_json(invoke(["did", "resolve", "me", "--json"], home))
    assert agora["didDocument"]["id"] == base["me"]
    admitted = as_json(invoke(["community", "admit", "engines", "alice"], home))
    assert admitted["credentialSubject"]["id"] == base["alice"]
    unknown = invoke(["did", "resolve", "nobody"], home)
    one_error(unknown, "recordNotFound", 1)


def test_admitting_twice_or_with_an_empty_role_is_refused(base, home):
    admit = ["community", "admit", "engines", "did:example:ada"]
    first = as_json(invoke(admit, home))
    again = invoke(admit, home)
    assert first["id"] in one_error(again, "recordConflict", 2)
    ok(invoke(["community", "revoke", "engines", first["id"]], home))
    assert as_json(invoke(admit, home))["credentialSubject"]["id"] == (
        "did:example:ada"
    )
    for role in ("", "  "):
        empty = invoke(
            ["community", "admit", "engines", "did:example:cy", "--role", role], home
        )
        one_error(empty, "unusableInput", 2)
    members = as_json(invoke(["community", "members", "engines", "--json"], home))
    assert [m["member"] for m in members["items"]] == ["did:example:ada"] * 2


# --- did dereference ----------------------------------------------------------------


def test_did_dereference(base, tmp_path):
    fragment = base["alice"].removeprefix("did:key:")
    url = f"{base['alice']}#{fragment}"
    body = as_json(invoke(["did", "dereference", url, "--json"], tmp_path / "none"))
    assert body["contentStream"]["id"] == url
    assert body["contentStream"]["type"] == "Multikey"
    assert body["dereferencingMetadata"].get("error") is None
    human = ok(invoke(["did", "dereference", url], tmp_path / "none"))
    assert "verification method" in human
    assert fragment in human
    document = as_json(
        invoke(["did", "dereference", base["alice"], "--json"], tmp_path / "none")
    )
    assert document["contentStream"]["id"] == base["alice"]
    missing = invoke(["did", "dereference", base["alice"] + "#nope"], tmp_path / "none")
    one_error(missing, "notFound", 1)
    as_json_missing = invoke(
        ["did", "dereference", base["alice"] + "#nope", "--json"], tmp_path / "none"
    )
    assert as_json_missing.exit_code == 1
    metadata = json.loads(as_json_missing.stdout)["dereferencingMetadata"]
    assert metadata["error"] == "notFound"


# --- did remove ---------------------------------------------------------------------


def test_did_remove_needs_a_confirmation_and_says_it_is_not_deactivation(
    base, home, monkeypatch
):
    refused = invoke(["did", "remove", "alice"], home)
    assert "not deactivation" in one_error(refused, "confirmationRequired", 2)
    assert ok(invoke(["did", "show", "alice"], home))
    monkeypatch.setattr(session, "stdin_is_interactive", lambda: True)
    wrong = invoke(["did", "remove", "alice"], home, input="bob\n")
    assert wrong.exit_code == 2
    assert "error[notConfirmed]" in wrong.stderr
    typed = invoke(["did", "remove", "alice"], home, input="alice\n")
    human = " ".join(ok(typed).split())
    assert "DID removed from the wallet" in human
    assert "not deactivated" in human
    assert "type alice to confirm" in typed.stderr
    gone = invoke(["did", "show", "alice"], home)
    one_error(gone, "recordNotFound", 1)
    log = home.parent / "me.jsonl"
    ok(invoke(["did", "log", "export", "me", "--out", str(log)], home))
    body = as_json(invoke(["did", "remove", "me", "--yes", "--json"], home))
    assert body["removed"] == base["me"]
    assert "not deactivated" in body["warning"]
    aliases = [
        i["alias"] for i in as_json(invoke(["did", "list", "--json"], home))["items"]
    ]
    assert aliases == ["gone", "engines"]
    # Not deactivation: the DID still resolves from its log, for everyone.
    resolved = as_json(
        invoke(["did", "resolve", base["me"], "--log", str(log), "--json"], home)
    )
    assert resolved["didDocument"]["id"] == base["me"]
    assert not resolved["didDocumentMetadata"].get("deactivated")
