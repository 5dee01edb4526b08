"""``agora key``: list the wallet's keys and export them."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ssi.keys import KeyPair, import_key
from ssi.types import JsonObject
from ssi.wallet import KeyRecord, Wallet
from wallet_cli import session
from wallet_cli.errors import UsageError
from wallet_cli.output import Output

__all__ = ["app"]

app = typer.Typer(
    help="Keys in the wallet.", no_args_is_help=True, rich_markup_mode=None
)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Write one JSON document to stdout.")
]


@app.command("list")
def list_keys(ctx: typer.Context, json_mode: JsonOption = False) -> None:
    """List the keys in the wallet (public parts only) and the DIDs they sign for.

    Example: agora key list
    """
    out = Output(json_mode=json_mode)
    wallet = session.from_context(ctx).open()
    records = wallet.keys()
    dids = _dids_by_key(wallet)
    if json_mode:
        out.json([_key_json(r, dids.get(r.id, [])) for r in records])
        return
    if not records:
        out.line("No keys yet; create a DID with: agora did create --alias NAME")
        return
    out.table(
        f"Keys in {wallet.home}",
        ["alias", "key type", "public key (Multikey)", "DIDs"],
        [
            [
                r.alias or "-",
                r.key_type,
                r.public_key_multibase,
                tuple(dids.get(r.id, [])) or "-",
            ]
            for r in records
        ],
    )


@app.command()
def export(
    ctx: typer.Context,
    reference: Annotated[
        str,
        typer.Argument(
            metavar="ALIAS",
            help="The key's alias (or its id, public Multikey, or a DID or DID "
            "alias it signs for).",
        ),
    ],
    public: Annotated[
        bool,
        typer.Option("--public", help="Export the public key (the default)."),
    ] = False,
    private: Annotated[
        bool,
        typer.Option(
            "--private",
            help="Export the SECRET key too; asks you to type ALIAS to confirm.",
        ),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", help="Confirm --private without asking (for scripts)."),
    ] = False,
    json_mode: JsonOption = False,
) -> None:
    """Print a key as Multikey and JWK: public by default, secret with --private.

    Anyone who sees a secret key can sign as its DIDs: --private needs a
    confirmation, typed at the prompt or given with --yes.

    Example: agora key export alice --public
    """
    out = Output(json_mode=json_mode)
    if public and private:
        raise UsageError("invalidOption", "choose one of --public and --private.")
    action = f"exporting the secret key {reference}"
    if private:
        session.require_confirmation(yes=yes, action=action)
    wallet = session.from_context(ctx).open()
    record = wallet.key(reference)
    key = import_key(record.public_key_multibase)
    public_key = key.public_key if isinstance(key, KeyPair) else key
    body = _key_json(record, _dids_by_key(wallet).get(record.id, []))
    body["publicKeyJwk"] = public_key.export_jwk()
    rows = [
        ("key type", record.key_type),
        ("public Multikey", record.public_key_multibase),
        ("public JWK", json.dumps(body["publicKeyJwk"], sort_keys=True)),
    ]
    title = f"public key {record.alias or record.id}"
    if private:
        session.confirm(reference, yes=yes, action=action)
        pair = wallet.key_pair(record.id)
        body["secretKeyMultibase"] = pair.export_multikey(private=True)
        body["privateKeyJwk"] = pair.export_jwk(private=True)
        rows += [
            ("SECRET Multikey", str(body["secretKeyMultibase"])),
            ("SECRET JWK", json.dumps(body["privateKeyJwk"], sort_keys=True)),
        ]
        title = f"SECRET key {record.alias or record.id}: keep it private"
    if json_mode:
        out.json(body)
        return
    out.panel(title, rows, ok=not private)


def _dids_by_key(wallet: Wallet) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for record in wallet.dids():
        found.setdefault(record.key_id, []).append(record.did)
    return found


def _key_json(record: KeyRecord, dids: list[str]) -> JsonObject:
    body = record.to_json()
    body["dids"] = list(dids)
    return body
