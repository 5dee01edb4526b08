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

from pathlib import Path
from typing import Annotated

import httpx
import typer

from ssi.did import DIDDocument
from ssi.did.resolution import Resolver
from ssi.errors import RecordNotFoundError
from ssi.messaging import (
    MAX_MESSAGE_BYTES,
    DidResolver,
    Message,
    UnresolvableDIDError,
    pack_anoncrypt,
    pack_authcrypt,
    rotation,
)
from ssi.types import JsonObject
from ssi.wallet import Wallet, agora_log, contact, prior_signer
from wallet_cli import session
from wallet_cli.commands.credential import (
    ForceOption,
    JsonOption,
    LogOption,
    check_out_file,
    write_output,
)
from wallet_cli.commands.inputs import read_bytes
from wallet_cli.commands.msg_reading import (
    BASIC_MESSAGE,
    open_message,
    read_inbox,
    read_to_json,
    show_inbox,
    show_reads,
)
from wallet_cli.errors import ResultShown, UsageError
from wallet_cli.output import Cell, Output
from wallet_cli.petnames import Petnames

__all__ = ["BASIC_MESSAGE", "app"]

app = typer.Typer(
    help="Private messages between DIDs (DIDComm v2): send, read, and a hub inbox.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

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
    # An anonymous message to a DID needs no wallet: nothing of it is used
    # but its logs and names, when it exists.
    wallet = (
        current.evidence_wallet() if anon and to.startswith("did:") else current.open()
    )
    recipient = to if wallet is None else _recipient(wallet, to)
    resolve = _did_resolver(current.resolver(log), via)
    writer = None if anon else wallet
    sender = None if writer is None else writer.did(as_ or "").did
    from_prior, attachments, prior = None, [], None
    if announce_rotation and writer is not None and sender is not None:
        entries = agora_log(writer, sender)
        from_prior, attachment = rotation.announce_rotation(
            prior_signer(writer, sender), sender, entries
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
    if writer is None or sender is None:
        packed = pack_anoncrypt(message, [recipient], resolver=resolve)
    else:
        agreer = writer.key_agreer(sender, version=prior)
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
    names = Petnames() if wallet is None else Petnames.of(wallet)
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
        reads, _ = read_inbox(wallet, as_, hub_url, resolve)
    else:
        packed = read_bytes(from_, limit=MAX_MESSAGE_BYTES)
        source = "stdin" if from_ == "-" else from_
        reads = [open_message(packed, source, wallet, as_, resolve)]
    if not reads and not json_mode:
        out.line("The inbox is empty.")
    show_reads(out, reads, Petnames.of(wallet))


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
    remove: Annotated[
        list[str] | None,
        typer.Option(
            "--remove",
            metavar="ID",
            help="Delete this message (by its inbox id) whether or not it can be "
            "read here; repeatable.",
        ),
    ] = None,
    log: LogOption = None,
    json_mode: JsonOption = False,
) -> None:
    """List a DID's inbox on a hub: each message's sender, time, whether the
    sender is proven, and the start of its text (exit 1 if one cannot be read).

    The wallet's DID signs in with a presentation answering the hub's
    challenge; nobody else can list, read or delete the inbox.

    Example: agora msg inbox --as bob --hub https://hub.example --delete

    A message that cannot be read here (made with a key since rotated out,
    say) stays until it is named with --remove ID.
    """
    out = Output(json_mode=json_mode)
    if not _is_url(hub):
        raise UsageError("unusableInput", f"--hub {hub[:80]!r} is not an http(s) URL.")
    current = session.from_context(ctx)
    wallet = current.open()
    resolve = _did_resolver(current.resolver(log), hub)
    reads, deleted = read_inbox(
        wallet, as_, hub, resolve, delete=delete, remove=tuple(remove or ())
    )
    names = Petnames.of(wallet)
    if json_mode:
        items = [read_to_json(item, names) for item in reads]
        for entry in items:
            entry["deleted"] = entry.get("inboxId") in deleted
        out.json({"hub": hub, "items": items, "deleted": len(deleted)})
    else:
        show_inbox(out, reads, names, deleted, hub)
    failed = [
        item.error
        for item in reads
        if item.error is not None and item.inbox_id not in deleted
    ]
    if failed:
        raise ResultShown(failed[0])
