"""``agora community`` end to end: create, admit, members, revoke, suspend,
reinstate, status-list, and ``vc verify --status-list`` by a verifier that has
only the published files."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.helpers import as_json, environment, run


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("community")
    env = environment(root / "wallet")
    assert run("init", "--kdf-profile", "test", env=env).returncode == 0
    created = as_json(
        run(
            "community",
            "create",
            "Analytical Engines",
            "--alias",
            "engines",
            "--json",
            env=env,
        )
    )
    admitted = {}
    for name in ("ada", "bob", "cy"):
        path = root / f"{name}.json"
        signed = as_json(
            run(
                "community", "admit", "engines", f"did:example:{name}",
                "--role", "member",
                "--out", str(path), "--json", env=env,
            )
        )  # fmt: skip
        admitted[name] = (path, signed["id"])
    log = root / "engines.jsonl"
    assert (
        run("did", "log", "export", "engines", "--out", str(log), env=env).returncode
        == 0
    )
    return {
        "root": root,
        "env": env,
        "created": created,
        "admitted": admitted,
        "log": log,
    }


def publish(community: dict[str, Any]) -> list[str]:
    lists = community["root"] / "status.json"
    completed = run(
        "community", "status-list", "engines", "--out", str(lists), "--force",
        env=community["env"],
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    return [
        "--status-list", str(lists),
        "--status-list", str(lists.with_name("status-suspension.json")),
    ]  # fmt: skip


def verify_as_outsider(community: dict[str, Any], name: str) -> dict[str, Any]:
    outsider = environment(community["root"] / "nowhere", passphrase=None)
    path, _ = community["admitted"][name]
    completed = run(
        "vc", "verify", str(path), "--log", str(community["log"]), *publish(community),
        "--json", env=outsider,
    )  # fmt: skip
    assert completed.returncode in (0, 1), completed.stderr
    return json.loads(completed.stdout)


def test_created_with_two_lists(community):
    created = community["created"]
    assert created["did"].startswith("did:agora:")
    assert set(created["statusLists"]) == {"revocation", "suspension"}
    assert created["members"] == []


def test_members_are_listed(community):
    members = as_json(
        run("community", "members", "engines", "--json", env=community["env"])
    )
    assert [m["member"] for m in members["items"]] == [
        "did:example:ada",
        "did:example:bob",
        "did:example:cy",
    ]
    human = run("community", "members", "engines", env=community["env"])
    assert "did:example:ada" in human.stdout
    assert "active" in human.stdout


def test_membership_verifies_with_only_the_published_files(community):
    report = verify_as_outsider(community, "ada")
    assert report["verified"] is True, report
    details = [check["detail"] for check in report["checks"]]
    assert "revocation: not revoked" in details
    assert "suspension: not suspended" in details


def test_without_the_status_lists_the_status_cannot_be_checked(community):
    outsider = environment(community["root"] / "nowhere", passphrase=None)
    path, _ = community["admitted"]["ada"]
    completed = run(
        "vc",
        "verify",
        str(path),
        "--log",
        str(community["log"]),
        "--json",
        env=outsider,
    )
    assert completed.returncode == 1
    codes = [p["errorCode"] for p in json.loads(completed.stdout)["problems"]]
    assert "STATUS_RETRIEVAL_ERROR" in codes


def test_revoked_membership_fails_with_revoked(community):
    env = community["env"]
    _, credential_id = community["admitted"]["bob"]
    revoked = as_json(
        run("community", "revoke", "engines", credential_id, "--json", env=env)
    )
    assert revoked["status"] == "revoked"
    report = verify_as_outsider(community, "bob")
    assert report["verified"] is False
    [problem] = report["problems"]
    assert problem["errorCode"] == "revoked"
    assert "revoked" in problem["detail"]
    again = run("community", "revoke", "engines", credential_id, env=env)
    assert again.returncode == 2
    assert "recordConflict" in again.stderr


def test_suspend_then_reinstate(community):
    env = community["env"]
    _, credential_id = community["admitted"]["cy"]
    assert (
        as_json(
            run(
                "community",
                "revoke",
                "engines",
                credential_id,
                "--suspend",
                "--json",
                env=env,
            )
        )["status"]
        == "suspended"
    )
    report = verify_as_outsider(community, "cy")
    assert report["verified"] is False
    assert report["problems"][0]["errorCode"] == "suspended"
    assert (
        as_json(
            run(
                "community",
                "revoke",
                "engines",
                credential_id,
                "--reinstate",
                "--json",
                env=env,
            )
        )["status"]
        == "active"
    )
    assert verify_as_outsider(community, "cy")["verified"] is True


def test_bad_input(community):
    env = community["env"]
    unknown = run("community", "revoke", "engines", "urn:uuid:nope", env=env)
    assert unknown.returncode == 1
    assert "recordNotFound" in unknown.stderr
    both = run(
        "community", "revoke", "engines", "x", "--suspend", "--reinstate", env=env
    )
    assert both.returncode == 2
    not_a_community = run("community", "members", "did:example:zzz", env=env)
    assert not_a_community.returncode == 1
    bad_time = run(
        "community",
        "admit",
        "engines",
        "did:example:dee",
        "--valid-until",
        "soon",
        env=env,
    )
    assert bad_time.returncode == 2
    assert "Traceback" not in bad_time.stderr
