"""``agora post``: create, retract and react with a wallet DID; show and verify,
in human and --json modes, in process with CliRunner."""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import ssi
from ssi.cid import blob_cid, is_cid, object_cid
from ssi.social import read_post, read_reaction, read_retraction
from tests.cli.helpers import json_error, one_error
from wallet_cli.app import app

PASSPHRASE = "agora test passphrase"
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
    root = tmp_path_factory.mktemp("post")
    home = root / "wallet"
    ok(invoke(home, "init", "--kdf-profile", "test"))
    dids = {}
    for alias in ("alice", "bob"):
        body = json.loads(ok(invoke(home, "did", "create", "--alias", alias, "--json")))
        dids[alias] = body["did"]
    attachment = root / "diagram.png"
    attachment.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    return {"home": home, "root": root, "dids": dids, "attachment": attachment}


@pytest.fixture(scope="module")
def first_post(wallet) -> tuple[str, Path]:
    path = wallet["root"] / "first.json"
    cid = ok(
        invoke(wallet["home"], "post", "create", "--as", "alice", "--text",
               "first post", "--out", str(path))
    ).strip()  # fmt: skip
    return cid, path


def test_create_with_every_option_writes_a_post_that_verifies(wallet, first_post):
    parent, _ = first_post
    target = wallet["root"] / "full.json"
    args = [
        "post", "create", "--as", "alice", "--text", "# Hello\n\n*agora*",
        "--markdown", "--lang", "pt-BR", "--community", wallet["dids"]["bob"],
        "--reply-to", parent, "--tag", "intro", "--tag", "maths",
        "--mention", wallet["dids"]["bob"], "--attach", str(wallet["attachment"]),
        "--replaces", parent, "--suite", "eddsa-rdfc-2022",
        "--out", str(target), "--json",
    ]  # fmt: skip
    summary = json.loads(ok(invoke(wallet["home"], *args)))
    signed = json.loads(target.read_text(encoding="utf-8"))
    assert summary == {
        "cid": object_cid(signed),
        "type": "Post",
        "author": wallet["dids"]["alice"],
        "out": str(target),
    }
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert ssi.verify(signed).verified
    post = read_post(signed)
    assert post.author == wallet["dids"]["alice"]
    assert (post.content, post.media_type, post.language) == (
        "# Hello\n\n*agora*",
        "text/markdown",
        "pt-BR",
    )
    assert (post.in_reply_to, post.replaces) == (parent, parent)
    assert post.community == wallet["dids"]["bob"]
    assert post.tags == ("intro", "maths")
    assert post.mentions == (wallet["dids"]["bob"],)
    [attached] = post.attachments
    data = wallet["attachment"].read_bytes()
    assert (attached.cid, attached.size, attached.media_type, attached.name) == (
        blob_cid(data),
        len(data),
        "image/png",
        "diagram.png",
    )


def test_create_with_out_prints_only_the_cid(wallet, first_post):
    cid, path = first_post
    assert is_cid(cid)
    assert cid == object_cid(json.loads(path.read_text(encoding="utf-8")))


def test_create_to_standard_output_prints_the_post_and_the_cid_on_stderr(wallet):
    result = invoke(wallet["home"], "post", "create", "--as", "bob", "--text", "hi")
    signed = json.loads(ok(result))
    assert read_post(signed).content == "hi"
    assert result.stderr.strip() == f"cid {object_cid(signed)}"
    assert signed["proof"]["cryptosuite"] == "eddsa-jcs-2022"


def test_create_json_to_standard_output_wraps_the_post(wallet):
    body = json.loads(
        ok(invoke(wallet["home"], "post", "create", "--as", "bob", "--text", "x",
                  "--out", "-", "--json"))
    )  # fmt: skip
    assert body["cid"] == object_cid(body["credential"])
    assert body["type"] == "Post"
    assert body["out"] == "-"


def test_create_reads_the_text_from_standard_input(wallet):
    result = invoke(
        wallet["home"], "post", "create", "--as", "alice", "--file", "-",
        stdin="piped\ntext ✓",
    )  # fmt: skip
    assert read_post(json.loads(ok(result))).content == "piped\ntext ✓"


def test_create_reads_the_text_from_a_file(wallet):
    source = wallet["root"] / "text.md"
    source.write_text("from a *file*", encoding="utf-8")
    result = invoke(
        wallet["home"], "post", "create", "--as", "alice", "--file", str(source),
        "--markdown",
    )  # fmt: skip
    post = read_post(json.loads(ok(result)))
    assert (post.content, post.media_type) == ("from a *file*", "text/markdown")


@pytest.mark.parametrize("value", ["endorse", "disagree", "🎉"])
def test_react(wallet, first_post, value):
    cid, _ = first_post
    result = invoke(
        wallet["home"], "post", "react", cid, "--as", "bob", "--value", value
    )
    signed = json.loads(ok(result))
    assert ssi.verify(signed).verified
    reaction = read_reaction(signed)
    assert (reaction.reacts_to, reaction.value) == (cid, value)
    assert reaction.author == wallet["dids"]["bob"]
    assert reaction.reaction == (value if value != "🎉" else "emoji")


def test_retract(wallet, first_post):
    cid, _ = first_post
    target = wallet["root"] / "retraction.json"
    printed = ok(
        invoke(wallet["home"], "post", "retract", cid, "--as", "alice",
               "--out", str(target))
    ).strip()  # fmt: skip
    signed = json.loads(target.read_text(encoding="utf-8"))
    assert printed == object_cid(signed)
    assert read_retraction(signed).retracts == cid
    assert "retraction signed: written to" in invoke(
        wallet["home"], "post", "retract", cid, "--as", "alice",
        "--out", str(target), "--force",
    ).stderr  # fmt: skip


def test_show_escapes_the_content(wallet):
    source = wallet["root"] / "hostile.json"
    result = invoke(
        wallet["home"], "post", "create", "--as", "alice", "--text",
        "[bold]not markup[/bold] \x1b[31mred\u202e", "--tag", "t",
        "--out", str(source),
    )  # fmt: skip
    cid = ok(result).strip()
    shown = ok(invoke(wallet["home"], "post", "show", str(source)))
    assert cid in shown
    assert wallet["dids"]["alice"] in shown
    assert "[bold]not markup[/bold]" in shown
    assert "\\x1b[31mred\\u202e" in shown
    assert "\x1b" not in shown
    assert "\u202e" not in shown
    body = json.loads(ok(invoke(wallet["home"], "post", "show", str(source), "--json")))
    assert body["cid"] == cid
    assert body["content"] == "[bold]not markup[/bold] \x1b[31mred\u202e"
    assert body["type"] == "Post"
    assert body["tags"] == ["t"]


def test_show_reads_standard_input(wallet, first_post):
    _, path = first_post
    body = json.loads(
        ok(invoke(wallet["home"], "post", "show", "-", "--json",
                  stdin=path.read_text(encoding="utf-8")))
    )  # fmt: skip
    assert body["content"] == "first post"


def test_show_refuses_what_is_not_a_social_object(wallet):
    other = wallet["root"] / "other.json"
    other.write_text(json.dumps({"type": ["VerifiableCredential"]}), encoding="utf-8")
    assert invoke(wallet["home"], "post", "show", str(other)).exit_code == 2
    junk = wallet["root"] / "junk.json"
    junk.write_text("{not json", encoding="utf-8")
    one_error(invoke(wallet["home"], "post", "show", str(junk)), "unusableInput", 2)


def test_verify(wallet, first_post):
    cid, path = first_post
    human = ok(invoke(wallet["home"], "post", "verify", str(path)))
    assert "verified" in human
    assert cid in human
    assert "first post" in human
    body = json.loads(ok(invoke(wallet["home"], "post", "verify", str(path), "--json")))
    assert body["verified"] is True
    assert body["cid"] == cid
    assert body["object"]["content"] == "first post"
    assert body["report"]["verified"] is True


def test_verify_a_tampered_post_exits_1(wallet, first_post):
    _, path = first_post
    signed = json.loads(path.read_text(encoding="utf-8"))
    signed["credentialSubject"]["content"] = "changed"
    text = json.dumps(signed)
    human = invoke(wallet["home"], "post", "verify", "-", stdin=text)
    assert human.exit_code == 1
    assert "NOT verified" in human.stdout
    assert "changed" not in human.stdout
    result = invoke(wallet["home"], "post", "verify", "-", "--json", stdin=text)
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["verified"] is False
    assert body["object"] is None
    assert body["cid"] is None


def test_verify_what_is_not_json_exits_2(wallet):
    result = invoke(wallet["home"], "post", "verify", "-", stdin="{not json")
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("args", "code", "exit_code"),
    [
        (["--text", "x", "--reply-to", "nope"], "invalidCid", 2),
        (["--text", "x", "--replaces", "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"], "invalidCid", 2),  # noqa: E501
        (["--text", "x", "--mention", "did:bad"], "invalidDid", 2),
        (["--text", "x", "--community", "engines"], "invalidDid", 2),
        (["--text", "x", "--suite", "ecdsa-jcs-2019"], "unusableInput", 2),
        (["--text", "x", "--file", "-"], "unusableInput", 2),
        ([], "unusableInput", 2),
        (["--text", "x"] + ["--tag", "t"] * 2, "MALFORMED_VALUE_ERROR", 2),
        (["--text", "x", "--lang", "not a tag"], "MALFORMED_VALUE_ERROR", 2),
        (["--text", "x", "--attach", "/nonexistent/file"], "unusableInput", 2),
        (["--text", "x" * 65537], "MALFORMED_VALUE_ERROR", 2),
    ],
    ids=[
        "bad-reply-to", "blob-replaces", "bad-mention", "bad-community", "suite",
        "text-and-file", "no-text", "repeated-tag", "language", "attach-missing",
        "oversize",
    ],
)  # fmt: skip
def test_create_refusals(wallet, args, code, exit_code):
    result = invoke(wallet["home"], "post", "create", "--as", "alice", *args)
    one_error(result, code, exit_code)
    json_result = invoke(
        wallet["home"], "post", "create", "--as", "alice", *args, "--json"
    )
    assert json_result.exit_code == exit_code
    json_error(json_result, code)


def test_unknown_author_exits_1(wallet):
    result = invoke(wallet["home"], "post", "create", "--as", "nobody", "--text", "x")
    one_error(result, "recordNotFound", 1)


def test_an_existing_out_file_needs_force(wallet, first_post):
    _, path = first_post
    result = invoke(
        wallet["home"], "post", "create", "--as", "alice", "--text", "x",
        "--out", str(path),
    )  # fmt: skip
    one_error(result, "fileExists", 2)


def test_reaction_refusals(wallet, first_post):
    cid, _ = first_post
    too_long = invoke(
        wallet["home"], "post", "react", cid, "--as", "bob", "--value", "👍" * 17
    )
    one_error(too_long, "MALFORMED_VALUE_ERROR", 2)
    not_a_cid = invoke(
        wallet["home"], "post", "react", "nope", "--as", "bob", "--value", "endorse"
    )
    one_error(not_a_cid, "invalidCid", 2)
    retract = invoke(wallet["home"], "post", "retract", "nope", "--as", "bob")
    one_error(retract, "invalidCid", 2)


@pytest.mark.parametrize("command", ["create", "retract", "react", "show", "verify"])
def test_help_has_an_example(wallet, command):
    text = ok(invoke(wallet["home"], "post", command, "--help"))
    assert "Example: agora post " + command in " ".join(text.split())
