"""``agora vp``: create presentations from the wallet's credentials; verify them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssi.credentials import present, verify_presentation
from ssi.errors import RecordNotFoundError
from ssi.types import JsonObject
from ssi.wallet import Wallet
from wallet_cli import session
from wallet_cli.commands.credential import (
    JsonOption,
    LogOption,
    OutOption,
    SourceArgument,
    StatusListOption,
    emit,
    json_object,
    read_source,
    show_report,
    suite_for,
)
from wallet_cli.output import Output

__all__ = ["vp_app"]

vp_app = typer.Typer(
    help="Verifiable presentations.", no_args_is_help=True, rich_markup_mode=None
)


@vp_app.command("create")
def vp_create(
    ctx: typer.Context,
    credentials: Annotated[
        list[str],
        typer.Argument(
            metavar="ID|FILE...",
            help="Stored credential ids, or files holding credentials.",
        ),
    ],
    holder: Annotated[
        str,
        typer.Option(
            "--holder",
            metavar="DID|ALIAS",
            help="The holder's DID of the wallet, or its alias.",
        ),
    ],
    challenge: Annotated[
        str,
        typer.Option(
            "--challenge", metavar="TEXT", help="The challenge the verifier gave you."
        ),
    ],
    domain: Annotated[
        str | None,
        typer.Option(
            "--domain",
            metavar="DOMAIN",
            help="The verifier's domain.",
            show_default=False,
        ),
    ] = None,
    out_file: OutOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Present credentials to a verifier, signed by the holder for its challenge.

    The presentation is printed as JSON (with --out, written to the file and
    summed up instead). Exit 1 when the holder or a credential id is not in
    the wallet.

    Example: agora vp create --holder alice --challenge 8f2c --domain
    verifier.example urn:uuid:0b0f6a5e-8c1b-4f0e-9b55-2f1f4b1f1c2a
    """
    out = Output(json_mode=json_mode)
    wallet = session.from_context(ctx).open()
    holder_record = wallet.did(holder)
    documents = [_credential_for(wallet, item) for item in credentials]
    presentation = present(
        documents,
        wallet.signer(holder_record.did),
        challenge=challenge,
        domain=domain,
        suite=suite_for(wallet, holder_record, None),
    )
    rows = [
        ("holder", holder_record.did),
        ("challenge", challenge),
        ("domain", domain or "-"),
        ("credentials", str(len(documents))),
    ]
    emit(out, presentation, out_file, "presentation created", rows)


@vp_app.command("verify")
def vp_verify(
    ctx: typer.Context,
    source: SourceArgument,
    challenge: Annotated[
        str, typer.Option("--challenge", help="The challenge you gave the holder.")
    ],
    domain: Annotated[
        str | None, typer.Option("--domain", help="The domain the proof must name.")
    ] = None,
    log: LogOption = None,
    status_list: StatusListOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Verify a presentation and every credential in it.

    Exit 0 verified, 1 not verified, 2 unusable input.

    Example: agora vp verify presentation.json --challenge 8f2c --domain example.org
    """
    out = Output(json_mode=json_mode)
    report = verify_presentation(
        read_source(source),
        challenge=challenge,
        domain=domain,
        resolver=session.from_context(ctx).resolver(log),
        status=session.from_context(ctx).status_checker(status_list),
    )
    show_report(report, out)


def _credential_for(wallet: Wallet, item: str) -> JsonObject:
    try:
        return wallet.credential(item).credential
    except RecordNotFoundError:
        if not Path(item).is_file():
            raise RecordNotFoundError(
                f"{item[:80]!r} is neither a credential in the wallet nor a file."
            ) from None
    return json_object(read_source(item))
