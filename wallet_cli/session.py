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
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import typer

from ssi.agora import AgoraMethod, FileLogSource, LogSource
from ssi.did.methods import JWKMethod, KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.errors import WalletExistsError, WalletNotFoundError
from ssi.status import (
    BitstringStatusChecker,
    ChainStatusSource,
    MemoryStatusSource,
    StatusSource,
)
from ssi.types import JsonObject
from ssi.wallet import (
    KDFParams,
    Wallet,
    WalletLogSource,
    WalletStatusSource,
    default_home,
)
from ssi.wallet.storage import WALLET_FILE
from wallet_cli.errors import UsageError

__all__ = [
    "BACKUP_PASSPHRASE_ENV",
    "NEW_PASSPHRASE_ENV",
    "PASSPHRASE_ENV",
    "Session",
    "backup_passphrase",
    "confirm",
    "from_context",
    "require_confirmation",
    "stdin_is_interactive",
]

# Names of environment variables, not secrets.
PASSPHRASE_ENV = "AGORA_PASSPHRASE"  # noqa: S105
NEW_PASSPHRASE_ENV = "AGORA_NEW_PASSPHRASE"  # noqa: S105
BACKUP_PASSPHRASE_ENV = "AGORA_BACKUP_PASSPHRASE"  # noqa: S105

_MAX_PASSPHRASE_FILE = 64 * 1024


def stdin_is_interactive() -> bool:
    """True when standard input is a terminal someone can type into."""
    return sys.stdin.isatty()


@dataclass(frozen=True, slots=True)
class Session:
    """The root options that say which wallet to open and how to unlock it.

    Args:
        home_option: ``--home``; ``None`` means ``$AGORA_HOME`` or ``~/.agora``.
        passphrase_file: ``--passphrase-file``.
    """

    home_option: Path | None = None
    passphrase_file: Path | None = None
    _opened: Wallet | None = field(default=None, repr=False, compare=False)

    @property
    def home(self) -> Path:
        """The wallet directory, as an absolute path."""
        home = self.home_option if self.home_option is not None else default_home()
        return home.expanduser().absolute()

    def create(self, kdf: KDFParams) -> Wallet:
        """Create a wallet in :attr:`home`, asking for its passphrase twice.

        Raises:
            WalletExistsError: the directory already holds a wallet.
            UsageError: no passphrase could be had.
        """
        if (self.home / WALLET_FILE).exists():
            raise WalletExistsError(f"{self.home} already holds a wallet.")
        passphrase = self._wallet_passphrase(twice=True)
        return Wallet.create(self.home, passphrase, kdf=kdf)

    def open(self) -> Wallet:
        """Open the wallet in :attr:`home`.

        Raises:
            WalletNotFoundError: there is no wallet (checked before asking).
            WrongPassphraseError: the passphrase does not open it.
            UsageError: no passphrase could be had.
        """
        return self.unlock()[0]

    def unlock(self) -> tuple[Wallet, str]:
        """Open the wallet and also return the passphrase that opened it.

        Raises:
            As :meth:`open`.
        """
        self._require_wallet()
        passphrase = self._wallet_passphrase(twice=False)
        wallet = Wallet.open(self.home, passphrase)
        object.__setattr__(self, "_opened", wallet)  # a cache on a frozen record
        return wallet, passphrase

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

    def resolver(self, logs: list[Path] | None = None) -> Resolver:
        """Return a resolver that also finds did:agora logs: in the ``--log``
        files or folders given, and in the wallet when one exists and a
        passphrase is at hand without asking (file or environment).

        Raises:
            UsageError: a ``--log`` path does not exist.
            WrongPassphraseError: the passphrase given does not open the wallet.
        """
        sources: list[LogSource] = []
        for path in logs or []:
            if not path.exists():
                raise UsageError(
                    "unusableInput", f"there is no log file or folder {path}."
                )
            sources.append(FileLogSource(path))
        if (self.home / WALLET_FILE).exists() and (
            self.passphrase_file is not None or os.environ.get(PASSPHRASE_ENV)
        ):
            sources.append(WalletLogSource(self._opened or self.open()))
        return Resolver(
            MethodRegistry([KeyMethod(), JWKMethod(), AgoraMethod(sources)]),
            cache_ttl=0,
        )

    def status_checker(self, lists: list[Path] | None = None) -> BitstringStatusChecker:
        """Return a status checker over the ``--status-list`` files given and,
        when the wallet can be opened without asking, the lists of the wallet's
        communities. Nothing is fetched from the network.

        Raises:
            UsageError: a list file cannot be read or is not a JSON object.
        """
        documents: dict[str, JsonObject] = {}
        for path in lists or []:
            try:
                document = json.loads(path.read_bytes())
            except (OSError, ValueError) as exc:
                raise UsageError(
                    "unusableInput", f"cannot read the status list {path}."
                ) from exc
            if not isinstance(document, dict) or not isinstance(
                document.get("id"), str
            ):
                raise UsageError(
                    "unusableInput", f"{path} is not a status list credential."
                )
            documents[document["id"]] = document
        sources: list[StatusSource] = [MemoryStatusSource(documents)]
        if (self.home / WALLET_FILE).exists() and (
            self.passphrase_file is not None or os.environ.get(PASSPHRASE_ENV)
        ):
            sources.append(WalletStatusSource(self._opened or self.open()))
        return BitstringStatusChecker(ChainStatusSource(sources))

    def _require_wallet(self) -> None:
        if not (self.home / WALLET_FILE).exists():
            raise WalletNotFoundError(
                f"there is no wallet in {self.home}; create one with `agora init`."
            )


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
