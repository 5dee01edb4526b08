"""``agora vc verify`` and ``agora vp verify``: the real entry point as a
subprocess, and in-process with CliRunner, in human and --json modes.

Credentials are issued by a key from a fixed seed with a fixed ``created``, in
the past, and without ``validUntil``, so they verify with the system clock.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import ssi
from ssi.keys import Ed25519KeyPair
from ssi.proofs import add_proof
from wallet_cli.app import app

AGORA = shutil.which("agora", path=str(Path(sys.executable).parent))
runner = CliRunner()

KEY = Ed25519KeyPair.from_seed(bytes(32))
CREATED = "2024-06-01T00:00:00Z"
CHALLENGE = "8f2c-challenge"
DOMAIN = "verifier.example"
CHECKS = ["parsing", "model", "context", "proof", "validity"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    assert AGORA is not None, "the agora entry point is not installed in this venv"
    # Wide enough that no panel row wraps in the middle of a checked phrase.
    env = dict(os.environ, COLUMNS="1000", NO_COLOR="1")
    return subprocess.run(
        [AGORA, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def unsigned(issuer: str) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "alumniOf": "The School of Examples",
        },
    }


def write(folder: Path, name: str, document: object) -> str:
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def credential() -> dict[str, Any]:
    return ssi.issue(unsigned(ssi.did_key(KEY)), ssi.signer(KEY), created=CREATED)


@pytest.fixture(scope="module")
def files(
    tmp_path_factory: pytest.TempPathFactory, credential: dict[str, Any]
) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("vc")
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["alumniOf"] = "The School of Forgery"
    presentation = ssi.present(
        [credential],
        ssi.signer(KEY),
        challenge=CHALLENGE,
        domain=DOMAIN,
        created=CREATED,
    )
    # Signed by the key, but naming an issuer with rich markup in it: the
    # proof check fails and its detail repeats the issuer.
    markup = add_proof(
        unsigned("urn:example:[bold]x[/bold]"), ssi.signer(KEY), created=CREATED
    )
    (folder / "not-json.json").write_bytes(b"not json")
    return {
        "credential": write(folder, "credential.json", credential),
        "tampered": write(folder, "tampered.json", tampered),
        "presentation": write(folder, "presentation.json", presentation),
        "markup": write(folder, "markup.json", markup),
        "not-json": str(folder / "not-json.json"),
        "missing": str(folder / "missing.json"),
        "folder": str(folder),
    }


def no_traceback(completed: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in completed.stderr
    assert "Traceback" not in completed.stdout


# --- agora vc verify --------------------------------------------------------------


def test_verified_credential_human(files):
    completed = run("vc", "verify", files["credential"])
    assert completed.returncode == 0, completed.stderr
    assert "credential: verified" in completed.stdout
    assert "NOT verified" not in completed.stdout
    assert "FAILED" not in completed.stdout
    assert "eddsa-jcs-2022" in completed.stdout
    assert completed.stderr == ""


def test_verified_credential_json(files):
    completed = run("vc", "verify", files["credential"], "--json")
    assert completed.returncode == 0, completed.stderr
    body = json.loads(completed.stdout)
    assert body["verified"] is True
    assert body["kind"] == "credential"
    assert [check["check"] for check in body["checks"]] == CHECKS
    assert all(check["passed"] for check in body["checks"])
    assert body["problems"] == []


def test_tampered_credential_human(files):
    completed = run("vc", "verify", files["tampered"])
    assert completed.returncode == 1
    no_traceback(completed)
    assert "credential: NOT verified" in completed.stdout
    assert "FAILED  signature does not verify." in completed.stdout
    assert (
        "CRYPTOGRAPHIC_SECURITY_ERROR (PROOF_VERIFICATION_ERROR) in proof"
        in completed.stdout
    )


def test_tampered_credential_json(files):
    completed = run("vc", "verify", files["tampered"], "--json")
    assert completed.returncode == 1
    body = json.loads(completed.stdout)
    assert body["verified"] is False
    failed = [check["check"] for check in body["checks"] if not check["passed"]]
    assert failed == ["proof"]
    [problem] = body["problems"]
    assert problem["type"] == (
        "https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR"
    )
    assert problem["check"] == "proof"
    assert problem["errorCode"] == "PROOF_VERIFICATION_ERROR"


@pytest.mark.parametrize("source", ["missing", "folder"])
@pytest.mark.parametrize("mode", [(), ("--json",)], ids=["human", "json"])
def test_unreadable_source_exits_2_with_one_line(files, source, mode):
    completed = run("vc", "verify", files[source], *mode)
    assert completed.returncode == 2
    no_traceback(completed)
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    if mode:
        problem = json.loads(lines[0])
        assert problem["code"] == "unusableInput"
        assert problem["detail"].startswith("cannot read ")
    else:
        assert lines[0].startswith("error[unusableInput]: cannot read ")
    assert files[source] in lines[0]
    assert completed.stdout == ""


def test_non_json_file_exits_2_human(files):
    completed = run("vc", "verify", files["not-json"])
    assert completed.returncode == 2
    no_traceback(completed)
    assert "credential: NOT verified" in completed.stdout
    problems = [line for line in completed.stdout.splitlines() if "problem" in line]
    assert len(problems) == 1
    assert (
        "PARSING_ERROR (PARSING_ERROR) in parsing: The input is not JSON"
        in (problems[0])
    )


def test_non_json_file_exits_2_json(files):
    completed = run("vc", "verify", files["not-json"], "--json")
    assert completed.returncode == 2
    no_traceback(completed)
    body = json.loads(completed.stdout)
    assert body["verified"] is False
    assert [(c["check"], c["passed"]) for c in body["checks"]] == [("parsing", False)]
    [problem] = body["problems"]
    assert problem["type"].endswith("#PARSING_ERROR")
    assert problem["errorCode"] == "PARSING_ERROR"


def test_dash_reads_standard_input(credential):
    completed = run("vc", "verify", "-", "--json", stdin=json.dumps(credential))
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["verified"] is True
    garbage = run("vc", "verify", "-", stdin="{")
    assert garbage.returncode == 2
    no_traceback(garbage)
    assert "PARSING_ERROR" in garbage.stdout


def test_untrusted_markup_is_printed_literally(files):
    completed = run("vc", "verify", files["markup"])
    assert completed.returncode == 1
    assert "not by urn:example:[bold]x[/bold]." in completed.stdout
    as_json = run("vc", "verify", files["markup"], "--json")
    [problem] = json.loads(as_json.stdout)["problems"]
    assert "urn:example:[bold]x[/bold]" in problem["detail"]


def test_help_has_an_example():
    completed = run("vc", "verify", "--help")
    assert completed.returncode == 0
    assert "Example: agora vc verify" in completed.stdout


# --- agora vp verify --------------------------------------------------------------


def test_presentation_verified(files):
    args = ("vp", "verify", files["presentation"], "--challenge", CHALLENGE)
    completed = run(*args, "--domain", DOMAIN)
    assert completed.returncode == 0, completed.stderr
    assert "presentation: verified" in completed.stdout
    assert "credential 0: verified" in completed.stdout
    as_json = run(*args, "--domain", DOMAIN, "--json")
    body = json.loads(as_json.stdout)
    assert body["verified"] is True
    assert body["kind"] == "presentation"
    assert [c["verified"] for c in body["credentials"]] == [True]


@pytest.mark.parametrize(
    ("challenge", "domain", "code"),
    [
        ("another-challenge", DOMAIN, "INVALID_CHALLENGE_ERROR"),
        (CHALLENGE, "evil.example", "INVALID_DOMAIN_ERROR"),
    ],
    ids=["challenge", "domain"],
)
def test_presentation_wrong_challenge_or_domain(files, challenge, domain, code):
    args = ("vp", "verify", files["presentation"], "--challenge", challenge)
    completed = run(*args, "--domain", domain)
    assert completed.returncode == 1
    no_traceback(completed)
    assert "presentation: NOT verified" in completed.stdout
    assert f"CRYPTOGRAPHIC_SECURITY_ERROR ({code}) in proof" in completed.stdout
    body = json.loads(run(*args, "--domain", domain, "--json").stdout)
    assert body["verified"] is False
    [problem] = body["problems"]
    assert problem["errorCode"] == code
    assert problem["type"].endswith("#CRYPTOGRAPHIC_SECURITY_ERROR")


def test_presentation_without_challenge_is_a_usage_error(files):
    completed = run("vp", "verify", files["presentation"])
    assert completed.returncode == 2
    no_traceback(completed)
    assert "--challenge" in completed.stderr
    assert completed.stdout == ""


# --- In process (coverage) --------------------------------------------------------


def test_in_process_vc_verify(files, credential):
    result = runner.invoke(app, ["vc", "verify", files["credential"], "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verified"] is True
    tampered = runner.invoke(app, ["vc", "verify", files["tampered"]])
    assert tampered.exit_code == 1
    assert "NOT verified" in tampered.stdout
    piped = runner.invoke(app, ["vc", "verify", "-"], input=json.dumps(credential))
    assert piped.exit_code == 0
    missing = runner.invoke(app, ["vc", "verify", files["missing"]])
    assert missing.exit_code == 2
    assert "error[unusableInput]" in missing.stderr


def test_in_process_vp_verify(files):
    args = ["vp", "verify", files["presentation"], "--json"]
    good = runner.invoke(app, [*args, "--challenge", CHALLENGE, "--domain", DOMAIN])
    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout)["verified"] is True
    bad = runner.invoke(
        app, [*args, "--challenge", "another-challenge", "--domain", DOMAIN]
    )
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["problems"][0]["errorCode"] == (
        "INVALID_CHALLENGE_ERROR"
    )
