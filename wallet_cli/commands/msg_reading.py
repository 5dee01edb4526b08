"""Reading DIDComm messages for ``agora msg read`` and ``agora msg inbox``:
unpacking with the wallet's key agreers, keeping the log of an announced
did:agora rotation, and showing each message (escaped) or its JSON.

Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/,
docs/cli.md (Messages)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from ssi.datetimes import format_date_time
from ssi.errors import SSIError
from ssi.messaging import DidResolver, Message, Unpacked, rotation, unpack
from ssi.types import JsonObject
from ssi.wallet import Wallet, import_agora_log
from wallet_cli.errors import ResultShown
from wallet_cli.output import Cell, Output
from wallet_cli.petnames import Petnames

__all__ = [
    "BASIC_MESSAGE",
    "MessageRead",
    "message_text",
    "open_message",
    "read_inbox",
    "read_to_json",
    "show_inbox",
    "show_reads",
]

BASIC_MESSAGE: Final = "https://didcomm.org/basicmessage/2.0/message"
"""The DIDComm message type of a text message; the text is ``body.content``."""

_PREVIEW: Final = 60
"""Characters of a message's text shown by ``agora msg inbox``."""


@dataclass(frozen=True, slots=True)
class MessageRead:
    """One packed message and what unpacking it gave (or the failure)."""

    source: str
    unpacked: Unpacked | None = None
    error: SSIError | None = None
    inbox_id: str | None = None
    log_kept: str | None = None
    """What became of the log of an announced rotation, if one came."""


def open_message(
    packed: str | bytes,
    source: str,
    wallet: Wallet,
    reader: str,
    resolve: DidResolver,
    inbox_id: str | None = None,
) -> MessageRead:
    """Unpack one packed message with every key-agreement key the wallet
    holds for ``reader``; a failure is kept in the result, never raised.

    A checked rotation announcement's log is kept in the wallet (see
    ``MessageRead.log_kept``).
    """
    try:
        found = unpack(packed, wallet.key_agreers(reader), resolver=resolve)
    except SSIError as exc:
        return MessageRead(source, error=exc, inbox_id=inbox_id)
    return MessageRead(
        source, found, inbox_id=inbox_id, log_kept=_keep_log(wallet, found)
    )


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


def message_text(message: Message) -> str:
    """Return the message's text: ``body.content`` of a basic message, else
    its body as JSON."""
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
        return "not proven: anonymous, the message names no sender"
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


def read_to_json(read: MessageRead, names: Petnames) -> JsonObject:
    """Return one read message as ``agora msg read --json`` shows it
    (docs/cli.md, Messages)."""
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
        text=message_text(message),
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


def _rows(
    read: MessageRead, names: Petnames
) -> tuple[str, list[tuple[str, Cell]], bool]:
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
    rows += [*where, ("text", tuple(message_text(message).split("\n")))]
    title = (
        "message"
        if found.sender_proven or sender is None
        else "message (sender NOT proven)"
    )
    return title, rows, found.sender_proven or sender is None


def show_reads(out: Output, reads: list[MessageRead], names: Petnames) -> None:
    """Show read messages, one panel each (or one JSON document).

    Raises:
        ResultShown: a message could not be read (with its error).
    """
    if out.json_mode:
        out.json({"items": [read_to_json(read, names) for read in reads]})
    else:
        for read in reads:
            title, rows, good = _rows(read, names)
            out.panel(title, rows, ok=good)
    failed = [read.error for read in reads if read.error is not None]
    if failed:
        raise ResultShown(failed[0])


def read_inbox(
    wallet: Wallet,
    reader: str,
    hub_url: str,
    resolve: DidResolver,
    *,
    delete: bool = False,
    remove: Sequence[str] = (),
) -> tuple[list[MessageRead], list[str]]:
    """Read and unpack every message of the reader's inbox on a hub; with
    ``delete``, delete those that were read; delete the messages ``remove``
    names whether they could be read or not. Return the reads and the ids
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
            open_message(
                inbox.read(entry.id), hub_url, wallet, reader, resolve, entry.id
            )
            for entry in inbox.list()
        ]
        chosen = [
            item.inbox_id
            for item in reads
            if item.inbox_id is not None
            and (item.inbox_id in remove or (delete and item.unpacked is not None))
        ]
        for inbox_id in dict.fromkeys([*chosen, *remove]):
            inbox.delete(inbox_id)
            deleted.append(inbox_id)
    return reads, deleted


def show_inbox(
    out: Output, reads: list[MessageRead], names: Petnames, deleted: list[str], hub: str
) -> None:
    """Show an inbox as a table: id, sender, time, proof and the start of
    the text of each message."""
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
        text = message_text(found.message).replace("\n", " ")
        if len(text) > _PREVIEW:
            text = text[: _PREVIEW - 1] + "…"
        rows.append(
            [
                item.inbox_id or "-",
                names.show(sender) if sender else "anonymous",
                _time(found.message.created_time) or "-",
                "proven"
                if found.sender_proven
                else "not proven (anonymous)"
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
