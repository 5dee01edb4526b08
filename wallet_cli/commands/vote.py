"""``agora vote`` and ``agora delegate``: cast a ballot on a proposal, give
your weight to another member, or take it back, with a DID of the wallet.

Each command signs a governance object (docs/tallies.md) and writes it to
``--out FILE``, or to standard output (``--out -``, the default), as
``agora post`` does.

Spec: docs/tallies.md (Ballots, Delegations), docs/cli.md (Governance)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ssi.cid import JSON_CODEC, is_cid, object_cid
from ssi.credentials import issue
from ssi.datetimes import parse_date_time
from ssi.errors import (
    InvalidChoiceError,
    MalformedValueError,
    ObjectNotFoundError,
    SSIError,
    StoreAccessError,
)
from ssi.social import (
    ballot_credential,
    check_choice,
    delegation_credential,
    read_ballot,
    read_constitution,
    read_delegation,
    read_proposal,
)
from ssi.types import JsonObject, JsonValue
from wallet_cli import session
from wallet_cli.commands.credential import ForceOption, JsonOption
from wallet_cli.commands.post import (
    AsOption,
    LookupStoreOption,
    PostOutOption,
    SuiteOption,
    _check_did,
    _check_out,
    _check_suite,
    emit_document,
)
from wallet_cli.commands.post import _read_document as read_document
from wallet_cli.errors import UsageError
from wallet_cli.output import Output
from wallet_cli.petnames import Petnames

__all__ = ["delegate_app", "vote_app"]

vote_app = typer.Typer(rich_markup_mode=None)
delegate_app = typer.Typer(
    help="Delegation: let another member's ballots carry your weight, or take it back.",
    rich_markup_mode=None,
    invoke_without_command=True,
)

_LOOSE_SCORE = 1_000_000
"""Score range checked when the proposal's constitution is not at hand."""
_LOOSE_CREDITS = 10**12
"""Quadratic budget checked when the proposal's constitution is not at hand."""

AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="TIME",
        help="The time you claim for the act (its validFrom; RFC 3339 with a "
        "zone); default now. A tally judges it by the proposal's window like "
        "any other time.",
        show_default=False,
    ),
]
CommunityOption = Annotated[
    str,
    typer.Option("--community", metavar="DID", help="The community's DID."),
]
TagOption = Annotated[
    str | None,
    typer.Option(
        "--tag",
        metavar="TAG",
        help="Only for proposals with this tag (default: every decision).",
        show_default=False,
    ),
]


# --- agora vote -------------------------------------------------------------------


@vote_app.command()
def vote(
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
    choice: Annotated[
        str | None,
        typer.Option("--choice", metavar="X", help="One option (plurality)."),
    ] = None,
    approve: Annotated[
        str | None,
        typer.Option(
            "--approve",
            metavar="X,Y",
            help="The options you approve (approval, pav, seq-phragmen); may be empty.",
        ),
    ] = None,
    rank: Annotated[
        str | None,
        typer.Option(
            "--rank",
            metavar="X,Y,Z",
            help="A ranking, best first; partial allowed (irv, schulze, "
            "ranked-pairs, borda, stv).",
        ),
    ] = None,
    score: Annotated[
        str | None,
        typer.Option(
            "--score", metavar="X=5,Y=2", help="Scores (score, star); missing = 0."
        ),
    ] = None,
    quadratic: Annotated[
        str | None,
        typer.Option(
            "--quadratic",
            metavar="X=3,Y=1",
            help="Votes per option (quadratic); their squares must fit the "
            "voice-credit budget.",
        ),
    ] = None,
    at: AtOption = None,
    store_location: LookupStoreOption = None,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Cast a signed ballot on a proposal.

    Give exactly one of --choice, --approve, --rank, --score, --quadratic, the
    one the proposal's method takes. When the proposal is at hand (a file, or
    its CID in the store) the choice is checked against its method and
    options, and against its constitution's score range and voice credits
    when that is in the store too. Voting again replaces your earlier ballot
    if the constitution allows revoting (the latest before the vote closes
    counts). Exit 2 when the choice does not fit.

    Example: agora vote bagaaiera... --as alice --rank lib,park,pool --out
    ballot.json
    """
    out = Output(json_mode=json_mode)
    _check_suite(suite)
    given = _choice(choice, approve, rank, score, quadratic)
    state = session.from_context(ctx)
    proposal_cid, document = _proposal(target, state, store_location)
    if document is not None:
        given = _checked(given, document, state, store_location)
    when = _time(at)
    _check_out(out_file, force=force)
    wallet = state.open()
    record = wallet.did(author)
    credential = ballot_credential(record.did, proposal_cid, given, cast_at=when)
    signed = issue(credential, wallet.signer(record.did), suite=suite)
    ballot = read_ballot(signed)
    summary: JsonObject = {
        "cid": object_cid(signed),
        "type": "Ballot",
        "author": ballot.voter,
        "proposal": ballot.proposal,
        "choice": ballot.choice_json(),
        "castAt": _format(ballot.cast_at),
    }
    emit_document(out, signed, out_file, "ballot signed", summary, force=force)


# --- agora delegate [revoke] --------------------------------------------------------


@delegate_app.callback()
def delegate(
    ctx: typer.Context,
    author: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="ALIAS",
            help="The delegator: a DID of the wallet, or its alias.",
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="DID|NAME",
            help="The delegate: a DID, a contact's petname or an alias of the wallet.",
            show_default=False,
        ),
    ] = None,
    community: Annotated[
        str | None,
        typer.Option("--community", metavar="DID", help="The community's DID."),
    ] = None,
    tag: TagOption = None,
    at: AtOption = None,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Let another member's ballots carry your weight (transitively), in all
    decisions of a community or those with a tag.

    A ballot of your own overrides it; your latest delegation per scope
    counts; `agora delegate revoke` takes it back.

    Example: agora delegate --as alice --to bob --community did:agora:z...
    --out delegation.json
    """
    if ctx.invoked_subcommand is not None:
        return
    if author is None or to is None or community is None:
        raise UsageError(
            "unusableInput",
            "give --as, --to and --community (or `agora delegate revoke`).",
        )
    out = Output(json_mode=json_mode)
    _check_suite(suite)
    _check_did(community, "--community")
    when = _time(at)
    _check_out(out_file, force=force)
    state = session.from_context(ctx)
    wallet = state.open()
    record = wallet.did(author)
    target = _delegate(to, state, Petnames.of(wallet))
    credential = delegation_credential(record.did, community, target, tag=tag, at=when)
    signed = issue(credential, wallet.signer(record.did), suite=suite)
    _emit_delegation(out, signed, out_file, force=force)


@delegate_app.command()
def revoke(
    ctx: typer.Context,
    author: AsOption,
    community: CommunityOption,
    tag: TagOption = None,
    at: AtOption = None,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Take your delegation back (for every decision, or for one tag): a
    signed withdrawal that is later than the delegation it ends.

    Example: agora delegate revoke --as alice --community did:agora:z...
    --out withdrawal.json
    """
    out = Output(json_mode=json_mode)
    _check_suite(suite)
    _check_did(community, "--community")
    when = _time(at)
    _check_out(out_file, force=force)
    wallet = session.from_context(ctx).open()
    record = wallet.did(author)
    credential = delegation_credential(record.did, community, None, tag=tag, at=when)
    signed = issue(credential, wallet.signer(record.did), suite=suite)
    _emit_delegation(out, signed, out_file, force=force)


# --- Helpers ----------------------------------------------------------------------


def _choice(
    choice: str | None,
    approve: str | None,
    rank: str | None,
    score: str | None,
    quadratic: str | None,
) -> JsonValue:
    given = [
        (name, value)
        for name, value in (
            ("--choice", choice),
            ("--approve", approve),
            ("--rank", rank),
            ("--score", score),
            ("--quadratic", quadratic),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise UsageError(
            "unusableInput",
            "give exactly one of --choice, --approve, --rank, --score, --quadratic.",
        )
    name, value = given[0]
    if name == "--choice":
        if not value:
            raise UsageError("unusableInput", "--choice needs an option id.")
        return value
    if name in ("--approve", "--rank"):
        items = [item.strip() for item in value.split(",") if item.strip()]
        if name == "--rank" and not items:
            raise UsageError("unusableInput", "--rank needs at least one option id.")
        return list(items)
    pairs: JsonObject = {}
    for part in (p.strip() for p in value.split(",") if p.strip()):
        option, separator, number = part.partition("=")
        if not separator or not option.strip():
            raise UsageError(
                "unusableInput", f"{name} takes OPTION=N pairs, not {part[:40]!r}."
            )
        try:
            pairs[option.strip()] = int(number.strip(), 10)
        except ValueError:
            raise UsageError(
                "unusableInput",
                f"{name}: {number.strip()[:20]!r} is not an integer.",
            ) from None
    return pairs


def _proposal(
    target: str, state: session.Session, store: str | None
) -> tuple[str, JsonObject | None]:
    """The proposal's CID, and the proposal itself when it is at hand."""
    if target != "-" and not Path(target).exists() and is_cid(target, codec=JSON_CODEC):
        try:
            return target, read_document(target, state, store)
        except (ObjectNotFoundError, StoreAccessError):
            return target, None
    document = read_document(target)
    return read_proposal(document).cid, document


def _checked(
    given: JsonValue, document: JsonObject, state: session.Session, store: str | None
) -> JsonValue:
    proposal = read_proposal(document)
    max_score, credits = _LOOSE_SCORE, _LOOSE_CREDITS
    if proposal.constitution is not None:
        try:
            rules = read_constitution(
                read_document(proposal.constitution, state, store)
            ).rules
            max_score, credits = rules.max_score, rules.voice_credits
        except (ObjectNotFoundError, StoreAccessError):
            pass
    try:
        check_choice(
            proposal.method,
            proposal.option_ids,
            given,
            max_score=max_score,
            voice_credits=credits,
        )
    except InvalidChoiceError as exc:
        raise UsageError(
            "malformedChoice",
            f"the choice does not fit this {proposal.method} proposal: {exc.detail}",
        ) from exc
    return given


def _delegate(text: str, state: session.Session, names: Petnames) -> str:
    """The DID that ``--to`` names: a DID, a contact's petname, or an alias."""
    if text.startswith("did:"):
        _check_did(text, "--to")
        return text
    for did, name in names.contacts.items():
        if name.casefold() == text.casefold():
            return did
    try:
        return state.did_for(text)
    except SSIError as exc:
        raise UsageError(
            "unusableInput",
            f"--to {text[:40]!r} is not a DID, a contact's name or an alias of the "
            "wallet's DIDs.",
        ) from exc


def _time(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        return parse_date_time(value, require_timezone=True, path="--at")
    except MalformedValueError as exc:
        raise UsageError(
            "unusableInput",
            "--at must be an RFC 3339 time with a zone, such as "
            f"2025-03-03T00:00:00Z, not {value[:40]!r}.",
        ) from exc


def _format(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _emit_delegation(
    out: Output, signed: JsonObject, out_file: str, *, force: bool
) -> None:
    item = read_delegation(signed)
    summary: JsonObject = {
        "cid": object_cid(signed),
        "type": "Delegation",
        "author": item.delegator,
        "community": item.community,
        "delegate": item.delegate,
        "tag": item.tag,
        "at": _format(item.at),
    }
    title = "withdrawal signed" if item.withdrawn else "delegation signed"
    emit_document(out, signed, out_file, title, summary, force=force)
