"""``agora moderation log`` and ``case``: what a community's moderation adds
up to, from the evidence alone.

Both read the moderation objects, the mandates and what judges them
(election tallies and proposals, constitutions, memberships, every version
of the status lists, did:agora logs) from bundles, the object store and the
files given, as ``agora tally compute`` reads a vote, and judge them with
``ssi.social.ModerationEvidence`` as of ``--at``.

Spec: docs/moderation.md (Cases and decisions), docs/cli.md (Moderation)
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Final

import typer

from ssi.cid import object_cid
from ssi.errors import ObjectNotFoundError, SSIError
from ssi.social import (
    Appeal,
    Case,
    Counted,
    Decision,
    ModerationEvidence,
    ModerationLabel,
    Report,
    Verdict,
    lot_key,
    moderation_log,
    read_moderation_object,
)
from ssi.types import JsonValue
from wallet_cli import session
from wallet_cli.commands.credential import JsonOption, StatusListOption
from wallet_cli.commands.governance_inputs import (
    BundlesOption,
    GovernanceInputs,
    StoreOption,
    gather_inputs,
)
from wallet_cli.commands.inputs import read_json
from wallet_cli.commands.moderation import LabelOption, PostArgument, _subject
from wallet_cli.commands.post import _check_did
from wallet_cli.commands.tally import LogOption
from wallet_cli.commands.vote import CommunityOption, _format, _time
from wallet_cli.output import Cell, Output
from wallet_cli.petnames import Petnames

__all__ = ["REASONS", "register"]

REASONS: Final = {
    # Reports: the reporter's standing as a member.
    "notMember": "its author is not a member at its time",
    "suspended": "its author's membership is suspended at its time",
    "seated": "made after the case opened by a moderator drawn for it",
    # Labels and verdicts: the moderator's mandate, then the panel.
    "superseded": "a later act of the same moderator replaces it",
    "withdrawn": "the moderator withdrew the label",
    "notModerator": "its author holds no mandate",
    "notYetValid": "its author's mandate had not begun",
    "expired": "its author's mandate had ended",
    "revoked": "revoked at its time",
    "statusUnknown": "no status list was in force at its time",
    "invalidMandate": "its author's mandates are not sound",
    "notPanel": "its author is not on the case's panel",
    "notAppealPanel": "its author is not on the appeal panel",
    "beforeAppeal": "it is older than the appeal",
    # Appeals.
    "authorUnknown": "the post is not in the inputs, so its author is unknown",
    "notAuthor": "only the post's author may appeal",
    "secondAppeal": "the decision was appealed already",
    "noDecision": "no label was in effect when it was filed",
    "noAppealPanel": "no moderator was left to sit on an appeal panel",
}
"""A few words for each reason a report, label, appeal or verdict does not
count (docs/moderation.md)."""

AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="TIME",
        help="Judge as of this time (RFC 3339 with a zone; default now): acts "
        "dated later are left out.",
        show_default=False,
    ),
]
RecountOption = Annotated[
    bool,
    typer.Option(
        "--recount",
        help="Recount every election and ratifying tally from the votes in the inputs.",
    ),
]


def register(moderation_app: typer.Typer) -> None:
    """Add ``log`` and ``case`` to the ``agora moderation`` group."""
    moderation_app.command("log")(log_command)
    moderation_app.command("case")(case_command)


# --- agora moderation log ------------------------------------------------------------


def log_command(
    ctx: typer.Context,
    community: CommunityOption,
    bundles: BundlesOption = None,
    store_location: StoreOption = None,
    logs: LogOption = None,
    status_lists: StatusListOption = None,
    at: AtOption = None,
    recount: RecountOption = False,
    json_mode: JsonOption = False,
) -> None:
    """List every case of a community: its panel, decision, labels (and why
    each counts or not), appeal and verdicts.

    Exit 0 when the inputs could be read, 2 when they could not.

    Example: agora moderation log --community did:agora:z... --bundle
    moderation.jsonl --log engines.jsonl --at 2026-05-01T00:00:00Z
    """
    out = Output(json_mode=json_mode)
    _check_did(community, "--community")
    when = _time(at)
    inputs = _inputs(bundles, store_location, logs, status_lists)
    evidence = _evidence(inputs, community, recount=recount, at=when)
    decisions = moderation_log(evidence, at=when)
    if json_mode:
        out.json(
            {
                "community": community,
                "at": _format(when),
                "cases": [decision.to_json() for decision in decisions],
                "ignored": [
                    {"cid": cid, "reason": reason} for cid, reason in evidence.ignored
                ],
            }
        )
        return
    names = Petnames.at_hand(session.from_context(ctx), out)
    statements = _statements(inputs)
    out.table(
        f"Moderation of {names.show(community)} as of {_format(when)}: "
        f"{len(decisions)} case{'' if len(decisions) == 1 else 's'}",
        ["post", "label", "decision", "panel", "appeal"],
        [_summary_row(decision, names) for decision in decisions],
    )
    for decision in decisions:
        out.line("")
        _acts_table(out, decision, names, statements)


def _summary_row(decision: Decision, names: Petnames) -> list[Cell]:
    panel: Cell = "-"
    if decision.panels is not None:
        panel = tuple(names.show(did) for did in decision.panels.panel) or "-"
    return [
        decision.case.post,
        decision.case.label,
        _state(decision),
        panel,
        _appeal_text(decision),
    ]


# --- agora moderation case -----------------------------------------------------------


def case_command(
    ctx: typer.Context,
    target: PostArgument,
    label: LabelOption,
    community: CommunityOption,
    bundles: BundlesOption = None,
    store_location: StoreOption = None,
    logs: LogOption = None,
    status_lists: StatusListOption = None,
    at: AtOption = None,
    recount: RecountOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Show one case (a post and a label) with its evidence: the constitution
    it is judged under, the draw with each moderator's lot key, every report,
    label, appeal and verdict with its time, reason and whether it counts,
    and the decision.

    Exit 0 when the case is found, 1 when the inputs hold no report or label
    on it, 2 when they cannot be read.

    Example: agora moderation case bagaaiera... --label spam --community
    did:agora:z... --bundle moderation.jsonl --at 2026-05-01T00:00:00Z
    """
    out = Output(json_mode=json_mode)
    _check_did(community, "--community")
    post = _subject(target, None, None)[0]
    when = _time(at)
    inputs = _inputs(bundles, store_location, logs, status_lists)
    evidence = _evidence(inputs, community, recount=recount, at=when)
    case = Case(community, post, label)
    if case not in evidence.cases():
        raise ObjectNotFoundError(
            f"the inputs hold no report or label on {post} with the label "
            f"{label[:64]!r} in {community[:80]}."
        )
    decision = evidence.decide(case, at=when)
    draw = _draw(decision)
    statements = _statements(inputs)
    if json_mode:
        out.json(
            {
                **decision.to_json(),
                "draw": [
                    {"moderator": did, "lotKey": key, "role": role}
                    for did, key, role in draw
                ],
                "statements": dict(sorted(statements.items())),
            }
        )
        return
    names = Petnames.at_hand(session.from_context(ctx), out)
    out.panel(
        f"case: {label} on {post}",
        _case_rows(decision, names),
        ok=decision.state != "applied",
    )
    if draw:
        out.table(
            "The draw (lowest lot key first)",
            ["moderator", "lot key", "role"],
            [[names.show(did), key, role] for did, key, role in draw],
        )
    _acts_table(out, decision, names, statements)


def _case_rows(decision: Decision, names: Petnames) -> list[tuple[str, Cell]]:
    rows: list[tuple[str, Cell]] = [
        ("post", decision.case.post),
        ("author", names.show(decision.author) if decision.author else "unknown"),
        ("label", f"{decision.case.label} ({decision.action or 'no action'})"),
        ("decision", _state(decision)),
        ("opened", _format(decision.opened)),
        ("constitution", decision.constitution or "none in force"),
        ("rule", f"{decision.agreement} of a panel of {decision.panel_size}"),
    ]
    if decision.agreeing:
        rows.append(("agreeing", tuple(names.show(did) for did in decision.agreeing)))
    if decision.appeal is not None:
        rows.append(("appeal", _appeal_text(decision)))
    return rows


def _draw(decision: Decision) -> list[tuple[str, str, str]]:
    """Each moderator of the draw with its lot key and role, in draw order."""
    panels = decision.panels
    if panels is None:
        return []
    post, label = decision.case.post, decision.case.label
    roles = dict.fromkeys(panels.panel, "panel")
    roles.update(dict.fromkeys(panels.appeal_panel, "appeal panel"))
    roles.update(dict.fromkeys(panels.skipped, "skipped (reporter or author)"))
    everyone = sorted(
        (*panels.order, *panels.skipped),
        key=lambda did: (lot_key(post, label, did), did),
    )
    return [
        (did, lot_key(post, label, did), roles.get(did, "not drawn"))
        for did in everyone
    ]


# --- Shared -------------------------------------------------------------------------


def _acts_table(
    out: Output, decision: Decision, names: Petnames, statements: dict[str, str]
) -> None:
    """Every act on the case, in time order, and whether it counts."""
    rows: list[tuple[datetime, str, list[Cell]]] = []
    for kind, items in (("report", decision.reports), ("label", decision.labels)):
        for item in items:
            shown = "withdrawal" if item.value == "negated" else kind
            rows.append(_act_row(shown, item, names, statements))
    appeals = list(decision.refused_appeals)
    if decision.appeal is not None:
        appeal = decision.appeal
        rows.append(
            (
                appeal.time,
                appeal.cid,
                [
                    "appeal",
                    names.show(appeal.appellant),
                    _format(appeal.time),
                    "heard",
                    statements.get(appeal.cid, ""),
                ],
            )
        )
        for verdict in appeal.verdicts:
            rows.append(
                _act_row(f"verdict: {verdict.value}", verdict, names, statements)
            )
    for refused in appeals:
        rows.append(_act_row("appeal", refused, names, statements))
    rows.sort(key=lambda row: (row[0], row[1]))
    out.table(
        f"{decision.case.label} on {decision.case.post}",
        ["act", "by", "time", "counts", "stated reason"],
        [cells for _, _, cells in rows],
    )


def _act_row(
    kind: str, item: Counted, names: Petnames, statements: dict[str, str]
) -> tuple[datetime, str, list[Cell]]:
    if item.counts:
        counts = "yes"
    else:
        code = item.reason or "unknown"
        counts = f"no: {code} ({REASONS.get(code, code)})"
    return (
        item.time,
        item.cid,
        [
            kind,
            names.show(item.actor),
            _format(item.time),
            counts,
            statements.get(item.cid, ""),
        ],
    )


def _state(decision: Decision) -> str:
    agreed = f"{len(decision.agreeing)} of {decision.panel_size}"
    if decision.state == "applied" and decision.applied_at is not None:
        return f"applied ({agreed} agree) since {_format(decision.applied_at)}"
    if decision.state == "overturned":
        return f"overturned on appeal ({agreed} had agreed)"
    if decision.state == "open":
        return f"open ({agreed} agree, {decision.agreement} needed)"
    return decision.state


def _appeal_text(decision: Decision) -> str:
    appeal = decision.appeal
    if appeal is None:
        refused = len(decision.refused_appeals)
        return f"{refused} refused" if refused else "-"
    counted = (
        f"{appeal.overturn} overturn, {appeal.uphold} uphold of {len(appeal.panel)}"
    )
    if appeal.overturned and appeal.overturned_at is not None:
        return f"overturned {_format(appeal.overturned_at)} ({counted})"
    return f"pending ({counted})"


def _statements(inputs: GovernanceInputs) -> dict[str, str]:
    """The reason each moderation object states, by its CID."""
    found: dict[str, str] = {}
    for document in inputs.documents:
        subject = document.get("credentialSubject")
        if not isinstance(subject, dict) or "reason" not in subject:
            continue
        try:
            item = read_moderation_object(document)
        except SSIError:
            continue
        if isinstance(item, Report | ModerationLabel | Appeal | Verdict):
            found[object_cid(document)] = item.reason
    return found


def _inputs(
    bundles: list[Path] | None,
    store: str | None,
    logs: list[Path] | None,
    status_lists: list[Path] | None,
) -> GovernanceInputs:
    inputs = gather_inputs(bundles, store, logs, moderation=True)
    for path in status_lists or ():
        listed: JsonValue = read_json(str(path), what=str(path))
        if isinstance(listed, dict):
            inputs.add(listed)
    return inputs


def _evidence(
    inputs: GovernanceInputs, community: str, *, recount: bool, at: datetime
) -> ModerationEvidence:
    return ModerationEvidence.from_objects(
        inputs.documents, community=community, logs=inputs.logs, recount=recount, at=at
    )
