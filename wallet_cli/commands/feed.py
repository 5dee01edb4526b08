"""``agora feed``: the threads of the object store, as a tree.

The feed is built from the store's posts, retractions and reactions (all
verified when they were added) by ``ssi.social.store_feed``: edits replace
their post, retractions by the author blank it, reactions are counted once
per DID. Authors are shown by their petname when the wallet can be opened
(a passphrase at hand), else by a short DID.

Moderation: the reader's feed policy (``--policy FILE``, else
``$AGORA_HOME/feed-policy.toml``, else the default that hides nothing) says
whose decisions count and what their labels do; the decisions are judged
from the moderation objects of the store and of the ``--bundle`` files
(``feed_moderation``). A hidden post
shows as a one-line placeholder (``--show-hidden`` reveals it, still
marked), a warned post comes after a notice line, and an inform label is
shown beside its post.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Final

import typer

from ssi.datetimes import format_date_time, parse_date_time
from ssi.errors import RecordNotFoundError, StoreAccessError
from ssi.social import (
    DEFAULT_POLICY,
    Decision,
    ModeratedEntry,
    ModeratedFeed,
    TreatedDecision,
    load_feed_policy,
    moderate_feed,
    store_feed,
)
from ssi.store import STORE_FILE, open_store
from ssi.types import JsonObject
from wallet_cli import session
from wallet_cli.commands import feed_hub, feed_moderation
from wallet_cli.commands.store import StoreOption
from wallet_cli.errors import UsageError
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
    hub_url: Annotated[
        str | None,
        typer.Option(
            "--hub",
            metavar="URL",
            help="Read the feed from this hub instead of the store: its objects "
            "(of --community, with what refers to them) are fetched and verified "
            "here; those that do not verify are left out.",
            show_default=False,
        ),
    ] = None,
    no_petnames: Annotated[
        bool,
        typer.Option(
            "--no-petnames", help="Do not open the wallet for contacts' names."
        ),
    ] = False,
    policy_file: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            metavar="FILE",
            help="The feed policy (TOML) to apply (default: feed-policy.toml in "
            "the wallet directory, if there is one; without one nothing is "
            "hidden and labels are shown beside their posts).",
            show_default=False,
        ),
    ] = None,
    show_hidden: Annotated[
        bool,
        typer.Option(
            "--show-hidden", help="Show hidden posts too, each marked as hidden."
        ),
    ] = False,
    no_moderation: Annotated[
        bool,
        typer.Option(
            "--no-moderation",
            help="Apply no moderation: no policy, no labels, every post shown.",
        ),
    ] = False,
    bundle: Annotated[
        list[Path] | None,
        typer.Option(
            "--bundle",
            metavar="FILE",
            help="A bundle holding moderation evidence (mandates, reports, "
            "labels, appeals, verdicts, tallies, proposals, constitutions, "
            "memberships, status lists, did:agora logs), besides the store's; "
            "may be repeated.",
            show_default=False,
        ),
    ] = None,
    log: Annotated[
        list[Path] | None,
        typer.Option(
            "--log",
            metavar="FILE",
            help="A did:agora log (.jsonl) of a community or signer, to verify "
            "moderation objects with (else the wallet's logs); may be repeated.",
            show_default=False,
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="Judge the moderation decisions (and, with --hub, the objects "
            "fetched) as of this time (default: now).",
            show_default=False,
        ),
    ] = None,
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

    Moderation follows the feed policy: a hidden post shows as one line
    naming the label, how many of the panel agreed and the case (post CID
    and label); --show-hidden reveals it, still marked; a warned post comes
    after a notice line; an inform label is shown beside the post. In --json
    each entry carries its treatment and the decisions behind it (a hidden
    entry's post is null unless --show-hidden).

    Example: agora feed --community did:agora:zQm... --since 2026-12-01T00:00:00Z

    Example: agora feed --policy feed-policy.toml --show-hidden
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
    moment = (
        datetime.now(UTC)
        if at is None
        else parse_date_time(at, require_timezone=True, path="--at")
    )
    policy = None if no_moderation else load_feed_policy(state.home, path=policy_file)
    location = store_location
    scratch = contextlib.ExitStack()
    if hub_url is not None:
        if store_location is not None:
            raise UsageError("unusableOptions", "give --store or --hub, not both.")
        try:
            location = feed_hub.fetch(
                out,
                hub_url,
                community,
                log or [],
                scratch,
                at=None if at is None else moment,
            )
        except BaseException:
            scratch.close()
            raise
    if location is None:
        path = state.home / STORE_FILE
        if not path.exists():
            raise StoreAccessError(
                f"there is no store in {path.parent} yet: add objects with "
                "`agora store add FILE` or `agora bundle unpack B --into-store`."
            )
        location = str(path)
    with scratch, open_store(location, create=False) as store:
        result = store_feed(store, community=community, author=wanted, since=start)
        documents = (
            [] if policy is None else feed_moderation.moderation_documents(store)
        )
    decisions: list[Decision] = []
    if policy is not None:
        logs: feed_moderation.Logs = {}
        documents += feed_moderation.bundle_evidence(bundle or [], logs)
        communities = feed_moderation.followed_communities(documents, policy)
        # The --log files are read (and refused when unusable) in any case;
        # the wallet is searched for logs only when there is a case to judge.
        signers = feed_moderation.signers(documents) if communities else set()
        logs = feed_moderation.gather_logs(
            log or [], state, [*communities, *signers], logs=logs
        )
        if communities:
            decisions = feed_moderation.feed_decisions(
                documents,
                communities,
                logs=logs,
                at=moment,
                authors=feed_moderation.feed_authors(result),
            )
    moderated = moderate_feed(result, decisions, policy or DEFAULT_POLICY)
    if json_mode:
        out.json(
            _json(moderated, names, moderation=policy is not None, reveal=show_hidden)
        )
        return
    _render(out, moderated, names, reveal=show_hidden)


def _json(
    moderated: ModeratedFeed, names: Petnames, *, moderation: bool, reveal: bool
) -> JsonObject:
    document = moderated.to_json()
    if not moderation:
        document["policy"] = None
    if not reveal:
        entries = document["entries"]
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and entry.get("treatment") == "hide":
                entry["post"] = None
    document["petnames"] = names.names_for({m.entry.author for m in moderated.entries})
    return document


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


def _render(
    out: Output, moderated: ModeratedFeed, names: Petnames, *, reveal: bool
) -> None:
    result = moderated.feed
    threads, orphans = len(result.threads), len(result.orphans)
    summary = (
        f"{threads} thread{'s' if threads != 1 else ''}, {len(result.entries)} "
        f"post{'s' if len(result.entries) != 1 else ''}, {orphans} orphan"
        f"{'s' if orphans != 1 else ''}, {len(result.ignored)} ignored object"
        f"{'s' if len(result.ignored) != 1 else ''}"
    )
    hidden, warned = moderated.count("hide"), moderated.count("warn")
    if hidden or warned:
        summary += f"; {hidden} hidden, {warned} behind a warning"
    out.line(summary, style="bold")
    if not result.entries:
        out.line("No posts.")
        return
    orphan_roots = set(result.orphans)
    for item in moderated.entries:
        entry = item.entry
        if entry.depth == 0 and entry.cid in orphan_roots:
            out.line("")
            out.line(f"orphan: a reply to {entry.in_reply_to}, not in the store")
        elif entry.depth == 0:
            out.line("")
        _render_entry(out, item, names, reveal=reveal)


def _render_entry(
    out: Output, item: ModeratedEntry, names: Petnames, *, reveal: bool
) -> None:
    entry = item.entry
    indent = "    " * entry.depth
    mark = "↳ " if entry.depth else "● "
    body = indent + "  "
    if item.treatment == "hide":
        worst = item.decisions[0]
        out.line(indent + mark + "hidden: " + _case(worst), style="dim")
        if not reveal:
            return
        mark = body[len(indent) :]
    parts = [_who(entry.author, names), _when(entry.published)]
    if entry.edited is not None:
        parts.append(f"edited {_when(entry.edited)}")
    if entry.retracted:
        parts.append("retracted")
    if entry.reactions:
        parts.append(", ".join(f"{r.value} {r.count}" for r in entry.reactions))
    informs = [d for d in item.decisions if d.treatment == "inform"]
    if informs:
        labels = ", ".join(f"{d.decision.case.label} ({_agreed(d)})" for d in informs)
        parts.append(f"label: {labels}")
    out.line(indent + mark + " · ".join(parts))
    for warning in (d for d in item.decisions if d.treatment == "warn"):
        out.line(body + "warning: " + _case(warning), style="bold")
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


def _case(treated: TreatedDecision) -> str:
    """``label "spam", 2 of 3 moderators agreed; case <post CID> spam``."""
    case = treated.decision.case
    return (
        f'label "{_short(case.label)}", {_agreed(treated)}; '
        f"case {case.post} {_short(case.label)}"
    )


def _agreed(treated: TreatedDecision) -> str:
    decision = treated.decision
    return f"{len(decision.agreeing)} of {decision.panel_size} moderators agreed"


def _short(text: str) -> str:
    return text if len(text) <= 64 else text[:63] + "…"


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
