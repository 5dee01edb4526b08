"""Terminal injection: hostile text from credentials, communities and paths is
shown escaped in every human output, and exactly in ``--json`` output.

A credential whose claim keys and values hold ESC sequences, U+009B (CSI),
BEL, bidi overrides and isolates and rich markup is stored in a wallet whose
directory name is hostile too; every command that shows it runs in process
(CliRunner) and its stdout and stderr must hold none of those characters raw,
while the ``--json`` document decodes to the original strings.
"""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wallet_cli.app import app

PASSPHRASE = "agora test passphrase"
runner = CliRunner()

# Everything a terminal would act on; a line feed only ends Output's own lines.
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069]"
)

KEY = "role\x1b]0;owned\x07\u202e[bold]k[/bold]"
VALUE = "\x9b2J\x1b[31mred\x07\x7f\u2066iso\u2069\u200f[link=https://x.example]v[/link]"
CLAIMS = {KEY: VALUE, "plain": f"line one\nline two {VALUE}"}
# Types and ids must be URLs or names without spaces or controls; bidi
# overrides and markup still pass the credential model's checks.
TYPE = "Evil\u202e[bold]Type"
CREDENTIAL_ID = "urn:agora:test:\u202e[bold]id"
ROLE = "admin\x1b[2J\u202e[bold]"
COMMUNITY = "Engines\x1b]0;owned\x07\u2067[bold]"


def agora(home: Path, *args: str, stdin: str | None = None):
    return runner.invoke(
        app,
        list(args),
        input=stdin,
        env={
            "AGORA_HOME": str(home),
            "AGORA_PASSPHRASE": PASSPHRASE,
            "COLUMNS": "100",
            "FORCE_COLOR": None,
            "TTY_COMPATIBLE": None,
        },
    )


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


@pytest.fixture(scope="module")
def wallet(tmp_path_factory):
    home = tmp_path_factory.mktemp("safety") / "wallet\x1b[31m\u202e[bold]"
    ok(agora(home, "init", "--kdf-profile", "test"))
    issuer = json.loads(ok(agora(home, "did", "create", "--alias", "iss", "--json")))
    issued = ok(
        agora(
            home,
            "vc",
            "issue",
            "--issuer",
            "iss",
            "--subject",
            "iss",
            "--type",
            TYPE,
            "--id",
            CREDENTIAL_ID,
            "--claims",
            json.dumps(CLAIMS),
        )
    )
    credential = home.parent / "credential.json"
    credential.write_text(issued, encoding="utf-8")
    ok(agora(home, "community", "create", COMMUNITY, "--alias", "c"))
    ok(agora(home, "community", "admit", "c", issuer["did"], "--role", ROLE))
    return {"home": home, "did": issuer["did"], "credential": credential}


def assert_harmless(result, *shown: str) -> None:
    """Nothing raw on stdout or stderr, and the hostile text shown escaped."""
    for stream in (result.stdout, result.stderr):
        assert RAW.search(stream) is None, ascii(stream)
    text = result.stdout + result.stderr
    assert "Traceback" not in text
    for fragment in shown:
        assert fragment in text, (fragment, text)


def test_vc_show_escapes_claim_keys_and_values(wallet):
    result = agora(wallet["home"], "vc", "show", CREDENTIAL_ID)
    assert result.exit_code == 0, result.output
    assert_harmless(
        result,
        "role\\x1b]0;owned\\x07\\u202e[bold]k[/bold]",
        # Values are shown as JSON, which writes C0 controls as \\u00XX.
        "\\x9b2J\\u001b[31mred\\u0007\\x7f\\u2066iso\\u2069\\u200f[link=",
        "\\u202e[bold]id",
        "Evil\\u202e[bold]Type",
    )


def test_vc_list_escapes_ids_and_types(wallet):
    result = agora(wallet["home"], "vc", "list")
    assert result.exit_code == 0, result.output
    assert_harmless(result, "urn:agora:test:\\u202e[bold]id", "Evil\\u202e[bold]Type")


def test_vc_verify_escapes_what_the_report_quotes(wallet):
    credential = json.loads(wallet["credential"].read_text(encoding="utf-8"))
    credential["proof"]["verificationMethod"] = "did:key:\u202e[bold]x\x9b\x1b[2J#k"
    credential["proof"]["cryptosuite"] = "eddsa\x1b[2J\u202e[bold]"
    hostile = wallet["home"].parent / "hostile.json"
    hostile.write_text(json.dumps(credential), encoding="utf-8")
    result = agora(wallet["home"], "vc", "verify", str(hostile))
    assert result.exit_code == 1, result.output
    assert_harmless(result, "NOT verified", "\\u202e")
    verified = agora(wallet["home"], "vc", "verify", str(wallet["credential"]))
    assert verified.exit_code == 0, verified.output
    assert_harmless(verified, "verified")


def test_community_members_escapes_names_and_roles(wallet):
    result = agora(wallet["home"], "community", "members", "c")
    assert result.exit_code == 0, result.output
    assert_harmless(
        result,
        "Engines\\x1b]0;owned\\x07\\u2067[bold]",
        "admin\\x1b[2J\\u202e[bold]",
        wallet["did"],
    )


def test_did_list_escapes_the_wallet_path(wallet):
    result = agora(wallet["home"], "did", "list")
    assert result.exit_code == 0, result.output
    assert_harmless(result, "wallet\\x1b[31m\\u202e[bold]", wallet["did"])


def test_errors_escape_hostile_text(wallet):
    missing = agora(wallet["home"], "vc", "verify", "no\x1b[2J\u202e[bold]such.json")
    assert missing.exit_code == 2
    assert_harmless(missing, "error[unusableInput]", "no\\x1b[2J\\u202e[bold]such")
    unknown = agora(wallet["home"], "vc", "show", "urn:x:\x9b\u202e[bold]")
    assert unknown.exit_code == 1
    assert_harmless(unknown, "error[recordNotFound]", "[bold]")
    usage = agora(wallet["home"], "vc", "list", "--type", "x", "--nope\u202e\x9b")
    assert usage.exit_code == 2
    assert_harmless(usage, "No such option")


@pytest.mark.parametrize(
    "args",
    [
        ("vc", "show", CREDENTIAL_ID, "--json"),
        ("--json", "vc", "show", CREDENTIAL_ID),
    ],
)
def test_json_output_stays_exact(wallet, args):
    result = agora(wallet["home"], *args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["credential"]["credentialSubject"][KEY] == VALUE
    assert body["credential"]["credentialSubject"]["plain"] == CLAIMS["plain"]
    assert body["credential"]["id"] == CREDENTIAL_ID
    # The same strings, with what a terminal would act on written as escapes.
    assert "\x1b" not in result.stdout
    assert not any(0x80 <= ord(c) <= 0x9F for c in result.stdout)
    assert "\u202e" not in result.stdout


def test_json_lists_stay_exact(wallet):
    members = json.loads(
        ok(agora(wallet["home"], "community", "members", "c", "--json"))
    )
    assert members["name"] == COMMUNITY
    assert [m["role"] for m in members["items"]] == [ROLE]
    listed = json.loads(ok(agora(wallet["home"], "vc", "list", "--json")))["items"]
    assert CREDENTIAL_ID in [r["id"] for r in listed]


def test_json_errors_decode_to_the_hostile_text(wallet):
    name = "no\x1b[2J\u202e[bold]such.json"
    result = agora(wallet["home"], "--json", "vc", "verify", name)
    assert result.exit_code == 2
    assert RAW.search(result.stderr) is None
    problem = json.loads(result.stderr)
    assert name in problem["detail"]
    assert problem["code"] == "unusableInput"
