"""``agora tally``: count a proposal from its signed inputs, sign the result,
recount someone else's tally, show one, and prove a ballot was counted.

Inputs come from bundles (``--bundle``, repeatable: their objects, their
memberships and every version of their status lists and did:agora logs) and,
with ``--store``, from an object store. Nothing is fetched.

Spec: docs/tallies.md, docs/cli.md (Governance)
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import typer

from ssi.cid import JSON_CODEC, is_cid, object_cid
from ssi.credentials import issue
from ssi.datetimes import parse_date_time
from ssi.errors import MalformedValueError, SSIError, TallyError
from ssi.social import (
    Tally,
    compute_tally,
    inclusion_proof,
    read_tally,
    select_inputs,
    tally_credential,
    verify_inclusion,
    verify_tally,
)
from ssi.social.tally_result import TallyResult
from ssi.types import JsonObject, JsonValue
from wallet_cli import session
from wallet_cli.commands.bundle import ProcessesOption
from wallet_cli.commands.credential import ForceOption, JsonOption, write_output
from wallet_cli.commands.governance_inputs import (
    BundlesOption,
    GovernanceInputs,
    HubAtOption,
    StoreOption,
    gather_inputs,
    proposal_context,
    worker_pool,
)
from wallet_cli.commands.post import _check_out, _json_bytes
from wallet_cli.commands.post import _read_document as read_document
from wallet_cli.errors import ResultShown, UsageError
from wallet_cli.output import Output
from wallet_cli.petnames import Petnames

__all__ = ["app"]

app = typer.Typer(
    help="Tallies: count a proposal from its signed inputs, recount one, show "
    "one, prove a ballot was counted.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_BAR = 30
"""The width of the longest bar in a chart, in characters."""
LogOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--log",
        metavar="FILE",
        help="A did:agora log (.jsonl) to resolve a signer with; may be repeated.",
        show_default=False,
    ),
]
TallyArgument = Annotated[
    str,
    typer.Argument(metavar="TALLY", help="The tally: a file, or - for standard input."),
]
HubOption = Annotated[
    str | None,
    typer.Option(
        "--hub",
        metavar="URL",
        help="Read the tally (by its CID, or a file) and the proposal's inputs from "
        "this hub: the proposal, its ballots and signals, the community's "
        "memberships, status lists, constitutions and did:agora log, each "
        "verified here.",
        show_default=False,
    ),
]


# --- agora tally compute -------------------------------------------------------------


@app.command()
def compute(
    ctx: typer.Context,
    proposal_cid: Annotated[
        str, typer.Argument(metavar="CID", help="The proposal's CID.")
    ],
    bundles: BundlesOption = None,
    store_location: StoreOption = None,
    logs: LogOption = None,
    sign_as: Annotated[
        str | None,
        typer.Option(
            "--sign-as",
            metavar="ALIAS",
            help="Sign the result as a Tally credential with this DID of the wallet.",
            show_default=False,
        ),
    ] = None,
    out_file: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE|-",
            help="Write the signed tally (with --sign-as) or the result to FILE, "
            "or - for standard output.",
            show_default=False,
        ),
    ] = None,
    processes: ProcessesOption = 1,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Count a proposal: check every input's signature, decide who was
    eligible when it closed, reject ballots with a reason each, apply
    delegation, count by its method, and check quorum and threshold.

    The same inputs give the same result on any machine, in any order. Exit 0
    when it passed, 1 when it did not, 2 when inputs are missing or unusable.

    Example: agora tally compute bagaaiera... --bundle vote.jsonl --sign-as
    carol --out tally.json
    """
    out = Output(json_mode=json_mode)
    if not is_cid(proposal_cid, codec=JSON_CODEC):
        raise UsageError("unusableInput", f"{proposal_cid[:40]!r} is not a CID.")
    if out_file is not None:
        _check_out(out_file, force=force)
    inputs = gather_inputs(bundles, store_location, logs)
    proposal, constitution, superseded = proposal_context(proposal_cid, inputs)
    with worker_pool(processes) as executor:
        result = compute_tally(
            proposal,
            select_inputs(proposal, inputs.documents),
            constitution=constitution,
            logs=inputs.logs,
            executor=executor,
            superseded_at=superseded,
        )
    document: JsonObject = result.to_json()
    if sign_as is not None:
        wallet = session.from_context(ctx).open()
        record = wallet.did(sign_as)
        credential = tally_credential(record.did, result, issued_at=datetime.now(UTC))
        document = issue(credential, wallet.signer(record.did))
    if out_file is not None and out_file != "-":
        write_output(Path(out_file), _json_bytes(document), force=force)
    if json_mode:
        shown: JsonObject = {"result": result.to_json()}
        if sign_as is not None:
            shown["cid"] = object_cid(document)
        if out_file == "-":
            shown["document"] = document
        elif out_file is not None:
            shown["out"] = out_file
        out.json(shown)
    elif out_file == "-":
        out.json(document)
    else:
        _show_result(out, result.to_json(), Petnames.at_hand(session.from_context(ctx)))
        if out_file is not None:
            out.notice(f"tally written to {out_file}")
    if not result.passed:
        raise ResultShown(TallyError(_why_not(result)))


# --- agora tally verify ------------------------------------------------------------


@app.command()
def verify(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="TALLY",
            help="The tally: a file, - for standard input, or with --hub its CID.",
        ),
    ],
    bundles: BundlesOption = None,
    store_location: StoreOption = None,
    logs: LogOption = None,
    hub_url: HubOption = None,
    at: HubAtOption = None,
    processes: ProcessesOption = 1,
    json_mode: JsonOption = False,
) -> None:
    """Recount a tally from the same inputs and compare everything: its
    proof, the result, every counted and rejected ballot, the Merkle root and
    the list of inputs.

    With --hub, the tally (given by its CID) and the inputs come from a hub,
    each object verified here before the recount; the hub is trusted for
    nothing. Exit 0 when it matches, 1 when it does not (each difference is
    listed with its path, what the inputs give and what the tally says), 2
    when inputs are missing, 3 when the hub cannot be reached.

    Example: agora tally verify tally.json --bundle vote.jsonl

    Example: agora tally verify bagaaiera... --hub https://hub.example
    """
    out = Output(json_mode=json_mode)
    with contextlib.ExitStack() as scratch:
        tally, read, inputs = _verify_inputs(
            out, source, bundles, store_location, logs, hub_url, at, scratch
        )
        _recount(ctx, out, tally, read, inputs, processes)


def _verify_inputs(
    out: Output,
    source: str,
    bundles: list[Path] | None,
    store_location: str | None,
    logs: list[Path] | None,
    hub_url: str | None,
    at: str | None,
    scratch: contextlib.ExitStack,
) -> tuple[JsonObject, Tally, GovernanceInputs]:
    """The tally and its inputs, from files, a store or a hub."""
    if hub_url is None:
        if at is not None:
            raise UsageError("unusableOptions", "--at goes with --hub.")
        tally = read_document(source)
        read = read_tally(tally)
        return tally, read, gather_inputs(bundles, store_location, logs)
    if store_location is not None:
        raise UsageError("unusableOptions", "give --store or --hub, not both.")
    from wallet_cli.commands import governance_hub

    moment = None if at is None else _time(at)
    if is_cid(source, codec=JSON_CODEC):
        tally = governance_hub.fetch_object(hub_url, source)
    else:
        tally = read_document(source)
    read = read_tally(tally)
    fetched = governance_hub.fetch_proposal_inputs(
        out, hub_url, read.proposal, scratch, at=moment
    )
    inputs = gather_inputs(bundles, fetched.store, logs)
    for did, versions in fetched.logs.items():
        inputs.logs.setdefault(did, []).extend(versions)
    return tally, read, inputs


def _recount(
    ctx: typer.Context,
    out: Output,
    tally: JsonObject,
    read: Tally,
    inputs: GovernanceInputs,
    processes: int,
) -> None:
    proposal, constitution, superseded = proposal_context(read.proposal, inputs)
    with worker_pool(processes) as executor:
        outcome = verify_tally(
            tally,
            proposal,
            select_inputs(proposal, inputs.documents),
            constitution=constitution,
            logs=inputs.logs,
            executor=executor,
            superseded_at=superseded,
        )
    if out.json_mode:
        out.json(
            {
                "verified": outcome.verified,
                "signed": outcome.signed,
                "differences": [
                    {"path": d.path, "expected": d.expected, "found": d.found}
                    for d in outcome.differences
                ],
                "recomputed": outcome.recomputed.to_json(),
            }
        )
    else:
        names = Petnames.at_hand(session.from_context(ctx))
        rows: list[tuple[str, str]] = [
            ("tally", object_cid(tally)),
            ("tallier", names.show(read.tallier)),
            ("proposal", read.proposal),
            ("proof", "verified" if outcome.signed else "DOES NOT VERIFY"),
            ("recount", "matches" if not outcome.differences else "DIFFERS"),
            ("passed", "yes" if outcome.recomputed.passed else "no"),
        ]
        out.panel(
            "tally verified" if outcome.verified else "tally NOT verified",
            rows,
            ok=outcome.verified,
        )
        for difference in outcome.differences:
            out.line(f"  {difference}")
    if not outcome.verified:
        try:
            outcome.raise_for_differences()
        except SSIError as exc:
            raise ResultShown(exc) from exc


# --- agora tally show --------------------------------------------------------------


@app.command()
def show(
    ctx: typer.Context,
    source: TallyArgument,
    json_mode: JsonOption = False,
) -> None:
    """Show a tally (or a result written by `tally compute --out`): the
    decision, quorum and threshold, a bar chart of the totals, IRV or STV
    rounds, the Schulze or ranked-pairs matrix, and every rejected ballot with
    its reason. The proof is not checked here (use `agora tally verify`).

    Example: agora tally show tally.json
    """
    out = Output(json_mode=json_mode)
    document = read_document(source)
    result = _result_of(document)
    if json_mode:
        out.json(result)
        return
    _show_result(out, result, Petnames.at_hand(session.from_context(ctx)))


# --- agora tally proof -------------------------------------------------------------


@app.command()
def proof(
    source: TallyArgument,
    ballot: Annotated[
        str, typer.Argument(metavar="BALLOT_CID", help="The ballot's CID.")
    ],
    json_mode: JsonOption = False,
) -> None:
    """Prove that a ballot is among a tally's counted ballots: its RFC 9162
    audit path to the tally's ballotRoot, checked before it is printed.

    Exit 1 when the tally does not count the ballot.

    Example: agora tally proof tally.json bagaaierb...
    """
    out = Output(json_mode=json_mode)
    tally = read_document(source)
    made = inclusion_proof(tally, ballot)
    verify_inclusion(made, ballot_root=read_tally(tally).ballot_root)
    if json_mode:
        out.json({"verified": True, "proof": made.to_json()})
        return
    out.panel(
        "ballot counted",
        [
            ("ballot", made.ballot),
            ("leaf", f"{made.index + 1} of {made.size}"),
            ("root", made.root),
            ("path", tuple(made.path) or ("(a single leaf)",)),
        ],
    )


# --- Showing a result --------------------------------------------------------------


def _result_of(document: JsonObject) -> JsonObject:
    """The TallyResult JSON of a tally credential, or the document itself."""
    if "proposal" in document and "passed" in document:
        return document
    result = read_tally(document).result
    return result


def _why_not(result: TallyResult) -> str:
    if not result.proposal_valid:
        codes = ", ".join(code for code, _ in result.proposal_problems)
        return f"the proposal is not valid ({codes})."
    if not result.quorum_met:
        return "the proposal did not pass: the quorum was not met."
    return "the proposal did not pass: the threshold was not met."


def _fraction(value: JsonValue) -> Fraction | None:
    if not isinstance(value, str):
        return None
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        return None


def _percent(value: JsonValue) -> str:
    share = _fraction(value)
    if share is None:
        return "-"
    return f"{float(share) * 100:.1f} % ({value})"


def _show_result(out: Output, result: JsonObject, names: Petnames) -> None:
    passed = result.get("passed") is True
    quorum, threshold = _object(result, "quorum"), _object(result, "threshold")
    count = _object(result, "count") if result.get("count") is not None else None
    winners = count.get("winners", []) if count is not None else []
    rows: list[tuple[str, str | tuple[str, ...]]] = [
        ("proposal", str(result.get("proposal"))),
        ("kind", f"{result.get('kind')} by {result.get('method')}"),
        ("window", f"{result.get('opens')} to {result.get('closes')}"),
        ("eligible", str(result.get("eligible"))),
        (
            "counted",
            f"{result.get('countedBallots')} ballots, weight "
            f"{result.get('countedWeight')}",
        ),
        (
            "quorum",
            f"turnout {_percent(quorum.get('turnout'))}, needs "
            f"{_percent(quorum.get('required'))}: "
            f"{'met' if quorum.get('met') else 'NOT met'}",
        ),
        (
            "threshold",
            f"support {_percent(threshold.get('support'))}, rule "
            f"{threshold.get('rule')}: "
            f"{'met' if threshold.get('met') else 'NOT met'}",
        ),
        (
            "winners",
            tuple(names.show(str(w)) for w in winners)
            if isinstance(winners, list) and winners
            else ("(none)",),
        ),
        ("ballot root", str(result.get("ballotRoot"))),
    ]
    if result.get("proposalValid") is not True:
        problems = result.get("proposalProblems")
        rows.append(
            (
                "proposal invalid",
                tuple(
                    f"{p.get('code')}: {p.get('message')}"
                    for p in problems
                    if isinstance(p, dict)
                )
                if isinstance(problems, list)
                else ("?",),
            )
        )
    out.panel("PASSED" if passed else "NOT PASSED", rows, ok=passed)
    if count is not None:
        _show_count(out, count, names)
    _show_rejected(out, result, names)


def _show_count(out: Output, count: JsonObject, names: Petnames) -> None:
    options = [str(o) for o in count.get("options", []) or []]
    totals = count.get("totals")
    if isinstance(totals, dict) and totals:
        values = {
            k: _fraction(v) if isinstance(v, str) else v for k, v in totals.items()
        }
        numbers = {
            k: float(v) for k, v in values.items() if isinstance(v, int | Fraction)
        }
        top = max(numbers.values(), default=0) or 1
        label = max((len(names.show(o)) for o in options), default=0)
        out.line("")
        out.line(f"totals ({count.get('method')})")
        for option in options:
            value = numbers.get(option, 0.0)
            bar = "█" * round(_BAR * value / top)
            shown = totals.get(option, 0)
            out.line(f"  {names.show(option).ljust(label)}  {bar} {shown}")
    rounds = count.get("rounds")
    if isinstance(rounds, list) and rounds:
        columns = ["round", *[names.show(o) for o in options], "exhausted", "outcome"]
        table_rows = []
        for item in rounds:
            if not isinstance(item, dict):
                continue
            tallies = (
                item.get("tallies") if isinstance(item.get("tallies"), dict) else {}
            )
            assert isinstance(tallies, dict)  # noqa: S101
            outcome = [
                *(f"elected {names.show(str(e))}" for e in item.get("elected") or []),
                *(f"out {names.show(str(e))}" for e in item.get("eliminated") or []),
            ]
            table_rows.append(
                [
                    str(item.get("number")),
                    *[_cell(tallies.get(o)) for o in options],
                    _cell(item.get("exhausted")),
                    "; ".join(outcome) or "-",
                ]
            )
        out.table("rounds", columns, table_rows)
    for key, title in (("pairwise", "pairwise"), ("strongestPaths", "strongest paths")):
        matrix = count.get(key)
        if isinstance(matrix, list) and matrix:
            out.table(
                f"{title}: row over column",
                ["", *[names.show(o) for o in options]],
                [
                    [names.show(option), *[str(v) for v in row]]
                    for option, row in zip(options, matrix, strict=False)
                    if isinstance(row, list)
                ],
            )


def _object(parent: JsonObject, name: str) -> JsonObject:
    value = parent.get(name)
    return value if isinstance(value, dict) else {}


def _cell(value: JsonValue) -> str:
    if value is None:
        return "-"
    fraction = _fraction(value) if isinstance(value, str) else None
    if fraction is not None and fraction.denominator != 1:
        return f"{float(fraction):.5f}"
    return str(value if fraction is None else fraction.numerator)


def _show_rejected(out: Output, result: JsonObject, names: Petnames) -> None:
    rejected = result.get("rejected")
    if not isinstance(rejected, list) or not rejected:
        return
    out.table(
        f"{len(rejected)} ballot(s) not counted",
        ["ballot", "voter", "reason"],
        [
            [
                str(item.get("cid", "-")),
                names.show(str(item.get("voter", "-"))),
                str(item.get("code", "-")),
            ]
            for item in rejected
            if isinstance(item, dict)
        ],
    )


def _time(value: str) -> datetime:
    try:
        return parse_date_time(value, require_timezone=True, path="--at")
    except MalformedValueError as exc:
        raise UsageError("unusableInput", f"{value[:40]!r} is not a time.") from exc
