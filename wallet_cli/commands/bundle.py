"""``agora bundle``: pack objects with what verifies them, verify, merge.

A bundle (docs/bundles.md) is a JSON Lines file that carries credentials and
presentations with the did:agora logs of their signers, the status lists
their ``credentialStatus`` names and the memberships that show their authors
belong to the communities they post in, so that it verifies offline, in a
fresh home, whatever carried it. ``-`` is standard input or output.

``agora bundle unpack B --into-store`` adds what verifies to the object store.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated, TypeVar

import typer

from ssi.agora import FileLogSource, LogSource, split_lines
from ssi.agora.lines import MAX_LOG_BYTES
from ssi.bundle import ItemResult, merge, pack, unpack, verify_bundle
from ssi.bundle.objects import community_of, status_urls
from ssi.datetimes import parse_date_time
from ssi.errors import SSIError, StatusRetrievalError, VerificationFailedError
from ssi.status import StatusSource
from ssi.store import STORE_FILE, open_store
from ssi.types import JsonObject, JsonValue
from ssi.wallet import WalletLogSource, WalletStatusSource, status_list_versions
from wallet_cli import session
from wallet_cli.commands.credential import (
    ForceOption,
    JsonOption,
    LogOption,
    StatusListOption,
    check_out_file,
)
from wallet_cli.commands.inputs import read_bytes, read_json
from wallet_cli.commands.store import StoreOption
from wallet_cli.errors import ResultShown, UsageError
from wallet_cli.output import Output
from wallet_cli.petnames import Petnames

__all__ = ["app"]

app = typer.Typer(
    help="Bundles: objects with everything that verifies them, in one file.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_T = TypeVar("_T")

ProcessesOption = Annotated[
    int,
    typer.Option(
        "--processes",
        metavar="N",
        min=1,
        help="Verify on N worker processes (default: 1, in this process).",
    ),
]
_MEMBERSHIP = "MembershipCredential"

OutArgument = Annotated[
    str,
    typer.Option(
        "--out",
        metavar="FILE",
        help="Where the bundle goes; - writes it to standard output. An "
        "existing file is replaced only with --force.",
    ),
]


# --- Writing a bundle to a file (atomically) or to standard output -------------------


def _write_bundle(target: str, *, force: bool, write: Callable[[IO[bytes]], _T]) -> _T:
    """Run ``write`` on standard output (``-``) or on a temporary file that
    replaces ``target`` only once it is whole (fsync, rename).

    Raises:
        UsageError: the file exists (without ``force``) or cannot be written,
            or standard output is a terminal.
    """
    if target == "-":
        if sys.stdout.isatty():
            # A bundle holds strangers' text, written as it is: never to a
            # terminal, where only wallet_cli.output may write.
            raise UsageError(
                "terminalOutput",
                "a bundle is not written to a terminal: pipe it, or use --out FILE.",
            )
        result = write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return result
    path = Path(target)
    check_out_file(path, force=force)
    try:
        fd, name = tempfile.mkstemp(dir=path.parent or Path(), prefix=f".{path.name}.")
    except OSError as exc:
        raise UsageError(
            "unusableOutput", f"cannot write {path}: {exc.strerror or exc}."
        ) from exc
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        mask = os.umask(0o022)
        os.umask(mask)
        temporary.chmod(0o666 & ~mask)
        if force:
            temporary.replace(path)
        else:
            try:
                os.link(temporary, path)
            except FileExistsError as exc:
                raise UsageError(
                    "fileExists",
                    f"{path} exists; choose another name, or pass --force.",
                ) from exc
            temporary.unlink()
    except OSError as exc:
        raise UsageError(
            "unusableOutput", f"cannot write {path}: {exc.strerror or exc}."
        ) from exc
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
    return result


# --- Evidence: logs, status lists and memberships, from files then the wallet ------


def _log_files(paths: list[Path] | None) -> list[LogSource]:
    """FileLogSources for the ``--log`` paths, each file checked now.

    Raises:
        UsageError: a path does not exist or cannot be read.
        InvalidDIDLogError, LogTooLargeError: a file is not a readable log.
    """
    sources: list[LogSource] = []
    for path in paths or []:
        if not path.exists():
            raise UsageError("unusableInput", f"there is no log file or folder {path}.")
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for file in files:
            split_lines(read_bytes(file, limit=MAX_LOG_BYTES), source=str(file))
        sources.append(FileLogSource(path))
    return sources


class _Logs:
    """did:agora logs from the ``--log`` files, else from the wallet."""

    def __init__(self, files: list[LogSource], current: session.Session) -> None:
        self._files = files
        self._session = current

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        found: list[list[JsonValue]] = []
        for source in self._files:
            found.extend(source.logs_for(did))
        if found:
            return found
        wallet = self._session.evidence_wallet()
        return WalletLogSource(wallet).logs_for(did) if wallet is not None else []


class _Lists:
    """Status lists from the ``--status-list`` files, else from the wallet."""

    def __init__(self, documents: dict[str, JsonObject], current: session.Session):
        self._documents = documents
        self._session = current

    def get(self, url: str) -> JsonObject:
        if url in self._documents:
            return self._documents[url]
        wallet = self._session.evidence_wallet()
        if wallet is None:
            raise StatusRetrievalError(f"no status list {url[:120]} was given.")
        return WalletStatusSource(wallet).get(url)


def _lists(paths: list[Path] | None) -> dict[str, JsonObject]:
    """The newest ``--status-list`` file per URL (by ``validFrom``; the last
    given among equals)."""
    documents: dict[str, JsonObject] = {}
    for document in _all_lists(paths):
        url = str(document["id"])
        known = documents.get(url)
        if known is None or _valid_from(document) >= _valid_from(known):
            documents[url] = document
    return documents


def _all_lists(paths: list[Path] | None) -> list[JsonObject]:
    return [session.read_status_list(path) for path in paths or []]


_NEVER = datetime.min.replace(tzinfo=UTC)


def _valid_from(document: JsonObject) -> datetime:
    """When a list was signed; a list with no (usable) validFrom is the oldest."""
    value = document.get("validFrom")
    if not isinstance(value, str):
        return _NEVER
    try:
        return parse_date_time(value, require_timezone=True, path="$.validFrom")
    except SSIError:
        return _NEVER


def _object(source: str, what: str) -> JsonObject:
    value = read_json(source, what=what)
    if not isinstance(value, dict):
        name = "standard input" if source == "-" else source
        raise UsageError("unusableInput", f"{what} in {name} is not a JSON object.")
    return value


# --- agora bundle pack --------------------------------------------------------------


@app.command("pack")
def pack_command(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help="The objects (credentials, presentations), one JSON file each; "
            "- reads one from standard input.",
        ),
    ],
    out_target: OutArgument,
    log: LogOption = None,
    status_list: StatusListOption = None,
    membership: Annotated[
        list[str] | None,
        typer.Option(
            "--membership",
            metavar="FILE",
            help="A MembershipCredential to carry for objects posted in its "
            "community; may be repeated. The wallet's are used too.",
        ),
    ] = None,
    blob: Annotated[
        list[Path] | None,
        typer.Option(
            "--blob",
            metavar="FILE",
            help="A file to carry as a blob (an attachment, at most 4 MiB); "
            "may be repeated.",
        ),
    ] = None,
    allow_missing: Annotated[
        bool,
        typer.Option(
            "--allow-missing",
            help="Write the bundle even when a log, status list or membership "
            "a verifier needs cannot be found (they are listed).",
        ),
    ] = False,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Pack objects into a bundle, with what verifies them.

    The did:agora logs of the signers come from --log files, else the
    wallet; the status lists their credentialStatus names, from
    --status-list files, else the wallet; for an object posted in a community,
    the author's MembershipCredential from --membership files and the wallet.
    Exit 2 when something a verifier needs cannot be found (unless
    --allow-missing).

    Example: agora bundle pack post1.json post2.json --out thread.jsonl
    """
    out = Output(json_mode=json_mode)
    if out_target != "-":
        check_out_file(Path(out_target), force=force)
    objects = [_object(f, "the object") for f in files]
    current = session.from_context(ctx)
    memberships = [_object(f, "the membership") for f in membership or []]
    if any(community_of(o) is not None for o in objects):
        wallet = current.evidence_wallet()
        if wallet is not None:
            memberships += [r.credential for r in wallet.credentials(type=_MEMBERSHIP)]
    blobs = [(read_bytes(p, limit=4 * 1024 * 1024), None) for p in blob or []]
    logs = _Logs(_log_files(log), current)
    lists: StatusSource = _Lists(_lists(status_list), current)
    history = _all_lists(status_list)
    wallet = current.evidence_wallet()
    if wallet is not None:
        # Every version the wallet signed of the lists these objects name: a
        # tally judges status as of a proposal's times.
        urls = {url for d in (*objects, *memberships) for url in status_urls(d)}
        for url in sorted(urls):
            history += status_list_versions(wallet, url)
    current.raise_evidence_failure()
    summary = _write_bundle(
        out_target,
        force=force,
        write=lambda handle: pack(
            objects,
            handle,
            logs=logs,
            status_lists=lists,
            memberships=memberships,
            blobs=blobs,
            status_history=history,
            require_complete=not allow_missing,
        ),
    )
    if json_mode and out_target != "-":
        out.json({"out": out_target, **summary.to_json()})
        return
    rows = [
        ("objects", str(summary.objects)),
        ("did:agora logs", str(summary.logs)),
        ("status lists", str(summary.status_lists)),
        ("memberships", str(summary.memberships)),
        ("blobs", str(summary.blobs)),
        *(("missing", text) for text in summary.missing),
    ]
    if out_target == "-":
        out.notice("\n".join(f"{label}: {value}" for label, value in rows))
        return
    out.panel("bundle written", [*rows, ("written to", out_target)])


# --- agora bundle verify ------------------------------------------------------------


def _result_text(result: ItemResult) -> str:
    """The result column: verified, or FAILED and the first problem's code."""
    if result.verified:
        return "verified" + (" (warnings)" if result.warnings else "")
    codes = list(dict.fromkeys(p.error.code for p in result.problems))
    return "FAILED " + ", ".join(codes) if codes else "FAILED"


def _problem_lines(results: list[ItemResult]) -> list[str]:
    """One line per problem of the items that failed: where, code, why."""
    return [
        f"line {r.line}: {p.error.code} in {p.check}: {p.detail}"
        for r in results
        if not r.verified
        for p in r.problems
    ]


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(metavar="BUNDLE", help="A bundle; - reads standard input."),
    ],
    log: LogOption = None,
    status_list: StatusListOption = None,
    processes: ProcessesOption = 1,
    json_mode: JsonOption = False,
) -> None:
    """Verify every object of a bundle, offline, with what the bundle carries.

    Nothing is fetched and nothing is taken from the wallet: did:agora DIDs
    resolve from the bundle's logs (and --log files), status from its status
    lists (and --status-list files); authors are shown with their petnames
    when the wallet can be opened without asking (a passphrase at hand). A
    table shows each object's line, CID, type, author and result. Exit 0
    when every object verifies, 1 when one does not, 2 when the bundle
    cannot be read.

    Example: agora bundle verify thread.jsonl
    """
    out = Output(json_mode=json_mode)
    extra_logs = _log_files(log)
    extra_lists = list(_lists(status_list).values())
    stream = sys.stdin.buffer if source == "-" else Path(source)
    with contextlib.ExitStack() as stack:
        executor = None
        if processes > 1:
            executor = stack.enter_context(ProcessPoolExecutor(processes))
        verification = stack.enter_context(
            verify_bundle(
                stream,
                executor=executor,
                extra_logs=extra_logs,
                extra_status_lists=extra_lists,
            )
        )
        results = list(verification)
    failed = [r for r in results if not r.verified]
    names = Petnames.at_hand(session.from_context(ctx), out)
    if json_mode:
        out.json(
            {
                "verified": not failed,
                "objects": len(results),
                "failed": len(failed),
                "results": [r.to_json() for r in results],
                "petnames": names.names_for(r.author for r in results if r.author),
            }
        )
    else:
        out.table(
            f"{len(results)} items, {len(results) - len(failed)} verified, "
            f"{len(failed)} failed",
            ["line", "CID", "type", "author", "result"],
            [
                [
                    str(r.line),
                    r.cid or "-",
                    ", ".join(r.types) or r.kind,
                    names.show(r.author) if r.author else "-",
                    _result_text(r),
                ]
                for r in results
            ],
        )
        for text in _problem_lines(failed):
            out.line(text)
    if failed:
        raise ResultShown(
            VerificationFailedError(
                f"{len(failed)} of the bundle's {len(results)} items do not verify.",
                tuple(p.error for r in failed for p in r.problems),
            )
        )


# --- agora bundle merge -------------------------------------------------------------


@app.command("merge")
def merge_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            metavar="BUNDLE...", help="The bundles to merge; - reads one from stdin."
        ),
    ],
    out_target: OutArgument,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Merge bundles: every item once, one did:agora log per DID.

    When two bundles' logs of one DID fork (two valid entries claim the same
    predecessor), that is duplicity: the merged bundle keeps both branches,
    the entries are shown as evidence, and the exit status is 1. Lines that
    cannot be used are left out and listed.

    Example: agora bundle merge a.jsonl b.jsonl --out all.jsonl
    """
    out = Output(json_mode=json_mode)
    if sources.count("-") > 1:
        raise UsageError("unusableInput", "standard input can be read only once.")
    inputs = [sys.stdin.buffer if s == "-" else Path(s) for s in sources]
    report = _write_bundle(
        out_target, force=force, write=lambda handle: merge(inputs, handle)
    )
    if json_mode:
        out.json({"out": out_target, **report.to_json()})
    else:
        rows = [
            ("objects", str(report.objects)),
            ("did:agora logs", str(report.logs)),
            ("status lists", str(report.status_lists)),
            ("memberships", str(report.memberships)),
            ("blobs", str(report.blobs)),
            ("duplicates", str(report.duplicates)),
        ]
        for problem in report.problems:
            where = (
                f"bundle {problem.bundle + 1}, line {problem.line}"
                if problem.bundle is not None
                else "merged log"
            )
            rows.append(
                ("left out", f"{where}: {problem.error.code}: {problem.error.detail}")
            )
        for fork in report.duplicity:
            rows.append(("DUPLICITY", fork.detail))
            evidence = fork.metadata.get("duplicity")
            entries = evidence.get("entries", []) if isinstance(evidence, dict) else []
            for entry in entries:
                rows.append(("evidence", _entry_text(entry)))
        title = "bundles merged" + (" with DUPLICITY" if report.duplicity else "")
        if out_target == "-":
            out.notice("\n".join(f"{label}: {value}" for label, value in rows))
        else:
            out.panel(
                title, [*rows, ("written to", out_target)], ok=not report.duplicity
            )
    if report.duplicity:
        raise ResultShown(report.duplicity[0])


def _entry_text(entry: object) -> str:
    if not isinstance(entry, dict):
        return "(not an entry)"
    return (
        f"entry {entry.get('version')} at {entry.get('time')}, after "
        f"{entry.get('previous')}"
    )


# --- agora bundle unpack ------------------------------------------------------------


@app.command("unpack")
def unpack_command(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(metavar="BUNDLE", help="A bundle; - reads standard input."),
    ],
    into_store: Annotated[
        bool,
        typer.Option(
            "--into-store",
            help="Add the objects that verify to the object store (the only "
            "destination today; required).",
        ),
    ] = False,
    store_location: StoreOption = None,
    log: LogOption = None,
    status_list: StatusListOption = None,
    processes: ProcessesOption = 1,
    json_mode: JsonOption = False,
) -> None:
    """Verify a bundle and add every object that verifies to the object store.

    The bundle is verified as by `agora bundle verify` (offline, with what it
    carries and the --log and --status-list files); each object that
    verifies is added to the store, which checks it again; blobs are
    skipped. A table shows each item's line, CID, type and outcome (stored,
    present, rejected, skipped). Exit 1 if any item was rejected, 2 if the
    bundle cannot be read. Nothing is taken from the wallet.

    Example: agora bundle unpack thread.jsonl --into-store
    """
    out = Output(json_mode=json_mode)
    if not into_store:
        raise UsageError(
            "unusableInput",
            "say where the objects go: --into-store (the object store) is the "
            "only destination today.",
        )
    state = session.from_context(ctx)
    location = store_location or str(state.home / STORE_FILE)
    extra_logs = _log_files(log)
    extra_lists = list(_lists(status_list).values())
    stream = sys.stdin.buffer if source == "-" else Path(source)
    with contextlib.ExitStack() as stack:
        executor = None
        if processes > 1:
            executor = stack.enter_context(ProcessPoolExecutor(processes))
        store = stack.enter_context(open_store(location))
        results = list(
            unpack(
                stream,
                store,
                executor=executor,
                extra_logs=extra_logs,
                extra_status_lists=extra_lists,
            )
        )
    counts = Counter(result.outcome for result in results)
    failed = [r.item for r in results if r.outcome == "rejected"]
    if json_mode:
        out.json(
            {
                "store": location,
                "stored": counts["stored"],
                "present": counts["present"],
                "rejected": counts["rejected"],
                "skipped": counts["skipped"],
                "results": [r.to_json() for r in results],
            }
        )
    else:
        out.table(
            f"{len(results)} items: {counts['stored']} stored, {counts['present']} "
            f"already present, {counts['rejected']} rejected, {counts['skipped']} "
            "skipped",
            ["line", "CID", "type", "outcome"],
            [
                [
                    str(r.item.line),
                    r.item.cid or "-",
                    ", ".join(r.item.types) or r.item.kind,
                    r.outcome,
                ]
                for r in results
            ],
        )
        for text in _problem_lines(failed):
            out.line(text)
        out.line(f"into {location}")
    if failed:
        raise ResultShown(
            VerificationFailedError(
                f"{len(failed)} of the bundle's {len(results)} items were rejected.",
                tuple(p.error for r in failed for p in r.problems),
            )
        )
