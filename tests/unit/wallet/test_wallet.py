"""The Wallet API: create and open, keys, DIDs, aliases and signers.

Spec: https://www.w3.org/TR/did-core/#did-syntax (the DIDs the wallet makes),
https://www.w3.org/TR/cid-1.0/#Multikey (how keys are stored and found)
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ssi
from ssi.credentials import VC_V2_CONTEXT
from ssi.did.document import VerificationMethod
from ssi.encoding import decode_base64url
from ssi.errors import (
    InvalidAliasError,
    InvalidDIDError,
    PassphraseTooShortError,
    ProofGenerationError,
    RecordConflictError,
    RecordNotFoundError,
    UnsupportedPublicKeyTypeError,
    WalletExistsError,
    WrongPassphraseError,
)
from ssi.keys import (
    KeyPair,
    KeyType,
    PublicKey,
    decode_public_jwk,
    decode_public_multikey,
    generate_key,
)
from ssi.types import JsonObject
from ssi.wallet import (
    KDF_PROFILES,
    MIN_PASSPHRASE_LENGTH,
    SCHEMA_VERSION,
    KDFParams,
    Wallet,
)
from tests.unit.wallet.helpers import (
    CREATED,
    PASSPHRASE,
    SUBJECT,
    new_wallet,
    snapshot,
    wallet_body,
)

KEY_TYPES = ("Ed25519", "X25519", "P-256", "secp256k1")
SIGNING_TYPES = ("Ed25519", "P-256", "secp256k1")
SUITE_FOR = {"Ed25519": "eddsa-jcs-2022", "P-256": "ecdsa-jcs-2019"}

VALID_ALIASES = ["a", "Z", "0", "alice", "Alice-2.work_key", "a" * 64, "x.y-z_1"]
INVALID_ALIASES = [
    "",
    " alice",
    "alice ",
    "-alice",
    ".alice",
    "_alice",
    "al ice",
    "al/ice",
    "a" * 65,
    "did:key:z6Mk",
    "alïce",
    "alice\n",
]


# --- Create and open -------------------------------------------------------------


def test_create_makes_an_empty_wallet_that_opens_again(home: Path):
    wallet = new_wallet(home)
    assert wallet.home == home
    assert (wallet.keys(), wallet.dids(), wallet.credentials()) == ([], [], [])
    reopened = Wallet.open(home, PASSPHRASE)
    assert reopened.home == home
    assert (reopened.keys(), reopened.dids(), reopened.credentials()) == ([], [], [])


def test_create_writes_the_documented_header(home: Path):
    new_wallet(home)
    body = wallet_body(home)
    assert body["format"] == "agora-wallet"
    assert body["schema"] == SCHEMA_VERSION == 2
    assert body["walletId"].startswith("urn:uuid:")
    assert body["kdf"]["name"] == "argon2id"
    assert (body["kdf"]["memoryKiB"], body["kdf"]["iterations"]) == (64, 1)
    assert body["records"] == []
    assert body["version"] == 1
    assert len(decode_base64url(body["recordSetMac"])) == 32
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


def test_create_accepts_home_as_a_string(tmp_path: Path):
    wallet = Wallet.create(
        str(tmp_path / "h"), PASSPHRASE, kdf=KDFParams.profile("test")
    )
    assert wallet.home == tmp_path / "h"
    assert Wallet.open(str(tmp_path / "h"), PASSPHRASE).keys() == []


def test_create_uses_the_standard_profile_by_default(
    home: Path, monkeypatch: pytest.MonkeyPatch
):
    # Cheap stand-in costs, so that the test shows which profile was used
    # without paying for the real one.
    monkeypatch.setitem(KDF_PROFILES, "standard", (72, 2, 1))
    Wallet.create(home, PASSPHRASE)
    kdf = wallet_body(home)["kdf"]
    assert (kdf["memoryKiB"], kdf["iterations"], kdf["lanes"]) == (72, 2, 1)


def test_the_profiles_are_as_documented():
    assert KDF_PROFILES["standard"] == (128 * 1024, 3, 4)
    assert KDF_PROFILES["test"] == (64, 1, 1)
    first, second = KDFParams.profile("test"), KDFParams.profile("test")
    assert first.salt != second.salt
    assert len(first.salt) == 16
    assert first.with_new_salt().salt != first.salt
    with pytest.raises(ValueError, match="unknown KDF profile"):
        KDFParams.profile("fast")


def test_each_wallet_gets_its_own_id_and_salt(tmp_path: Path):
    new_wallet(tmp_path / "one")
    new_wallet(tmp_path / "two")
    one, two = wallet_body(tmp_path / "one"), wallet_body(tmp_path / "two")
    assert one["walletId"] != two["walletId"]
    assert one["kdf"]["salt"] != two["kdf"]["salt"]


def test_create_refuses_a_home_that_holds_a_wallet(home: Path):
    new_wallet(home)
    before = snapshot(home)
    with pytest.raises(WalletExistsError):
        new_wallet(home, "another passphrase")
    assert snapshot(home) == before
    Wallet.open(home, PASSPHRASE)


@pytest.mark.parametrize(
    ("passphrase", "error"),
    [
        ("", PassphraseTooShortError),
        ("seven..", PassphraseTooShortError),
        ("é" * (MIN_PASSPHRASE_LENGTH - 1), PassphraseTooShortError),
        (None, ValueError),
        (b"bytes bytes", ValueError),
    ],
)
def test_create_refuses_an_unusable_passphrase(home: Path, passphrase, error):
    with pytest.raises(error, match="passphrase"):
        Wallet.create(home, passphrase, kdf=KDFParams.profile("test"))
    assert not (home / "wallet.json").exists()


def test_the_minimum_passphrase_length_is_eight_characters(home: Path):
    assert MIN_PASSPHRASE_LENGTH == 8
    with pytest.raises(PassphraseTooShortError) as caught:
        Wallet.create(home, "1234567", kdf=KDFParams.profile("test"))
    assert caught.value.code == "passphraseTooShort"
    Wallet.create(home, "12345678", kdf=KDFParams.profile("test"))
    Wallet.open(home, "12345678")


def test_open_with_the_wrong_passphrase_fails(wallet: Wallet, home: Path):
    with pytest.raises(WrongPassphraseError) as caught:
        Wallet.open(home, PASSPHRASE + "!")
    assert caught.value.code == "wrongPassphrase"
    assert PASSPHRASE not in str(caught.value)


def test_the_passphrase_may_be_any_unicode_text(home: Path):
    passphrase = "pässwörd 🔑 \u00e9\u0301"  # noqa: S105
    new_wallet(home, passphrase)
    Wallet.open(home, passphrase)
    with pytest.raises(WrongPassphraseError):
        Wallet.open(home, "pässwörd 🔑 \u00e9")


# --- Keys ----------------------------------------------------------------------


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_add_key_stores_every_key_type(wallet: Wallet, home: Path, key_type: str):
    key = generate_key(key_type)
    record = wallet.add_key(key, alias="k")
    assert record.id.startswith("key/")
    assert record.key_type == key_type
    assert record.alias == "k"
    assert record.public_key_multibase == key.export_multikey()
    assert "secret" not in str(record.to_json()).lower()
    reopened = Wallet.open(home, PASSPHRASE)
    assert reopened.keys() == [record]
    assert reopened.key_pair(record.id) == key
    assert reopened.key_pair("k") == key
    assert reopened.key_pair(key.export_multikey()) == key


def test_keys_are_listed_in_the_order_stored(wallet: Wallet):
    records = [wallet.add_key(generate_key(t)) for t in KEY_TYPES]
    assert wallet.keys() == records
    assert [r.alias for r in records] == [None] * 4
    assert len({r.id for r in records}) == 4


def test_key_is_found_by_id_alias_multikey_did_and_did_alias(wallet: Wallet):
    did = wallet.create_did(alias="alice")
    key = wallet.key(did.key_id)
    assert wallet.key("alice") == key  # the key takes the DID's alias
    assert wallet.key(key.public_key_multibase) == key
    assert wallet.key(did.did) == key
    assert wallet.key_pair(did.did).export_multikey() == key.public_key_multibase


def test_the_same_key_may_be_stored_twice_under_different_ids(wallet: Wallet):
    key = generate_key("Ed25519")
    first, second = wallet.add_key(key), wallet.add_key(key)
    assert first.id != second.id
    assert wallet.key_pair(second.id) == key


@pytest.mark.parametrize("reference", ["nobody", "key/none", "did:key:z6Mkxyz", ""])
def test_an_unknown_key_is_not_found(wallet: Wallet, reference: str):
    wallet.add_key(generate_key("Ed25519"), alias="someone")
    with pytest.raises(RecordNotFoundError):
        wallet.key(reference)
    with pytest.raises(RecordNotFoundError):
        wallet.key_pair(reference)


@pytest.mark.parametrize("alias", VALID_ALIASES)
def test_valid_key_aliases_are_accepted(wallet: Wallet, alias: str):
    assert wallet.add_key(generate_key("Ed25519"), alias=alias).alias == alias
    assert wallet.key(alias).alias == alias


@pytest.mark.parametrize("alias", INVALID_ALIASES)
def test_invalid_key_aliases_are_refused_and_nothing_is_written(
    wallet: Wallet, home: Path, alias: str
):
    before = snapshot(home)
    with pytest.raises(InvalidAliasError, match="alias"):
        wallet.add_key(generate_key("Ed25519"), alias=alias)
    assert snapshot(home) == before


def test_a_taken_key_alias_is_a_conflict(wallet: Wallet, home: Path):
    first = wallet.add_key(generate_key("Ed25519"), alias="work")
    before = snapshot(home)
    with pytest.raises(RecordConflictError, match="work"):
        wallet.add_key(generate_key("P-256"), alias="work")
    assert snapshot(home) == before
    assert wallet.keys() == [first]


# --- DIDs --------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", SIGNING_TYPES)
@pytest.mark.parametrize("method", ["key", "jwk"])
def test_create_did_for_each_method_and_key_type(
    wallet: Wallet, home: Path, method: str, key_type: str
):
    record = wallet.create_did(method=method, key_type=key_type, alias="me")
    assert record.did.startswith(f"did:{method}:")
    assert record.method == method
    assert record.alias == "me"
    if method == "key":
        fragment = record.did.removeprefix("did:key:")
        assert record.verification_method == f"{record.did}#{fragment}"
    else:
        assert record.verification_method == f"{record.did}#0"

    key = wallet.key(record.key_id)
    assert key.key_type == key_type
    assert key.alias == "me"
    pair = wallet.key_pair("me")
    expected = ssi.did_key(pair) if method == "key" else ssi.did_jwk(pair)
    assert record.did == expected

    document = ssi.resolve(record.did).did_document
    assert document is not None
    vm = next(
        vm for vm in document.verification_method if vm.id == record.verification_method
    )
    assert _public_key(vm) == pair.public_key

    reopened = Wallet.open(home, PASSPHRASE)
    assert reopened.dids() == [record]
    assert reopened.did("me") == record
    assert reopened.did(record.did) == record


def test_create_did_defaults_to_ed25519_did_key(wallet: Wallet):
    record = wallet.create_did()
    assert record.did.startswith("did:key:z6Mk")
    assert record.alias is None
    assert wallet.key(record.key_id).alias is None


def test_create_did_refuses_x25519_and_writes_nothing(wallet: Wallet, home: Path):
    before = snapshot(home)
    for method in ("key", "jwk"):
        for key_type in ("X25519", "P-384", "P-521"):
            with pytest.raises(ValueError, match=f"{key_type} keys cannot sign"):
                wallet.create_did(method=method, key_type=key_type)
    assert snapshot(home) == before
    assert (wallet.keys(), wallet.dids()) == ([], [])


@pytest.mark.parametrize("method", ["web", "peer", "KEY", ""])
def test_create_did_refuses_other_methods(wallet: Wallet, home: Path, method: str):
    before = snapshot(home)
    with pytest.raises(ValueError, match="cannot be created here"):
        wallet.create_did(method=method)
    assert snapshot(home) == before


def test_create_did_refuses_an_unknown_key_type(wallet: Wallet):
    with pytest.raises(UnsupportedPublicKeyTypeError):
        wallet.create_did(key_type="RSA")


@pytest.mark.parametrize("alias", VALID_ALIASES)
def test_valid_did_aliases_are_accepted(wallet: Wallet, alias: str):
    record = wallet.create_did(alias=alias)
    assert wallet.did(alias) == record


@pytest.mark.parametrize("alias", INVALID_ALIASES)
def test_invalid_did_aliases_are_refused_and_nothing_is_written(
    wallet: Wallet, home: Path, alias: str
):
    before = snapshot(home)
    with pytest.raises(InvalidAliasError, match="alias"):
        wallet.create_did(alias=alias)
    assert snapshot(home) == before


def test_a_taken_did_alias_is_a_conflict_and_no_key_is_left_behind(
    wallet: Wallet, home: Path
):
    first = wallet.create_did(alias="alice")
    before = snapshot(home)
    with pytest.raises(RecordConflictError, match="alice"):
        wallet.create_did(method="jwk", alias="alice")
    assert snapshot(home) == before
    assert wallet.dids() == [first]
    assert len(wallet.keys()) == 1


def test_a_did_alias_taken_only_by_a_key_is_a_conflict(wallet: Wallet, home: Path):
    wallet.add_key(generate_key("Ed25519"), alias="bob")
    before = snapshot(home)
    with pytest.raises(RecordConflictError, match="bob"):
        wallet.create_did(alias="bob")
    assert snapshot(home) == before


@pytest.mark.parametrize("reference", ["nobody", "did:key:z6Mkunknown", ""])
def test_an_unknown_did_is_not_found(wallet: Wallet, reference: str):
    wallet.create_did(alias="alice")
    with pytest.raises(RecordNotFoundError):
        wallet.did(reference)
    with pytest.raises(RecordNotFoundError):
        wallet.signer(reference)


def test_add_did_records_a_did_for_a_stored_key(wallet: Wallet):
    key = wallet.add_key(generate_key("Ed25519"), alias="web-key")
    record = wallet.add_did(
        "did:web:example.org",
        key="web-key",
        verification_method="did:web:example.org#key-1",
        alias="site",
    )
    assert (record.method, record.key_id, record.alias) == ("web", key.id, "site")
    assert wallet.did("site") == record
    assert wallet.signer("site").key_id == "did:web:example.org#key-1"
    assert wallet.key("did:web:example.org") == key


def test_add_did_takes_an_explicit_method(wallet: Wallet):
    key = wallet.add_key(generate_key("Ed25519"))
    record = wallet.add_did(
        "did:example:123", key=key.id, verification_method="x", method="custom"
    )
    assert record.method == "custom"


def test_add_did_refuses_an_unknown_key_a_taken_did_and_a_taken_alias(
    wallet: Wallet, home: Path
):
    key = wallet.add_key(generate_key("Ed25519"))
    wallet.add_did("did:web:a.example", key=key.id, verification_method="v", alias="a")
    before = snapshot(home)
    with pytest.raises(RecordNotFoundError):
        wallet.add_did("did:web:b.example", key="missing", verification_method="v")
    with pytest.raises(RecordConflictError):
        wallet.add_did("did:web:a.example", key=key.id, verification_method="v")
    with pytest.raises(RecordConflictError):
        wallet.add_did(
            "did:web:c.example", key=key.id, verification_method="v", alias="a"
        )
    assert snapshot(home) == before


@pytest.mark.parametrize("alias", INVALID_ALIASES)
def test_add_did_refuses_an_invalid_alias(wallet: Wallet, home: Path, alias: str):
    key = wallet.add_key(generate_key("Ed25519"))
    before = snapshot(home)
    with pytest.raises(InvalidAliasError, match="alias"):
        wallet.add_did(
            "did:web:a.example", key=key.id, verification_method="v", alias=alias
        )
    assert snapshot(home) == before


@pytest.mark.parametrize("did", ["", "example", "did:", "did:web", "did:web:x#frag"])
def test_add_did_refuses_what_is_not_a_did(wallet: Wallet, home: Path, did: str):
    key = wallet.add_key(generate_key("Ed25519"))
    before = snapshot(home)
    with pytest.raises(InvalidDIDError):
        wallet.add_did(did, key=key.id, verification_method="v")
    assert snapshot(home) == before


# --- Signers --------------------------------------------------------------------------


def _public_key(vm: VerificationMethod) -> PublicKey:
    """The public key a resolved verification method carries."""
    if vm.public_key_multibase is not None:
        return decode_public_multikey(vm.public_key_multibase)
    assert vm.public_key_jwk is not None
    return decode_public_jwk(vm.public_key_jwk)


def _unsigned_by(issuer: str) -> JsonObject:
    return {
        "@context": [VC_V2_CONTEXT],
        "id": "urn:uuid:7a1e2f9c-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": SUBJECT},
    }


@pytest.mark.parametrize("key_type", ["Ed25519", "P-256"])
@pytest.mark.parametrize("method", ["key", "jwk"])
def test_signer_issues_credentials_that_verify(
    wallet: Wallet, home: Path, method: str, key_type: str
):
    record = wallet.create_did(method=method, key_type=key_type, alias="issuer")
    # A wallet opened afresh signs as well as the one that made the DID.
    signer = Wallet.open(home, PASSPHRASE).signer("issuer")
    assert signer.key_id == record.verification_method
    secured = ssi.issue(
        _unsigned_by(record.did), signer, suite=SUITE_FOR[key_type], created=CREATED
    )
    report = ssi.verify(secured)
    assert report.verified, report.problems
    assert secured["proof"]["verificationMethod"] == record.verification_method


@pytest.mark.parametrize("method", ["key", "jwk"])
def test_secp256k1_signer_signs_bytes_that_the_resolved_key_verifies(
    wallet: Wallet, method: str
):
    record = wallet.create_did(method=method, key_type="secp256k1", alias="k1")
    signer = wallet.signer(record.did)
    assert signer.algorithm == "ES256K"
    signature = signer.sign(b"agora")
    document = ssi.resolve(record.did).did_document
    assert document is not None
    vm = next(
        vm for vm in document.verification_method if vm.id == record.verification_method
    )
    _public_key(vm).verify(b"agora", signature)
    # No shipped cryptosuite takes ES256K: issuing says so instead of
    # producing a proof nobody can check.
    with pytest.raises(ProofGenerationError):
        ssi.issue(_unsigned_by(record.did), signer, created=CREATED)


def test_signer_algorithms_follow_the_key_type(wallet: Wallet):
    algorithms = {
        key_type: wallet.signer(wallet.create_did(key_type=key_type).did).algorithm
        for key_type in SIGNING_TYPES
    }
    assert algorithms == {"Ed25519": "EdDSA", "P-256": "ES256", "secp256k1": "ES256K"}


def test_key_pair_round_trips_every_key_type(wallet: Wallet, home: Path):
    keys: dict[str, KeyPair] = {t: generate_key(t) for t in KEY_TYPES}
    records = {t: wallet.add_key(k) for t, k in keys.items()}
    reopened = Wallet.open(home, PASSPHRASE)
    for key_type, key in keys.items():
        pair = reopened.key_pair(records[key_type].id)
        assert pair == key
        assert pair.key_type == KeyType(key_type)
