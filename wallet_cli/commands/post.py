"""``agora post``: write, retract and react to posts with a DID of the wallet;
show and verify posts, retractions and reactions from files or pipes.

``create``, ``retract`` and ``react`` sign a social object (docs/objects.md)
and write it to ``--out FILE``, or to standard output (``--out -``, the
default). With a file, the object's CID is printed on stdout; with standard
output, the signed object is printed there and its CID on stderr.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ssi.cid import JSON_CODEC, RAW_CODEC, ContentID, is_cid, object_cid, parse_cid
from ssi.credentials import VerificationReport, issue, load_json, verify
from ssi.credentials.json_input import MAX_DOCUMENT_BYTES
from ssi.did.syntax import parse_did
from ssi.errors import (
    InvalidCIDError,
    InvalidDIDError,
    ObjectNotFoundError,
    ParsingError,
    SSIError,
    StoreAccessError,
    VerificationFailedError,
)
from ssi.social import (
    MAX_CONTENT_BYTES,
    Attachment,
    Post,
    Reaction,
    SocialObject,
    post_credential,
    reaction_credential,
    read_social_object,
    retraction_credential,
)
from ssi.store import STORE_FILE, open_store
from ssi.types import JsonObject
from wallet_cli import session
from wallet_cli.commands.credential import (
    ForceOption,
    JsonOption,
    LogOption,
    StatusListOption,
    check_out_file,
    evidence,
    show_report,
    write_output,
)
from wallet_cli.commands.inputs import read_bytes
from wallet_cli.errors import ResultShown, UsageError
from wallet_cli.output import Output
from wallet_cli.petnames import Petnames

__all__ = ["app"]

app = typer.Typer(
    help="Posts: write, retract and react with a DID of the wallet; show and "
    "verify posts.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

SUITES = ("eddsa-jcs-2022", "eddsa-rdfc-2022")
"""The cryptosuites a social object may be secured with."""

_CHUNK = 1024 * 1024

AsOption = Annotated[
    str,
    typer.Option(
        "--as",
        metavar="ALIAS",
        help="The author: a DID of the wallet, or its alias.",
        show_default=False,
    ),
]
SuiteOption = Annotated[
    str,
    typer.Option(
        "--suite",
        metavar="SUITE",
        help="The cryptosuite: eddsa-jcs-2022 or eddsa-rdfc-2022.",
    ),
]
PostOutOption = Annotated[
    str,
    typer.Option(
        "--out",
        metavar="FILE|-",
        help="Write the signed object to FILE and print its CID, or, with - "
        "(the default), print the signed object and write its CID on stderr. "
        "An existing file is replaced only with --force.",
    ),
]
SourceArgument = Annotated[
    str,
    typer.Argument(metavar="FILE", help="A JSON file, or - to read standard input."),
]
LookupStoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="PATH|URL",
        help="The store a CID is looked up in (default: store.sqlite in the "
        "wallet directory).",
        show_default=False,
    ),
]
TargetArgument = Annotated[
    str, typer.Argument(metavar="CID", help="The CID of the object.")
]


# --- Writing ----------------------------------------------------------------------


@app.command()
def create(
    ctx: typer.Context,
    author: AsOption,
    text: Annotated[
        str | None,
        typer.Option("--text", metavar="TEXT", help="The text of the post."),
    ] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file",
            metavar="FILE",
            help="Read the text from FILE (UTF-8), or - for standard input.",
        ),
    ] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="The text is Markdown.")
    ] = False,
    language: Annotated[
        str | None,
        typer.Option("--lang", metavar="TAG", help="The BCP 47 language, e.g. en."),
    ] = None,
    community: Annotated[
        str | None,
        typer.Option("--community", metavar="DID", help="Post in this community."),
    ] = None,
    reply_to: Annotated[
        str | None,
        typer.Option("--reply-to", metavar="CID", help="Answer this object."),
    ] = None,
    tags: Annotated[
        list[str] | None,
        typer.Option("--tag", metavar="TAG", help="A tag (repeatable)."),
    ] = None,
    mentions: Annotated[
        list[str] | None,
        typer.Option("--mention", metavar="DID", help="Mention a DID (repeatable)."),
    ] = None,
    attach: Annotated[
        list[Path] | None,
        typer.Option(
            "--attach",
            metavar="FILE",
            help="Attach FILE by its raw CID, media type and size (repeatable); "
            "the file travels separately.",
        ),
    ] = None,
    replaces: Annotated[
        str | None,
        typer.Option(
            "--replaces", metavar="CID", help="Edit your earlier post with this CID."
        ),
    ] = None,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Write a signed post: text or Markdown, optionally a reply, an edit, in a
    community, with tags, mentions and attachments.

    Exit 2 when an option is unusable (a CID or DID that is not valid, text
    over 64 KiB, more than 32 tags, ...).

    Example: agora post create --as alice --text "Hello, agora" --tag intro
    --out hello.json
    """
    out = Output(json_mode=json_mode)
    _check_suite(suite)
    content = _content(text, file)
    _check_cid(reply_to, "--reply-to")
    _check_cid(replaces, "--replaces")
    if community is not None:
        _check_did(community, "--community")
    for mention in mentions or ():
        _check_did(mention, "--mention")
    attachments = [_attachment(path) for path in attach or ()]
    _check_out(out_file, force=force)
    wallet = session.from_context(ctx).open()
    record = wallet.did(author)
    credential = post_credential(
        record.did,
        content,
        media_type="text/markdown" if markdown else "text/plain",
        language=language,
        in_reply_to=reply_to,
        community=community,
        tags=tags or (),
        mentions=mentions or (),
        attachments=attachments,
        replaces=replaces,
        published=datetime.now(UTC),
    )
    signed = issue(credential, wallet.signer(record.did), suite=suite)
    _emit(out, signed, out_file, "post signed", force=force)


@app.command()
def retract(
    ctx: typer.Context,
    target: TargetArgument,
    author: AsOption,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Withdraw one of your posts: a signed retraction of its CID.

    Readers stop showing the post; a retraction of someone else's post has
    no effect.

    Example: agora post retract bagaaiera... --as alice --out retract.json
    """
    out = Output(json_mode=json_mode)
    _check_suite(suite)
    _check_cid(target, "CID")
    _check_out(out_file, force=force)
    wallet = session.from_context(ctx).open()
    record = wallet.did(author)
    credential = retraction_credential(record.did, target, published=datetime.now(UTC))
    signed = issue(credential, wallet.signer(record.did), suite=suite)
    _emit(out, signed, out_file, "retraction signed", force=force)


@app.command()
def react(
    ctx: typer.Context,
    target: TargetArgument,
    author: AsOption,
    value: Annotated[
        str,
        typer.Option(
            "--value",
            metavar="endorse|disagree|EMOJI",
            help="endorse, disagree, or a short emoji text (at most 16 characters).",
            show_default=False,
        ),
    ],
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """React to an object (a post, a reply) by its CID.

    Your latest reaction to a post is the one counted.

    Example: agora post react bagaaiera... --as alice --value endorse
    """
    out = Output(json_mode=json_mode)
    _check_suite(suite)
    _check_cid(target, "CID")
    _check_out(out_file, force=force)
    wallet = session.from_context(ctx).open()
    record = wallet.did(author)
    if value in ("endorse", "disagree"):
        credential = reaction_credential(
            record.did, target, value, published=datetime.now(UTC)
        )
    else:
        credential = reaction_credential(
            record.did, target, "emoji", emoji=value, published=datetime.now(UTC)
        )
    signed = issue(credential, wallet.signer(record.did), suite=suite)
    _emit(out, signed, out_file, "reaction signed", force=force)


# --- Reading ----------------------------------------------------------------------


@app.command()
def show(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE|CID",
            help="A JSON file, - to read standard input, or the CID of an "
            "object in the store.",
        ),
    ],
    store_location: LookupStoreOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Show a post, retraction or reaction: author, time, CID, content.

    The object comes from a file, standard input, or the object store (a
    CID that is not the name of a file). The proof is not checked here (use
    agora post verify; objects in the store were verified when added).
    Authors and mentions are shown with their petnames when the wallet can
    be opened. Exit 2 when the input is not a social object, 1 when the CID
    is not in the store.

    Example: agora post show hello.json
    """
    out = Output(json_mode=json_mode)
    state = session.from_context(ctx)
    document = _read_document(source, state, store_location)
    item = read_social_object(document)
    cid = object_cid(document)
    names = Petnames.at_hand(state, out)
    if json_mode:
        out.json({"cid": cid, **item.to_json(), "petnames": _names(item, names)})
        return
    out.panel(type(item).__name__.lower(), _rows(cid, item, names))


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    source: SourceArgument,
    log: LogOption = None,
    status_list: StatusListOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Verify a post, retraction or reaction, then show it.

    Exit 0 verified, 1 not verified, 2 unusable input (not JSON, not a
    social object).

    Example: agora post verify hello.json --json
    """
    out = Output(json_mode=json_mode)
    data = read_bytes(source)
    resolver, status = evidence(ctx, log, status_list)
    report = verify(data, resolver=resolver, status=status)
    session.from_context(ctx).raise_evidence_failure()
    item: SocialObject | None = None
    cid: str | None = None
    if report.verified:
        document = load_json(data, max_bytes=MAX_DOCUMENT_BYTES)
        item = read_social_object(document)
        cid = object_cid(document)
    names = (
        Petnames() if item is None else Petnames.at_hand(session.from_context(ctx), out)
    )
    if not json_mode:
        show_report(report, out)
        if item is not None and cid is not None:
            out.panel(type(item).__name__.lower(), _rows(cid, item, names))
        return
    out.json(
        {
            "verified": report.verified,
            "cid": cid,
            "object": None if item is None else item.to_json(),
            "report": report.to_json(),
            "petnames": {} if item is None else _names(item, names),
        }
    )
    if not report.verified:
        raise ResultShown(_failure(report))


# --- Helpers ----------------------------------------------------------------------


def _check_suite(suite: str) -> None:
    if suite not in SUITES:
        raise UsageError(
            "unusableInput",
            f"--suite must be eddsa-jcs-2022 or eddsa-rdfc-2022, not {suite[:40]!r}.",
        )


def _check_cid(value: str | None, option: str) -> None:
    if value is None:
        return
    try:
        parse_cid(value, codec=JSON_CODEC)
    except InvalidCIDError as exc:
        raise InvalidCIDError(f"{option}: {exc.detail}") from exc


def _check_did(value: str, option: str) -> None:
    try:
        parse_did(value)
    except InvalidDIDError as exc:
        raise InvalidDIDError(f"{option}: {exc.detail}") from exc


def _check_out(out_file: str, *, force: bool) -> None:
    if out_file != "-":
        check_out_file(Path(out_file), force=force)


def _content(text: str | None, file: str | None) -> str:
    if text is not None and file is None:
        return text
    if file is None or text is not None:
        raise UsageError("unusableInput", "give the text with --text or --file.")
    data = read_bytes(file, limit=MAX_CONTENT_BYTES)
    name = "standard input" if file == "-" else file
    if len(data) > MAX_CONTENT_BYTES:
        raise UsageError(
            "unusableInput",
            f"{name} holds more than {MAX_CONTENT_BYTES} bytes; a post holds at "
            f"most {MAX_CONTENT_BYTES}.",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            "unusableInput", f"{name} is not UTF-8 text (byte {exc.start})."
        ) from exc


def _attachment(path: Path) -> Attachment:
    """Describe a file by its raw CID, media type and size, reading it in chunks."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise UsageError(
            "unusableInput", f"cannot read {path}: {exc.strerror or exc}."
        ) from exc
    guessed, _ = mimetypes.guess_type(path.name, strict=False)
    return Attachment(
        cid=str(ContentID(codec=RAW_CODEC, digest=digest.digest())),
        media_type=guessed or "application/octet-stream",
        size=size,
        name=path.name,
    )


def _emit(
    out: Output, signed: JsonObject, out_file: str, title: str, *, force: bool
) -> None:
    item = read_social_object(signed)
    summary: JsonObject = {
        "cid": object_cid(signed),
        "type": type(item).__name__,
        "author": item.author,
    }
    emit_document(out, signed, out_file, title, summary, force=force)


def emit_document(
    out: Output,
    signed: JsonObject,
    out_file: str,
    title: str,
    summary: JsonObject,
    *,
    force: bool,
) -> None:
    """Print or write a signed object, as every command that signs a social
    or governance object does: with ``-`` the object on stdout and its CID
    on stderr (with ``--json``, the summary with the object); with a file,
    the CID on stdout (with ``--json``, the summary naming the file).
    ``summary`` must hold the object's ``cid``."""
    cid = str(summary["cid"])
    if out_file == "-":
        if out.json_mode:
            out.json({**summary, "out": out_file, "credential": signed})
            return
        out.json(signed)
        out.notice(f"cid {cid}")
        return
    write_output(Path(out_file), _json_bytes(signed), force=force)
    if out.json_mode:
        out.json({**summary, "out": out_file})
        return
    out.line(cid)
    out.notice(f"{title}: written to {out_file}")


def _json_bytes(document: JsonObject) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _read_document(
    source: str, state: session.Session | None = None, store: str | None = None
) -> JsonObject:
    """The JSON object in a file or on standard input; with a ``state``, a
    CID that names no file is looked up in the store."""
    if (
        state is not None
        and source != "-"
        and not Path(source).exists()
        and is_cid(source, codec=JSON_CODEC)
    ):
        location = store or str(state.home / STORE_FILE)
        if store is None and not Path(location).exists():
            raise StoreAccessError(
                f"{source[:24]}... is not a file, and there is no store in "
                f"{state.home} to look it up in."
            )
        with open_store(location, create=False) as opened:
            found = opened.get(source)
        if found is None:
            raise ObjectNotFoundError(f"the store holds no object {source}.")
        return found.document
    data = read_bytes(source)
    try:
        document = load_json(data, max_bytes=MAX_DOCUMENT_BYTES)
    except ParsingError as exc:
        name = "standard input" if source == "-" else source
        raise UsageError(
            "unusableInput", f"{name} is not usable JSON: {exc.detail}"
        ) from exc
    if not isinstance(document, dict):
        raise ParsingError("$ must be a JSON object.")
    return document


def _names(item: SocialObject, names: Petnames) -> dict[str, str]:
    """The petnames of the object's author and mentions, for ``--json``."""
    dids = [item.author, *(item.mentions if isinstance(item, Post) else ())]
    return names.names_for(dids)


def _rows(
    cid: str, item: SocialObject, names: Petnames
) -> list[tuple[str, str | tuple[str, ...]]]:
    rows: list[tuple[str, str | tuple[str, ...]]] = [
        ("CID", cid),
        ("author", names.show(item.author)),
        ("time", str(item.to_json()["published"])),
    ]
    if isinstance(item, Post):
        rows.append(("media type", item.media_type))
        optional = [
            ("language", item.language),
            ("reply to", item.in_reply_to),
            ("community", item.community),
            ("replaces", item.replaces),
        ]
        rows.extend((label, value) for label, value in optional if value is not None)
        if item.tags:
            rows.append(("tags", ", ".join(item.tags)))
        if item.mentions:
            rows.append(("mentions", tuple(names.show(d) for d in item.mentions)))
        for attachment in item.attachments:
            rows.append(
                (
                    "attachment",
                    (
                        attachment.name or "(no name)",
                        f"{attachment.media_type}, {attachment.size} bytes",
                        attachment.cid,
                    ),
                )
            )
        rows.append(("content", tuple(item.content.split("\n"))))
    elif isinstance(item, Reaction):
        rows.append(("reacts to", item.reacts_to))
        rows.append(("reaction", item.value))
    else:
        rows.append(("retracts", item.retracts))
    return rows


def _failure(report: VerificationReport) -> SSIError:
    """The error a report that does not verify ends the command with (as
    ``show_report`` decides it)."""
    parsing = [p for p in report.problems if p.check == "parsing"]
    if parsing or any(c.name == "parsing" and not c.passed for c in report.checks):
        detail = parsing[0].detail if parsing else "the input could not be parsed."
        return ParsingError(detail)
    return VerificationFailedError(
        f"the {report.kind} does not verify.",
        tuple(problem.error for problem in report.problems),
    )
