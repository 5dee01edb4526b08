"""``agora contact``: name other people's DIDs (petnames)."""

from __future__ import annotations

from typing import Annotated

import typer

from ssi.wallet import add_contact, contacts, remove_contact
from wallet_cli import session
from wallet_cli.commands.credential import JsonOption
from wallet_cli.output import Output

__all__ = ["app"]

app = typer.Typer(
    help="Contacts: your own names (petnames) for other people's DIDs.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="Your name for them: 1 to 64 characters, not starting with "
            "'did:', no control characters.",
        ),
    ],
    did: Annotated[str, typer.Argument(metavar="DID", help="Their DID.")],
    json_mode: JsonOption = False,
) -> None:
    """Add a contact: a name of your choosing for someone's DID.

    Two contacts cannot share a name (in any case) or a DID. From then on,
    wherever agora shows that DID it shows the name next to it.

    Example: agora contact add "Ada Lovelace" did:key:z6MkhaXgBZDvotDkL5257fa...
    """
    out = Output(json_mode=json_mode)
    record = add_contact(session.from_context(ctx).open(), name, did)
    if json_mode:
        out.json(record.to_json())
        return
    out.panel("contact added", [("name", record.name), ("DID", record.did)])


@app.command("list")
def list_contacts(ctx: typer.Context, json_mode: JsonOption = False) -> None:
    """List your contacts, in the order added.

    Example: agora contact list
    """
    out = Output(json_mode=json_mode)
    records = contacts(session.from_context(ctx).open())
    if json_mode:
        out.json({"items": [record.to_json() for record in records]})
        return
    if not records:
        out.line("No contacts yet; add one with: agora contact add NAME DID")
        return
    out.table(
        "Contacts",
        ["name", "DID", "added"],
        [[r.name, r.did, r.added] for r in records],
    )


@app.command()
def remove(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(metavar="NAME|DID", help="The contact's name (or DID)."),
    ],
    json_mode: JsonOption = False,
) -> None:
    """Remove a contact (exit 1 if there is none of that name).

    Example: agora contact remove "Ada Lovelace"
    """
    out = Output(json_mode=json_mode)
    record = remove_contact(session.from_context(ctx).open(), name)
    if json_mode:
        out.json({"removed": record.to_json()})
        return
    out.line(f"Removed the contact {record.name} ({record.did})")
