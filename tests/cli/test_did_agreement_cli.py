"""Key-agreement keys through ``agora did show``, ``did update
--new-agreement-key`` and ``did rotate``, in text and ``--json``.

Spec: docs/cli.md (did show), docs/did-agora.md (Key agreement)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ssi.wallet import create_agora_did
from tests.unit.wallet.helpers import PASSPHRASE, new_wallet
from wallet_cli.app import app

runner = CliRunner()


def agora(home: Path, *args: str) -> Any:
    return runner.invoke(
        app,
        list(args),
        env={
            "AGORA_HOME": str(home),
            "AGORA_PASSPHRASE": PASSPHRASE,
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "FORCE_COLOR": None,
            "TTY_COMPATIBLE": None,
        },
    )


def ok(result: Any) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return str(result.stdout)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    wallet = new_wallet(tmp_path / "home")
    create_agora_did(wallet, alias="me")
    wallet.create_did(alias="plain")
    return tmp_path / "home"


def test_show_lists_the_key_agreement_key(home: Path):
    body = json.loads(ok(agora(home, "did", "show", "me", "--json")))
    did = body["did"]
    [key] = body["keyAgreement"]
    assert key["id"] == did + "#agreement-1"
    assert key["current"] is True
    assert key["publicKeyMultibase"].startswith("z6LS")
    assert body["didDocument"]["keyAgreement"] == [did + "#agreement-1"]
    text = ok(agora(home, "did", "show", "me"))
    assert "key agreement" in text
    assert key["publicKeyMultibase"] in text

    plain = json.loads(ok(agora(home, "did", "show", "plain", "--json")))
    [derived] = plain["keyAgreement"]
    assert derived["id"] == f"{plain['did']}#{derived['publicKeyMultibase']}"
    assert plain["didDocument"]["keyAgreement"] == [derived["id"]]


def test_rotate_and_update_replace_it_and_show_keeps_the_old_one(home: Path):
    rotated = json.loads(ok(agora(home, "did", "rotate", "me", "--json")))
    # Only the signing key is reported as rotated out: agreement keys sign nothing.
    assert rotated["rotatedOutKeys"] == ["#key-1"]
    ok(agora(home, "did", "update", "me", "--new-agreement-key"))
    body = json.loads(ok(agora(home, "did", "show", "me", "--json")))
    kinds = [(k["id"].rsplit("#")[1], k["current"]) for k in body["keyAgreement"]]
    assert kinds == [
        ("agreement-3", True),
        ("agreement-2", False),
        ("agreement-1", False),
    ]
    text = ok(agora(home, "did", "show", "me"))
    assert text.count("earlier key agreement") == 2
