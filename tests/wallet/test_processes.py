"""Several processes on one wallet: concurrent writers, a reader, and kills.

The children are ``python -m tests.wallet.worker`` processes (see there); the
wallet uses the cheap ``test`` KDF profile so that each run takes seconds.

Spec: https://man7.org/linux/man-pages/man2/flock.2.html (the writers' lock),
https://man7.org/linux/man-pages/man2/rename.2.html (the atomic replacement)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssi.types import JsonObject
from ssi.wallet import Wallet
from ssi.wallet.storage import STALE_TEMPORARY_SECONDS
from tests.unit.wallet.helpers import (
    PASSPHRASE,
    credential,
    new_wallet,
    snapshot,
    temporary_files,
)

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120.0


class Child:
    """A worker process whose output is read line by line."""

    def __init__(self, *args: object) -> None:
        environment = dict(os.environ, AGORA_TEST_PASSPHRASE=PASSPHRASE)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.wallet.worker", *map(str, args)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def expect(self, prefix: str) -> str:
        """Read lines until one starts with ``prefix``; return it."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(prefix):
                return line.strip()
        self.process.wait(TIMEOUT)
        assert self.process.stderr is not None
        pytest.fail(f"worker ended without {prefix!r}: {self.process.stderr.read()}")

    def finish(self) -> list[str]:
        """Wait for a clean exit; return the rest of the output."""
        out, err = self.process.communicate(timeout=TIMEOUT)
        assert self.process.returncode == 0, err
        return out.splitlines()

    def kill(self) -> None:
        """SIGKILL the worker and reap it."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.communicate(timeout=TIMEOUT)


@pytest.fixture
def children() -> Iterator[list[Child]]:
    """The workers a test starts; any still running at the end is killed."""
    started: list[Child] = []
    yield started
    for child in started:
        if child.process.poll() is None:
            child.kill()


def _write(path: Path, credentials: list[JsonObject]) -> Path:
    path.write_text(json.dumps(credentials))
    return path


def _stored(home: Path) -> dict[str, JsonObject]:
    wallet = Wallet.open(home, PASSPHRASE)
    return {record.id: record.credential for record in wallet.credentials()}


# --- Concurrent writers and a reader --------------------------------------------------


def test_two_writers_and_a_reader(tmp_path: Path, children: list[Child]):
    home = tmp_path / "agora"
    new_wallet(home)
    first = [credential(1000 + n) for n in range(100)]
    second = [credential(2000 + n) for n in range(100)]
    go, stop = tmp_path / "go", tmp_path / "stop"
    everything = first + second
    all_file = _write(tmp_path / "all.json", everything)

    writers = [
        Child("store", home, _write(tmp_path / "a.json", first), go),
        Child("store", home, _write(tmp_path / "b.json", second), go),
    ]
    reader = Child("read", home, all_file, go, stop)
    children.extend([*writers, reader])
    for child in children:
        child.expect("ready")
    go.touch()  # both writers start together
    for writer in writers:
        assert writer.finish()[-1] == "done 100"
    stop.touch()
    seen = json.loads(reader.finish()[-1])

    stored = _stored(home)
    assert len(stored) == 200
    assert stored == {c["id"]: c for c in everything}
    first_ids = {c["id"] for c in first}
    order = "".join("a" if key in first_ids else "b" for key in stored)
    assert "ab" in order, "the writers did not overlap"
    assert "ba" in order, "the writers did not overlap"
    assert temporary_files(home) == []
    assert seen["errors"] == []
    counts = seen["counts"]
    assert counts == sorted(counts)  # nothing stored ever went missing
    assert len(set(counts)) > 1  # the reader did read while the writers wrote
    assert all(0 <= count <= 200 for count in counts)


# --- Writers killed mid-write ---------------------------------------------------------


@pytest.fixture(scope="module")
def pool() -> list[JsonObject]:
    """Credentials for the writers that get killed (distinct ids)."""
    return [credential(5000 + n) for n in range(800)]


def _check_after_kill(
    home: Path, pool: list[JsonObject], previous: int
) -> dict[str, JsonObject]:
    stored = _stored(home)
    expected = {c["id"]: c for c in pool}
    for credential_id, stored_credential in stored.items():
        assert stored_credential == expected[credential_id], credential_id
    # Credentials go in in pool order: what is stored is a prefix of it.
    assert list(stored) == [c["id"] for c in pool[: len(stored)]]
    assert len(stored) >= previous
    return stored


def test_a_writer_killed_at_any_time_loses_nothing(
    tmp_path: Path, pool: list[JsonObject], children: list[Child]
):
    home = tmp_path / "agora"
    new_wallet(home)
    count = 0
    for index in range(8):
        remaining = _write(tmp_path / f"batch{index}.json", pool[count:])
        child = Child("store", home, remaining)
        children.append(child)
        child.expect("ready")
        time.sleep(0.05 * index)
        child.kill()
        count = len(_check_after_kill(home, pool, count))
    assert 0 < count < len(pool)
    # Whatever the kills left behind, the next write goes through, and once
    # the leftovers are stale the next write removes them.
    wallet = Wallet.open(home, PASSPHRASE)
    wallet.store_credential(pool[count])
    assert len(_check_after_kill(home, pool, count + 1)) == count + 1
    for name in temporary_files(home):
        old = time.time() - STALE_TEMPORARY_SECONDS - 1
        os.utime(home / name, (old, old))
    wallet.store_credential(pool[count + 1])
    assert temporary_files(home) == []
    assert len(_check_after_kill(home, pool, count + 2)) == count + 2


@pytest.mark.parametrize(
    ("stage", "lands"),
    [("write", False), ("fsync", False), ("replace", False), ("sync-directory", True)],
)
def test_a_writer_killed_at_each_stage_of_a_write(
    tmp_path: Path,
    pool: list[JsonObject],
    children: list[Child],
    stage: str,
    lands: bool,
):
    home = tmp_path / "agora"
    wallet = new_wallet(home)
    for item in pool[:3]:
        wallet.store_credential(item)
    before = snapshot(home, directory_times=False)

    child = Child("pause", home, _write(tmp_path / "rest.json", pool[3:]), stage)
    children.append(child)
    child.expect("ready")
    assert child.expect("at ") == f"at {stage}"
    child.kill()

    stored = _check_after_kill(home, pool, 3)
    assert len(stored) == (4 if lands else 3)
    leftovers = temporary_files(home)
    if lands:
        assert leftovers == []
    else:
        # The dead writer's temporary file stays; the wallet is untouched.
        assert len(leftovers) == 1
        after = snapshot(home, directory_times=False)
        after.pop(leftovers[0])
        assert after == before

    # The leftover is never read as the wallet, and does not stop the next
    # writer; once stale, that writer removes it.
    wallet = Wallet.open(home, PASSPHRASE)
    wallet.store_credential(pool[len(stored)])
    assert temporary_files(home) == leftovers
    for name in leftovers:
        old = time.time() - STALE_TEMPORARY_SECONDS - 1
        os.utime(home / name, (old, old))
    wallet.store_credential(pool[len(stored) + 1])
    assert temporary_files(home) == []
    assert len(_check_after_kill(home, pool, len(stored) + 2)) == len(stored) + 2


def test_a_writer_killed_while_waiting_for_the_lock_changes_nothing(
    tmp_path: Path, pool: list[JsonObject], children: list[Child]
):
    home = tmp_path / "agora"
    new_wallet(home)
    holder = Child("pause", home, _write(tmp_path / "one.json", pool[:1]), "fsync")
    children.append(holder)
    holder.expect("at fsync")  # holds the lock from here on
    waiter = Child("store", home, _write(tmp_path / "two.json", pool[1:2]))
    children.append(waiter)
    waiter.expect("ready")
    time.sleep(0.2)
    assert waiter.process.poll() is None  # blocked on the lock
    waiter.kill()
    holder.kill()  # the kernel releases a dead process's lock
    assert _stored(home) == {}
    Wallet.open(home, PASSPHRASE).store_credential(pool[0])
    assert len(_stored(home)) == 1


# --- A real write failure, root or not ------------------------------------------------


def test_a_file_size_limit_fails_the_write_and_changes_nothing(
    tmp_path: Path, pool: list[JsonObject], children: list[Child]
):
    # RLIMIT_FSIZE makes the kernel refuse the write (EFBIG) even for root,
    # which ignores permission bits: a real failure, not an injected one.
    home = tmp_path / "agora"
    wallet = new_wallet(home)
    for item in pool[:3]:
        wallet.store_credential(item)
    size = (home / "wallet.json").stat().st_size
    before = snapshot(home, directory_times=False)
    child = Child("limited", home, _write(tmp_path / "one.json", pool[3:4]), size // 2)
    children.append(child)
    outcome = json.loads(child.finish()[-1])
    assert outcome["error"] == "WalletAccessError"
    assert "File too large" in outcome["detail"]
    assert snapshot(home, directory_times=False) == before
    assert temporary_files(home) == []
    assert len(_stored(home)) == 3
