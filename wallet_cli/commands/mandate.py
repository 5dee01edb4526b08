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

from ssi.datetimes import parse_date_time
from ssi.errors import (
    MalformedValueError,
)
from ssi.social import (
    Mandate,
    read_mandate,
)
from ssi.status.credential import StatusListEntry
from ssi.types import JsonObject, JsonValue
from ssi.wallet.stewardship import proof_count
from wallet_cli import session
from wallet_cli.commands.credential import (
    JsonOption,
)
from wallet_cli.commands.post import LookupStoreOption
from wallet_cli.commands.post import _read_document as read_document
from wallet_cli.errors import UsageError
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


# --- Helpers ----------------------------------------------------------------------


def _instant(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
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
