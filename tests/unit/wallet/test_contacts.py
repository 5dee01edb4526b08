"""Contacts (petnames): add, list, look up, remove; names and DIDs unique;
names that could mislead refused with their codes; nothing readable on disk.

Spec: docs/cli.md (Contacts and petnames)
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from ssi.errors import (
    InvalidDIDError,
    InvalidPetnameError,
    RecordConflictError,
    RecordNotFoundError,
)
from ssi.wallet import (
    Wallet,
    add_contact,
    check_petname,
    contact,
    contact_for,
    contacts,
    petnames,
    remove_contact,
)
from tests.unit.wallet.helpers import PASSPHRASE, new_wallet

ADA = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
BOB = "did:example:bob-the-builder-7f3a"


def test_a_contact_is_added_listed_found_and_removed(wallet: Wallet):
    added = add_contact(wallet, "Ada Lovelace", ADA)
    assert (added.name, added.did) == ("Ada Lovelace", ADA)
    add_contact(wallet, "Bob", BOB)
    assert [c.name for c in contacts(wallet)] == ["Ada Lovelace", "Bob"]
    assert contact(wallet, "ada lovelace").did == ADA
    assert contact(wallet, BOB).name == "Bob"
    assert contact_for(wallet, ADA) == added
    assert contact_for(wallet, "did:example:nobody") is None
    assert petnames(wallet) == {ADA: "Ada Lovelace", BOB: "Bob"}
    assert added.to_json() == {"name": "Ada Lovelace", "did": ADA, "added": added.added}

    assert remove_contact(wallet, "ADA LOVELACE").did == ADA
    assert remove_contact(wallet, BOB).name == "Bob"
    assert contacts(wallet) == []
    with pytest.raises(RecordNotFoundError):
        remove_contact(wallet, "Bob")
    with pytest.raises(RecordNotFoundError):
        contact(wallet, BOB)


def test_contacts_last_across_opening(wallet: Wallet, home: Path):
    add_contact(wallet, "Zoë", ADA)
    again = Wallet.open(home, PASSPHRASE)
    assert contact(again, "ZOË").did == ADA


def test_two_contacts_cannot_share_a_name_in_any_case_or_form(wallet: Wallet):
    add_contact(wallet, "Zoë", ADA)
    decomposed = unicodedata.normalize("NFD", "zoë")
    assert decomposed != "zoë"
    for name in ("Zoë", "zoë", "ZOË", decomposed):
        with pytest.raises(RecordConflictError, match="taken"):
            add_contact(wallet, name, BOB)
    assert [c.did for c in contacts(wallet)] == [ADA]


def test_one_did_has_one_name(wallet: Wallet):
    add_contact(wallet, "Ada", ADA)
    with pytest.raises(RecordConflictError, match="contact already"):
        add_contact(wallet, "Countess", ADA)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "emptyPetname"),
        ("   ", "emptyPetname"),
        ("x" * 65, "petnameTooLong"),
        ("did:key:z6Mk", "petnameLooksLikeDid"),
        ("DID:Bob", "petnameLooksLikeDid"),
        ("Ada\x1b[31m", "petnameControlCharacter"),
        ("Ada\nBob", "petnameControlCharacter"),
        ("Ada\u202eecilA", "petnameControlCharacter"),
        ("Ada\u200b", "petnameControlCharacter"),
        ("Ada\u00a0Bob", "petnameControlCharacter"),
        ("Ada\x85", "petnameControlCharacter"),
        (" Ada", "petnameControlCharacter"),
        ("Ada ", "petnameControlCharacter"),
    ],
)
def test_misleading_names_are_refused_with_their_code(wallet, name, code):
    with pytest.raises(InvalidPetnameError) as error:
        add_contact(wallet, name, ADA)
    assert error.value.code == code
    assert error.value.to_problem()["type"] == f"urn:agora:error:{code}"
    assert contacts(wallet) == []


@pytest.mark.parametrize(
    "name", ["Ada", "x" * 64, "Ada Lovelace", "did", "dide:x", "[b]Ada[/b]", "李"]
)
def test_ordinary_names_are_accepted(name):
    assert check_petname(name) == name


@pytest.mark.parametrize(
    "did", ["ada", "did:key", f"{ADA}#key-1", f"{BOB}/path", f"{BOB}?q=1"]
)
def test_a_contact_needs_a_did(wallet: Wallet, did: str):
    with pytest.raises(InvalidDIDError):
        add_contact(wallet, "Ada", did)


def test_contact_records_are_the_wallets_own(wallet: Wallet):
    with pytest.raises(ValueError, match="contact"):
        wallet.put_record("contact", ADA, {"did": ADA, "alias": "x", "added": "y"})


def test_names_and_dids_are_not_on_disk(wallet: Wallet, home: Path):
    add_contact(wallet, "Persephone Quux", "did:example:persephone-quux-9d1e")
    files = [p for p in home.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for needle in (b"Persephone", b"persephone-quux", b"contact"):
            assert needle not in data, (path.name, needle)


def test_a_backup_does_not_bring_a_taken_name(wallet: Wallet, tmp_path: Path):
    other = new_wallet(tmp_path / "other")
    add_contact(other, "Ada", BOB)
    add_contact(other, "Cy", "did:example:cy")
    backup = tmp_path / "backup.json"
    other.export_backup(backup, PASSPHRASE)
    add_contact(wallet, "Ada", ADA)
    summary = wallet.import_backup(backup, PASSPHRASE)
    assert len(summary.conflicts) == 1
    assert petnames(wallet) == {ADA: "Ada", "did:example:cy": "Cy"}
