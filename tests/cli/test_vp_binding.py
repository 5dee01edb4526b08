"""``agora vp create`` and ``agora vp verify``: what binds a presentation.

Holder binding: a wallet that presents someone else's credential is verified
with a ``holderNotSubject`` warning, shown in the panel and in ``--json``;
``--require-holder-binding`` makes it a failure (exit 1). Replay protection:
``vp verify`` needs ``--challenge TEXT`` or ``--no-challenge``, and
``--domain TEXT`` or ``--no-domain`` (a usage error, exit 2, names the flag to
add); empty values are refused by both commands. In process, with CliRunner,
and a wallet with the cheap ``test`` KDF profile.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#validation,
https://www.w3.org/TR/vc-data-integrity/#proof-purposes
"""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import ssi
from ssi.keys import Ed25519KeyPair
from ssi.wallet import KDFParams, Wallet
from wallet_cli.app import app

PASSPHRASE = "binding test passphrase"
CHALLENGE = "c-5e1d"
DOMAIN = "verifier.example"
COMMUNITY_KEY = Ed25519KeyPair.from_seed(bytes([7]) * 32)
CAROL_KEY = Ed25519KeyPair.from_seed(bytes([8]) * 32)
CAROL = ssi.did_key(CAROL_KEY)
runner = CliRunner()


def membership(subject: str) -> dict[str, Any]:
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:1c9d3e55-0000-4000-8000-00000000ca01",
        "type": ["VerifiableCredential"],
        "issuer": ssi.did_key(COMMUNITY_KEY),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": subject, "role": "member"},
    }
    return ssi.issue(
        unsigned, ssi.signer(COMMUNITY_KEY), created="2024-06-01T00:00:00Z"
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("vp-binding")
    home = folder / "thief-wallet"
    Wallet.create(home, PASSPHRASE, kdf=KDFParams.profile("test")).create_did(
        alias="thief"
    )
    carols = folder / "carol.json"
    carols.write_text(json.dumps(membership(CAROL)), encoding="utf-8")
    stolen = folder / "stolen-vp.json"
    made = invoke(
        ["vp", "create", "--holder", "thief", "--challenge", CHALLENGE,
         "--domain", DOMAIN, "--out", str(stolen), str(carols)],
        home,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    own = folder / "own-vp.json"
    presentation = ssi.present(
        [membership(CAROL)], ssi.signer(CAROL_KEY), challenge=CHALLENGE, domain=DOMAIN
    )
    own.write_text(json.dumps(presentation), encoding="utf-8")
    return {
        "home": str(home),
        "carol": str(carols),
        "stolen": str(stolen),
        "own": str(own),
    }


def invoke(args: list[str], home: Path | str, passphrase: bool = True) -> Result:
    env = {
        "AGORA_HOME": str(home),
        "AGORA_PASSPHRASE": PASSPHRASE if passphrase else None,
        "COLUMNS": "1000",
        "NO_COLOR": "1",
    }
    return runner.invoke(app, args, env=env)


def verifier(args: list[str]) -> Result:
    """Run a command as a verifier: a home without a wallet, no passphrase."""
    return invoke(args, Path(args[2]).parent / "verifier", passphrase=False)


def verify(path: str, *extra: str) -> Result:
    return verifier(
        ["vp", "verify", path, "--challenge", CHALLENGE, "--domain", DOMAIN, *extra]
    )


def usage_error(result: Result, *named: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for flag in named:
        assert flag in lines[0], lines[0]
    assert "Traceback" not in result.stderr


# --- Holder binding ---------------------------------------------------------------


def test_someone_else_s_credential_is_verified_with_a_warning(files):
    human = verify(files["stolen"])
    as_json = verify(files["stolen"], "--json")

    assert human.exit_code == 0, human.output
    assert "presentation: verified" in human.stdout
    warning = next(line for line in human.stdout.splitlines() if "warning" in line)
    assert "holderNotSubject" in warning
    assert "credential 0" in warning
    assert as_json.exit_code == 0
    body = json.loads(as_json.stdout)
    assert body["verified"] is True
    [text] = [w for w in body["warnings"] if w.startswith("holderNotSubject: ")]
    assert "urn:uuid:1c9d3e55-0000-4000-8000-00000000ca01" in text


def test_required_binding_fails_someone_else_s_credential(files):
    human = verify(files["stolen"], "--require-holder-binding")
    as_json = verify(files["stolen"], "--require-holder-binding", "--json")

    assert human.exit_code == 1
    assert "presentation: NOT verified" in human.stdout
    assert "holderNotSubject" in human.stdout
    assert as_json.exit_code == 1
    body = json.loads(as_json.stdout)
    assert body["verified"] is False
    assert [(p["check"], p["errorCode"]) for p in body["problems"]] == [
        ("holderBinding", "holderNotSubject")
    ]


def test_the_subject_s_own_presentation_is_bound(files):
    result = verify(files["own"], "--require-holder-binding", "--json")

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["warnings"] == []
    assert {"check": "holderBinding", "passed": True}.items() <= next(
        c for c in body["checks"] if c["check"] == "holderBinding"
    ).items()


# --- Challenge and domain: an explicit choice ---------------------------------------


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--domain", DOMAIN], ["--challenge", "--no-challenge"]),
        (["--challenge", CHALLENGE], ["--domain", "--no-domain"]),
        ([], ["--challenge"]),
        (["--challenge", "", "--domain", DOMAIN], ["--challenge", "empty"]),
        (["--challenge", CHALLENGE, "--domain", ""], ["--domain", "empty"]),
        (["--challenge", CHALLENGE, "--no-challenge", "--domain", DOMAIN],
         ["--challenge", "--no-challenge"]),
        (["--challenge", CHALLENGE, "--domain", DOMAIN, "--no-domain"],
         ["--domain", "--no-domain"]),
    ],
    ids=["no-challenge-flag", "no-domain-flag", "neither", "empty-challenge",
         "empty-domain", "both-challenge-flags", "both-domain-flags"],
)  # fmt: skip
def test_verify_needs_an_explicit_challenge_and_domain(files, options, named):
    usage_error(verifier(["vp", "verify", files["stolen"], *options]), *named)


def test_another_domain_is_refused_and_no_domain_is_a_warning(files):
    other = verifier(
        ["vp", "verify", files["stolen"], "--challenge", CHALLENGE,
         "--domain", "other.example", "--json"]
    )  # fmt: skip
    skipped = verifier(
        ["vp", "verify", files["stolen"], "--no-challenge", "--no-domain", "--json"]
    )

    assert other.exit_code == 1
    assert json.loads(other.stdout)["problems"][0]["errorCode"] == (
        "INVALID_DOMAIN_ERROR"
    )
    assert skipped.exit_code == 0, skipped.output
    warnings = json.loads(skipped.stdout)["warnings"]
    assert [w.split(":")[0] for w in warnings] == [
        "challengeNotChecked",
        "domainNotChecked",
        "holderNotSubject",
    ]
    assert DOMAIN in warnings[1]  # the domain the proof carries is recorded


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--challenge", ""], ["--challenge", "empty"]),
        (["--challenge", CHALLENGE, "--domain", ""], ["--domain", "empty"]),
    ],
    ids=["empty-challenge", "empty-domain"],
)
def test_create_refuses_an_empty_challenge_or_domain(files, options, named):
    result = invoke(
        ["vp", "create", "--holder", "thief", *options, files["carol"]], files["home"]
    )
    usage_error(result, *named)


def test_help_shows_the_new_options_and_an_example(files):
    result = invoke(["vp", "verify", "--help"], files["home"])
    assert result.exit_code == 0
    for flag in ("--no-challenge", "--no-domain", "--require-holder-binding"):
        assert flag in result.stdout
    assert "Example: agora vp verify presentation.json --challenge" in result.stdout


# --- Files and the wallet ---------------------------------------------------------


def test_create_refuses_to_overwrite_its_out_file_without_force(files, tmp_path):
    target = tmp_path / "vp.json"
    target.write_text("keep me", encoding="utf-8")
    args = ["vp", "create", "--holder", "thief", "--challenge", CHALLENGE,
            "--domain", DOMAIN, "--out", str(target), files["carol"]]  # fmt: skip

    refused = invoke(args, files["home"])
    kept = target.read_text(encoding="utf-8")
    replaced = invoke([*args, "--force"], files["home"])

    assert refused.exit_code == 2, refused.output
    assert "--force" in refused.stderr
    assert kept == "keep me"
    assert replaced.exit_code == 0, replaced.output
    assert json.loads(target.read_text(encoding="utf-8"))["holder"]


def test_a_wrong_passphrase_is_an_error_not_a_missing_log(files, tmp_path):
    env = {
        "AGORA_HOME": files["home"],
        "AGORA_PASSPHRASE": "not the passphrase at all",
        "COLUMNS": "1000",
        "NO_COLOR": "1",
    }
    wallet = Wallet.open(files["home"], PASSPHRASE)
    agora = ssi.wallet.create_agora_did(wallet, alias="agora-holder")
    presentation = ssi.present(
        [membership(agora.did)],
        wallet.signer(agora.did),
        challenge=CHALLENGE,
        domain=DOMAIN,
    )
    path = tmp_path / "agora-vp.json"
    path.write_text(json.dumps(presentation), encoding="utf-8")

    result = runner.invoke(
        app,
        ["vp", "verify", str(path), "--challenge", CHALLENGE, "--domain", DOMAIN],
        env=env,
    )

    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "wrongPassphrase" in result.stderr
