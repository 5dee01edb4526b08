"""Where ``agora`` finds the evidence a verifier needs, and when it opens the
wallet for it: did:agora logs and status lists from ``--log`` and
``--status-list`` files first, then from the wallet, unlocked once and only
when needed (issue 9, items 2, 9, 10, 11 and "one unlock per command").

In process with CliRunner; the wallet uses the ``test`` KDF profile and the
counting of ``Wallet.open`` calls stands for the Argon2id derivations.
"""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import ssi
from ssi.keys import Ed25519KeyPair
from ssi.wallet import (
    KDFParams,
    Wallet,
    admit_member,
    agora_log,
    create_agora_did,
    create_community,
    status_list_credentials,
)
from tests.cli.helpers import json_error, one_error
from wallet_cli import session
from wallet_cli.app import app

PASSPHRASE = "evidence test passphrase"
KEY = Ed25519KeyPair.from_seed(bytes(range(1, 33)))
runner = CliRunner()


def invoke(args: list[str], home: Path, passphrase: str | None = PASSPHRASE, **kw):
    env: dict[str, str | None] = {
        "AGORA_HOME": str(home),
        "AGORA_PASSPHRASE": passphrase,
        "AGORA_NEW_PASSPHRASE": None,
        "AGORA_BACKUP_PASSPHRASE": None,
        "COLUMNS": "1000",
    }
    return runner.invoke(app, args, env=env, **kw)


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def did_key_credential() -> dict[str, Any]:
    return ssi.issue(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:uuid:7d1e4a70-4c55-4a43-9d1b-0c8f3f1b2a01",
            "type": ["VerifiableCredential", "CommunityBadge"],
            "issuer": ssi.did_key(KEY),
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:ada", "badge": "early"},
        },
        ssi.signer(KEY),
        created="2024-06-01T00:00:00Z",
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A wallet with a did:agora DID and a community that admitted ada, and
    the files they publish."""
    root = tmp_path_factory.mktemp("evidence")
    home = root / "wallet"
    wallet = Wallet.create(home, PASSPHRASE, kdf=KDFParams.profile("test"))
    me = create_agora_did(wallet, alias="me")
    issued = ssi.issue(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "Endorsement"],
            "issuer": me.did,
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:bob", "note": "hello"},
        },
        wallet.signer(me.did),
    )
    engines = create_community(wallet, "Analytical Engines", alias="engines")
    membership = admit_member(wallet, "engines", "did:example:ada")
    lists = status_list_credentials(wallet, "engines")
    log_lines = "".join(
        json.dumps(entry) + "\n" for entry in agora_log(wallet, "engines")
    )
    (root / "engines.jsonl").write_text(log_lines, encoding="utf-8")
    return {
        "root": root,
        "home": home,
        "me": me.did,
        "engines": engines.did,
        "issued": write(root / "issued.json", issued),
        "membership": write(root / "membership.json", membership),
        "revocation": write(root / "revocation.json", lists["revocation"]),
        "suspension": write(root / "suspension.json", lists["suspension"]),
        "log": root / "engines.jsonl",
        "did-key": write(root / "did-key.json", did_key_credential()),
    }


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Count every ``Wallet.open`` (each one an Argon2id derivation)."""
    calls: list[Path] = []
    original = Wallet.open.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Wallet], home: Path | str, passphrase: str) -> Wallet:
        calls.append(Path(home))
        return original(cls, home, passphrase)

    monkeypatch.setattr(Wallet, "open", classmethod(counting))
    return calls


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "stdin_is_interactive", lambda: True)


def copy_home(world: dict[str, Any], tmp_path: Path) -> Path:
    import shutil

    home = tmp_path / "wallet"
    shutil.copytree(world["home"], home)
    return home


# --- Item 2: the wallet's logs when the passphrase is typed -------------------------


def test_the_passphrase_is_asked_for_a_did_agora_issuer_in_a_terminal(
    world, tty, opens
):
    result = invoke(
        ["vc", "verify", str(world["issued"]), "--json"],
        world["home"],
        passphrase=None,
        input=PASSPHRASE + "\n",
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "Passphrase for" in result.stderr
    assert json.loads(result.stdout)["verified"] is True
    assert len(opens) == 1
    human = invoke(
        ["vc", "verify", str(world["issued"])],
        world["home"],
        passphrase=None,
        input=PASSPHRASE + "\n",
    )
    assert human.exit_code == 0, human.stderr
    assert "credential: verified" in human.stdout


def test_a_typed_passphrase_gives_the_wallet_logs_and_status_lists(world, tty, opens):
    result = invoke(
        ["vc", "verify", str(world["membership"]), "--json"],
        world["home"],
        passphrase=None,
        input=PASSPHRASE + "\n",
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stderr.count("Passphrase for") == 1
    report = json.loads(result.stdout)
    assert report["verified"] is True
    details = [check["detail"] for check in report["checks"]]
    assert "revocation: not revoked" in details
    assert "suspension: not suspended" in details
    assert len(opens) == 1


def test_without_a_terminal_status_lists_say_how_to_give_them(world, opens):
    result = invoke(
        ["vc", "verify", str(world["membership"]), "--log", str(world["log"])],
        world["home"],
        None,
    )
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())
    assert "STATUS_RETRIEVAL_ERROR" in text
    for hint in ("--status-list FILE", "AGORA_PASSPHRASE", "--passphrase-file"):
        assert hint in text
    assert opens == []


def test_without_a_terminal_the_not_found_message_says_how_to_give_the_log(
    world, opens
):
    result = invoke(
        ["vc", "verify", str(world["issued"]), "--json"], world["home"], None
    )
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["errorCode"] == "notFound"
    for hint in ("--log FILE", "AGORA_PASSPHRASE", "--passphrase-file"):
        assert hint in problem["detail"], problem["detail"]
    assert opens == []
    human = invoke(["vc", "verify", str(world["issued"])], world["home"], None)
    assert human.exit_code == 1
    assert "AGORA_PASSPHRASE" in human.stdout
    resolved = invoke(["did", "resolve", world["me"]], world["home"], None)
    assert resolved.exit_code == 1
    line = one_error(resolved, "notFound")
    assert "--log FILE" in line
    assert "--passphrase-file" in line


def test_with_no_wallet_the_message_names_the_log_option(world, tmp_path):
    result = invoke(["did", "resolve", world["me"], "--json"], tmp_path / "none")
    assert result.exit_code == 1
    metadata = json.loads(result.stdout)["didResolutionMetadata"]
    assert metadata["error"] == "notFound"
    assert "give it with --log FILE" in metadata["errorMessage"]


# --- Item 11: commands that need no wallet never open it ----------------------------


def test_a_stale_passphrase_does_not_matter_for_did_key(world, opens):
    did = ssi.did_key(KEY)
    resolved = invoke(["did", "resolve", did, "--json"], world["home"], "stale")
    assert resolved.exit_code == 0, resolved.stderr
    assert json.loads(resolved.stdout)["didDocument"]["id"] == did
    verified = invoke(
        ["vc", "verify", str(world["did-key"]), "--json"], world["home"], "stale"
    )
    assert verified.exit_code == 0, verified.stderr
    assert json.loads(verified.stdout)["verified"] is True
    presentation = ssi.present(
        [did_key_credential()],
        ssi.signer(KEY),
        challenge="c1",
        created="2024-06-01T00:00:00Z",
    )
    vp = write(world["root"] / "vp.json", presentation)
    shown = invoke(
        ["vp", "verify", str(vp), "--challenge", "c1", "--no-domain", "--json"],
        world["home"],
        "stale",
    )
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["verified"] is True
    human = invoke(["vc", "verify", str(world["did-key"])], world["home"], "stale")
    assert "credential: verified" in human.stdout
    assert opens == []


def test_a_did_agora_log_given_as_a_file_needs_no_wallet(world, opens):
    result = invoke(
        [
            "vc", "verify", str(world["membership"]), "--log", str(world["log"]),
            "--status-list", str(world["revocation"]),
            "--status-list", str(world["suspension"]), "--json",
        ],
        world["home"],
        "stale",
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["verified"] is True
    assert opens == []


def test_a_wrong_passphrase_when_the_wallet_is_needed_is_an_error(world, opens):
    result = invoke(["vc", "verify", str(world["issued"])], world["home"], "stale")
    assert result.exit_code == 2
    one_error(result, "wrongPassphrase")
    assert result.stdout == ""
    as_json = invoke(["did", "resolve", world["me"], "--json"], world["home"], "stale")
    assert as_json.exit_code == 2
    json_error(as_json, "wrongPassphrase")
    assert len(opens) == 2


# --- One unlock per command ---------------------------------------------------------


def test_vc_store_unlocks_the_wallet_once(world, tmp_path, opens):
    home = copy_home(world, tmp_path)
    result = invoke(["vc", "store", str(world["issued"]), "--json"], home)
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["verified"] is True
    assert body["status"] == "added"
    assert len(opens) == 1
    shown = invoke(["did", "show", "me", "--json"], home)
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["didDocument"]["id"] == world["me"]
    assert len(opens) == 2


def test_the_wallet_is_opened_once_even_when_asking(world, tmp_path, tty, opens):
    home = copy_home(world, tmp_path)
    result = invoke(
        ["vc", "store", str(world["issued"])],
        home,
        passphrase=None,
        input=PASSPHRASE + "\n",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("Passphrase for") == 1
    assert "credential stored" in result.stdout
    assert len(opens) == 1


# --- Item 9: vc store takes the evidence options; status import ------------------


def test_vc_store_verifies_a_community_credential_with_files(world, tmp_path):
    other = tmp_path / "other"
    Wallet.create(other, PASSPHRASE, kdf=KDFParams.profile("test"))
    without = invoke(["vc", "store", str(world["membership"])], other)
    assert without.exit_code == 1
    assert "notFound" in without.stdout
    args = [
        "vc", "store", str(world["membership"]), "--log", str(world["log"]),
        "--status-list", str(world["revocation"]),
        "--status-list", str(world["suspension"]),
    ]  # fmt: skip
    stored = invoke([*args, "--json"], other)
    assert stored.exit_code == 0, stored.stdout
    body = json.loads(stored.stdout)
    assert body["verified"] is True
    assert body["direction"] == "received"
    again = invoke(args, other)
    assert again.exit_code == 0
    assert "credential already stored" in again.stdout


def test_status_import_then_verify_without_the_files(world, tmp_path):
    other = tmp_path / "other"
    Wallet.create(other, PASSPHRASE, kdf=KDFParams.profile("test"))
    log = ["--log", str(world["log"])]
    missing = invoke(["vc", "verify", str(world["membership"]), *log, "--json"], other)
    assert missing.exit_code == 1
    details = [p["detail"] for p in json.loads(missing.stdout)["problems"]]
    assert any("agora status import FILE" in d for d in details), details
    imported = invoke(["status", "import", str(world["revocation"]), "--json"], other)
    assert imported.exit_code == 0, imported.stderr
    body = json.loads(imported.stdout)
    assert body["status"] == "added"
    assert body["statusPurpose"] == "revocation"
    human = invoke(["status", "import", str(world["suspension"])], other)
    assert human.exit_code == 0, human.stderr
    assert "status list added" in human.stdout
    replaced = invoke(["status", "import", str(world["suspension"]), "--json"], other)
    assert json.loads(replaced.stdout)["status"] == "replaced"
    listed = invoke(["status", "list", "--json"], other)
    assert [i["statusPurpose"] for i in json.loads(listed.stdout)["items"]] == [
        "revocation",
        "suspension",
    ]
    assert "revocation" in invoke(["status", "list"], other).stdout
    verified = invoke(["vc", "verify", str(world["membership"]), *log, "--json"], other)
    assert verified.exit_code == 0, verified.stdout
    report = json.loads(verified.stdout)
    assert report["verified"] is True
    assert "revocation: not revoked" in [c["detail"] for c in report["checks"]]


def test_status_import_refuses_what_is_not_a_status_list(world, tmp_path):
    other = tmp_path / "other"
    Wallet.create(other, PASSPHRASE, kdf=KDFParams.profile("test"))
    result = invoke(["status", "import", str(world["membership"])], other)
    assert result.exit_code == 2
    assert "not a BitstringStatusListCredential" in one_error(
        result, "MALFORMED_VALUE_ERROR"
    )
    listed = write(tmp_path / "array.json", [1, 2])
    refused = invoke(["status", "import", str(listed)], other)
    assert "is not a status list credential" in one_error(refused, "unusableInput")
    empty = invoke(["status", "list"], other)
    assert "No status lists yet" in empty.stdout


# --- Item 10: a --log file that does not parse is an error with its code ----------


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [
        (b'{"version": 1\n', "invalidLogEntry", "line 1"),
        (b"\n\n[1, 2\n", "invalidLogEntry", "line 3"),
        (b'{"a": 1}\n\xff\xfe\n', "invalidLogEntry", "line 2"),
    ],
    ids=["not-json", "third-line", "not-utf8"],
)
@pytest.mark.parametrize("command", ["resolve", "verify"])
def test_a_log_file_that_does_not_parse_is_an_error_line(
    world, tmp_path, content, code, where, command
):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content)
    args = (
        ["did", "resolve", world["engines"]]
        if command == "resolve"
        else ["vc", "verify", str(world["membership"])]
    )
    result = invoke([*args, "--log", str(bad)], tmp_path / "none")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    line = one_error(result, code)
    assert str(bad) in line
    assert where in line
    assert result.stdout == ""
    as_json = invoke([*args, "--log", str(bad), "--json"], tmp_path / "none")
    assert as_json.exit_code == 2, (as_json.stdout, as_json.stderr)
    text = json_error(as_json, code)
    assert str(bad) in text
    assert where in text
    assert "PARSING_ERROR" not in text


def test_a_folder_of_logs_is_checked_file_by_file(world, tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "good.jsonl").write_text(world["log"].read_text(), encoding="utf-8")
    good = invoke(
        ["did", "resolve", world["engines"], "--log", str(folder), "--json"],
        tmp_path / "none",
    )
    assert good.exit_code == 0, good.stdout
    (folder / "broken.jsonl").write_text("nope\n", encoding="utf-8")
    bad = invoke(
        ["did", "resolve", world["engines"], "--log", str(folder)], tmp_path / "none"
    )
    assert bad.exit_code == 2
    assert "broken.jsonl" in one_error(bad, "invalidLogEntry")


def test_a_log_source_that_fails_to_read_fails_the_command(
    world, tmp_path, monkeypatch
):
    """When the library itself refuses a --log file while resolving (as the
    did:agora file source does for files it cannot read), the command prints
    that error with its code and exits 2, and no report calls the credential
    unparsable."""
    from ssi.agora import FileLogSource
    from ssi.errors import InvalidDIDLogError

    def refuse(self, did):
        raise InvalidDIDLogError(
            f"cannot read {self.path}: not a log entry at line 3.",
            code="invalidLogEntry",
        )

    monkeypatch.setattr(FileLogSource, "logs_for", refuse)
    for args in (
        ["vc", "verify", str(world["membership"])],
        ["did", "resolve", world["engines"]],
    ):
        result = invoke([*args, "--log", str(world["log"])], tmp_path / "none")
        assert result.exit_code == 2, (result.stdout, result.stderr)
        assert "at line 3" in one_error(result, "invalidLogEntry")
        assert result.stdout == ""
        as_json = invoke(
            [*args, "--log", str(world["log"]), "--json"], tmp_path / "none"
        )
        assert as_json.exit_code == 2, (as_json.stdout, as_json.stderr)
        assert "at line 3" in json_error(as_json, "invalidLogEntry")
