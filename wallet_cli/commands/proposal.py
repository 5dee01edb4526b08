"""``agora proposal``: put a decision to a vote with a DID of the wallet,
signal support for a proposal, and show one.

``create`` and ``signal`` sign a governance object (docs/governance.md) and
write it to ``--out FILE``, or to standard output (``--out -``, the default).
With a file, the object's CID is printed on stdout; with standard output, the
signed object is printed there and its CID on stderr.

Spec: docs/governance.md, docs/cli.md (Governance)
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ssi.cid import JSON_CODEC, is_cid, object_cid
from ssi.credentials import issue
from ssi.datetimes import parse_date_time
from ssi.errors import MalformedValueError
from ssi.social import (
    Option,
    Proposal,
    proposal_credential,
    read_proposal,
    read_signal,
    signal_credential,
)
from ssi.types import JsonObject, JsonValue
from wallet_cli import session
from wallet_cli.commands.constitution import load_rules_file
from wallet_cli.commands.credential import ForceOption, JsonOption
from wallet_cli.commands.governance_inputs import HubAtOption
from wallet_cli.commands.inputs import read_bytes

# The post commands' option types and input checks are shared by every
# command that signs a social object.
from wallet_cli.commands.post import (
    AsOption,
    LookupStoreOption,
    PostOutOption,
    SuiteOption,
    _check_cid,
    _check_did,
    _check_out,
    _check_suite,
    emit_document,
)
from wallet_cli.commands.post import _read_document as read_document
from wallet_cli.errors import UsageError
from wallet_cli.output import Output
from wallet_cli.petnames import Petnames

__all__ = ["app"]

app = typer.Typer(
    help="Proposals: put a decision to a vote with a DID of the wallet, signal "
    "support, show a proposal.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_MAX_BODY = 64 * 1024


@app.command()
def create(
    ctx: typer.Context,
    author: AsOption,
    community: Annotated[
        str,
        typer.Option("--community", metavar="DID", help="The community's DID."),
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="ordinary, amendment, election, recall, or a kind the "
            "constitution adds.",
        ),
    ],
    title: Annotated[
        str, typer.Option("--title", metavar="TEXT", help="A one-line title.")
    ],
    method: Annotated[
        str,
        typer.Option(
            "--method",
            metavar="METHOD",
            help="The counting method (plurality, schulze, stv, ...); the kind "
            "must allow it.",
        ),
    ],
    opens: Annotated[
        str,
        typer.Option(
            "--opens", metavar="TIME", help="When the vote opens (RFC 3339, UTC)."
        ),
    ],
    closes: Annotated[
        str,
        typer.Option(
            "--closes", metavar="TIME", help="When the vote closes (RFC 3339, UTC)."
        ),
    ],
    body: Annotated[
        str,
        typer.Option("--body", metavar="TEXT", help="The text of the proposal."),
    ] = "",
    body_file: Annotated[
        str | None,
        typer.Option(
            "--body-file",
            metavar="FILE",
            help="Read the text of the proposal from FILE (UTF-8), or - for "
            "standard input.",
        ),
    ] = None,
    options: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            metavar="ID=NAME",
            help="An option of an ordinary proposal (repeatable, at least 2): "
            "ID=NAME, or a NAME that is its own id.",
        ),
    ] = None,
    candidates: Annotated[
        list[str] | None,
        typer.Option(
            "--candidate",
            metavar="DID",
            help="A candidate of an election (repeatable).",
        ),
    ] = None,
    seats: Annotated[
        int | None,
        typer.Option("--seats", metavar="N", help="The seats an election fills."),
    ] = None,
    amendment: Annotated[
        str | None,
        typer.Option(
            "--amendment",
            metavar="FILE",
            help="The new rules of an amendment: the JSON agora constitution "
            "draft writes, or a constitution.toml.",
        ),
    ] = None,
    recalls: Annotated[
        str | None,
        typer.Option(
            "--recalls", metavar="CID", help="The mandate a recall would end."
        ),
    ] = None,
    constitution: Annotated[
        str | None,
        typer.Option(
            "--constitution",
            metavar="CID",
            help="The CID of the constitution in force (omit only to ratify a "
            "genesis constitution).",
        ),
    ] = None,
    tags: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            metavar="TAG",
            help="A tag (repeatable); tags choose which delegations apply.",
        ),
    ] = None,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Put a decision to a vote: a signed proposal of a community.

    Give what the kind decides: --option (ordinary), --candidate and --seats
    (election), --amendment (amendment), --recalls (recall). Exit 2 when an
    option is unusable (a time without a zone, closes before opens, a
    method that does not exist, inconsistent amendment rules, ...).
    Whether the constitution allows the proposal is checked when it is
    counted.

    Example: agora proposal create --as alice --community did:agora:z...
    --constitution bagaaiera... --kind ordinary --title "Buy a lathe"
    --option a=Buy --option b=Rent --method schulze
    --opens 2025-03-03T00:00:00Z --closes 2025-03-10T00:00:00Z
    """
    out = Output(json_mode=json_mode)
    _check_suite(suite)
    _check_did(community, "--community")
    _check_cid(constitution, "--constitution")
    _check_cid(recalls, "--recalls")
    for candidate in candidates or ():
        _check_did(candidate, "--candidate")
    opened = _time(opens, "--opens")
    closed = _time(closes, "--closes")
    text = _body(body, body_file)
    rules = load_rules_file(amendment) if amendment is not None else None
    _check_out(out_file, force=force)
    wallet = session.from_context(ctx).open()
    record = wallet.did(author)
    credential = proposal_credential(
        record.did,
        community=community,
        kind=kind,
        title=title,
        body=text,
        method=method,
        opens=opened,
        closes=closed,
        valid_from=datetime.now(UTC),
        constitution=constitution,
        options=[_option(value) for value in options or ()],
        candidates=candidates or (),
        seats=seats,
        amendment=rules,
        recalls=recalls,
        tags=tags or (),
    )
    signed = issue(credential, wallet.signer(record.did), suite=suite)
    emit_document(
        out, signed, out_file, "proposal signed", _summary(signed), force=force
    )


@app.command()
def signal(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            metavar="CID|FILE",
            help="The proposal: its CID, or a file (or - for standard input) "
            "holding it.",
        ),
    ],
    author: AsOption,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="The time you claim for the signal (its validFrom; RFC 3339 "
            "with a zone); default now.",
            show_default=False,
        ),
    ] = None,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Support a proposal before its vote opens: a signed signal of its CID.

    A signal counts only if given no later than the proposal opens, by a
    member; each member counts once.

    Example: agora proposal signal bagaaiera... --as bob --out signal.json
    """
    out = Output(json_mode=json_mode)
    _check_suite(suite)
    if target != "-" and not Path(target).exists() and is_cid(target, codec=JSON_CODEC):
        cid = target
    else:
        cid = read_proposal(read_document(target)).cid
    when = datetime.now(UTC) if at is None else _time(at, "--at")
    _check_out(out_file, force=force)
    wallet = session.from_context(ctx).open()
    record = wallet.did(author)
    credential = signal_credential(record.did, cid, valid_from=when)
    signed = issue(credential, wallet.signer(record.did), suite=suite)
    item = read_signal(signed)
    summary: JsonObject = {
        "cid": object_cid(signed),
        "type": "Signal",
        "author": item.signer,
        "proposal": item.proposal,
    }
    emit_document(out, signed, out_file, "signal signed", summary, force=force)


@app.command()
def show(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="CID|FILE",
            help="A JSON file, - to read standard input, or the CID of a "
            "proposal in the store.",
        ),
    ],
    store_location: LookupStoreOption = None,
    hub_url: Annotated[
        str | None,
        typer.Option(
            "--hub",
            metavar="URL",
            help="Read the proposal (by its CID) from this hub, with its ballots, "
            "signals and tallies, each verified here.",
            show_default=False,
        ),
    ] = None,
    at: HubAtOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Show a proposal: author, community, kind, method, window, options.

    From a file or the store, the proof is not checked here (use agora vc
    verify). With --hub, the proposal and every ballot, signal and tally
    that refers to it are read from the hub and verified here (with the
    community's memberships, status lists and did:agora log the hub serves),
    and listed; what does not verify is left out and counted. Exit 2 when the
    input is not a proposal, 1 when the CID is not in the store or on the hub
    (or does not verify), 3 when the hub cannot be reached.

    Example: agora proposal show proposal.json

    Example: agora proposal show bagaaiera... --hub https://hub.example
    """
    out = Output(json_mode=json_mode)
    if hub_url is not None:
        if store_location is not None:
            raise UsageError("unusableOptions", "give --store or --hub, not both.")
        _show_from_hub(
            ctx, out, source, hub_url, None if at is None else _time(at, "--at")
        )
        return
    if at is not None:
        raise UsageError("unusableOptions", "--at goes with --hub.")
    document = read_document(source, session.from_context(ctx), store_location)
    proposal = read_proposal(document)
    if json_mode:
        out.json(proposal.to_json())
        return
    out.panel(f"proposal ({proposal.kind})", _rows(proposal))


def _show_from_hub(
    ctx: typer.Context,
    out: Output,
    cid: str,
    hub_url: str,
    at: datetime | None,
) -> None:
    from wallet_cli.commands.governance_hub import fetch_proposal_inputs, proposal_parts

    with contextlib.ExitStack() as scratch:
        fetched = fetch_proposal_inputs(out, hub_url, cid, scratch, at=at)
        document, parts = proposal_parts(fetched.store, cid)
    proposal = read_proposal(document)
    items: list[JsonValue] = [part.to_json() for part in parts]
    if out.json_mode:
        out.json(
            {
                "hub": hub_url,
                "proposal": proposal.to_json(),
                "verified": True,
                "items": items,
                "refused": fetched.refused,
            }
        )
        return
    names = Petnames.at_hand(session.from_context(ctx))
    out.panel(f"proposal ({proposal.kind}), verified", _rows(proposal))
    out.table(
        "ballots, signals and tallies, verified",
        ["type", "author", "time", "CID"],
        [[part.type, names.show(part.author), part.time, part.cid] for part in parts],
    )
    out.line(
        f"{len(parts)} objects refer to the proposal on {hub_url}; "
        f"{fetched.refused} did not verify"
    )


# --- Helpers ----------------------------------------------------------------------


def _time(value: str, option: str) -> datetime:
    try:
        return parse_date_time(value, require_timezone=True, path=option)
    except MalformedValueError as exc:
        raise UsageError(
            "unusableInput",
            f"{option} must be an RFC 3339 time with a zone, such as "
            f"2025-03-03T00:00:00Z, not {value[:40]!r}.",
        ) from exc


def _body(text: str, file: str | None) -> str:
    if file is None:
        return text
    if text:
        raise UsageError("unusableInput", "give the body with --body or --body-file.")
    data = read_bytes(file, limit=_MAX_BODY)
    name = "standard input" if file == "-" else file
    if len(data) > _MAX_BODY:
        raise UsageError("unusableInput", f"{name} holds more than {_MAX_BODY} bytes.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            "unusableInput", f"{name} is not UTF-8 text (byte {exc.start})."
        ) from exc


def _option(value: str) -> Option:
    identifier, separator, name = value.partition("=")
    if not separator:
        return Option(value, value)
    return Option(identifier, name)


def _summary(signed: JsonObject) -> JsonObject:
    proposal = read_proposal(signed)
    return {
        "cid": proposal.cid,
        "type": "Proposal",
        "author": proposal.author,
        "kind": proposal.kind,
        "optionIds": list(proposal.option_ids),
    }


def _rows(proposal: Proposal) -> list[tuple[str, str | tuple[str, ...]]]:
    body = proposal.to_json()
    rows: list[tuple[str, str | tuple[str, ...]]] = [
        ("CID", proposal.cid),
        ("author", proposal.author),
        ("time", str(body["created"])),
        ("community", proposal.community),
        ("constitution", proposal.constitution or "(none: genesis ratification)"),
        ("kind", proposal.kind),
        ("title", proposal.title),
        ("method", proposal.method),
        ("opens", str(body["opens"])),
        ("closes", str(body["closes"])),
    ]
    if proposal.tags:
        rows.append(("tags", ", ".join(proposal.tags)))
    if proposal.options:
        rows.append(("options", tuple(f"{o.id}: {o.name}" for o in proposal.options)))
    if proposal.candidates:
        rows.append(("candidates", proposal.candidates))
        rows.append(("seats", str(proposal.seats)))
    if proposal.amendment is not None:
        rows.append(("amendment", f"new rules, CID {object_cid(proposal.amendment)}"))
    if proposal.recalls is not None:
        rows.append(("recalls", proposal.recalls))
    if proposal.body:
        rows.append(("body", tuple(proposal.body.split("\n"))))
    return rows
