"""The wallet's credential store and its generic records.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#identifiers (a credential's
``id``), https://www.rfc-editor.org/rfc/rfc8785 (the JCS hash that names a
credential without one)
"""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import datetime
from pathlib import Path

import pytest

import ssi
from ssi.errors import (
    MalformedValueError,
    ParsingError,
    RecordConflictError,
    RecordNotFoundError,
)
from ssi.jsonld.canon import canonicalize_jcs
from ssi.wallet import Wallet
from tests.unit.wallet.helpers import (
    CREATED,
    ISSUER,
    PASSPHRASE,
    credential,
    credential_id,
    snapshot,
    unsigned,
)


def test_store_credential_returns_what_the_wallet_knows(wallet: Wallet, home: Path):
    vc = credential(1)
    record = wallet.store_credential(vc)
    assert record.id == credential_id(1)
    assert record.credential == vc
    assert record.direction == "received"
    assert record.types == ("VerifiableCredential", "MembershipCredential")
    assert record.issuer == ISSUER
    assert datetime.fromisoformat(record.stored.replace("Z", "+00:00"))
    assert record.to_json()["credential"] == vc
    assert Wallet.open(home, PASSPHRASE).credentials() == [record]


def test_a_stored_credential_still_verifies(wallet: Wallet, home: Path):
    wallet.store_credential(credential(1))
    stored = Wallet.open(home, PASSPHRASE).credential(credential_id(1)).credential
    assert ssi.verify(stored).verified


def test_a_credential_issued_by_a_wallet_did_is_issued(wallet: Wallet):
    did = wallet.create_did(alias="me")
    vc = ssi.issue(unsigned(1, issuer=did.did), wallet.signer("me"), created=CREATED)
    assert wallet.store_credential(vc).direction == "issued"


def test_an_issuer_object_counts_as_its_id(wallet: Wallet):
    did = wallet.create_did(alias="me")
    vc = ssi.issue(
        unsigned(1, issuer={"id": did.did, "name": "Me"}),
        wallet.signer("me"),
        created=CREATED,
    )
    record = wallet.store_credential(vc)
    assert (record.direction, record.issuer) == ("issued", did.did)


@pytest.mark.parametrize("direction", ["issued", "received"])
def test_direction_may_be_given(wallet: Wallet, direction: str):
    assert wallet.store_credential(credential(1), direction=direction).direction == (
        direction
    )
    assert wallet.credential(credential_id(1)).direction == direction


@pytest.mark.parametrize("direction", ["sent", "ISSUED", ""])
def test_an_unknown_direction_is_refused(wallet: Wallet, home: Path, direction: str):
    before = snapshot(home)
    with pytest.raises(ValueError, match="direction"):
        wallet.store_credential(credential(1), direction=direction)
    assert snapshot(home) == before


def test_storing_the_same_credential_again_changes_nothing(wallet: Wallet, home: Path):
    first = wallet.store_credential(credential(1))
    before = snapshot(home)
    again = wallet.store_credential(credential(1), direction="issued")
    assert again == first  # the stored record, not a new one
    assert wallet.credentials() == [first]
    assert snapshot(home) == before


def test_another_credential_with_the_same_id_is_a_conflict(wallet: Wallet, home: Path):
    first = wallet.store_credential(credential(1))
    before = snapshot(home)
    different = credential(1, credentialSubject={"id": ISSUER, "memberNumber": 99})
    with pytest.raises(RecordConflictError, match=re.escape(credential_id(1))):
        wallet.store_credential(different)
    assert snapshot(home) == before
    assert wallet.credentials() == [first]


def test_a_credential_without_id_is_named_by_its_jcs_hash(wallet: Wallet, home: Path):
    vc = credential(1)
    del vc["id"]
    record = wallet.store_credential(vc)
    expected = "urn:sha256:" + hashlib.sha256(canonicalize_jcs(vc)).hexdigest()
    assert record.id == expected
    before = snapshot(home)
    assert wallet.store_credential(copy.deepcopy(vc)) == record
    assert snapshot(home) == before
    assert wallet.credential(expected).credential == vc


@pytest.mark.parametrize("value", [[], "a credential", 42, None])
def test_what_is_not_a_json_object_is_refused(wallet: Wallet, home: Path, value):
    before = snapshot(home)
    with pytest.raises(ParsingError):
        wallet.store_credential(value)
    assert snapshot(home) == before


def test_a_credential_that_breaks_the_data_model_is_refused(wallet: Wallet, home: Path):
    broken = credential(1)
    del broken["credentialSubject"]
    before = snapshot(home)
    with pytest.raises(MalformedValueError):
        wallet.store_credential(broken)
    assert snapshot(home) == before


def test_credentials_are_listed_in_the_order_stored(wallet: Wallet):
    records = [wallet.store_credential(credential(n)) for n in (3, 1, 2)]
    assert wallet.credentials() == records


def test_credentials_can_be_filtered_by_type(wallet: Wallet):
    member = wallet.store_credential(credential(1))
    plain = wallet.store_credential(credential(2, type="VerifiableCredential"))
    assert wallet.credentials(type="MembershipCredential") == [member]
    assert wallet.credentials(type="VerifiableCredential") == [member, plain]
    assert plain.types == ("VerifiableCredential",)
    assert wallet.credentials(type="Diploma") == []
    assert wallet.credentials(type="Membership") == []  # whole names only


def test_an_unknown_credential_is_not_found(wallet: Wallet):
    wallet.store_credential(credential(1))
    with pytest.raises(RecordNotFoundError):
        wallet.credential(credential_id(2))


def test_delete_credential(wallet: Wallet, home: Path):
    wallet.store_credential(credential(1))
    kept = wallet.store_credential(credential(2))
    wallet.delete_credential(credential_id(1))
    assert wallet.credentials() == [kept]
    assert Wallet.open(home, PASSPHRASE).credentials() == [kept]
    before = snapshot(home)
    with pytest.raises(RecordNotFoundError):
        wallet.delete_credential(credential_id(1))
    assert snapshot(home) == before
    # A deleted credential can be stored again.
    assert wallet.store_credential(credential(1)).id == credential_id(1)


def test_what_a_caller_does_to_a_returned_credential_does_not_reach_the_wallet(
    wallet: Wallet,
):
    record = wallet.store_credential(credential(1))
    record.credential["issuer"] = "did:example:mallory"
    wallet.credentials()[0].credential["credentialSubject"] = {}
    assert wallet.credential(credential_id(1)).credential == credential(1)


# --- Generic records ---------------------------------------------------------------


def test_put_record_and_records(wallet: Wallet, home: Path):
    wallet.put_record("status-list", "one", {"bits": "H4sI", "n": 1})
    wallet.put_record("status-list", "two", {"n": 2})
    wallet.put_record("did-log", "one", {"entries": []})
    reopened = Wallet.open(home, PASSPHRASE)
    assert reopened.records("status-list") == [
        ("one", {"bits": "H4sI", "n": 1}),
        ("two", {"n": 2}),
    ]
    assert reopened.records("did-log") == [("one", {"entries": []})]
    assert reopened.records("nothing") == []


def test_put_record_replaces_a_record_in_place(wallet: Wallet):
    wallet.put_record("note", "a", {"v": 1})
    wallet.put_record("note", "b", {"v": 2})
    wallet.put_record("note", "a", {"v": 3})
    assert wallet.records("note") == [("a", {"v": 3}), ("b", {"v": 2})]


def test_putting_the_same_record_again_keeps_one_record(wallet: Wallet, home: Path):
    wallet.put_record("note", "a", {"v": 1})
    before = snapshot(home)
    wallet.put_record("note", "a", {"v": 1})
    # Each seal uses a fresh nonce, so the bytes may change; the content may not.
    assert wallet.records("note") == [("a", {"v": 1})]
    assert set(before) == set(snapshot(home))


@pytest.mark.parametrize("kind", ["key", "did", "credential", "vc"])
def test_put_record_refuses_the_wallets_own_kinds(
    wallet: Wallet, home: Path, kind: str
):
    wallet.store_credential(credential(1))
    wallet.create_did(alias="me")
    before = snapshot(home)
    with pytest.raises(ValueError, match="kind"):
        wallet.put_record(kind, credential_id(1), {"credential": {}})
    assert snapshot(home) == before
    assert wallet.credential(credential_id(1)).credential == credential(1)
    assert wallet.signer("me")


@pytest.mark.parametrize("kind", ["", "a/b", " note", "note\n", "n" * 65])
def test_put_record_refuses_a_malformed_kind(wallet: Wallet, kind: str):
    with pytest.raises(ValueError, match="kind"):
        wallet.put_record(kind, "x", {})


def test_a_record_id_may_hold_slashes(wallet: Wallet):
    # The kind holds none (see above), so "a" + "b/c" cannot meet "a/b" + "c".
    wallet.put_record("a", "b/c", {"v": "first"})
    wallet.put_record("a-b", "c", {"v": "second"})
    assert wallet.records("a") == [("b/c", {"v": "first"})]
    assert wallet.records("a-b") == [("c", {"v": "second"})]


def test_an_open_wallet_does_not_keep_every_old_version(wallet: Wallet):
    # Plaintexts are cached by their stored form; replaced ones are dropped.
    for version in range(300):
        wallet.put_record("counter", "c", {"v": version})
        assert wallet.records("counter") == [("c", {"v": version})]
    assert len(wallet.store._plain) <= 2 * 1 + 64 + 1
