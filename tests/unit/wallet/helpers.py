"""Shared helpers for the wallet tests: fixed keys and credentials, snapshots.

Everything here is deterministic: keys come from fixed seeds, proofs carry a
fixed ``created``, and "random" positions are derived from SHA-256 of an index
(the ``random`` module is banned in this codebase).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ssi
from ssi.credentials import VC_V2_CONTEXT
from ssi.keys import Ed25519KeyPair
from ssi.types import JsonObject, JsonValue
from ssi.wallet import KDFParams, Wallet

PASSPHRASE = "correct horse battery staple"  # noqa: S105
OTHER_PASSPHRASE = "tr0ub4dor&3"  # noqa: S105
CREATED = "2024-01-02T03:04:05Z"
ISSUER_KEY = Ed25519KeyPair.from_seed(bytes([41]) * 32)
"""The key every test credential is issued with (not a wallet key)."""
ISSUER = ssi.did_key(ISSUER_KEY)
SUBJECT = ssi.did_key(Ed25519KeyPair.from_seed(bytes([42]) * 32))


def fast_kdf() -> KDFParams:
    """Return the cheap ``test`` KDF profile with a fresh salt."""
    return KDFParams.profile("test")


def new_wallet(home: Path, passphrase: str = PASSPHRASE) -> Wallet:
    """Create a wallet in ``home`` with the cheap KDF profile."""
    return Wallet.create(home, passphrase, kdf=fast_kdf())


def credential_id(number: int) -> str:
    """Return the ``id`` of test credential ``number``."""
    return f"urn:uuid:00000000-0000-4000-8000-{number:012d}"


def unsigned(
    number: int, *, issuer: JsonValue = ISSUER, **extra: JsonValue
) -> JsonObject:
    """Return test credential ``number`` before it is secured."""
    document: JsonObject = {
        "@context": [VC_V2_CONTEXT],
        "id": credential_id(number),
        "type": ["VerifiableCredential", "MembershipCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": SUBJECT, "memberNumber": number},
    }
    document.update(extra)
    return document


def credential(number: int, **extra: JsonValue) -> JsonObject:
    """Return test credential ``number``, secured by :data:`ISSUER_KEY`."""
    return ssi.issue(unsigned(number, **extra), ssi.signer(ISSUER_KEY), created=CREATED)


def wallet_body(home: Path) -> JsonObject:
    """Return the wallet file of ``home`` parsed as JSON."""
    body: JsonObject = json.loads((home / "wallet.json").read_bytes())
    return body


def write_body(home: Path, body: JsonObject) -> None:
    """Replace the wallet file of ``home`` with ``body`` (for damaging it)."""
    (home / "wallet.json").write_text(json.dumps(body, indent=1) + "\n")


FileState = tuple[object, ...]


def snapshot(root: Path, *, directory_times: bool = True) -> dict[str, FileState]:
    """Return the state of every file and directory under ``root`` (inclusive).

    Files: type, mode, size, SHA-256, mtime (ns) and inode, so a rewrite with
    the same bytes still shows. Directories: mode, and their mtime when
    ``directory_times`` (a failed write that removed its temporary file
    changes the directory's mtime while leaving every file as it was).
    """
    state: dict[str, FileState] = {}
    for path in [root, *sorted(root.rglob("*"))]:
        info = path.lstat()
        name = str(path.relative_to(root))
        if stat.S_ISDIR(info.st_mode):
            times = info.st_mtime_ns if directory_times else None
            state[name] = ("dir", stat.S_IMODE(info.st_mode), times)
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[name] = (
                "file",
                stat.S_IMODE(info.st_mode),
                info.st_size,
                digest,
                info.st_mtime_ns,
                info.st_ino,
            )
    return state


def derived_positions(label: str, count: int, length: int) -> list[tuple[int, int]]:
    """Return ``count`` (byte position, bit) pairs below ``length``, fixed per label.

    Positions come from SHA-256 of the label and an index: spread over the
    whole range, and the same on every run.
    """
    pairs = []
    for index in range(count):
        digest = hashlib.sha256(f"{label}/{index}".encode()).digest()
        pairs.append((int.from_bytes(digest[:8], "big") % length, digest[8] % 8))
    return pairs


def flip_bit(data: bytes, position: int, bit: int) -> bytes:
    """Return ``data`` with one bit inverted."""
    changed = bytearray(data)
    changed[position] ^= 1 << bit
    return bytes(changed)


def temporary_files(home: Path) -> list[str]:
    """Return the names of the writers' temporary files left in ``home``."""
    return sorted(p.name for p in home.iterdir() if p.name.startswith(".wallet.json."))


def mode(path: Path) -> int:
    """Return the permission bits of ``path``."""
    return stat.S_IMODE(os.stat(path).st_mode)


class OSStandIn:
    """Stands in for the ``os`` module inside ``ssi.wallet.storage``.

    Every name is the real one unless ``overrides`` replaces it, so a test can
    make one system call fail for the wallet alone and nowhere else.
    """

    def __init__(self) -> None:
        self.overrides: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, name: str) -> Any:
        if name in self.overrides:
            return self.overrides[name]
        return getattr(os, name)


def os_error(code: int, path: object = None) -> OSError:
    """Return the ``OSError`` the kernel raises for ``code``."""
    if path is None:
        return OSError(code, os.strerror(code))
    return OSError(code, os.strerror(code), str(path))


DATA = Path(__file__).parent / "data"
SCHEMA1_WALLET = DATA / "schema1-wallet.json"
"""A schema 1 wallet written by the previous version (test KDF profile): an
X25519 key, a did:key (alice), a rotated did:agora (bob), a community
(garden) with one member, two credentials and a note."""
SCHEMA1_BACKUP = DATA / "schema1-backup.agora"
"""A schema 1 backup of the same wallet, under ``backupPassphrase``."""
SCHEMA1_EXPECTED: JsonObject = json.loads((DATA / "schema1-expected.json").read_text())
"""What the schema 1 files hold, as the previous version listed it."""


def install_schema1_wallet(home: Path) -> bytes:
    """Put the schema 1 wallet in ``home`` (created 0700); return its bytes."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = SCHEMA1_WALLET.read_bytes()
    (home / "wallet.json").write_bytes(data)
    (home / "wallet.json").chmod(0o600)
    return data


def schema1_content_problems(wallet: Wallet) -> list[str]:
    """Return what the wallet lacks of the schema 1 fixture's records."""
    expected = SCHEMA1_EXPECTED
    found = {
        "dids": sorted(r.did for r in wallet.dids()),
        "aliases": sorted(r.alias for r in wallet.dids() if r.alias),
        "keys": sorted(k.id for k in wallet.keys()),
        "credentials": sorted(c.id for c in wallet.credentials()),
        "notes": [list(item) for item in wallet.records("note")],
        "agoraLogs": {did: len(d["entries"]) for did, d in wallet.records("agora")},
        "communities": sorted(did for did, _ in wallet.records("community")),
    }
    problems = [
        f"{name}: {found[name]!r} != {expected[name]!r}"
        for name in found
        if found[name] != expected[name]
    ]
    for key in wallet.keys():
        wallet.key_pair(key.id)  # every secret still opens
    return problems
