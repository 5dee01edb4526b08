"""``agora moderation report | label | withdraw | appeal | verdict``: sign the
moderation credentials with a wallet DID, in human and --json modes, in
process with CliRunner; each command refuses what it must."""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import ssi
from ssi.cid import is_cid, object_cid
from ssi.social import read_appeal, read_label, read_report, read_verdict
from tests.cli.helpers import json_error, one_error
from wallet_cli.app import app

PASSPHRASE = "agora test passphrase"
COMMUNITY = "did:agora:zQmExampleCommunity"
AT = "2026-03-01T12:00:00Z"
runner = CliRunner()


def invoke(home: Path, *args: str, stdin: str | None = None):
    env = {
        "AGORA_HOME": str(home),
        "AGORA_PASSPHRASE": PASSPHRASE,
        "AGORA_NEW_PASSPHRASE": None,
        "COLUMNS": "1000",
        "NO_COLOR": "1",
    }
    return runner.invoke(app, list(args), env=env, input=stdin)


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return str(result.stdout)


@pytest.fixture(scope="module")
def wallet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("moderation")
    home = root / "wallet"
    ok(invoke(home, "init", "--kdf-profile", "test"))
    dids = {}
    for alias in ("alice", "bob"):
        body = json.loads(ok(invoke(home, "did", "create", "--alias", alias, "--json")))
        dids[alias] = body["did"]
    post = root / "post.json"
    cid = ok(
        invoke(home, "post", "create", "--as", "alice", "--text", "Cheap gears",
               "--community", COMMUNITY, "--out", str(post))
    ).strip()  # fmt: skip
    return {"home": home, "root": root, "dids": dids, "post": post, "cid": cid}


def signed_by(path: Path, did: str) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert ssi.verify(document).verified
    assert document["issuer"] == did
    return dict(document)


# --- report ---------------------------------------------------------------------


def test_report_signs_a_report_and_prints_its_summary(wallet):
    target = wallet["root"] / "report.json"
    summary = json.loads(
        ok(
            invoke(wallet["home"], "moderation", "report", wallet["cid"],
                   "--community", COMMUNITY, "--label", "spam", "--reason",
                   "An advert", "--as", "bob", "--at", AT, "--out", str(target),
                   "--json")
        )
    )  # fmt: skip
    document = signed_by(target, wallet["dids"]["bob"])
    report = read_report(document)
    assert (report.post, report.label, report.reason) == (
        wallet["cid"],
        "spam",
        "An advert",
    )
    assert summary["cid"] == object_cid(document) == report.cid
    assert summary["author"] == summary["reporter"] == wallet["dids"]["bob"]
    assert summary["time"] == AT
    assert summary["out"] == str(target)


def test_report_takes_the_post_file_and_prints_the_credential_on_stdout(wallet):
    result = invoke(
        wallet["home"], "moderation", "report", str(wallet["post"]), "--community",
        COMMUNITY, "--label", "spam", "--as", "bob",
    )  # fmt: skip
    document = json.loads(ok(result))
    assert read_report(document).post == wallet["cid"]
    assert result.stderr.strip() == f"cid {object_cid(document)}"


def test_report_refuses_a_community_that_is_not_a_did(wallet):
    result = invoke(
        wallet["home"], "moderation", "report", wallet["cid"], "--community",
        "engines", "--label", "spam", "--as", "bob",
    )  # fmt: skip
    line = one_error(result, "invalidDid", exit_code=2)
    assert "--community" in line


# --- label and withdraw -----------------------------------------------------------


def test_label_signs_a_label_and_prints_its_cid(wallet):
    target = wallet["root"] / "label.json"
    out = ok(
        invoke(wallet["home"], "moderation", "label", wallet["cid"], "--community",
               COMMUNITY, "--label", "spam", "--reason", "Advert for a shop",
               "--as", "bob", "--at", AT, "--out", str(target))
    )  # fmt: skip
    document = signed_by(target, wallet["dids"]["bob"])
    label = read_label(document)
    assert (label.label, label.reason, label.negated) == (
        "spam",
        "Advert for a shop",
        False,
    )
    assert out.strip() == object_cid(document)
    assert is_cid(out.strip())


def test_label_refuses_an_empty_reason(wallet):
    result = invoke(
        wallet["home"], "moderation", "label", wallet["cid"], "--community",
        COMMUNITY, "--label", "spam", "--reason", "  ", "--as", "bob", "--json",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--reason cannot be empty" in json_error(result, "unusableInput")


def test_withdraw_signs_a_negated_label(wallet):
    target = wallet["root"] / "withdraw.json"
    summary = json.loads(
        ok(
            invoke(wallet["home"], "moderation", "withdraw", wallet["cid"],
                   "--community", COMMUNITY, "--label", "spam", "--as", "bob",
                   "--at", "2026-03-02T00:00:00Z", "--out", str(target), "--json")
        )
    )  # fmt: skip
    label = read_label(signed_by(target, wallet["dids"]["bob"]))
    assert label.negated is True
    assert label.reason == ""
    assert summary["negated"] is True


def test_withdraw_refuses_a_post_that_is_neither_a_cid_nor_a_file(wallet):
    result = invoke(
        wallet["home"], "moderation", "withdraw", "not-a-cid", "--community",
        COMMUNITY, "--label", "spam", "--as", "bob",
    )  # fmt: skip
    line = one_error(result, "unusableInput", exit_code=2)
    assert "POST 'not-a-cid' is neither a file nor a CID" in line


def test_a_reason_over_a_thousand_characters_is_refused(wallet):
    result = invoke(
        wallet["home"], "moderation", "report", wallet["cid"], "--community",
        COMMUNITY, "--label", "spam", "--reason", "x" * 1001, "--as", "bob",
    )  # fmt: skip
    line = one_error(result, "unusableInput", exit_code=2)
    assert "at most 1000" in line


# --- appeal and verdict -----------------------------------------------------------


@pytest.fixture(scope="module")
def appeal_file(wallet) -> Path:
    target = wallet["root"] / "appeal.json"
    ok(
        invoke(wallet["home"], "moderation", "appeal", str(wallet["post"]),
               "--community", COMMUNITY, "--label", "spam", "--reason",
               "I make the gears myself", "--as", "alice", "--at", AT, "--out",
               str(target))
    )  # fmt: skip
    return target


def test_appeal_by_the_author_is_signed(wallet, appeal_file):
    appeal = read_appeal(signed_by(appeal_file, wallet["dids"]["alice"]))
    assert (appeal.post, appeal.label, appeal.reason) == (
        wallet["cid"],
        "spam",
        "I make the gears myself",
    )


def test_appeal_by_someone_else_is_refused_when_the_post_is_at_hand(wallet):
    result = invoke(
        wallet["home"], "moderation", "appeal", str(wallet["post"]), "--community",
        COMMUNITY, "--label", "spam", "--as", "bob", "--json",
    )  # fmt: skip
    assert result.exit_code == 2
    assert wallet["dids"]["alice"] in json_error(result, "notAuthor")


def test_verdict_overturns_an_appeal_given_as_a_file(wallet, appeal_file):
    target = wallet["root"] / "verdict.json"
    summary = json.loads(
        ok(
            invoke(wallet["home"], "moderation", "verdict", str(appeal_file),
                   "--community", COMMUNITY, "--overturn", "--reason", "On topic",
                   "--as", "bob", "--at", "2026-03-03T00:00:00Z", "--out",
                   str(target), "--json")
        )
    )  # fmt: skip
    verdict = read_verdict(signed_by(target, wallet["dids"]["bob"]))
    assert verdict.appeal == object_cid(
        json.loads(appeal_file.read_text(encoding="utf-8"))
    )
    assert verdict.verdict == summary["verdict"] == "overturn"


def test_verdict_by_cid_upholds(wallet, appeal_file):
    appeal_cid = object_cid(json.loads(appeal_file.read_text(encoding="utf-8")))
    document = json.loads(
        ok(
            invoke(wallet["home"], "moderation", "verdict", appeal_cid,
                   "--community", COMMUNITY, "--uphold", "--as", "bob")
        )
    )  # fmt: skip
    assert read_verdict(document).verdict == "uphold"


@pytest.mark.parametrize("flags", [(), ("--uphold", "--overturn")])
def test_verdict_needs_exactly_one_of_uphold_and_overturn(wallet, flags):
    result = invoke(
        wallet["home"], "moderation", "verdict", wallet["cid"], "--community",
        COMMUNITY, *flags, "--as", "bob",
    )  # fmt: skip
    line = one_error(result, "unusableInput", exit_code=2)
    assert "--uphold, --overturn" in line


def test_verdict_refuses_an_appeal_of_another_community(wallet, appeal_file):
    result = invoke(
        wallet["home"], "moderation", "verdict", str(appeal_file), "--community",
        wallet["dids"]["alice"], "--overturn", "--as", "bob",
    )  # fmt: skip
    line = one_error(result, "unusableInput", exit_code=2)
    assert "another community" in line


def test_verdict_refuses_a_file_that_is_not_an_appeal(wallet):
    result = invoke(
        wallet["home"], "moderation", "verdict", str(wallet["post"]), "--community",
        COMMUNITY, "--overturn", "--as", "bob",
    )  # fmt: skip
    line = one_error(result, "unusableInput", exit_code=2)
    assert "not a moderation object" in line


@pytest.mark.parametrize(
    "command", ["report", "label", "withdraw", "appeal", "verdict"]
)
def test_every_signing_command_has_help_with_an_example(wallet, command):
    out = ok(invoke(wallet["home"], "moderation", command, "--help"))
    assert f"Example: agora moderation {command}" in " ".join(out.split())
