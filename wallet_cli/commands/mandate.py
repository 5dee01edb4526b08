"""``agora mandate``: issue a moderator's mandate to an elected member, show
one, and check that one holds.

A mandate is issued by the community (for a threshold community, one
steward issues it and the others add their proofs with ``agora community
cosign``); it names the election's tally, runs for at most the
constitution's term and can be revoked through the community's status list
(``agora community revoke``).

Spec: docs/moderation.md (Mandates), docs/cli.md (Moderation)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from ssi.cid import object_cid
from ssi.datetimes import parse_date_time
from ssi.errors import (
    InvalidConstitutionError,
    MalformedValueError,
    SSIError,
    VerificationFailedError,
)
from ssi.social import (
    Mandate,
    MandateBook,
    MandateCheck,
    check_mandates,
    read_mandate,
    read_tally,
)
from ssi.social.rule_values import parse_duration
from ssi.status.credential import StatusListEntry
from ssi.types import JsonObject, JsonValue
from ssi.wallet import issue_mandate
from ssi.wallet.stewardship import community_threshold, proof_count
from wallet_cli import session
from wallet_cli.commands.credential import (
    ForceOption,
    JsonOption,
    OutOption,
    StatusListOption,
    check_out_file,
    emit,
)
from wallet_cli.commands.governance_inputs import (
    BundlesOption,
    StoreOption,
    gather_inputs,
)
from wallet_cli.commands.inputs import read_json
from wallet_cli.commands.post import LookupStoreOption
from wallet_cli.commands.post import _read_document as read_document
from wallet_cli.commands.tally import LogOption
from wallet_cli.errors import ResultShown, UsageError
from wallet_cli.output import Cell, Output
from wallet_cli.petnames import Petnames

__all__ = ["app"]

app = typer.Typer(
    help="Moderator mandates: issue one to an elected member, show one, check "
    "that one holds.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

MandateArgument = Annotated[
    str,
    typer.Argument(
        metavar="FILE|CID",
        help="A mandate: a JSON file, - for standard input, or the CID of one "
        "in the store.",
    ),
]


# --- agora mandate issue -----------------------------------------------------------


@app.command()
def issue(
    ctx: typer.Context,
    reference: Annotated[
        str,
        typer.Argument(metavar="COMMUNITY", help="The community's alias or DID."),
    ],
    moderator: Annotated[
        str,
        typer.Argument(
            metavar="MODERATOR",
            help="The elected member's DID, or the alias of a DID of the wallet.",
        ),
    ],
    election: Annotated[
        str,
        typer.Option(
            "--election",
            metavar="TALLY",
            help="The election's tally: a file, or its CID in the store.",
            show_default=False,
        ),
    ],
    valid_from: Annotated[
        str | None,
        typer.Option(
            "--valid-from",
            "--at",
            metavar="TIME",
            help="When the mandate begins (RFC 3339 with a zone; default now); "
            "not before the election closed.",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="TIME",
            help="When the mandate ends (RFC 3339 with a zone).",
            show_default=False,
        ),
    ] = None,
    term: Annotated[
        str | None,
        typer.Option(
            "--term",
            metavar="DURATION",
            help="How long the mandate runs, an ISO 8601 duration such as P90D "
            "(at most the constitution's mandate term).",
            show_default=False,
        ),
    ] = None,
    store_location: LookupStoreOption = None,
    out_file: OutOption = None,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Issue a moderator's mandate to a member the election's tally names
    among its winners.

    Give the end with --until or --term. The tally is read first: a tally
    that did not pass, or that does not name the member among its winners,
    is refused (exit 2, electionFailed or notElected). For a threshold
    community the other stewards cosign the written file with agora
    community cosign.

    Example: agora mandate issue engines did:key:z6Mk... --election
    moderators-tally.json --term P90D --out mandate-bob.json
    """
    out = Output(json_mode=json_mode)
    since = _instant(valid_from, "--valid-from") or datetime.now(UTC)
    ends = _end(since, until, term)
    check_out_file(out_file, force=force)
    state = session.from_context(ctx)
    tally = read_document(election, state, store_location)
    moderator_did = state.did_for(moderator)
    election_cid = _check_election(tally, moderator_did)
    wallet = state.open()
    signed = issue_mandate(
        wallet,
        reference,
        moderator_did,
        election=election_cid,
        valid_from=since,
        valid_until=ends,
    )
    names = Petnames.of(wallet)
    mandate = read_mandate(signed)
    rows = [
        ("credential", mandate.credential_id or "-"),
        ("moderator", names.show(moderator_did)),
        ("election", election_cid),
        ("term", f"{_time(since)} to {_time(ends)}"),
    ]
    needed = community_threshold(wallet, mandate.community)
    if needed is not None and needed > 1:
        rows.append(("proofs", f"{proof_count(signed)} of {needed}"))
        rows.append(("next", "agora community cosign FILE --as STEWARD"))
    emit(out, signed, out_file, "mandate issued", rows, force=force)


def _check_election(document: JsonObject, moderator: str) -> str:
    """The tally's CID, when it passed and names ``moderator`` among its winners."""
    try:
        tally = read_tally(document)
    except SSIError as exc:
        raise UsageError(
            "unusableInput", f"--election is not a tally: {exc.detail}"
        ) from exc
    if not tally.passed:
        raise UsageError("electionFailed", "the election's tally says it did not pass.")
    count = tally.result.get("count")
    winners = count.get("winners") if isinstance(count, dict) else None
    if not isinstance(winners, list) or moderator not in winners:
        raise UsageError(
            "notElected",
            f"{moderator[:80]} is not among the winners of the election's tally.",
        )
    return object_cid(document)


def _end(since: datetime, until: str | None, term: str | None) -> datetime:
    if (until is None) == (term is None):
        raise UsageError("unusableInput", "give exactly one of --until, --term.")
    if until is not None:
        ends = _parse(until, "--until")
    else:
        try:
            ends = since + parse_duration(term, "--term")
        except InvalidConstitutionError as exc:
            raise UsageError("unusableInput", exc.detail) from exc
    if ends <= since:
        raise UsageError("unusableInput", "the mandate must end after it begins.")
    return ends


# --- agora mandate show ------------------------------------------------------------


@app.command()
def show(
    ctx: typer.Context,
    source: MandateArgument,
    store_location: LookupStoreOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Show a mandate: moderator, community, election, term, status entry and
    proofs.

    Nothing is checked here (agora mandate verify does). Exit 2 when the
    input is not a mandate.

    Example: agora mandate show mandate-bob.json
    """
    out = Output(json_mode=json_mode)
    state = session.from_context(ctx)
    document = read_document(source, state, store_location)
    mandate = read_mandate(document)
    names = Petnames.at_hand(state, out)
    if json_mode:
        out.json(
            {
                **mandate.to_json(),
                "status": [_entry_json(entry) for entry in mandate.status],
                "proofs": proof_count(document),
                "petnames": names.names_for([mandate.community, mandate.moderator]),
            }
        )
        return
    out.panel("moderator mandate", _rows(mandate, document, names))


def _rows(
    mandate: Mandate, document: JsonObject, names: Petnames
) -> list[tuple[str, Cell]]:
    days = (mandate.valid_until - mandate.valid_from) / timedelta(days=1)
    return [
        ("CID", mandate.cid),
        ("credential", mandate.credential_id or "-"),
        ("community", names.show(mandate.community)),
        ("moderator", names.show(mandate.moderator)),
        ("election", mandate.election),
        ("valid from", _time(mandate.valid_from)),
        ("valid until", _time(mandate.valid_until)),
        ("term", f"{days:g} days"),
        ("status", tuple(_entry_text(entry) for entry in mandate.status) or "-"),
        ("proofs", str(proof_count(document))),
    ]


def _entry_json(entry: StatusListEntry | None) -> JsonValue:
    if entry is None:
        return None
    return {
        "statusPurpose": entry.purpose,
        "statusListCredential": entry.list_credential,
        "statusListIndex": entry.index,
    }


def _entry_text(entry: StatusListEntry | None) -> str:
    if entry is None:
        return "an entry this wallet cannot check"
    return f"{entry.purpose}: {entry.list_credential} #{entry.index}"


# --- agora mandate verify ----------------------------------------------------------


@app.command()
def verify(
    ctx: typer.Context,
    source: MandateArgument,
    bundles: BundlesOption = None,
    store_location: StoreOption = None,
    logs: LogOption = None,
    status_lists: StatusListOption = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="The time the mandate must hold at (RFC 3339 with a zone; "
            "default now).",
            show_default=False,
        ),
    ] = None,
    recount: Annotated[
        bool,
        typer.Option(
            "--recount",
            help="Also recount the election from its ballots (the bundles must "
            "hold them).",
        ),
    ] = False,
    json_mode: JsonOption = False,
) -> None:
    """Check that a mandate is sound (the community's proofs, an election it
    won, a term within the constitution's) and valid at a time (begun, not
    expired, not revoked in the status list in force then).

    The election's tally, its proposal and constitution, the community's
    status lists and did:agora log come from the bundles, the store and the
    files given. Exit 0 when the mandate is sound and valid at the time, 1
    when it is not (the problem's code and a sentence say why), 2 when the
    input is not a mandate.

    Example: agora mandate verify mandate-bob.json --bundle election.jsonl
    --log engines.jsonl --at 2026-05-01T00:00:00Z
    """
    out = Output(json_mode=json_mode)
    when = _instant(at, "--at") or datetime.now(UTC)
    state = session.from_context(ctx)
    document = read_document(source, state, store_location)
    mandate = read_mandate(document)
    inputs = gather_inputs(bundles, store_location, logs, required=False)
    inputs.add(document)
    for path in status_lists or ():
        listed = read_json(str(path), what=str(path))
        if isinstance(listed, dict):
            inputs.add(listed)
    book = check_mandates(
        inputs.documents,
        community=mandate.community,
        logs=inputs.logs,
        recount=recount,
    )
    check = next(c for c in book.checks if c.cid == mandate.cid)
    standing = _standing(book, check, when) if check.sound else "invalidMandate"
    valid = standing == "valid"
    names = Petnames.at_hand(state, out)
    if json_mode:
        out.json(
            {
                "valid": valid,
                "sound": check.sound,
                "problem": check.problem,
                "detail": check.detail,
                "standing": standing,
                "at": _time(when),
                "mandate": mandate.to_json(),
                "petnames": names.names_for([mandate.community, mandate.moderator]),
            }
        )
    else:
        verdict = "holds" if valid else "does NOT hold"
        rows = _rows(mandate, document, names)
        rows.append(("sound", "yes" if check.sound else "no"))
        rows.append((f"at {_time(when)}", standing))
        if not valid:
            rows.append(("problem", f"{check.problem or standing}"))
            rows.append(("why", _sentence(check, standing)))
        out.panel(f"mandate {verdict}", rows, ok=valid)
    if not valid:
        code = check.problem or standing
        raise ResultShown(
            VerificationFailedError(f"{code}: {_sentence(check, standing)}")
        )


_STANDING_TEXT = {
    "notYetValid": "the mandate has not begun at that time.",
    "expired": "the mandate's term is over at that time.",
    "revoked": "the community revoked the mandate (its status list says so).",
    "statusUnknown": "no version of the community's status list is in force "
    "at that time.",
}


def _standing(book: MandateBook, check: MandateCheck, at: datetime) -> str:
    """This sound mandate's standing at ``at`` (not another mandate's)."""
    mandate = check.mandate
    assert mandate is not None  # noqa: S101 - a sound check has its mandate
    held = book.mandate(check.moderator, at)
    if held is not None and held.cid == check.cid:
        return "valid"
    if at < mandate.valid_from:
        return "notYetValid"
    if at >= mandate.valid_until:
        return "expired"
    standing = book.standing(check.moderator, at)
    return standing if standing in _STANDING_TEXT else "revoked"


def _sentence(check: MandateCheck, standing: str) -> str:
    if not check.sound:
        return check.detail
    return _STANDING_TEXT.get(standing, check.detail)


# --- Helpers ----------------------------------------------------------------------


def _instant(value: str | None, option: str) -> datetime | None:
    return None if value is None else _parse(value, option)


def _parse(value: str, option: str) -> datetime:
    try:
        return parse_date_time(value, require_timezone=True, path=option)
    except MalformedValueError as exc:
        raise UsageError(
            "unusableInput",
            f"{option} must be an RFC 3339 time with a zone, such as "
            f"2025-03-03T00:00:00Z, not {value[:40]!r}.",
        ) from exc


def _time(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
