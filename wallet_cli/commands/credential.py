"""``agora vc``: issue, verify, store, list, show and delete credentials.

Also the pieces ``agora vp`` shares: reading and writing documents, choosing
a cryptosuite, and showing a verification report.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ssi.credentials import (
    VC_V2_CONTEXT,
    VerificationReport,
    issue,
    load_json,
    verify,
)
from ssi.datetimes import format_date_time
from ssi.did.resolution import Resolver
from ssi.errors import (
    ParsingError,
    UnsupportedAlgorithmError,
    VerificationFailedError,
)
from ssi.status import BitstringStatusChecker
from ssi.types import JsonObject, JsonValue
from ssi.wallet import CredentialRecord, DIDRecord, Wallet
from wallet_cli import session
from wallet_cli.commands.inputs import read_bytes, read_source
from wallet_cli.errors import ResultShown, UsageError
from wallet_cli.output import Output
from wallet_cli.petnames import Petnames

__all__ = [
    "ForceOption",
    "LogOption",
    "StatusListOption",
    "check_out_file",
    "emit",
    "evidence",
    "json_object",
    "read_source",
    "show_report",
    "suite_for",
    "vc_app",
    "write_output",
]

vc_app = typer.Typer(
    help="Verifiable credentials.", no_args_is_help=True, rich_markup_mode=None
)

SourceArgument = Annotated[
    str,
    typer.Argument(metavar="FILE", help="A JSON file, or - to read standard input."),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Write one JSON document to stdout.")
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="FILE",
        help="Write the signed document to this file instead of printing it "
        "(with --json, a summary naming the file is printed). An existing "
        "file is replaced only with --force.",
        show_default=False,
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace the --out file if it exists.")
]

EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"
"""Defines any term (``@vocab``), so RDFC suites can sign free-form claims."""

DEFAULT_SUITES = {"Ed25519": "eddsa-jcs-2022", "P-256": "ecdsa-jcs-2019"}
"""The suite used when none is named, by the signing key's type."""


def show_report(report: VerificationReport, out: Output) -> None:
    """Print a report (panel or JSON); fail, once it is shown, unless verified.

    Exit 0 verified, 1 not verified, 2 when the input could not be parsed.

    Raises:
        ResultShown: the report does not verify (with a ParsingError when
            the input could not be parsed, else a VerificationFailedError).
    """
    if out.json_mode:
        out.json(report.to_json())
    else:
        _panel(report, out, report.kind)
    if report.verified:
        return
    parsing = [p for p in report.problems if p.check == "parsing"]
    if parsing or any(c.name == "parsing" and not c.passed for c in report.checks):
        detail = parsing[0].detail if parsing else "the input could not be parsed."
        raise ResultShown(ParsingError(detail))
    raise ResultShown(
        VerificationFailedError(
            f"the {report.kind} does not verify.",
            tuple(problem.error for problem in report.problems),
        )
    )


def _panel(report: VerificationReport, out: Output, title: str) -> None:
    rows: list[tuple[str, str]] = []
    for check in report.checks:
        mark = "ok" if check.passed else "FAILED"
        rows.append((check.name, f"{mark}  {check.detail}".rstrip()))
    for problem in report.problems:
        rows.append(
            (
                "problem",
                f"{problem.code} ({problem.error.code}) in {problem.check}: "
                f"{problem.detail}",
            )
        )
    for warning in report.warnings:
        rows.append(("warning", warning))
    verdict = "verified" if report.verified else "NOT verified"
    out.panel(f"{title}: {verdict}", rows, ok=report.verified)
    for index, inner in enumerate(report.credentials):
        _panel(inner, out, f"credential {index}")


# The evidence options: what a verifier needs besides the document. vc verify,
# vc store and vp verify share these definitions and :func:`evidence`.
LogOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--log",
        metavar="FILE",
        help="A did:agora log (.jsonl) or a folder of them, for did:agora "
        "issuers; may be repeated. For a DID these do not hold, the wallet's "
        "logs are used (its passphrase is asked for in a terminal).",
    ),
]


StatusListOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--status-list",
        metavar="FILE",
        help="A signed status list credential to check credentialStatus "
        "against; may be repeated. For a list these do not hold, the wallet's "
        "lists are used (its communities' and those kept with `agora status "
        "import`).",
    ),
]


def evidence(
    ctx: typer.Context, log: list[Path] | None, status_list: list[Path] | None
) -> tuple[Resolver, BitstringStatusChecker]:
    """Return the resolver and status checker for the evidence options given.

    Raises:
        UsageError: a ``--log`` or ``--status-list`` file cannot be used.
    """
    current = session.from_context(ctx)
    return current.resolver(log), current.status_checker(status_list)


@vc_app.command("verify")
def vc_verify(
    ctx: typer.Context,
    source: SourceArgument,
    log: LogOption = None,
    status_list: StatusListOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Verify a credential: model, contexts, proofs, validity, status.

    Exit 0 verified, 1 not verified, 2 unusable input.

    Example: agora vc verify credential.json
    """
    out = Output(json_mode=json_mode)
    resolver, status = evidence(ctx, log, status_list)
    report = verify(read_source(source), resolver=resolver, status=status)
    session.from_context(ctx).raise_evidence_failure()
    show_report(report, out)


# --- agora vc issue | store | list | show | delete ---------------------------------


@vc_app.command("issue")
def vc_issue(
    ctx: typer.Context,
    issuer: Annotated[
        str,
        typer.Option(
            "--issuer",
            metavar="DID|ALIAS",
            help="The issuing DID of the wallet, or its alias.",
        ),
    ],
    subject: Annotated[
        str,
        typer.Option(
            "--subject",
            metavar="DID|ALIAS",
            help="The subject's DID (or URL); a name without ':' is the alias "
            "of a DID in the wallet.",
        ),
    ],
    types: Annotated[
        list[str],
        typer.Option(
            "--type",
            metavar="TYPE",
            help="The credential type, after VerifiableCredential (repeatable).",
        ),
    ],
    claims: Annotated[
        str,
        typer.Option(
            "--claims",
            metavar="JSON|@FILE",
            help="The claims about the subject: a JSON object, or @FILE to read "
            "one from FILE.",
        ),
    ],
    suite: Annotated[
        str | None,
        typer.Option(
            "--suite",
            metavar="SUITE",
            help="The cryptosuite: eddsa-jcs-2022, eddsa-rdfc-2022, "
            "ecdsa-jcs-2019, ecdsa-rdfc-2019 or Ed25519Signature2020 (default: "
            "eddsa-jcs-2022 for Ed25519 keys, ecdsa-jcs-2019 for P-256). RDFC "
            "suites add the examples/v2 context, which defines every term.",
            show_default=False,
        ),
    ] = None,
    valid_until: Annotated[
        str | None,
        typer.Option(
            "--valid-until",
            metavar="DATETIME",
            help="The end of validity, such as 2030-01-01T00:00:00Z.",
            show_default=False,
        ),
    ] = None,
    credential_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            metavar="URL",
            help="The credential's id, a URL (default: a new urn:uuid).",
            show_default=False,
        ),
    ] = None,
    out_file: OutOption = None,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Issue a signed credential, keep it in the wallet, and print it.

    The credential is valid from now. It is printed as JSON (with --out,
    written to the file and summed up instead). Exit 1 when the issuer is not
    in the wallet, 2 when the claims or options are unusable or the issuer is
    a deactivated did:agora DID (didDeactivated).

    Example: agora vc issue --issuer alice --subject did:key:z6Mk... --type
    MembershipCredential --claims '{"role": "member"}'
    """
    out = Output(json_mode=json_mode)
    subject_claims = _claims(claims)
    check_out_file(out_file, force=force)
    current = session.from_context(ctx)
    wallet = current.open()
    issuer_record = wallet.did(issuer)
    subject_id = current.did_for(subject)
    chosen = suite_for(wallet, issuer_record, suite)
    contexts: list[JsonValue] = [VC_V2_CONTEXT]
    if _defines_terms_strictly(chosen):
        contexts.append(EXAMPLES_CONTEXT)
    credential: JsonObject = {
        "@context": contexts,
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential"]
        + [t for t in dict.fromkeys(types) if t != "VerifiableCredential"],
        "issuer": issuer_record.did,
        "validFrom": format_date_time(datetime.now(UTC)),
    }
    if valid_until is not None:
        credential["validUntil"] = valid_until
    credential["credentialSubject"] = {"id": subject_id, **subject_claims}
    signed = issue(credential, wallet.signer(issuer_record.did), suite=chosen)
    record = wallet.store_credential(signed, direction="issued")
    rows = _credential_rows(record, names=Petnames.of(wallet))
    emit(out, signed, out_file, "credential issued", rows, force=force)


@vc_app.command("store")
def vc_store(
    ctx: typer.Context,
    source: SourceArgument,
    unverified: Annotated[
        bool,
        typer.Option(
            "--unverified", help="Store the credential even if it does not verify."
        ),
    ] = False,
    log: LogOption = None,
    status_list: StatusListOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Verify a credential and keep it in the wallet.

    It is verified as by `agora vc verify`, with the same --log and
    --status-list evidence. A credential that does not verify is refused
    (exit 1, with its problems) unless --unverified is given. It is stored as
    issued when its issuer is a DID of the wallet, else as received; storing
    it again changes nothing.

    Example: agora vc store member.json --log engines.jsonl --status-list
    engines-status.json
    """
    out = Output(json_mode=json_mode)
    data = read_source(source)
    current = session.from_context(ctx)
    resolver, status = evidence(ctx, log, status_list)
    report = verify(data, resolver=resolver, status=status)
    current.raise_evidence_failure()
    if not report.verified and not unverified:
        if json_mode:
            out.json(report.to_json())
        else:
            _panel(report, out, report.kind)
        parsing = [p for p in report.problems if p.check == "parsing"]
        if parsing:
            raise ParsingError(parsing[0].detail)
        raise VerificationFailedError(
            "the credential does not verify, so it was not stored "
            "(--unverified stores it anyway).",
            tuple(problem.error for problem in report.problems),
        )
    document = json_object(data)
    wallet = current.open()
    known = {record.id for record in wallet.credentials()}
    record = wallet.store_credential(document)
    status_text = "unchanged" if record.id in known else "added"
    if json_mode:
        body = record.to_json()
        body["status"] = status_text
        body["verified"] = report.verified
        out.json(body)
        return
    rows = _credential_rows(record, names=Petnames.of(wallet))
    rows.append(("verified", "yes" if report.verified else "NO (--unverified)"))
    rows += [
        ("problem", f"{p.code} ({p.error.code}): {p.detail}") for p in report.problems
    ]
    title = (
        "credential stored" if status_text == "added" else "credential already stored"
    )
    out.panel(title, rows, ok=report.verified)


@vc_app.command("list")
def vc_list(
    ctx: typer.Context,
    type_filter: Annotated[
        str | None,
        typer.Option(
            "--type",
            metavar="TYPE",
            help="Only credentials of this type.",
            show_default=False,
        ),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """List the credentials in the wallet.

    Example: agora vc list --type MembershipCredential
    """
    out = Output(json_mode=json_mode)
    wallet = session.from_context(ctx).open()
    records = wallet.credentials(type=type_filter)
    names = Petnames.of(wallet)
    if json_mode:
        out.json(
            {
                "items": [record.to_json() for record in records],
                "petnames": names.names_for(r.issuer for r in records),
            }
        )
        return
    if not records:
        out.line(
            "No credentials" + (f" of type {type_filter}." if type_filter else ".")
        )
        return
    out.table(
        "Credentials",
        ["id", "type", "issuer", "direction", "stored"],
        [
            [
                r.id,
                ", ".join(_own_types(r)),
                names.show(r.issuer),
                r.direction,
                r.stored,
            ]
            for r in records
        ],
    )


@vc_app.command("show")
def vc_show(
    ctx: typer.Context,
    credential_id: Annotated[
        str, typer.Argument(metavar="ID", help="The credential's id.")
    ],
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="Print only the credential, exactly as stored (a JSON document "
            "to hand on or verify).",
        ),
    ] = False,
    json_mode: JsonOption = False,
) -> None:
    """Show a stored credential (exit 1 if it is not in the wallet).

    With --json the wallet's record is printed (the credential, its direction
    and when it was stored); with --raw, the credential alone.

    Example: agora vc show urn:uuid:0b0f6a5e-8c1b-4f0e-9b55-2f1f4b1f1c2a --raw
    """
    out = Output(json_mode=json_mode)
    wallet = session.from_context(ctx).open()
    record = wallet.credential(credential_id)
    if raw:
        out.json(record.credential)
        return
    names = Petnames.of(wallet)
    if json_mode:
        body = record.to_json()
        body["petnames"] = names.names_for([record.issuer, *_subject_ids(record)])
        out.json(body)
        return
    out.panel(record.id, _credential_rows(record, details=True, names=names))


@vc_app.command("delete")
def vc_delete(
    ctx: typer.Context,
    credential_id: Annotated[
        str, typer.Argument(metavar="ID", help="The credential's id.")
    ],
    yes: Annotated[
        bool, typer.Option("--yes", help="Delete without asking for a confirmation.")
    ] = False,
    json_mode: JsonOption = False,
) -> None:
    """Delete a stored credential, after a confirmation (exit 1 if it is not in
    the wallet).

    Example: agora vc delete urn:uuid:0b0f6a5e-8c1b-4f0e-9b55-2f1f4b1f1c2a --yes
    """
    out = Output(json_mode=json_mode)
    action = f"deleting the credential {credential_id}"
    wallet = session.from_context(ctx).open()
    wallet.credential(credential_id)  # a credential that is not there: exit 1
    session.ask_yes_no(yes=yes, action=action)
    wallet.delete_credential(credential_id)
    if json_mode:
        out.json({"deleted": credential_id})
        return
    out.line(f"Deleted {credential_id}")


# --- Helpers --------------------------------------------------------------------


def _claims(text: str) -> JsonObject:
    if text.startswith("@"):
        raw = read_bytes(text[1:])
    else:
        raw = text.encode("utf-8")
    try:
        value = load_json(raw)
    except ParsingError as exc:
        raise UsageError(
            "invalidClaims", f"--claims is not usable JSON: {exc.detail}"
        ) from exc
    if not isinstance(value, dict):
        raise UsageError(
            "invalidClaims",
            '--claims must be a JSON object, such as {"role": "member"}.',
        )
    if "id" in value:
        raise UsageError(
            "invalidClaims", "--claims must not hold id: the subject is --subject."
        )
    return value


def json_object(data: bytes) -> JsonObject:
    """Parse a credential's JSON text strictly.

    Raises:
        ParsingError: not JSON, or not a JSON object.
    """
    value = load_json(data)
    if not isinstance(value, dict):
        raise ParsingError("a credential must be a JSON object.")
    return value


def suite_for(wallet: Wallet, record: DIDRecord, suite: str | None) -> str:
    """Return ``suite``, or the default suite for the key of the DID ``record``.

    Raises:
        UnsupportedAlgorithmError: no shipped suite signs with that key type.
    """
    if suite is not None:
        return suite
    key_type = wallet.key(record.key_id).key_type
    try:
        return DEFAULT_SUITES[key_type]
    except KeyError:
        raise UnsupportedAlgorithmError(
            f"no cryptosuite of this version signs with {key_type} keys, so "
            f"{record.alias or record.did} cannot sign; use an Ed25519 or P-256 DID."
        ) from None


def _defines_terms_strictly(suite: str) -> bool:
    """True for suites that canonicalize with RDFC, which refuse undefined terms."""
    return "rdfc" in suite or suite == "Ed25519Signature2020"


def _own_types(record: CredentialRecord) -> list[str]:
    return [t for t in record.types if t != "VerifiableCredential"] or list(
        record.types
    )


def _subject_ids(record: CredentialRecord) -> list[str]:
    subjects = record.credential.get("credentialSubject")
    return [
        subject["id"]
        for subject in (subjects if isinstance(subjects, list) else [subjects])
        if isinstance(subject, dict) and isinstance(subject.get("id"), str)
    ]


def _credential_rows(
    record: CredentialRecord,
    *,
    details: bool = False,
    names: Petnames | None = None,
) -> list[tuple[str, str]]:
    """The rows of a credential's panel; with ``names``, DIDs show their
    petnames (or are marked as not a contact)."""
    show = names.show if names is not None else str
    credential = record.credential
    rows = [
        ("id", record.id),
        ("type", ", ".join(_own_types(record))),
        ("issuer", show(record.issuer)),
        ("direction", record.direction),
    ]
    subjects = credential.get("credentialSubject")
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        if isinstance(subject, dict):
            subject_id = subject.get("id", "-")
            rows.append(("subject", show(str(subject_id))))
            if details:
                rows += [
                    (f"  {name}", json.dumps(value, ensure_ascii=False))
                    for name, value in subject.items()
                    if name != "id"
                ]
    if details:
        for name in ("validFrom", "validUntil"):
            if name in credential:
                rows.append((name, str(credential[name])))
        proofs = credential.get("proof")
        for proof in proofs if isinstance(proofs, list) else [proofs]:
            if isinstance(proof, dict):
                rows.append(
                    ("proof", str(proof.get("cryptosuite") or proof.get("type", "?")))
                )
        rows.append(("stored", record.stored))
    return rows


def check_out_file(path: Path | None, *, force: bool) -> None:
    """Refuse, before any work, an ``--out`` file that exists, unless ``force``.

    Raises:
        UsageError: the file exists (``fileExists``).
    """
    if path is not None and not force and (path.exists() or path.is_symlink()):
        raise UsageError(
            "fileExists", f"{path} exists; choose another name, or pass --force."
        )


def emit(
    out: Output,
    document: JsonObject,
    out_file: Path | None,
    title: str,
    rows: list[tuple[str, str]],
    *,
    force: bool = False,
) -> None:
    """Print a signed document, or write it to ``out_file`` and sum it up.

    With ``--json`` and ``out_file`` the summary is a JSON object naming the
    file (``out``), the document's ``id``, ``type`` and cryptosuite.

    Raises:
        UsageError: ``out_file`` exists (without ``force``) or cannot be written.
    """
    if out_file is None:
        out.json(document)
        return
    _write_json(out_file, document, force=force)
    if out.json_mode:
        out.json(_summary(document, out_file))
        return
    out.panel(title, [*rows, ("written to", str(out_file))])


def _summary(document: JsonObject, out_file: Path) -> JsonObject:
    proofs = document.get("proof")
    first = proofs[0] if isinstance(proofs, list) and proofs else proofs
    suite = None
    if isinstance(first, dict):
        suite = first.get("cryptosuite") or first.get("type")
    return {
        "out": str(out_file),
        "id": document.get("id"),
        "type": document.get("type"),
        "cryptosuite": suite,
    }


def _write_json(path: Path, document: JsonObject, *, force: bool) -> None:
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    write_output(path, data, force=force)


def write_output(
    path: Path, data: bytes, *, force: bool = False, secret: bool = False
) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename).

    The file is readable by others as the umask allows, except a ``secret``
    one, which is always 0600 (owner only), whatever the umask. An existing
    file is replaced only when ``force`` is true.

    Raises:
        UsageError: the file exists (``fileExists``) or cannot be written.
    """
    check_out_file(path, force=force)
    mask = os.umask(0o022)
    os.umask(mask)
    mode = 0o600 if secret else 0o666 & ~mask
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        temporary = Path(name)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.chmod(mode)
            if force:
                temporary.replace(path)
            else:
                _place_new(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
    except FileExistsError as exc:
        raise UsageError(
            "fileExists", f"{path} exists; choose another name, or pass --force."
        ) from exc
    except OSError as exc:
        raise UsageError(
            "unusableOutput", f"cannot write {path}: {exc.strerror or exc}."
        ) from exc


def _place_new(temporary: Path, path: Path) -> None:
    """Move ``temporary`` to ``path``, failing if ``path`` exists by now."""
    try:
        os.link(temporary, path)  # fails if ``path`` appeared in the meantime
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if path.exists():
            raise FileExistsError(path) from None
        temporary.replace(path)
    else:
        temporary.unlink()
