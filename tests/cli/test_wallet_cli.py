"""The wallet commands: ``init``, ``did create|list|show``, ``key``, ``vc issue|
store|list|show|delete``, ``vp create``, ``backup`` and ``passphrase``.

Every command runs through the real ``agora`` entry point as a subprocess, in
human and --json modes; variants that need a prompt (and a few more, for
coverage) run in process with CliRunner. Wallets use the cheap ``test`` KDF
profile and live under ``tmp_path``; the environment is built explicitly, so
the real ``~/.agora`` and any ``AGORA_*`` variables are never used.

A wallet built once per module (an Ed25519 did:key issuer, a P-256 did:jwk
holder, a secp256k1 did:key) is copied for tests that change it.
"""

# Test passphrases are not secrets.
# ruff: noqa: S105, S106

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
from ssi.wallet import KDFParams, Wallet
from wallet_cli import session
from wallet_cli.app import app

AGORA = shutil.which("agora", path=str(Path(sys.executable).parent))
PASSPHRASE = "correct horse battery staple"
CHALLENGE = "c-7f3a"
DOMAIN = "verifier.example"
FOREIGN_KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
runner = CliRunner()


# --- Helpers --------------------------------------------------------------------


def environment(home: Path, passphrase: str | None = PASSPHRASE, **extra: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGORA_")}
    env.update(COLUMNS="1000", NO_COLOR="1", AGORA_HOME=str(home))
    if passphrase is not None:
        env["AGORA_PASSPHRASE"] = passphrase
    env.update(extra)
    return env


def run(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``agora``; standard input is empty (not a terminal) unless given."""
    assert AGORA is not None, "the agora entry point is not installed in this venv"
    return subprocess.run(
        [AGORA, *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def ok(completed: subprocess.CompletedProcess[str]) -> str:
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    return completed.stdout


def as_json(completed: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(ok(completed))


def fails(completed: subprocess.CompletedProcess[str], exit_code: int, code: str):
    """One ``error[code]`` line on stderr, the exit code, and no traceback."""
    assert completed.returncode == exit_code, (completed.stdout, completed.stderr)
    assert "Traceback" not in completed.stderr + completed.stdout
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"error[{code}]: "), lines[0]


def invoke(args: list[str], home: Path, passphrase: str | None = PASSPHRASE, **kw):
    env: dict[str, str | None] = {
        "AGORA_HOME": str(home),
        "AGORA_PASSPHRASE": passphrase,
        "AGORA_NEW_PASSPHRASE": None,
        "AGORA_BACKUP_PASSPHRASE": None,
        "COLUMNS": "1000",
    }
    env.update(kw.pop("env", {}))
    return runner.invoke(app, args, env=env, **kw)


def foreign_credential(subject: str, **changes: Any) -> dict[str, Any]:
    """A credential from an issuer outside the wallet (a fixed key)."""
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:5f0c2c8e-54a4-4e3c-9a43-3bb1f5a0c001",
        "type": ["VerifiableCredential", "CommunityBadge"],
        "issuer": ssi.did_key(FOREIGN_KEY),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": subject, "badge": "early member"},
        **changes,
    }
    return ssi.issue(
        credential, ssi.signer(FOREIGN_KEY), created="2024-06-01T00:00:00Z"
    )


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def copy_home(base: dict[str, Any], tmp_path: Path) -> Path:
    home = tmp_path / "wallet"
    shutil.copytree(base["home"], home)
    return home


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A wallet made through the CLI: init, then three DIDs."""
    home = tmp_path_factory.mktemp("base") / "agora"
    env = environment(home)
    created = ok(run("init", "--kdf-profile", "test", env=env))
    assert "wallet created" in created
    assert str(home) in created
    assert "test" in created
    issuer = ok(run("did", "create", "--alias", "issuer", env=env))
    assert "DID created" in issuer
    assert "did:key:z6Mk" in issuer
    assert "Ed25519" in issuer
    holder = as_json(
        run(
            "did", "create", "--alias", "holder", "--method", "jwk",
            "--key-type", "P-256", "--json", env=env,
        )
    )  # fmt: skip
    assert holder["did"].startswith("did:jwk:")
    assert holder["verificationMethod"] == holder["did"] + "#0"
    assert (holder["alias"], holder["method"], holder["keyType"]) == (
        "holder", "jwk", "P-256",
    )  # fmt: skip
    k1 = as_json(
        run(
            "did",
            "create",
            "--alias",
            "k1",
            "--key-type",
            "secp256k1",
            "--json",
            env=env,
        )
    )
    assert k1["did"].startswith("did:key:zQ3s")
    assert k1["keyType"] == "secp256k1"
    wallet = Wallet.open(home, PASSPHRASE)
    return {
        "home": home,
        "env": env,
        "issuer": wallet.did("issuer").did,
        "holder": holder["did"],
        "k1": k1["did"],
    }


# --- init, did --------------------------------------------------------------------


def test_init_twice_and_init_json(base, tmp_path):
    fails(run("init", "--kdf-profile", "test", env=base["env"]), 2, "walletExists")
    fresh = tmp_path / "fresh"
    body = as_json(
        run("init", "--kdf-profile", "test", "--json", env=environment(fresh))
    )
    assert body == {"home": str(fresh), "kdfProfile": "test"}
    assert (fresh / "wallet.json").is_file()
    assert Wallet.open(fresh, PASSPHRASE).dids() == []


def test_did_create_duplicate_alias_is_a_conflict(base):
    completed = run("did", "create", "--alias", "issuer", env=base["env"])
    fails(completed, 2, "recordConflict")
    assert completed.stdout == ""


def test_did_list(base):
    human = ok(run("did", "list", env=base["env"]))
    for alias in ("issuer", "holder", "k1"):
        assert alias in human
    assert base["issuer"] in human
    assert "secp256k1" in human
    body = as_json(run("did", "list", "--json", env=base["env"]))["items"]
    assert [d["alias"] for d in body] == ["issuer", "holder", "k1"]
    assert [d["did"] for d in body] == [base["issuer"], base["holder"], base["k1"]]
    assert [d["keyType"] for d in body] == ["Ed25519", "P-256", "secp256k1"]


def test_did_show(base):
    human = ok(run("did", "show", "issuer", env=base["env"]))
    assert base["issuer"] in human
    assert "assertionMethod" in human
    assert "Multikey" in human
    body = as_json(run("did", "show", base["holder"], "--json", env=base["env"]))
    assert body["alias"] == "holder"
    assert body["didDocument"]["id"] == base["holder"]
    completed = run("did", "show", "nobody", env=base["env"])
    fails(completed, 1, "recordNotFound")
    assert "nobody" in completed.stderr
    assert completed.stdout == ""


# --- key --------------------------------------------------------------------------


def test_key_list(base):
    human = ok(run("key", "list", env=base["env"]))
    assert "Keys in" in human
    assert "P-256" in human
    assert "secretKey" not in human
    body = as_json(run("key", "list", "--json", env=base["env"]))["items"]
    assert [k["alias"] for k in body] == ["issuer", "holder", "k1"]
    assert body[0]["dids"] == [base["issuer"]]
    assert body[0]["publicKeyMultibase"] == base["issuer"].removeprefix("did:key:")
    assert all("secretKeyMultibase" not in k for k in body)


def test_key_export_public(base):
    human = ok(run("key", "export", "issuer", "--public", env=base["env"]))
    assert "public key issuer" in human
    assert base["issuer"].removeprefix("did:key:") in human
    assert '"kty": "OKP"' in human
    assert "SECRET" not in human
    body = as_json(run("key", "export", "holder", "--json", env=base["env"]))
    assert body["publicKeyJwk"]["crv"] == "P-256"
    assert "d" not in body["publicKeyJwk"]
    assert "secretKeyMultibase" not in body
    assert ssi.import_key(body["publicKeyJwk"]) == ssi.import_key(
        body["publicKeyMultibase"]
    )


def test_key_export_private_needs_a_confirmation(base):
    refused = run("key", "export", "issuer", "--private", env=base["env"])
    fails(refused, 2, "confirmationRequired")
    assert refused.stdout == ""
    body = as_json(
        run("key", "export", "issuer", "--private", "--yes", "--json", env=base["env"])
    )
    secret = ssi.import_key(body["secretKeyMultibase"])
    assert isinstance(secret, ssi.KeyPair)
    assert ssi.did_key(secret) == base["issuer"]
    assert body["privateKeyJwk"]["d"]


# --- vc issue ---------------------------------------------------------------------


def test_vc_issue_prints_a_credential_that_verifies(base, tmp_path):
    home = copy_home(base, tmp_path)
    args = ("vc", "issue", "--issuer", "issuer", "--subject", base["holder"])
    completed = run(
        *args, "--type", "MembershipCredential", "--claims", '{"role": "member"}',
        env=environment(home),
    )  # fmt: skip
    credential = as_json(completed)
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "MembershipCredential"]
    assert credential["issuer"] == base["issuer"]
    assert credential["id"].startswith("urn:uuid:")
    assert credential["credentialSubject"] == {"id": base["holder"], "role": "member"}
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert "validUntil" not in credential
    assert ssi.verify(credential).verified
    stored = Wallet.open(home, PASSPHRASE).credential(credential["id"])
    assert stored.direction == "issued"
    assert stored.credential == credential


def test_vc_issue_rdfc_json_and_out_file(base, tmp_path):
    env = environment(copy_home(base, tmp_path))
    args = ("vc", "issue", "--issuer", "issuer", "--subject", "holder")
    credential = as_json(
        run(
            *args, "--type", "AlumniCredential",
            "--claims", '{"alumniOf": "Example U"}',
            "--suite", "eddsa-rdfc-2022", "--valid-until", "2099-01-01T00:00:00Z",
            "--id", "https://issuer.example/credentials/1", "--json", env=env,
        )
    )  # fmt: skip
    assert credential["@context"][1] == "https://www.w3.org/ns/credentials/examples/v2"
    assert credential["credentialSubject"]["id"] == base["holder"]
    assert credential["validUntil"] == "2099-01-01T00:00:00Z"
    assert credential["id"] == "https://issuer.example/credentials/1"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert ssi.verify(credential).verified
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "issued.json"
    human = ok(
        run(
            "vc", "issue", "--issuer", base["holder"], "--subject", "issuer",
            "--type", "Endorsement", "--claims", '{"note": "[bold]hi[/bold]"}',
            "--out", str(target), env=env,
        )
    )  # fmt: skip
    assert "credential issued" in human
    assert str(target) in human
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["proof"]["cryptosuite"] == "ecdsa-jcs-2019"
    assert written["credentialSubject"]["note"] == "[bold]hi[/bold]"
    assert ssi.verify(written).verified
    assert list(folder.iterdir()) == [target]


def test_vc_issue_refusals(base):
    args = ("vc", "issue", "--subject", base["holder"], "--type", "T")
    bad = run(*args, "--issuer", "issuer", "--claims", "[1, 2]", env=base["env"])
    fails(bad, 2, "invalidClaims")
    assert bad.stdout == ""
    unknown = run(*args, "--issuer", "nobody", "--claims", "{}", env=base["env"])
    fails(unknown, 1, "recordNotFound")


# --- vc store, list, show, delete -------------------------------------------------


def test_vc_store_list_show_delete(base, tmp_path):
    home = copy_home(base, tmp_path)
    env = environment(home)
    credential = foreign_credential(base["holder"])
    good = write(tmp_path / "good.json", credential)
    stored = ok(run("vc", "store", str(good), env=env))
    assert "credential stored" in stored
    assert "received" in stored
    again = as_json(run("vc", "store", "-", "--json", env=env, stdin=good.read_text()))
    assert again["status"] == "unchanged"
    assert again["verified"] is True
    assert again["credential"] == credential

    tampered = copy.deepcopy(credential)
    tampered["id"] = "urn:uuid:5f0c2c8e-54a4-4e3c-9a43-3bb1f5a0c002"
    tampered["credentialSubject"]["badge"] = "founder"
    bad = write(tmp_path / "tampered.json", tampered)
    refused = run("vc", "store", str(bad), env=env)
    fails(refused, 1, "CRYPTOGRAPHIC_SECURITY_ERROR")
    assert "credential: NOT verified" in refused.stdout
    assert "PROOF_VERIFICATION_ERROR" in refused.stdout
    assert "--unverified" in refused.stderr
    forced = as_json(run("vc", "store", str(bad), "--unverified", "--json", env=env))
    assert forced["status"] == "added"
    assert forced["verified"] is False

    listed = ok(run("vc", "list", env=env))
    assert credential["id"] in listed
    assert "CommunityBadge" in listed
    assert "received" in listed
    only = as_json(run("vc", "list", "--type", "CommunityBadge", "--json", env=env))[
        "items"
    ]
    assert sorted(r["id"] for r in only) == sorted([credential["id"], tampered["id"]])
    assert all("CommunityBadge" in r["types"] for r in only)

    shown = ok(run("vc", "show", credential["id"], env=env))
    assert "early member" in shown
    assert "eddsa-jcs-2022" in shown
    body = as_json(run("vc", "show", tampered["id"], "--json", env=env))
    assert body["credential"] == tampered
    assert body["direction"] == "received"

    assert tampered["id"] in ok(run("vc", "delete", tampered["id"], "--yes", env=env))
    gone = run("vc", "show", tampered["id"], env=env)
    fails(gone, 1, "recordNotFound")


# --- vp create --------------------------------------------------------------------


def test_vp_create_by_id_and_by_file(base, tmp_path):
    home = copy_home(base, tmp_path)
    env = environment(home)
    wallet = Wallet.open(home, PASSPHRASE)
    stored = wallet.store_credential(foreign_credential(base["holder"]))
    file = write(
        tmp_path / "other.json",
        foreign_credential(
            base["holder"], id="urn:uuid:5f0c2c8e-54a4-4e3c-9a43-3bb1f5a0c003"
        ),
    )
    target = tmp_path / "presentation.json"
    human = ok(
        run(
            "vp", "create", "--holder", "holder", "--challenge", CHALLENGE,
            "--domain", DOMAIN, "--out", str(target), stored.id, str(file), env=env,
        )
    )  # fmt: skip
    assert "presentation created" in human
    verified = ok(
        run(
            "vp", "verify", str(target), "--challenge", CHALLENGE, "--domain", DOMAIN,
            env=env,
        )
    )  # fmt: skip
    assert "presentation: verified" in verified
    assert "credential 1: verified" in verified
    replayed = run(
        "vp", "verify", str(target), "--challenge", "other", "--domain", DOMAIN,
        env=env,
    )  # fmt: skip
    assert replayed.returncode == 1
    presentation = as_json(
        run(
            "vp", "create", "--holder", base["holder"], "--challenge", CHALLENGE,
            "--json", str(file), env=env,
        )
    )  # fmt: skip
    assert presentation["holder"] == base["holder"]
    assert presentation["proof"]["challenge"] == CHALLENGE
    assert len(presentation["verifiableCredential"]) == 1
    report = ssi.verify_presentation(presentation, challenge=CHALLENGE, domain=False)
    assert report.verified, report.to_json()
    missing = run(
        "vp", "create", "--holder", "holder", "--challenge", "c", "urn:x:none", env=env
    )
    fails(missing, 1, "recordNotFound")


# --- backup -----------------------------------------------------------------------


def test_backup_export_and_import(base, tmp_path):
    backup = tmp_path / "backup.json"
    human = ok(run("backup", "export", str(backup), env=base["env"]))
    assert "backup written" in human
    assert backup.is_file()
    refused = run("backup", "export", str(backup), env=base["env"])
    fails(refused, 2, "fileExists")

    fresh = tmp_path / "fresh"
    Wallet.create(fresh, "another passphrase", kdf=KDFParams.profile("test"))
    env = environment(
        fresh, passphrase="another passphrase", AGORA_BACKUP_PASSPHRASE=PASSPHRASE
    )
    imported = ok(run("backup", "import", str(backup), env=env))
    assert "added" in imported
    assert "conflicts  0" in imported
    restored = Wallet.open(fresh, "another passphrase")
    assert [d.did for d in restored.dids()] == [
        base["issuer"],
        base["holder"],
        base["k1"],
    ]
    twice = as_json(run("backup", "import", str(backup), "--json", env=env))
    assert twice["added"] == []
    assert twice["conflicts"] == []
    assert len(twice["unchanged"]) == 6

    clash = tmp_path / "clash"
    other = Wallet.create(clash, PASSPHRASE, kdf=KDFParams.profile("test"))
    other.create_did(alias="issuer")
    summary = as_json(
        run("backup", "import", str(backup), "--json", env=environment(clash))
    )
    assert f"did/{base['issuer']}" in summary["conflicts"]
    assert f"did/{base['holder']}" in summary["added"]
    assert other.did("issuer").did != base["issuer"]


# --- passphrase, unlocking errors -------------------------------------------------


def test_passphrase_change(base, tmp_path):
    home = copy_home(base, tmp_path)
    env = environment(home, AGORA_NEW_PASSPHRASE="a new passphrase")
    assert "passphrase changed" in ok(run("passphrase", "change", env=env))
    old = run("did", "list", env=environment(home))
    fails(old, 2, "wrongPassphrase")
    assert old.stdout == ""
    new = as_json(
        run("did", "list", "--json", env=environment(home, "a new passphrase"))
    )["items"]
    assert [d["alias"] for d in new] == ["issuer", "holder", "k1"]


def test_passphrase_file_option(base, tmp_path):
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\nignored second line\n", encoding="utf-8")
    env = environment(base["home"], passphrase="wrong")
    body = as_json(
        run("--passphrase-file", str(secret), "did", "list", "--json", env=env)
    )["items"]
    assert len(body) == 3


def test_wrong_missing_and_absent_passphrase(base, tmp_path):
    fails(
        run("did", "list", env=environment(base["home"], "wrong")), 2, "wrongPassphrase"
    )
    missing = run("--home", str(tmp_path / "none"), "vc", "list", env=base["env"])
    fails(missing, 2, "walletNotFound")
    assert "agora init" in missing.stderr
    absent = run("key", "list", env=environment(base["home"], passphrase=None))
    fails(absent, 2, "noPassphrase")
    assert "AGORA_PASSPHRASE" in absent.stderr


def test_debug_shows_the_traceback(tmp_path):
    completed = run("--debug", "did", "list", env=environment(tmp_path / "none"))
    assert completed.returncode != 0
    assert "WalletNotFoundError" in completed.stderr
    assert "error[walletNotFound]" not in completed.stderr


# --- Help ------------------------------------------------------------------------

COMMANDS = [
    ["init"],
    ["did", "create"],
    ["did", "list"],
    ["did", "show"],
    ["key", "list"],
    ["key", "export"],
    ["vc", "issue"],
    ["vc", "store"],
    ["vc", "list"],
    ["vc", "show"],
    ["vc", "delete"],
    ["vp", "create"],
    ["backup", "export"],
    ["backup", "import"],
    ["passphrase", "change"],
    ["key", "import"],
    ["did", "dereference"],
    ["did", "remove"],
    ["community", "list"],
    ["status", "import"],
    ["status", "list"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_an_example_and_json(command):
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert f"Example: agora {' '.join(command)}" in result.stdout
    assert "--json" in result.stdout


def test_help_through_the_entry_point(tmp_path):
    out = ok(run("init", "--help", env=environment(tmp_path)))
    assert "ONLY for automated tests" in " ".join(out.split())


# --- In process: prompts and more variants ---------------------------------------


@pytest.fixture
def tty(monkeypatch):
    monkeypatch.setattr(session, "stdin_is_interactive", lambda: True)


def test_init_prompts_twice(tmp_path, tty):
    home = tmp_path / "prompted"
    result = invoke(
        ["init", "--kdf-profile", "test"],
        home,
        None,
        input="s3cret passphrase\ns3cret passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Repeat it to confirm" in result.stderr
    assert "s3cret passphrase" not in result.output
    Wallet.open(home, "s3cret passphrase")
    mismatch = invoke(
        ["init", "--kdf-profile", "test"], tmp_path / "other", None, input="a\nb\n"
    )
    assert mismatch.exit_code == 2
    assert "error[passphraseMismatch]" in mismatch.stderr
    assert not (tmp_path / "other" / "wallet.json").exists()


def test_open_prompts_once(base, tty):
    result = invoke(
        ["did", "list", "--json"], base["home"], None, input=PASSPHRASE + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "Passphrase for" in result.stderr
    assert len(json.loads(result.stdout)["items"]) == 3


def test_passphrase_change_prompts_for_the_new_one(base, tmp_path, tty):
    home = copy_home(base, tmp_path)
    result = invoke(
        ["passphrase", "change", "--json", "--kdf-profile", "test"],
        home,
        input="next one\nnext one\n",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["passphraseChanged"] is True
    Wallet.open(home, "next one")


def test_private_export_typed_confirmation(base, tty):
    args = ["key", "export", "issuer", "--private"]
    wrong = invoke(args, base["home"], input="holder\n")
    assert wrong.exit_code == 2
    assert "error[notConfirmed]" in wrong.stderr
    assert "SECRET" not in wrong.stdout
    right = invoke(args, base["home"], input="issuer\n")
    assert right.exit_code == 0, right.output
    assert "type issuer to confirm" in right.stderr
    assert "SECRET Multikey" in right.stdout
    both = invoke([*args, "--public"], base["home"])
    assert both.exit_code == 2
    assert "error[invalidOption]" in both.stderr


@pytest.mark.parametrize(
    ("method", "key_type", "prefix"),
    [
        ("jwk", "Ed25519", "did:jwk:"),
        ("key", "P-256", "did:key:zDn"),
        ("jwk", "secp256k1", "did:jwk:"),
    ],
)
def test_did_create_other_combinations(base, tmp_path, method, key_type, prefix):
    home = copy_home(base, tmp_path)
    args = ["did", "create", "--method", method, "--key-type", key_type, "--json"]
    result = invoke(args, home)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["did"].startswith(prefix)
    assert body["keyType"] == key_type
    assert body["alias"] is None


def test_did_create_bad_alias(base):
    result = invoke(["did", "create", "--alias", "not an alias"], base["home"])
    assert result.exit_code == 2
    assert "error[invalidAlias]" in result.stderr


def test_vc_issue_variants(base, tmp_path):
    home = copy_home(base, tmp_path)
    claims = write(tmp_path / "claims.json", {"level": 3, "tags": ["a", "b"]})
    args = ["vc", "issue", "--subject", "holder", "--type", "Level"]
    result = invoke([*args, "--issuer", "issuer", "--claims", f"@{claims}"], home)
    assert result.exit_code == 0, result.output
    credential = json.loads(result.stdout)
    assert credential["credentialSubject"]["tags"] == ["a", "b"]
    for claims_text, fragment in [
        ("{", "not usable JSON"),
        ('{"id": "did:example:1"}', "must not hold id"),
        ("@" + str(tmp_path / "missing.json"), "cannot read"),
    ]:
        bad = invoke([*args, "--issuer", "issuer", "--claims", claims_text], home)
        assert bad.exit_code == 2, claims_text
        assert fragment in bad.stderr
    k1 = invoke([*args, "--issuer", "k1", "--claims", "{}"], home)
    assert k1.exit_code == 2
    assert "error[unsupportedAlgorithm]" in k1.stderr
    suite = invoke(
        [*args, "--issuer", "issuer", "--claims", "{}", "--suite", "nope"], home
    )
    assert suite.exit_code == 2
    assert "error[unsupportedCryptosuite]" in suite.stderr
    unwritable = invoke(
        [
            *args,
            "--issuer",
            "issuer",
            "--claims",
            "{}",
            "--out",
            str(tmp_path / "no" / "x"),
        ],
        home,
    )
    assert unwritable.exit_code == 2
    assert "error[unusableOutput]" in unwritable.stderr


def test_vc_store_list_delete_in_process(base, tmp_path):
    home = copy_home(base, tmp_path)
    credential = foreign_credential(base["issuer"])
    stored = invoke(["vc", "store", "-"], home, input=json.dumps(credential))
    assert stored.exit_code == 0, stored.output
    assert "credential stored" in stored.stdout
    garbage = invoke(["vc", "store", "-", "--json"], home, input="{")
    assert garbage.exit_code == 2
    assert json.loads(garbage.stdout)["verified"] is False
    assert json.loads(garbage.stderr)["code"] == "PARSING_ERROR"
    listed = invoke(["vc", "list"], home)
    assert credential["id"] in listed.stdout
    empty = invoke(["vc", "list", "--type", "Nothing"], home)
    assert "No credentials of type Nothing" in empty.stdout
    deleted = invoke(["vc", "delete", credential["id"], "--json", "--yes"], home)
    assert json.loads(deleted.stdout) == {"deleted": credential["id"]}
    again = invoke(["vc", "delete", credential["id"], "--yes"], home)
    assert again.exit_code == 1
    assert "error[recordNotFound]" in again.stderr
    shown = invoke(["vc", "show", credential["id"], "--json"], home)
    assert shown.exit_code == 1


def test_backup_in_process(base, tmp_path):
    backup = tmp_path / "backup.json"
    backup.write_text("old", encoding="utf-8")
    secret = write(tmp_path / "backup-passphrase.txt", "x")
    secret.write_text("backup secret\n", encoding="utf-8")
    args = ["backup", "export", str(backup), "--force", "--json"]
    result = invoke([*args, "--backup-passphrase-file", str(secret)], base["home"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"file": str(backup), "records": 6}
    wrong = invoke(["backup", "import", str(backup)], base["home"])
    assert wrong.exit_code == 2
    assert "error[wrongPassphrase]: the backup passphrase" in wrong.stderr
    right = invoke(
        ["backup", "import", str(backup)],
        base["home"],
        env={"AGORA_BACKUP_PASSPHRASE": "backup secret"},
    )
    assert right.exit_code == 0, right.output
    assert "unchanged  6" in right.stdout


def test_empty_and_unreadable_passphrase_files(base, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\nsecond\n", encoding="utf-8")
    for path, code in [
        (empty, "emptyPassphrase"),
        (tmp_path / "nope", "unusableInput"),
    ]:
        result = invoke(["--passphrase-file", str(path), "did", "list"], base["home"])
        assert result.exit_code == 2
        assert f"error[{code}]" in result.stderr


def test_empty_lists_and_markup(tmp_path):
    home = tmp_path / "empty"
    Wallet.create(home, PASSPHRASE, kdf=KDFParams.profile("test"))
    for command, text in [
        (["did", "list"], "No DIDs yet"),
        (["key", "list"], "No keys yet"),
        (["vc", "list"], "No credentials."),
    ]:
        result = invoke(command, home)
        assert result.exit_code == 0, result.output
        assert text in result.stdout
    markup = invoke(["did", "show", "[bold]x[/bold]"], home)
    assert markup.exit_code == 1
    assert "[bold]x[/bold]" in markup.stderr


def test_human_output_in_process(base, tmp_path):
    """The people-facing side of every command, in process (for coverage)."""
    home = copy_home(base, tmp_path)

    def human(*args: str, code: int = 0, **kw: Any) -> str:
        result = invoke(list(args), home, **kw)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result.stdout

    assert "assertionMethod" in human("did", "show", "holder")
    assert "holder" in human("did", "list")
    assert "secp256k1" in human("key", "list")
    assert "public JWK" in human("key", "export", "holder")
    issued = tmp_path / "issued.json"
    summary = human(
        "vc", "issue", "--issuer", "issuer", "--subject", "holder", "--type", "T",
        "--claims", '{"x": [1]}', "--suite", "eddsa-rdfc-2022", "--out", str(issued),
    )  # fmt: skip
    assert "credential issued" in summary
    credential = json.loads(issued.read_text(encoding="utf-8"))
    shown = human("vc", "show", credential["id"])
    assert "eddsa-rdfc-2022" in shown
    assert "[1]" in shown
    tampered = write(tmp_path / "t.json", dict(credential, id="urn:example:t"))
    assert "NOT verified" in human("vc", "store", str(tampered), code=1)
    forced = human("vc", "store", str(tampered), "--unverified")
    assert "NO (--unverified)" in forced
    assert "credential stored" in forced
    again = invoke(["vc", "store", str(issued)], home)
    assert "credential already stored" in again.stdout
    same_id = write(
        tmp_path / "s.json", dict(credential, validFrom="2020-01-01T00:00:00Z")
    )
    conflicting = invoke(["vc", "store", str(same_id), "--unverified"], home)
    assert conflicting.exit_code == 2
    assert "error[recordConflict]" in conflicting.stderr
    not_object = write(tmp_path / "list.json", [credential])
    human("vc", "store", str(not_object), "--unverified", code=2)
    assert "T" in human("vc", "list", "--type", "T")
    assert f"Deleted {credential['id']}" in human(
        "vc", "delete", credential["id"], "--yes"
    )
    presentation = tmp_path / "vp.json"
    made = human(
        "vp", "create", "--holder", "issuer", "--challenge", "c", "--out",
        str(presentation), str(issued),
    )  # fmt: skip
    assert "presentation created" in made
    printed = json.loads(
        human("vp", "create", "--holder", "issuer", "--challenge", "c", str(issued))
    )
    for document in (printed, json.loads(presentation.read_text(encoding="utf-8"))):
        assert ssi.verify_presentation(document, challenge="c", domain=False).verified
    backup = tmp_path / "backup.json"
    assert "backup written" in human("backup", "export", str(backup))
    clash = tmp_path / "clash"
    Wallet.create(clash, PASSPHRASE, kdf=KDFParams.profile("test")).create_did(
        alias="holder"
    )
    merged = invoke(["backup", "import", str(backup)], clash)
    assert merged.exit_code == 0, merged.stderr
    assert "the wallet's own records were kept" in merged.stdout
    assert base["holder"] in merged.stdout
    changed = human(
        "passphrase", "change", env={"AGORA_NEW_PASSPHRASE": "changed passphrase"}
    )
    assert "passphrase changed" in changed
