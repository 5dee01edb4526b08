"""A wallet client for the multi-process tests: ``python -m tests.wallet.worker``.

Commands (the passphrase comes from ``AGORA_TEST_PASSPHRASE``)::

    store HOME CREDENTIALS [GO_FILE]   store each credential of a JSON list;
                                       with GO_FILE, wait for it to exist first
    pause HOME CREDENTIALS STAGE       store, but stop for good at STAGE of the
                                       first write (write, fsync, replace,
                                       sync-directory), to be killed there
    read HOME CREDENTIALS GO STOP      list credentials in a loop from GO until
                                       STOP exists; check each against the list
    limited HOME CREDENTIALS BYTES     store one credential with the file size
                                       limit (RLIMIT_FSIZE) set to BYTES
    migrate HOME STEP                  open (and so migrate) a schema 1 wallet,
                                       stopping for good at STEP of the
                                       migration (a checkpoint name, or
                                       backup-writing / wallet-writing: half
                                       of that temporary file written)

Every command prints ``ready`` once the wallet is open, progress lines after,
and flushes each line so the parent can act on it at once.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ssi.errors import SSIError
from ssi.types import JsonObject
from ssi.wallet import Wallet
from ssi.wallet import migration as migration_module
from ssi.wallet import storage as storage_module
from tests.unit.wallet.helpers import OSStandIn


def say(*parts: object) -> None:
    print(*parts, flush=True)


def wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(0.002)


def load(path: str) -> list[JsonObject]:
    credentials: list[JsonObject] = json.loads(Path(path).read_text())
    return credentials


def store(wallet: Wallet, credentials: list[JsonObject]) -> None:
    for number, credential in enumerate(credentials, 1):
        wallet.store_credential(credential)
        say("stored", number)
    say("done", len(credentials))


def hang(stage: str) -> None:
    say("at", stage)
    while True:
        time.sleep(60)


def pause_at(stage: str) -> None:
    """Make the first wallet write stop for good at ``stage``."""
    stand_in = OSStandIn()
    vars(storage_module)["os"] = stand_in

    def write(fd: int, data: Any) -> int:
        half = os.write(fd, bytes(data)[: len(data) // 2])
        hang("write")
        return half

    def fsync(fd: int) -> None:
        hang("fsync")

    def replace(source: Any, target: Any) -> None:
        hang("replace")

    if stage == "sync-directory":

        def sync_directory(directory: Path) -> None:
            hang("sync-directory")

        vars(storage_module)["_sync_directory"] = sync_directory
    else:
        handlers: dict[str, Callable[..., Any]] = {
            "write": write,
            "fsync": fsync,
            "replace": replace,
        }
        stand_in.overrides[stage] = handlers[stage]


def read(wallet: Wallet, expected: list[JsonObject], go: Path, stop: Path) -> None:
    by_id = {credential["id"]: credential for credential in expected}
    counts: list[int] = []
    errors: list[str] = []
    wait_for(go)
    while not stop.exists():
        try:
            fresh = Wallet.open(wallet.home, os.environ["AGORA_TEST_PASSPHRASE"])
            records = fresh.credentials()
            for record in records:
                if by_id.get(record.id) != record.credential:
                    errors.append(f"credential {record.id} differs")
            counts.append(len(records))
            counts.append(len(wallet.credentials()))
        except SSIError as error:
            errors.append(f"{type(error).__name__}: {error}")
    say(json.dumps({"counts": counts, "errors": errors}))


def limited(wallet: Wallet, credential: JsonObject, limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        wallet.store_credential(credential)
    except SSIError as error:
        say(json.dumps({"error": type(error).__name__, "detail": str(error)}))
    else:
        say(json.dumps({"error": None}))


def half_write_then_hang(stage: str) -> None:
    """Make the next file write stop for good once half of it is written."""
    stand_in = OSStandIn()
    vars(storage_module)["os"] = stand_in

    def write(fd: int, data: Any) -> int:
        half = os.write(fd, bytes(data)[: len(data) // 2])
        os.fsync(fd)
        hang(stage)
        return half

    stand_in.overrides["write"] = write


def migrate_until(home: Path, step: str) -> None:
    starts = {"backup-writing": "before-backup", "wallet-writing": "backup-written"}

    def checkpoint(name: str) -> None:
        if starts.get(step) == name:
            half_write_then_hang(step)
        elif name == step:
            hang(step)

    vars(migration_module)["checkpoint"] = checkpoint
    say("ready")
    Wallet.open(home, os.environ["AGORA_TEST_PASSPHRASE"])
    say("done")


def main(argv: list[str]) -> None:
    if argv[0] == "migrate":
        migrate_until(Path(argv[1]), argv[2])
        return
    command, home, credentials_file, *rest = argv
    credentials = load(credentials_file)
    wallet = Wallet.open(Path(home), os.environ["AGORA_TEST_PASSPHRASE"])
    wallet.credentials()
    if command == "pause":
        pause_at(rest[0])
    say("ready")
    if command in ("store", "pause"):
        if command == "store" and rest:
            wait_for(Path(rest[0]))
        store(wallet, credentials)
    elif command == "read":
        read(wallet, credentials, Path(rest[0]), Path(rest[1]))
    elif command == "limited":
        limited(wallet, credentials[0], int(rest[0]))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
