"""``agora community``: create communities, admit and revoke members, publish
their status lists."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ssi.datetimes import parse_date_time
from ssi.errors import MalformedValueError
from ssi.wallet import (
    CommunityRecord,
    admit_member,
    community,
    create_community,
    set_member_status,
    status_list_credentials,
)
from wallet_cli import session
from wallet_cli.commands.credential import JsonOption, OutOption, emit, write_output
from wallet_cli.errors import UsageError
from wallet_cli.output import Output

__all__ = ["app"]

app = typer.Typer(
    help="Communities: admit members with credentials, revoke them, publish "
    "status lists.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

CommunityArgument = Annotated[
    str, typer.Argument(metavar="COMMUNITY", help="The community's DID or alias.")
]


def _rows(record: CommunityRecord) -> list[tuple[str, str]]:
    rows = [("name", record.name), ("DID", record.did)]
    if record.alias:
        rows.append(("alias", record.alias))
    for purpose, url in record.lists.items():
        rows.append((f"{purpose} list", url))
    rows.append(("members", str(len(record.members))))
    return rows


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The community's display name.")],
    alias: Annotated[
        str | None, typer.Option("--alias", metavar="A", help="A short name.")
    ] = None,
    status_url: Annotated[
        str | None,
        typer.Option(
            "--status-url",
            metavar="URL",
            help="Base URL where the status lists will be published "
            "(default: each list is named by a urn:uuid and shared as a file).",
        ),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Create a community: a did:agora DID with revocation and suspension lists.

    Example: agora community create "Analytical Engines" --alias engines
    """
    out = Output(json_mode=json_mode)
    if not name.strip():
        raise UsageError("unusableInput", "a community needs a name.")
    wallet = session.from_context(ctx).open()
    record = create_community(wallet, name, alias=alias, status_url=status_url)
    if json_mode:
        out.json(record.to_json())
        return
    out.panel("community created", _rows(record))


@app.command()
def admit(
    ctx: typer.Context,
    reference: CommunityArgument,
    member: Annotated[
        str, typer.Argument(metavar="MEMBER_DID", help="The new member.")
    ],
    role: Annotated[str, typer.Option("--role", help="The member's role.")] = "member",
    valid_until: Annotated[
        str | None,
        typer.Option("--valid-until", metavar="T", help="When the membership ends."),
    ] = None,
    out_file: OutOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Issue a membership credential (with status entries) and add the member
    to the roster. Prints the credential, or writes it to --out.

    Example: agora community admit engines did:key:z6Mk... --role member --out ada.json
    """
    out = Output(json_mode=json_mode)
    until: datetime | None = None
    if valid_until is not None:
        try:
            until = parse_date_time(
                valid_until, require_timezone=True, path="--valid-until"
            )
        except MalformedValueError as exc:
            raise UsageError("unusableInput", exc.detail) from exc
    wallet = session.from_context(ctx).open()
    signed = admit_member(wallet, reference, member, role=role, valid_until=until)
    rows = [("credential", str(signed["id"])), ("member", member), ("role", role)]
    emit(out, signed, out_file, "member admitted", rows)


@app.command()
def revoke(
    ctx: typer.Context,
    reference: CommunityArgument,
    credential_id: Annotated[
        str, typer.Argument(metavar="CREDENTIAL_ID", help="The membership's id.")
    ],
    suspend: Annotated[
        bool, typer.Option("--suspend", help="Suspend instead (reversible).")
    ] = False,
    reinstate: Annotated[
        bool, typer.Option("--reinstate", help="Lift a suspension.")
    ] = False,
    json_mode: JsonOption = False,
) -> None:
    """Revoke a membership for good, or --suspend / --reinstate it; the status
    list it changes is re-signed.

    Example: agora community revoke engines urn:uuid:... --suspend
    """
    out = Output(json_mode=json_mode)
    if suspend and reinstate:
        raise UsageError("unusableInput", "give --suspend or --reinstate, not both.")
    action = "suspend" if suspend else "reinstate" if reinstate else "revoke"
    wallet = session.from_context(ctx).open()
    entry = set_member_status(wallet, reference, credential_id, action)
    if json_mode:
        out.json(entry)
        return
    out.panel(
        f"membership {entry['status']}",
        [("credential", credential_id), ("member", str(entry["member"]))],
    )


@app.command()
def members(
    ctx: typer.Context, reference: CommunityArgument, json_mode: JsonOption = False
) -> None:
    """List the memberships the community issued, with their status.

    Example: agora community members engines
    """
    out = Output(json_mode=json_mode)
    record = community(session.from_context(ctx).open(), reference)
    if json_mode:
        out.json(record.to_json())
        return
    out.table(
        f"{record.name} ({record.did})",
        ["credential", "member", "role", "status"],
        [
            [str(m["credentialId"]), str(m["member"]), str(m["role"]), str(m["status"])]
            for m in record.members
        ],
    )


@app.command("status-list")
def status_list(
    ctx: typer.Context,
    reference: CommunityArgument,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write the revocation list to FILE and the suspension list to "
            "FILE with '-suspension' before its suffix.",
        ),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Write the community's current signed status lists, to publish.

    Example: agora community status-list engines --out engines-status.json
    """
    out = Output(json_mode=json_mode)
    lists = status_list_credentials(session.from_context(ctx).open(), reference)
    if out_file is None:
        out.json(lists)
        return
    suspension = out_file.with_name(f"{out_file.stem}-suspension{out_file.suffix}")
    for path, document in (
        (out_file, lists["revocation"]),
        (suspension, lists["suspension"]),
    ):
        write_output(path, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
    if json_mode:
        out.json({"revocation": str(out_file), "suspension": str(suspension)})
        return
    out.panel(
        "status lists written",
        [("revocation", str(out_file)), ("suspension", str(suspension))],
    )
