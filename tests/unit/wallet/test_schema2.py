"""Schema 2: files that reveal nothing, a record set that cannot be changed
behind the wallet's back, one size limit, and the migration from schema 1.

Spec: docs/wallet.md (Schema 2, Size limit, Migration from schema 1)
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import pytest

import ssi
from ssi.encoding import MAX_ENCODED_LENGTH, decode_base64url, encode_base64url
from ssi.errors import (
    RecordTooLargeError,
    WalletCorruptedError,
    WalletTamperedError,
)
from ssi.types import JsonObject
from ssi.wallet import (
    MAX_RECORD_BYTES,
    SCHEMA1_BACKUP,
    Wallet,
    admit_member,
    create_agora_did,
    create_community,
    rotate_agora_did,
)
from ssi.wallet import crypto as crypto_module
from ssi.wallet import sealing as sealing_module
from ssi.wallet.crypto import seal
from ssi.wallet.passphrase import unlock
from ssi.wallet.sealing import MAX_RECORD_ID_BYTES
from ssi.wallet.walletfile import WalletFile
from tests.unit.wallet.helpers import (
    PASSPHRASE,
    SCHEMA1_EXPECTED,
    credential,
    install_schema1_wallet,
    mode,
    new_wallet,
    schema1_content_problems,
    snapshot,
    unsigned,
    wallet_body,
    write_body,
)
from tests.unit.wallet.helpers import (
    SCHEMA1_BACKUP as SCHEMA1_BACKUP_FILE,
)

CLAIM = "Zebra-Quartz-Marmalade-4417"
"""A claim value distinctive enough that finding it anywhere means a leak."""


# --- Nothing identifying on disk --------------------------------------------------


def _forms(text: str) -> set[bytes]:
    """The plain bytes of ``text`` and how they look in hex, base64 and
    base64url at each of the three alignments inside a longer encoding."""
    raw = text.encode("utf-8")
    forms = {raw, raw.hex().encode(), raw.hex().upper().encode()}
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * offset + raw)
            # Drop the characters that also depend on the neighbouring bytes.
            start = (offset * 4 + 2) // 3 + (1 if offset else 0)
            inner = encoded[start:].rstrip(b"=")[:-4]
            if len(inner) >= 8:
                forms.add(inner)
    return forms


def _leaks(root: Path, secrets_: list[str]) -> list[tuple[str, str]]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for secret in secrets_:
            if any(form in data for form in _forms(secret)):
                found.append((path.name, secret))
    return found


@pytest.fixture
def full(tmp_path: Path) -> tuple[Wallet, list[str]]:
    """A wallet with DIDs of each method, aliases, credentials, a community
    and a member; and the strings that must not show on disk."""
    wallet = new_wallet(tmp_path / "home")
    alice = wallet.create_did(alias="alice-pseudonym")
    work = wallet.create_did(method="jwk", alias="work-persona")
    bob = create_agora_did(wallet, alias="bob-pseudonym")
    rotate_agora_did(wallet, "bob-pseudonym")
    garden = create_community(wallet, "Gardeners of Quartz", alias="garden-club")
    membership = admit_member(wallet, "garden-club", alice.did)
    issued = ssi.issue(
        unsigned(7, issuer=alice.did, credentialSubject={"id": work.did, "c": CLAIM}),
        wallet.signer("alice-pseudonym"),
    )
    wallet.store_credential(issued)
    wallet.store_credential(credential(8))
    wallet.put_record("note", "diary", {"text": "Marmalade-Secret-Note"})
    strings = [
        alice.did,
        alice.did.removeprefix("did:key:"),
        work.did,
        bob.did,
        bob.did.removeprefix("did:agora:"),
        garden.did,
        "alice-pseudonym",
        "work-persona",
        "bob-pseudonym",
        "garden-club",
        "Gardeners of Quartz",
        issued["id"],
        credential(8)["id"],
        membership["id"],
        CLAIM,
        "Marmalade-Secret-Note",
        "diary",
        "MembershipCredential",
        "VerifiableCredential",
        "did:",
        "urn:uuid:00000000",
        "credential",
        "agora/",
        "community",
    ]
    return wallet, strings


def test_no_file_of_the_wallet_or_its_backup_shows_an_identifier(
    full: tuple[Wallet, list[str]], tmp_path: Path
):
    wallet, strings = full
    backup_dir = tmp_path / "backups"
    backup_dir.mkdir()
    wallet.export_backup(backup_dir / "backup.agora", "backup passphrase")
    assert _leaks(wallet.home, strings) == []
    assert _leaks(backup_dir, strings) == []
    # The wallet id is the only urn:uuid in the clear, and it is random.
    body = wallet_body(wallet.home)
    assert set(body) == {
        "format",
        "schema",
        "walletId",
        "kdf",
        "dataKey",
        "version",
        "recordSetMac",
        "records",
    }
    assert all(set(r) == {"id", "nonce", "ciphertext"} for r in body["records"])
    assert [r["id"] for r in body["records"]] == sorted(
        r["id"] for r in body["records"]
    )


def test_the_leak_scanner_finds_a_planted_string(
    full: tuple[Wallet, list[str]], tmp_path: Path
):
    # The control: the same scan finds each string in each form it looks for.
    _, strings = full
    for number, secret in enumerate([CLAIM, strings[0], "alice-pseudonym"]):
        raw = secret.encode()
        for form in (
            raw,
            raw.hex().encode(),
            b"xy" + base64.b64encode(b"ab" + raw + b"cd"),
            encode_base64url(b"q" + raw + b"z").encode(),
        ):
            planted = tmp_path / f"planted-{number}"
            planted.mkdir(exist_ok=True)
            (planted / "file").write_bytes(b"{" + form + b"}")
            assert _leaks(planted, [secret]) == [("file", secret)], form


def test_a_schema_1_wallet_shows_identifiers_to_the_same_scan(tmp_path: Path):
    # The scan would have caught the old format (the bug of issue 9).
    install_schema1_wallet(tmp_path / "old")
    leaks = _leaks(tmp_path / "old", SCHEMA1_EXPECTED["dids"])
    assert len(leaks) == len(SCHEMA1_EXPECTED["dids"])


# --- The record set MAC and the version -------------------------------------------


@pytest.fixture
def filled(home: Path) -> Wallet:
    wallet = new_wallet(home)
    wallet.create_did(alias="alice")
    create_agora_did(wallet, alias="bob")
    wallet.store_credential(credential(1))
    wallet.put_record("note", "n1", {"text": "hello"})
    return wallet


def _refused(home: Path) -> WalletTamperedError:
    before = snapshot(home)
    with pytest.raises(WalletTamperedError) as caught:
        Wallet.open(home, PASSPHRASE)
    assert snapshot(home) == before
    assert caught.value.code == "walletTampered"
    assert "agora backup import" in str(caught.value)
    return caught.value


def test_removing_any_record_is_refused(filled: Wallet, home: Path):
    original = wallet_body(home)
    # 5 keys (one the did:agora key-agreement key), 2 DIDs, a log, a credential,
    # a note
    assert len(original["records"]) == 10
    for index in range(len(original["records"])):
        body = json.loads(json.dumps(original))
        del body["records"][index]
        write_body(home, body)
        _refused(home)
        # The wallet already open refuses too, and writes nothing.
        with pytest.raises(WalletTamperedError):
            filled.credentials()
        with pytest.raises(WalletTamperedError):
            filled.put_record("note", "n2", {})
    write_body(home, original)
    assert len(Wallet.open(home, PASSPHRASE).dids()) == 2


def test_duplicating_a_record_is_refused(filled: Wallet, home: Path):
    body = wallet_body(home)
    body["records"].append(dict(body["records"][0]))
    write_body(home, body)
    with pytest.raises(WalletCorruptedError, match="twice"):
        Wallet.open(home, PASSPHRASE)
    # Under another opaque id, its associated data no longer matches.
    body["records"][-1]["id"] = encode_base64url(b"\x01" * 32)
    write_body(home, body)
    with pytest.raises(WalletCorruptedError, match="wallet record"):
        Wallet.open(home, PASSPHRASE)


def test_an_older_did_agora_record_put_back_is_refused(filled: Wallet, home: Path):
    # Defect 8: putting back an older sealed agora record rolled the DID back
    # to version 1, and the next rotation forked it.
    bob = filled.did("bob").did
    agora_id = filled.store.disk_id("agora", "agora/" + bob)
    old = next(r for r in wallet_body(home)["records"] if r["id"] == agora_id)
    rotate_agora_did(filled, "bob")
    body = wallet_body(home)
    for record in body["records"]:
        if record["id"] == agora_id:
            assert record != old
            record.update(old)
    write_body(home, body)
    _refused(home)
    with pytest.raises(WalletTamperedError):
        rotate_agora_did(filled, "bob")


def test_a_version_rolled_back_is_refused(filled: Wallet, home: Path):
    body = wallet_body(home)
    for version in (body["version"] - 1, body["version"] + 1, 0):
        write_body(home, {**body, "version": version})
        _refused(home)


def test_a_whole_older_file_under_an_open_wallet_is_refused(filled: Wallet, home: Path):
    older = (home / "wallet.json").read_bytes()
    filled.store_credential(credential(2))
    (home / "wallet.json").write_bytes(older)
    with pytest.raises(WalletTamperedError, match="went back"):
        filled.credentials()
    with pytest.raises(WalletTamperedError):
        filled.store_credential(credential(3))
    assert (home / "wallet.json").read_bytes() == older
    # Opened afresh, the older file is a whole wallet (a restored copy).
    assert len(Wallet.open(home, PASSPHRASE).credentials()) == 1


def test_each_write_adds_one_to_the_version(filled: Wallet, home: Path):
    version = wallet_body(home)["version"]
    filled.store_credential(credential(2))
    assert wallet_body(home)["version"] == version + 1
    filled.store_credential(credential(2))  # nothing changes, nothing written
    assert wallet_body(home)["version"] == version + 1


# --- One documented size limit ----------------------------------------------------


def _note_of_size(size: int) -> JsonObject:
    data: JsonObject = {"text": ""}
    overhead = len(json.dumps(data, separators=(",", ":")))
    data["text"] = "x" * (size - overhead)
    assert len(json.dumps(data, separators=(",", ":"))) == size
    return data


def test_the_size_limit_is_derived_from_the_read_side_cap():
    assert MAX_RECORD_BYTES == 778_224
    largest = MAX_RECORD_BYTES + sealing_module._ENVELOPE_OVERHEAD
    ciphertext = largest + crypto_module.TAG_BYTES
    assert len(encode_base64url(b"\0" * ciphertext)) <= MAX_ENCODED_LENGTH


@pytest.mark.parametrize("size", [MAX_RECORD_BYTES - 1, MAX_RECORD_BYTES])
def test_a_record_at_the_limit_is_stored_and_read_back(
    wallet: Wallet, home: Path, size: int
):
    # The longest id too, so that the envelope is as large as it gets.
    name = "n" * (MAX_RECORD_ID_BYTES - len('"note/"'))
    data = _note_of_size(size)
    wallet.put_record("note", name, data)
    assert Wallet.open(home, PASSPHRASE).records("note") == [(name, data)]
    assert wallet.records("note") == [(name, data)]


def test_a_record_over_the_limit_is_refused_and_nothing_changes(
    wallet: Wallet, home: Path
):
    wallet.put_record("note", "small", {"text": "kept"})
    before = snapshot(home)
    with pytest.raises(RecordTooLargeError) as caught:
        wallet.put_record("note", "big", _note_of_size(MAX_RECORD_BYTES + 1))
    assert caught.value.code == "recordTooLarge"
    assert str(MAX_RECORD_BYTES) in str(caught.value)
    assert snapshot(home) == before
    with pytest.raises(RecordTooLargeError, match="id"):
        wallet.put_record("note", "n" * MAX_RECORD_ID_BYTES, {})
    assert snapshot(home) == before
    assert wallet.records("note") == [("small", {"text": "kept"})]


def test_a_credential_with_a_900_kib_claim_is_refused_and_the_wallet_works(
    wallet: Wallet, home: Path
):
    # Defect 1: it was stored, and then every command failed (walletCorrupted).
    me = wallet.create_did(alias="me")
    big = ssi.issue(
        unsigned(9, issuer=me.did, credentialSubject={"claim": "z" * 900 * 1024}),
        wallet.signer("me"),
    )
    before = snapshot(home)
    with pytest.raises(RecordTooLargeError):
        wallet.store_credential(big)
    assert snapshot(home) == before
    reopened = Wallet.open(home, PASSPHRASE)
    assert reopened.credentials() == []
    assert [d.did for d in reopened.dids()] == [me.did]
    reopened.export_backup(home.parent / "backup.agora", "backup passphrase")


# --- Migration from schema 1 ------------------------------------------------------


def test_a_schema_1_wallet_is_migrated_on_first_unlock(tmp_path: Path):
    home = tmp_path / "old"
    original = install_schema1_wallet(home)
    wallet = Wallet.open(home, PASSPHRASE)
    assert wallet.migrated
    assert schema1_content_problems(wallet) == []
    body = wallet_body(home)
    assert (body["schema"], body["version"]) == (2, 1)
    copy = home / SCHEMA1_BACKUP
    assert copy.read_bytes() == original
    assert mode(copy) == 0o600
    assert mode(home / "wallet.json") == 0o600
    # The migrated wallet works: it signs, resolves its own did:agora, rotates.
    bob = wallet.did("bob")
    rotate_agora_did(wallet, "bob")
    assert ssi.issue(unsigned(3, issuer=bob.did), wallet.signer("bob"))
    reopened = Wallet.open(home, PASSPHRASE)
    assert reopened.records("agora") == wallet.records("agora")
    assert copy.read_bytes() == original  # migrated once only


def test_a_schema_1_record_over_the_new_limit_migrates_and_stays_readable(
    tmp_path: Path,
):
    # Readable in schema 1 (under the decoder's cap) but over MAX_RECORD_BYTES:
    # the migration keeps it rather than refusing to open the wallet.
    home = tmp_path / "old"
    install_schema1_wallet(home)
    body = wallet_body(home)
    file = WalletFile.from_bytes((home / "wallet.json").read_bytes())
    _, data_key = unlock(file, PASSPHRASE)
    data = _note_of_size(MAX_RECORD_BYTES + 7000)
    plaintext = json.dumps(data, separators=(",", ":")).encode()
    aad = json.dumps([body["walletId"], "note", "note/big"], separators=(",", ":"))
    box = seal(data_key, plaintext, aad.encode())
    body["records"].append({"id": "note/big", "kind": "note", **box.to_json()})
    write_body(home, body)
    wallet = Wallet.open(home, PASSPHRASE)
    assert wallet.migrated
    assert dict(wallet.records("note"))["big"] == data
    assert dict(Wallet.open(home, PASSPHRASE).records("note"))["big"] == data
    assert not Wallet.open(home, PASSPHRASE).migrated
    wallet.change_passphrase("another passphrase")
    wallet.export_backup(tmp_path / "b.agora", "backup passphrase")
    assert dict(Wallet.open(home, "another passphrase").records("note"))["big"] == data
    # Imported into a wallet, it is over the limit: a conflict, left out.
    fresh = new_wallet(tmp_path / "fresh")
    summary = fresh.import_backup(tmp_path / "b.agora", "backup passphrase")
    assert summary.conflicts == ["note/big"]
    assert len(summary.added) == len(wallet.snapshot().envelopes()) - 1


def test_a_schema_1_wallet_migrated_keeps_the_order_of_listings(tmp_path: Path):
    home = tmp_path / "old"
    install_schema1_wallet(home)
    wallet = Wallet.open(home, PASSPHRASE)
    first = [d.did for d in wallet.dids()]
    wallet.create_did(alias="newest")
    assert [d.did for d in wallet.dids()][:-1] == first
    assert wallet.dids()[-1].alias == "newest"


def test_a_schema_1_wallet_with_a_wrong_passphrase_is_not_migrated(tmp_path: Path):
    home = tmp_path / "old"
    original = install_schema1_wallet(home)
    with pytest.raises(ssi.errors.WrongPassphraseError):
        Wallet.open(home, "not the passphrase")
    assert (home / "wallet.json").read_bytes() == original
    assert not (home / SCHEMA1_BACKUP).exists()


def test_a_damaged_schema_1_wallet_is_not_migrated(tmp_path: Path):
    home = tmp_path / "old"
    install_schema1_wallet(home)
    body = wallet_body(home)
    record = body["records"][-1]
    data = bytearray(decode_base64url(record["ciphertext"]))
    data[0] ^= 1
    record["ciphertext"] = encode_base64url(bytes(data))
    write_body(home, body)
    damaged = (home / "wallet.json").read_bytes()
    with pytest.raises(WalletCorruptedError, match=record["id"][:40]):
        Wallet.open(home, PASSPHRASE)
    assert (home / "wallet.json").read_bytes() == damaged
    assert not (home / SCHEMA1_BACKUP).exists()


def test_a_schema_1_backup_imports_into_a_schema_2_wallet(tmp_path: Path):
    wallet = new_wallet(tmp_path / "new")
    summary = wallet.import_backup(
        SCHEMA1_BACKUP_FILE, SCHEMA1_EXPECTED["backupPassphrase"]
    )
    assert summary.conflicts == []
    assert schema1_content_problems(wallet) == []
    again = wallet.import_backup(
        SCHEMA1_BACKUP_FILE, SCHEMA1_EXPECTED["backupPassphrase"]
    )
    assert again.added == []


def test_a_schema_2_backup_round_trips(filled: Wallet, tmp_path: Path):
    filled.export_backup(tmp_path / "b.agora", "backup passphrase")
    fresh = new_wallet(tmp_path / "fresh")
    summary = fresh.import_backup(tmp_path / "b.agora", "backup passphrase")
    assert len(summary.added) == 10
    assert fresh.dids() == filled.dids()
    assert fresh.records("agora") == filled.records("agora")


def test_a_tampered_backup_is_refused(filled: Wallet, tmp_path: Path):
    backup = tmp_path / "b.agora"
    filled.export_backup(backup, "backup passphrase")
    body = json.loads(backup.read_text())
    del body["records"][0]
    backup.write_text(json.dumps(body))
    fresh = new_wallet(tmp_path / "fresh")
    before = snapshot(fresh.home)
    with pytest.raises(WalletTamperedError):
        fresh.import_backup(backup, "backup passphrase")
    assert snapshot(fresh.home) == before


# --- Modes whatever the umask -----------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o000, 0o277])
def test_secret_files_are_0600_whatever_the_umask(tmp_path: Path, umask: int):
    previous = os.umask(umask)
    try:
        wallet = new_wallet(tmp_path / "home")
        wallet.create_did(alias="alice")
        wallet.export_backup(tmp_path / "backup.agora", "backup passphrase")
        old = tmp_path / "old"
        shutil.copytree(tmp_path / "home", old)  # a home made under the umask
        install_schema1_wallet(old)
        Wallet.open(old, PASSPHRASE)
    finally:
        os.umask(previous)
    files = [
        tmp_path / "home" / "wallet.json",
        tmp_path / "home" / "wallet.lock",
        tmp_path / "backup.agora",
        old / "wallet.json",
        old / SCHEMA1_BACKUP,
    ]
    assert {str(f.name): mode(f) for f in files} == {str(f.name): 0o600 for f in files}
