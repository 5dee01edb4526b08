"""``agora did update | rotate | deactivate | log``: manage did:agora DIDs.

The commands join the ``agora did`` group; each appends one signed entry to
the DID's log in the wallet (see docs/did-agora.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ssi.agora import AgoraLog, split_lines
from ssi.agora.lines import MAX_LOG_BYTES
from ssi.types import JsonObject
from ssi.wallet import (
    agora_log,
    deactivate_agora_did,
    import_agora_log,
    rotate_agora_did,
    update_agora_did,
)
from wallet_cli import session
from wallet_cli.commands.credential import ForceOption, check_out_file, write_output
from wallet_cli.commands.did import JsonOption
from wallet_cli.commands.inputs import read_bytes
from wallet_cli.errors import UsageError
from wallet_cli.output import Output

__all__ = ["log_app", "register"]

log_app = typer.Typer(
    help="Export and import did:agora logs.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

DIDArgument = Annotated[
    str, typer.Argument(metavar="DID|ALIAS", help="A did:agora DID of the wallet.")
]


def _summary(
    out: Output,
    title: str,
    log: AgoraLog,
    *,
    extra: JsonObject | None = None,
    note: str | None = None,
) -> None:
    latest = log.latest
    body: JsonObject = {
        "did": log.did,
        "versionId": str(latest.version),
        "versionTime": latest.time_text,
        "deactivated": latest.deactivated,
        "compromisedKeys": sorted(log.compromised),
        **(extra or {}),
    }
    if note is not None:
        body["warning"] = note
    if out.json_mode:
        out.json(body)
        return
    rows = [
        ("DID", log.did),
        ("version", f"{latest.version} at {latest.time_text}"),
    ]
    if latest.deactivated:
        rows.append(("deactivated", "yes"))
    for key in sorted(log.compromised):
        rows.append(("compromised", key))
    if note is not None:
        rows.append(("warning", note))
    out.panel(title, rows)


def _rotated_out(log: AgoraLog) -> dict[str, str]:
    """The verification methods the last entry removed: Multikey by id."""
    if len(log.states) < 2:
        return {}

    def keys(document: JsonObject | None) -> dict[str, str]:
        # Key-agreement keys make no proofs: they are not reported here.
        methods = (document or {}).get("verificationMethod", [])
        agreement = set((document or {}).get("keyAgreement", []))
        return {
            str(m.get("id")): str(m.get("publicKeyMultibase"))
            for m in methods
            if isinstance(m, dict) and m.get("id") not in agreement
        }

    now = keys(log.latest.document)
    before = keys(log.states[-2].document)
    return {key: value for key, value in before.items() if key not in now}


def update(
    ctx: typer.Context,
    reference: DIDArgument,
    add_service: Annotated[
        str | None,
        typer.Option("--add-service", metavar="ID", help="Add a service with this id."),
    ] = None,
    service_type: Annotated[
        str | None,
        typer.Option(
            "--service-type", metavar="TYPE", help="The type of the service to add."
        ),
    ] = None,
    service_endpoint: Annotated[
        str | None,
        typer.Option(
            "--service-endpoint", metavar="URL", help="The URL of the service to add."
        ),
    ] = None,
    remove_service: Annotated[
        list[str] | None,
        typer.Option("--remove-service", metavar="ID", help="Remove a service."),
    ] = None,
    add_key: Annotated[
        bool,
        typer.Option("--add-key", help="Add a new Ed25519 verification key."),
    ] = False,
    new_agreement_key: Annotated[
        bool,
        typer.Option(
            "--new-agreement-key",
            help="Replace the X25519 key-agreement key (messages to the old "
            "one still decrypt: the wallet keeps it).",
        ),
    ] = False,
    json_mode: JsonOption = False,
) -> None:
    """Change a did:agora DID's document: services, verification keys and the
    key-agreement key. A DID without a key-agreement key gets one with any
    update.

    Example: agora did update alice --add-service hub --service-type AgoraHub
    --service-endpoint https://hub.example
    """
    out = Output(json_mode=json_mode)
    services: list[JsonObject] = []
    if add_service is not None:
        if not service_type or not service_endpoint:
            raise UsageError(
                "unusableInput",
                "--add-service needs --service-type and --service-endpoint.",
            )
        name = add_service if add_service.startswith("#") else "#" + add_service
        services.append(
            {"id": name, "type": service_type, "serviceEndpoint": service_endpoint}
        )
    if not services and not remove_service and not add_key and not new_agreement_key:
        raise UsageError(
            "unusableInput",
            "nothing to change: give --add-service, --remove-service, --add-key "
            "or --new-agreement-key.",
        )
    wallet = session.from_context(ctx).open()
    log = update_agora_did(
        wallet,
        reference,
        add_services=services,
        remove_services=remove_service or [],
        add_key=add_key,
        new_agreement_key=new_agreement_key,
    )
    _summary(out, "DID updated", log)


def rotate(
    ctx: typer.Context,
    reference: DIDArgument,
    compromised: Annotated[
        list[str] | None,
        typer.Option(
            "--compromised",
            metavar="KEYID",
            help="Mark a key compromised (a verification method id such as "
            "#key-1, or a Multikey): every proof made with it fails, whatever "
            "its date. Use it after a key was lost or stolen.",
        ),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Rotate a did:agora DID's keys: the committed next update key takes over,
    a new one is committed, and the signing key is replaced.

    The key-agreement key is replaced too; the wallet keeps the old one, to
    read messages sent to it before the rotation.

    A plain rotation is for routine key changes: proofs made with the old
    signing key before the rotation keep verifying (with a warning), as the
    method specification says. That also means whoever holds the old key can
    still make proofs dated before the rotation. If a key was lost or stolen,
    rotate with --compromised KEYID instead: every proof made with that key
    fails, including the ones made before.

    Example: agora did rotate alice --compromised '#key-1'
    """
    out = Output(json_mode=json_mode)
    wallet = session.from_context(ctx).open()
    log = rotate_agora_did(wallet, reference, compromised=compromised or [])
    old = _rotated_out(log)
    plain = [key for key, multikey in old.items() if multikey not in log.compromised]
    note = None
    if plain:
        fragment = plain[0].rsplit("#", 1)[-1]
        note = (
            f"proofs made with {', '.join(plain)} before this rotation still "
            "verify, and whoever holds that key can still date new ones before "
            "it. If the key was lost or stolen, run: agora did rotate "
            f"{reference} --compromised '#{fragment}'"
        )
    _summary(out, "DID rotated", log, extra={"rotatedOutKeys": list(old)}, note=note)


def deactivate(
    ctx: typer.Context,
    reference: DIDArgument,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask for a confirmation.")
    ] = False,
    json_mode: JsonOption = False,
) -> None:
    """Deactivate a did:agora DID for good; later proofs by it fail.

    Example: agora did deactivate alice --yes
    """
    out = Output(json_mode=json_mode)
    current = session.from_context(ctx)
    session.require_confirmation(yes=yes, action="deactivating the DID")
    wallet = current.open()
    record = wallet.did(reference)
    session.confirm(record.alias or record.did, yes=yes, action="deactivating the DID")
    _summary(out, "DID deactivated", deactivate_agora_did(wallet, reference))


@log_app.command("export")
def log_export(
    ctx: typer.Context,
    reference: DIDArgument,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write the log here (an existing file only with --force).",
        ),
    ] = None,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Print a did:agora DID's log as JSON Lines, to publish with what it signs.

    With --json the entries come as one JSON document (``{"entries": [...]}``),
    or, with --out, a summary of what was written.

    Example: agora did log export alice --out alice.jsonl
    """
    out = Output(json_mode=json_mode)
    check_out_file(out_file, force=force)
    wallet = session.from_context(ctx).open()
    entries = agora_log(wallet, reference)
    text = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in entries)
    if out_file is not None:
        write_output(out_file, text.encode("utf-8"), force=force)
        if json_mode:
            out.json({"entries": len(entries), "out": str(out_file)})
        return
    if json_mode:
        out.json({"entries": entries})
        return
    out.data(text)


@log_app.command("import")
def log_import(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(metavar="FILE", help="A .jsonl log, or - for stdin.")
    ],
    json_mode: JsonOption = False,
) -> None:
    """Validate someone's did:agora log and keep it in the wallet for resolution.

    Example: agora did log import bob.jsonl
    """
    out = Output(json_mode=json_mode)
    data = read_bytes(source, limit=MAX_LOG_BYTES)
    entries = split_lines(data, source="standard input" if source == "-" else source)
    wallet = session.from_context(ctx).open()
    _summary(out, "log imported", import_agora_log(wallet, entries))


def register(did_app: typer.Typer) -> None:
    """Add these commands to the ``agora did`` group."""
    did_app.command()(update)
    did_app.command()(rotate)
    did_app.command()(deactivate)
    did_app.add_typer(log_app, name="log")
