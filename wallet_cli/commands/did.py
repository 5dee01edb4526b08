"""``agora did``: create DIDs in the wallet, list and show them, resolve any
DID and dereference DID URLs."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from ssi.agora import error_from_metadata
from ssi.did import DIDDocument, Service, VerificationMethod
from ssi.did.resolution import (
    DID_JSON,
    DID_LD_JSON,
    ResolutionResult,
    normalize_options,
)
from ssi.types import JsonObject
from ssi.wallet import DIDRecord, Wallet, create_agora_did
from wallet_cli import session
from wallet_cli.commands.credential import LogOption
from wallet_cli.errors import UsageError
from wallet_cli.output import Cell, Output

__all__ = ["app"]

app = typer.Typer(
    help="Work with decentralized identifiers (DIDs).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Write one JSON document to stdout.")
]
VersionIdOption = Annotated[
    str | None,
    typer.Option("--version-id", metavar="N", help="Resolve version N (did:agora)."),
]
VersionTimeOption = Annotated[
    str | None,
    typer.Option(
        "--version-time",
        metavar="DATETIME",
        help="Resolve the state at this date-time, e.g. 2025-01-01T00:00:00Z.",
    ),
]


def _key_text(vm: VerificationMethod) -> str:
    if vm.public_key_multibase is not None:
        return vm.public_key_multibase
    if vm.public_key_jwk is not None:
        return json.dumps(vm.public_key_jwk, sort_keys=True)
    return "-"


def _rows(document: DIDDocument, metadata: dict[str, object]) -> list[tuple[str, Cell]]:
    rows: list[tuple[str, Cell]] = [("DID", document.id)]
    for vm in document.verification_method:
        rows.append(("method", (vm.id, f"  type {vm.type}", f"  key  {_key_text(vm)}")))
    for name, attribute in (
        ("authentication", "authentication"),
        ("assertionMethod", "assertion_method"),
        ("keyAgreement", "key_agreement"),
        ("capabilityInvocation", "capability_invocation"),
        ("capabilityDelegation", "capability_delegation"),
    ):
        entries = getattr(document, attribute)
        if entries:
            ids = [e if isinstance(e, str) else e.id for e in entries]
            rows.append((name, tuple(i.rsplit("#", 1)[-1] for i in ids)))
    for service in document.service:
        rows.append(
            ("service", f"{service.id} -> {json.dumps(service.service_endpoint)}")
        )
    for key, value in metadata.items():
        rows.append((f"metadata {key}", json.dumps(value)))
    return rows


@app.command()
def resolve(
    ctx: typer.Context,
    did: Annotated[
        str,
        typer.Argument(
            metavar="DID|ALIAS", help="The DID to resolve, or the alias of one."
        ),
    ],
    key_format: Annotated[
        str,
        typer.Option(
            "--key-format",
            metavar="FORMAT",
            help="did:key verification method format: Multikey or JsonWebKey2020.",
        ),
    ] = "Multikey",
    accept: Annotated[
        str | None,
        typer.Option(
            "--accept",
            metavar="MEDIA_TYPE",
            help=f"Print the document bytes in this representation ({DID_JSON} "
            f"or {DID_LD_JSON}).",
        ),
    ] = None,
    log: LogOption = None,
    version_id: VersionIdOption = None,
    version_time: VersionTimeOption = None,
    via: Annotated[
        str | None,
        typer.Option(
            "--via",
            metavar="URL",
            help="Ask the resolver service at URL (DID Resolution HTTP binding, "
            "such as `agora resolver serve`) instead of resolving here.",
        ),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Resolve a DID to its DID document, or show the error code of the failure.

    Exit 1 when the DID cannot be resolved (not found, method not supported,
    a did:agora log that does not verify), 2 when the DID or an option is
    not valid, 3 when the resolver given with --via cannot be reached.

    Example: agora did resolve did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
    """
    out = Output(json_mode=json_mode)
    current = session.from_context(ctx)
    did = current.did_for(did)
    options: dict[str, str] = (
        {"public_key_format": key_format} if did.startswith("did:key:") else {}
    )
    if version_id is not None:
        options["version_id"] = version_id
    if version_time is not None:
        options["version_time"] = version_time
    if via is not None:
        if log:
            raise UsageError(
                "unusableOption", "--log and --via cannot be used together."
            )
        _resolve_via(out, via, did, accept, options)
        return
    resolver = current.resolver(log)
    if accept is not None:
        representation = resolver.resolve_representation(did, accept=accept, **options)
        current.raise_evidence_failure()
        if representation.error is not None:
            _fail(out, representation.did_resolution_metadata)
        out.data(representation.did_document_stream.decode("utf-8") + "\n")
        return
    result = resolver.resolve(did, **options)
    current.raise_evidence_failure()
    _show_result(out, result)


def _resolve_via(
    out: Output, via: str, did: str, accept: str | None, options: dict[str, str]
) -> None:
    """Resolve through a remote resolver and show what local resolution shows."""
    from resolver.remote import resolve_remote, resolve_remote_representation

    wire = {k: str(v) for k, v in normalize_options(options).items()}
    if accept is not None:
        representation = resolve_remote_representation(
            via, did, accept=accept, options=wire
        )
        if representation.error is not None:
            _fail(out, representation.did_resolution_metadata)
        out.data(representation.did_document_stream.decode("utf-8") + "\n")
        return
    result = resolve_remote(via, did, options=wire)
    _show_result(out, result)


def _show_result(out: Output, result: ResolutionResult) -> None:
    """Show a resolution result: JSON, or a panel, or the error it reports."""
    if out.json_mode:
        out.json(result.to_json())
        if not result.ok:
            raise error_from_metadata(result.did_resolution_metadata)
        return
    if result.did_document is None:
        _fail(out, result.did_resolution_metadata)
        return
    out.panel(
        "resolved",
        _rows(result.did_document, result.did_document_metadata),
    )


def _fail(
    out: Output, metadata: JsonObject, *, key: str = "didResolutionMetadata"
) -> None:
    """Show the metadata (with --json) under ``key`` and raise the error it names."""
    if out.json_mode:
        out.json({key: dict(metadata)})
    raise error_from_metadata(metadata)


@app.command()
def dereference(
    ctx: typer.Context,
    did_url: Annotated[
        str,
        typer.Argument(
            metavar="DID_URL",
            help="A DID URL, such as did:key:z6Mk...#z6Mk... or "
            "did:agora:...?service=hub.",
        ),
    ],
    log: LogOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Dereference a DID URL: a verification method, a service, its endpoint, or
    the DID document (exit 1 with the error code if it fails).

    Example: agora did dereference did:agora:z...#key-1 --log alice.jsonl
    """
    out = Output(json_mode=json_mode)
    current = session.from_context(ctx)
    result = current.resolver(log).dereference(did_url)
    current.raise_evidence_failure()
    content = result.content
    body: JsonObject = {
        "dereferencingMetadata": dict(result.dereferencing_metadata),
        "contentStream": None,
        "contentMetadata": dict(result.content_metadata),
    }
    if content is None:
        _fail(out, result.dereferencing_metadata, key="dereferencingMetadata")
        return
    rows: list[tuple[str, Cell]]
    if isinstance(content, str):
        body["contentStream"] = content
        rows = [("service endpoint", content)]
    elif isinstance(content, VerificationMethod):
        body["contentStream"] = content.to_json()
        rows = [
            ("verification method", content.id),
            ("type", content.type),
            ("controller", content.controller),
            ("key", _key_text(content)),
        ]
    elif isinstance(content, Service):
        body["contentStream"] = content.to_json()
        rows = [
            ("service", content.id),
            ("type", json.dumps(content.type)),
            ("endpoint", json.dumps(content.service_endpoint)),
        ]
    else:
        body["contentStream"] = content.to_json()
        rows = _rows(content, result.content_metadata)
    if json_mode:
        out.json(body)
        return
    out.panel("dereferenced", rows)


class Method(StrEnum):
    """The DID methods the wallet creates DIDs with."""

    KEY = "key"
    JWK = "jwk"
    AGORA = "agora"


class KeyTypeChoice(StrEnum):
    """The key types that can sign for a DID."""

    ED25519 = "Ed25519"
    P256 = "P-256"
    SECP256K1 = "secp256k1"


@app.command()
def create(
    ctx: typer.Context,
    method: Annotated[
        Method, typer.Option("--method", help="The DID method: key, jwk or agora.")
    ] = Method.KEY,
    key_type: Annotated[
        KeyTypeChoice,
        typer.Option(
            "--key-type",
            help="The key type. Credentials are signed with Ed25519 "
            "(eddsa-*-2022) or P-256 (ecdsa-*-2019) keys; no shipped "
            "cryptosuite signs with secp256k1.",
        ),
    ] = KeyTypeChoice.ED25519,
    alias: Annotated[
        str | None,
        typer.Option(
            "--alias",
            metavar="NAME",
            help="A short name for the DID (letters, digits, '.', '_', '-').",
        ),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Create a DID in the wallet: did:key or did:jwk for a new key, or did:agora
    (a signing key, an update key and a committed next update key, and the
    DID's first log entry).

    Example: agora did create --alias alice --method agora
    """
    out = Output(json_mode=json_mode)
    wallet = session.from_context(ctx).open()
    if method is Method.AGORA:
        if key_type is not KeyTypeChoice.ED25519:
            raise UsageError("unsupportedKeyType", "did:agora DIDs use Ed25519 keys.")
        record = create_agora_did(wallet, alias=alias)
    else:
        record = wallet.create_did(
            method=method.value, key_type=key_type.value, alias=alias
        )
    key_type_name = wallet.key(record.key_id).key_type
    if json_mode:
        out.json(_did_json(record, key_type_name))
        return
    out.panel("DID created", _record_rows(record, key_type_name))


@app.command("list")
def list_dids(ctx: typer.Context, json_mode: JsonOption = False) -> None:
    """List the DIDs in the wallet.

    Example: agora did list --json
    """
    out = Output(json_mode=json_mode)
    wallet = session.from_context(ctx).open()
    records = wallet.dids()
    types = _key_types(wallet)
    gone = {r.did for r in records if r.deactivated}
    if json_mode:
        out.json({"items": [_did_json(r, types.get(r.key_id, "")) for r in records]})
        return
    if not records:
        out.line("No DIDs yet; create one with: agora did create --alias NAME")
        return
    out.table(
        f"DIDs in {wallet.home}",
        ["alias", "DID", "key type", "created", "state"],
        [
            [
                r.alias or "-",
                r.did,
                types.get(r.key_id, "?"),
                r.created,
                "DEACTIVATED" if r.did in gone else "active",
            ]
            for r in records
        ],
    )


@app.command()
def show(
    ctx: typer.Context,
    reference: Annotated[
        str,
        typer.Argument(metavar="DID|ALIAS", help="A DID of the wallet, or its alias."),
    ],
    json_mode: JsonOption = False,
) -> None:
    """Show a DID of the wallet, the key-agreement keys the wallet holds for it
    (current and earlier ones) and its DID document (exit 1 if it is not there).

    Example: agora did show alice
    """
    out = Output(json_mode=json_mode)
    current = session.from_context(ctx)
    wallet = current.open()
    record = wallet.did(reference)
    key_type_name = wallet.key(record.key_id).key_type
    deactivated = record.deactivated
    result = current.resolver().resolve(record.did)
    document = result.did_document
    agreement = _agreement_keys(wallet, record, document)
    if json_mode:
        body = _did_json(record, key_type_name)
        body["keyAgreement"] = agreement
        body["didDocument"] = document.to_json() if document is not None else None
        out.json(body)
        return
    rows = _record_rows(record, key_type_name)
    for key in agreement:
        kind = "key agreement" if key["current"] else "earlier key agreement"
        rows.append((kind, (str(key["id"]), f"  key  {key['publicKeyMultibase']}")))
    if deactivated:
        rows.append(("state", "DEACTIVATED: it cannot sign any more"))
    if document is not None:
        rows += _rows(document, {})[1:]
    out.panel(record.alias or record.did, rows)


@app.command()
def remove(
    ctx: typer.Context,
    reference: Annotated[
        str,
        typer.Argument(metavar="DID|ALIAS", help="A DID of the wallet, or its alias."),
    ],
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask for a confirmation.")
    ] = False,
    json_mode: JsonOption = False,
) -> None:
    """Remove a DID from this wallet, with the keys only it used, its did:agora
    log and its community record.

    This is NOT deactivation: the DID stays valid for everyone else, and its
    credentials keep verifying; only this wallet forgets it (and loses its
    keys: keep a backup, or deactivate it first with `agora did deactivate`).
    Asks you to type the alias (or DID) to confirm, unless --yes.

    Example: agora did remove old-alias --yes
    """
    out = Output(json_mode=json_mode)
    action = "removing the DID from the wallet (this is not deactivation)"
    session.require_confirmation(yes=yes, action=action)
    wallet = session.from_context(ctx).open()
    record = wallet.did(reference)
    session.confirm(record.alias or record.did, yes=yes, action=action)
    removed = wallet.remove_did(record.did)
    note = (
        "not deactivated: the DID stays valid for everyone else; this wallet "
        "no longer holds it or its keys."
    )
    if json_mode:
        out.json({"removed": removed.did, "alias": removed.alias, "warning": note})
        return
    out.panel(
        "DID removed from the wallet",
        [("DID", removed.did), ("alias", removed.alias or "-"), ("warning", note)],
        ok=False,
    )


def _agreement_keys(
    wallet: Wallet, record: DIDRecord, document: DIDDocument | None
) -> list[JsonObject]:
    """The key-agreement keys the wallet holds for the DID, each saying
    whether the current document lists it."""
    listed = set()
    if document is not None:
        listed = {m.id for m in document.verification_methods_for("keyAgreement")}
    return [
        {
            "id": agreer.key_id,
            "publicKeyMultibase": agreer.public_key.export_multikey(),
            "current": agreer.key_id in listed,
        }
        for agreer in wallet.key_agreers(record.did)
    ]


def _key_types(wallet: Wallet) -> dict[str, str]:
    return {key.id: key.key_type for key in wallet.keys()}


def _did_json(record: DIDRecord, key_type: str) -> JsonObject:
    body = record.to_json()
    body["keyType"] = key_type
    return body


def _record_rows(record: DIDRecord, key_type: str) -> list[tuple[str, Cell]]:
    return [
        ("DID", record.did),
        ("alias", record.alias or "-"),
        ("DID method", f"did:{record.method}"),
        ("key type", key_type),
        ("verification method", record.verification_method),
        ("created", record.created),
    ]
