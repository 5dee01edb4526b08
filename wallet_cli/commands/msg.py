"""``agora msg send | read | inbox``: private messages between DIDs (DIDComm
Messaging v2.1), written to a file or delivered to the recipient's hub inbox.

Messages are DIDComm "basic messages" (``body.content`` holds the text).
``send`` authcrypts them by default (the recipient learns, with proof, which
DID wrote), or anoncrypts them with ``--anon`` (no sender at all). ``read``
and ``inbox`` unpack them with the wallet's key-agreement keys (earlier
did:agora keys included) and say whether the sender is proven; every text
from the message is escaped before it reaches the terminal.

Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/,
https://didcomm.org/basicmessage/2.0/, docs/cli.md (Messages)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Final

import httpx
import typer

from ssi.datetimes import format_date_time
from ssi.did import DIDDocument
from ssi.did.resolution import Resolver
from ssi.errors import RecordNotFoundError, SSIError
from ssi.messaging import (
    MAX_MESSAGE_BYTES,
    DidResolver,
    Message,
    Unpacked,
    UnresolvableDIDError,
    pack_anoncrypt,
    pack_authcrypt,
    rotation,
    unpack,
)
from ssi.types import JsonObject
from ssi.wallet import Wallet, agora_log, contact, import_agora_log, prior_signer
from wallet_cli import session
from wallet_cli.commands.credential import (
    ForceOption,
    JsonOption,
    LogOption,
    check_out_file,
    write_output,
)
from wallet_cli.commands.inputs import read_bytes
from wallet_cli.errors import ResultShown, UsageError
from wallet_cli.output import Cell, Output
from wallet_cli.petnames import Petnames

__all__ = ["BASIC_MESSAGE", "app"]

app = typer.Typer(
    help="Private messages between DIDs (DIDComm v2): send, read, and a hub inbox.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

BASIC_MESSAGE: Final = "https://didcomm.org/basicmessage/2.0/message"
"""The DIDComm message type of a text message; the text is ``body.content``."""

_PREVIEW: Final = 60
"""Characters of a message's text shown by ``agora msg inbox``."""

AsOption = Annotated[
    str,
    typer.Option("--as", metavar="DID|ALIAS", help="The wallet's DID that reads."),
]


def _is_url(text: str) -> bool:
    return text.startswith(("https://", "http://"))


# --- Resolving DIDs: the wallet, --log files, and the hub's logs ----------------


def _hub_log(hub_url: str, did: str) -> DIDDocument | None:
    """The document of a did:agora DID from the log the hub keeps (validated
    here), or None when the hub has none."""
    from hub.client import inbox_client
    from ssi.agora import split_lines
    from ssi.methods import resolve

    with inbox_client() as client:
        try:
            response = client.get(f"{hub_url.rstrip('/')}/dids/{did}/log")
        except httpx.HTTPError:
            return None  # no log from the hub: the DID does not resolve here
    if response.status_code != 200:
        return None
    entries = split_lines(response.content, source=f"the log of {did} from the hub")
    return resolve(did, log=list(entries)).did_document


def _did_resolver(resolver: Resolver, hub_url: str | None = None) -> DidResolver:
    """Return a messaging resolver over ``resolver`` (the wallet's logs and
    ``--log`` files); a did:agora DID they do not hold is looked up in the
    hub's log book, when a hub is at hand.

    Raises (from the returned function):
        UnresolvableDIDError: the DID does not resolve.
    """

    def resolve(did: str) -> DIDDocument:
        result = resolver.resolve(did)
        document = result.did_document
        # Only a DID whose log is not at hand is looked up on the hub: a log
        # here that fails (a fork, a broken entry) is never replaced by another.
        unknown = result.error == "notFound" and did.startswith("did:agora:")
        if document is None and hub_url and unknown:
            document = _hub_log(hub_url, did)
        if document is None:
            raise UnresolvableDIDError(
                f"The DID {did[:120]} does not resolve here: "
                f"{result.error or 'no document'} (for a did:agora DID, import "
                "its log with `agora did log import` or give it with --log)."
            )
        return document

    return resolve


def _recipient(wallet: Wallet, text: str) -> str:
    """The DID ``--to`` names: a DID, a contact's petname, or a wallet alias.

    Raises:
        RecordNotFoundError: no contact and no DID of the wallet has that name.
    """
    if text.startswith("did:"):
        return text
    try:
        return contact(wallet, text).did
    except RecordNotFoundError:
        pass
    try:
        return wallet.did(text).did
    except RecordNotFoundError:
        raise RecordNotFoundError(
            f"no contact and no DID of the wallet is named {text[:80]!r}; "
            "add one with `agora contact add NAME DID`, or give the DID."
        ) from None


# --- agora msg send ---------------------------------------------------------------


def _text(text: str | None, file: Path | None) -> str:
    if (text is None) == (file is None):
        raise UsageError("unusableInput", "give the message with --text or --file.")
    if file is None:
        return str(text)
    data = read_bytes(file, limit=MAX_MESSAGE_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            "unusableInput", f"{file} is not UTF-8 text; a message carries text."
        ) from exc


@app.command()
def send(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="DID|NAME",
            help="The recipient: a DID, a contact's petname, or a DID alias of "
            "the wallet.",
        ),
    ],
    as_: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="DID|ALIAS",
            help="The wallet's DID that writes; with --anon the message names "
            "no sender, so --as may be left out.",
        ),
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", metavar="TEXT", help="The message.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", metavar="FILE", help="Send this UTF-8 text file."),
    ] = None,
    anon: Annotated[
        bool,
        typer.Option(
            "--anon",
            help="Anonymous: anoncrypt, no sender in the message (the recipient "
            "cannot tell who wrote).",
        ),
    ] = False,
    via: Annotated[
        str | None,
        typer.Option(
            "--via",
            metavar="HUB",
            help="Deliver to the recipient's inbox on this hub (its URL).",
        ),
    ] = None,
    out_file: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE|-",
            help="Write the packed message to FILE, or to stdout with - "
            "(the default without --via).",
        ),
    ] = None,
    thid: Annotated[
        str | None,
        typer.Option("--thread", metavar="ID", help="Reply in this thread (thid)."),
    ] = None,
    announce_rotation: Annotated[
        bool,
        typer.Option(
            "--announce-rotation",
            help="Announce the latest rotation of the --as did:agora DID: the "
            "message carries a from_prior signed with the prior version's key "
            "and the DID's log, so the recipient learns the new keys.",
        ),
    ] = False,
    log: LogOption = None,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Encrypt a message to a DID and deliver it to a hub inbox or write it.

    By default the message is authcrypted: only the recipient can read it,
    and it proves which DID of the wallet (--as) wrote it. With --anon it is
    anoncrypted and names no sender. The packed message goes to stdout unless
    --via or --out says otherwise; with --out - it is the only output.

    Example: agora msg send --as alice --to Bob --text "See you at 6" --via
    https://hub.example
    """
    out = Output(json_mode=json_mode)
    if via is not None and out_file is not None:
        raise UsageError("unusableInput", "give --via or --out, not both.")
    if via is not None and not _is_url(via):
        raise UsageError("unusableInput", f"--via {via[:80]!r} is not an http(s) URL.")
    if not anon and as_ is None:
        raise UsageError(
            "unusableInput", "say which DID writes with --as (or send it --anon)."
        )
    if anon and announce_rotation:
        raise UsageError(
            "unusableInput", "an anonymous message cannot announce a rotation."
        )
    content = _text(text, file)
    target = Path(out_file) if out_file not in (None, "-") else None
    check_out_file(target, force=force)
    current = session.from_context(ctx)
    wallet = current.open()
    recipient = _recipient(wallet, to)
    resolve = _did_resolver(current.resolver(log), via)
    sender = None if anon else wallet.did(as_ or "").did
    from_prior, attachments, prior = None, [], None
    if announce_rotation and sender is not None:
        entries = agora_log(wallet, sender)
        from_prior, attachment = rotation.announce_rotation(
            prior_signer(wallet, sender), sender, entries
        )
        attachments.append(attachment)
        # Correspondents still know the prior version only: the announcement
        # is authcrypted under its key-agreement key (docs/messaging.md).
        prior = len(entries) - 1
    message = Message.new(
        BASIC_MESSAGE,
        {"content": content},
        from_=sender,
        to=[recipient],
        thid=thid,
        from_prior=from_prior,
        attachments=attachments,
    )
    if sender is None:
        packed = pack_anoncrypt(message, [recipient], resolver=resolve)
    else:
        agreer = wallet.key_agreer(sender, version=prior)
        packed = pack_authcrypt(message, agreer, [recipient], resolver=resolve)
    summary: JsonObject = {
        "id": message.id,
        "from": sender,
        "to": recipient,
        "mode": "anoncrypt" if sender is None else "authcrypt",
        "bytes": len(packed.encode("utf-8")),
    }
    if via is not None:
        from hub.client import deliver

        summary["hub"] = via
        summary["inboxId"] = deliver(via, recipient, packed)
    elif target is not None:
        write_output(target, packed.encode("utf-8") + b"\n", force=force)
        summary["out"] = str(target)
    else:
        out.data(packed + "\n")
        return
    if json_mode:
        out.json(summary)
        return
    names = Petnames.of(wallet)
    rows: list[tuple[str, Cell]] = [
        ("to", names.show(recipient)),
        ("from", names.show(sender) if sender else "nobody (anonymous)"),
        ("encryption", str(summary["mode"])),
        ("message id", message.id),
    ]
    if via is not None:
        rows += [("hub", via), ("inbox id", str(summary["inboxId"]))]
    else:
        rows.append(("written to", str(target)))
    out.panel("message sent" if via is not None else "message written", rows)


# --- Reading -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Read:
    """One packed message and what unpacking it gave (or the failure)."""

    source: str
    unpacked: Unpacked | None = None
    error: SSIError | None = None
    inbox_id: str | None = None
    log_kept: str | None = None
    """What became of the log of an announced rotation, if one came."""


def _open(
    packed: str | bytes,
    source: str,
    wallet: Wallet,
    reader: str,
    resolve: DidResolver,
    inbox_id: str | None = None,
) -> _Read:
    try:
        found = unpack(packed, wallet.key_agreers(reader), resolver=resolve)
    except SSIError as exc:
        return _Read(source, error=exc, inbox_id=inbox_id)
    return _Read(source, found, inbox_id=inbox_id, log_kept=_keep_log(wallet, found))


def _keep_log(wallet: Wallet, found: Unpacked) -> str | None:
    """Keep the did:agora log that came with a checked rotation announcement
    (from_prior), so that the wallet resolves the sender's new keys; return
    what happened, in words, or None when there was nothing to keep."""
    if found.from_prior is None:
        return None
    entries = rotation.attached_log(found.message)
    if entries is None:
        return None
    try:
        log = import_agora_log(wallet, entries)
    except SSIError as exc:
        return f"not kept: {exc.code}"
    return f"kept in the wallet (version {log.latest.version})"


def _content(message: Message) -> str:
    """The message's text: ``body.content`` of a basic message, else its body
    as JSON."""
    content = message.body.get("content")
    if message.type == BASIC_MESSAGE and isinstance(content, str):
        return content
    return json.dumps(message.body, ensure_ascii=False, sort_keys=True)


def _mode(found: Unpacked) -> str:
    return (
        "authcrypt"
        if found.authcrypt
        else "anoncrypt"
        if found.anoncrypt
        else ("signed" if found.signed else "plaintext")
    )


def _sender(found: Unpacked) -> str:
    """Whether the sender is proven, in words."""
    if found.message.from_ is None:
        return "anonymous: the message names no sender"
    if found.sender_proven:
        how = "authcrypt" if found.authcrypt and found.sender_kid else "signature"
        key = found.sender_kid if how == "authcrypt" else found.signer_kid
        return f"proven ({how}, key {key})"
    return "NOT proven: anyone could have written this 'from'"


def _time(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    try:
        return format_date_time(datetime.fromtimestamp(seconds, UTC))
    except (OverflowError, OSError, ValueError):
        return str(seconds)


def _json(read: _Read, names: Petnames) -> JsonObject:
    body: JsonObject = {"source": read.source}
    if read.inbox_id is not None:
        body["inboxId"] = read.inbox_id
    if read.unpacked is None:
        error = read.error
        body["error"] = {
            "code": getattr(error, "code", "error"),
            "detail": str(getattr(error, "detail", error)),
        }
        return body
    found = read.unpacked
    message = found.message
    sender = message.from_
    body.update(
        id=message.id,
        type=message.type,
        **{"from": sender},
        fromName=names.name(sender) if sender else None,
        to=list(message.to),
        created=_time(message.created_time),
        expires=_time(message.expires_time),
        thid=message.thid,
        mode=_mode(found),
        senderProven=found.sender_proven,
        senderKid=found.sender_kid,
        signerKid=found.signer_kid,
        recipientKid=found.recipient_kid,
        text=_content(message),
        body=message.body,
    )
    if found.from_prior is not None:
        prior = found.from_prior
        body["fromPrior"] = {
            "iss": prior.iss,
            "sub": prior.sub,
            "iat": prior.iat,
            "kid": prior.kid,
            "log": read.log_kept,
        }
    return body


def _rows(read: _Read, names: Petnames) -> tuple[str, list[tuple[str, Cell]], bool]:
    """The panel of one message: title, rows, and whether it is good news."""
    where = [("inbox id", read.inbox_id)] if read.inbox_id is not None else []
    if read.unpacked is None:
        error = read.error
        code = str(getattr(error, "code", "error"))
        detail = str(getattr(error, "detail", error))
        return (
            f"message from {read.source} could not be read",
            [*where, ("error", f"{code}: {detail}")],
            False,
        )
    found = read.unpacked
    message = found.message
    sender = message.from_
    rows: list[tuple[str, Cell]] = [
        ("from", names.show(sender) if sender else "nobody (anonymous)"),
        ("sender", _sender(found)),
        ("sent", _time(message.created_time) or "-"),
    ]
    prior = found.from_prior
    if prior is not None:
        change = (
            f"new keys, announced with {prior.kid}"
            if prior.iss == prior.sub
            else f"{names.show(prior.iss)} now writes as {names.show(prior.sub)}"
        )
        lines = (change, f"log {read.log_kept}") if read.log_kept else (change,)
        rows.append(("rotation", lines))
    if message.type != BASIC_MESSAGE:
        rows.append(("type", message.type))
    if message.thid:
        rows.append(("thread", message.thid))
    rows += [*where, ("text", tuple(_content(message).split("\n")))]
    title = (
        "message"
        if found.sender_proven or sender is None
        else "message (sender NOT proven)"
    )
    return title, rows, found.sender_proven or sender is None


def _show(out: Output, reads: list[_Read], names: Petnames) -> None:
    if out.json_mode:
        out.json({"items": [_json(read, names) for read in reads]})
    else:
        for read in reads:
            title, rows, good = _rows(read, names)
            out.panel(title, rows, ok=good)
    failed = [read.error for read in reads if read.error is not None]
    if failed:
        raise ResultShown(failed[0])


def _from_hub(
    wallet: Wallet,
    reader: str,
    hub_url: str,
    resolve: DidResolver,
    *,
    delete: bool = False,
) -> tuple[list[_Read], list[str]]:
    """Read and unpack every message of the reader's inbox on a hub; with
    ``delete``, delete those that were read. Return the reads and the ids
    deleted.

    Raises:
        InboxError: the hub refused (authentication, say).
        TransportError: the hub cannot be reached or answers badly.
    """
    from hub.client import InboxSession

    did = wallet.did(reader).did
    deleted: list[str] = []
    with InboxSession(hub_url, did, wallet.signer(reader)) as inbox:
        reads = [
            _open(inbox.read(entry.id), hub_url, wallet, reader, resolve, entry.id)
            for entry in inbox.list()
        ]
        if delete:
            for item in reads:
                if item.unpacked is not None and item.inbox_id is not None:
                    inbox.delete(item.inbox_id)
                    deleted.append(item.inbox_id)
    return reads, deleted


@app.command()
def read(
    ctx: typer.Context,
    as_: AsOption,
    from_: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="HUB|FILE|-",
            help="A hub (its URL: every message of the inbox), a file with one "
            "packed message, or - for stdin (the default).",
        ),
    ] = "-",
    log: LogOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Decrypt and show messages sent to a DID of the wallet (exit 1 if one
    cannot be read).

    For each message: the sender's petname or DID (or "anonymous"), whether
    the envelope proves the sender, when it was sent, and the text.

    Example: agora msg read --as bob --from message.json
    """
    out = Output(json_mode=json_mode)
    current = session.from_context(ctx)
    wallet = current.open()
    hub_url = from_ if _is_url(from_) else None
    resolve = _did_resolver(current.resolver(log), hub_url)
    if hub_url is not None:
        reads, _ = _from_hub(wallet, as_, hub_url, resolve)
    else:
        packed = read_bytes(from_, limit=MAX_MESSAGE_BYTES)
        source = "stdin" if from_ == "-" else from_
        reads = [_open(packed, source, wallet, as_, resolve)]
    if not reads and not json_mode:
        out.line("The inbox is empty.")
    _show(out, reads, Petnames.of(wallet))


@app.command()
def inbox(
    ctx: typer.Context,
    as_: AsOption,
    hub: Annotated[
        str, typer.Option("--hub", metavar="URL", help="The hub that keeps the inbox.")
    ],
    delete: Annotated[
        bool,
        typer.Option(
            "--delete",
            help="Delete each message once it has been read here (messages that "
            "cannot be read stay).",
        ),
    ] = False,
    log: LogOption = None,
    json_mode: JsonOption = False,
) -> None:
    """List a DID's inbox on a hub: each message's sender, time, whether the
    sender is proven, and the start of its text (exit 1 if one cannot be read).

    The wallet's DID signs in with a presentation answering the hub's
    challenge; nobody else can list, read or delete the inbox.

    Example: agora msg inbox --as bob --hub https://hub.example --delete
    """
    out = Output(json_mode=json_mode)
    if not _is_url(hub):
        raise UsageError("unusableInput", f"--hub {hub[:80]!r} is not an http(s) URL.")
    current = session.from_context(ctx)
    wallet = current.open()
    resolve = _did_resolver(current.resolver(log), hub)
    reads, deleted = _from_hub(wallet, as_, hub, resolve, delete=delete)
    names = Petnames.of(wallet)
    if json_mode:
        items = [_json(item, names) for item in reads]
        for entry in items:
            entry["deleted"] = entry.get("inboxId") in deleted
        out.json({"hub": hub, "items": items, "deleted": len(deleted)})
    else:
        _table(out, reads, names, deleted, hub)
    failed = [item.error for item in reads if item.error is not None]
    if failed:
        raise ResultShown(failed[0])


def _table(
    out: Output, reads: list[_Read], names: Petnames, deleted: list[str], hub: str
) -> None:
    if not reads:
        out.line(f"The inbox on {hub} is empty.")
        return
    rows: list[list[Cell]] = []
    for item in reads:
        found = item.unpacked
        if found is None:
            code = str(getattr(item.error, "code", "error"))
            rows.append([item.inbox_id or "-", "?", "-", f"cannot be read: {code}", ""])
            continue
        sender = found.message.from_
        text = _content(found.message).replace("\n", " ")
        if len(text) > _PREVIEW:
            text = text[: _PREVIEW - 1] + "…"
        rows.append(
            [
                item.inbox_id or "-",
                names.show(sender) if sender else "anonymous",
                _time(found.message.created_time) or "-",
                "proven"
                if found.sender_proven
                else "-"
                if sender is None
                else "NOT proven",
                text,
            ]
        )
    out.table(
        f"Inbox on {hub}" + (f" ({len(deleted)} deleted)" if deleted else ""),
        ["id", "from", "sent", "sender", "text"],
        rows,
    )
