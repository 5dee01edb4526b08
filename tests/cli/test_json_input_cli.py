"""Every JSON document the CLI reads gets the strict reader that credentials
get (issue 9, item 5): a size cap read incrementally, a depth limit, no
repeated keys, no NaN. Status lists, credentials (vc verify, vc store) and
``--claims @FILE`` are tested here, in process with CliRunner.
"""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import click.testing
import pytest
import typer.main
from typer.testing import CliRunner

import ssi
from ssi.keys import Ed25519KeyPair
from ssi.wallet import KDFParams, Wallet
from tests.cli.helpers import json_error, one_error
from wallet_cli.app import app
from wallet_cli.commands.inputs import MAX_JSON_BYTES

PASSPHRASE = "json input test passphrase"
KEY = Ed25519KeyPair.from_seed(bytes(range(2, 34)))
runner = CliRunner()

DEEP = b"[" * 100_000 + b"]" * 100_000
BAD = {
    "deep": (DEEP, "nested deeper than"),
    "duplicate": (b'{"id": "urn:x:1", "id": "urn:x:2"}', "repeats the key"),
    "nan": (b'{"id": "urn:x:1", "n": NaN}', "NaN"),
    "bom": (b'\xef\xbb\xbf{"id": "urn:x:1"}', "byte order mark"),
}


class Spaces(io.RawIOBase):
    """``size`` bytes of spaces, served on demand; counts what was read."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = b" " * n
        self.left -= n
        self.served += n
        return n


def invoke(args: list[str], home: Path, **kw: Any):
    env = {"AGORA_HOME": str(home), "AGORA_PASSPHRASE": PASSPHRASE, "COLUMNS": "1000"}
    return runner.invoke(app, args, env=env, **kw)


def invoke_streaming(args: list[str], home: Path, stream: io.RawIOBase):
    """Run with ``stream`` as standard input (click's runner takes a stream)."""
    env = {"AGORA_HOME": str(home), "AGORA_PASSPHRASE": PASSPHRASE, "COLUMNS": "1000"}
    command = typer.main.get_command(app)
    return click.testing.CliRunner().invoke(command, args, env=env, input=stream)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("json") / "wallet"
    Wallet.create(home, PASSPHRASE, kdf=KDFParams.profile("test")).create_did(
        alias="issuer"
    )
    return home


@pytest.fixture(scope="module")
def credential() -> dict[str, Any]:
    return ssi.issue(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": ssi.did_key(KEY),
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:ada"},
        },
        ssi.signer(KEY),
        created="2024-06-01T00:00:00Z",
    )


# --- --status-list ------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_status_list_file_is_one_error_line(home, tmp_path, credential, case):
    data, fragment = BAD[case]
    bad = tmp_path / "list.json"
    bad.write_bytes(data)
    good = tmp_path / "credential.json"
    good.write_text(json.dumps(credential), encoding="utf-8")
    args = ["vc", "verify", str(good), "--status-list", str(bad)]
    result = invoke(args, home)
    assert result.exit_code == 2, result.output
    line = one_error(result, "unusableInput")
    assert fragment in line
    assert str(bad) in line
    assert result.stdout == ""
    as_json = invoke([*args, "--json"], home)
    assert as_json.exit_code == 2, as_json.output
    assert fragment in json_error(as_json, "unusableInput")


def test_a_huge_status_list_file_is_refused_by_its_size(home, tmp_path, credential):
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written to disk
    good = tmp_path / "credential.json"
    good.write_text(json.dumps(credential), encoding="utf-8")
    result = invoke(["vc", "verify", str(good), "--status-list", str(huge)], home)
    assert result.exit_code == 2
    assert f"larger than {MAX_JSON_BYTES} bytes" in one_error(result, "unusableInput")


def test_a_status_list_that_is_not_a_credential_is_refused(home, tmp_path, credential):
    good = tmp_path / "credential.json"
    good.write_text(json.dumps(credential), encoding="utf-8")
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    result = invoke(["vc", "verify", str(good), "--status-list", str(listed)], home)
    assert result.exit_code == 2
    assert "is not a status list credential" in one_error(result, "unusableInput")


# --- Credentials: vc verify, vc store -------------------------------------------------


@pytest.mark.parametrize("case", ["deep", "duplicate", "nan"])
@pytest.mark.parametrize("command", ["verify", "store"])
def test_a_bad_credential_is_a_parsing_error(home, tmp_path, case, command):
    data, fragment = BAD[case]
    bad = tmp_path / "credential.json"
    bad.write_bytes(data)
    result = invoke(["vc", command, str(bad), "--json"], home)
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout)
    assert report["verified"] is False
    [problem] = report["problems"]
    assert problem["errorCode"] == "PARSING_ERROR"
    assert fragment in problem["detail"]


def test_standard_input_is_read_up_to_the_cap_only(home):
    stream = Spaces(50 * 1024 * 1024)
    result = invoke_streaming(["vc", "verify", "-", "--json"], home, stream)
    assert result.exit_code == 2, result.output
    [problem] = json.loads(result.stdout)["problems"]
    assert f"larger than {MAX_JSON_BYTES} bytes" in problem["detail"]
    assert stream.served <= MAX_JSON_BYTES + 1


# --- --claims @FILE -------------------------------------------------------------------


@pytest.mark.parametrize("case", ["deep", "duplicate", "nan"])
def test_bad_claims_files_are_refused(home, tmp_path, case):
    data, fragment = BAD[case]
    claims = tmp_path / "claims.json"
    claims.write_bytes(data)
    args = ["vc", "issue", "--issuer", "issuer", "--subject", "did:example:x"]
    result = invoke([*args, "--type", "T", "--claims", f"@{claims}"], home)
    assert result.exit_code == 2, result.output
    assert fragment in one_error(result, "invalidClaims")


def test_claims_from_standard_input_are_read_up_to_the_cap_only(home):
    stream = Spaces(50 * 1024 * 1024)
    args = ["vc", "issue", "--issuer", "issuer", "--subject", "did:example:x"]
    result = invoke_streaming([*args, "--type", "T", "--claims", "@-"], home, stream)
    assert result.exit_code == 2, result.output
    assert "larger than" in one_error(result, "invalidClaims")
    assert stream.served <= MAX_JSON_BYTES + 1
