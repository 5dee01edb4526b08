"""A schema 1 wallet migrated by a process killed (SIGKILL) at each step.

The worker (``python -m tests.wallet.worker migrate HOME STEP``) opens the
schema 1 fixture wallet and stops for good at STEP; the test kills it there
and checks that the wallet left behind is the old schema 1 file or the new
schema 2 file, and that either opens with every record (migrating then if it
was still schema 1).

Spec: docs/wallet.md (Migration from schema 1),
https://man7.org/linux/man-pages/man2/rename.2.html
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssi.wallet import SCHEMA1_BACKUP, Wallet
from tests.unit.wallet.helpers import (
    PASSPHRASE,
    install_schema1_wallet,
    mode,
    schema1_content_problems,
)
from tests.wallet.test_processes import Child

# (step, the schema of wallet.json after the kill, whether the copy exists)
STEPS = [
    ("before-backup", 1, False),
    ("backup-writing", 1, False),
    ("backup-temporary-written", 1, False),
    ("backup-renamed", 1, True),
    ("backup-written", 1, True),
    ("wallet-writing", 1, True),
    ("wallet-temporary-written", 1, True),
    ("wallet-renamed", 2, True),
    ("done", 2, True),
]


@pytest.fixture
def workers() -> Iterator[list[Child]]:
    """The workers a test starts; any still running at the end is killed."""
    started: list[Child] = []
    yield started
    for child in started:
        if child.process.poll() is None:
            child.kill()


def _schema(home: Path) -> int:
    schema: int = json.loads((home / "wallet.json").read_bytes())["schema"]
    return schema


@pytest.mark.parametrize(("step", "schema", "copied"), STEPS, ids=[s[0] for s in STEPS])
def test_a_migration_killed_at_each_step_leaves_a_whole_wallet(
    tmp_path: Path, workers: list[Child], step: str, schema: int, copied: bool
):
    home = tmp_path / "agora"
    original = install_schema1_wallet(home)
    child = Child("migrate", home, step)
    workers.append(child)
    child.expect("ready")
    assert child.expect("at ") == f"at {step}"
    child.kill()

    assert _schema(home) == schema
    if schema == 1:
        assert (home / "wallet.json").read_bytes() == original
    copy = home / SCHEMA1_BACKUP
    assert copy.exists() == copied
    if copied:
        assert copy.read_bytes() == original
        assert mode(copy) == 0o600

    # Whatever was left opens with every record, and is schema 2 from then on.
    wallet = Wallet.open(home, PASSPHRASE)
    assert schema1_content_problems(wallet) == []
    assert _schema(home) == 2
    assert copy.read_bytes() == original
    assert mode(home / "wallet.json") == 0o600
    assert schema1_content_problems(Wallet.open(home, PASSPHRASE)) == []
