"""The root ``agora`` command: sub-apps, global options, errors and exit codes.

Exit codes (the only place they are decided):
0 success; 1 a negative result (not resolved, not verified, not found);
2 usage error or unusable input; 3 a transport failure.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version

import typer

from ssi.errors import RecordNotFoundError, SSIError, TransportError
from wallet_cli.commands import credential, did
from wallet_cli.output import Output

__all__ = ["EXIT_NEGATIVE", "EXIT_OK", "EXIT_TRANSPORT", "EXIT_USAGE", "app", "main"]

EXIT_OK = 0
EXIT_NEGATIVE = 1
EXIT_USAGE = 2
EXIT_TRANSPORT = 3

app = typer.Typer(
    name="agora",
    help="Agora: identities, credentials and a social layer you control.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)
app.add_typer(did.app, name="did")
app.add_typer(credential.vc_app, name="vc")
app.add_typer(credential.vp_app, name="vp")


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
    show_version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_show_version,
        is_eager=True,
    ),
) -> None:
    """Agora: identities, credentials and a social layer you control.

    Example: agora did resolve did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
    """


def exit_code_for(error: SSIError) -> int:
    """Map a library error to the exit code of a command that failed with it.

    A record that is not in the wallet is a negative result (1); a transport
    failure is 3; every other error means the input or the wallet could not be
    used (2).
    """
    if isinstance(error, TransportError):
        return EXIT_TRANSPORT
    if isinstance(error, RecordNotFoundError):
        return EXIT_NEGATIVE
    return EXIT_USAGE


def main() -> None:
    """Run the ``agora`` command; library errors become one line on stderr."""
    debug = "--debug" in sys.argv[1:]
    if debug:
        sys.argv.remove("--debug")
    try:
        app()
    except SSIError as exc:
        if debug:
            raise
        Output().error(exc.code, exc.detail)
        sys.exit(exit_code_for(exc))
