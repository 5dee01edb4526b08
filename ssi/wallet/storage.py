"""The wallet on disk: one JSON file, replaced atomically under an exclusive lock.

Layout of ``$AGORA_HOME`` (mode 0700): ``wallet.json`` (mode 0600) and
``wallet.lock`` (mode 0600, locked with ``flock`` by every writer). A write
goes to a temporary file in the same directory, is flushed and fsynced, then
renamed over ``wallet.json`` and the directory is fsynced: a reader sees the
old file or the new one, never a mixture, and a process killed mid-write
leaves the previous state intact. What such a process leaves behind is a
temporary file (``.wallet.json.<pid>.<hex>``); it is never read, and the next
write removes it once it is older than :data:`STALE_TEMPORARY_SECONDS`.

File format (schema 1)::

    {"format": "agora-wallet", "schema": 1, "walletId": "...",
     "kdf": {Argon2id parameters and salt},
     "dataKey": {nonce, ciphertext},      # data key sealed by the passphrase key
     "records": [{"id", "kind", "nonce", "ciphertext"}, ...]}

The header (format, schema, walletId, kdf) is the associated data of the
sealed data key, so altering it makes the wallet refuse to open.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ssi.errors import (
    WalletAccessError,
    WalletCorruptedError,
    WalletNotFoundError,
    WalletVersionError,
)
from ssi.types import JsonObject
from ssi.wallet.crypto import KDFParams, SealedBox

__all__ = [
    "FORMAT",
    "LOCK_FILE",
    "MAX_WALLET_BYTES",
    "SCHEMA_VERSION",
    "STALE_TEMPORARY_SECONDS",
    "WALLET_FILE",
    "Storage",
    "StoredRecord",
    "WalletFile",
    "header_aad",
]

FORMAT = "agora-wallet"
SCHEMA_VERSION = 1
WALLET_FILE = "wallet.json"
LOCK_FILE = "wallet.lock"
MAX_WALLET_BYTES = 512 * 1024 * 1024
"""Largest wallet file read; anything bigger is not a wallet this tool wrote."""
STALE_TEMPORARY_SECONDS = 10 * 60
"""Age after which a writer's temporary file is taken as left by a dead process.

Writers hold the lock while their temporary file exists, so one found under
the lock is already stale; the age is a second guard, for file systems where
another machine's lock may not be seen."""

_TEMPORARY = re.compile(re.escape(f".{WALLET_FILE}.") + r"[0-9]+\.[0-9a-f]{8}")


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One encrypted record as stored: its id and kind are in the clear."""

    id: str
    kind: str
    box: SealedBox


@dataclass(slots=True)
class WalletFile:
    """The parsed wallet file."""

    wallet_id: str
    kdf: KDFParams
    data_key: SealedBox
    records: dict[str, StoredRecord] = field(default_factory=dict)
    schema: int = SCHEMA_VERSION

    def header_aad(self) -> bytes:
        """The associated data that binds the sealed data key to the header."""
        return header_aad(self.wallet_id, self.kdf, self.schema)

    def to_bytes(self) -> bytes:
        """Serialize the file."""
        body: JsonObject = {
            "format": FORMAT,
            "schema": self.schema,
            "walletId": self.wallet_id,
            "kdf": self.kdf.to_json(),
            "dataKey": self.data_key.to_json(),
            "records": [
                {"id": r.id, "kind": r.kind, **r.box.to_json()}
                for r in self.records.values()
            ],
        }
        return (json.dumps(body, indent=1) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> WalletFile:
        """Parse a wallet file.

        Raises:
            WalletCorruptedError: truncated, altered, or not a wallet file.
            WalletVersionError: written with a newer schema.
        """
        try:
            body = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise WalletCorruptedError(
                "the wallet file is damaged (it is not complete JSON)."
            ) from exc
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise WalletCorruptedError("the wallet file is not an Agora wallet.")
        schema = body.get("schema")
        if type(schema) is not int or schema < 1:
            raise WalletCorruptedError("the wallet file has no valid schema version.")
        if schema > SCHEMA_VERSION:
            raise WalletVersionError(
                f"the wallet uses schema {schema}, newer than the {SCHEMA_VERSION} "
                "this version of agora reads; upgrade agora."
            )
        wallet_id = body.get("walletId")
        records_value = body.get("records")
        if not isinstance(wallet_id, str) or not isinstance(records_value, list):
            raise WalletCorruptedError("the wallet file's header is damaged.")
        records: dict[str, StoredRecord] = {}
        for item in records_value:
            if not isinstance(item, dict):
                raise WalletCorruptedError("a wallet record is damaged.")
            record_id, kind = item.get("id"), item.get("kind")
            if not isinstance(record_id, str) or not isinstance(kind, str):
                raise WalletCorruptedError("a wallet record is damaged.")
            if record_id in records:
                raise WalletCorruptedError("the wallet holds a record twice.")
            box = SealedBox.from_json(item, f"wallet record {record_id[:60]!r}")
            records[record_id] = StoredRecord(record_id, kind, box)
        return cls(
            wallet_id=wallet_id,
            kdf=KDFParams.from_json(body.get("kdf")),
            data_key=SealedBox.from_json(
                body.get("dataKey"), "the wallet's sealed key"
            ),
            records=records,
            schema=schema,
        )


def header_aad(wallet_id: str, kdf: KDFParams, schema: int = SCHEMA_VERSION) -> bytes:
    """The associated data that binds a sealed data key to a wallet header."""
    header = {
        "format": FORMAT,
        "schema": schema,
        "walletId": wallet_id,
        "kdf": kdf.to_json(),
    }
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


class Storage:
    """The wallet directory: reading, atomic replacement, and the writer's lock.

    Args:
        home: the wallet directory (``$AGORA_HOME``).
    """

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.path = self.home / WALLET_FILE
        self.lock_path = self.home / LOCK_FILE

    def exists(self) -> bool:
        """True when the directory holds a wallet file."""
        return self.path.is_file()

    def read(self) -> WalletFile:
        """Read and parse the wallet file.

        Raises:
            WalletNotFoundError: no wallet here.
            WalletAccessError: the file cannot be read.
            WalletCorruptedError, WalletVersionError: as ``WalletFile.from_bytes``.
        """
        return self.read_from(self.path)

    def read_from(self, path: Path) -> WalletFile:
        """Read and parse a wallet-format file (the wallet, or a backup).

        Raises:
            WalletNotFoundError: the file does not exist.
            WalletAccessError: the file cannot be read.
            WalletCorruptedError, WalletVersionError: as ``WalletFile.from_bytes``.
        """
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_WALLET_BYTES + 1)
        except FileNotFoundError as exc:
            where = f"in {self.home}" if path == self.path else f"at {path}"
            raise WalletNotFoundError(
                f"there is no wallet {where}; create one with `agora init`."
                if path == self.path
                else f"there is no file {path}."
            ) from exc
        except OSError as exc:
            raise WalletAccessError(
                f"cannot read {path}: {exc.strerror or exc}."
            ) from exc
        if len(data) > MAX_WALLET_BYTES:
            raise WalletCorruptedError("the wallet file is larger than any wallet.")
        return WalletFile.from_bytes(data)

    def create_home(self) -> None:
        """Create the wallet directory (mode 0700) if it does not exist.

        An existing empty directory loses any group and other permissions; a
        directory that already holds other files (``$HOME``, ``/tmp``) keeps
        its mode, since it is not the wallet's to change: the wallet's own
        files are 0600 regardless.

        Raises:
            WalletAccessError: it cannot be created, or is not a directory.
        """
        try:
            try:
                self.home.mkdir(mode=0o700, parents=True)
                mode = 0o700
            except FileExistsError:
                if not self.home.is_dir():
                    raise
                with os.scandir(self.home) as entries:
                    if next(entries, None) is not None:
                        return
                mode = stat.S_IMODE(os.stat(self.home).st_mode) & 0o700
            os.chmod(self.home, mode)
        except OSError as exc:
            raise WalletAccessError(
                f"cannot create the wallet directory {self.home}: "
                f"{exc.strerror or exc}."
            ) from exc

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the exclusive writer's lock for the duration of the block.

        Raises:
            WalletNotFoundError: the wallet directory does not exist.
            WalletAccessError: the lock file cannot be created or locked.
        """
        if not self.home.is_dir():
            raise WalletNotFoundError(
                f"there is no wallet directory {self.home}; create one with "
                "`agora init`."
            )
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise WalletAccessError(
                f"cannot write to the wallet in {self.home}: {exc.strerror or exc}."
            ) from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as exc:
                raise WalletAccessError(
                    f"cannot lock the wallet in {self.home}: {exc.strerror or exc}."
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def write(self, wallet: WalletFile) -> None:
        """Replace the wallet file atomically; call under :meth:`locked`.

        Raises:
            WalletAccessError: the directory is not writable or the disk is full;
                the previous file is left as it was.
        """
        self._remove_stale_temporaries()
        self.write_to(self.path, wallet)

    def _remove_stale_temporaries(self) -> None:
        # Called under the lock. Only names this class makes, only regular
        # files, only old ones; anything that goes wrong is left for next time.
        deadline = time.time() - STALE_TEMPORARY_SECONDS
        with contextlib.suppress(OSError), os.scandir(self.home) as entries:
            for entry in entries:
                if _TEMPORARY.fullmatch(entry.name) is None:
                    continue
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode) and info.st_mtime < deadline:
                        os.unlink(entry.path)

    def write_to(self, target: Path, wallet: WalletFile) -> None:
        """Write a wallet-format file atomically (temporary file, fsync, rename).

        Raises:
            WalletAccessError: the directory is not writable or the disk is full;
                any previous file is left as it was.
        """
        data = wallet.to_bytes()
        directory = target.parent
        temporary = directory / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}"
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temporary, target)
            _sync_directory(directory)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink()
            reason = (
                "the disk is full"
                if exc.errno == errno.ENOSPC
                else (exc.strerror or str(exc))
            )
            raise WalletAccessError(f"cannot write {target}: {reason}.") from exc


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
