"""``agora mandate show``: a readable summary of a moderator's mandate, in
human and --json modes, in process with CliRunner; input that is not a
mandate is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ssi
from ssi.bundle import pack
from ssi.cid import object_cid
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    compute_tally,
    mandate_credential,
    read_mandate,
    tally_credential,
)
from ssi.status import build_status_entry
from tests.cli.helpers import PASSPHRASE, one_error
from tests.unit.social.tally.world import CLOSES, World, sign
from wallet_cli.app import app

COMMUNITY_KEY = Ed25519KeyPair.from_seed(bytes([43]) * 32)
COMMUNITY_SIGNER = ssi.signer(COMMUNITY_KEY)
COMMUNITY = COMMUNITY_SIGNER.key_id.split("#")[0]
MODERATOR = "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"
ELECTION = object_cid({"an election tally": 1})
LIST = "https://engines.example/status/1"
START = CLOSES + timedelta(days=1)
ELECTED_AT = CLOSES + timedelta(hours=1)
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


# --- agora mandate issue | verify ---------------------------------------------------


class Election:
    """A did:key community that elected members 1 and 2 (2 seats, STV), its
    tally signed by member 0, and a bundle with what judges a mandate."""

    def __init__(self, root: Path) -> None:
        world = World(6)
        self.world = world
        self.moderators = world.members[1], world.members[2]
        self.proposal = world.proposal(
            kind="election", method="stv", candidates=list(self.moderators), seats=2
        )
        ballots = [
            world.ballot(i, self.proposal, [self.moderators[i % 2]]) for i in range(6)
        ]
        result = compute_tally(
            self.proposal,
            world.inputs(self.proposal, ballots),
            constitution=world.constitution,
        )
        assert result.passed
        self.tally = sign(
            tally_credential(world.members[0], result, issued_at=ELECTED_AT),
            world.keys[0],
        )
        self.tally_file = root / "tally.json"
        self.tally_file.write_text(json.dumps(self.tally), encoding="utf-8")
        self.index = world.revocation.allocate()
        self.bundle = root / "election.jsonl"
        with self.bundle.open("wb") as out:
            pack(
                [self.tally, self.proposal, world.constitution],
                out,
                status_history=world.status_lists(),
                require_complete=False,
            )

    def mandate(self, root: Path, moderator: str, name: str) -> Path:
        unsigned = mandate_credential(
            self.world.community,
            moderator,
            election=object_cid(self.tally),
            valid_from=START,
            valid_until=START + timedelta(days=60),
            status=[self.world.revocation.entry(self.index)],
        )
        path = root / name
        path.write_text(
            json.dumps(sign(unsigned, self.world.community_key)), encoding="utf-8"
        )
        return path


@pytest.fixture(scope="module")
def election(tmp_path_factory: pytest.TempPathFactory) -> Election:
    return Election(tmp_path_factory.mktemp("election"))


def verify_mandate(home: Path, path: Path, election: Election, *args: str):
    return invoke(home, "mandate", "verify", str(path), "--bundle",
                  str(election.bundle), *args)  # fmt: skip


def test_verify_a_sound_mandate_within_its_term(tmp_path, election):
    path = election.mandate(tmp_path, election.moderators[0], "m.json")
    at = (START + timedelta(days=1)).isoformat()
    result = verify_mandate(tmp_path, path, election, "--at", at, "--json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert (body["valid"], body["sound"], body["standing"]) == (True, True, "valid")
    assert body["problem"] is None
    text = verify_mandate(tmp_path, path, election, "--at", at)
    assert text.exit_code == 0, text.stderr
    assert "mandate holds" in text.stdout


def test_verify_an_expired_mandate_exits_one_and_says_so(tmp_path, election):
    path = election.mandate(tmp_path, election.moderators[0], "m.json")
    at = (START + timedelta(days=61)).isoformat()
    result = verify_mandate(tmp_path, path, election, "--at", at)
    assert result.exit_code == 1, result.stderr
    assert "does NOT hold" in result.stdout
    assert "expired" in result.stdout
    assert "the mandate's term is over at that time." in result.stdout


def test_verify_a_mandate_for_someone_not_elected_names_the_problem(tmp_path, election):
    path = election.mandate(tmp_path, election.world.members[4], "m.json")
    at = (START + timedelta(days=1)).isoformat()
    result = verify_mandate(tmp_path, path, election, "--at", at, "--json")
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert (body["valid"], body["sound"], body["problem"]) == (
        False,
        False,
        "notElected",
    )
    assert body["detail"]


def test_verify_without_the_election_reads_no_election(tmp_path, election):
    path = election.mandate(tmp_path, election.moderators[0], "m.json")
    result = invoke(tmp_path, "mandate", "verify", str(path), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problem"] == "noElection"


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("issuer") / "wallet"
    env = {"AGORA_PASSPHRASE": PASSPHRASE, "AGORA_NEW_PASSPHRASE": None}
    for args in (
        ("init", "--kdf-profile", "test"),
        ("community", "create", "Engines", "--alias", "engines"),
    ):
        result = runner.invoke(
            app, list(args), env={"AGORA_HOME": str(home), "COLUMNS": "1000", **env}
        )
        assert result.exit_code == 0, result.stderr
    return home


def issue(home: Path, *args: str):
    env = {
        "AGORA_HOME": str(home),
        "AGORA_PASSPHRASE": PASSPHRASE,
        "COLUMNS": "1000",
        "NO_COLOR": "1",
    }
    return runner.invoke(app, ["mandate", "issue", "engines", *args], env=env)


def test_issue_a_mandate_to_a_winner(issuer, election, tmp_path):
    target = tmp_path / "mandate.json"
    result = issue(
        issuer, election.moderators[1], "--election", str(election.tally_file),
        "--valid-from", "2026-04-01T00:00:00Z", "--term", "P30D", "--out",
        str(target), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["out"] == str(target)
    signed = json.loads(target.read_text(encoding="utf-8"))
    mandate = read_mandate(signed)
    assert mandate.moderator == election.moderators[1]
    assert mandate.election == object_cid(election.tally)
    assert mandate.valid_until - mandate.valid_from == timedelta(days=30)
    assert [entry.purpose for entry in mandate.status if entry] == ["revocation"]
    assert mandate.community == signed["issuer"]
    assert signed["proof"]["verificationMethod"].startswith(signed["issuer"] + "#")


def test_issue_refuses_a_member_the_tally_did_not_elect(issuer, election):
    result = issue(
        issuer, election.world.members[5], "--election", str(election.tally_file),
        "--at", "2026-04-01T00:00:00Z", "--until", "2026-05-01T00:00:00Z",
    )  # fmt: skip
    line = one_error(result, "notElected", exit_code=2)
    assert election.world.members[5] in line


def test_issue_needs_exactly_one_end(issuer, election):
    result = issue(
        issuer, election.moderators[0], "--election", str(election.tally_file),
        "--until", "2026-05-01T00:00:00Z", "--term", "P30D",
    )  # fmt: skip
    line = one_error(result, "unusableInput", exit_code=2)
    assert "--until, --term" in line


def test_issue_and_verify_have_help_with_an_example(tmp_path):
    for command in ("issue", "verify"):
        result = invoke(tmp_path, "mandate", command, "--help")
        assert f"Example: agora mandate {command}" in " ".join(result.stdout.split())
