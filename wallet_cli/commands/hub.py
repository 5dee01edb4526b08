"""``agora hub``: run a hub (``serve``) and send objects to one (``push``).

``serve`` runs the hub app (``hub.app``) under uvicorn; with ``--workers N``
each worker process builds the app from ``AGORA_HUB_*`` environment
variables. ``push`` sends a file of objects or a bundle to a hub's
``POST /objects`` in pieces the hub accepts (a bundle's dependencies go with
every piece), and sums up what the hub did with each object.

Spec: docs/hub.md, docs/cli.md (Hub)
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Iterator
from typing import Annotated, Any, Final

import httpx
import typer

from ssi.errors import TransportError, VerificationFailedError
from ssi.http_client import make_client
from ssi.types import JsonObject, JsonValue
from wallet_cli.commands import hub_replicate
from wallet_cli.commands.inputs import read_bytes
from wallet_cli.errors import ResultShown, UsageError
from wallet_cli.output import Output

__all__ = ["MAX_PUSH_INPUT", "app"]

app = typer.Typer(
    help="Run a hub, or push objects to one.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

MAX_PUSH_INPUT: Final = 1024 * 1024 * 1024
"""The largest file ``agora hub push`` reads, in bytes."""

_PIECE_OBJECTS: Final = 1000
_PIECE_BYTES: Final = 8 * 1024 * 1024 - 64 * 1024
_RETRIES: Final = 5
_BUNDLE_TYPE: Final = "application/vnd.agora.bundle+jsonl"
_OBJECT_KINDS: Final = ("credential", "presentation")

JsonOption = Annotated[
    bool, typer.Option("--json", help="Write one JSON document to stdout.")
]


# --- agora hub serve ----------------------------------------------------------------


def _log_config(path: str | None) -> dict[str, Any] | None:
    if path is None:
        return None
    handler = {
        "class": "logging.FileHandler",
        "filename": path,
        "formatter": "plain",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(name)s %(message)s"}},
        "handlers": {"file": handler},
        "loggers": {
            name: {"handlers": ["file"], "level": "INFO", "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "hub")
        },
    }


@app.command("serve")
def serve_command(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help="The object store: sqlite:///PATH, a path, or postgresql://... "
            "(default: sqlite:///hub.sqlite, or $AGORA_HUB_DB).",
            show_default=False,
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Worker processes.")
    ] = 1,
    log: Annotated[
        str | None,
        typer.Option(
            "--log",
            metavar="FILE",
            help="Write the server's log to FILE.",
            show_default=False,
        ),
    ] = None,
    did_log: hub_replicate.DidLogOption = None,
    rate: Annotated[
        float | None,
        typer.Option(
            "--rate",
            min=0.001,
            help="Requests per second per client (burst: twice as many).",
            show_default=False,
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="Verify as of this RFC 3339 time instead of now (to replay a "
            "timeline; a hub in service leaves it unset).",
            show_default=False,
        ),
    ] = None,
    view_refresh: Annotated[
        float | None,
        typer.Option(
            "--view-refresh",
            min=0.0,
            metavar="SECONDS",
            help="How far behind the store a kept view (a community's feed) may "
            "be served (default 1; 0: always current).",
            show_default=False,
        ),
    ] = None,
    follow: Annotated[
        list[str] | None,
        typer.Option(
            "--follow",
            metavar="URL",
            help="Another hub to copy from and follow (its /objects, then its "
            "/stream), verifying every object here; repeatable.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the hub's HTTP API until interrupted.

    Settings not given as options come from AGORA_HUB_* environment
    variables (AGORA_HUB_MAX_BODY_BYTES, AGORA_HUB_MAX_OBJECTS,
    AGORA_HUB_MAX_PAGE, AGORA_HUB_RATE, AGORA_HUB_VIEW_CACHE...), else their defaults
    (docs/hub.md). Listens on 127.0.0.1:8765 unless told otherwise.

    Example: agora hub serve --db sqlite:///hub.sqlite --port 8765
    """
    import dataclasses

    import uvicorn

    from hub.app import create_app
    from hub.settings import HubSettings

    try:
        settings = HubSettings.from_env()
        changes: dict[str, Any] = {}
        if db is not None:
            changes["db"] = db
        if did_log:
            changes["logs"] = tuple(did_log)
        if rate is not None:
            changes["rate"] = rate
        if at is not None:
            changes["at"] = at
        if view_refresh is not None:
            changes["view_refresh"] = view_refresh
        settings = dataclasses.replace(settings, **changes)
    except ValueError as exc:
        raise UsageError("unusableOptions", f"{exc}.") from exc
    config = _log_config(log)
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "timeout_graceful_shutdown": 5,
        "proxy_headers": False,
    }
    if config is not None:
        common["log_config"] = config
    stop, followers = hub_replicate.start_followers(settings, follow or ())  # H8
    try:
        if workers == 1:
            uvicorn.run(create_app(settings), **common)
            return
        os.environ.update(settings.to_env())
        uvicorn.run("hub.app:app_from_env", factory=True, workers=workers, **common)
    finally:
        stop.set()
        hub_replicate.join_followers(followers)


# --- agora hub push -----------------------------------------------------------------


def _pieces(data: bytes, objects: int, size: int) -> Iterator[tuple[bytes, str, int]]:
    """Split the input into request bodies: (body, media type, objects)."""
    lines = [line for line in data.splitlines() if line.strip()]
    if lines and _kind(lines[0]) == "header":
        header, rest = lines[0], lines[1:]
        items = [line for line in rest if _kind(line) in _OBJECT_KINDS]
        deps = [line for line in rest if _kind(line) not in _OBJECT_KINDS]
        prefix = b"\n".join([header, *deps]) + b"\n"
        if not items and deps:
            # Only what verifies others (did:agora logs, status lists): the
            # hub keeps it, so it goes once, as it is.
            yield prefix, _BUNDLE_TYPE, 0
            return
        yield from _group(prefix, items, objects, size, _BUNDLE_TYPE)
        return
    text = data.lstrip()
    if text.startswith((b"{", b"[")):
        try:
            parsed = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            parsed = None
        if parsed is not None:
            values = parsed if isinstance(parsed, list) else [parsed]
            encoded = [json.dumps(value).encode() for value in values]
            yield from _group(b"", encoded, objects, size, "application/json")
            return
    # JSON Lines: one object per line.
    yield from _group(b"", lines, objects, size, "application/json")


def _kind(line: bytes) -> object:
    """The ``kind`` of one bundle line, whatever its key order or spacing."""
    try:
        value = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value.get("kind") if isinstance(value, dict) else None


def _group(
    prefix: bytes, items: list[bytes], objects: int, size: int, media: str
) -> Iterator[tuple[bytes, str, int]]:
    piece: list[bytes] = []
    used = len(prefix)
    for item in items:
        if piece and (len(piece) >= objects or used + len(item) + 2 > size):
            yield _body(prefix, piece, media), media, len(piece)
            piece, used = [], len(prefix)
        piece.append(item)
        used += len(item) + 2
    if piece:
        yield _body(prefix, piece, media), media, len(piece)


def _body(prefix: bytes, items: list[bytes], media: str) -> bytes:
    if media == _BUNDLE_TYPE:
        return prefix + b"\n".join(items) + b"\n"
    return b"[" + b",".join(items) + b"]"


def _send(client: httpx.Client, url: str, body: bytes, media: str) -> httpx.Response:
    """POST one piece; wait and retry while the hub answers 429."""
    for _ in range(_RETRIES):
        try:
            response = client.post(url, content=body, headers={"Content-Type": media})
        except httpx.HTTPError as exc:
            raise TransportError(f"cannot reach the hub at {url}: {exc}.") from exc
        if response.status_code != 429:
            return response
        retry = response.headers.get("Retry-After", "1")
        time.sleep(min(30.0, float(retry) if retry.isdigit() else 1.0))
    return response


def _refusal(response: httpx.Response) -> JsonObject:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    return {"status": response.status_code, "detail": response.text[:200]}


@app.command("push")
def push_command(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A bundle, a JSON object, a JSON array of objects, JSON Lines, "
            "or a did:agora log (agora did log export); - reads standard input.",
        ),
    ],
    to: Annotated[str, typer.Option("--to", metavar="URL", help="The hub's base URL.")],
    batch: Annotated[
        int,
        typer.Option(
            "--batch",
            min=1,
            help="Objects per request (for a hub with a lower limit).",
        ),
    ] = _PIECE_OBJECTS,
    json_mode: JsonOption = False,
) -> None:
    """Send signed objects to a hub, which keeps those that verify.

    A large input goes in several requests (at most --batch objects, 1,000 by
    default, and 8 MiB each; a bundle's did:agora logs, status lists and
    memberships go with every request), with progress on stderr. A table
    lists the objects the hub rejected; the totals follow. Exit 1 if the
    hub rejected any object, 2 if the hub refused a request or the file
    cannot be read, 3 if the hub cannot be reached. A did:agora log file is
    checked here and sent alone, and the hub's copy is read back (exit 1 if
    the hub does not keep it).

    Example: agora hub push thread.bundle.jsonl --to https://hub.example
    """
    out = Output(json_mode=json_mode)
    data = read_bytes(source, limit=MAX_PUSH_INPUT)
    if len(data) > MAX_PUSH_INPUT:
        raise UsageError("unusableInput", f"{source} is larger than 1 GiB.")
    url = to.rstrip("/") + "/objects"
    if _is_agora_log(data):
        _push_log(out, to, data, source)
        return
    pieces = list(_pieces(data, batch, _PIECE_BYTES))
    if not pieces:
        raise UsageError("unusableInput", f"{source} holds no object.")
    total = sum(count for _, _, count in pieces)
    results: list[JsonValue] = []
    sent = 0
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with make_client(
        timeout=300.0, max_bytes=256 * 1024 * 1024, allow_loopback_http=True
    ) as client:
        for body, media, count in pieces:
            response = _send(client, url, body, media)
            if response.status_code >= 500:
                raise TransportError(
                    f"the hub at {to} failed ({response.status_code})."
                )
            if response.status_code != 200:
                problem = _refusal(response)
                raise UsageError(
                    str(problem.get("code", "hubRefused")),
                    f"the hub refused the request ({response.status_code}): "
                    f"{problem.get('detail', '')}",
                )
            answer = response.json()
            found = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(found, list):
                raise TransportError(f"the hub at {to} answered without results.")
            results.extend(found)
            sent += count
            if len(pieces) > 1 and not json_mode:
                out.notice(f"sent {sent:,} of {total:,} objects")
    _report(out, to, results)


def _is_agora_log(data: bytes) -> bool:
    """Whether the input is a did:agora log (``agora did log export``): its
    first line an entry (updateKeys, document, proof), not an object."""
    first = next((line for line in data.splitlines() if line.strip()), b"")
    try:
        entry = json.loads(first)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return (
        isinstance(entry, dict)
        and {"updateKeys", "document", "proof"} <= entry.keys()
        and "kind" not in entry
    )


def _push_log(out: Output, hub: str, data: bytes, source: str) -> None:
    """Send a did:agora log alone (in a bundle that holds nothing else) and
    check that the hub keeps it.

    Raises:
        InvalidDIDLogError, LogTooLargeError: the log does not validate here.
        UsageError: the hub refused the request.
        TransportError: the hub cannot be reached, fails or answers badly.
        ResultShown: the hub does not keep the log (another, forked one).
    """
    from ssi.agora import did_for_inception, split_lines, validate_log

    entries = split_lines(data, source=source)
    first = entries[0] if entries else None
    if not isinstance(first, dict):
        raise UsageError("unusableInput", f"{source} holds no log entry.")
    did = did_for_inception(first)
    validate_log(entries, did=did)
    header = {"kind": "header", "mediaType": _BUNDLE_TYPE, "version": 1}
    lines = (header, {"kind": "didLog", "did": did, "entries": entries})
    body = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
    base = hub.rstrip("/")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with make_client(timeout=60.0, allow_loopback_http=True) as client:
        response = _send(client, base + "/objects", body.encode(), _BUNDLE_TYPE)
        if response.status_code >= 500:
            raise TransportError(f"the hub at {hub} failed ({response.status_code}).")
        if response.status_code != 200:
            problem = _refusal(response)
            raise UsageError(
                str(problem.get("code", "hubRefused")),
                f"the hub refused the log ({response.status_code}): "
                f"{problem.get('detail', '')}",
            )
        try:
            kept = client.get(f"{base}/dids/{did}/log")
        except httpx.HTTPError as exc:
            raise TransportError(f"cannot reach the hub at {hub}: {exc}.") from exc
    held = (
        split_lines(kept.content, source=f"the log of {did} on the hub")
        if kept.status_code == 200
        else []
    )
    extends = held[: len(entries)] == entries
    summary: JsonObject = {
        "hub": hub,
        "did": did,
        "entries": len(entries),
        "kept": extends,
        "hubVersion": len(held) if extends else None,
    }
    if out.json_mode:
        out.json(summary)
    elif extends:
        out.line(f"the log of {did} is kept by {hub}: version {len(held)}")
    if not extends:
        raise ResultShown(
            VerificationFailedError(
                f"{hub} does not keep this log of {did}: it holds "
                f"{'another' if held else 'none'}."
            )
        )


def _report(out: Output, hub: str, results: list[JsonValue]) -> None:
    entries = [result for result in results if isinstance(result, dict)]
    counts = Counter(str(entry.get("outcome")) for entry in entries)
    if out.json_mode:
        out.json(
            {
                "hub": hub,
                "stored": counts["stored"],
                "present": counts["present"],
                "rejected": counts["rejected"],
                "results": results,
            }
        )
    else:
        rejected = [entry for entry in entries if entry.get("outcome") == "rejected"]
        if rejected:
            out.table(
                "Rejected",
                ["cid", "problem"],
                [
                    [str(entry.get("cid") or "-"), _problems_cell(entry)]
                    for entry in rejected
                ],
            )
        out.line(
            f"{counts['stored']} stored, {counts['present']} already present, "
            f"{counts['rejected']} rejected, by {hub}"
        )
    if counts["rejected"]:
        raise ResultShown(
            VerificationFailedError(
                f"the hub rejected {counts['rejected']} of {len(entries)} objects."
            )
        )


def _problems_cell(entry: JsonObject) -> tuple[str, ...] | str:
    problems = entry.get("problems")
    if not isinstance(problems, list) or not problems:
        return "-"
    return tuple(
        f"{item.get('errorCode', '?')} in {item.get('check', '?')}: "
        f"{item.get('detail', '')}"
        for item in problems
        if isinstance(item, dict)
    )


hub_replicate.register(app)  # H8: agora hub pull
