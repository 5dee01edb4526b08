"""``agora vote``, ``agora delegate``, ``agora tally`` and ``agora
constitution adopt``: a community ratifies its constitution through the
command line, in one wallet, in process with CliRunner; text and --json.

The vote is dated with ``--at`` inside a window that closes in the future:
a tally judges every input as of the proposal's close."""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ssi.bundle import read_bundle
from ssi.cid import object_cid
from ssi.social import (
    count,
    read_ballot,
    read_constitution,
    read_delegation,
    read_tally,
)
from wallet_cli.app import app

PASSPHRASE = "agora test passphrase"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "constitution.toml"
MEMBERS = ("ada", "bob", "cy", "dee", "eve")
runner = CliRunner()


def invoke(home: Path, *args: str):
    env = {
        "AGORA_HOME": str(home),
        "AGORA_PASSPHRASE": PASSPHRASE,
        "AGORA_NEW_PASSPHRASE": None,
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    return runner.invoke(app, list(args), env=env)


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return str(result.stdout)


def failed(result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return str(result.stdout) + str(result.stderr)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def vote(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A community of five, its constitution put to a vote: ada, bob and dee
    vote yes, cy no, then cy changes their mind (revote); eve delegates to bob."""
    root = tmp_path_factory.mktemp("vote")
    home = root / "wallet"
    ok(invoke(home, "init", "--kdf-profile", "test"))
    created = json.loads(
        ok(
            invoke(
                home, "community", "create", "Engines", "--alias", "engines", "--json"
            )
        )
    )
    community = created["did"]
    dids = {}
    for name in MEMBERS:
        body = json.loads(ok(invoke(home, "did", "create", "--alias", name, "--json")))
        dids[name] = body["did"]
        ok(invoke(home, "community", "admit", "engines", name,
                  "--out", str(root / f"m-{name}.json")))  # fmt: skip
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
    for name, choice, when in (
        ("ada", "yes", cast),
        ("bob", "yes", cast),
        ("cy", "no", cast),
        ("cy", "yes", cast + timedelta(hours=1)),
        ("dee", "yes", cast),
    ):
        path = root / f"b-{name}-{choice}.json"
        ok(invoke(home, "vote", str(proposal), "--as", name, "--choice", choice,
                  "--at", stamp(when), "--out", str(path)))  # fmt: skip
        files.append(path)
    delegation = root / "d-eve.json"
    ok(invoke(home, "delegate", "--as", "eve", "--to", "bob", "--community",
              community, "--at", stamp(now), "--out", str(delegation)))  # fmt: skip
    files.append(delegation)
    bundle = root / "vote.jsonl"
    memberships = [
        arg for n in MEMBERS for arg in ("--membership", str(root / f"m-{n}.json"))
    ]
    ok(invoke(home, "bundle", "pack", *map(str, files), *memberships,
              "--out", str(bundle)))  # fmt: skip
    proposal_cid = object_cid(json.loads(proposal.read_text(encoding="utf-8")))
    return {
        "home": home,
        "root": root,
        "community": community,
        "dids": dids,
        "proposal": proposal,
        "proposal_cid": proposal_cid,
        "bundle": bundle,
        "closes": closes,
    }


@pytest.fixture(scope="module")
def tally(vote) -> Path:
    path = vote["root"] / "tally.json"
    ok(invoke(vote["home"], "tally", "compute", vote["proposal_cid"], "--bundle",
              str(vote["bundle"]), "--sign-as", "eve", "--out", str(path)))  # fmt: skip
    return path


# --- agora vote ------------------------------------------------------------------


def test_a_ballot_names_the_proposal_and_the_choice(vote):
    ballot = json.loads((vote["root"] / "b-cy-yes.json").read_text(encoding="utf-8"))
    read = read_ballot(ballot)
    assert read.voter == vote["dids"]["cy"]
    assert read.proposal == vote["proposal_cid"]
    assert read.choice == "yes"


def test_vote_json_prints_a_summary(vote):
    body = json.loads(
        ok(invoke(vote["home"], "vote", str(vote["proposal"]), "--as", "eve",
                  "--choice", "no", "--json"))
    )  # fmt: skip
    assert body["type"] == "Ballot"
    assert body["proposal"] == vote["proposal_cid"]
    assert body["choice"] == "no"
    assert body["cid"] == object_cid(body["credential"])


def test_a_choice_that_does_not_fit_the_method_is_refused(vote):
    text = failed(
        invoke(vote["home"], "vote", str(vote["proposal"]), "--as", "ada",
               "--choice", "maybe"), 2
    )  # fmt: skip
    assert "does not fit this plurality proposal" in text
    text = failed(
        invoke(vote["home"], "vote", str(vote["proposal"]), "--as", "ada",
               "--rank", "yes,no"), 2
    )  # fmt: skip
    assert "malformedChoice" in text


def test_exactly_one_choice_option(vote):
    text = failed(
        invoke(vote["home"], "vote", str(vote["proposal"]), "--as", "ada",
               "--choice", "yes", "--approve", "yes"), 2
    )  # fmt: skip
    assert "exactly one of --choice" in text
    text = failed(
        invoke(vote["home"], "vote", vote["proposal_cid"], "--as", "ada",
               "--score", "yes=high"), 2
    )  # fmt: skip
    assert "is not an integer" in text


def test_a_proposal_not_at_hand_is_voted_on_by_cid(vote):
    body = json.loads(
        ok(invoke(vote["home"], "vote", vote["proposal_cid"], "--as", "ada",
                  "--rank", "b,a", "--json"))
    )  # fmt: skip
    assert body["choice"] == ["b", "a"]


# --- agora delegate --------------------------------------------------------------


def test_a_delegation_names_the_delegate_and_the_scope(vote):
    body = json.loads(
        ok(invoke(vote["home"], "delegate", "--as", "ada", "--to",
                  vote["dids"]["cy"], "--community", vote["community"],
                  "--tag", "budget", "--json"))
    )  # fmt: skip
    read = read_delegation(body["credential"])
    assert (read.delegator, read.delegate, read.tag) == (
        vote["dids"]["ada"],
        vote["dids"]["cy"],
        "budget",
    )


def test_revoke_signs_a_withdrawal(vote):
    body = json.loads(
        ok(invoke(vote["home"], "delegate", "revoke", "--as", "eve",
                  "--community", vote["community"], "--json"))
    )  # fmt: skip
    assert body["delegate"] is None
    assert read_delegation(body["credential"]).withdrawn


def test_delegate_needs_its_options(vote):
    text = failed(invoke(vote["home"], "delegate", "--as", "eve"), 2)
    assert "--to and --community" in text
    text = failed(
        invoke(vote["home"], "delegate", "--as", "eve", "--to", "nobody",
               "--community", vote["community"]), 2
    )  # fmt: skip
    assert "is not a DID" in text


# --- agora tally compute | show | verify | proof ---------------------------------


def test_compute_counts_the_vote_and_signs_it(vote, tally):
    credential = json.loads(tally.read_text(encoding="utf-8"))
    read = read_tally(credential)
    assert read.tallier == vote["dids"]["eve"]
    assert read.passed
    result = read.result
    assert result["eligible"] == 5
    # Four direct voters (cy's revote replaces their first ballot) and eve's
    # weight through bob.
    assert result["countedBallots"] == 4
    assert result["countedWeight"] == 5
    assert [r["code"] for r in result["rejected"]] == ["superseded"]
    assert result["count"]["totals"] == {"yes": 5, "no": 0}


def test_compute_prints_a_chart_and_json(vote):
    text = ok(
        invoke(vote["home"], "tally", "compute", vote["proposal_cid"], "--bundle",
               str(vote["bundle"]))
    )  # fmt: skip
    assert "PASSED" in text
    assert "turnout 100.0 % (1/1)" in text
    assert "█" * 30 + " 5" in text
    body = json.loads(
        ok(invoke(vote["home"], "tally", "compute", vote["proposal_cid"],
                  "--bundle", str(vote["bundle"]), "--json", "--processes", "2"))
    )  # fmt: skip
    assert body["result"]["passed"] is True


def test_compute_needs_inputs_and_the_proposal(vote):
    text = failed(invoke(vote["home"], "tally", "compute", vote["proposal_cid"]), 2)
    assert "--bundle FILE or --store PATH" in text
    other = object_cid({"not": "a proposal"})
    text = failed(
        invoke(
            vote["home"], "tally", "compute", other, "--bundle", str(vote["bundle"])
        ),
        1,
    )
    assert "hold no proposal" in text


def test_show_reads_a_tally(vote, tally):
    text = ok(invoke(vote["home"], "tally", "show", str(tally)))
    assert "amendment by plurality" in text
    assert "superseded" in text
    body = json.loads(ok(invoke(vote["home"], "tally", "show", str(tally), "--json")))
    assert body == read_tally(json.loads(tally.read_text(encoding="utf-8"))).result


def test_verify_recounts(vote, tally):
    text = ok(invoke(vote["home"], "tally", "verify", str(tally), "--bundle",
                     str(vote["bundle"])))  # fmt: skip
    assert "recount   matches" in text


def test_a_tampered_tally_is_caught_with_the_difference(vote, tally):
    credential = json.loads(tally.read_text(encoding="utf-8"))
    credential["credentialSubject"]["result"]["countedWeight"] = 6
    bad = vote["root"] / "tally-bad.json"
    bad.write_text(json.dumps(credential), encoding="utf-8")
    result = invoke(vote["home"], "tally", "verify", str(bad), "--bundle",
                    str(vote["bundle"]), "--json")  # fmt: skip
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["verified"] is False
    assert body["signed"] is False
    assert {
        "path": "$.credentialSubject.result.countedWeight",
        "expected": 5,
        "found": 6,
    } in body["differences"]


def test_proof_shows_a_counted_ballot(vote, tally):
    credential = json.loads(tally.read_text(encoding="utf-8"))
    counted = credential["credentialSubject"]["result"]["counted"]
    body = json.loads(
        ok(invoke(vote["home"], "tally", "proof", str(tally), counted[2], "--json"))
    )
    assert body["verified"] is True
    assert body["proof"]["size"] == 4
    assert body["proof"]["root"] == credential["credentialSubject"]["ballotRoot"]
    rejected = credential["credentialSubject"]["result"]["rejected"][0]["cid"]
    text = failed(invoke(vote["home"], "tally", "proof", str(tally), rejected), 1)
    assert "does not count the ballot" in text


# --- agora constitution adopt -----------------------------------------------------


def test_adopt_issues_version_one(vote, tally):
    out = vote["root"] / "constitution.json"
    body = json.loads(
        ok(invoke(vote["home"], "constitution", "adopt", str(tally), "--as",
                  "engines", "--bundle", str(vote["bundle"]), "--out", str(out),
                  "--json"))
    )  # fmt: skip
    adopted = read_constitution(json.loads(out.read_text(encoding="utf-8")))
    assert adopted.version == 1
    assert adopted.replaces is None
    assert adopted.ratified_by == object_cid(
        json.loads(tally.read_text(encoding="utf-8"))
    )
    assert body["version"] == 1


def test_adopt_refuses_a_tally_that_does_not_match(vote, tally):
    credential = json.loads(tally.read_text(encoding="utf-8"))
    credential["credentialSubject"]["result"]["passed"] = True
    credential["credentialSubject"]["result"]["eligible"] = 50
    bad = vote["root"] / "tally-forged.json"
    bad.write_text(json.dumps(credential), encoding="utf-8")
    text = failed(
        invoke(vote["home"], "constitution", "adopt", str(bad), "--as", "engines",
               "--bundle", str(vote["bundle"])), 1
    )  # fmt: skip
    assert "tallyMismatch" in text


def test_adopt_as_another_did_is_refused(vote, tally):
    text = failed(
        invoke(vote["home"], "constitution", "adopt", str(tally), "--as", "ada",
               "--bundle", str(vote["bundle"])), 2
    )  # fmt: skip
    assert "is not the community the tally is for" in text


@pytest.fixture(scope="module")
def history(vote, tally) -> Path:
    """Version 1 adopted, packed with its tally into a bundle."""
    constitution = vote["root"] / "constitution-v1.json"
    ok(invoke(vote["home"], "constitution", "adopt", str(tally), "--as", "engines",
              "--bundle", str(vote["bundle"]), "--out", str(constitution)))  # fmt: skip
    path = vote["root"] / "history.jsonl"
    memberships = [
        arg
        for n in MEMBERS
        for arg in ("--membership", str(vote["root"] / f"m-{n}.json"))
    ]
    ok(invoke(vote["home"], "bundle", "pack", str(constitution), str(tally),
              str(vote["proposal"]), *memberships, "--out", str(path)))  # fmt: skip
    return path


def test_in_force_recounts_and_names_version_one(vote, history):
    later = stamp(vote["closes"] + timedelta(days=1))
    body = json.loads(
        ok(invoke(vote["home"], "constitution", "in-force", vote["community"],
                  "--bundle", str(history), "--bundle", str(vote["bundle"]),
                  "--at", later, "--json"))
    )  # fmt: skip
    assert [row["version"] for row in body["chain"]] == [1]
    assert body["chain"][0]["state"] == "in force"
    assert body["inForce"] == body["chain"][0]["cid"]
    text = ok(invoke(vote["home"], "constitution", "in-force", vote["community"],
                     "--bundle", str(history), "--bundle", str(vote["bundle"]),
                     "--at", later))  # fmt: skip
    assert "in force" in text


def test_in_force_without_the_votes_recounts_nothing(vote, history):
    later = stamp(vote["closes"] + timedelta(days=1))
    text = failed(
        invoke(vote["home"], "constitution", "in-force", vote["community"],
               "--bundle", str(history), "--at", later), 1
    )  # fmt: skip
    assert "constitutionNotInForce" in text
    assert "does not match its inputs" in text
    assert "$.credentialSubject.inputs.length: expected 7, found 16" in text


def test_before_the_vote_closed_nothing_is_in_force(vote, history):
    text = failed(
        invoke(vote["home"], "constitution", "in-force", vote["community"],
               "--bundle", str(history), "--bundle", str(vote["bundle"])), 1
    )  # fmt: skip
    assert "constitutionNotInForce" in text
    assert "it takes effect only at" in text


def test_admit_valid_from_and_revoke_at(vote):
    home, root = vote["home"], vote["root"]
    body = json.loads(ok(invoke(home, "did", "create", "--alias", "fay", "--json")))
    out = root / "m-fay.json"
    ok(invoke(home, "community", "admit", "engines", body["did"], "--valid-from",
              "2031-01-01T00:00:00Z", "--out", str(out)))  # fmt: skip
    membership = json.loads(out.read_text(encoding="utf-8"))
    assert membership["validFrom"] == "2031-01-01T00:00:00Z"
    revoked = json.loads(
        ok(invoke(home, "community", "revoke", "engines", membership["id"], "--at",
                  "2031-02-01T00:00:00Z", "--json"))
    )  # fmt: skip
    assert revoked["status"] == "revoked"
    lists = root / "lists.json"
    ok(invoke(home, "community", "status-list", "engines", "--out", str(lists)))
    assert json.loads(lists.read_text(encoding="utf-8"))["validFrom"].startswith(
        "2031-02-01T00:00:00"
    )
    text = failed(
        invoke(home, "community", "revoke", "engines", membership["id"], "--at",
               "yesterday"), 2
    )  # fmt: skip
    assert "unusableInput" in text
    # A bundle packed from the wallet carries every version of the lists.
    packed = root / "with-versions.jsonl"
    ok(invoke(home, "bundle", "pack", str(vote["proposal"]), "--membership",
              str(out), "--out", str(packed)))  # fmt: skip
    urls = [c["id"] for c in read_bundle(packed).status_lists]
    revocation = membership["credentialStatus"][0]["statusListCredential"]
    assert urls.count(revocation) >= 2


@pytest.mark.parametrize("method", ["stv", "irv", "ranked-pairs", "score"])
def test_show_renders_rounds_and_matrices(vote, method):
    ballots = [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "c", "b"]]
    if method == "score":
        ballots = [{"a": 5, "b": 1}, {"b": 4}, {"c": 3, "a": 2}]
    counted = count(method, ["a", "b", "c"], ballots, seats=2 if method == "stv" else 1)
    result = {
        "proposal": vote["proposal_cid"],
        "kind": "election" if method == "stv" else "ordinary",
        "method": method,
        "passed": True,
        "eligible": 4,
        "countedBallots": len(ballots),
        "countedWeight": len(ballots),
        "quorum": {"required": "1/4", "turnout": "1/1", "met": True},
        "threshold": {"rule": "none", "support": None, "met": True},
        "proposalValid": False,
        "proposalProblems": [{"code": "notEnoughSignals", "message": "0 of 3."}],
        "count": counted.to_json(),
        "rejected": [{"cid": "bagaaierax", "code": "outsideWindow"}],
        "ballotRoot": "00",
    }
    path = vote["root"] / f"result-{method}.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    text = ok(invoke(vote["home"], "tally", "show", str(path)))
    assert "notEnoughSignals: 0 of 3." in text
    assert "outsideWindow" in text
    if method in ("stv", "irv"):
        assert "rounds" in text
        assert "exhausted" in text
    if method == "ranked-pairs":
        assert "pairwise: row over column" in text
    assert f"totals ({method})" in text
