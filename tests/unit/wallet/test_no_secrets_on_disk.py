"""No private key reaches the disk in any encoding, whatever the wallet holds.

Every file under the wallet home, and the backup, is searched for every
private key in every encoding a key can take: raw bytes, hex, base64 (both
alphabets, with and without padding), base58btc, the secret Multikey and the
JWK ``d`` member.

Spec: https://www.w3.org/TR/cid-1.0/#Multikey (secret-key Multikey),
https://www.rfc-editor.org/rfc/rfc7517#section-4 and
https://www.rfc-editor.org/rfc/rfc8037#section-2 (JWK ``d``)
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from ssi.encoding import decode_base64url, encode_base58btc
from ssi.keys import KeyPair, generate_key
from ssi.multicodec import wrap
from ssi.wallet import Wallet
from tests.unit.wallet.helpers import PASSPHRASE, credential, new_wallet

KEY_TYPES = ("Ed25519", "X25519", "P-256", "secp256k1")
SIGNING_TYPES = ("Ed25519", "P-256", "secp256k1")


def secret_bytes(key: KeyPair) -> bytes:
    """The private key as JWK ``d`` and secret Multikey carry it."""
    return decode_base64url(str(key.export_jwk(private=True)["d"]))


def encodings(key: KeyPair) -> dict[str, bytes]:
    """Every encoding of the private key of ``key``, as bytes to search for."""
    raw = secret_bytes(key)
    multikey = key.export_multikey(private=True)
    codec = multikey_codec(key)
    forms = {
        "raw": raw,
        "hex": raw.hex().encode(),
        "HEX": raw.hex().upper().encode(),
        "base64": base64.b64encode(raw),
        "base64-unpadded": base64.b64encode(raw).rstrip(b"="),
        "base64url": base64.urlsafe_b64encode(raw),
        "base64url-unpadded": base64.urlsafe_b64encode(raw).rstrip(b"="),
        "base58btc": encode_base58btc(raw).encode(),
        "multicodec-raw": wrap(codec, raw),
        "secret-multikey": multikey.encode(),
        "secret-multikey-body": multikey[1:].encode(),
        "jwk-d": str(key.export_jwk(private=True)["d"]).encode(),
    }
    assert all(len(value) >= 32 for value in forms.values())
    return forms


def multikey_codec(key: KeyPair) -> str:
    names = {
        "Ed25519": "ed25519-priv",
        "X25519": "x25519-priv",
        "P-256": "p256-priv",
        "secp256k1": "secp256k1-priv",
    }
    return names[str(key.key_type)]


def leaks(paths: list[Path], keys: list[KeyPair]) -> list[str]:
    """Return ``file: key type encoding`` for every secret found in ``paths``."""
    found = []
    for path in paths:
        data = path.read_bytes()
        for key in keys:
            for name, needle in encodings(key).items():
                if needle in data:
                    found.append(f"{path.name}: {key.key_type} {name}")
    return found


def every_file(*roots: Path) -> list[Path]:
    files: list[Path] = []
    for root in roots:
        files.extend(p for p in root.rglob("*") if p.is_file())
    return files


def test_the_search_finds_a_secret_that_is_there(tmp_path: Path):
    # The scan itself must work, or the tests below prove nothing.
    key = generate_key("P-256")
    for name, needle in encodings(key).items():
        leaky = tmp_path / name
        leaky.write_bytes(b'{"stuff": "' + needle + b'"}')
        assert f"{name}: P-256 {name}" in leaks([leaky], [key])


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_each_encoding_is_the_key(key_type: str):
    key = generate_key(key_type)
    forms = encodings(key)
    assert forms["secret-multikey"].startswith(b"z")
    assert len(secret_bytes(key)) == 32


def test_no_private_key_is_on_disk(home: Path, tmp_path: Path):
    wallet = new_wallet(home)
    keys: list[KeyPair] = []
    for key_type in KEY_TYPES:
        key = generate_key(key_type)
        wallet.add_key(key, alias=f"added-{key_type}")
        keys.append(key)
    for method in ("key", "jwk"):
        for key_type in SIGNING_TYPES:
            record = wallet.create_did(
                method=method, key_type=key_type, alias=f"{method}-{key_type}"
            )
            keys.append(wallet.key_pair(record.did))
    for number in range(3):
        wallet.store_credential(credential(number))
    wallet.put_record("note", "n1", {"text": "hello"})
    inside = home / "backup-in-home.agora"
    outside = tmp_path / "backup.agora"
    wallet.export_backup(inside, "backup passphrase")
    wallet.export_backup(outside, "backup passphrase")
    wallet.change_passphrase("second passphrase")
    restored = new_wallet(tmp_path / "restored")
    restored.import_backup(outside, "backup passphrase")

    assert len(keys) == 10
    assert len(wallet.keys()) == 10
    # The keys really are in there, in full.
    reopened = Wallet.open(home, "second passphrase")
    assert [reopened.key_pair(k.id) for k in reopened.keys()] == keys

    files = [*every_file(home, tmp_path / "restored"), outside]
    names = {p.name for p in files}
    assert {"wallet.json", "wallet.lock", "backup-in-home.agora", "backup.agora"} <= (
        names
    )
    assert leaks(files, keys) == []


def test_no_passphrase_is_on_disk(home: Path, tmp_path: Path):
    wallet = new_wallet(home, PASSPHRASE)
    wallet.create_did()
    wallet.export_backup(tmp_path / "backup.agora", "backup passphrase")
    for path in [*every_file(home), tmp_path / "backup.agora"]:
        data = path.read_bytes()
        for secret in (PASSPHRASE, "backup passphrase"):
            assert secret.encode() not in data
            assert base64.b64encode(secret.encode()).rstrip(b"=") not in data
