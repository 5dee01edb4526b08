"""``agora status``: keep other issuers' status lists in the wallet.

A verifier that holds a community's published status list can check the
credentials that point at it without the file at hand: ``vc verify``,
``vc store`` and ``vp verify`` look in the wallet for a list that no
``--status-list`` file holds.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ssi.types import JsonObject
from ssi.wallet import Wallet, import_status_list
from wallet_cli import session
from wallet_cli.commands.credential import JsonOption
from wallet_cli.output import Output

__all__ = ["app"]

app = typer.Typer(
    help="Status lists (revocation, suspension) of other issuers.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

IMPORTED_LIST_KIND = "statuslist"
"""The wallet record kind of imported status lists (ssi.wallet.community)."""


@app.command("import")
def import_list(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE", help="A signed status list credential; - reads stdin."
        ),
    ],
    json_mode: JsonOption = False,
) -> None:
    """Keep a status list credential in the wallet, replacing an older copy of
    the same list (same id).

    Its proof is checked each time a credential's status is checked against
    it, not here; a list that does not verify then fails that check.

    Example: agora status import engines-status.json
    """
    out = Output(json_mode=json_mode)
    document = session.read_status_list(source)
    url = str(document["id"])
    wallet = session.from_context(ctx).open()
    known = {str(d.get("id")) for d in _imported(wallet)}
    import_status_list(wallet, document)
    status = "replaced" if url in known else "added"
    subject = document["credentialSubject"]
    purpose = str(subject.get("statusPurpose", "-"))
    if json_mode:
        out.json(
            {
                "id": url,
                "issuer": document.get("issuer"),
                "statusPurpose": purpose,
                "status": status,
            }
        )
        return
    out.panel(
        f"status list {status}",
        [("id", url), ("issuer", str(document.get("issuer"))), ("purpose", purpose)],
    )


def _imported(wallet: Wallet) -> list[JsonObject]:
    """The status list credentials imported into the wallet, in the order kept."""
    found = []
    for _, data in wallet.records(IMPORTED_LIST_KIND):
        credential = data.get("credential")
        if isinstance(credential, dict):
            found.append(credential)
    return found


@app.command("list")
def list_lists(ctx: typer.Context, json_mode: JsonOption = False) -> None:
    """List the status lists imported into the wallet.

    Example: agora status list
    """
    out = Output(json_mode=json_mode)
    documents = _imported(session.from_context(ctx).open())
    rows = [
        {
            "id": d.get("id"),
            "issuer": d.get("issuer"),
            "statusPurpose": (d.get("credentialSubject") or {}).get("statusPurpose"),
            "validFrom": d.get("validFrom"),
        }
        for d in documents
    ]
    if json_mode:
        out.json({"items": list(rows)})
        return
    if not rows:
        out.line("No status lists yet; keep one with: agora status import FILE")
        return
    out.table(
        "Status lists",
        ["id", "issuer", "purpose", "valid from"],
        [
            [str(r[k] or "-") for k in ("id", "issuer", "statusPurpose", "validFrom")]
            for r in rows
        ],
    )
