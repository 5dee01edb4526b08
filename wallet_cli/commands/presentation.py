"""``agora vp``: create presentations from the wallet's credentials; verify them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from ssi.credentials import present, verify_presentation
from ssi.errors import RecordNotFoundError
from ssi.types import JsonObject
from ssi.wallet import Wallet
from wallet_cli import session
from wallet_cli.commands.credential import (
    ForceOption,
    JsonOption,
    LogOption,
    OutOption,
    SourceArgument,
    StatusListOption,
    emit,
    evidence,
    json_object,
    read_source,
    show_report,
    suite_for,
)
from wallet_cli.errors import UsageError
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
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Present credentials to a verifier, signed by the holder for its challenge.

    The presentation is printed as JSON (with --out, written to the file and
    summed up instead). The challenge and the domain must not be empty. Exit 1
    when the holder or a credential id is not in the wallet, 2 on a usage
    error.

    Example: agora vp create --holder alice --challenge 8f2c --domain
    verifier.example urn:uuid:0b0f6a5e-8c1b-4f0e-9b55-2f1f4b1f1c2a
    """
    _not_empty("--challenge", challenge)
    if domain is not None:
        _not_empty("--domain", domain)
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
    emit(out, presentation, out_file, "presentation created", rows, force=force)


@vp_app.command("verify")
def vp_verify(
    ctx: typer.Context,
    source: SourceArgument,
    challenge: Annotated[
        str | None,
        typer.Option(
            "--challenge",
            metavar="TEXT",
            help="The challenge you gave the holder (required, or --no-challenge).",
            show_default=False,
        ),
    ] = None,
    no_challenge: Annotated[
        bool,
        typer.Option(
            "--no-challenge",
            help="Accept any challenge: no replay protection (reported as a warning).",
        ),
    ] = False,
    domain: Annotated[
        str | None,
        typer.Option(
            "--domain",
            metavar="DOMAIN",
            help="The domain the proof must name: yours (required, or --no-domain).",
            show_default=False,
        ),
    ] = None,
    no_domain: Annotated[
        bool,
        typer.Option(
            "--no-domain",
            help="Accept a proof made for any domain (reported as a warning).",
        ),
    ] = False,
    require_holder_binding: Annotated[
        bool,
        typer.Option(
            "--require-holder-binding",
            help="Fail unless the holder is a subject (credentialSubject.id) of "
            "every credential; without it, a credential held by someone else "
            "is only a warning.",
        ),
    ] = False,
    log: LogOption = None,
    status_list: StatusListOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Verify a presentation and every credential in it.

    Give the challenge and the domain you expect, or say explicitly that you
    do not check them (--no-challenge, --no-domain). A credential whose
    subject is not the holder is a warning, a failure with
    --require-holder-binding. Exit 0 verified, 1 not verified, 2 usage error
    or unusable input.

    Example: agora vp verify presentation.json --challenge 8f2c --domain
    verifier.example --require-holder-binding
    """
    expected_challenge = _expected(
        "--challenge", challenge, "--no-challenge", no_challenge
    )
    expected_domain = _expected("--domain", domain, "--no-domain", no_domain)
    out = Output(json_mode=json_mode)
    document = read_source(source)
    resolver, status = evidence(ctx, log, status_list)
    report = verify_presentation(
        document,
        challenge=expected_challenge,
        domain=expected_domain,
        require_holder_binding=require_holder_binding,
        resolver=resolver,
        status=status,
    )
    session.from_context(ctx).raise_evidence_failure()
    show_report(report, out)


def _not_empty(option: str, value: str) -> None:
    if not value:
        raise UsageError("invalidOption", f"{option} must not be empty.")


def _expected(
    option: str, value: str | None, opt_out: str, skipped: bool
) -> str | Literal[False]:
    """Return what the proof must carry, or False when the check is skipped."""
    if value is not None and skipped:
        raise UsageError("invalidOption", f"give {option} or {opt_out}, not both.")
    if skipped:
        return False
    if value is None:
        raise UsageError(
            "missingOption",
            f"add {option} with the value you expect, or {opt_out} to accept any.",
        )
    _not_empty(option, value)
    return value


def _credential_for(wallet: Wallet, item: str) -> JsonObject:
    try:
        return wallet.credential(item).credential
    except RecordNotFoundError:
        if not Path(item).is_file():
            raise RecordNotFoundError(
                f"{item[:80]!r} is neither a credential in the wallet nor a file."
            ) from None
    return json_object(read_source(item))
