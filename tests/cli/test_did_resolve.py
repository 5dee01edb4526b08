"""``agora --version`` and ``agora did resolve``: the real entry point as a
subprocess, and in-process with CliRunner, in human and --json modes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ssi
from wallet_cli.app import app

AGORA = shutil.which("agora", path=str(Path(sys.executable).parent))
runner = CliRunner()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    assert AGORA is not None, "the agora entry point is not installed in this venv"
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    return subprocess.run(
        [AGORA, *args], capture_output=True, text=True, timeout=60, check=False, env=env
    )


@pytest.fixture(scope="module")
def did() -> str:
    return ssi.did_key(ssi.generate_key("Ed25519"))


def test_version():
    completed = run("--version")
    assert completed.returncode == 0
    assert completed.stdout.strip() == f"agora {ssi.__version__}"


def test_resolve_human(did):
    completed = run("did", "resolve", did)
    assert completed.returncode == 0, completed.stderr
    assert "resolved" in completed.stdout
    assert "Multikey" in completed.stdout
    assert "keyAgreement" in completed.stdout


def test_resolve_json(did):
    completed = run("did", "resolve", did, "--json")
    assert completed.returncode == 0
    body = json.loads(completed.stdout)
    assert body["didDocument"]["id"] == did
    assert body["didResolutionMetadata"]["contentType"] == "application/did+json"


def test_resolve_json_key_format(did):
    completed = run("did", "resolve", did, "--json", "--key-format", "JsonWebKey2020")
    body = json.loads(completed.stdout)
    assert body["didDocument"]["verificationMethod"][0]["type"] == "JsonWebKey2020"


def test_resolve_did_jwk():
    did = ssi.did_jwk(ssi.generate_key("P-256"))
    completed = run("did", "resolve", did, "--json")
    assert completed.returncode == 0
    assert json.loads(completed.stdout)["didDocument"]["id"] == did


@pytest.mark.parametrize(
    ("value", "code", "exit_code"),
    [
        ("did:key:notbase58", "invalidDid", 2),
        ("did:example:123", "methodNotSupported", 1),
        ("not a did", "invalidDid", 2),
        (
            "did:key:z2DQUz8yxybcgY49o2TDENNPqPQBbVynuU6CcNCWtSMrwMx",
            "invalidPublicKeyLength",
            2,
        ),
    ],
)
def test_not_resolved_exits_with_the_code_of_its_kind(value, code, exit_code):
    """A DID that is not valid is unusable input (2); one that cannot be
    resolved here is a negative result (1)."""
    completed = run("did", "resolve", value)
    assert completed.returncode == exit_code
    assert code in completed.stderr
    assert "Traceback" not in completed.stderr
    assert completed.stdout == ""
    as_json = run("did", "resolve", value, "--json")
    assert as_json.returncode == exit_code
    assert json.loads(as_json.stdout)["didResolutionMetadata"]["error"] == code
    assert json.loads(as_json.stderr)["code"] == code


def test_representation(did):
    completed = run("did", "resolve", did, "--accept", "application/did+ld+json")
    assert completed.returncode == 0
    assert json.loads(completed.stdout)["@context"][0] == "https://www.w3.org/ns/did/v1"
    refused = run("did", "resolve", did, "--accept", "text/html")
    assert refused.returncode == 2
    assert "representationNotSupported" in refused.stderr


def test_markup_in_untrusted_input_is_not_interpreted():
    completed = run("did", "resolve", "did:example:[bold]x[/bold]")
    assert completed.returncode == 2
    assert "[bold]" in completed.stderr


@pytest.mark.parametrize(
    "args",
    [("did", "resolve"), ("did", "resolve", "a", "b"), ("did", "nope"), ("--bogus",)],
)
def test_usage_errors_exit_2(args):
    completed = run(*args)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr


def test_help_has_an_example():
    completed = run("did", "resolve", "--help")
    assert completed.returncode == 0
    assert "Example: agora did resolve" in completed.stdout


def test_in_process_json(did):
    result = runner.invoke(app, ["did", "resolve", did, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["didDocument"]["id"] == did
    failed = runner.invoke(app, ["did", "resolve", "did:nope:x"])
    assert failed.exit_code == 1
