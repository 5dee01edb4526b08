"""``agora constitution`` and ``agora proposal``: draft rules from TOML, show
rules and constitutions, chain a community's versions from the store; create,
signal and show proposals with a wallet DID; in human and --json modes, in
process with CliRunner."""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import ssi
from ssi.cid import object_cid
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    constitution_credential,
    parse_rules,
    read_proposal,
    read_signal,
    rules_from_toml,
)
from wallet_cli.app import app

PASSPHRASE = "agora test passphrase"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "constitution.toml"
COMMUNITY_KEY = Ed25519KeyPair.from_seed(bytes([41]) * 32)
COMMUNITY_SIGNER = ssi.signer(COMMUNITY_KEY)
COMMUNITY = COMMUNITY_SIGNER.key_id.split("#")[0]
TALLY = object_cid({"a tally": 1})
OPENS, CLOSES = "2025-03-03T00:00:00Z", "2025-03-10T00:00:00Z"
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


def failed(result, code: int = 2) -> dict[str, Any]:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return json.loads(result.stderr)


@pytest.fixture(scope="module")
def wallet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("governance")
    home = root / "wallet"
    ok(invoke(home, "init", "--kdf-profile", "test"))
    dids = {}
    for alias in ("alice", "bob"):
        body = json.loads(ok(invoke(home, "did", "create", "--alias", alias, "--json")))
        dids[alias] = body["did"]
    return {"home": home, "root": root, "dids": dids}


@pytest.fixture(scope="module")
def rules_file(wallet) -> Path:
    path = wallet["root"] / "rules.json"
    ok(
        invoke(wallet["home"], "constitution", "draft", COMMUNITY, "--from",
               str(EXAMPLE), "--out", str(path))
    )  # fmt: skip
    return path


# --- constitution draft ----------------------------------------------------------


def test_draft_writes_the_rules_and_prints_their_cid_and_a_summary(wallet, rules_file):
    rules = json.loads(rules_file.read_text(encoding="utf-8"))
    assert rules == rules_from_toml(EXAMPLE.read_text(encoding="utf-8"))
    again = wallet["root"] / "rules-again.json"
    text = ok(
        invoke(wallet["home"], "constitution", "draft", COMMUNITY, "--from",
               str(EXAMPLE), "--out", str(again))
    )  # fmt: skip
    lines = text.splitlines()
    assert lines[0] == object_cid(rules)
    assert "kind amendment" in text
    assert "quorum 1/2, threshold >=2/3" in text
    assert "spam: hide" in text
    assert "panel 3, agreement 2" in text


def test_draft_json_summary(wallet):
    target = wallet["root"] / "rules-json.json"
    body = json.loads(
        ok(
            invoke(wallet["home"], "constitution", "draft", COMMUNITY, "--from",
                   str(EXAMPLE), "--out", str(target), "--json")
        )
    )  # fmt: skip
    rules = json.loads(target.read_text(encoding="utf-8"))
    assert body == {
        "community": COMMUNITY,
        "cid": object_cid(rules),
        "out": str(target),
        "kinds": ["ordinary", "amendment", "election", "recall"],
    }


def test_draft_to_standard_output_prints_the_rules_and_the_cid_on_stderr(wallet):
    result = invoke(wallet["home"], "constitution", "draft", COMMUNITY, "--from", "-",
                    stdin=EXAMPLE.read_text(encoding="utf-8"))  # fmt: skip
    rules = json.loads(ok(result))
    assert parse_rules(rules).moderation.agreement == 2
    assert result.stderr.strip() == f"cid {object_cid(rules)}"


def test_draft_refuses_inconsistent_rules_naming_the_toml_field(wallet):
    bad = wallet["root"] / "bad.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    bad.write_text(text.replace('">=2/3"', '">=3/2"'), encoding="utf-8")
    result = invoke(wallet["home"], "--json", "constitution", "draft", COMMUNITY,
                    "--from", str(bad))  # fmt: skip
    problem = failed(result)
    assert problem["code"] == "invalidConstitution"
    assert problem["detail"].startswith("kinds.amendment.threshold")
    human = invoke(
        wallet["home"], "constitution", "draft", COMMUNITY, "--from", str(bad)
    )
    assert human.exit_code == 2
    assert "error[invalidConstitution]: kinds.amendment.threshold" in human.stderr


def test_draft_reports_a_toml_syntax_error_with_its_line(wallet):
    bad = wallet["root"] / "syntax.toml"
    bad.write_text('preamble = "x"\nmax_score = = 5\n', encoding="utf-8")
    problem = failed(
        invoke(wallet["home"], "--json", "constitution", "draft", COMMUNITY,
               "--from", str(bad))
    )  # fmt: skip
    assert problem["code"] == "invalidConstitution"
    assert problem["detail"] == (
        "constitution.toml is not valid TOML at line 2: Invalid value."
    )


def test_draft_refuses_a_community_that_is_not_a_did(wallet):
    problem = failed(
        invoke(wallet["home"], "--json", "constitution", "draft", "engines",
               "--from", str(EXAMPLE))
    )  # fmt: skip
    assert problem["code"] == "invalidDid"


# --- constitution show and history -------------------------------------------------


def row(text: str, label: str) -> str:
    """The value of the panel row ``label`` (the first line of it)."""
    for line in text.splitlines():
        cells = line.strip("│ ").split("  ")
        if cells[0] == label:
            return cells[-1].strip() if len(cells) > 1 else ""
    raise AssertionError(f"no row {label!r} in {text}")


def signed_constitution(version: int, replaces: str | None, *, day: int):
    rules = rules_from_toml(EXAMPLE.read_text(encoding="utf-8"))
    rules["maxScore"] = version + 4
    credential = constitution_credential(
        COMMUNITY, rules, version=version, ratified_by=TALLY, replaces=replaces,
        valid_from=datetime(2025, 1, day, tzinfo=UTC),
    )  # fmt: skip
    return ssi.issue(
        credential, COMMUNITY_SIGNER, created=f"2025-01-{day:02d}T00:00:00Z"
    )


@pytest.fixture(scope="module")
def chain(wallet) -> list[dict[str, Any]]:
    first = signed_constitution(1, None, day=1)
    second = signed_constitution(2, object_cid(first), day=2)
    orphan = signed_constitution(3, object_cid({"missing": 1}), day=3)
    source = wallet["root"] / "constitutions.jsonl"
    source.write_text(
        "".join(json.dumps(c) + "\n" for c in (orphan, second, first)), encoding="utf-8"
    )
    ok(invoke(wallet["home"], "store", "add", str(source)))
    return [first, second, orphan]


def test_show_summarizes_a_constitution_file_and_its_rules(wallet, chain):
    path = wallet["root"] / "v2.json"
    path.write_text(json.dumps(chain[1]), encoding="utf-8")
    text = ok(invoke(wallet["home"], "constitution", "show", str(path)))
    assert "constitution v2" in text
    assert object_cid(chain[1]) in text
    assert row(text, "replaces") == object_cid(chain[0])
    assert row(text, "ratified by") == TALLY
    assert row(text, "CID") == object_cid(chain[1])
    assert "scores 0..6" in text
    body = json.loads(
        ok(invoke(wallet["home"], "constitution", "show", str(path), "--json"))
    )
    assert body["version"] == 2
    assert body["cid"] == object_cid(chain[1])
    assert body["replaces"] == object_cid(chain[0])
    assert body["rules"] == chain[1]["credentialSubject"]["rules"]
    assert body["rulesCid"] == object_cid(body["rules"])


def test_show_takes_a_cid_in_the_store_a_rules_file_and_toml(wallet, chain, rules_file):
    by_cid = json.loads(
        ok(
            invoke(
                wallet["home"], "constitution", "show", object_cid(chain[0]), "--json"
            )
        )
    )
    assert by_cid["version"] == 1
    assert by_cid["replaces"] is None
    rules = json.loads(
        ok(invoke(wallet["home"], "constitution", "show", str(rules_file), "--json"))
    )
    assert rules == {
        "rulesCid": object_cid(json.loads(rules_file.read_text(encoding="utf-8"))),
        "rules": json.loads(rules_file.read_text(encoding="utf-8")),
    }
    text = ok(invoke(wallet["home"], "constitution", "show", str(EXAMPLE)))
    assert "offtopic: inform" in text


def test_show_refuses_what_is_not_rules(wallet):
    path = wallet["root"] / "not-rules.json"
    path.write_text('{"preamble": "only"}', encoding="utf-8")
    problem = failed(
        invoke(wallet["home"], "--json", "constitution", "show", str(path))
    )
    assert problem["code"] == "invalidConstitution"


def test_history_chains_the_versions_and_marks_a_gap(wallet, chain):
    body = json.loads(
        ok(invoke(wallet["home"], "constitution", "history", COMMUNITY, "--json"))
    )
    assert body["community"] == COMMUNITY
    assert [(row["version"], row["cid"], row["note"]) for row in body["items"]] == [
        (1, object_cid(chain[0]), None),
        (2, object_cid(chain[1]), None),
        (3, object_cid(chain[2]), "replaces a version not in the store"),
    ]
    assert body["items"][1]["replaces"] == object_cid(chain[0])
    text = ok(invoke(wallet["home"], "constitution", "history", COMMUNITY))
    assert f"constitutions of {COMMUNITY}" in text
    assert object_cid(chain[1]) in text
    assert "replaces a version not in the store" in text


def test_history_of_a_community_with_no_constitution(wallet, chain):
    other = "did:example:nobody"
    body = json.loads(
        ok(invoke(wallet["home"], "constitution", "history", other, "--json"))
    )
    assert body == {"community": other, "items": []}
    result = invoke(wallet["home"], "constitution", "history", other)
    assert result.exit_code == 0
    assert "no constitution" in result.stderr


# --- proposal create, signal, show ---------------------------------------------------


def create(wallet, *extra: str):
    return invoke(
        wallet["home"], "proposal", "create", "--as", "alice", "--community",
        COMMUNITY, "--title", "Buy a lathe", "--opens", OPENS, "--closes", CLOSES,
        *extra,
    )  # fmt: skip


ORDINARY = (
    "--constitution", TALLY, "--kind", "ordinary", "--method", "schulze",
    "--option", "a=Buy", "--option", "b=Rent", "--option", "neither",
)  # fmt: skip


def test_create_an_ordinary_proposal_to_a_file(wallet):
    target = wallet["root"] / "ordinary.json"
    cid = ok(
        create(wallet, *ORDINARY, "--tag", "budget", "--body", "We need *one*.",
               "--out", str(target))
    ).strip()  # fmt: skip
    signed = json.loads(target.read_text(encoding="utf-8"))
    assert cid == object_cid(signed)
    assert ssi.verify(signed).verified
    proposal = read_proposal(signed)
    assert proposal.author == wallet["dids"]["alice"]
    assert proposal.option_ids == ("a", "b", "neither")
    assert proposal.options[0].name == "Buy"
    assert proposal.tags == ("budget",)
    assert proposal.body == "We need *one*."


def test_create_json_to_standard_output(wallet):
    body = json.loads(
        ok(create(wallet, *ORDINARY, "--suite", "eddsa-rdfc-2022", "--json"))
    )
    signed = body["credential"]
    assert body["cid"] == object_cid(signed)
    assert body["type"] == "Proposal"
    assert body["kind"] == "ordinary"
    assert body["optionIds"] == ["a", "b", "neither"]
    assert body["out"] == "-"
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert ssi.verify(signed).verified


def test_create_an_election_and_an_amendment(wallet, rules_file):
    bob = wallet["dids"]["bob"]
    election = json.loads(
        ok(create(wallet, "--constitution", TALLY, "--kind", "election", "--method",
                  "stv", "--candidate", bob, "--candidate", wallet["dids"]["alice"],
                  "--seats", "1", "--json"))
    )  # fmt: skip
    assert election["optionIds"] == [bob, wallet["dids"]["alice"]]
    genesis = json.loads(
        ok(create(wallet, "--kind", "amendment", "--method", "plurality",
                  "--amendment", str(rules_file), "--json"))
    )  # fmt: skip
    proposal = read_proposal(genesis["credential"])
    assert proposal.constitution is None
    assert proposal.amendment == json.loads(rules_file.read_text(encoding="utf-8"))
    from_toml = json.loads(
        ok(create(wallet, "--constitution", TALLY, "--kind", "amendment", "--method",
                  "plurality", "--amendment", str(EXAMPLE), "--json"))
    )  # fmt: skip
    assert read_proposal(from_toml["credential"]).amendment == proposal.amendment


@pytest.mark.parametrize(
    ("extra", "code", "says"),
    [
        (("--opens", "2025-03-03"), "unusableInput", "--opens"),
        (("--closes", "2025-03-01T00:00:00Z"), "MALFORMED_VALUE_ERROR", "closes"),
        (("--method", "dictator"), "MALFORMED_VALUE_ERROR", "method"),
        (("--constitution", "nope"), "invalidCid", "--constitution"),
        (("--community", "engines"), "invalidDid", "--community"),
        (("--suite", "rsa"), "unusableInput", "--suite"),
    ],
    ids=["opens-no-zone", "closes-before-opens", "method", "cid", "community", "suite"],
)
def test_create_refuses_unusable_options(wallet, extra, code, says):
    problem = failed(invoke(
        wallet["home"], "--json", "proposal", "create", "--as", "alice",
        "--community", COMMUNITY, "--title", "T", "--opens", OPENS, "--closes",
        CLOSES, *ORDINARY, *extra,
    ))  # fmt: skip
    assert problem["code"] == code
    assert says in problem["detail"]


def test_create_refuses_an_amendment_with_inconsistent_rules(wallet):
    bad = wallet["root"] / "bad-rules.json"
    rules = rules_from_toml(EXAMPLE.read_text(encoding="utf-8"))
    rules["moderation"]["agreement"] = 9
    bad.write_text(json.dumps(rules), encoding="utf-8")
    problem = failed(
        invoke(wallet["home"], "--json", "proposal", "create", "--as", "alice",
               "--community", COMMUNITY, "--title", "T", "--opens", OPENS,
               "--closes", CLOSES, "--kind", "amendment", "--method", "plurality",
               "--amendment", str(bad))
    )  # fmt: skip
    assert problem["code"] == "invalidConstitution"
    assert problem["detail"].startswith("moderation.agreement")


def test_signal_a_proposal_by_file_and_by_cid(wallet):
    target = wallet["root"] / "to-signal.json"
    ok(create(wallet, *ORDINARY, "--out", str(target)))
    cid = object_cid(json.loads(target.read_text(encoding="utf-8")))
    by_file = json.loads(
        ok(
            invoke(
                wallet["home"],
                "proposal",
                "signal",
                str(target),
                "--as",
                "bob",
                "--json",
            )
        )
    )
    signal = read_signal(by_file["credential"])
    assert (signal.signer, signal.proposal) == (wallet["dids"]["bob"], cid)
    assert by_file["proposal"] == cid
    assert ssi.verify(by_file["credential"]).verified
    out = wallet["root"] / "signal.json"
    printed = ok(
        invoke(
            wallet["home"],
            "proposal",
            "signal",
            cid,
            "--as",
            "alice",
            "--out",
            str(out),
        )
    )
    signed = json.loads(out.read_text(encoding="utf-8"))
    assert printed.strip() == object_cid(signed)
    assert read_signal(signed).proposal == cid


def test_show_a_proposal(wallet):
    target = wallet["root"] / "to-show.json"
    ok(create(wallet, *ORDINARY, "--tag", "budget", "--out", str(target)))
    signed = json.loads(target.read_text(encoding="utf-8"))
    text = ok(invoke(wallet["home"], "proposal", "show", str(target)))
    assert "proposal (ordinary)" in text
    assert object_cid(signed) in text
    assert "a: Buy" in text
    assert "neither: neither" in text
    assert "2025-03-03T00:00:00Z" in text
    body = json.loads(
        ok(invoke(wallet["home"], "proposal", "show", str(target), "--json"))
    )
    assert body == read_proposal(signed).to_json()
    assert body["optionIds"] == ["a", "b", "neither"]


def test_show_refuses_what_is_not_a_proposal(wallet, chain):
    path = wallet["root"] / "a-constitution.json"
    path.write_text(json.dumps(chain[0]), encoding="utf-8")
    problem = failed(invoke(wallet["home"], "--json", "proposal", "show", str(path)))
    assert problem["code"] == "MALFORMED_VALUE_ERROR"


def test_show_an_election_an_amendment_and_a_recall(wallet, rules_file):
    bob, alice = wallet["dids"]["bob"], wallet["dids"]["alice"]
    body = wallet["root"] / "body.md"
    body.write_text("Line one\nline two", encoding="utf-8")
    cases = [
        ("--constitution", TALLY, "--kind", "election", "--method", "stv",
         "--candidate", bob, "--candidate", alice, "--seats", "1",
         "--body-file", str(body)),
        ("--kind", "amendment", "--method", "plurality", "--amendment",
         str(rules_file)),
        ("--constitution", TALLY, "--kind", "recall", "--method", "plurality",
         "--recalls", TALLY),
    ]  # fmt: skip
    shown = []
    for index, extra in enumerate(cases):
        target = wallet["root"] / f"kind-{index}.json"
        ok(create(wallet, *extra, "--out", str(target)))
        shown.append(ok(invoke(wallet["home"], "proposal", "show", str(target))))
    assert row(shown[0], "seats") == "1"
    assert bob in shown[0]
    assert "line two" in shown[0]
    rules = json.loads(rules_file.read_text(encoding="utf-8"))
    assert row(shown[1], "amendment") == f"new rules, CID {object_cid(rules)}"
    assert row(shown[1], "constitution") == "(none: genesis ratification)"
    assert row(shown[2], "recalls") == TALLY


def test_body_and_body_file_together_are_refused(wallet, tmp_path):
    body = tmp_path / "body.md"
    body.write_text("x", encoding="utf-8")
    problem = failed(invoke(
        wallet["home"], "--json", "proposal", "create", "--as", "alice",
        "--community", COMMUNITY, "--title", "T", "--opens", OPENS, "--closes",
        CLOSES, *ORDINARY, "--body", "y", "--body-file", str(body),
    ))  # fmt: skip
    assert problem["code"] == "unusableInput"
