"""``agora store add | list | get`` in process (CliRunner), for people and with
--json: inputs as an object, an array, JSON Lines or standard input; exit
codes; did:agora authors with --log; no passphrase needed; escaping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import ssi
from ssi.cid import object_cid
from ssi.social import FEED_RECORDS
from ssi.store import SQLiteStore
from tests.pg import fresh_schema
from tests.unit.agora.builders import S1, LogBuilder, at, key
from tests.unit.store.objects import AUTHORS, COMMUNITY, CONTEXT, post
from wallet_cli.app import app

runner = CliRunner()

P0 = post(0, 201, community=COMMUNITY, valid_from="2025-01-01T00:00:00Z")
P1 = post(1, 202, community=COMMUNITY, valid_from="2025-02-01T00:00:00Z")
REPLY = post(2, 203, reply_to=object_cid(P0), valid_from="2025-03-01T00:00:00Z")
TAMPERED = {**P1, "issuer": AUTHORS[0]}
CIDS = [object_cid(d) for d in (P0, P1, REPLY)]


def invoke(home: Path, *args: str, stdin: str | None = None) -> Result:
    env = {
        "AGORA_HOME": str(home),
        "AGORA_PASSPHRASE": None,  # the store never needs it
        "COLUMNS": "250",
        "NO_COLOR": "1",
    }
    return runner.invoke(app, list(args), env=env, input=stdin)


def as_json(result: Result, exit_code: int = 0) -> Any:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def jsonl(*documents: object) -> str:
    return "".join(json.dumps(d) + "\n" for d in documents)


# --- add ------------------------------------------------------------------------


def test_add_json_lines_reports_each_line(tmp_path):
    source = write(tmp_path, "in.jsonl", jsonl(P0, P1) + "\n{oops\n" + jsonl(TAMPERED))
    result = invoke(tmp_path, "store", "add", source)
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "2 stored, 0 already present, 2 rejected" in out
    for cid in CIDS[:2]:
        assert cid in out
    assert "line 4" in out
    assert "PARSING_ERROR" in out
    assert "PROOF_VERIFICATION_ERROR" in out
    body = as_json(invoke(tmp_path, "store", "add", source, "--json"), exit_code=1)
    assert (body["stored"], body["present"], body["rejected"]) == (0, 2, 2)
    assert [r["input"] for r in body["results"]] == [
        "line 1",
        "line 2",
        "line 4",
        "line 5",
    ]
    assert [r["outcome"] for r in body["results"]] == [
        "present",
        "present",
        "rejected",
        "rejected",
    ]
    assert body["results"][2]["cid"] is None
    assert body["results"][3]["cid"] == object_cid(TAMPERED)
    assert body["results"][3]["problems"][0]["errorCode"] == "PROOF_VERIFICATION_ERROR"
    assert body["store"] == str(tmp_path / "store.sqlite")


def test_add_an_array_a_single_object_and_standard_input(tmp_path):
    array = write(tmp_path, "a.json", json.dumps([P0, P1], indent=2))
    body = as_json(invoke(tmp_path, "store", "add", array, "--json"))
    assert [r["input"] for r in body["results"]] == ["item 1", "item 2"]
    assert body["stored"] == 2
    single = write(tmp_path, "one.json", json.dumps(REPLY, indent=2))
    result = invoke(tmp_path, "store", "add", single)
    assert result.exit_code == 0, result.output
    assert "1 stored" in result.stdout
    again = as_json(
        invoke(tmp_path, "store", "add", "-", "--json", stdin=json.dumps(P0))
    )
    assert again["results"] == [
        {"input": "object", "cid": CIDS[0], "outcome": "present", "problems": []}
    ]
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        assert store.count() == 3
        # Each object stored by the command has its feed record.
        records = dict(store.derived(FEED_RECORDS.name, type="Post"))
    assert set(records) == set(CIDS)
    assert records[CIDS[0]]["content"] == P0["credentialSubject"]["content"]  # type: ignore[index]


def test_add_a_malformed_single_object_is_rejected_not_a_traceback(tmp_path):
    source = write(tmp_path, "bad.json", '{\n  "type": [\n')
    body = as_json(invoke(tmp_path, "store", "add", source, "--json"), exit_code=1)
    assert body["results"][0]["outcome"] == "rejected"
    assert body["results"][0]["problems"][0]["check"] == "parsing"


@pytest.mark.parametrize(
    ("content", "code"),
    [("", "unusableInput"), ("  \n", "unusableInput"), ("[1, 2", "unusableInput")],
)
def test_add_unusable_input_exits_2(tmp_path, content, code):
    source = write(tmp_path, "in.json", content)
    result = invoke(tmp_path, "store", "add", source)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error[{code}]: ")
    missing = invoke(tmp_path, "store", "add", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2


def test_add_to_another_store_with_store_option(tmp_path):
    source = write(tmp_path, "in.jsonl", jsonl(P0))
    other = tmp_path / "elsewhere" / "objects.sqlite"
    body = as_json(
        invoke(
            tmp_path, "store", "add", source, "--store", f"sqlite:///{other}", "--json"
        )
    )
    assert body["stored"] == 1
    assert not (tmp_path / "store.sqlite").exists()
    listed = as_json(invoke(tmp_path, "store", "list", "--store", str(other), "--json"))
    assert [item["cid"] for item in listed["items"]] == [CIDS[0]]


def test_a_postgresql_store_with_store_option(tmp_path):
    with fresh_schema() as schema:
        _use_postgresql(tmp_path, schema.location)


def _use_postgresql(tmp_path: Path, location: str) -> None:
    missing = invoke(tmp_path, "store", "list", "--store", location, "--json")
    assert missing.exit_code != 0
    assert "storeAccess" in missing.output
    source = write(tmp_path, "in.jsonl", jsonl(P0))
    added = invoke(tmp_path, "store", "add", source, "--store", location, "--json")
    assert as_json(added)["stored"] == 1
    listed = as_json(invoke(tmp_path, "store", "list", "--store", location, "--json"))
    assert [item["cid"] for item in listed["items"]] == [CIDS[0]]
    assert invoke(tmp_path, "store", "get", CIDS[0], "--store", location).exit_code == 0


def test_a_did_agora_author_needs_its_log(tmp_path):
    log = LogBuilder()
    post_by_log = ssi.issue(
        {
            "@context": CONTEXT,
            "type": ["VerifiableCredential", "Post"],
            "issuer": log.did,
            "validFrom": "2024-01-03T00:00:00Z",
            "credentialSubject": {
                "content": "from did:agora",
                "mediaType": "text/plain",
            },
        },
        ssi.LocalSigner(key(S1), f"{log.did}#key-1"),
        created=at(2),
    )
    source = write(tmp_path, "post.json", json.dumps(post_by_log))
    log_file = write(tmp_path, "author.jsonl", jsonl(*log.entries))
    without = as_json(invoke(tmp_path, "store", "add", source, "--json"), exit_code=1)
    assert without["results"][0]["problems"][0]["errorCode"] == "notFound"
    with_log = as_json(
        invoke(tmp_path, "store", "add", source, "--log", log_file, "--json")
    )
    assert with_log["stored"] == 1
    stored = as_json(invoke(tmp_path, "store", "list", "--author", log.did, "--json"))
    assert stored["items"][0]["document"] == post_by_log


def test_a_wallet_without_passphrase_does_not_stop_the_store(tmp_path):
    init = runner.invoke(
        app,
        ["init", "--kdf-profile", "test"],
        env={"AGORA_HOME": str(tmp_path), "AGORA_PASSPHRASE": "agora test passphrase"},
    )
    assert init.exit_code == 0, init.output
    source = write(tmp_path, "in.jsonl", jsonl(P0, P1))
    assert as_json(invoke(tmp_path, "store", "add", source, "--json"))["stored"] == 2
    assert len(as_json(invoke(tmp_path, "store", "list", "--json"))["items"]) == 2
    assert invoke(tmp_path, "store", "get", CIDS[0]).exit_code == 0


# --- list -----------------------------------------------------------------------


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    source = write(tmp_path, "in.jsonl", jsonl(P0, P1, REPLY))
    assert invoke(tmp_path, "store", "add", source).exit_code == 0
    return tmp_path


def test_list_filters_and_pages(filled):
    result = invoke(filled, "store", "list", "--type", "Post")
    assert result.exit_code == 0, result.output
    for cid in CIDS:
        assert cid in result.stdout
    assert "2025-02-01T00:00:00Z" in result.stdout
    first = as_json(invoke(filled, "store", "list", "--limit", "2", "--json"))
    assert [item["cid"] for item in first["items"]] == CIDS[:2]
    assert first["more"] is True
    text = invoke(filled, "store", "list", "--limit", "2")
    assert f"--cursor {first['cursor']}" in text.stdout
    second = as_json(
        invoke(
            filled,
            "store",
            "list",
            "--limit",
            "2",
            "--cursor",
            first["cursor"],
            "--json",
        )
    )
    assert [item["cid"] for item in second["items"]] == CIDS[2:]
    assert second["more"] is False
    by_author = as_json(
        invoke(filled, "store", "list", "--author", AUTHORS[1], "--json")
    )
    assert [i["cid"] for i in by_author["items"]] == [CIDS[1]]
    in_community = as_json(
        invoke(filled, "store", "list", "--community", COMMUNITY, "--json")
    )
    assert [i["cid"] for i in in_community["items"]] == CIDS[:2]
    replies = as_json(invoke(filled, "store", "list", "--reply-to", CIDS[0], "--json"))
    assert [i["cid"] for i in replies["items"]] == [CIDS[2]]
    window = as_json(
        invoke(
            filled,
            "store",
            "list",
            "--since",
            "2025-01-15T00:00:00Z",
            "--until",
            "2025-03-01T00:00:00Z",
            "--json",
        )
    )
    assert [i["cid"] for i in window["items"]] == [CIDS[1]]
    none = invoke(filled, "store", "list", "--type", "Reaction")
    assert none.stdout.strip() == "No objects."


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--cursor", "c1.AAAAAAAAAAMjaA7Ad7wqkIp7wCvQdSwE"], "invalidCursor"),
        (["--reply-to", "not-a-cid"], "invalidCid"),
        (["--since", "yesterday"], "MALFORMED_VALUE_ERROR"),
        (["--since", "2025-01-01T00:00:00"], "MALFORMED_VALUE_ERROR"),
    ],
)
def test_list_refuses_bad_options_with_a_code(filled, args, code):
    result = invoke(filled, "store", "list", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error[{code}]: "), result.stderr
    problem = json.loads(invoke(filled, "store", "list", *args, "--json").stderr)
    assert problem["code"] == code


def test_list_limit_is_checked_by_the_parser(filled):
    assert invoke(filled, "store", "list", "--limit", "0").exit_code == 2
    assert invoke(filled, "store", "list", "--limit", "1001").exit_code == 2


# --- get ------------------------------------------------------------------------


def test_get_shows_writes_and_prints_the_object(filled):
    shown = invoke(filled, "store", "get", CIDS[2])
    assert shown.exit_code == 0, shown.output
    assert "reply to" in shown.stdout
    assert CIDS[0] in shown.stdout
    assert "post number 203" in shown.stdout
    body = as_json(invoke(filled, "store", "get", CIDS[2], "--json"))
    assert body["document"] == REPLY
    assert body["replyTo"] == CIDS[0]
    assert body["seq"] == 3
    target = filled / "reply.json"
    written = invoke(filled, "store", "get", CIDS[2], "--out", str(target))
    assert written.exit_code == 0
    assert object_cid(json.loads(target.read_text())) == CIDS[2]
    again = invoke(filled, "store", "get", CIDS[2], "--out", str(target))
    assert again.exit_code == 2
    assert "error[fileExists]" in again.stderr
    assert (
        invoke(
            filled, "store", "get", CIDS[2], "--out", str(target), "--force"
        ).exit_code
        == 0
    )
    printed = invoke(filled, "store", "get", CIDS[2], "--out", "-")
    assert json.loads(printed.stdout) == REPLY


def test_get_of_a_missing_or_invalid_cid(filled):
    missing = invoke(filled, "store", "get", object_cid({"absent": True}))
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error[objectNotFound]: ")
    problem = json.loads(
        invoke(filled, "store", "get", object_cid({"absent": True}), "--json").stderr
    )
    assert problem["code"] == "objectNotFound"
    invalid = invoke(filled, "store", "get", "bnope")
    assert invalid.exit_code == 2
    assert invalid.stderr.startswith("error[invalidCid]: ")


def test_untrusted_text_is_escaped(tmp_path):
    hostile = post(
        0, 204, content="\x1b[31mred\x1b]8;;http://x\x07 [bold]b[/bold] \u202e"
    )
    source = write(tmp_path, "in.json", json.dumps(hostile))
    assert invoke(tmp_path, "store", "add", source).exit_code == 0
    shown = invoke(tmp_path, "store", "get", object_cid(hostile))
    assert shown.exit_code == 0
    assert "\x1b" not in shown.stdout
    assert "\x07" not in shown.stdout
    assert "\u202e" not in shown.stdout
    assert "\\x1b[31mred" in shown.stdout
    assert "[bold]b[/bold]" in shown.stdout
    printed = invoke(tmp_path, "store", "get", object_cid(hostile), "--out", "-")
    assert "\x1b" not in printed.stdout
    assert "\u202e" not in printed.stdout
    assert json.loads(printed.stdout) == hostile


def test_every_store_command_has_an_example_and_json():
    for command in ("add", "list", "get"):
        result = runner.invoke(
            app, ["store", command, "--help"], env={"COLUMNS": "200"}
        )
        assert result.exit_code == 0
        assert f"Example: agora store {command}" in result.stdout
        assert "--json" in result.stdout
        assert "--store" in result.stdout


def test_reading_commands_do_not_create_a_store(tmp_path):
    for args in (("store", "list"), ("store", "get", CIDS[0])):
        result = invoke(tmp_path, *args)
        assert result.exit_code == 2
        assert result.stderr.startswith("error[storeAccess]: there is no store in ")
        assert "agora store add FILE" in result.stderr
        other = invoke(tmp_path, *args, "--store", str(tmp_path / "typo.sqlite"))
        assert other.exit_code == 2
        assert "error[storeAccess]" in other.stderr
    assert not (tmp_path / "store.sqlite").exists()
    assert not (tmp_path / "typo.sqlite").exists()
