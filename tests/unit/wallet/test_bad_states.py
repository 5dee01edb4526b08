"""Bad states give a clear error and change nothing on disk.

Each test takes a snapshot of every file under the wallet home (content hash,
mode, inode and mtime) before the failing call and compares it after. What
the library documents, and these tests hold it to:

* a wrong passphrase, or an altered but well-formed header (format, schema,
  walletId, kdf, sealed data key: the header is the associated data of the
  sealed key) -> ``WrongPassphraseError``;
* a file that is not complete JSON, not a wallet, or malformed in any field,
  and any record that does not authenticate -> ``WalletCorruptedError``
  (naming the record's opaque on-disk id when one is to blame);
* a record set or version that does not match the set MAC (a record removed,
  added, duplicated or rolled back) -> ``WalletTamperedError`` (a
  ``WalletCorruptedError``), see tests/unit/wallet/test_schema2.py;
* a newer schema -> ``WalletVersionError``; no wallet -> ``WalletNotFoundError``;
* a file or directory that cannot be written -> ``WalletAccessError``, with
  the previous file intact and no temporary file left behind.

Spec: https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf
(GCM authenticates ciphertext and associated data),
https://www.rfc-editor.org/rfc/rfc9457 (the problem details every error gives)
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ssi.encoding import decode_base64url, encode_base64url
from ssi.errors import (
    SSIError,
    WalletAccessError,
    WalletCorruptedError,
    WalletNotFoundError,
    WalletVersionError,
    WrongPassphraseError,
)
from ssi.keys import generate_key
from ssi.types import JsonObject
from ssi.wallet import Wallet, default_home
from ssi.wallet import storage as storage_module
from ssi.wallet.crypto import seal
from ssi.wallet.sealing import _aad
from tests.unit.wallet.helpers import (
    PASSPHRASE,
    OSStandIn,
    credential,
    credential_id,
    derived_positions,
    flip_bit,
    new_wallet,
    os_error,
    snapshot,
    temporary_files,
    wallet_body,
    write_body,
)

WALLET_ERRORS = (WrongPassphraseError, WalletCorruptedError, WalletVersionError)


@pytest.fixture
def filled(home: Path) -> Wallet:
    """A wallet with a key, a DID, two credentials and a note."""
    wallet = new_wallet(home)
    wallet.add_key(generate_key("X25519"), alias="agreement")
    wallet.create_did(alias="alice")
    wallet.store_credential(credential(1))
    wallet.store_credential(credential(2))
    wallet.put_record("note", "n1", {"text": "hello"})
    return wallet


def _open(home: Path) -> Wallet:
    return Wallet.open(home, PASSPHRASE)


def _use(wallet: Wallet) -> None:
    """Read every record the way a caller would."""
    wallet.credentials()
    wallet.dids()
    for key in wallet.keys():
        wallet.key_pair(key.id)
    wallet.records("note")


def _problem_is_complete(error: SSIError) -> None:
    problem = error.to_problem()
    assert problem["type"] == error.type_uri
    assert problem["title"]
    assert problem["detail"]
    assert PASSPHRASE not in problem["detail"]


# --- Passphrase ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "passphrase", ["", "wrong", PASSPHRASE.upper(), PASSPHRASE + " ", PASSPHRASE[:-1]]
)
def test_a_wrong_passphrase_changes_nothing(filled: Wallet, home: Path, passphrase):
    before = snapshot(home)
    with pytest.raises(WrongPassphraseError) as caught:
        Wallet.open(home, passphrase)
    assert snapshot(home) == before
    _problem_is_complete(caught.value)


# --- Truncated and damaged files ------------------------------------------------------


def test_a_truncated_file_is_corrupted(filled: Wallet, home: Path):
    whole = (home / "wallet.json").read_bytes()
    # The file ends with "}\n": cutting only the newline leaves complete JSON.
    cuts = [0, 1, 2, 10, 100, len(whole) // 3, len(whole) // 2, len(whole) - 2]
    for cut in cuts:
        (home / "wallet.json").write_bytes(whole[:cut])
        before = snapshot(home)
        with pytest.raises(WalletCorruptedError) as caught:
            _open(home)
        assert snapshot(home) == before, cut
        _problem_is_complete(caught.value)
        # A wallet already open refuses to write over the damaged file.
        with pytest.raises(WalletCorruptedError):
            filled.store_credential(credential(3))
        with pytest.raises(WalletCorruptedError):
            filled.credentials()
        assert snapshot(home) == before, cut


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\n",
        b"{}",
        b"[]",
        b"null",
        b'"agora-wallet"',
        b"\xff\xfe{",
        b"{" * 100_000,
    ],
    ids=["empty", "newline", "object", "list", "null", "string", "not-utf8", "deep"],
)
def test_what_is_not_a_wallet_is_corrupted(filled: Wallet, home: Path, content: bytes):
    (home / "wallet.json").write_bytes(content)
    before = snapshot(home)
    with pytest.raises(WalletCorruptedError):
        _open(home)
    assert snapshot(home) == before


def _disk_id(wallet: Wallet, prefix: str) -> str:
    """Return the opaque on-disk id of the filled wallet's record of a kind."""
    kind, record_id = {
        "key/": ("key", wallet.keys()[0].id),
        "did/": ("did", "did/" + wallet.dids()[0].did),
        "vc/": ("credential", "vc/" + credential_id(1)),
        "note/": ("note", "note/n1"),
    }[prefix]
    return wallet.store.disk_id(kind, record_id)


def _record(body: JsonObject, wallet: Wallet, prefix: str) -> JsonObject:
    wanted = _disk_id(wallet, prefix)
    return next(r for r in body["records"] if r["id"] == wanted)


def _flip_field(record: JsonObject, field: str, index: int) -> None:
    data = bytearray(decode_base64url(record[field]))
    data[index] ^= 0x01
    record[field] = encode_base64url(bytes(data))


@pytest.mark.parametrize("prefix", ["key/", "did/", "vc/", "note/"])
@pytest.mark.parametrize(
    ("field", "index"),
    [("ciphertext", 0), ("ciphertext", 10), ("ciphertext", -1), ("nonce", 5)],
    ids=["ciphertext-start", "ciphertext-middle", "tag", "nonce"],
)
def test_a_flipped_bit_in_a_record_is_corruption_naming_it(
    filled: Wallet, home: Path, prefix: str, field: str, index: int
):
    body = wallet_body(home)
    record = _record(body, filled, prefix)
    _flip_field(record, field, index)
    write_body(home, body)
    before = snapshot(home)
    with pytest.raises(WalletCorruptedError, match=re.escape(record["id"][:60])):
        _open(home)
    assert snapshot(home) == before


@pytest.mark.parametrize(
    "change",
    [
        # Schema 2 records have no kind on disk: one given a kind is malformed.
        lambda r: r.update(kind="note"),
        lambda r: r.update(id=r["id"] + "x"),
        lambda r: r.update(id=("B" if r["id"][0] != "B" else "C") + r["id"][1:]),
    ],
    ids=["kind", "id-extended", "id-changed"],
)
def test_a_renamed_record_is_corruption(filled: Wallet, home: Path, change):
    body = wallet_body(home)
    change(_record(body, filled, "vc/"))
    write_body(home, body)
    before = snapshot(home)
    with pytest.raises(WalletCorruptedError, match="wallet record"):
        _open(home)
    assert snapshot(home) == before


def test_records_swapped_between_wallets_are_corruption(tmp_path: Path):
    one, two = new_wallet(tmp_path / "one"), new_wallet(tmp_path / "two")
    one.store_credential(credential(1))
    two.store_credential(credential(1))
    body_one, body_two = wallet_body(tmp_path / "one"), wallet_body(tmp_path / "two")
    body_one["records"] = body_two["records"]
    write_body(tmp_path / "one", body_one)
    with pytest.raises(WalletCorruptedError, match="wallet record"):
        _open(tmp_path / "one")


def test_a_record_changed_under_an_open_wallet_is_caught(filled: Wallet, home: Path):
    # The open wallet caches what it decrypted; a record altered on disk since
    # must be authenticated again, not served from the cache.
    _use(filled)
    body = wallet_body(home)
    disk_id = _disk_id(filled, "vc/")
    _flip_field(_record(body, filled, "vc/"), "ciphertext", 3)
    write_body(home, body)
    with pytest.raises(WalletCorruptedError, match=disk_id[:20]):
        filled.credentials()
    before = snapshot(home)
    with pytest.raises(WalletCorruptedError):
        filled.store_credential(credential(1))
    assert snapshot(home) == before


def test_a_record_given_another_kind_under_an_open_wallet_is_caught(
    filled: Wallet, home: Path
):
    _use(filled)
    body = wallet_body(home)
    disk_id = _disk_id(filled, "note/")
    _record(body, filled, "note/")["kind"] = "secret"
    write_body(home, body)
    with pytest.raises(WalletCorruptedError, match=disk_id[:20]):
        filled.records("secret")


# --- The header -----------------------------------------------------------------------


def _flip_kdf_salt(body: JsonObject) -> None:
    _flip_field(body["kdf"], "salt", 0)


def _flip_sealed_key(field: str, index: int) -> Callable[[JsonObject], None]:
    return lambda body: _flip_field(body["dataKey"], field, index)


ALTERED_HEADERS: dict[str, Callable[[JsonObject], None]] = {
    "salt-bit": _flip_kdf_salt,
    "wallet-id": lambda b: b.update(walletId=b["walletId"][:-1] + "0"),
    "iterations": lambda b: b["kdf"].update(iterations=2),
    "memory": lambda b: b["kdf"].update(memoryKiB=72),
    "lanes": lambda b: b["kdf"].update(lanes=2),
    "sealed-key-nonce": _flip_sealed_key("nonce", 0),
    "sealed-key-ciphertext": _flip_sealed_key("ciphertext", 0),
    "sealed-key-tag": _flip_sealed_key("ciphertext", -1),
}


@pytest.mark.parametrize("name", ALTERED_HEADERS)
def test_an_altered_header_does_not_open(filled: Wallet, home: Path, name: str):
    # Documented: the header is authenticated by the sealed key, so a
    # well-formed but altered header reads as a wrong passphrase.
    body = wallet_body(home)
    if name == "wallet-id" and body["walletId"].endswith("0"):
        body["walletId"] = body["walletId"][:-1] + "1"
    else:
        ALTERED_HEADERS[name](body)
    write_body(home, body)
    before = snapshot(home)
    with pytest.raises(WrongPassphraseError):
        _open(home)
    assert snapshot(home) == before


MALFORMED: dict[str, Callable[[JsonObject], Any]] = {
    "format-missing": lambda b: b.pop("format"),
    "format-other": lambda b: b.update(format="other-wallet"),
    "schema-missing": lambda b: b.pop("schema"),
    "schema-string": lambda b: b.update(schema="1"),
    "schema-zero": lambda b: b.update(schema=0),
    "schema-true": lambda b: b.update(schema=True),
    "wallet-id-number": lambda b: b.update(walletId=7),
    "records-missing": lambda b: b.pop("records"),
    "records-object": lambda b: b.update(records={}),
    "record-not-object": lambda b: b["records"].append("x"),
    "record-without-id": lambda b: b["records"][0].pop("id"),
    "record-kind-number": lambda b: b["records"][0].update(kind=1),
    "record-twice": lambda b: b["records"].append(dict(b["records"][0])),
    "record-nonce-short": lambda b: b["records"][0].update(nonce="AAAA"),
    "record-ciphertext-not-base64": lambda b: b["records"][0].update(ciphertext="*"),
    "record-ciphertext-padded": lambda b: b["records"][0].update(
        ciphertext=b["records"][0]["ciphertext"] + "=="
    ),
    "kdf-missing": lambda b: b.pop("kdf"),
    "kdf-name": lambda b: b["kdf"].update(name="argon2i"),
    "kdf-salt-missing": lambda b: b["kdf"].pop("salt"),
    "kdf-salt-short": lambda b: b["kdf"].update(salt=encode_base64url(b"12345678")),
    "kdf-salt-number": lambda b: b["kdf"].update(salt=5),
    "kdf-iterations-zero": lambda b: b["kdf"].update(iterations=0),
    "kdf-iterations-huge": lambda b: b["kdf"].update(iterations=10_000),
    "kdf-iterations-float": lambda b: b["kdf"].update(iterations=1.0),
    "kdf-memory-huge": lambda b: b["kdf"].update(memoryKiB=64 * 1024 * 1024),
    "kdf-memory-tiny": lambda b: b["kdf"].update(memoryKiB=4),
    "kdf-lanes-zero": lambda b: b["kdf"].update(lanes=0),
    "kdf-lanes-over-memory": lambda b: b["kdf"].update(lanes=9),
    "sealed-key-missing": lambda b: b.pop("dataKey"),
    "sealed-key-list": lambda b: b.update(dataKey=[]),
    "sealed-key-nonce-long": lambda b: b["dataKey"].update(nonce="A" * 40),
    "sealed-key-ciphertext-short": lambda b: b["dataKey"].update(ciphertext="AAAA"),
    "version-missing": lambda b: b.pop("version"),
    "version-string": lambda b: b.update(version="1"),
    "version-negative": lambda b: b.update(version=-1),
    "version-float": lambda b: b.update(version=1.0),
    "set-mac-missing": lambda b: b.pop("recordSetMac"),
    "set-mac-short": lambda b: b.update(recordSetMac="AAAA"),
    "set-mac-number": lambda b: b.update(recordSetMac=7),
    "record-id-not-opaque": lambda b: b["records"][0].update(id="vc/urn:uuid:1"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_field_is_corruption(filled: Wallet, home: Path, name: str):
    body = wallet_body(home)
    MALFORMED[name](body)
    write_body(home, body)
    before = snapshot(home)
    with pytest.raises(WalletCorruptedError) as caught:
        _open(home)
    assert snapshot(home) == before
    assert caught.value.code == "walletCorrupted"


def _attempt(action: Callable[[], object]) -> SSIError | None:
    """Run ``action``; return the SSIError it raised (anything else escapes)."""
    try:
        action()
    except SSIError as error:
        return error
    return None


def test_flipped_bits_anywhere_give_only_wallet_errors(filled: Wallet, home: Path):
    whole = (home / "wallet.json").read_bytes()
    outcomes: dict[str, int] = {}
    for position, bit in derived_positions("wallet-fuzz", 600, len(whole)):
        damaged = flip_bit(whole, position, bit)
        (home / "wallet.json").write_bytes(damaged)
        error = _attempt(lambda: _use(_open(home)))
        if error is not None:
            assert isinstance(error, WALLET_ERRORS), (position, bit, error)
            _problem_is_complete(error)
        outcome = "opened" if error is None else type(error).__name__
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        # The open wallet, with its cache warm, fails the same way or works.
        error = _attempt(lambda: _use(filled))
        assert error is None or isinstance(error, WALLET_ERRORS), (position, bit)
        assert (home / "wallet.json").read_bytes() == damaged
    # Each kind of failure shows up: the positions cover the whole file.
    assert {"WalletCorruptedError", "WrongPassphraseError"} <= set(outcomes)
    assert sum(outcomes.values()) == 600


def test_flipped_bits_in_a_backup_give_only_wallet_errors(
    filled: Wallet, tmp_path: Path
):
    backup = tmp_path / "backup.agora"
    filled.export_backup(backup, "backup passphrase")
    whole = backup.read_bytes()
    target = new_wallet(tmp_path / "target")
    before = snapshot(tmp_path / "target")
    for position, bit in derived_positions("backup-fuzz", 150, len(whole)):
        backup.write_bytes(flip_bit(whole, position, bit))
        error = _attempt(lambda: target.import_backup(backup, "backup passphrase"))
        assert isinstance(error, WALLET_ERRORS), (position, bit, error)
    assert snapshot(tmp_path / "target") == before


# --- Versions -------------------------------------------------------------------------


@pytest.mark.parametrize("schema", [3, 99])
def test_a_newer_schema_is_a_version_error(filled: Wallet, home: Path, schema: int):
    body = wallet_body(home)
    body["schema"] = schema
    write_body(home, body)
    before = snapshot(home)
    with pytest.raises(WalletVersionError, match=f"schema {schema}") as caught:
        _open(home)
    assert caught.value.code == "unsupportedWalletVersion"
    with pytest.raises(WalletVersionError):
        filled.store_credential(credential(3))
    with pytest.raises(WalletVersionError):
        filled.credentials()
    assert snapshot(home) == before


def test_a_newer_schema_wins_over_other_damage(filled: Wallet, home: Path):
    # A newer version may change any other field: say "upgrade", not "damaged".
    body = wallet_body(home)
    body.update(schema=3, kdf={"name": "argon3"}, records={"new": "layout"})
    write_body(home, body)
    with pytest.raises(WalletVersionError):
        _open(home)


# --- Missing wallets ------------------------------------------------------------------


def test_a_missing_agora_home_is_not_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AGORA_HOME", str(tmp_path / "missing"))
    with pytest.raises(WalletNotFoundError) as caught:
        Wallet.open(default_home(), PASSPHRASE)
    assert not (tmp_path / "missing").exists()
    assert caught.value.code == "walletNotFound"
    assert "agora init" in str(caught.value)


def test_a_home_without_a_wallet_file_is_not_found(tmp_path: Path):
    before = snapshot(tmp_path)
    with pytest.raises(WalletNotFoundError):
        Wallet.open(tmp_path, PASSPHRASE)
    assert snapshot(tmp_path) == before


def test_a_home_removed_under_an_open_wallet_is_not_found(filled: Wallet, home: Path):
    for path in home.iterdir():
        path.unlink()
    home.rmdir()
    with pytest.raises(WalletNotFoundError):
        filled.store_credential(credential(3))
    with pytest.raises(WalletNotFoundError, match="no wallet directory"):
        filled.put_record("note", "n2", {})
    with pytest.raises(WalletNotFoundError):
        filled.credentials()
    assert not home.exists()


def test_a_wallet_replaced_by_another_is_refused(filled: Wallet, home: Path, tmp_path):
    new_wallet(tmp_path / "other")
    os.replace(tmp_path / "other" / "wallet.json", home / "wallet.json")
    before = snapshot(home)
    with pytest.raises(WalletCorruptedError, match="another wallet"):
        filled.store_credential(credential(3))
    with pytest.raises(WalletCorruptedError, match="another wallet"):
        filled.credentials()
    with pytest.raises(WalletCorruptedError, match="another wallet"):
        filled.export_backup(tmp_path / "backup", "backup passphrase")
    assert snapshot(home) == before


# --- Files that cannot be written -----------------------------------------------------


def _emulate_read_only_directory(stand_in: OSStandIn, home: Path) -> None:
    """Refuse, as the kernel does in a 0500 directory, what needs write access to it.

    Creating or renaming a name in ``home`` fails with EACCES; opening an
    existing file works (that depends on the file's mode, not the directory's).
    Used when the tests run as root, which ignores permission bits.
    """

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        target = Path(path)
        if flags & os.O_CREAT and target.parent == home and not target.exists():
            raise os_error(errno.EACCES, path)
        return os.open(path, flags, *args, **kwargs)

    def replace(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        if home in (Path(source).parent, Path(target).parent):
            raise os_error(errno.EACCES, source)
        os.replace(source, target, *args, **kwargs)

    stand_in.overrides.update(open=open_, replace=replace)


@pytest.mark.parametrize("lock_file", ["present", "missing"])
def test_a_read_only_home_refuses_writes_and_changes_nothing(
    filled: Wallet, home: Path, storage_os: OSStandIn, lock_file: str
):
    if lock_file == "missing":  # a wallet copied without its lock file
        (home / "wallet.lock").unlink()
    if os.geteuid() == 0:
        _emulate_read_only_directory(storage_os, home)
    else:
        home.chmod(0o500)
    try:
        before = snapshot(home)
        for write in (
            lambda: filled.store_credential(credential(3)),
            lambda: filled.delete_credential(credential_id(1)),
            lambda: filled.create_did(alias="bob"),
            lambda: filled.change_passphrase("another passphrase"),
        ):
            with pytest.raises(WalletAccessError, match="cannot write") as caught:
                write()
            assert snapshot(home) == before
            _problem_is_complete(caught.value)
        # Reading needs no write access.
        assert len(_open(home).credentials()) == 2
        assert len(filled.credentials()) == 2
    finally:
        home.chmod(0o700)


def test_a_read_only_home_refuses_a_new_wallet(tmp_path: Path, storage_os: OSStandIn):
    home = tmp_path / "agora"
    home.mkdir(mode=0o700)
    if os.geteuid() == 0:
        _emulate_read_only_directory(storage_os, home)
    else:
        home.chmod(0o500)
    try:
        with pytest.raises(WalletAccessError):
            new_wallet(home)
        assert list(home.iterdir()) == []
    finally:
        home.chmod(0o700)


def test_a_read_only_file_system_refuses_writes(
    filled: Wallet, home: Path, storage_os: OSStandIn
):
    def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise os_error(errno.EROFS, path)
        return os.open(path, flags, *args, **kwargs)

    storage_os.overrides["open"] = read_only
    before = snapshot(home)
    with pytest.raises(WalletAccessError, match="Read-only file system"):
        filled.store_credential(credential(3))
    assert snapshot(home) == before
    assert len(filled.credentials()) == 2


def test_a_lock_that_cannot_be_opened_refuses_writes(filled: Wallet, home: Path):
    # A real failure, root or not: the kernel will not open a directory for writing.
    (home / "wallet.lock").unlink()
    (home / "wallet.lock").mkdir()
    before = snapshot(home)
    with pytest.raises(WalletAccessError, match="cannot write"):
        filled.store_credential(credential(3))
    assert snapshot(home) == before
    assert len(_open(home).credentials()) == 2


def test_a_lock_that_cannot_be_taken_refuses_writes(
    filled: Wallet, home: Path, monkeypatch: pytest.MonkeyPatch
):
    def no_locks(fd: int, operation: int) -> None:
        raise os_error(errno.ENOLCK)

    class Fcntl:
        LOCK_EX, LOCK_UN = fcntl.LOCK_EX, fcntl.LOCK_UN
        flock = staticmethod(no_locks)

    monkeypatch.setattr(storage_module, "fcntl", Fcntl)
    before = snapshot(home)
    with pytest.raises(WalletAccessError, match="lock"):
        filled.store_credential(credential(3))
    assert snapshot(home) == before


@pytest.mark.parametrize("stage", ["first-write", "second-write", "fsync"])
def test_a_full_disk_leaves_the_previous_file(
    filled: Wallet, home: Path, storage_os: OSStandIn, stage: str
):
    calls: list[int] = []

    def write(fd: int, data: Any) -> int:
        calls.append(fd)
        if stage == "first-write" or len(calls) > 1:
            raise os_error(errno.ENOSPC)
        return os.write(fd, bytes(data)[: len(data) // 2])  # a short write

    def fsync(fd: int) -> None:
        raise os_error(errno.ENOSPC)

    storage_os.overrides["write" if stage != "fsync" else "fsync"] = (
        write if stage != "fsync" else fsync
    )
    before = snapshot(home, directory_times=False)
    with pytest.raises(WalletAccessError, match="the disk is full") as caught:
        filled.store_credential(credential(3))
    assert snapshot(home, directory_times=False) == before
    assert temporary_files(home) == []
    _problem_is_complete(caught.value)
    storage_os.overrides.clear()
    assert len(filled.credentials()) == 2
    filled.store_credential(credential(3))
    assert len(_open(home).credentials()) == 3


@pytest.mark.parametrize(
    ("call", "code"),
    [("replace", errno.EIO), ("replace", errno.EXDEV), ("fsync", errno.EIO)],
)
def test_other_write_failures_leave_the_previous_file(
    filled: Wallet, home: Path, storage_os: OSStandIn, call: str, code: int
):
    def fail(*args: Any, **kwargs: Any) -> None:
        raise os_error(code)

    storage_os.overrides[call] = fail
    before = snapshot(home, directory_times=False)
    with pytest.raises(WalletAccessError, match=re.escape(os.strerror(code))):
        filled.store_credential(credential(3))
    assert snapshot(home, directory_times=False) == before
    assert temporary_files(home) == []


def test_a_full_disk_during_export_leaves_no_backup(
    filled: Wallet, tmp_path: Path, storage_os: OSStandIn
):
    def write(fd: int, data: Any) -> int:
        raise os_error(errno.ENOSPC)

    storage_os.overrides["write"] = write
    with pytest.raises(WalletAccessError, match="disk is full"):
        filled.export_backup(tmp_path / "backup.agora", "backup passphrase")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agora"]


# --- Temporary files ------------------------------------------------------------------


def test_temporary_files_are_never_read_as_the_wallet(filled: Wallet, home: Path):
    older = wallet_body(home)
    older["records"] = []
    (home / ".wallet.json.1234.0badf00d").write_text(json.dumps(older))
    (home / ".wallet.json.99.deadbeef").write_bytes(b"\0garbage")
    assert len(_open(home).credentials()) == 2
    filled.store_credential(credential(3))
    assert len(_open(home).credentials()) == 3
    assert (home / ".wallet.json.1234.0badf00d").read_text() == json.dumps(older)


# --- Unreadable files and unusable records -----------------------------------------


def test_a_wallet_file_that_cannot_be_read_is_an_access_error(home: Path):
    home.mkdir()
    (home / "wallet.json").mkdir()  # the kernel refuses to read a directory
    before = snapshot(home)
    with pytest.raises(WalletAccessError, match="cannot read"):
        _open(home)
    assert snapshot(home) == before


def test_a_file_larger_than_any_wallet_is_corruption(
    filled: Wallet, home: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(storage_module, "MAX_WALLET_BYTES", 100)
    with pytest.raises(WalletCorruptedError, match="larger"):
        _open(home)


def test_a_home_that_is_a_file_is_an_access_error(tmp_path: Path):
    (tmp_path / "agora").write_text("not a directory")
    with pytest.raises(WalletAccessError, match="cannot create"):
        new_wallet(tmp_path / "agora")
    assert (tmp_path / "agora").read_text() == "not a directory"


@pytest.mark.parametrize(
    ("stored", "message"),
    [("zNotAKey", "damaged"), (None, "damaged"), ("public", "no secret")],
)
def test_a_stored_key_that_is_unusable_is_corruption(
    wallet: Wallet, stored: str | None, message: str
):
    # Authenticated but unusable content, as a buggy writer could leave: sealed
    # with the wallet's own key through its internal step, since no public
    # call writes such a record.
    public = generate_key("Ed25519").export_multikey()
    data: JsonObject = {
        "alias": "broken",
        "keyType": "Ed25519",
        "publicKeyMultibase": public,
        "created": "2024-01-01T00:00:00Z",
        "secretKeyMultibase": public if stored == "public" else stored,
    }
    with wallet.transaction() as transaction:
        transaction.put("key", "key/broken", data)
    assert wallet.key("broken").id == "key/broken"
    with pytest.raises(WalletCorruptedError, match=message):
        wallet.key_pair("broken")


@pytest.mark.parametrize("plaintext", [b"[1, 2]", b"not json", b"\xff"])
def test_a_record_that_is_not_a_json_object_is_corruption(
    wallet: Wallet, home: Path, plaintext: bytes
):
    body = wallet_body(home)
    opaque = wallet.store.disk_id("note", "note/x")
    box = seal(wallet.store.keys.encryption, plaintext, _aad(body["walletId"], opaque))
    body["records"].append({"id": opaque, **box.to_json()})
    write_body(home, body)
    with pytest.raises(WalletCorruptedError, match=opaque[:20]):
        _open(home)
    with pytest.raises(WalletCorruptedError, match=opaque[:20]):
        wallet.records("note")
