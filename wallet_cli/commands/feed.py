"""``agora feed``: the threads of the object store, as a tree.

The feed is built from the store's posts, retractions and reactions (all
verified when they were added) by ``ssi.social.store_feed``: edits replace
their post, retractions by the author blank it, reactions are counted once
per DID. Authors are shown by their petname when the wallet can be opened
(a passphrase at hand), else by a short DID.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final

import typer

from ssi.datetimes import format_date_time, parse_date_time
from ssi.errors import RecordNotFoundError, StoreAccessError
from ssi.social import Feed, FeedEntry, store_feed
from ssi.store import STORE_FILE, open_store
from wallet_cli import session
from wallet_cli.commands.store import StoreOption
from wallet_cli.output import Output
from wallet_cli.petnames import Petnames

__all__ = ["feed"]

MAX_LINES: Final = 8
"""Lines of a post's content shown in the tree; the rest is cut."""
MAX_LINE: Final = 200
"""Characters of one content line shown in the tree."""


def feed(
    ctx: typer.Context,
    community: Annotated[
        str | None,
        typer.Option(
            "--community",
            metavar="DID",
            help="Only threads whose first post names this community.",
        ),
    ] = None,
    author: Annotated[
        str | None,
        typer.Option(
            "--author",
            metavar="DID|NAME",
            help="Only threads with a post by this DID (a contact's petname or "
            "a DID alias of the wallet also works).",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="TIME",
            help="Only threads with a post or edit at or after this time "
            "(2026-12-05T16:00:00Z).",
        ),
    ] = None,
    store_location: StoreOption = None,
    no_petnames: Annotated[
        bool,
        typer.Option(
            "--no-petnames", help="Do not open the wallet for contacts' names."
        ),
    ] = False,
    json_mode: Annotated[
        bool, typer.Option("--json", help="Write one JSON document to stdout.")
    ] = False,
) -> None:
    """Show the threads of the object store as a tree.

    Each post shows its author (petname, else a short DID), its time, marks
    for edits and retractions, and its reaction counts; replies are indented
    under the post they answer; replies whose parent is not in the store are
    listed as orphans. --json gives the same structure (entries depth first,
    with depth, parent and replies) and the objects that took no effect.

    Example: agora feed --community did:agora:zQm... --since 2026-12-01T00:00:00Z
    """
    out = Output(json_mode=json_mode)
    state = session.from_context(ctx)
    names = Petnames() if no_petnames else Petnames.at_hand(state, out)
    wanted = _author(author, names, state) if author is not None else None
    start = (
        None
        if since is None
        else parse_date_time(since, require_timezone=True, path="--since")
    )
    location = store_location
    if location is None:
        path = state.home / STORE_FILE
        if not path.exists():
            raise StoreAccessError(
                f"there is no store in {path.parent} yet: add objects with "
                "`agora store add FILE` or `agora bundle unpack B --into-store`."
            )
        location = str(path)
    with open_store(location, create=False) as store:
        result = store_feed(store, community=community, author=wanted, since=start)
    if json_mode:
        document = result.to_json()
        document["petnames"] = names.names_for(
            {entry.author for entry in result.entries}
        )
        out.json(document)
        return
    _render(out, result, names)


def _author(text: str, names: Petnames, state: session.Session) -> str:
    """The DID that ``--author`` names: a DID, a contact's petname, or an alias."""
    if text.startswith("did:"):
        return text
    for did, name in names.contacts.items():
        if name.casefold() == text.casefold():
            return did
    try:
        return state.did_for(text)
    except RecordNotFoundError as exc:
        where = "a contact's name or " if names.known else ""
        raise RecordNotFoundError(
            f"--author {text[:40]!r} is not a DID, {where}an alias of the wallet's "
            "DIDs (contacts' names need the wallet: a passphrase at hand)."
        ) from exc


def _render(out: Output, result: Feed, names: Petnames) -> None:
    threads, orphans = len(result.threads), len(result.orphans)
    out.line(
        f"{threads} thread{'s' if threads != 1 else ''}, {len(result.entries)} "
        f"post{'s' if len(result.entries) != 1 else ''}, {orphans} orphan"
        f"{'s' if orphans != 1 else ''}, {len(result.ignored)} ignored object"
        f"{'s' if len(result.ignored) != 1 else ''}",
        style="bold",
    )
    if not result.entries:
        out.line("No posts.")
        return
    orphan_roots = set(result.orphans)
    for entry in result.entries:
        if entry.depth == 0 and entry.cid in orphan_roots:
            out.line("")
            out.line(f"orphan: a reply to {entry.in_reply_to}, not in the store")
        elif entry.depth == 0:
            out.line("")
        _render_entry(out, entry, names)


def _render_entry(out: Output, entry: FeedEntry, names: Petnames) -> None:
    indent = "    " * entry.depth
    mark = "↳ " if entry.depth else "● "
    parts = [_who(entry.author, names), _when(entry.published)]
    if entry.edited is not None:
        parts.append(f"edited {_when(entry.edited)}")
    if entry.retracted:
        parts.append("retracted")
    if entry.reactions:
        parts.append(", ".join(f"{r.value} {r.count}" for r in entry.reactions))
    out.line(indent + mark + " · ".join(parts))
    body = indent + "  "
    if entry.post is None:
        out.line(body + "(retracted by its author)", style="dim")
    else:
        lines = entry.post.content.splitlines() or [""]
        for line in lines[:MAX_LINES]:
            shown = line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"
            out.line(body + shown)
        if len(lines) > MAX_LINES:
            out.line(body + f"… {len(lines) - MAX_LINES} more lines", style="dim")
        if entry.post.attachments:
            out.line(body + f"{len(entry.post.attachments)} attachment(s)", style="dim")
    out.line(body + entry.current, style="dim")


def _who(did: str, names: Petnames) -> str:
    name = names.name(did)
    if name is not None:
        return name
    shown = did if len(did) <= 32 else did[:24] + "…" + did[-6:]
    own = names.own.get(did)
    if did in names.own:
        return f"{own or shown} (own DID)"
    return f"{shown} (not a contact)" if names.known else shown


def _when(moment: datetime) -> str:
    return format_date_time(moment).replace("T", " ").removesuffix("Z") + " UTC"
