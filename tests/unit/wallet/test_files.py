"""What the wallet leaves on disk (modes, names) and what it shows (repr).

Spec: https://pubs.opengroup.org/onlinepubs/9799919799/functions/open.html
(``O_CREAT`` with mode 0600, ``O_EXCL``), and STYLE.md: key objects never
show secret bytes in ``repr``, logs or exceptions.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssi.encoding import encode_base64url
from ssi.keys import generate_key
from ssi.wallet import Wallet, default_home
from ssi.wallet.storage import STALE_TEMPORARY_SECONDS
from tests.unit.wallet.helpers import (
    PASSPHRASE,
    OSStandIn,
    credential,
    mode,
    new_wallet,
    temporary_files,
)


@pytest.fixture(params=[0o000, 0o022, 0o077], ids=["umask000", "umask022", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under each umask; the modes must not depend on it."""
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def test_files_have_private_modes(home: Path, tmp_path: Path, umask: int):
    wallet = new_wallet(home)
    assert mode(home) == 0o700
    assert mode(home / "wallet.json") == 0o600
    assert mode(home / "wallet.lock") == 0o600
    wallet.store_credential(credential(1))
    assert mode(home / "wallet.json") == 0o600
    backup = tmp_path / "backup.agora"
    wallet.export_backup(backup, "backup passphrase")
    assert mode(backup) == 0o600
    assert sorted(p.name for p in home.iterdir()) == ["wallet.json", "wallet.lock"]


def test_nested_homes_are_created(tmp_path: Path):
    home = tmp_path / "a" / "b" / "agora"
    new_wallet(home)
    assert mode(home) == 0o700


def test_an_empty_existing_home_is_made_private(tmp_path: Path):
    home = tmp_path / "agora"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    new_wallet(home)
    assert mode(home) == 0o700


def test_a_shared_directory_given_as_home_keeps_its_mode(tmp_path: Path):
    # AGORA_HOME=/tmp (or $HOME) must not take the directory away from others.
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    (shared / "someone-elses-file").write_text("x")
    wallet = new_wallet(shared)
    assert mode(shared) == 0o1777
    assert mode(shared / "wallet.json") == 0o600
    assert mode(shared / "wallet.lock") == 0o600
    wallet.store_credential(credential(1))


def test_no_temporary_file_survives_a_write(wallet: Wallet, home: Path):
    for number in range(5):
        wallet.store_credential(credential(number))
    wallet.change_passphrase("another passphrase")
    assert temporary_files(home) == []


def test_default_home_follows_agora_home(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setenv("AGORA_HOME", str(tmp_path / "x"))
    assert default_home() == tmp_path / "x"
    monkeypatch.setenv("AGORA_HOME", "")
    assert default_home() == Path.home() / ".agora"
    monkeypatch.delenv("AGORA_HOME")
    assert default_home() == Path.home() / ".agora"


def test_repr_and_str_never_show_secrets(home: Path):
    wallet = new_wallet(home)
    x25519 = generate_key("X25519")
    wallet.add_key(x25519, alias="agreement")
    did = wallet.create_did(alias="alice")
    wallet.store_credential(credential(1))
    reopened = Wallet.open(home, PASSPHRASE)

    data_key = wallet.store.data_key  # private, read here only to look for it
    secrets_shown = {
        PASSPHRASE,
        data_key.hex(),
        encode_base64url(data_key),
        x25519.export_multikey(private=True),
        str(x25519.export_jwk(private=True)["d"]),
    }
    pair = reopened.key_pair("alice")
    secrets_shown |= {
        pair.export_multikey(private=True),
        str(pair.export_jwk(True)["d"]),
    }

    shown = [
        repr(wallet),
        str(wallet),
        repr(reopened),
        repr(reopened.keys()),
        repr(reopened.dids()),
        repr(reopened.credentials()),
        repr(pair),
        str(pair),
        repr(reopened.key_pair("agreement")),
        repr(reopened.signer("alice")),
        repr(reopened.key("alice")),
        repr(did),
    ]
    assert repr(wallet) == f"Wallet(home={str(home)!r})"
    for text in shown:
        for secret in secrets_shown:
            assert secret not in text


def _age(path: Path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old), follow_symlinks=False)


def test_the_next_write_removes_stale_temporary_files(wallet: Wallet, home: Path):
    stale = [home / ".wallet.json.4242.0badf00d", home / ".wallet.json.1.deadbeef"]
    fresh = home / ".wallet.json.4243.0badf00d"
    for path in [*stale, fresh]:
        path.write_bytes(b'{"partial": ')
    for path in stale:
        _age(path, STALE_TEMPORARY_SECONDS + 60)
    _age(fresh, STALE_TEMPORARY_SECONDS - 60)

    Wallet.open(home, PASSPHRASE).credentials()  # reading removes nothing
    assert all(p.exists() for p in [*stale, fresh])

    wallet.store_credential(credential(1))
    assert not any(p.exists() for p in stale)
    assert fresh.exists()  # it may belong to a writer that is still alive
    assert temporary_files(home) == [fresh.name]


def test_only_the_writers_own_temporary_files_are_removed(
    wallet: Wallet, home: Path, tmp_path: Path
):
    elsewhere = tmp_path / "target"
    elsewhere.write_text("keep me")
    kept = {
        ".wallet.json.bak": "file",
        ".wallet.json.12.xyzxyzxy": "file",
        ".wallet.json.12.0badf00d.x": "file",
        ".wallet.json.12.0BADF00D": "file",
        "wallet.json.12.0badf00d": "file",
        ".wallet.json.13.0badf00d": "dir",
        ".wallet.json.14.0badf00d": "link",
    }
    for name, kind in kept.items():
        path = home / name
        if kind == "file":
            path.write_text("x")
        elif kind == "dir":
            path.mkdir()
        else:
            path.symlink_to(elsewhere)
        _age(path, STALE_TEMPORARY_SECONDS * 10)
    wallet.store_credential(credential(1))
    assert {p.name for p in home.iterdir()} == {*kept, "wallet.json", "wallet.lock"}
    assert elsewhere.read_text() == "keep me"


def test_a_temporary_file_that_cannot_be_removed_does_not_stop_a_write(
    wallet: Wallet, home: Path, storage_os: OSStandIn
):
    stale = home / ".wallet.json.4242.0badf00d"
    stale.write_text("x")
    _age(stale, STALE_TEMPORARY_SECONDS * 2)

    def unlink(path: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM), str(path))

    storage_os.overrides["unlink"] = unlink
    wallet.store_credential(credential(1))
    assert stale.exists()
    assert len(Wallet.open(home, PASSPHRASE).credentials()) == 1
