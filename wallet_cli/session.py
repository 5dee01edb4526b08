"""Opening the wallet: where it lives, where passphrases come from, and prompts.

This is the one module that reads passphrases and asks questions. Sources, in
the order they are tried:

- the wallet passphrase: ``--passphrase-file FILE`` (a root option), then
  ``AGORA_PASSPHRASE``, then a prompt (asked twice when a wallet is created);
- the new passphrase of ``agora passphrase change``: ``--new-passphrase-file``,
  then ``AGORA_NEW_PASSPHRASE``, then a prompt (asked twice);
- a backup's passphrase: ``--backup-passphrase-file``, then
  ``AGORA_BACKUP_PASSPHRASE``, then the wallet's passphrase.

A passphrase file gives its first line, without the line break. An empty
environment variable counts as unset. When nothing gives a passphrase and
standard input is not a terminal, the command fails at once (exit 2) instead
of waiting for input that will never come.

The wallet is opened at most once per command (one Argon2id derivation), and
only when it is needed. Commands that verify or resolve (``vc verify``,
``vc store``, ``vp verify``, ``did resolve``, ``did dereference``) look for
did:agora logs and status lists in the files given with ``--log`` and
``--status-list`` first, and open the wallet only for one those do not hold,
or for an alias; without a terminal and without a passphrase they do not
open it, and the "not found" message says how to give the evidence. A DID
that holds ``:`` is never taken for an alias.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import typer

from ssi.agora import FileLogSource, LogSource, split_lines
from ssi.agora.lines import MAX_LOG_BYTES
from ssi.did.resolution import Resolver
from ssi.errors import (
    DIDNotFoundError,
    SSIError,
    StatusRetrievalError,
    WalletExistsError,
    WalletNotFoundError,
)
from ssi.methods import default_methods
from ssi.status import BitstringStatusChecker, MemoryStatusSource
from ssi.types import JsonObject, JsonValue
from ssi.wallet import (
    KDFParams,
    Wallet,
    WalletLogSource,
    WalletStatusSource,
    default_home,
)
from ssi.wallet.storage import WALLET_FILE
from wallet_cli.commands.inputs import read_bytes, read_json
from wallet_cli.errors import UsageError

__all__ = [
    "BACKUP_PASSPHRASE_ENV",
    "NEW_PASSPHRASE_ENV",
    "PASSPHRASE_ENV",
    "Session",
    "ask_yes_no",
    "backup_passphrase",
    "confirm",
    "from_context",
    "read_status_list",
    "require_confirmation",
    "stdin_is_interactive",
]

# Names of environment variables, not secrets.
PASSPHRASE_ENV = "AGORA_PASSPHRASE"  # noqa: S105
NEW_PASSPHRASE_ENV = "AGORA_NEW_PASSPHRASE"  # noqa: S105
BACKUP_PASSPHRASE_ENV = "AGORA_BACKUP_PASSPHRASE"  # noqa: S105

_MAX_PASSPHRASE_FILE = 64 * 1024
_ALIAS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""The wallet's alias syntax (see ssi.wallet)."""


def stdin_is_interactive() -> bool:
    """True when standard input is a terminal someone can type into."""
    return sys.stdin.isatty()


@dataclass(slots=True)
class Session:
    """The root options that say which wallet to open and how to unlock it.

    The wallet is opened (one Argon2id derivation) at most once per command,
    and only when it is needed: a command that works on the wallet opens it;
    a command that verifies or resolves opens it only to look for a did:agora
    log, a status list or an alias that the files given on the command line
    do not hold.

    Args:
        home_option: ``--home``; ``None`` means ``$AGORA_HOME`` or ``~/.agora``.
        passphrase_file: ``--passphrase-file``.
    """

    home_option: Path | None = None
    passphrase_file: Path | None = None
    _wallet: Wallet | None = field(default=None, repr=False, compare=False)
    _passphrase: str | None = field(default=None, repr=False, compare=False)
    _evidence_failure: Exception | None = field(default=None, repr=False, compare=False)
    _evidence_tried: bool = field(default=False, repr=False, compare=False)

    @property
    def home(self) -> Path:
        """The wallet directory, as an absolute path."""
        home = self.home_option if self.home_option is not None else default_home()
        return home.expanduser().absolute()

    @property
    def wallet_exists(self) -> bool:
        """True when :attr:`home` holds a wallet (it is not opened)."""
        return (self.home / WALLET_FILE).exists()

    def create(self, kdf: KDFParams) -> Wallet:
        """Create a wallet in :attr:`home`, asking for its passphrase twice.

        Raises:
            WalletExistsError: the directory already holds a wallet.
            UsageError: no passphrase could be had.
        """
        if self.wallet_exists:
            raise WalletExistsError(f"{self.home} already holds a wallet.")
        passphrase = self._wallet_passphrase(twice=True)
        return Wallet.create(self.home, passphrase, kdf=kdf)

    def open(self) -> Wallet:
        """Open the wallet in :attr:`home`, or return the one already opened.

        Raises:
            WalletNotFoundError: there is no wallet (checked before asking).
            WrongPassphraseError: the passphrase does not open it.
            UsageError: no passphrase could be had.
        """
        return self.unlock()[0]

    def unlock(self) -> tuple[Wallet, str]:
        """Open the wallet (once) and also return the passphrase that opened it.

        Raises:
            As :meth:`open`.
        """
        if self._wallet is None or self._passphrase is None:
            self._require_wallet()
            passphrase = self._wallet_passphrase(twice=False)
            self._wallet = Wallet.open(self.home, passphrase)
            self._passphrase = passphrase
        return self._wallet, self._passphrase

    def new_passphrase(self, file: Path | None) -> str:
        """Return the new passphrase for ``agora passphrase change``.

        Raises:
            UsageError: no new passphrase could be had, or the two typed differ.
        """
        return _passphrase(
            file,
            NEW_PASSPHRASE_ENV,
            option="--new-passphrase-file",
            prompt="New passphrase",
            twice=True,
        )

    def _wallet_passphrase(self, *, twice: bool) -> str:
        return _passphrase(
            self.passphrase_file,
            PASSPHRASE_ENV,
            option="--passphrase-file",
            prompt=("New passphrase for the wallet in " if twice else "Passphrase for ")
            + str(self.home),
            twice=twice,
        )

    # --- DIDs and aliases ---------------------------------------------------

    def did_for(self, text: str) -> str:
        """Return the DID that ``text`` names: a DID (or URL) as it is, else the
        DID of the wallet with that alias.

        An alias never holds ``:``, so text with ``:`` (and text that is not an
        alias either, or any text when there is no wallet) is taken as it is
        and the wallet is not opened.

        Raises:
            RecordNotFoundError: no DID of the wallet has that alias.
            WalletNotFoundError, WrongPassphraseError, UsageError: as :meth:`open`.
        """
        if ":" in text or _ALIAS.fullmatch(text) is None or not self.wallet_exists:
            return text
        return self.open().did(text).did

    # --- Evidence: did:agora logs and status lists ----------------------------

    def evidence_wallet(self) -> Wallet | None:
        """Return the wallet for finding logs and status lists, opening it if
        needed; ``None`` when there is none or it cannot be opened.

        The passphrase is asked for only when standard input is a terminal.
        A failure to open is remembered: see :meth:`raise_evidence_failure`.
        """
        if self._wallet is not None:
            return self._wallet
        if self._evidence_tried or not self.wallet_exists:
            return None
        self._evidence_tried = True
        if not self._passphrase_at_hand():
            return None
        try:
            return self.open()
        except (SSIError, UsageError) as exc:
            self._evidence_failure = exc
            return None

    def raise_evidence_failure(self) -> None:
        """Raise the error that kept evidence from being read: the wallet could
        not be opened when it was needed (a wrong passphrase, say), or a
        ``--log`` file failed to read; do nothing otherwise.

        Raises:
            WrongPassphraseError, WalletError, InvalidDIDLogError, UsageError:
                that error.
        """
        failure = self._evidence_failure
        if failure is not None:
            self._evidence_failure = None
            raise failure

    def _remember(self, failure: Exception) -> None:
        if self._evidence_failure is None:
            self._evidence_failure = failure

    def _passphrase_at_hand(self) -> bool:
        return (
            self.passphrase_file is not None
            or bool(os.environ.get(PASSPHRASE_ENV))
            or stdin_is_interactive()
        )

    def _missing(self, what: str, option: str, command: str, *, given: bool) -> str:
        """The end of a "not found" message: where else to look, and how."""
        where = f"in the {option} files given" if given else f"given with {option}"
        if self._wallet is not None:
            return (
                f"no {what} {where} or in the wallet: give it with {option} FILE, "
                f"or keep it in the wallet with `{command}`."
            )
        if not self.wallet_exists:
            return f"no {what} {where}: give it with {option} FILE."
        if self._evidence_failure is not None:
            return (
                f"no {what} {where}, and the wallet could not be opened to look "
                f"there: give it with {option} FILE."
            )
        return (
            f"no {what} {where}, and the wallet was not searched because no "
            f"passphrase was given: give it with {option} FILE, or set "
            f"{PASSPHRASE_ENV} or use --passphrase-file (standard input is not a "
            "terminal, so agora cannot ask)."
        )

    def resolver(self, logs: list[Path] | None = None) -> Resolver:
        """Return a resolver for did:key, did:jwk and did:agora, nothing remote.

        did:agora logs come from the ``--log`` files or folders given, checked
        here, and, for a DID they do not hold, from the wallet (opened then, if
        it exists; see :meth:`evidence_wallet`).

        Raises:
            UsageError: a ``--log`` path does not exist or cannot be opened.
            InvalidDIDLogError, LogTooLargeError: a ``--log`` file is not a
                readable log (the code of the fault, the file and the line).
        """
        files: list[LogSource] = []
        for path in logs or []:
            if not path.exists():
                raise UsageError(
                    "unusableInput", f"there is no log file or folder {path}."
                )
            files_here = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
            for file in (f for f in files_here if f.is_file() or f is path):
                _check_log_file(file)
            files.append(FileLogSource(path))
        source = _EvidenceLogs(files, self)
        return Resolver(default_methods(agora_sources=[source]), cache_ttl=0)

    def status_checker(self, lists: list[Path] | None = None) -> BitstringStatusChecker:
        """Return a status checker over the ``--status-list`` files given and,
        for a list they do not hold, the wallet's lists (its communities' and
        those imported with ``agora status import``). Nothing is fetched from
        the network.

        Raises:
            UsageError: a list file cannot be read, is not strict JSON, or is not
                a status list credential.
        """
        documents: dict[str, JsonObject] = {}
        for path in lists or []:
            document = read_status_list(path)
            documents[str(document["id"])] = document
        return BitstringStatusChecker(_EvidenceStatus(documents, self))

    def _require_wallet(self) -> None:
        if not self.wallet_exists:
            raise WalletNotFoundError(
                f"there is no wallet in {self.home}; create one with `agora init`."
            )


def read_status_list(path: Path | str) -> JsonObject:
    """Read a status list credential from a file (or ``-``), strictly.

    Raises:
        UsageError: unreadable, not strict JSON, or not a credential with an id.
    """
    document = read_json(path, what="the status list")
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("id"), str)
        or not isinstance(document.get("credentialSubject"), dict)
    ):
        raise UsageError("unusableInput", f"{path} is not a status list credential.")
    return document


class _EvidenceLogs:
    """did:agora logs from the ``--log`` files, else from the wallet."""

    def __init__(self, files: list[LogSource], session: Session) -> None:
        self._files = files
        self._session = session

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        found: list[list[JsonValue]] = []
        for source in self._files:
            try:
                found.extend(source.logs_for(did))
            except SSIError as exc:
                # A --log file that cannot be read is unusable input, not a
                # DID that failed to resolve: the command fails with it.
                self._session._remember(exc)
                raise
        if found:
            return found
        wallet = self._session.evidence_wallet()
        if wallet is not None:
            found = WalletLogSource(wallet).logs_for(did)
            if found:
                return found
        raise DIDNotFoundError(
            self._session._missing(
                f"log for {did}",
                "--log",
                "agora did log import FILE",
                given=bool(self._files),
            )
        )


class _EvidenceStatus:
    """Status lists from the ``--status-list`` files, else from the wallet."""

    def __init__(self, documents: dict[str, JsonObject], session: Session) -> None:
        self._files = MemoryStatusSource(documents)
        self._given = bool(documents)
        self._session = session

    def get(self, url: str) -> JsonObject:
        with contextlib.suppress(StatusRetrievalError):
            return self._files.get(url)
        wallet = self._session.evidence_wallet()
        if wallet is not None:
            with contextlib.suppress(StatusRetrievalError):
                return WalletStatusSource(wallet).get(url)
        raise StatusRetrievalError(
            self._session._missing(
                f"status list {url[:120]}",
                "--status-list",
                "agora status import FILE",
                given=self._given,
            )
        )


def _check_log_file(path: Path) -> None:
    """Refuse, before any resolution, a ``--log`` file that cannot be read,
    with the did:agora reader's code and message (``cannot read FILE: <reason>
    at line N.``).

    Raises:
        UsageError: the file cannot be opened.
        InvalidDIDLogError, LogTooLargeError: it is not a readable log.
    """
    data = read_bytes(path, limit=MAX_LOG_BYTES)
    split_lines(data, source=str(path))


def from_context(ctx: typer.Context) -> Session:
    """Return the session the root callback left on the context."""
    found = ctx.find_object(Session)
    return found if found is not None else Session()


def backup_passphrase(file: Path | None, wallet_passphrase: str) -> str:
    """Return a backup's passphrase: its own if given, else the wallet's.

    Raises:
        UsageError: the passphrase file cannot be used.
    """
    if file is not None:
        return _first_line(file)
    return os.environ.get(BACKUP_PASSPHRASE_ENV) or wallet_passphrase


def require_confirmation(*, yes: bool, action: str) -> None:
    """Fail now if a confirmation will be needed and nobody can give it.

    Raises:
        UsageError: no ``--yes`` and standard input is not a terminal.
    """
    if not yes and not stdin_is_interactive():
        raise UsageError(
            "confirmationRequired",
            f"{action} needs a confirmation: run it in a terminal, or pass --yes.",
        )


def confirm(expected: str, *, yes: bool, action: str) -> None:
    """Ask the person to type ``expected`` before ``action``, unless ``yes``.

    Raises:
        UsageError: no way to ask, or what was typed differs.
    """
    require_confirmation(yes=yes, action=action)
    if yes:
        return
    typed = typer.prompt(
        f"{action}: type {expected} to confirm",
        default="",
        show_default=False,
        err=True,
    )
    if typed != expected:
        raise UsageError("notConfirmed", f"not confirmed; {action} did not happen.")


def ask_yes_no(*, yes: bool, action: str) -> None:
    """Ask "action? [y/N]" before ``action``, unless ``yes``.

    Raises:
        UsageError: no way to ask, or the answer is not yes.
    """
    require_confirmation(yes=yes, action=action)
    if yes:
        return
    if not typer.confirm(f"Go on with {action}?", default=False, err=True):
        raise UsageError("notConfirmed", f"not confirmed; {action} did not happen.")


def _passphrase(
    file: Path | None, env: str, *, option: str, prompt: str, twice: bool
) -> str:
    if file is not None:
        return _first_line(file)
    from_env = os.environ.get(env)
    if from_env:
        return from_env
    if not stdin_is_interactive():
        raise UsageError(
            "noPassphrase",
            f"no passphrase given: set {env} or use {option} "
            "(standard input is not a terminal, so agora cannot ask).",
        )
    first: str = typer.prompt(prompt, hide_input=True, err=True)
    if twice:
        again: str = typer.prompt("Repeat it to confirm", hide_input=True, err=True)
        if again != first:
            raise UsageError(
                "passphraseMismatch", "the two passphrases differ; nothing changed."
            )
    return first


def _first_line(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_PASSPHRASE_FILE)
    except OSError as exc:
        raise UsageError(
            "unusableInput",
            f"cannot read the passphrase file {path}: {exc.strerror or exc}.",
        ) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            "unusableInput", f"the passphrase file {path} is not UTF-8 text."
        ) from exc
    line = text.split("\n", 1)[0].removesuffix("\r")
    if not line:
        raise UsageError(
            "emptyPassphrase", f"the first line of the passphrase file {path} is empty."
        )
    return line
