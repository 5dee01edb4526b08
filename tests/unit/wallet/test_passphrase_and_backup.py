"""Changing the passphrase, and backups: export, and import into any wallet.

Spec: https://www.rfc-editor.org/rfc/rfc9106 (Argon2id, a new salt per
passphrase), https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf
(GCM: a new data key and nonce for every re-encryption)
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

import ssi
from ssi.errors import (
    PassphraseTooShortError,
    WalletAccessError,
    WalletCorruptedError,
    WalletNotFoundError,
    WrongPassphraseError,
)
from ssi.keys import generate_key
from ssi.types import JsonObject
from ssi.wallet import MIN_PASSPHRASE_LENGTH, KDFParams, Wallet
from tests.unit.wallet.helpers import (
    CREATED,
    OTHER_PASSPHRASE,
    PASSPHRASE,
    OSStandIn,
    credential,
    credential_id,
    mode,
    new_wallet,
    os_error,
    snapshot,
    unsigned,
    wallet_body,
)

BACKUP_PASSPHRASE = "backup passphrase"  # noqa: S105


def _fill(wallet: Wallet) -> None:
    """Give ``wallet`` one record of every kind it stores."""
    wallet.add_key(generate_key("X25519"), alias="agreement")
    wallet.create_did(alias="alice")
    wallet.create_did(method="jwk", key_type="P-256", alias="bob")
    wallet.store_credential(credential(1))
    wallet.store_credential(credential(2))
    wallet.put_record("note", "n1", {"text": "hello"})


def _content(wallet: Wallet) -> tuple[object, ...]:
    """Everything a wallet holds, secrets included, in comparable form."""
    return (
        wallet.keys(),
        [wallet.key_pair(k.id).export_multikey(private=True) for k in wallet.keys()],
        wallet.dids(),
        wallet.credentials(),
        wallet.records("note"),
    )


def _boxes(body: JsonObject) -> dict[str, tuple[str, str]]:
    return {r["id"]: (r["nonce"], r["ciphertext"]) for r in body["records"]}


# --- Changing the passphrase ----------------------------------------------------------


def test_change_passphrase_re_encrypts_everything(wallet: Wallet, home: Path):
    _fill(wallet)
    content = _content(wallet)
    before = wallet_body(home)
    wallet.change_passphrase(OTHER_PASSPHRASE)
    after = wallet_body(home)

    with pytest.raises(WrongPassphraseError):
        Wallet.open(home, PASSPHRASE)
    reopened = Wallet.open(home, OTHER_PASSPHRASE)
    assert _content(reopened) == content
    assert _content(wallet) == content  # the open wallet follows the change

    assert after["walletId"] == before["walletId"]
    assert after["kdf"]["salt"] != before["kdf"]["salt"]
    assert after["dataKey"]["nonce"] != before["dataKey"]["nonce"]
    assert after["dataKey"]["ciphertext"] != before["dataKey"]["ciphertext"]
    old, new = _boxes(before), _boxes(after)
    # Schema 2: the opaque ids come from the data key, so a new data key
    # gives every record a new id, a new nonce and a new ciphertext.
    assert len(old) == len(new) == 8  # three keys, two DIDs, two credentials, a note
    assert set(old).isdisjoint(new)
    assert {n for n, _ in old.values()}.isdisjoint(n for n, _ in new.values())
    assert {c for _, c in old.values()}.isdisjoint(c for _, c in new.values())
    assert after["version"] == before["version"] + 1


def test_change_passphrase_keeps_the_costs_unless_told(wallet: Wallet, home: Path):
    wallet.change_passphrase(OTHER_PASSPHRASE)
    assert wallet_body(home)["kdf"]["memoryKiB"] == 64
    wallet.change_passphrase(PASSPHRASE, kdf=KDFParams(128, 2, 2, b"\0" * 16))
    kdf = wallet_body(home)["kdf"]
    assert (kdf["memoryKiB"], kdf["iterations"], kdf["lanes"]) == (128, 2, 2)
    assert kdf["salt"] != "AAAAAAAAAAAAAAAAAAAAAA"  # a fresh salt all the same
    Wallet.open(home, PASSPHRASE)


def test_the_wallet_keeps_working_after_a_passphrase_change(wallet: Wallet, home: Path):
    wallet.create_did(alias="me")
    wallet.change_passphrase(OTHER_PASSPHRASE)
    wallet.store_credential(credential(1))
    vc = ssi.issue(unsigned(2, issuer=wallet.did("me").did), wallet.signer("me"))
    wallet.store_credential(vc)
    assert len(Wallet.open(home, OTHER_PASSPHRASE).credentials()) == 2


@pytest.mark.parametrize(
    ("passphrase", "error"),
    [
        ("", PassphraseTooShortError),
        ("x" * (MIN_PASSPHRASE_LENGTH - 1), PassphraseTooShortError),
        (None, ValueError),
    ],
)
def test_change_passphrase_refuses_an_unusable_passphrase(
    wallet: Wallet, home: Path, passphrase, error
):
    before = snapshot(home)
    with pytest.raises(error, match="passphrase") as caught:
        wallet.change_passphrase(passphrase)
    assert snapshot(home) == before
    if error is PassphraseTooShortError:
        assert caught.value.code == "passphraseTooShort"
        assert str(MIN_PASSPHRASE_LENGTH) in str(caught.value)


def test_a_passphrase_of_the_minimum_length_is_accepted(wallet: Wallet, home: Path):
    shortest = "x" * MIN_PASSPHRASE_LENGTH
    wallet.change_passphrase(shortest)
    Wallet.open(home, shortest)


def test_a_failed_passphrase_change_leaves_the_old_one_working(
    wallet: Wallet, home: Path, storage_os: OSStandIn
):
    _fill(wallet)
    content = _content(wallet)
    before = snapshot(home, directory_times=False)

    def full(fd: int, data: object) -> int:
        raise os_error(errno.ENOSPC)

    storage_os.overrides["write"] = full
    with pytest.raises(WalletAccessError, match="disk is full"):
        wallet.change_passphrase(OTHER_PASSPHRASE)
    storage_os.overrides.clear()

    assert snapshot(home, directory_times=False) == before
    assert _content(Wallet.open(home, PASSPHRASE)) == content
    # The open wallet still holds the key that opens the file.
    assert _content(wallet) == content
    wallet.store_credential(credential(3))
    assert len(Wallet.open(home, PASSPHRASE).credentials()) == 3


def test_a_wallet_open_elsewhere_reports_a_changed_passphrase(
    wallet: Wallet, home: Path
):
    wallet.store_credential(credential(1))
    other = Wallet.open(home, PASSPHRASE)
    wallet.change_passphrase(OTHER_PASSPHRASE)
    before = snapshot(home)
    with pytest.raises(WrongPassphraseError, match="changed"):
        other.credentials()
    with pytest.raises(WrongPassphraseError, match="changed"):
        other.store_credential(credential(2))
    assert snapshot(home) == before
    assert len(Wallet.open(home, OTHER_PASSPHRASE).credentials()) == 1


# --- Export ---------------------------------------------------------------------------


def test_export_backup_writes_a_0600_file_under_its_own_passphrase(
    wallet: Wallet, home: Path, tmp_path: Path
):
    _fill(wallet)
    backup = tmp_path / "backup.agora"
    assert wallet.export_backup(backup, BACKUP_PASSPHRASE) == 8
    assert mode(backup) == 0o600
    body = wallet_body(home)
    exported = _read_json(backup)
    assert exported["format"] == "agora-wallet"
    assert exported["walletId"] == body["walletId"]
    assert exported["kdf"]["salt"] != body["kdf"]["salt"]
    assert exported["dataKey"] != body["dataKey"]
    # Its own data key, so its own opaque ids, nonces and ciphertexts.
    assert len(_boxes(exported)) == len(_boxes(body)) == 8
    assert set(_boxes(exported)).isdisjoint(_boxes(body))
    assert set(_boxes(exported).values()).isdisjoint(_boxes(body).values())
    assert exported["schema"] == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_export_backup_accepts_a_string_path_and_replaces_a_file(
    wallet: Wallet, tmp_path: Path
):
    backup = tmp_path / "backup.agora"
    backup.write_text("old")
    backup.chmod(0o644)
    assert wallet.export_backup(str(backup), BACKUP_PASSPHRASE) == 0
    assert mode(backup) == 0o600
    assert _read_json(backup)["records"] == []


def test_export_backup_refuses_an_unusable_passphrase(wallet: Wallet, tmp_path: Path):
    with pytest.raises(PassphraseTooShortError, match="passphrase"):
        wallet.export_backup(tmp_path / "b", "")
    with pytest.raises(PassphraseTooShortError):
        wallet.export_backup(tmp_path / "b", "x" * (MIN_PASSPHRASE_LENGTH - 1))
    assert not (tmp_path / "b").exists()


def test_export_backup_into_a_missing_directory_is_an_access_error(
    wallet: Wallet, tmp_path: Path
):
    with pytest.raises(WalletAccessError):
        wallet.export_backup(tmp_path / "missing" / "b", BACKUP_PASSPHRASE)


# --- Import ---------------------------------------------------------------------------


def test_import_into_an_empty_wallet_restores_everything(
    wallet: Wallet, tmp_path: Path
):
    _fill(wallet)
    backup = tmp_path / "backup.agora"
    wallet.export_backup(backup, BACKUP_PASSPHRASE)
    target = new_wallet(tmp_path / "restored", "a different passphrase")
    summary = target.import_backup(backup, BACKUP_PASSPHRASE)
    assert len(summary.added) == 8
    assert (summary.unchanged, summary.conflicts) == ([], [])
    assert summary.to_json() == {
        "added": summary.added,
        "unchanged": [],
        "conflicts": [],
    }
    restored = Wallet.open(tmp_path / "restored", "a different passphrase")
    assert _content(restored) == _content(wallet)
    did = restored.did("alice").did
    vc = ssi.issue(unsigned(5, issuer=did), restored.signer("alice"), created=CREATED)
    assert ssi.verify(vc).verified


def test_import_into_an_existing_wallet_merges(wallet: Wallet, tmp_path: Path):
    _fill(wallet)
    backup = tmp_path / "backup.agora"
    wallet.export_backup(backup, BACKUP_PASSPHRASE)
    target = new_wallet(tmp_path / "other")
    own_did = target.create_did(alias="carol")
    own_vc = target.store_credential(credential(7))
    summary = target.import_backup(backup, BACKUP_PASSPHRASE)
    assert len(summary.added) == 8
    assert summary.conflicts == []
    assert [d.alias for d in target.dids()] == ["carol", "alice", "bob"]
    assert target.did("carol") == own_did
    assert target.credential(credential_id(7)) == own_vc
    assert [c.id for c in target.credentials()] == [
        credential_id(7),
        credential_id(1),
        credential_id(2),
    ]


def test_importing_what_is_already_there_changes_nothing(
    wallet: Wallet, home: Path, tmp_path: Path
):
    _fill(wallet)
    backup = tmp_path / "backup.agora"
    wallet.export_backup(backup, BACKUP_PASSPHRASE)
    before = snapshot(home)
    summary = wallet.import_backup(backup, BACKUP_PASSPHRASE)
    assert (summary.added, summary.conflicts) == ([], [])
    assert len(summary.unchanged) == 8
    assert snapshot(home) == before


def test_importing_twice_adds_once(wallet: Wallet, tmp_path: Path):
    _fill(wallet)
    backup = tmp_path / "backup.agora"
    wallet.export_backup(backup, BACKUP_PASSPHRASE)
    target = new_wallet(tmp_path / "other")
    target.import_backup(backup, BACKUP_PASSPHRASE)
    home = tmp_path / "other"
    before = snapshot(home)
    again = target.import_backup(backup, BACKUP_PASSPHRASE)
    assert (len(again.added), len(again.unchanged)) == (0, 8)
    assert snapshot(home) == before


def test_different_content_under_the_same_id_is_a_conflict(
    wallet: Wallet, tmp_path: Path
):
    wallet.store_credential(credential(1))
    wallet.put_record("note", "n1", {"text": "from the backup"})
    backup = tmp_path / "backup.agora"
    wallet.export_backup(backup, BACKUP_PASSPHRASE)

    target = new_wallet(tmp_path / "other")
    mine = credential(1, credentialSubject={"id": "did:example:x", "memberNumber": 0})
    target.store_credential(mine)
    target.put_record("note", "n1", {"text": "mine"})
    summary = target.import_backup(backup, BACKUP_PASSPHRASE)
    assert sorted(summary.conflicts) == sorted(["vc/" + credential_id(1), "note/n1"])
    assert summary.added == []
    assert target.credential(credential_id(1)).credential == mine
    assert target.records("note") == [("n1", {"text": "mine"})]


def test_an_alias_clash_is_a_conflict(wallet: Wallet, tmp_path: Path):
    wallet.create_did(alias="alice")
    backup = tmp_path / "backup.agora"
    wallet.export_backup(backup, BACKUP_PASSPHRASE)

    target = new_wallet(tmp_path / "other")
    mine = target.create_did(alias="alice")
    summary = target.import_backup(backup, BACKUP_PASSPHRASE)
    assert summary.added == []
    assert len(summary.conflicts) == 2  # the key and the DID
    assert target.dids() == [mine]
    assert target.did("alice") == mine
    assert len(target.keys()) == 1


def test_a_did_whose_key_clashes_is_left_out_with_its_key(
    wallet: Wallet, tmp_path: Path
):
    # The key's alias is taken in the target, the DID's alias is not: adding the
    # DID alone would leave it pointing at a key the target does not hold.
    did = wallet.create_did(alias="alice")
    backup = tmp_path / "backup.agora"
    wallet.export_backup(backup, BACKUP_PASSPHRASE)

    target = new_wallet(tmp_path / "other")
    target.add_key(generate_key("Ed25519"), alias="alice")
    summary = target.import_backup(backup, BACKUP_PASSPHRASE)
    assert summary.added == []
    assert sorted(summary.conflicts) == sorted([did.key_id, "did/" + did.did])
    assert target.dids() == []


def test_a_wrong_backup_passphrase_changes_nothing(
    wallet: Wallet, home: Path, tmp_path: Path
):
    _fill(wallet)
    backup = tmp_path / "backup.agora"
    wallet.export_backup(backup, BACKUP_PASSPHRASE)
    target = new_wallet(tmp_path / "other")
    before = snapshot(tmp_path)
    with pytest.raises(WrongPassphraseError):
        target.import_backup(backup, PASSPHRASE)
    assert snapshot(tmp_path) == before


def test_a_missing_backup_is_not_found(wallet: Wallet, tmp_path: Path):
    with pytest.raises(WalletNotFoundError):
        wallet.import_backup(tmp_path / "nothing.agora", BACKUP_PASSPHRASE)


def test_a_damaged_backup_changes_nothing(wallet: Wallet, home: Path, tmp_path: Path):
    _fill(wallet)
    backup = tmp_path / "backup.agora"
    wallet.export_backup(backup, BACKUP_PASSPHRASE)
    backup.write_bytes(backup.read_bytes()[:-40])
    target = new_wallet(tmp_path / "other")
    before = snapshot(tmp_path / "other")
    with pytest.raises(WalletCorruptedError):
        target.import_backup(backup, BACKUP_PASSPHRASE)
    assert snapshot(tmp_path / "other") == before


def _read_json(path: Path) -> JsonObject:
    body: JsonObject = json.loads(path.read_bytes())
    return body
