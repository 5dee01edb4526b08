"""``agora community`` for a community of 2 of 3 stewards, each in their own
wallet: steward-key, create --steward/--threshold/--as, cosign (entries and
credentials), admit; ``vc verify`` accepts memberships with 2 steward proofs
and refuses those with 1. In process with CliRunner, text and ``--json``."""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from wallet_cli.app import app

PASSPHRASE = "agora test passphrase"
runner = CliRunner()
MEMBERS = ("m1", "m2", "m3", "m4", "m5")


def agora(home: Path, *args: str):
    return runner.invoke(
        app,
        list(args),
        env={
            "AGORA_HOME": str(home),
            "AGORA_PASSPHRASE": PASSPHRASE,
            "COLUMNS": "200",
            "FORCE_COLOR": None,
        },
    )


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def as_json(result) -> Any:
    return json.loads(ok(result))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("stewards")
    homes = {name: root / name for name in ("ada", "bob", "cy")}
    for home in homes.values():
        ok(agora(home, "init", "--kdf-profile", "test"))
    packages = {}
    for name, home in homes.items():
        path = root / f"{name}.json"
        packages[name] = as_json(
            agora(home, "community", "steward-key", "--as", name, "--out", str(path),
                  "--json")
        )  # fmt: skip
    created = as_json(
        agora(
            homes["ada"], "community", "create", "Analytical Engines",
            "--alias", "engines", "--as", "ada",
            "--steward", str(root / "bob.json"), "--steward", str(root / "cy.json"),
            "--threshold", "2", "--out", str(root / "entry-1.json"), "--json",
        )
    )  # fmt: skip
    cosigned = agora(
        homes["bob"], "community", "cosign", str(root / "entry-1.json"),
        "--as", "bob", "--out", str(root / "log.jsonl"),
    )  # fmt: skip
    ok(cosigned)
    # The creator keeps the completed log by cosigning again (nothing added).
    again = as_json(
        agora(homes["ada"], "community", "cosign", str(root / "log.jsonl"),
              "--as", "ada", "--out", str(root / "again.json"), "--json")
    )  # fmt: skip
    # The third steward, who did not sign the first entry, imports the log.
    ok(agora(homes["cy"], "did", "log", "import", str(root / "log.jsonl")))
    memberships = {}
    for member in MEMBERS:
        one = root / f"{member}-1.json"
        two = root / f"{member}-2.json"
        ok(agora(homes["ada"], "community", "admit", "engines", f"did:example:{member}",
                 "--out", str(one)))  # fmt: skip
        ok(agora(homes["cy"], "community", "cosign", str(one), "--as", "cy",
                 "--out", str(two)))  # fmt: skip
        memberships[member] = (one, two)
    # Status lists are the community's credentials too: two stewards sign them.
    ok(agora(homes["ada"], "community", "status-list", "engines",
             "--out", str(root / "status.json")))  # fmt: skip
    for name in ("status.json", "status-suspension.json"):
        ok(agora(homes["bob"], "community", "cosign", str(root / name), "--as", "bob",
                 "--out", str(root / f"signed-{name}")))  # fmt: skip
    return {
        "root": root,
        "homes": homes,
        "packages": packages,
        "created": created,
        "cosigned": cosigned.stdout,
        "again": again,
        "memberships": memberships,
    }


def test_steward_key_prints_the_public_package(world):
    package = world["packages"]["bob"]
    assert package["steward"] == "bob"
    assert {"updateKey", "nextKeyHash", "assertionKey"} <= set(package)
    again = as_json(agora(world["homes"]["bob"], "community", "steward-key",
                          "--as", "bob"))  # fmt: skip
    assert again["updateKey"] == package["updateKey"]
    assert "secret" not in json.dumps(again).lower()


def test_create_writes_an_entry_signed_by_one_steward(world):
    created = world["created"]
    assert created["threshold"] == 2
    assert created["steward"] == "ada"
    entry = json.loads((world["root"] / "entry-1.json").read_text())
    assert len(entry["proof"]) == 1
    assert entry["threshold"] == 2
    assert len(entry["updateKeys"]) == 3


def test_cosign_completes_the_entry_text_and_json(world):
    assert "entry cosigned" in world["cosigned"]
    assert "yes: the wallet keeps the log" in world["cosigned"]
    assert world["again"]["complete"] is True
    assert world["again"]["proofs"] == 2
    assert world["again"]["threshold"] == 2
    resolved = as_json(agora(world["homes"]["bob"], "did", "resolve",
                             world["created"]["did"], "--json"))  # fmt: skip
    assert resolved["didDocument"]["threshold"] == 2


def test_a_variant_of_the_entry_with_more_proofs_is_the_same_log(world, tmp_path):
    three = tmp_path / "three.jsonl"
    summary = as_json(agora(world["homes"]["cy"], "community", "cosign",
                            str(world["root"] / "log.jsonl"), "--as", "cy",
                            "--out", str(three), "--json"))  # fmt: skip
    assert summary["proofs"] == 3
    assert summary["complete"] is True
    ok(agora(world["homes"]["bob"], "did", "log", "import", str(three)))
    ok(agora(world["homes"]["ada"], "did", "log", "import", str(three)))


def test_a_steward_rotates_with_one_cosigner(tmp_path_factory):
    root = tmp_path_factory.mktemp("rotation")
    homes = {name: root / name for name in ("ada", "bob")}
    for name, home in homes.items():
        ok(agora(home, "init", "--kdf-profile", "test"))
        ok(agora(home, "community", "steward-key", "--as", name,
                 "--out", str(root / f"{name}.json")))  # fmt: skip
    created = as_json(agora(homes["ada"], "community", "create", "Pair", "--as", "ada",
                            "--steward", str(root / "bob.json"), "--threshold", "2",
                            "--out", str(root / "e1.json"), "--json"))  # fmt: skip
    ok(agora(homes["bob"], "community", "cosign", str(root / "e1.json"), "--as", "bob",
             "--out", str(root / "log.jsonl")))  # fmt: skip
    before = json.loads((root / "bob.json").read_text())
    text = ok(agora(homes["bob"], "community", "rotate-steward", created["did"],
                    "--as", "bob", "--compromised",
                    "--out", str(root / "e2.json")))  # fmt: skip
    assert "steward rotation" in text
    ok(agora(homes["ada"], "did", "log", "import", str(root / "log.jsonl")))
    summary = as_json(agora(homes["ada"], "community", "cosign", str(root / "e2.json"),
                            "--as", "ada", "--out", str(root / "e2b.json"),
                            "--json"))  # fmt: skip
    assert summary["complete"] is True
    # bob's wallet takes the completed entry and switches to the revealed key.
    done = as_json(agora(homes["bob"], "community", "cosign", str(root / "e2b.json"),
                         "--as", "bob", "--out", str(root / "e2c.json"),
                         "--json"))  # fmt: skip
    assert (done["complete"], done["proofs"]) == (True, 2)
    after = as_json(agora(homes["bob"], "community", "steward-key", "--as", "bob"))
    assert after["updateKey"] != before["updateKey"]
    assert after["nextKeyHash"] != before["nextKeyHash"]
    resolved = as_json(agora(homes["bob"], "did", "resolve", created["did"], "--json"))
    assert resolved["didDocumentMetadata"]["versionId"] == "2"
    assert resolved["didDocumentMetadata"]["compromisedKeys"] == [before["updateKey"]]
    again = agora(homes["bob"], "community", "rotate-steward", created["did"],
                  "--as", "bob", "--json")  # fmt: skip
    assert again.exit_code == 0  # the next rotation can start


def _verify(world, path: Path) -> Any:
    result = agora(
        world["root"] / "verifier", "vc", "verify", str(path),
        "--log", str(world["root"] / "log.jsonl"),
        "--status-list", str(world["root"] / "signed-status.json"),
        "--status-list", str(world["root"] / "signed-status-suspension.json"),
        "--json",
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_five_memberships_with_two_steward_proofs_verify_and_one_proof_does_not(
    world,
):
    for member in MEMBERS:
        one, two = world["memberships"][member]
        assert len(json.loads(two.read_text())["proof"]) == 2
        report = _verify(world, two)
        assert report["verified"] is True, report["problems"]
        checks = {c["check"]: c for c in report["checks"]}
        assert checks["threshold"]["detail"] == (
            "2 of 3 steward proofs verified, 2 required"
        )
        failed = _verify(world, one)
        assert failed["verified"] is False
        codes = [
            p["errorCode"] for p in failed["problems"] if p["check"] == "threshold"
        ]
        assert codes == ["insufficientProofs"]


def test_admit_says_more_proofs_are_needed(world, tmp_path):
    late = str(tmp_path / "late.json")
    result = agora(world["homes"]["ada"], "community", "admit", "engines",
                   "did:example:late", "--out", late)  # fmt: skip
    text = ok(result)
    assert "1 of 2" in text
    assert "agora community cosign" in text


def test_cosign_of_a_credential_in_json(world, tmp_path):
    one, _ = world["memberships"]["m1"]
    summary = as_json(agora(world["homes"]["bob"], "community", "cosign", str(one),
                            "--as", "bob", "--out", str(tmp_path / "b.json"),
                            "--json"))  # fmt: skip
    assert summary["out"] == str(tmp_path / "b.json")
    assert len(json.loads((tmp_path / "b.json").read_text())["proof"]) == 2


def test_cosign_by_an_unknown_steward_fails_clearly(world):
    one, _ = world["memberships"]["m1"]
    result = agora(world["homes"]["bob"], "community", "cosign", str(one),
                   "--as", "nobody")  # fmt: skip
    assert result.exit_code == 1
    assert "error[recordNotFound]" in result.stderr
    assert "steward-key" in result.stderr


def test_a_steward_of_another_community_cannot_cosign(world, tmp_path):
    home = tmp_path / "dan"
    ok(agora(home, "init", "--kdf-profile", "test"))
    ok(agora(home, "community", "steward-key", "--as", "dan"))
    one, _ = world["memberships"]["m1"]
    result = agora(home, "community", "cosign", str(one), "--as", "dan", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stderr)["code"] == "recordNotFound"


def test_create_with_stewards_needs_as_and_threshold(world):
    result = agora(world["homes"]["ada"], "community", "create", "X",
                   "--steward", str(world["root"] / "bob.json"))  # fmt: skip
    assert result.exit_code == 2
    assert "error[unusableInput]" in result.stderr
    result = agora(world["homes"]["ada"], "community", "create", "X", "--as", "ada",
                   "--steward", str(world["root"] / "bob.json"),
                   "--threshold", "3")  # fmt: skip
    assert result.exit_code == 2
    assert "--threshold must be from 1 to" in result.stderr


def test_a_bad_steward_package_is_unusable_input(world, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "AgoraSteward"}')
    result = agora(world["homes"]["ada"], "community", "create", "X", "--as", "ada",
                   "--steward", str(bad), "--threshold", "1")  # fmt: skip
    assert result.exit_code == 2
    assert "updateKey" in result.stderr


def test_single_key_create_still_works(world):
    created = as_json(agora(world["homes"]["bob"], "community", "create", "Solo",
                            "--json"))  # fmt: skip
    assert "threshold" not in created
    assert created["did"].startswith("did:agora:")


def test_help_has_examples():
    for command in ("steward-key", "cosign", "create", "rotate-steward", "reconfigure"):
        result = runner.invoke(app, ["community", command, "--help"])
        assert result.exit_code == 0
        assert "Example: agora community" in result.stdout


def test_reconfiguration_removes_a_steward_and_adds_one(tmp_path_factory):
    root = tmp_path_factory.mktemp("reconfigure")
    homes = {name: root / name for name in ("ada", "bob", "cy", "dan")}
    for name, home in homes.items():
        ok(agora(home, "init", "--kdf-profile", "test"))
        ok(agora(home, "community", "steward-key", "--as", name,
                 "--out", str(root / f"{name}.json")))  # fmt: skip
    created = as_json(agora(homes["ada"], "community", "create", "Four", "--as", "ada",
                            "--alias", "four",
                            "--steward", str(root / "bob.json"),
                            "--steward", str(root / "cy.json"), "--threshold", "2",
                            "--out", str(root / "e1.json"), "--json"))  # fmt: skip
    did = created["did"]
    ok(agora(homes["bob"], "community", "cosign", str(root / "e1.json"), "--as", "bob",
             "--out", str(root / "log1.jsonl")))  # fmt: skip
    ok(agora(homes["ada"], "did", "log", "import", str(root / "log1.jsonl")))
    # bob stays (his next package), cy leaves, dan joins; still 2 of 3.
    ok(agora(homes["bob"], "community", "steward-key", "--as", "bob", "--next",
             "--out", str(root / "bob-next.json")))  # fmt: skip
    summary = as_json(agora(homes["ada"], "community", "reconfigure", "four",
                            "--as", "ada", "--steward", str(root / "bob-next.json"),
                            "--steward", str(root / "dan.json"), "--threshold", "2",
                            "--out", str(root / "r1.json"), "--json"))  # fmt: skip
    assert (summary["stewards"], summary["proofs"]) == (3, 1)
    done = as_json(agora(homes["bob"], "community", "cosign", str(root / "r1.json"),
                         "--as", "bob", "--out", str(root / "r2.json"),
                         "--json"))  # fmt: skip
    assert done["complete"] is True
    log = root / "log.jsonl"
    log.write_text(
        (root / "log1.jsonl").read_text() + (root / "r2.json").read_text(),
        encoding="utf-8",
    )
    for name in ("ada", "dan", "cy"):
        ok(agora(homes[name], "did", "log", "import", str(log)))
    # ada's wallet switches to her revealed key when it holds the entry.
    ok(agora(homes["ada"], "community", "cosign", str(root / "r2.json"),
             "--as", "ada", "--out", str(root / "r3.json")))  # fmt: skip
    member = root / "m.json"
    ok(agora(homes["ada"], "community", "admit", "four", "did:example:m",
             "--out", str(member)))  # fmt: skip
    ok(agora(homes["dan"], "community", "cosign", str(member), "--as", "dan",
             "--out", str(root / "m2.json")))  # fmt: skip
    removed = agora(homes["cy"], "community", "cosign", str(member), "--as", "cy")
    assert removed.exit_code == 1
    assert "does not serve" in removed.stderr
    credential = json.loads((root / "m2.json").read_text())
    assert [p["verificationMethod"] for p in credential["proof"]] == [
        f"{did}#steward-1",
        f"{did}#steward-3",
    ]
    report = agora(root / "verifier", "vc", "verify", str(root / "m2.json"),
                   "--log", str(log), "--json")  # fmt: skip
    checks = {c["check"]: c for c in json.loads(report.stdout)["checks"]}
    assert checks["threshold"]["passed"]
    assert checks["proof[1]"]["passed"]
