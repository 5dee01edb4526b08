"""did:agora through the ``agora`` command: the rotation scenario end to end.

Create a did:agora DID, issue a credential, rotate, issue another: both verify,
the first with a rotated-key warning. Rotate again marking the first key
compromised: the first credential now fails, the second still verifies. Then
export the log, resolve earlier versions from the file alone, update services,
deactivate, and import the log into another wallet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import as_json, environment, run


def verify(path: Path, env: dict[str, str], *extra: str) -> dict[str, Any]:
    completed = run("vc", "verify", str(path), "--json", *extra, env=env)
    assert completed.returncode in (0, 1), completed.stderr
    report: dict[str, Any] = json.loads(completed.stdout)
    assert report["verified"] is (completed.returncode == 0)
    return report


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("agora")
    env = environment(root / "wallet")
    assert run("init", "--kdf-profile", "test", env=env).returncode == 0
    created = as_json(
        run("did", "create", "--method", "agora", "--alias", "me", "--json", env=env)
    )
    first, second = root / "first.json", root / "second.json"
    claims = '{"role": "member"}'
    for path in (first,):
        assert (
            run(
                "vc",
                "issue",
                "--issuer",
                "me",
                "--subject",
                "did:example:bob",
                "--type",
                "MembershipCredential",
                "--claims",
                claims,
                "--out",
                str(path),
                env=env,
            ).returncode
            == 0
        )
    rotated = run("did", "rotate", "me", env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert "DID rotated" in rotated.stdout
    assert (
        run(
            "vc",
            "issue",
            "--issuer",
            "me",
            "--subject",
            "did:example:bob",
            "--type",
            "MembershipCredential",
            "--claims",
            claims,
            "--out",
            str(second),
            env=env,
        ).returncode
        == 0
    )
    return {
        "root": root,
        "env": env,
        "did": created["did"],
        "first": first,
        "second": second,
    }


def test_both_credentials_verify_and_the_first_warns(scenario):
    env = scenario["env"]
    first = verify(scenario["first"], env)
    second = verify(scenario["second"], env)
    assert first["verified"]
    assert second["verified"]
    assert any("rotated out" in w for w in first["warnings"])
    assert second["warnings"] == []
    human = run("vc", "verify", str(scenario["first"]), env=env)
    assert human.returncode == 0
    assert "warning" in human.stdout
    assert "rotated out" in human.stdout


def test_marking_the_first_key_compromised_fails_the_first_credential(scenario):
    env = scenario["env"]
    result = as_json(
        run("did", "rotate", "me", "--compromised", "#key-1", "--json", env=env)
    )
    assert result["versionId"] == "3"
    assert len(result["compromisedKeys"]) == 1
    first = verify(scenario["first"], env)
    assert first["verified"] is False
    [problem] = first["problems"]
    assert problem["errorCode"] == "PROOF_VERIFICATION_ERROR"
    assert "compromised" in problem["detail"]
    assert verify(scenario["second"], env)["verified"] is True


def test_log_export_and_resolution_from_the_file_alone(scenario):
    env, did, root = scenario["env"], scenario["did"], scenario["root"]
    log = root / "me.jsonl"
    assert run("did", "log", "export", "me", "--out", str(log), env=env).returncode == 0
    lines = log.read_text().splitlines()
    assert [json.loads(line)["version"] for line in lines] == list(
        range(1, len(lines) + 1)
    )
    printed = run("did", "log", "export", "me", env=env)
    assert printed.stdout.splitlines() == lines
    outsider = environment(root / "nowallet", passphrase=None)
    first = as_json(
        run(
            "did",
            "resolve",
            did,
            "--log",
            str(log),
            "--version-id",
            "1",
            "--json",
            env=outsider,
        )
    )
    assert first["didDocumentMetadata"]["versionId"] == "1"
    assert first["didDocumentMetadata"]["nextVersionId"] == "2"
    assert first["didDocument"]["verificationMethod"][0]["id"] == did + "#key-1"
    at = first["didDocumentMetadata"]["versionTime"]
    by_time = as_json(
        run(
            "did",
            "resolve",
            did,
            "--log",
            str(log),
            "--version-time",
            at,
            "--json",
            env=outsider,
        )
    )
    assert by_time["didDocumentMetadata"]["versionId"] == "1"
    missing = run("did", "resolve", did, env=outsider)
    assert missing.returncode == 1
    assert "notFound" in missing.stderr
    outsider_verify = verify(scenario["second"], outsider, "--log", str(log))
    assert outsider_verify["verified"] is True


def test_tampered_log_file_is_refused_with_its_entry(scenario):
    env, did, root = scenario["env"], scenario["did"], scenario["root"]
    log = root / "tampered.jsonl"
    assert run("did", "log", "export", "me", "--out", str(log), env=env).returncode == 0
    lines = log.read_text().splitlines()
    second = json.loads(lines[1])
    second["document"]["service"] = [
        {"id": "#evil", "type": "AgoraHub", "serviceEndpoint": "https://evil.example"}
    ]
    lines[1] = json.dumps(second)
    log.write_text("\n".join(lines) + "\n")
    outsider = environment(root / "nowallet2", passphrase=None)
    completed = run("did", "resolve", did, "--log", str(log), "--json", env=outsider)
    assert completed.returncode == 1
    metadata = json.loads(completed.stdout)["didResolutionMetadata"]
    assert metadata["error"] == "invalidLogSignature"
    assert metadata["logEntry"] == 2
    assert "Traceback" not in completed.stderr


def test_update_import_and_deactivate(scenario):
    env, did, root = scenario["env"], scenario["did"], scenario["root"]
    updated = as_json(
        run(
            "did",
            "update",
            "me",
            "--add-service",
            "hub",
            "--service-type",
            "AgoraHub",
            "--service-endpoint",
            "https://hub.example",
            "--json",
            env=env,
        )
    )
    resolved = as_json(run("did", "resolve", did, "--json", env=env))
    assert resolved["didDocument"]["service"][0]["id"] == did + "#hub"
    assert resolved["didDocumentMetadata"]["versionId"] == updated["versionId"]
    nothing = run("did", "update", "me", env=env)
    assert nothing.returncode == 2
    other = environment(root / "other")
    assert run("init", "--kdf-profile", "test", env=other).returncode == 0
    log = root / "for-import.jsonl"
    assert run("did", "log", "export", "me", "--out", str(log), env=env).returncode == 0
    imported = as_json(run("did", "log", "import", str(log), "--json", env=other))
    assert imported["did"] == did
    assert (
        as_json(run("did", "resolve", did, "--json", env=other))["didDocument"]["id"]
        == did
    )
    refused = run("did", "deactivate", "me", env=env)
    assert refused.returncode == 2
    assert "confirmationRequired" in refused.stderr
    gone = as_json(run("did", "deactivate", "me", "--yes", "--json", env=env))
    assert gone["deactivated"] is True
    after = as_json(run("did", "resolve", did, "--json", env=env))
    assert after["didDocumentMetadata"]["deactivated"] is True
    assert "verificationMethod" not in after["didDocument"]
    second = verify(scenario["second"], env)
    assert second["verified"] is True
    assert any("deactivated" in w for w in second["warnings"])
    late = run(
        "vc",
        "issue",
        "--issuer",
        "me",
        "--subject",
        "did:example:bob",
        "--type",
        "MembershipCredential",
        "--claims",
        "{}",
        "--out",
        str(root / "late.json"),
        env=env,
    )
    assert late.returncode == 2
    assert late.stderr.startswith("error[didDeactivated]: ")
    assert "is deactivated" in late.stderr
    assert not (root / "late.json").exists()
    listed = as_json(run("did", "list", "--json", env=env))["items"]
    assert [d["deactivated"] for d in listed if d["alias"] == "me"] == [True]
    rotate_after = run("did", "rotate", "me", env=env)
    assert rotate_after.returncode == 2
