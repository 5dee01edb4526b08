"""Fixtures for the wallet tests: a wallet home and a fresh wallet in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssi.wallet import Wallet
from ssi.wallet import storage as storage_module
from tests.unit.wallet.helpers import OSStandIn, new_wallet


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A wallet directory that does not exist yet."""
    return tmp_path / "agora"


@pytest.fixture
def wallet(home: Path) -> Wallet:
    """A new, empty wallet (cheap KDF profile)."""
    return new_wallet(home)


@pytest.fixture
def storage_os(monkeypatch: pytest.MonkeyPatch) -> OSStandIn:
    """The ``os`` module as ``ssi.wallet.storage`` sees it, ready to break."""
    stand_in = OSStandIn()
    monkeypatch.setattr(storage_module, "os", stand_in)
    return stand_in
