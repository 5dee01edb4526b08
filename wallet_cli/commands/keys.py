"""``agora key``: list the wallet's keys, export them, and import secret keys."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ssi.credentials import load_json
from ssi.did.methods import did_jwk, did_key
from ssi.errors import ParsingError, RecordConflictError, RecordNotFoundError
from ssi.keys import KeyPair, import_key
from ssi.types import JsonObject, JsonValue
from ssi.wallet import KeyRecord, Wallet
from wallet_cli import session
from wallet_cli.commands.credential import (
    ForceOption,
    check_out_file,
    write_output,
)
from wallet_cli.commands.inputs import read_bytes
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
        out.json({"items": [_key_json(r, dids.get(r.id, [])) for r in records]})
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
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write the key (as JSON) to FILE instead of printing it; a file "
            "with a secret key is readable by its owner only (mode 0600). An "
            "existing file is replaced only with --force.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Print a key as Multikey and JWK: public by default, secret with --private.

    Anyone who sees a secret key can sign as its DIDs: --private needs a
    confirmation, typed at the prompt or given with --yes. `agora key import`
    reads what --out writes.

    Example: agora key export alice --public
    """
    out = Output(json_mode=json_mode)
    if public and private:
        raise UsageError("invalidOption", "choose one of --public and --private.")
    action = f"exporting the secret key {reference}"
    if private:
        session.require_confirmation(yes=yes, action=action)
    check_out_file(out_file, force=force)
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
    if out_file is not None:
        data = (json.dumps(body, indent=2) + "\n").encode("utf-8")
        write_output(out_file, data, force=force, secret=private)
        summary: JsonObject = {
            "out": str(out_file),
            "id": record.id,
            "publicKeyMultibase": record.public_key_multibase,
            "secret": private,
        }
        if json_mode:
            out.json(summary)
            return
        out.panel(
            f"{'SECRET' if private else 'public'} key written",
            [("file", str(out_file)), ("public Multikey", record.public_key_multibase)]
            + ([("mode", "0600 (owner only)")] if private else []),
            ok=not private,
        )
        return
    if json_mode:
        out.json(body)
        return
    out.panel(title, rows, ok=not private)


class DIDMethodChoice(StrEnum):
    """The DID methods a key can be recorded with on import."""

    KEY = "key"
    JWK = "jwk"


@app.command("import")
def import_secret_key(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A secret key: what `agora key export --private --out` writes, "
            "a JWK with its private part, or a secret Multikey; - reads stdin.",
        ),
    ],
    alias: Annotated[
        str | None,
        typer.Option(
            "--alias", metavar="NAME", help="A short name for the key (and DID)."
        ),
    ] = None,
    did_method: Annotated[
        DIDMethodChoice | None,
        typer.Option(
            "--did",
            help="Also add the key's did:key or did:jwk DID to the wallet.",
            show_default=False,
        ),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Import a secret key into the wallet, and with --did its DID.

    A key already in the wallet is refused (exit 2).

    Example: agora key import alice-key.json --alias alice --did key
    """
    out = Output(json_mode=json_mode)
    encoded = _secret_key(source)
    wallet = session.from_context(ctx).open()
    did = None
    if did_method is not None:
        key = import_key(encoded)
        if key.algorithm is None:
            raise UsageError(
                "unusableInput",
                f"{key.key_type} keys cannot sign, so they have no DID.",
            )
        did = did_key(key) if did_method is DIDMethodChoice.KEY else did_jwk(key)
        try:
            wallet.did(did)
        except RecordNotFoundError:
            pass
        else:
            raise RecordConflictError(f"{did[:80]} is already in the wallet.")
        if alias is not None and any(r.alias == alias for r in wallet.dids()):
            raise RecordConflictError(f"the DID alias {alias!r} is taken.")
    record = wallet.import_key(encoded, alias=alias)
    public = record.public_key_multibase
    body = _key_json(record, [])
    if did is not None:
        method = did_method.value if did_method is not None else "key"
        vm = f"{did}#{public}" if method == "key" else f"{did}#0"
        wallet.add_did(
            did, key=record.id, verification_method=vm, method=method, alias=alias
        )
        body["dids"] = [did]
    if json_mode:
        out.json(body)
        return
    rows = [("key type", record.key_type), ("public Multikey", public)]
    rows += [("DID", did)] if did is not None else []
    out.panel(f"key imported {record.alias or record.id}", rows)


def _secret_key(source: str) -> str | JsonObject:
    """Read the encoding of a secret key from a file or stdin: a Multikey or a
    JWK, alone or in what ``agora key export --private`` writes.

    Raises:
        UsageError: unreadable, not a key, or a public key only.
    """
    data = read_bytes(source, limit=64 * 1024)
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise UsageError("unusableInput", f"{source} is not UTF-8 text.") from exc
    if not text.startswith("{"):
        if not text.startswith("z"):
            raise UsageError("unusableInput", f"{source} holds no Multikey or JWK.")
        return text
    value: JsonValue = _strict_json(text, source)
    if not isinstance(value, dict):
        raise UsageError("unusableInput", f"{source} is not a key.")
    found = value.get("secretKeyMultibase") or value.get("privateKeyJwk")
    if found is None and "kty" in value:
        if "d" not in value:
            raise _public_only(source)
        found = value
    if found is None and ("publicKeyMultibase" in value or "publicKeyJwk" in value):
        raise _public_only(source)
    if not isinstance(found, str | dict):
        raise UsageError("unusableInput", f"{source} holds no secret key.")
    return found


def _public_only(source: str) -> UsageError:
    return UsageError(
        "unusableInput",
        f"{source} holds a public key only; import a secret key "
        "(agora key export --private --out FILE writes one).",
    )


def _strict_json(text: str, source: str) -> JsonValue:
    try:
        return load_json(text)
    except ParsingError as exc:
        raise UsageError(
            "unusableInput", f"{source} is not usable JSON: {exc.detail}"
        ) from exc


def _dids_by_key(wallet: Wallet) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for record in wallet.dids():
        found.setdefault(record.key_id, []).append(record.did)
    return found


def _key_json(record: KeyRecord, dids: list[str]) -> JsonObject:
    body = record.to_json()
    body["dids"] = list(dids)
    return body
