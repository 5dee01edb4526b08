"""``agora mandate show``: a readable summary of a moderator's mandate, in
human and --json modes, in process with CliRunner; input that is not a
mandate is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ssi
from ssi.cid import object_cid
from ssi.keys import Ed25519KeyPair
from ssi.social import mandate_credential
from ssi.status import build_status_entry
from tests.cli.helpers import one_error
from wallet_cli.app import app

COMMUNITY_KEY = Ed25519KeyPair.from_seed(bytes([43]) * 32)
COMMUNITY_SIGNER = ssi.signer(COMMUNITY_KEY)
COMMUNITY = COMMUNITY_SIGNER.key_id.split("#")[0]
MODERATOR = "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"
ELECTION = object_cid({"an election tally": 1})
LIST = "https://engines.example/status/1"
runner = CliRunner()


def invoke(home: Path, *args: str):
    env = {"AGORA_HOME": str(home), "COLUMNS": "1000", "NO_COLOR": "1"}
    return runner.invoke(app, list(args), env=env)


@pytest.fixture(scope="module")
def mandate_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    unsigned = mandate_credential(
        COMMUNITY,
        MODERATOR,
        election=ELECTION,
        valid_from=datetime(2026, 3, 1, tzinfo=UTC),
        valid_until=datetime(2026, 5, 30, tzinfo=UTC),
        status=[build_status_entry(LIST, 17, entry_id="urn:uuid:m1#revocation")],
        credential_id="urn:uuid:m1",
    )
    signed = ssi.issue(unsigned, COMMUNITY_SIGNER, suite="eddsa-jcs-2022")
    path = tmp_path_factory.mktemp("mandate") / "mandate.json"
    path.write_text(json.dumps(signed), encoding="utf-8")
    return path


def test_show_sums_up_a_mandate(tmp_path, mandate_file):
    result = invoke(tmp_path, "mandate", "show", str(mandate_file))
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert MODERATOR in text
    assert ELECTION in text
    assert "2026-03-01T00:00:00Z" in text
    assert "2026-05-30T00:00:00Z" in text
    assert "90 days" in text
    assert f"revocation: {LIST} #17" in text


def test_show_json_gives_the_fields_and_the_proof_count(tmp_path, mandate_file):
    result = invoke(tmp_path, "mandate", "show", str(mandate_file), "--json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    signed = json.loads(mandate_file.read_text(encoding="utf-8"))
    assert body["cid"] == object_cid(signed)
    assert body["moderator"] == MODERATOR
    assert body["community"] == COMMUNITY
    assert body["election"] == ELECTION
    assert body["validUntil"] == "2026-05-30T00:00:00Z"
    assert body["status"] == [
        {
            "statusPurpose": "revocation",
            "statusListCredential": LIST,
            "statusListIndex": 17,
        }
    ]
    assert body["proofs"] == 1


def test_show_prints_markup_in_a_credential_id_literally(tmp_path):
    unsigned = mandate_credential(
        COMMUNITY,
        MODERATOR,
        election=ELECTION,
        valid_from=datetime(2026, 3, 1, tzinfo=UTC),
        valid_until=datetime(2026, 4, 1, tzinfo=UTC),
        status=[build_status_entry(LIST, 3)],
        credential_id="urn:x:[red]boom[/red]",
    )
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(unsigned), encoding="utf-8")
    result = invoke(tmp_path, "mandate", "show", str(path))
    assert result.exit_code == 0, result.stderr
    assert "urn:x:[red]boom[/red]" in result.stdout


def test_show_refuses_a_credential_that_is_not_a_mandate(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"credentialSubject": {"type": "Post"}}))
    result = invoke(tmp_path, "mandate", "show", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error[")


def test_show_has_help_with_an_example(tmp_path):
    result = invoke(tmp_path, "mandate", "show", "--help")
    assert "Example: agora mandate show" in " ".join(result.stdout.split())


def test_a_missing_file_that_is_no_cid_is_unusable_input(tmp_path):
    result = invoke(tmp_path, "mandate", "show", str(tmp_path / "absent.json"))
    one_error(result, "unusableInput", exit_code=2)
