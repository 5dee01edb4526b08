"""The root ``agora`` command: command groups, global options, errors, exit codes.

Exit codes are decided here only, by :func:`exit_code_for` (docs/cli.md):
0 success; 1 a negative result (not verified, not found, refused because it
does not verify); 2 a usage error or unusable input, options or wallet; 3 a
transport failure.

The command groups are imported when one of them runs, not when the root
is built: ``agora --version`` and ``agora --help`` load neither the library's
cryptography, JSON-LD and HTTP code nor rich. The root's help lists the
groups from :data:`COMMANDS`; a test checks it against the groups' own help.
"""

from __future__ import annotations

import functools
import io
import sys
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command, get_group

from ssi.errors import (
    CredentialRevokedError,
    CredentialSuspendedError,
    DIDNotFoundError,
    InvalidDIDDocumentError,
    InvalidDIDLogError,
    MethodNotSupportedError,
    ObjectNotFoundError,
    ProofVerificationError,
    RecordNotFoundError,
    SSIError,
    TallyError,
    TransportError,
    VerificationFailedError,
)
from wallet_cli.errors import PROBLEM_TYPE_BASE, ResultShown, UsageError

__all__ = [
    "COMMANDS",
    "EXIT_NEGATIVE",
    "EXIT_OK",
    "EXIT_TRANSPORT",
    "EXIT_USAGE",
    "app",
    "exit_code_for",
    "first_sentence",
    "load_command",
    "main",
]

EXIT_OK = 0
EXIT_NEGATIVE = 1
EXIT_USAGE = 2
EXIT_TRANSPORT = 3

_NEGATIVE: tuple[type[SSIError], ...] = (
    # Not verified, or refused because it does not verify.
    VerificationFailedError,
    ProofVerificationError,
    CredentialRevokedError,
    CredentialSuspendedError,
    InvalidDIDLogError,
    InvalidDIDDocumentError,
    # A tally that does not match its inputs, a proposal that did not pass,
    # a ballot that was not counted.
    TallyError,
    # Not found.
    RecordNotFoundError,
    ObjectNotFoundError,
    DIDNotFoundError,
    MethodNotSupportedError,
)
"""Errors that answer the question asked with "no": exit 1."""

_MALFORMED_LOG = frozenset({"invalidLogEntry"})
"""did:agora log codes that mean the log could not be read at all (not JSON,
not shaped like a log): unusable input, as a credential that cannot be parsed."""


_NEGATIVE_CODES = frozenset(
    {
        # A message that can be read but does not hold: its envelope or
        # signature fails, it is not for us, or its sender is not proven.
        "decryptionFailed",
        "notForYou",
        "recipientKeyMismatch",
        "senderKeyNotInDocument",
        "skidMismatch",
        "fromMismatch",
        "signatureInvalid",
        "signerNotSender",
        "messageExpired",
        "invalidFromPrior",
        "unresolvableDid",
        "messageNotFound",
    }
)
"""Codes of errors (messaging, inbox) that are negative results: exit 1.
Matched by code, so that this module does not import ssi.messaging."""


def exit_code_for(error: SSIError | UsageError) -> int:
    """Map an error to the exit code of a command that failed with it.

    The same kind of failure has the same code in every command:

    - 1, a negative result: a credential, presentation, proof or did:agora
      log that can be read but does not verify (and is refused for that
      reason), a revoked or suspended credential, a DID document that is not
      valid; a record or DID that is not there, or whose method this wallet
      cannot resolve;
    - 3, a transport failure;
    - 2, everything else: the input, the options or the wallet could not
      be used (unparsable input, a DID or DID URL that is not valid, an
      option the command or resolver cannot honour, a wrong passphrase, no
      wallet, a conflicting record).
    """
    if isinstance(error, TransportError):
        return EXIT_TRANSPORT
    if isinstance(error, InvalidDIDLogError) and error.code in _MALFORMED_LOG:
        return EXIT_USAGE
    if isinstance(error, _NEGATIVE) or (
        isinstance(error, SSIError) and error.code in _NEGATIVE_CODES
    ):
        return EXIT_NEGATIVE
    return EXIT_USAGE


# --- Command groups, imported when used ---------------------------------------------


def _init() -> typer.Typer:
    from wallet_cli.commands import wallet

    single = typer.Typer(add_completion=False, rich_markup_mode=None)
    single.command("init")(wallet.init)
    return single


def _did() -> typer.Typer:
    from wallet_cli.commands import did, did_agora

    did_agora.register(did.app)
    return did.app


def _key() -> typer.Typer:
    from wallet_cli.commands import keys

    return keys.app


def _vc() -> typer.Typer:
    from wallet_cli.commands import credential

    return credential.vc_app


def _community() -> typer.Typer:
    from wallet_cli.commands import community

    return community.app


def _post() -> typer.Typer:
    from wallet_cli.commands import post

    return post.app


def _constitution() -> typer.Typer:
    from wallet_cli.commands import constitution

    return constitution.app


def _proposal() -> typer.Typer:
    from wallet_cli.commands import proposal

    return proposal.app


def _vote() -> typer.Typer:
    from wallet_cli.commands import vote

    single = typer.Typer(add_completion=False, rich_markup_mode=None)
    single.command("vote")(vote.vote)
    return single


def _delegate() -> typer.Typer:
    from wallet_cli.commands import vote

    return vote.delegate_app


def _tally() -> typer.Typer:
    from wallet_cli.commands import tally

    return tally.app


def _vp() -> typer.Typer:
    from wallet_cli.commands import presentation

    return presentation.vp_app


def _status() -> typer.Typer:
    from wallet_cli.commands import status

    return status.app


def _feed() -> typer.Typer:
    from wallet_cli.commands import feed

    single = typer.Typer(add_completion=False, rich_markup_mode=None)
    single.command("feed")(feed.feed)
    return single


def _mandate() -> typer.Typer:
    from wallet_cli.commands import mandate

    return mandate.app


def _moderation() -> typer.Typer:
    from wallet_cli.commands import moderation, moderation_cases

    moderation_cases.register(moderation.app)
    return moderation.app


def _store() -> typer.Typer:
    from wallet_cli.commands import store

    return store.app


def _msg() -> typer.Typer:
    from wallet_cli.commands import msg

    return msg.app


def _contact() -> typer.Typer:
    from wallet_cli.commands import contact

    return contact.app


def _qr() -> typer.Typer:
    from wallet_cli.commands import qr

    return qr.app


def _bundle() -> typer.Typer:
    from wallet_cli.commands import bundle

    return bundle.app


def _hub() -> typer.Typer:
    from wallet_cli.commands import hub

    return hub.app


def _resolver() -> typer.Typer:
    from wallet_cli.commands import resolver

    return resolver.app


def _backup() -> typer.Typer:
    from wallet_cli.commands import wallet

    return wallet.backup_app


def _passphrase() -> typer.Typer:
    from wallet_cli.commands import wallet

    return wallet.passphrase_app


@dataclass(frozen=True, slots=True)
class _Entry:
    summary: str
    load: Callable[[], typer.Typer]
    group: bool = True


COMMANDS: dict[str, _Entry] = {
    "init": _Entry(
        "Create an empty, encrypted wallet (a new passphrase is asked twice).",
        _init,
        group=False,
    ),
    "did": _Entry("Work with decentralized identifiers (DIDs).", _did),
    "key": _Entry("Keys in the wallet.", _key),
    "vc": _Entry("Verifiable credentials.", _vc),
    "community": _Entry(
        "Communities: admit members with credentials, revoke them, publish "
        "status lists.",
        _community,
    ),
    "post": _Entry(
        "Posts: write, retract and react with a DID of the wallet; show and "
        "verify posts.",
        _post,
    ),
    "constitution": _Entry(
        "Constitutions: draft a community's rules from TOML, show rules and "
        "constitutions, list a community's versions.",
        _constitution,
    ),
    "proposal": _Entry(
        "Proposals: put a decision to a vote with a DID of the wallet, signal "
        "support, show a proposal.",
        _proposal,
    ),
    "vote": _Entry("Cast a signed ballot on a proposal.", _vote, group=False),
    "delegate": _Entry(
        "Delegation: let another member's ballots carry your weight, or take it back.",
        _delegate,
    ),
    "tally": _Entry(
        "Tallies: count a proposal from its signed inputs, recount one, show "
        "one, prove a ballot was counted.",
        _tally,
    ),
    "mandate": _Entry(
        "Moderator mandates: issue one to an elected member, show one, check "
        "that one holds.",
        _mandate,
    ),
    "moderation": _Entry(
        "Moderation: report posts, label them, appeal and judge appeals; show "
        "the community's cases.",
        _moderation,
    ),
    "vp": _Entry("Verifiable presentations.", _vp),
    "status": _Entry(
        "Status lists (revocation, suspension) of other issuers.", _status
    ),
    "feed": _Entry(
        "Show the threads of the object store as a tree.",
        _feed,
        group=False,
    ),
    "store": _Entry(
        "The object store: verified public objects by CID, with indexes.", _store
    ),
    "contact": _Entry(
        "Contacts: your own names (petnames) for other people's DIDs.", _contact
    ),
    "msg": _Entry(
        "Private messages between DIDs (DIDComm v2): send, read, and a hub inbox.",
        _msg,
    ),
    "qr": _Entry(
        "QR codes: carry a small object (a DID log, a credential, a post) as "
        "one or more codes.",
        _qr,
    ),
    "bundle": _Entry(
        "Bundles: objects with everything that verifies them, in one file.", _bundle
    ),
    "hub": _Entry("Run a hub, or push objects to one.", _hub),
    "resolver": _Entry(
        "Serve DID resolution over HTTP (the DIF Universal Resolver's interface).",
        _resolver,
    ),
    "backup": _Entry("Encrypted backups of the whole wallet.", _backup),
    "passphrase": _Entry("The wallet passphrase.", _passphrase),
}
"""The root's commands in the order of ``agora --help``, with their summaries."""


def first_sentence(help_text: str | None) -> str:
    """Return the first sentence of a help text, whole (never cut to a width)."""
    paragraph = (help_text or "").split("\n\n", 1)[0]
    words: list[str] = []
    for word in paragraph.split():
        words.append(word)
        if word.endswith("."):
            break
    return " ".join(words)


@functools.cache
def load_command(name: str) -> TyperCommand | TyperGroup:
    """Import and build the root's command ``name`` (once per process).

    Raises:
        KeyError: ``name`` is not one of :data:`COMMANDS`.
    """
    entry = COMMANDS[name]
    sub_app = entry.load()
    built = get_group(sub_app) if entry.group else get_command(sub_app)
    assert isinstance(built, TyperCommand | TyperGroup)  # noqa: S101 - typer's own types
    built.name = name
    _prepare(built)
    return built


def _prepare(command: TyperCommand | TyperGroup) -> None:
    """Give every command its whole summary and let it take the root ``--json``."""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            if isinstance(sub, TyperCommand | TyperGroup):
                sub.short_help = sub.short_help or first_sentence(sub.help)
                _prepare(sub)
        return
    if command.callback is not None and any(
        param.name == "json_mode" for param in command.params
    ):
        command.callback = _with_root_json(command.callback)


def _with_root_json(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        state = _invocation.get()
        if state is not None and state.json_root:
            kwargs["json_mode"] = True
        return callback(*args, **kwargs)

    return run


# --- One invocation: --json, --debug, failures ------------------------------------


@dataclass(slots=True)
class _Invocation:
    """What one run of ``agora`` was asked for, beyond its command's options."""

    json_errors: bool
    debug: bool
    json_root: bool = False


_invocation: ContextVar[_Invocation | None] = ContextVar(
    "agora_invocation", default=None
)


def _before_separator(args: Sequence[str]) -> list[str]:
    return list(args[: args.index("--")] if "--" in args else args)


def _without_debug(args: Sequence[str]) -> tuple[list[str], bool]:
    """Take ``--debug`` from anywhere before ``--``; say whether it was there."""
    head = _before_separator(args)
    rest = list(args[len(head) :])
    kept = [arg for arg in head if arg != "--debug"]
    return kept + rest, len(kept) != len(head)


def _failed(error: SSIError | UsageError, state: _Invocation) -> int:
    from wallet_cli.output import Output

    out = Output(json_mode=state.json_errors)
    if out.json_mode:
        out.problem(error.to_problem())
    else:
        out.error(error.code, error.detail)
    return exit_code_for(error)


def _usage_failed(error: typer.TyperException, state: _Invocation) -> int:
    """Show a usage error from the command line parser: exit 2."""
    from wallet_cli.output import Output

    out = Output(json_mode=state.json_errors)
    if out.json_mode:
        out.problem(
            {
                "type": PROBLEM_TYPE_BASE + "invalidUsage",
                "title": "Invalid usage",
                "detail": error.format_message(),
                "code": "invalidUsage",
            }
        )
    else:
        show: Callable[..., None] | None = getattr(error, "show", None)
        if show is None:
            out.notice(f"Error: {error.format_message()}")
        else:
            # The parser's own layout (usage, hint, message), escaped as a whole.
            text = io.StringIO()
            show(file=text)
            out.notice(text.getvalue())
    return EXIT_USAGE


class _AgoraGroup(TyperGroup):
    """The root group: lists the command groups without importing them, and
    turns every failure into one message (or JSON problem) and its exit code.

    Handling failures in :meth:`main` rather than in :func:`main` gives
    in-process callers (``CliRunner``) the same output and exit codes as the
    ``agora`` command.
    """

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return list(COMMANDS)

    def get_command(  # type: ignore[override]
        self, ctx: typer.Context, cmd_name: str
    ) -> TyperCommand | TyperGroup | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        with formatter.section("Commands"):
            formatter.write_dl([(name, e.summary) for name, e in COMMANDS.items()])

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        argv, debug = _without_debug(given)
        state = _Invocation(
            json_errors="--json" in _before_separator(argv), debug=debug
        )
        token = _invocation.set(state)
        try:
            code = self._run(argv, prog_name, complete_var, state, extra)
        finally:
            _invocation.reset(token)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(
        self,
        argv: list[str],
        prog_name: str | None,
        complete_var: str | None,
        state: _Invocation,
        extra: dict[str, Any],
    ) -> int:
        try:
            result = super().main(
                args=argv,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except ResultShown as shown:
            return exit_code_for(shown.error)
        except (SSIError, UsageError) as exc:
            if state.debug:
                raise
            return _failed(exc, state)
        except typer.Abort:
            from wallet_cli.output import Output

            Output().notice("Aborted!")
            return EXIT_NEGATIVE
        except typer.TyperException as exc:
            return _usage_failed(exc, state)
        return result if isinstance(result, int) else EXIT_OK


app = typer.Typer(
    name="agora",
    cls=_AgoraGroup,
    help="Agora: identities, credentials and a social layer you control.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"max_content_width": 120},
)


def _version() -> str:
    # Imported here: only --version needs it, and it costs --help 20-40 ms.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agora-ssi")
    except PackageNotFoundError:
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        # Our own text, written without loading rich (see wallet_cli.output).
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
    json_mode: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Write one JSON document to stdout, and errors as JSON problem "
            "documents on stderr (as the command's own --json).",
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Show the traceback of a failure instead of one line (accepted "
            "anywhere on the command line).",
        ),
    ] = False,
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

    Exit status: 0 ok, 1 not verified or not found, 2 unusable input or
    usage, 3 network failure. See docs/cli.md.

    Example: agora --home ./wallet did create --alias alice
    """
    from wallet_cli.session import Session

    state = _invocation.get()
    if state is not None:
        state.json_root = json_mode
        # main() takes --debug from the command line before it is parsed, so
        # it only arrives here when the group is invoked some other way.
        state.debug = state.debug or debug
    ctx.obj = Session(home_option=home, passphrase_file=passphrase_file)


def main() -> None:
    """Run the ``agora`` command; each failure becomes one line on stderr.

    ``--debug`` anywhere on the command line shows the traceback instead.
    """
    app()
