"""The record store (transactions, one write, one decryption per record, one
unlock), deactivated and removed DIDs, imported keys and status lists, and
the community checks on admission.

Spec: docs/wallet.md, docs/did-agora.md (Deactivate),
https://www.w3.org/TR/vc-bitstring-status-list/
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ssi
from ssi.agora import AgoraMethod
from ssi.did.methods import KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.errors import (
    DIDDeactivatedError,
    InvalidRoleError,
    InvalidSecretKeyError,
    MalformedValueError,
    RecordConflictError,
    RecordNotFoundError,
)
from ssi.keys import Ed25519KeyPair, generate_key
from ssi.status import BitstringStatusChecker
from ssi.wallet import (
    RecordStore,
    Wallet,
    WalletLogSource,
    WalletStatusSource,
    admit_member,
    create_agora_did,
    create_community,
    deactivate_agora_did,
    import_status_list,
    rotate_agora_did,
    set_member_status,
    status_list_credentials,
)
from ssi.wallet import crypto as crypto_module
from ssi.wallet import records as records_module
from ssi.wallet import sealing as sealing_module
from ssi.wallet import storage as storage_module
from tests.unit.wallet.helpers import (
    PASSPHRASE,
    credential,
    new_wallet,
    snapshot,
    unsigned,
)

# --- Transactions -----------------------------------------------------------------


def test_the_wallet_is_a_record_store(wallet: Wallet):
    store: RecordStore = wallet
    with store.transaction() as transaction:
        transaction.put("note", "note/a", {"v": 1})
        transaction.put("note", "note/b", {"v": 2})
        assert transaction.get("note", "note/a") == {"v": 1}
        assert transaction.delete("note", "note/b")
        assert not transaction.delete("note", "note/c")
    snapshot_ = store.snapshot()
    assert snapshot_.records("note") == [("note/a", {"v": 1})]
    assert snapshot_.get("note", "note/b") is None
    with pytest.raises(ValueError, match="read-only"):
        snapshot_.put("note", "note/c", {})


def test_a_transaction_writes_once_and_not_at_all_when_it_fails(
    wallet: Wallet, home: Path, monkeypatch: pytest.MonkeyPatch
):
    writes: list[object] = []
    real = storage_module.Storage.write

    def counted(self, file, checkpoint=None):
        writes.append(file)
        real(self, file, checkpoint)

    monkeypatch.setattr(storage_module.Storage, "write", counted)
    with wallet.transaction() as transaction:
        for number in range(5):
            transaction.put("note", f"note/{number}", {"n": number})
    assert len(writes) == 1
    before = snapshot(home)

    def change_then_fail() -> None:
        with wallet.transaction() as transaction:
            transaction.put("note", "note/x", {})
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert snapshot(home) == before
    assert len(writes) == 1
    assert len(wallet.records("note")) == 5


def _decryptions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = records_module.open_envelope

    def counted(keys, wallet_id, record):
        calls.append(record.id)
        return real(keys, wallet_id, record)

    monkeypatch.setattr(records_module, "open_envelope", counted)
    return calls


@pytest.mark.parametrize("count", [10, 20, 40])
def test_a_command_decrypts_each_record_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
):
    home = tmp_path / f"w{count}"
    wallet = new_wallet(home)
    with wallet.transaction() as transaction:
        for number in range(count):
            transaction.put("note", f"note/{number}", {"n": number})
    for number in range(count // 5):
        wallet.create_did(alias=f"d{number}")
    records = count + 2 * (count // 5)
    calls = _decryptions(monkeypatch)
    opened = Wallet.open(home, PASSPHRASE)
    opened.dids()
    opened.keys()
    opened.records("note")
    opened.signer("d0")
    opened.store_credential(credential(1))
    # Each record once (plus the one just written, sealed, not decrypted).
    assert len(calls) == records
    assert len(set(calls)) == len(calls)


def test_one_unlock_serves_every_use(
    wallet: Wallet, home: Path, monkeypatch: pytest.MonkeyPatch
):
    bob = create_agora_did(wallet, alias="bob")
    create_community(wallet, "Quilters", alias="quilt")
    derivations: list[object] = []
    real = crypto_module.derive_key

    def counted(passphrase, params):
        derivations.append(params)
        return real(passphrase, params)

    for module in (crypto_module, ssi.wallet.passphrase, ssi.wallet.wallet):
        monkeypatch.setattr(module, "derive_key", counted, raising=False)
    opened = Wallet.open(home, PASSPHRASE)
    assert len(derivations) == 1
    resolver = Resolver(
        MethodRegistry([KeyMethod(), AgoraMethod([WalletLogSource(opened)])])
    )
    checker = BitstringStatusChecker(WalletStatusSource(opened))
    signed = ssi.issue(unsigned(1, issuer=bob.did), opened.signer("bob"))
    opened.store_credential(signed)
    member = admit_member(opened, "quilt", bob.did)
    assert ssi.verify(member, resolver=resolver, status=checker).verified
    assert len(derivations) == 1


# --- Deactivated did:agora DIDs ---------------------------------------------------


def test_a_deactivated_did_agora_does_not_sign(wallet: Wallet):
    # Defect 12: it still issued, and the credential could never verify.
    bob = create_agora_did(wallet, alias="bob")
    assert not wallet.did("bob").deactivated
    assert wallet.signer("bob")
    deactivate_agora_did(wallet, "bob")
    with pytest.raises(DIDDeactivatedError) as caught:
        wallet.signer("bob")
    assert caught.value.code == "didDeactivated"
    assert bob.did in str(caught.value)
    assert wallet.did(bob.did).deactivated
    assert [d.deactivated for d in wallet.dids()] == [True]
    assert wallet.did("bob").to_json()["deactivated"] is True
    me = wallet.create_did(alias="me")
    assert not wallet.did("me").deactivated
    assert wallet.did("me").to_json()["deactivated"] is False
    assert wallet.signer(me.did)


def test_a_deactivated_community_admits_no_one(wallet: Wallet):
    create_community(wallet, "Closed", alias="closed")
    deactivate_agora_did(wallet, "closed")
    with pytest.raises(DIDDeactivatedError):
        admit_member(wallet, "closed", "did:example:ada")
    assert wallet.credentials() == []


# --- Removing a DID ---------------------------------------------------------------


def test_removing_a_did_key_removes_its_key_only(wallet: Wallet):
    alice = wallet.create_did(alias="alice")
    other = wallet.create_did(alias="other")
    wallet.add_key(generate_key("X25519"), alias="agreement")
    removed = wallet.remove_did("alice")
    assert removed == alice
    assert [d.did for d in wallet.dids()] == [other.did]
    assert {k.id for k in wallet.keys()} == {other.key_id, wallet.key("agreement").id}
    with pytest.raises(RecordNotFoundError):
        wallet.remove_did("alice")
    with pytest.raises(RecordNotFoundError):
        wallet.signer(alice.did)


def test_removing_a_did_keeps_a_key_another_did_uses(wallet: Wallet):
    alice = wallet.create_did(alias="alice")
    wallet.add_did(
        "did:web:alice.example",
        key=alice.key_id,
        verification_method="did:web:alice.example#key-1",
    )
    wallet.remove_did("alice")
    assert [k.id for k in wallet.keys()] == [alice.key_id]


def test_removing_a_did_agora_removes_every_key_its_log_and_community(wallet: Wallet):
    keep = wallet.create_did(alias="keep")
    created = create_community(wallet, "Rotators", alias="rot")
    rotate_agora_did(wallet, "rot")
    rotate_agora_did(wallet, "rot")
    assert len(wallet.keys()) == 1 + 4 + 2 * 3
    wallet.remove_did("rot")
    assert [d.did for d in wallet.dids()] == [keep.did]
    assert [k.id for k in wallet.keys()] == [keep.key_id]
    assert wallet.records("agora") == []
    assert wallet.records("community") == []
    with pytest.raises(RecordNotFoundError):
        status_list_credentials(wallet, created.did)


# --- Importing keys ---------------------------------------------------------------


def test_a_key_is_imported_from_a_secret_multikey_or_a_private_jwk(wallet: Wallet):
    first = Ed25519KeyPair.from_seed(bytes([7]) * 32)
    record = wallet.import_key(first.export_multikey(private=True), alias="seven")
    assert record.public_key_multibase == first.export_multikey()
    assert wallet.key_pair("seven").export_multikey(private=True) == (
        first.export_multikey(private=True)
    )
    second = generate_key("P-256")
    assert wallet.import_key(second.export_jwk(private=True)).key_type == "P-256"
    assert len(wallet.keys()) == 2


def test_a_key_import_refuses_public_keys_and_duplicates(wallet: Wallet, home: Path):
    key = Ed25519KeyPair.from_seed(bytes([8]) * 32)
    wallet.import_key(key.export_multikey(private=True))
    before = snapshot(home)
    with pytest.raises(RecordConflictError, match="already in the wallet"):
        wallet.import_key(key.export_jwk(private=True))
    with pytest.raises(InvalidSecretKeyError):
        wallet.import_key(key.public_key.export_multikey())
    with pytest.raises(ssi.errors.KeyMaterialError):
        wallet.import_key("zNotAKey")
    assert snapshot(home) == before


# --- Imported status lists --------------------------------------------------------


def test_an_imported_status_list_is_served(tmp_path: Path):
    issuer = new_wallet(tmp_path / "issuer")
    created = create_community(issuer, "Lists", alias="lists")
    member = admit_member(issuer, "lists", "did:example:ada")
    holder = new_wallet(tmp_path / "holder")
    lists = status_list_credentials(issuer, "lists")
    for document in lists.values():
        assert import_status_list(holder, document) == document["id"]
    source = WalletStatusSource(holder)
    assert source.get(created.lists["revocation"]) == lists["revocation"]
    # A newer copy replaces the one kept.
    set_member_status(issuer, "lists", member["id"], "revoke")
    newer = status_list_credentials(issuer, "lists")["revocation"]
    import_status_list(holder, newer)
    assert source.get(created.lists["revocation"]) == newer
    # The issuer's own lists are not imported over.
    with pytest.raises(RecordConflictError):
        import_status_list(issuer, newer)


@pytest.mark.parametrize(
    "document",
    [{}, {"id": ""}, {"id": "urn:x", "type": ["VerifiableCredential"]}],
    ids=["no-id", "empty-id", "not-a-list"],
)
def test_what_is_not_a_status_list_is_not_imported(wallet: Wallet, document):
    with pytest.raises(MalformedValueError):
        import_status_list(wallet, document)
    assert wallet.records("statuslist") == []


# --- Admissions -------------------------------------------------------------------


def test_a_member_is_admitted_once_and_with_a_role(wallet: Wallet, home: Path):
    create_community(wallet, "Once", alias="once")
    first = admit_member(wallet, "once", "did:example:ada")
    before = snapshot(home)
    with pytest.raises(RecordConflictError, match="already a member"):
        admit_member(wallet, "once", "did:example:ada", role="moderator")
    for role in ("", "   "):
        with pytest.raises(InvalidRoleError) as caught:
            admit_member(wallet, "once", "did:example:bob", role=role)
        assert caught.value.code == "invalidRole"
    assert snapshot(home) == before
    # A revoked member may be admitted again.
    set_member_status(wallet, "once", first["id"], "revoke")
    again = admit_member(wallet, "once", "did:example:ada")
    assert again["id"] != first["id"]


def test_the_size_check_runs_before_anything_is_written(wallet: Wallet, home: Path):
    before = snapshot(home)
    huge = {"text": "x" * (sealing_module.MAX_RECORD_BYTES + 10)}

    def put_both() -> None:
        with wallet.transaction() as tx:
            tx.put("note", "note/ok", {"text": "fine"})
            tx.put("note", "note/huge", huge)

    with pytest.raises(ssi.errors.RecordTooLargeError):
        put_both()
    assert snapshot(home) == before


def test_a_community_is_created_in_one_write(
    wallet: Wallet, monkeypatch: pytest.MonkeyPatch
):
    writes: list[object] = []
    real = storage_module.Storage.write

    def counted(self, file, checkpoint=None):
        writes.append(file)
        real(self, file, checkpoint)

    monkeypatch.setattr(storage_module.Storage, "write", counted)
    created = create_community(wallet, "Atomic", alias="atomic")
    assert len(writes) == 1
    assert wallet.did("atomic").did == created.did
