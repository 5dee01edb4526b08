"""``agora contact`` (add, list, remove) in text and ``--json``, and petnames
shown next to DIDs by the commands that open the wallet (``vc show``,
``vc list``, ``community members``).

Spec: docs/cli.md (Contacts and petnames)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ssi.wallet import Wallet, add_contact, create_community
from tests.cli.helpers import json_error, one_error
from tests.unit.wallet.helpers import (
    ISSUER,
    PASSPHRASE,
    SUBJECT,
    credential,
    new_wallet,
)
from wallet_cli.app import app
from wallet_cli.output import Output
from wallet_cli.petnames import Petnames

runner = CliRunner()
ADA = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


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
    new_wallet(tmp_path / "home")
    return tmp_path / "home"


def test_add_list_remove_in_text(home: Path):
    added = ok(agora(home, "contact", "add", "Ada Lovelace", ADA))
    assert "contact added" in added
    assert "Ada Lovelace" in added
    assert ADA in added
    listed = ok(agora(home, "contact", "list"))
    assert "Contacts" in listed
    assert "Ada Lovelace" in listed
    assert ADA in listed
    removed = ok(agora(home, "contact", "remove", "ada lovelace"))
    assert removed.strip() == f"Removed the contact Ada Lovelace ({ADA})"
    empty = ok(agora(home, "contact", "list"))
    assert "No contacts yet" in empty


def test_add_list_remove_in_json(home: Path):
    added = json.loads(ok(agora(home, "contact", "add", "Ada", ADA, "--json")))
    assert added["name"] == "Ada"
    assert added["did"] == ADA
    assert set(added) == {"name", "did", "added"}
    listed = json.loads(ok(agora(home, "--json", "contact", "list")))
    assert listed == {"items": [added]}
    removed = json.loads(ok(agora(home, "contact", "remove", ADA, "--json")))
    assert removed == {"removed": added}
    assert json.loads(ok(agora(home, "contact", "list", "--json"))) == {"items": []}


def test_refusals_have_codes_and_exit_codes(home: Path):
    ok(agora(home, "contact", "add", "Ada", ADA))
    one_error(
        agora(home, "contact", "add", "did:key:z6Mkx", "did:example:x"),
        "petnameLooksLikeDid",
        2,
    )
    one_error(
        agora(home, "contact", "add", "ADA", "did:example:x"), "recordConflict", 2
    )
    one_error(agora(home, "contact", "add", "Bee", ADA), "recordConflict", 2)
    one_error(agora(home, "contact", "add", "Bee", "bee"), "invalidDid", 2)
    one_error(
        agora(home, "contact", "add", "x" * 65, "did:example:x"), "petnameTooLong", 2
    )
    line = one_error(
        agora(home, "contact", "add", "Eve\x1b[2J", "did:example:x"),
        "petnameControlCharacter",
        2,
    )
    assert "\x1b" not in line
    one_error(agora(home, "contact", "remove", "Nobody"), "recordNotFound", 1)
    problem = json_error(
        agora(home, "contact", "add", "", "did:example:x", "--json"), "emptyPetname"
    )
    assert "urn:agora:error:emptyPetname" in problem


def test_help_has_an_example(home: Path):
    for command in ("add", "list", "remove"):
        assert "Example: agora contact" in ok(agora(home, "contact", command, "--help"))


# --- Petnames next to DIDs ------------------------------------------------------------


def test_petnames_render_contacts_own_dids_and_strangers():
    names = Petnames(contacts={ADA: "Ada"}, own={"did:example:me": "me"}, known=True)
    assert names.show(ADA) == f"Ada ({ADA})"
    assert names.show(f"{ADA}#key-1") == f"Ada ({ADA}#key-1)"
    assert names.show("did:example:me") == "me (did:example:me, own DID)"
    assert Petnames(own={"did:example:me": None}).show("did:example:me") == (
        "did:example:me (own DID)"
    )
    assert names.show("did:example:eve") == "did:example:eve (not a contact)"
    assert names.show("https://issuer.example") == "https://issuer.example"
    assert names.names_for([ADA, "did:example:eve"]) == {ADA: "Ada"}
    # Without a wallet read, nobody can be said not to be a contact.
    assert Petnames().show("did:example:eve") == "did:example:eve"


def stored(home: Path) -> str:
    wallet = Wallet.open(home, PASSPHRASE)
    record = wallet.store_credential(credential(1))
    return record.id


def test_vc_show_marks_a_stranger_then_names_a_contact(home: Path):
    credential_id = stored(home)
    before = ok(agora(home, "vc", "show", credential_id))
    assert f"{ISSUER} (not a contact)" in before
    assert f"{SUBJECT} (not a contact)" in before
    ok(agora(home, "contact", "add", "[bold]Issuer[/bold]", ISSUER))
    after = ok(agora(home, "vc", "show", credential_id))
    assert f"[bold]Issuer[/bold] ({ISSUER})" in after
    assert f"{SUBJECT} (not a contact)" in after
    body = json.loads(ok(agora(home, "vc", "show", credential_id, "--json")))
    assert body["petnames"] == {ISSUER: "[bold]Issuer[/bold]"}
    assert body["issuer"] == ISSUER


def test_vc_list_shows_petnames(home: Path):
    stored(home)
    ok(agora(home, "contact", "add", "The issuer", ISSUER))
    listed = ok(agora(home, "vc", "list"))
    assert f"The issuer ({ISSUER})" in listed
    body = json.loads(ok(agora(home, "vc", "list", "--json")))
    assert body["petnames"] == {ISSUER: "The issuer"}
    assert [item["issuer"] for item in body["items"]] == [ISSUER]


def test_a_hostile_did_and_name_are_escaped_when_shown(capsys):
    hostile = "did:example:\x1b[31mred\u202e"
    names = Petnames(contacts={"did:example:x": "[bold]X[/bold]"}, known=True)
    out = Output()
    out.line(names.show(hostile))
    out.line(names.show("did:example:x"))
    shown = capsys.readouterr().out.splitlines()
    assert shown == [
        "did:example:\\x1b[31mred\\u202e (not a contact)",
        "[bold]X[/bold] (did:example:x)",
    ]


def test_community_members_show_petnames(home: Path):
    wallet = Wallet.open(home, PASSPHRASE)
    created = create_community(wallet, "Engines", alias="engines")
    ok(agora(home, "community", "admit", "engines", ADA))
    ok(agora(home, "community", "admit", "engines", "did:example:eve"))
    add_contact(wallet, "Ada", ADA)
    shown = ok(agora(home, "community", "members", "engines"))
    assert f"Ada ({ADA})" in shown
    assert "did:example:eve (not a contact)" in shown
    body = json.loads(ok(agora(home, "community", "members", created.did, "--json")))
    assert body["petnames"] == {ADA: "Ada"}
    assert [m["member"] for m in body["items"]] == [ADA, "did:example:eve"]
