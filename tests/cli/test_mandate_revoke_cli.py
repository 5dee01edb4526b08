"""``agora community revoke`` revokes a moderator mandate by its credential
id, as it does a membership; a mandate cannot be suspended."""

from __future__ import annotations

from datetime import UTC, datetime

from ssi.cid import object_cid
from ssi.wallet import Wallet, issue_mandate
from tests.cli.helpers import PASSPHRASE, as_json, environment, run


def test_a_mandate_is_revoked_from_the_command_line(tmp_path):
    home = tmp_path / "wallet"
    env = environment(home)
    assert run("init", "--kdf-profile", "test", env=env).returncode == 0
    created = run("community", "create", "Engines", "--alias", "engines", env=env)
    assert created.returncode == 0, created.stderr
    wallet = Wallet.open(home, PASSPHRASE)
    mandates = [
        issue_mandate(
            wallet,
            "engines",
            moderator,
            election=object_cid({"an election tally": 1}),
            valid_from=datetime(2020, 1, 1, tzinfo=UTC),
            valid_until=datetime(2200, 1, 1, tzinfo=UTC),
        )
        for moderator in ("did:example:mona", "did:example:max")
    ]
    first, second = (m["id"] for m in mandates)
    suspended = run("community", "revoke", "engines", first, "--suspend", env=env)
    assert suspended.returncode == 2
    assert "recordConflict" in suspended.stderr
    assert "mandate" in suspended.stderr
    text = run("community", "revoke", "engines", first, env=env)
    assert text.returncode == 0, text.stderr
    assert "mandate revoked" in text.stdout
    assert "did:example:mona" in text.stdout
    row = as_json(run("community", "revoke", "engines", second, "--json", env=env))
    assert (row["credentialId"], row["status"]) == (second, "revoked")
    assert row["moderator"] == "did:example:max"
    roster = as_json(run("community", "members", "engines", "--json", env=env))
    assert [m["status"] for m in roster["mandates"]] == ["revoked", "revoked"]
