"""``agora store``: add verified public objects to the object store, list
them by index, and get one by CID.

The store is ``store.sqlite`` in the wallet directory (``--home``, else
``$AGORA_HOME``, else ``~/.agora``) unless ``--store`` names another. These
commands never need the wallet passphrase (petnames are shown when one is at
hand): ``store add`` verifies with the
``--log`` and ``--status-list`` evidence given, as ``agora vc verify`` does,
and looks in the wallet only for evidence those do not hold, when a
passphrase is at hand.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Final

import typer

from ssi.credentials import Problem, Verifier, load_json
from ssi.datetimes import format_date_time, parse_date_time
from ssi.errors import (
    ObjectNotFoundError,
    ParsingError,
    StoreAccessError,
    VerificationFailedError,
)
from ssi.social import FEED_RECORDS
from ssi.store import (
    MAX_LIMIT,
    STORE_FILE,
    AddResult,
    ObjectStore,
    StoredObject,
    open_store,
)
from ssi.types import JsonObject, JsonValue
from wallet_cli import session
from wallet_cli.commands.credential import (
    ForceOption,
    LogOption,
    StatusListOption,
    evidence,
    write_output,
)
from wallet_cli.commands.inputs import read_bytes
from wallet_cli.errors import ResultShown, UsageError
from wallet_cli.output import Cell, Output
from wallet_cli.petnames import Petnames

__all__ = ["MAX_STORE_INPUT", "app"]

app = typer.Typer(
    help="The object store: verified public objects by CID, with indexes.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

MAX_STORE_INPUT: Final = 256 * 1024 * 1024
"""The largest input ``agora store add`` reads, in bytes."""

_BATCH: Final = 1000
"""Objects per transaction of ``agora store add``."""

JsonOption = Annotated[
    bool, typer.Option("--json", help="Write one JSON document to stdout.")
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="PATH|URL",
        help="The store: an SQLite file, sqlite:///PATH, or "
        "postgresql://HOST/DB?schema=NAME (default: store.sqlite in the wallet "
        "directory).",
        show_default=False,
    ),
]


def _open(
    ctx: typer.Context, location: str | None, *, create: bool = True
) -> ObjectStore:
    """Open the store named by ``--store``, else the wallet directory's.

    Commands that only read pass ``create=False``: a store that is not there
    is an error (``storeAccess``), not a new empty file.
    """
    if location is not None:
        return open_store(location, create=create)
    path = session.from_context(ctx).home / STORE_FILE
    if not create and not path.exists():
        raise StoreAccessError(
            f"there is no store in {path.parent} yet: add objects with "
            "`agora store add FILE`."
        )
    return open_store(path, create=create)


# --- agora store add ----------------------------------------------------------------


@app.command("add")
def store_add(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A JSON object, a JSON array of objects, or JSON Lines (one "
            "object per line); - reads standard input.",
        ),
    ],
    log: LogOption = None,
    status_list: StatusListOption = None,
    store_location: StoreOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Verify objects and keep those that verify in the store.

    Each object is verified as by `agora vc verify` (presentations with
    challenge and domain not checked), with the same --log and --status-list
    evidence; those that verify are stored under their CID, in transactions
    of up to 1,000 objects. An object already stored is reported present.
    A table gives each input's CID, outcome and problem. Exit 1 if any input
    is rejected (the others are stored all the same), 2 if the file cannot
    be read.

    Example: agora store add thread.jsonl --log alice.jsonl
    """
    out = Output(json_mode=json_mode)
    labels, inputs = _read_inputs(source)
    resolver, status = evidence(ctx, log, status_list)
    verifier = Verifier(resolver=resolver, status=status)
    results: list[AddResult] = []
    where = store_location or str(session.from_context(ctx).home / STORE_FILE)
    with _open(ctx, store_location) as store:
        for start in range(0, len(inputs), _BATCH):
            batch = inputs[start : start + _BATCH]
            results.extend(store.add(batch, verifier=verifier, derive=FEED_RECORDS))
            session.from_context(ctx).raise_evidence_failure()
    counts = Counter(result.outcome for result in results)
    if json_mode:
        out.json(
            {
                "store": where,
                "stored": counts["stored"],
                "present": counts["present"],
                "rejected": counts["rejected"],
                "results": [
                    {"input": label, **result.to_json()}
                    for label, result in zip(labels, results, strict=True)
                ],
            }
        )
    else:
        out.table(
            "Objects",
            ["input", "cid", "outcome", "problem"],
            [
                [label, result.cid or "-", result.outcome, _problem_cell(result)]
                for label, result in zip(labels, results, strict=True)
            ],
        )
        out.line(
            f"{counts['stored']} stored, {counts['present']} already present, "
            f"{counts['rejected']} rejected, in {where}"
        )
    if counts["rejected"]:
        problems = tuple(p.error for r in results for p in r.problems)
        raise ResultShown(
            VerificationFailedError(
                f"{counts['rejected']} of {len(results)} objects were rejected.",
                problems,
            )
        )


def _problem_cell(result: AddResult) -> Cell:
    return tuple(_problem_text(problem) for problem in result.problems) or "-"


def _problem_text(problem: Problem) -> str:
    return f"{problem.code} ({problem.error.code}) in {problem.check}: {problem.detail}"


def _read_inputs(source: str) -> tuple[list[str], list[JsonValue | bytes]]:
    """Split the input into objects: labels (for the table) and inputs.

    A text that starts with ``[`` is a JSON array; one that is a JSON value
    as a whole is one object; else, when its first line is JSON on its own,
    it is JSON Lines (blank lines skipped; each line an object, a bad line
    rejected on its own); else it is one malformed object.

    Raises:
        UsageError: the file cannot be read, is too large, holds nothing,
            or is an array that is not JSON.
    """
    name = "standard input" if source == "-" else source
    data = read_bytes(source, limit=MAX_STORE_INPUT)
    if len(data) > MAX_STORE_INPUT:
        raise UsageError(
            "unusableInput",
            f"{name} is larger than {MAX_STORE_INPUT // (1024 * 1024)} MiB; split it.",
        )
    text = data.lstrip()
    if not text:
        raise UsageError("unusableInput", f"{name} holds no object.")
    if text.startswith(b"["):
        try:
            value = load_json(data, max_bytes=MAX_STORE_INPUT)
        except ParsingError as exc:
            raise UsageError(
                "unusableInput", f"{name} is not a usable JSON array: {exc.detail}"
            ) from exc
        items = value if isinstance(value, list) else [value]
        return [f"item {i}" for i in range(1, len(items) + 1)], items
    try:
        return ["object"], [load_json(data, max_bytes=MAX_STORE_INPUT)]
    except ParsingError:
        pass
    lines = [
        (number, line)
        for number, line in enumerate(data.split(b"\n"), start=1)
        if line.strip()
    ]
    try:
        load_json(lines[0][1])
    except ParsingError:
        return ["object"], [data]  # rejected by the store with its problem
    return [f"line {number}" for number, _ in lines], [line for _, line in lines]


# --- agora store list | get -------------------------------------------------------


def _time_option(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    return parse_date_time(value, require_timezone=True, path=option)


@app.command("list")
def store_list(
    ctx: typer.Context,
    type_filter: Annotated[
        str | None,
        typer.Option("--type", metavar="TYPE", help="Only objects of this type."),
    ] = None,
    author: Annotated[
        str | None,
        typer.Option("--author", metavar="DID", help="Only objects by this DID."),
    ] = None,
    community: Annotated[
        str | None,
        typer.Option(
            "--community", metavar="DID", help="Only objects in this community."
        ),
    ] = None,
    reply_to: Annotated[
        str | None,
        typer.Option("--reply-to", metavar="CID", help="Only replies to this object."),
    ] = None,
    refers_to: Annotated[
        str | None,
        typer.Option(
            "--refers-to",
            metavar="CID",
            help="Only objects whose subject names this CID.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATETIME",
            help="Only objects from this time on, such as 2025-01-01T00:00:00Z.",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="DATETIME", help="Only objects before this."),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", min=1, max=MAX_LIMIT, help="Objects per page (1 to 1000)."
        ),
    ] = 20,
    cursor: Annotated[
        str | None,
        typer.Option(
            "--cursor",
            metavar="CURSOR",
            help="Resume after the page that gave this cursor (same filters).",
        ),
    ] = None,
    store_location: StoreOption = None,
    json_mode: JsonOption = False,
) -> None:
    """List stored objects, oldest first, by type, author, community, reply
    target, referenced CID or time; a page at a time.

    When more objects match, the cursor of the next page is printed; give it
    back with --cursor and the same filters.

    Example: agora store list --type Post --community did:agora:z... --limit 50
    """
    out = Output(json_mode=json_mode)
    with _open(ctx, store_location, create=False) as store:
        page = store.query(
            type=type_filter,
            author=author,
            community=community,
            reply_to=reply_to,
            refers_to=refers_to,
            since=_time_option(since, "--since"),
            until=_time_option(until, "--until"),
            limit=limit,
            cursor=cursor,
        )
    names = Petnames.at_hand(session.from_context(ctx), out)
    if json_mode:
        out.json(
            {
                "items": [item.to_json() for item in page.items],
                "cursor": page.cursor,
                "more": page.more,
                "petnames": names.names_for(
                    item.author for item in page.items if item.author
                ),
            }
        )
        return
    if not page.items:
        out.line("No objects.")
    else:
        out.table(
            "Objects",
            ["seq", "cid", "type", "author", "time"],
            [_row(item, names) for item in page.items],
        )
    if page.more and page.cursor is not None:
        out.line(f"More: give --cursor {page.cursor} for the next page.")


def _row(item: StoredObject, names: Petnames) -> list[Cell]:
    return [
        str(item.seq),
        item.cid,
        ", ".join(item.types) or "-",
        names.show(item.author) if item.author else "-",
        "-" if item.time is None else format_date_time(item.time),
    ]


@app.command("get")
def store_get(
    ctx: typer.Context,
    cid: Annotated[str, typer.Argument(metavar="CID", help="The object's CID.")],
    out_file: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write the object (JSON) to FILE, or to standard output with -. "
            "An existing file is replaced only with --force.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    store_location: StoreOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Show a stored object and its index entries (exit 1 if it is not stored).

    With --out the object itself is written (its CID is the same: the CID is
    taken over the canonical form); with --json, the object and its index
    entries.

    Example: agora store get bagaaiera... --out post.json
    """
    out = Output(json_mode=json_mode)
    with _open(ctx, store_location, create=False) as store:
        found = store.get(cid)
    if found is None:
        raise ObjectNotFoundError(f"no object {cid[:80]} in the store.")
    if out_file == "-":
        # ASCII escapes: the same JSON, and nothing a terminal would act on.
        out.data(json.dumps(found.document, indent=2, ensure_ascii=True) + "\n")
        return
    if out_file is not None:
        data = json.dumps(found.document, indent=2, ensure_ascii=False) + "\n"
        write_output(Path(out_file), data.encode("utf-8"), force=force)
        if json_mode:
            out.json({"cid": found.cid, "out": out_file})
        else:
            out.panel("object written", [("cid", found.cid), ("written to", out_file)])
        return
    if json_mode:
        out.json(found.to_json())
        return
    names = Petnames.at_hand(session.from_context(ctx), out)
    out.panel(found.cid, _details(found, names))


def _details(item: StoredObject, names: Petnames) -> list[tuple[str, Cell]]:
    rows: list[tuple[str, Cell]] = [
        ("seq", str(item.seq)),
        ("types", ", ".join(item.types) or "-"),
        ("author", names.show(item.author) if item.author else "-"),
        ("time", "-" if item.time is None else format_date_time(item.time)),
    ]
    if item.community is not None:
        rows.append(("community", item.community))
    if item.reply_to is not None:
        rows.append(("reply to", item.reply_to))
    if item.refers_to:
        rows.append(("refers to", item.refers_to))
    subject = item.document.get("credentialSubject")
    subjects: Sequence[JsonValue] = subject if isinstance(subject, list) else [subject]
    for one in subjects:
        if isinstance(one, dict):
            rows.extend(_subject_rows(one))
    return rows


def _subject_rows(subject: JsonObject) -> list[tuple[str, Cell]]:
    rows: list[tuple[str, Cell]] = []
    for name, value in subject.items():
        shown = (
            value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        )
        rows.append((f"  {name}", tuple(shown.split("\n"))))
    return rows
