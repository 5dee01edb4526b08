"""``agora community``: create and list communities, admit and revoke members,
publish their status lists; stewards of a community controlled by m of n make
their keys, create it together and cosign its entries and credentials."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ssi.agora import Steward
from ssi.datetimes import parse_date_time
from ssi.errors import MalformedValueError, RecordConflictError, RecordNotFoundError
from ssi.types import JsonObject
from ssi.wallet import (
    CommunityRecord,
    StewardRecord,
    Wallet,
    admit_member,
    community,
    community_entry,
    cosign_credential,
    cosign_entry,
    create_community,
    create_steward,
    next_package,
    reconfigure_community,
    rotate_steward,
    set_member_status,
    status_list_credentials,
    steward,
)
from ssi.wallet.stewardship import community_threshold, proof_count
from wallet_cli import session
from wallet_cli.commands.credential import (
    ForceOption,
    JsonOption,
    OutOption,
    check_out_file,
    emit,
    write_output,
)
from wallet_cli.commands.inputs import read_json
from wallet_cli.errors import UsageError
from wallet_cli.output import Output
from wallet_cli.petnames import Petnames

__all__ = ["app"]

app = typer.Typer(
    help="Communities: admit members with credentials, revoke them, publish "
    "status lists.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

CommunityArgument = Annotated[
    str, typer.Argument(metavar="DID|ALIAS", help="The community's DID or alias.")
]

COMMUNITY_KIND = "community"
"""The wallet record kind of communities (see ssi.wallet.community)."""


StewardOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        metavar="STEWARD",
        help="The wallet's steward (made with 'agora community steward-key').",
    ),
]


def _rows(record: CommunityRecord) -> list[tuple[str, str]]:
    rows = [("name", record.name), ("DID", record.did)]
    if record.alias:
        rows.append(("alias", record.alias))
    if record.steward is not None:
        rows.append(("threshold", str(record.threshold)))
        rows.append(("steward", record.steward))
    for purpose, url in record.lists.items():
        rows.append((f"{purpose} list", url))
    rows.append(("members", str(len(record.members))))
    return rows


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The community's display name.")
    ],
    alias: Annotated[
        str | None,
        typer.Option(
            "--alias",
            metavar="NAME",
            help="A short name (letters, digits, '.', '_', '-').",
        ),
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
    steward_files: Annotated[
        list[Path] | None,
        typer.Option(
            "--steward",
            metavar="FILE",
            help="A steward package (from 'agora community steward-key'); repeat "
            "for each other steward.",
        ),
    ] = None,
    threshold: Annotated[
        int | None,
        typer.Option(
            "--threshold",
            metavar="M",
            help="How many stewards must sign each entry and credential.",
        ),
    ] = None,
    as_steward: StewardOption = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="ENTRY",
            help="With stewards: write the first log entry, signed by --as, to "
            "ENTRY for the other stewards to cosign.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Create a community: a did:agora DID with revocation and suspension lists.

    With --steward, --threshold and --as, the DID is controlled by M of the
    stewards (the wallet's own steward --as and the packages given): its first
    entry is signed by --as and written to --out; each other steward adds a
    proof with 'agora community cosign ENTRY --as NAME' until M have signed.

    Example: agora community create "Analytical Engines" --alias engines

    Example: agora community create "Engines" --alias engines --as ada
    --steward bob.json --steward cy.json --threshold 2 --out engines-1.json
    """
    out = Output(json_mode=json_mode)
    if not name.strip():
        raise UsageError("unusableInput", "a community needs a name.")
    packages = [_package(path) for path in steward_files or []]
    threshold_mode = bool(packages) or threshold is not None or as_steward is not None
    if not threshold_mode:
        if out_file is not None:
            raise UsageError(
                "unusableInput",
                "--out writes a steward entry; give --as and --steward.",
            )
        wallet = session.from_context(ctx).open()
        record = create_community(wallet, name, alias=alias, status_url=status_url)
        if json_mode:
            out.json(record.to_json())
            return
        out.panel("community created", _rows(record))
        return
    if as_steward is None or threshold is None:
        raise UsageError(
            "unusableInput",
            "a community of stewards needs --as STEWARD and --threshold M.",
        )
    if not 1 <= threshold <= len(packages) + 1:
        raise UsageError(
            "unusableInput",
            f"--threshold must be from 1 to the number of stewards "
            f"({len(packages) + 1} with --as).",
        )
    check_out_file(out_file, force=force)
    wallet = session.from_context(ctx).open()
    try:
        record = create_community(
            wallet,
            name,
            alias=alias,
            status_url=status_url,
            steward=as_steward,
            stewards=packages,
            threshold=threshold,
        )
    except ValueError as exc:
        raise UsageError("unusableInput", f"{exc}.") from exc
    entry = community_entry(wallet, record.did)
    if out_file is not None:
        write_output(out_file, _entry_bytes(entry), force=force)
    if json_mode:
        body = record.to_json()
        body["entry"] = str(out_file) if out_file is not None else entry
        out.json(body)
        return
    if out_file is None:
        out.json(entry)
        return
    rows = [
        *_rows(record),
        ("proofs", f"{proof_count(entry)} of {threshold}"),
        ("entry written to", str(out_file)),
        ("next", f"agora community cosign {out_file} --as STEWARD"),
    ]
    out.panel("community created", rows)


def _package(path: Path) -> Steward:
    value = read_json(path, what="the steward package")
    try:
        return Steward.from_json(value)
    except MalformedValueError as exc:
        raise UsageError("unusableInput", f"{path}: {exc.detail}") from exc


def _entry_bytes(entry: JsonObject) -> bytes:
    # One line: the file is a JSON document and a one-entry JSON Lines log.
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")


@app.command("steward-key")
def steward_key(
    ctx: typer.Context,
    as_steward: Annotated[
        str,
        typer.Option(
            "--as",
            metavar="NAME",
            help="The steward's name in this wallet (letters, digits, '.', '_', '-').",
        ),
    ],
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write the package to FILE instead of printing it.",
            show_default=False,
        ),
    ] = None,
    next_keys: Annotated[
        bool,
        typer.Option(
            "--next",
            help="Print the package this steward will have after the next "
            "reconfiguration (its committed key revealed, a new one committed).",
        ),
    ] = False,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Make a steward's keys (update key, next update key, assertion key), kept
    in this wallet, and print the public package to give to the community's
    creator. Run again to print the same package.

    Example: agora community steward-key --as bob --out bob.json
    """
    out = Output(json_mode=json_mode)
    check_out_file(out_file, force=force)
    wallet = session.from_context(ctx).open()
    if next_keys:
        record = steward(wallet, as_steward)
        record = StewardRecord(
            record.name, next_package(wallet, as_steward), record.communities
        )
    else:
        try:
            record = steward(wallet, as_steward)
        except RecordNotFoundError:
            record = create_steward(wallet, as_steward)
    package = record.package.to_json()
    if out_file is None:
        out.json(package)
        return
    data = (json.dumps(package, indent=2) + "\n").encode("utf-8")
    write_output(out_file, data, force=force)
    if json_mode:
        out.json({"out": str(out_file), "steward": record.name, **package})
        return
    out.panel(
        "steward package",
        [
            ("steward", record.name),
            ("update key", record.package.update_key),
            ("next key hash", record.package.next_key_hash),
            ("assertion key", record.package.assertion_key),
            ("written to", str(out_file)),
        ],
    )


@app.command()
def cosign(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A community's log entry or credential (JSON), or - for stdin.",
        ),
    ],
    as_steward: Annotated[
        str,
        typer.Option("--as", metavar="STEWARD", help="The wallet's steward."),
    ],
    out_file: OutOption = None,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Add this steward's proof to a community's log entry or credential.

    An entry is signed with the steward's update key; once it carries enough
    proofs the wallet keeps the community's log. A credential (a membership,
    a status list, a constitution) is signed with the steward's assertion key.

    Example: agora community cosign engines-1.json --as bob --out engines-1.json --force
    """
    out = Output(json_mode=json_mode)
    document = read_json(source, what="the document")
    if not isinstance(document, dict):
        raise UsageError("unusableInput", "the document must be a JSON object.")
    check_out_file(out_file, force=force)
    wallet = session.from_context(ctx).open()
    if "updateKeys" in document:
        signed, did, complete = cosign_entry(wallet, document, as_steward)
        needed = community_threshold(wallet, did) if complete else None
        rows = [
            ("entry", str(signed.get("version"))),
            ("community", did),
            ("proofs", str(proof_count(signed))),
            ("complete", "yes: the wallet keeps the log" if complete else "no"),
        ]
        summary: JsonObject = {
            "kind": "entry",
            "community": did,
            "proofs": proof_count(signed),
            "complete": complete,
        }
        if needed is not None:
            summary["threshold"] = needed
        if out_file is None:
            out.json(signed)
            return
        write_output(out_file, _entry_bytes(signed), force=force)
        if json_mode:
            out.json({**summary, "out": str(out_file)})
            return
        out.panel("entry cosigned", [*rows, ("written to", str(out_file))])
        return
    signed = cosign_credential(wallet, document, as_steward)
    issuer = signed.get("issuer")
    issuer_id = str(issuer.get("id") if isinstance(issuer, dict) else issuer)
    needed = community_threshold(wallet, issuer_id)
    count = proof_count(signed)
    rows = [
        ("credential", str(signed.get("id", "-"))),
        ("issuer", issuer_id),
        ("proofs", f"{count} of {needed}" if needed is not None else str(count)),
    ]
    emit(out, signed, out_file, "credential cosigned", rows, force=force)


@app.command("rotate-steward")
def rotate_steward_command(
    ctx: typer.Context,
    reference: CommunityArgument,
    as_steward: Annotated[
        str,
        typer.Option("--as", metavar="STEWARD", help="The wallet's steward."),
    ],
    compromised: Annotated[
        bool,
        typer.Option(
            "--compromised", help="Mark the steward's old update key compromised."
        ),
    ] = False,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="ENTRY",
            help="Write the entry to ENTRY for the other stewards to cosign.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Rotate this steward's update key in a community: the entry reveals the
    committed next key and commits to a new one; other stewards cosign it with
    'agora community cosign ENTRY --as NAME' until enough have signed.

    Example: agora community rotate-steward did:agora:z... --as bob --out rotate.json
    """
    out = Output(json_mode=json_mode)
    check_out_file(out_file, force=force)
    wallet = session.from_context(ctx).open()
    entry = rotate_steward(wallet, reference, as_steward, compromised=compromised)
    if out_file is None:
        out.json(entry)
        return
    write_output(out_file, _entry_bytes(entry), force=force)
    if json_mode:
        out.json(
            {
                "kind": "entry",
                "version": entry.get("version"),
                "proofs": proof_count(entry),
                "out": str(out_file),
            }
        )
        return
    out.panel(
        "steward rotation",
        [
            ("entry", str(entry.get("version"))),
            ("steward", as_steward),
            ("proofs", str(proof_count(entry))),
            ("written to", str(out_file)),
            ("next", f"agora community cosign {out_file} --as STEWARD"),
        ],
    )


@app.command()
def reconfigure(
    ctx: typer.Context,
    reference: CommunityArgument,
    as_steward: Annotated[
        str,
        typer.Option("--as", metavar="STEWARD", help="The wallet's steward."),
    ],
    steward_files: Annotated[
        list[Path],
        typer.Option(
            "--steward",
            metavar="FILE",
            help="A package of a steward of the new set: 'steward-key --next' for "
            "one who stays, 'steward-key' for a new one (repeat).",
        ),
    ],
    threshold: Annotated[
        int,
        typer.Option("--threshold", metavar="M", help="The new threshold."),
    ],
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="ENTRY",
            help="Write the entry to ENTRY for the other stewards to cosign.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Change a community's stewards or threshold: stewards left out are
    removed. The entry is signed with this steward's committed key; as many
    stewards as the current threshold must cosign it ('agora community cosign
    ENTRY --as NAME'), each revealing its committed key.

    Example: agora community reconfigure engines --as ada --steward bob-next.json
    --steward dan.json --threshold 2 --out reconfigure.json
    """
    out = Output(json_mode=json_mode)
    packages = [_package(path) for path in steward_files]
    check_out_file(out_file, force=force)
    wallet = session.from_context(ctx).open()
    try:
        entry = reconfigure_community(
            wallet, reference, as_steward, packages, threshold=threshold
        )
    except ValueError as exc:
        raise UsageError("unusableInput", f"{exc}.") from exc
    if out_file is None:
        out.json(entry)
        return
    write_output(out_file, _entry_bytes(entry), force=force)
    if json_mode:
        out.json(
            {
                "kind": "entry",
                "version": entry.get("version"),
                "stewards": len(entry.get("updateKeys", [])),
                "threshold": threshold,
                "proofs": proof_count(entry),
                "out": str(out_file),
            }
        )
        return
    out.panel(
        "reconfiguration",
        [
            ("entry", str(entry.get("version"))),
            ("stewards", str(len(entry.get("updateKeys", [])))),
            ("threshold", str(threshold)),
            ("proofs", str(proof_count(entry))),
            ("written to", str(out_file)),
            ("next", f"agora community cosign {out_file} --as STEWARD"),
        ],
    )


@app.command("list")
def list_communities(ctx: typer.Context, json_mode: JsonOption = False) -> None:
    """List the communities the wallet runs.

    Example: agora community list
    """
    out = Output(json_mode=json_mode)
    records = _communities(session.from_context(ctx).open())
    if json_mode:
        items = []
        for record in records:
            body = record.to_json()
            body["members"] = len(record.members)
            items.append(body)
        out.json({"items": items})
        return
    if not records:
        out.line('No communities yet; create one with: agora community create "NAME"')
        return
    out.table(
        "Communities",
        ["alias", "name", "DID", "members"],
        [[r.alias or "-", r.name, r.did, str(len(r.members))] for r in records],
    )


def _communities(wallet: Wallet) -> list[CommunityRecord]:
    return [
        community(wallet, record_id) for record_id, _ in wallet.records(COMMUNITY_KIND)
    ]


@app.command()
def admit(
    ctx: typer.Context,
    reference: CommunityArgument,
    member: Annotated[
        str,
        typer.Argument(
            metavar="DID|ALIAS",
            help="The new member's DID, or the alias of a DID of the wallet.",
        ),
    ],
    role: Annotated[
        str, typer.Option("--role", metavar="ROLE", help="The member's role.")
    ] = "member",
    valid_from: Annotated[
        str | None,
        typer.Option(
            "--valid-from",
            metavar="DATETIME",
            help="When the membership begins (default now), such as "
            "2030-01-01T00:00:00Z.",
        ),
    ] = None,
    valid_until: Annotated[
        str | None,
        typer.Option(
            "--valid-until",
            metavar="DATETIME",
            help="When the membership ends, such as 2030-01-01T00:00:00Z.",
        ),
    ] = None,
    out_file: OutOption = None,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Issue a membership credential (with status entries) and add the member
    to the roster. Prints the credential, or writes it to --out.

    A member who holds a membership that is not revoked cannot be admitted
    again (revoke it first), and the role cannot be empty.

    Example: agora community admit engines did:key:z6Mk... --role member --out ada.json
    """
    out = Output(json_mode=json_mode)
    if not role.strip():
        raise UsageError("unusableInput", "--role cannot be empty.")
    since = _option_time(valid_from, "--valid-from")
    until = _option_time(valid_until, "--valid-until")
    check_out_file(out_file, force=force)
    current = session.from_context(ctx)
    wallet = current.open()
    member_id = current.did_for(member)
    record = community(wallet, reference)
    for entry in record.members:
        if entry.get("member") == member_id and entry.get("status") != "revoked":
            raise RecordConflictError(
                f"{member_id[:80]} is a member of {record.alias or record.name} "
                f"already ({entry.get('credentialId')}, {entry.get('status')}); "
                "revoke that membership first."
            )
    signed = admit_member(
        wallet, reference, member_id, role=role, valid_from=since, valid_until=until
    )
    rows = [
        ("credential", str(signed["id"])),
        ("member", Petnames.of(wallet).show(member_id)),
        ("role", role),
    ]
    if record.steward is not None:
        rows.append(("proofs", f"{proof_count(signed)} of {record.threshold}"))
        rows.append(("next", "agora community cosign FILE --as STEWARD"))
    emit(out, signed, out_file, "member admitted", rows, force=force)


@app.command()
def revoke(
    ctx: typer.Context,
    reference: CommunityArgument,
    credential_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The credential id of a membership or of a moderator mandate.",
        ),
    ],
    suspend: Annotated[
        bool, typer.Option("--suspend", help="Suspend instead (reversible).")
    ] = False,
    reinstate: Annotated[
        bool, typer.Option("--reinstate", help="Lift a suspension.")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="DATETIME",
            help="When the re-signed status list takes effect (its validFrom; "
            "default now).",
        ),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Revoke a membership for good, or --suspend / --reinstate it; the status
    list it changes is re-signed. A moderator mandate is revoked the same way
    (it cannot be suspended).

    Example: agora community revoke engines urn:uuid:... --suspend
    """
    out = Output(json_mode=json_mode)
    if suspend and reinstate:
        raise UsageError("unusableInput", "give --suspend or --reinstate, not both.")
    action = "suspend" if suspend else "reinstate" if reinstate else "revoke"
    when = _option_time(at, "--at")
    wallet = session.from_context(ctx).open()
    entry = set_member_status(wallet, reference, credential_id, action, when=when)
    if json_mode:
        out.json(entry)
        return
    if "moderator" in entry:
        out.panel(
            f"mandate {entry['status']}",
            [("credential", credential_id), ("moderator", str(entry["moderator"]))],
        )
        return
    out.panel(
        f"membership {entry['status']}",
        [("credential", credential_id), ("member", str(entry["member"]))],
    )


def _option_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_date_time(value, require_timezone=True, path=option)
    except MalformedValueError as exc:
        raise UsageError("unusableInput", exc.detail) from exc


@app.command()
def members(
    ctx: typer.Context, reference: CommunityArgument, json_mode: JsonOption = False
) -> None:
    """List the memberships the community issued, with their status.

    Example: agora community members engines
    """
    out = Output(json_mode=json_mode)
    wallet = session.from_context(ctx).open()
    record = community(wallet, reference)
    names = Petnames.of(wallet)
    if json_mode:
        body = record.to_json()
        body["items"] = body.pop("members")
        body["petnames"] = names.names_for(str(m["member"]) for m in record.members)
        out.json(body)
        return
    out.table(
        f"{record.name} ({record.did})",
        ["credential", "member", "role", "status"],
        [
            [
                str(m["credentialId"]),
                names.show(str(m["member"])),
                str(m["role"]),
                str(m["status"]),
            ]
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
            "FILE with '-suspension' before its suffix (existing files are "
            "replaced only with --force).",
        ),
    ] = None,
    force: ForceOption = False,
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
    for path in (out_file, suspension):
        check_out_file(path, force=force)
    for path, document in (
        (out_file, lists["revocation"]),
        (suspension, lists["suspension"]),
    ):
        data = (json.dumps(document, indent=2) + "\n").encode("utf-8")
        write_output(path, data, force=force)
    if json_mode:
        out.json({"revocation": str(out_file), "suspension": str(suspension)})
        return
    out.panel(
        "status lists written",
        [("revocation", str(out_file)), ("suspension", str(suspension))],
    )
