"""``agora did``: resolve DIDs (create, list and show come with the wallet)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from resolver import Resolver
from ssi.did import DIDDocument, VerificationMethod
from ssi.did.resolution import DID_JSON, DID_LD_JSON
from wallet_cli.output import Output

__all__ = ["app"]

app = typer.Typer(
    help="Work with decentralized identifiers (DIDs).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Write one JSON document to stdout.")
]


def _key_text(vm: VerificationMethod) -> str:
    if vm.public_key_multibase is not None:
        return vm.public_key_multibase
    if vm.public_key_jwk is not None:
        return json.dumps(vm.public_key_jwk, sort_keys=True)
    return "-"


def _rows(document: DIDDocument, metadata: dict[str, object]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [("DID", document.id)]
    for vm in document.verification_method:
        rows.append(("method", f"{vm.id}\n  type {vm.type}\n  key  {_key_text(vm)}"))
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
            rows.append((name, "\n".join(i.rsplit("#", 1)[-1] for i in ids)))
    for service in document.service:
        rows.append(
            ("service", f"{service.id} -> {json.dumps(service.service_endpoint)}")
        )
    for key, value in metadata.items():
        rows.append((f"metadata {key}", json.dumps(value)))
    return rows


@app.command()
def resolve(
    did: Annotated[str, typer.Argument(help="The DID to resolve.")],
    key_format: Annotated[
        str,
        typer.Option(
            "--key-format",
            help="did:key verification method format: Multikey or JsonWebKey2020.",
        ),
    ] = "Multikey",
    accept: Annotated[
        str | None,
        typer.Option(
            "--accept",
            help=f"Print the document bytes in this representation ({DID_JSON} "
            f"or {DID_LD_JSON}).",
        ),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Resolve a DID to its DID document (exit 1 with the error code if it fails).

    Example: agora did resolve did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
    """
    out = Output(json_mode=json_mode)
    resolver = Resolver()
    options = {"public_key_format": key_format} if did.startswith("did:key:") else {}
    if accept is not None:
        representation = resolver.resolve_representation(did, accept=accept, **options)
        if representation.error is not None:
            _fail(out, representation.did_resolution_metadata)
        typer.echo(representation.did_document_stream.decode("utf-8"))
        return
    result = resolver.resolve(did, **options)
    if json_mode:
        out.json(result.to_json())
        if not result.ok:
            raise typer.Exit(1)
        return
    if result.did_document is None:
        _fail(out, result.did_resolution_metadata)
        return
    out.panel(
        "resolved",
        _rows(result.did_document, result.did_document_metadata),
    )


def _fail(out: Output, metadata: dict[str, object]) -> None:
    code = str(metadata.get("error", "internalError"))
    message = str(metadata.get("errorMessage", "the DID could not be resolved."))
    if out.json_mode:
        out.json({"didResolutionMetadata": metadata})
    else:
        out.error(code, message)
    raise typer.Exit(1)
