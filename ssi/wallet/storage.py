"""The wallet on disk: one JSON file, replaced atomically under an exclusive lock.

Layout of ``$AGORA_HOME`` (mode 0700): ``wallet.json`` (mode 0600) and
``wallet.lock`` (mode 0600, locked with ``flock`` by every writer). A write
goes to a temporary file in the same directory, is flushed and fsynced, then
renamed over ``wallet.json`` and the directory is fsynced: a reader sees the
old file or the new one, never a mixture, and a process killed mid-write
leaves the previous state intact. What such a process leaves behind is a
temporary file (``.wallet.json.<pid>.<hex>``); it is never read, and the next
write removes it once it is older than :data:`STALE_TEMPORARY_SECONDS`.

Every file the wallet writes (the wallet, backups, the schema 1 copy kept by
a migration, temporary files, the lock) is created with mode 0600, set with
``fchmod`` so that no umask can widen or narrow it. The file format is in
:mod:`ssi.wallet.walletfile`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ssi.errors import (
    RecordTooLargeError,
    WalletAccessError,
    WalletCorruptedError,
    WalletNotFoundError,
)
from ssi.wallet.walletfile import (
    FORMAT,
    SCHEMA_VERSION,
    StoredRecord,
    WalletFile,
    header_aad,
)

__all__ = [
    "FORMAT",
    "LOCK_FILE",
    "MAX_WALLET_BYTES",
    "SCHEMA1_COPY",
    "SCHEMA_VERSION",
    "STALE_TEMPORARY_SECONDS",
    "WALLET_FILE",
    "Checkpoint",
    "Storage",
    "StoredRecord",
    "WalletFile",
    "header_aad",
]

Checkpoint = Callable[[str], None]
"""Called with a step name as an atomic write passes it (for the kill tests)."""

WALLET_FILE = "wallet.json"
SCHEMA1_COPY = "wallet-schema-1-backup.json"
"""The copy of a schema 1 wallet that a migration leaves next to the wallet."""
LOCK_FILE = "wallet.lock"
MAX_WALLET_BYTES = 512 * 1024 * 1024
"""Largest wallet file read; anything bigger is not a wallet this tool wrote."""
STALE_TEMPORARY_SECONDS = 10 * 60
"""Age after which a writer's temporary file is taken as left by a dead process.

Writers hold the lock while their temporary file exists, so one found under
the lock is already stale; the age is a second guard, for file systems where
another machine's lock may not be seen."""

_TEMPORARY = re.compile(
    r"\.(?:" + re.escape(WALLET_FILE) + "|" + re.escape(SCHEMA1_COPY) + r")\."
    r"[0-9]+\.[0-9a-f]{8}"
)


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
        return WalletFile.from_bytes(self.read_bytes(path))

    def read_bytes(self, path: Path | None = None) -> bytes:
        """Return the bytes of the wallet file (or of ``path``), size-capped.

        Raises:
            WalletNotFoundError: the file does not exist.
            WalletAccessError: the file cannot be read.
            WalletCorruptedError: it is larger than :data:`MAX_WALLET_BYTES`.
        """
        path = self.path if path is None else path
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_WALLET_BYTES + 1)
        except FileNotFoundError as exc:
            raise WalletNotFoundError(
                f"there is no wallet in {self.home}; create one with `agora init`."
                if path == self.path
                else f"there is no file {path}."
            ) from exc
        except OSError as exc:
            raise WalletAccessError(
                f"cannot read {path}: {exc.strerror or exc}."
            ) from exc
        if len(data) > MAX_WALLET_BYTES:
            raise WalletCorruptedError("the wallet file is larger than any wallet.")
        return data

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
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)
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

    def write(self, wallet: WalletFile, checkpoint: Checkpoint | None = None) -> None:
        """Replace the wallet file atomically; call under :meth:`locked`.

        Raises:
            RecordTooLargeError: the file would be larger than any wallet.
            WalletAccessError: the directory is not writable or the disk is full;
                the previous file is left as it was.
        """
        self._remove_stale_temporaries()
        self.write_to(self.path, wallet, checkpoint)

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

    def write_to(
        self, target: Path, wallet: WalletFile, checkpoint: Checkpoint | None = None
    ) -> None:
        """Write a wallet-format file atomically (temporary file, fsync, rename).

        Raises:
            RecordTooLargeError: the file would be larger than
                :data:`MAX_WALLET_BYTES`; nothing is written.
            WalletAccessError: the directory is not writable or the disk is full;
                any previous file is left as it was.
        """
        data = wallet.to_bytes()
        if len(data) > MAX_WALLET_BYTES:
            raise RecordTooLargeError(
                f"the wallet would be larger than {MAX_WALLET_BYTES} bytes; "
                "nothing was stored."
            )
        self.write_bytes_to(target, data, checkpoint)

    def write_bytes_to(
        self, target: Path, data: bytes, checkpoint: Checkpoint | None = None
    ) -> None:
        """Write bytes to ``target`` atomically, with mode 0600 whatever the umask.

        ``checkpoint`` is called with ``temporary-written`` (fsynced, not yet
        renamed) and ``renamed`` (renamed, directory not yet fsynced).

        Raises:
            WalletAccessError: the directory is not writable or the disk is full;
                any previous file is left as it was.
        """
        directory = target.parent
        temporary = directory / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}"
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                # A umask such as 0o277 narrows the mode given to open; set it.
                # File systems without modes (FAT) may refuse: nothing to set.
                with contextlib.suppress(OSError):
                    os.fchmod(fd, 0o600)
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            if checkpoint is not None:
                checkpoint("temporary-written")
            os.replace(temporary, target)
            if checkpoint is not None:
                checkpoint("renamed")
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
