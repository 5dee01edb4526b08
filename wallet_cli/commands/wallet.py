"""``agora init``, ``agora passphrase change`` and ``agora backup``: the wallet itself.

Where the wallet lives and where passphrases come from is decided in
:mod:`wallet_cli.session`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ssi.errors import WrongPassphraseError
from ssi.wallet import KDFParams
from wallet_cli import session
from wallet_cli.errors import UsageError
from wallet_cli.output import Output

__all__ = ["backup_app", "init", "passphrase_app"]

passphrase_app = typer.Typer(
    help="The wallet passphrase.", no_args_is_help=True, rich_markup_mode=None
)
backup_app = typer.Typer(
    help="Encrypted backups of the whole wallet.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Write one JSON document to stdout.")
]


class KDFProfile(StrEnum):
    """Named Argon2id cost profiles."""

    STANDARD = "standard"
    TEST = "test"


_KDF_HELP = (
    "Key derivation cost: standard (Argon2id, 128 MiB, about 0.25 s per "
    "unlock) or test (cheap; ONLY for automated tests, never for real keys)."
)

BackupPassphraseFile = Annotated[
    Path | None,
    typer.Option(
        "--backup-passphrase-file",
        metavar="FILE",
        help="Read the backup's passphrase from the first line of this file "
        "(default: $AGORA_BACKUP_PASSPHRASE, else the wallet's passphrase).",
        show_default=False,
    ),
]


def init(
    ctx: typer.Context,
    kdf_profile: Annotated[
        KDFProfile, typer.Option("--kdf-profile", help=_KDF_HELP)
    ] = KDFProfile.STANDARD,
    json_mode: JsonOption = False,
) -> None:
    """Create an empty, encrypted wallet (a new passphrase is asked twice).

    The wallet goes to --home, else $AGORA_HOME, else ~/.agora.

    Example: agora init
    """
    out = Output(json_mode=json_mode)
    wallet = session.from_context(ctx).create(KDFParams.profile(kdf_profile.value))
    if json_mode:
        out.json({"home": str(wallet.home), "kdfProfile": kdf_profile.value})
        return
    out.panel(
        "wallet created",
        [
            ("home", str(wallet.home)),
            ("KDF profile", kdf_profile.value),
            ("next", "agora did create --alias NAME"),
        ],
    )


@passphrase_app.command("change")
def change(
    ctx: typer.Context,
    new_passphrase_file: Annotated[
        Path | None,
        typer.Option(
            "--new-passphrase-file",
            metavar="FILE",
            help="Read the new passphrase from the first line of this file "
            "(default: $AGORA_NEW_PASSPHRASE, else a prompt, asked twice).",
            show_default=False,
        ),
    ] = None,
    kdf_profile: Annotated[
        KDFProfile | None,
        typer.Option(
            "--kdf-profile",
            help="Also change the key derivation cost (default: keep it). " + _KDF_HELP,
            show_default=False,
        ),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Re-encrypt the wallet under a new passphrase (the old one stops working).

    Example: agora passphrase change
    """
    out = Output(json_mode=json_mode)
    current = session.from_context(ctx)
    wallet = current.open()
    new = current.new_passphrase(new_passphrase_file)
    kdf = KDFParams.profile(kdf_profile.value) if kdf_profile is not None else None
    wallet.change_passphrase(new, kdf=kdf)
    if json_mode:
        out.json({"home": str(wallet.home), "passphraseChanged": True})
        return
    out.panel("passphrase changed", [("home", str(wallet.home))])


@backup_app.command("export")
def export(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The backup file to write.")
    ],
    backup_passphrase_file: BackupPassphraseFile = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it exists.")
    ] = False,
    json_mode: JsonOption = False,
) -> None:
    """Write every key, DID and credential to one encrypted backup file.

    Example: agora backup export ~/agora-backup.json
    """
    out = Output(json_mode=json_mode)
    if file.exists() and not force:
        raise UsageError(
            "fileExists", f"{file} exists; choose another name, or pass --force."
        )
    wallet, passphrase = session.from_context(ctx).unlock()
    records = wallet.export_backup(
        file, session.backup_passphrase(backup_passphrase_file, passphrase)
    )
    if json_mode:
        out.json({"file": str(file), "records": records})
        return
    out.panel("backup written", [("file", str(file)), ("records", str(records))])


@backup_app.command("import")
def import_backup(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The backup file to read.")
    ],
    backup_passphrase_file: BackupPassphraseFile = None,
    json_mode: JsonOption = False,
) -> None:
    """Merge a backup into the wallet; nothing already in the wallet is overwritten.

    Records new to the wallet are added, identical ones left alone, and a
    record whose id or alias holds something else here is listed as a
    conflict and skipped. Exit 0 even when there are conflicts.

    Example: agora backup import ~/agora-backup.json
    """
    out = Output(json_mode=json_mode)
    wallet, passphrase = session.from_context(ctx).unlock()
    try:
        summary = wallet.import_backup(
            file, session.backup_passphrase(backup_passphrase_file, passphrase)
        )
    except WrongPassphraseError as exc:
        raise WrongPassphraseError(
            f"the backup passphrase does not open {file}; give it with "
            f"{session.BACKUP_PASSPHRASE_ENV} or --backup-passphrase-file."
        ) from exc
    if json_mode:
        out.json(summary.to_json())
        return
    out.panel(
        f"backup imported from {file}",
        [
            ("added", str(len(summary.added))),
            ("unchanged", str(len(summary.unchanged))),
            ("conflicts", str(len(summary.conflicts))),
        ],
        ok=not summary.conflicts,
    )
    if summary.conflicts:
        out.table(
            "Conflicts: the wallet's own records were kept",
            ["kind", "record"],
            [record.split("/", 1) for record in summary.conflicts],
        )
