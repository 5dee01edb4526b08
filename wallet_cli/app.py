"""The root ``agora`` command: sub-apps, global options, errors and exit codes.

Exit codes (the only place they are decided):
0 success; 1 a negative result (not resolved, not verified, not found);
2 usage error or unusable input; 3 a transport failure.
"""

from __future__ import annotations

import sys
from contextvars import ContextVar
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ssi.errors import (
    RecordNotFoundError,
    SSIError,
    TransportError,
    VerificationFailedError,
)
from wallet_cli.commands import (
    community,
    credential,
    did,
    did_agora,
    keys,
    presentation,
    status,
    wallet,
)
from wallet_cli.errors import UsageError
from wallet_cli.output import Output
from wallet_cli.session import Session

__all__ = [
    "EXIT_NEGATIVE",
    "EXIT_OK",
    "EXIT_TRANSPORT",
    "EXIT_USAGE",
    "app",
    "exit_code_for",
    "main",
]

EXIT_OK = 0
EXIT_NEGATIVE = 1
EXIT_USAGE = 2
EXIT_TRANSPORT = 3

_debug: ContextVar[bool] = ContextVar("agora_debug", default=False)


class _AgoraGroup(TyperGroup):
    """The root group: a failed command becomes one line on stderr and its code.

    Catching here rather than only in :func:`main` gives in-process callers
    (``CliRunner``) the same output and exit codes as the ``agora`` command.
    """

    # Typer's contexts are typer.Context; the base class names click's, which
    # typer vendors privately.
    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (SSIError, UsageError) as exc:
            if _debug.get():
                raise
            Output().error(exc.code, exc.detail)
            raise typer.Exit(exit_code_for(exc)) from None


app = typer.Typer(
    name="agora",
    cls=_AgoraGroup,
    help="Agora: identities, credentials and a social layer you control.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)
app.command("init")(wallet.init)
did_agora.register(did.app)
app.add_typer(did.app, name="did")
app.add_typer(keys.app, name="key")
app.add_typer(credential.vc_app, name="vc")
app.add_typer(community.app, name="community")
app.add_typer(presentation.vp_app, name="vp")
app.add_typer(status.app, name="status")
app.add_typer(wallet.backup_app, name="backup")
app.add_typer(wallet.passphrase_app, name="passphrase")


def _version() -> str:
    try:
        return version("agora-ssi")
    except PackageNotFoundError:
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"agora {_version()}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            metavar="DIR",
            help="The wallet directory (default: $AGORA_HOME, else ~/.agora).",
            show_default=False,
        ),
    ] = None,
    passphrase_file: Annotated[
        Path | None,
        typer.Option(
            "--passphrase-file",
            metavar="FILE",
            help="Read the wallet passphrase from the first line of this file "
            "(default: $AGORA_PASSPHRASE, else a prompt).",
            show_default=False,
        ),
    ] = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Agora: identities, credentials and a social layer you control.

    Example: agora --home ./wallet did create --alias alice
    """
    ctx.obj = Session(home_option=home, passphrase_file=passphrase_file)


def exit_code_for(error: SSIError | UsageError) -> int:
    """Map an error to the exit code of a command that failed with it.

    A record that is not in the wallet, or a credential that does not verify,
    is a negative result (1); a transport failure is 3; every other error
    means the input, the options or the wallet could not be used (2).
    """
    if isinstance(error, TransportError):
        return EXIT_TRANSPORT
    if isinstance(error, RecordNotFoundError | VerificationFailedError):
        return EXIT_NEGATIVE
    return EXIT_USAGE


def main() -> None:
    """Run the ``agora`` command; errors become one line on stderr.

    ``--debug`` anywhere on the command line shows the traceback instead.
    """
    debug = "--debug" in sys.argv[1:]
    if debug:
        sys.argv.remove("--debug")
        _debug.set(True)
    try:
        app()
    except (SSIError, UsageError) as exc:
        if debug:
            raise
        Output().error(exc.code, exc.detail)
        sys.exit(exit_code_for(exc))
