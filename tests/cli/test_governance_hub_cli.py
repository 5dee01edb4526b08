"""``--hub URL`` on ``agora proposal show`` and ``agora tally verify``, and
``agora hub serve --at``: a community's vote pushed to a real hub process,
read back and recounted on the reader's side.

The vote is dated in the future (a window that opens in an hour), so the hub
judges validity as of a time after its close (``--at``), as the reader does.
A member is revoked before the close: the hub keeps her membership as
evidence, and the recount from the hub matches the tally that rejected her
ballot."""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ssi.cid import object_cid
from ssi.credentials import system_clock
from tests.hub.conftest import Hub, start_hub
from wallet_cli.app import app

PASSPHRASE = "agora test passphrase"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "constitution.toml"
MEMBERS = ("ada", "bob", "cy", "dee")
runner = CliRunner()


def invoke(home: Path, *args: str):
    env = {
        "AGORA_HOME": str(home),
        "AGORA_PASSPHRASE": PASSPHRASE,
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    return runner.invoke(app, list(args), env=env)


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return str(result.stdout)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def vote(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Four members ratify their constitution; dee votes, then is revoked
    before the close; eve tallies."""
    root = tmp_path_factory.mktemp("vote")
    home = root / "wallet"
    ok(invoke(home, "init", "--kdf-profile", "test"))
    made = json.loads(ok(invoke(home, "community", "create", "Engines", "--alias",
                                "engines", "--json")))  # fmt: skip
    community = made["did"]
    memberships = {}
    for name in (*MEMBERS, "eve"):
        ok(invoke(home, "did", "create", "--alias", name))
        path = root / f"m-{name}.json"
        ok(invoke(home, "community", "admit", "engines", name, "--out", str(path)))
        memberships[name] = path
    rules = root / "rules.json"
    ok(invoke(home, "constitution", "draft", community, "--from", str(EXAMPLE),
              "--out", str(rules)))  # fmt: skip
    now = datetime.now(UTC).replace(microsecond=0)
    opens, closes = now + timedelta(hours=1), now + timedelta(days=3)
    proposal = root / "proposal.json"
    ok(invoke(home, "proposal", "create", "--as", "ada", "--community", community,
              "--kind", "amendment", "--title", "Ratify", "--amendment", str(rules),
              "--method", "plurality", "--opens", stamp(opens), "--closes",
              stamp(closes), "--out", str(proposal)))  # fmt: skip
    files = [proposal]
    for name in ("ada", "bob", "cy"):
        path = root / f"s-{name}.json"
        ok(invoke(home, "proposal", "signal", str(proposal), "--as", name,
                  "--out", str(path)))  # fmt: skip
        files.append(path)
    cast = opens + timedelta(hours=2)
    for name in MEMBERS:
        path = root / f"b-{name}.json"
        ok(invoke(home, "vote", str(proposal), "--as", name, "--choice", "yes",
                  "--at", stamp(cast), "--out", str(path)))  # fmt: skip
        files.append(path)
    dee = json.loads(memberships["dee"].read_text(encoding="utf-8"))
    ok(invoke(home, "community", "revoke", "engines", str(dee["id"]), "--at",
              stamp(cast + timedelta(hours=1))))  # fmt: skip
    status = root / "status.json"
    ok(invoke(home, "community", "status-list", "engines", "--out", str(status)))
    bundle = root / "vote.jsonl"
    members = [arg for p in memberships.values() for arg in ("--membership", str(p))]
    ok(invoke(home, "bundle", "pack", *map(str, files), *members, "--status-list",
              str(status), "--out", str(bundle)))  # fmt: skip
    proposal_cid = object_cid(json.loads(proposal.read_text(encoding="utf-8")))
    tally = root / "tally.json"
    ok(invoke(home, "tally", "compute", proposal_cid, "--bundle", str(bundle),
              "--sign-as", "eve", "--out", str(tally)))  # fmt: skip
    return {
        "root": root,
        "home": home,
        "community": community,
        "proposal_cid": proposal_cid,
        "bundle": bundle,
        "tally": tally,
        "tally_cid": object_cid(json.loads(tally.read_text(encoding="utf-8"))),
        "dee": str(dee["id"]),
        "after": stamp(closes + timedelta(hours=1)),
    }


@pytest.fixture(scope="module")
def hub(vote, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """A hub judging as of an hour after the close, holding the vote and
    its tally."""
    started = start_hub(
        tmp_path_factory.mktemp("hub"), extra_args=["--at", vote["after"]]
    )
    try:
        home = vote["home"]
        for source in (vote["bundle"], vote["tally"]):
            ok(invoke(home, "hub", "push", str(source), "--to", started.url))
        yield started
    finally:
        started.stop()


def reader(vote) -> Path:
    return vote["root"] / "reader"


def test_the_hub_keeps_a_revoked_membership_as_evidence(vote, hub):
    pushed = json.loads(
        ok(invoke(vote["home"], "hub", "push", str(vote["bundle"]), "--to", hub.url,
                  "--json"))
    )  # fmt: skip
    assert pushed["rejected"] == 0
    page = httpx.get(
        hub.url + "/objects",
        params={"type": "MembershipCredential", "limit": "100"},
        timeout=30,
    ).json()
    ids = {item["document"]["id"] for item in page["items"]}
    assert vote["dee"] in ids


def test_tally_verify_recounts_from_the_hub(vote, hub):
    result = invoke(reader(vote), "tally", "verify", vote["tally_cid"], "--hub",
                    hub.url, "--at", vote["after"], "--json")  # fmt: skip
    body = json.loads(ok(result))
    assert body["verified"] is True
    assert body["differences"] == []
    rejected = body["recomputed"]["rejected"]
    assert [entry["code"] for entry in rejected] == ["revoked"]
    text = ok(invoke(reader(vote), "tally", "verify", vote["tally_cid"], "--hub",
                     hub.url, "--at", vote["after"]))  # fmt: skip
    assert "tally verified" in text
    assert "matches" in text


def test_a_forged_tally_does_not_verify_against_the_hub(vote, hub):
    forged = json.loads(vote["tally"].read_text(encoding="utf-8"))
    forged["credentialSubject"]["result"]["passed"] = False
    path = vote["root"] / "forged.json"
    path.write_text(json.dumps(forged), encoding="utf-8")
    result = invoke(reader(vote), "tally", "verify", str(path), "--hub", hub.url,
                    "--at", vote["after"], "--json")  # fmt: skip
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert body["verified"] is False
    assert body["signed"] is False


def test_proposal_show_lists_what_refers_to_it_verified(vote, hub):
    body = json.loads(
        ok(invoke(reader(vote), "proposal", "show", vote["proposal_cid"], "--hub",
                  hub.url, "--at", vote["after"], "--json"))
    )  # fmt: skip
    assert body["verified"] is True
    assert body["proposal"]["title"] == "Ratify"
    kinds = [item["type"] for item in body["items"]]
    assert kinds == ["Signal"] * 3 + ["Ballot"] * 4 + ["Tally"]
    assert vote["tally_cid"] in {item["cid"] for item in body["items"]}
    assert body["refused"] == 0
    text = ok(invoke(reader(vote), "proposal", "show", vote["proposal_cid"],
                     "--hub", hub.url, "--at", vote["after"]))  # fmt: skip
    assert "proposal (amendment), verified" in text
    assert "8 objects refer to the proposal" in text


def test_objects_not_valid_yet_are_left_out_and_counted(vote, hub):
    result = invoke(reader(vote), "proposal", "show", vote["proposal_cid"], "--hub",
                    hub.url, "--json")  # fmt: skip
    body = json.loads(ok(result))
    # As of now the ballots, dated after the vote opens, are not valid yet.
    assert "Ballot" not in [item["type"] for item in body["items"]]
    assert body["refused"] >= 4
    assert "did not verify; they are left out" in result.stderr


def test_a_proposal_the_hub_lacks_exits_1(vote, hub):
    missing = vote["tally_cid"]  # a CID, but not a proposal's
    result = invoke(reader(vote), "proposal", "show", missing, "--hub", hub.url)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output


def test_hub_options_need_a_hub_and_a_reachable_one(vote):
    result = invoke(reader(vote), "tally", "verify", str(vote["tally"]), "--bundle",
                    str(vote["bundle"]), "--at", vote["after"])  # fmt: skip
    assert result.exit_code == 2
    assert "--at goes with --hub" in result.stderr
    result = invoke(reader(vote), "proposal", "show", vote["proposal_cid"], "--hub",
                    "http://127.0.0.1:9")  # fmt: skip
    assert result.exit_code == 3, result.output
    result = invoke(reader(vote), "tally", "verify", "not-a-cid", "--hub",
                    "http://127.0.0.1:9")  # fmt: skip
    assert result.exit_code == 2, result.output


def test_hub_serve_refuses_a_time_without_a_zone(tmp_path):
    result = runner.invoke(
        app, ["hub", "serve", "--db", f"sqlite:///{tmp_path / 'h.sqlite'}", "--at",
              "2026-01-01T00:00:00"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "at must be an RFC 3339 time with a zone" in result.stderr


def test_hub_settings_carry_the_time_to_workers():
    from hub.settings import HubSettings

    settings = HubSettings(at="2026-12-26T00:00:00Z")
    again = HubSettings.from_env(settings.to_env())
    assert again.at == "2026-12-26T00:00:00Z"
    assert again.clock() == datetime(2026, 12, 26, tzinfo=UTC)
    assert HubSettings().at is None
    assert HubSettings().clock is system_clock
    with pytest.raises(ValueError, match="with a zone"):
        HubSettings(at="2026-12-26T00:00:00")
