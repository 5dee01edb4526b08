"""``agora hub pull`` and the follower behind ``agora hub serve --follow``.

``pull`` copies another hub's objects (of one community, with
``--community``) into this hub's store (``--db``) or into the wallet's
object store (``--into-store``), verifying every one here with
``hub.replicate.pull``; objects that do not verify are refused and listed.
:func:`start_followers` runs ``hub.replicate.follow`` in background threads
of a serving process.

Spec: docs/hub.md (Replication), docs/cli.md (Hub)
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ssi.agora import FileLogSource
from ssi.errors import VerificationFailedError
from ssi.store import open_store
from wallet_cli import session
from wallet_cli.commands.store import StoreOption
from wallet_cli.errors import ResultShown, UsageError
from wallet_cli.output import Output

DidLogOption = Annotated[
    list[str] | None,
    typer.Option(
        "--did-log",
        metavar="PATH",
        help="A did:agora log file (or folder of them) to trust; repeatable.",
        show_default=False,
    ),
]
"""``--did-log`` of ``agora hub serve`` and ``agora hub pull``."""

if TYPE_CHECKING:
    from hub.replicate import PullReport
    from hub.settings import HubSettings

__all__ = [
    "DidLogOption",
    "join_followers",
    "pull_command",
    "register",
    "start_followers",
]

_log = logging.getLogger("hub.replicate")


def pull_command(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Option("--from", metavar="URL", help="The hub to copy from.")
    ],
    community: Annotated[
        str | None,
        typer.Option(
            "--community", metavar="DID", help="Only this community's objects."
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help="This hub's store (default: sqlite:///hub.sqlite, or $AGORA_HUB_DB).",
            show_default=False,
        ),
    ] = None,
    into_store: Annotated[
        bool,
        typer.Option(
            "--into-store",
            help="Copy into the wallet's object store (or --store) instead of a hub's.",
        ),
    ] = False,
    store_location: StoreOption = None,
    did_log: DidLogOption = None,
    json_mode: Annotated[
        bool, typer.Option("--json", help="Write one JSON document to stdout.")
    ] = False,
) -> None:
    """Copy another hub's objects, keeping only those that verify here.

    Pages through the source's GET /objects (status lists first), verifies
    every object with this side's verifier and stores what verifies; pages
    read are shown on stderr. Objects the source served that do not verify
    are listed with their codes. Exit 1 if any was refused, 3 if the source
    cannot be reached.

    Example: agora hub pull --from https://hub.example --community did:agora:z...
    """
    from hub.logbook import MemoryLogBook, open_logbook
    from hub.replicate import pull, verifier_with
    from hub.settings import HubSettings
    from hub.state import log_sources, open_state

    out = Output(json_mode=json_mode)
    logging.getLogger("httpx").setLevel(logging.WARNING)

    def progress(report: PullReport) -> None:
        if not json_mode:
            out.notice(
                f"page {report.pages}: {report.stored:,} stored, "
                f"{report.present:,} present, {report.rejected:,} refused"
            )

    if into_store:
        if db is not None:
            raise UsageError("unusableOptions", "give --db or --into-store, not both.")
        home = session.from_context(ctx).home
        location = store_location or str(home / "store.sqlite")
        book = MemoryLogBook()  # the signers' logs, for this pull only
        files = [FileLogSource(path) for path in did_log or ()]
        with open_store(location) as store:
            report = pull(
                source,
                store,
                verifier_with([book, *files]),
                community=community,
                progress=progress,
                logbook=book,
            )
    else:
        try:
            settings = HubSettings.from_env()
            changes: dict[str, Any] = {}
            if db is not None:
                changes["db"] = db
            if did_log:
                changes["logs"] = tuple(did_log)
            settings = dataclasses.replace(settings, **changes)
        except ValueError as exc:
            raise UsageError("unusableOptions", f"{exc}.") from exc
        state = open_state(settings)
        logbook = open_logbook(settings.db)
        try:
            report = pull(
                source,
                state.store,
                verifier_with([logbook, *log_sources(settings)], clock=settings.clock),
                community=community,
                progress=progress,
                logbook=logbook,
            )
        finally:
            logbook.close()
            state.close()
    _show(out, report)


def _show(out: Output, report: PullReport) -> None:
    if out.json_mode:
        out.json(report.to_json())
    else:
        if report.refused:
            out.table(
                "Refused",
                ["cid", "codes"],
                [
                    [refusal.cid or "-", ", ".join(refusal.codes) or "-"]
                    for refusal in report.refused
                ],
            )
        out.line(
            f"{report.stored} stored, {report.present} already present, "
            f"{report.rejected} refused, from {report.source}"
        )
    if report.rejected:
        raise ResultShown(
            VerificationFailedError(
                f"{report.rejected} of {report.seen} objects from {report.source} "
                "did not verify."
            )
        )


_FOLLOW_BACKOFF = 30.0
"""The longest pause, in seconds, before a stopped follower starts again."""

_JOIN_SECONDS = 10.0
"""How long a stopping server waits for its followers, in all."""


def start_followers(
    settings: HubSettings, sources: Sequence[str]
) -> tuple[threading.Event, list[threading.Thread]]:
    """Follow each source hub in a daemon thread (its own store connection
    and verifier); set the event to stop them.

    Spec: docs/hub.md (Replication)
    """
    from hub.logbook import open_logbook
    from hub.replicate import follow, verifier_with
    from hub.state import log_sources, open_state

    stop = threading.Event()
    threads: list[threading.Thread] = []
    for source in sources:

        def run(url: str = source) -> None:
            # A follower must neither take the server down nor die for good:
            # whatever stops it (a store busy while the server opens it, a
            # database restarting), it starts again after a growing pause.
            delay = 1.0
            while not stop.is_set():
                try:
                    state = open_state(settings)
                    logbook = open_logbook(settings.db)
                except Exception:
                    _log.exception("cannot open the store to follow %s", url)
                else:
                    try:
                        verifier = verifier_with(
                            [logbook, *log_sources(settings)],
                            clock=settings.clock,
                        )
                        follow(
                            url,
                            state.store,
                            verifier,
                            stop_event=stop,
                            logbook=logbook,
                            batch=settings.follow_batch,
                            window=settings.follow_window,
                        )
                    except Exception:
                        _log.exception("following %s stopped; starting again", url)
                    finally:
                        logbook.close()
                        state.close()
                if stop.wait(delay):
                    return
                delay = min(delay * 2, _FOLLOW_BACKOFF)

        thread = threading.Thread(target=run, name=f"follow {source}", daemon=True)
        thread.start()
        threads.append(thread)
    return stop, threads


def join_followers(threads: Sequence[threading.Thread]) -> None:
    """Wait for stopped followers to close their stores (a follower ends at
    once when stopped, or after the page it is storing; at most
    :data:`_JOIN_SECONDS` in all)."""
    deadline = time.monotonic() + _JOIN_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))


def register(app: typer.Typer) -> None:
    """Add ``pull`` to the ``agora hub`` group."""
    app.command("pull")(pull_command)
