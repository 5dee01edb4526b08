"""``agora constitution``: draft a community's rules from a constitution.toml,
show rules and constitutions, and list the versions the store holds.

``draft`` checks a TOML file and writes the rules object (JSON) that a
ratification proposal carries (``agora proposal create --kind amendment
--amendment FILE``). ``show`` summarizes a rules object, a TOML file or a
Constitution credential. ``history`` chains the Constitution credentials of a
community found in the object store by ``replaces``.

Spec: docs/governance.md, docs/cli.md (Governance)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ssi.cid import object_cid
from ssi.credentials import issue, load_json
from ssi.credentials.json_input import MAX_DOCUMENT_BYTES
from ssi.datetimes import format_date_time, parse_date_time
from ssi.did.syntax import parse_did
from ssi.errors import (
    InvalidDIDError,
    MalformedValueError,
    ParsingError,
    StoreAccessError,
)
from ssi.social import (
    CONSTITUTION_TYPE,
    Constitution,
    ConstitutionRules,
    constitution_in_force,
    next_constitution,
    parse_rules,
    read_constitution,
    read_tally,
    rules_from_toml,
    select_inputs,
    verify_tally,
)
from ssi.social.rule_values import format_duration, format_fraction
from ssi.social.tally_inputs import tally_verifier
from ssi.store import STORE_FILE, open_store
from ssi.types import JsonObject
from wallet_cli import session
from wallet_cli.commands.credential import (
    ForceOption,
    JsonOption,
    check_out_file,
    write_output,
)
from wallet_cli.commands.governance_inputs import (
    BundlesOption,
    gather_inputs,
    proposal_context,
)
from wallet_cli.commands.governance_inputs import StoreOption as InputsStoreOption
from wallet_cli.commands.inputs import read_bytes
from wallet_cli.commands.post import _read_document as read_document
from wallet_cli.commands.post import emit_document
from wallet_cli.errors import UsageError
from wallet_cli.output import Output

__all__ = ["app", "rules_rows"]

app = typer.Typer(
    help="Constitutions: draft a community's rules from TOML, show rules and "
    "constitutions, list a community's versions.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_MAX_TOML_BYTES = 256 * 1024
_HISTORY_LIMIT = 1000

CommunityArgument = Annotated[
    str, typer.Argument(metavar="COMMUNITY", help="The community's DID.")
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="PATH|URL",
        help="The object store (default: store.sqlite in the wallet directory).",
        show_default=False,
    ),
]


@app.command()
def draft(
    community: CommunityArgument,
    source: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="FILE",
            help="The constitution.toml to read, or - for standard input.",
            show_default=False,
        ),
    ],
    out_file: Annotated[
        str,
        typer.Option(
            "--out",
            metavar="FILE|-",
            help="Write the rules (JSON) to FILE and print their CID and a "
            "summary, or, with - (the default), print the rules and write the "
            "CID on stderr. An existing file is replaced only with --force.",
        ),
    ] = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Check a constitution.toml and write the rules a ratification proposal carries.

    Exit 2 when the file is not valid TOML or the rules are inconsistent; the
    message names the field (voting_period.min, kinds.amendment.threshold).

    Example: agora constitution draft did:agora:z... --from constitution.toml
    --out rules.json
    """
    out = Output(json_mode=json_mode)
    _check_did(community)
    if out_file != "-":
        check_out_file(Path(out_file), force=force)
    rules_json = rules_from_toml(_read_text(source))
    rules = parse_rules(rules_json)
    cid = object_cid(rules_json)
    summary: JsonObject = {
        "community": community,
        "cid": cid,
        "out": out_file,
        "kinds": list(rules.kinds),
    }
    if out_file == "-":
        if json_mode:
            out.json({**summary, "rules": rules_json})
            return
        out.json(rules_json)
        out.notice(f"cid {cid}")
        return
    data = (json.dumps(rules_json, indent=2, ensure_ascii=False) + "\n").encode()
    write_output(Path(out_file), data, force=force)
    if json_mode:
        out.json(summary)
        return
    out.line(cid)
    out.panel(f"rules for {community}", rules_rows(rules))
    out.notice(f"rules written to {out_file}")


@app.command()
def show(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE|CID",
            help="A Constitution credential, a rules object (JSON) or a "
            "constitution.toml; - for standard input; or the CID of a "
            "constitution in the store.",
        ),
    ],
    store_location: StoreOption = None,
    json_mode: JsonOption = False,
) -> None:
    """Show the rules of a constitution: who proposes, signals, kinds, moderation.

    The proof of a credential is not checked here (use agora vc verify).
    Exit 2 when the input is neither rules nor a constitution.

    Example: agora constitution show constitution.toml
    """
    out = Output(json_mode=json_mode)
    if source.endswith(".toml"):
        rules_json = rules_from_toml(_read_text(source))
        _show_rules(out, rules_json, None)
        return
    document = read_document(source, session.from_context(ctx), store_location)
    if "credentialSubject" in document:
        constitution = read_constitution(document)
        _show_rules(out, constitution.rules_json, constitution, object_cid(document))
        return
    _show_rules(out, document, None)


@app.command()
def history(
    ctx: typer.Context,
    community: CommunityArgument,
    store_location: StoreOption = None,
    json_mode: JsonOption = False,
) -> None:
    """List a community's constitutions in the store, chained by replaces.

    Versions are listed from the genesis on; a version whose predecessor is
    not in the store, or two versions that replace the same one, are marked.
    Proofs were checked when the objects were added to the store; whether each
    version's ratifying tally passed is not checked here.

    Example: agora constitution history did:agora:z...
    """
    out = Output(json_mode=json_mode)
    _check_did(community)
    state = session.from_context(ctx)
    location = store_location or str(state.home / STORE_FILE)
    if store_location is None and not Path(location).exists():
        raise StoreAccessError(f"there is no store in {state.home}.")
    versions: list[tuple[str, Constitution]] = []
    with open_store(location, create=False) as store:
        page = store.query(
            type=CONSTITUTION_TYPE, author=community, limit=_HISTORY_LIMIT
        )
        for item in page.items:
            versions.append((item.cid, read_constitution(item.document)))
    rows = _chain(versions)
    if json_mode:
        out.json({"community": community, "items": rows})
        return
    if not rows:
        out.notice(f"the store holds no constitution of {community}.")
        return
    out.table(
        f"constitutions of {community}",
        ["version", "CID", "valid from", "ratified by", "replaces", "note"],
        [
            [
                str(row["version"]),
                str(row["cid"]),
                str(row["validFrom"]),
                str(row["ratifiedBy"]),
                str(row["replaces"] or "-"),
                str(row["note"] or ""),
            ]
            for row in rows
        ],
    )


@app.command()
def adopt(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="TALLY",
            help="The tally of the passed amendment: a file, or - for standard input.",
        ),
    ],
    community: Annotated[
        str,
        typer.Option(
            "--as",
            metavar="DID|ALIAS",
            help="The community (a DID of the wallet, or its alias) that issues "
            "the constitution.",
            show_default=False,
        ),
    ],
    bundles: BundlesOption = None,
    store_location: InputsStoreOption = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="When the new version takes effect (its validFrom; RFC 3339 "
            "with a zone); default now, or the close of the vote if that is "
            "later: a version never takes effect before its vote closed.",
            show_default=False,
        ),
    ] = None,
    out_file: Annotated[
        str,
        typer.Option(
            "--out",
            metavar="FILE|-",
            help="Write the signed constitution to FILE and print its CID, or, "
            "with - (the default), print it and write the CID on stderr.",
        ),
    ] = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Issue the constitution a passed amendment yields: its rules, the next
    version number, ratifiedBy the tally, replaces the version the amendment
    was counted under (none for the genesis ratification).

    The tally is recounted from the inputs first; a tally that does not match
    them, or an amendment that did not pass, is refused (exit 1). A community
    of m stewards needs m proofs: the others add theirs with `agora community
    cosign`.

    Example: agora constitution adopt tally.json --as engines --bundle
    ratify.jsonl --out constitution-v1.json
    """
    out = Output(json_mode=json_mode)
    when = _at(at)
    if out_file != "-":
        check_out_file(Path(out_file), force=force)
    tally = read_document(source)
    read = read_tally(tally)
    inputs = gather_inputs(bundles, store_location, None)
    proposal, previous, superseded = proposal_context(read.proposal, inputs)
    outcome = verify_tally(
        tally,
        proposal,
        select_inputs(proposal, inputs.documents),
        constitution=previous,
        logs=inputs.logs,
        superseded_at=superseded,
    )
    outcome.raise_for_differences()
    unsigned = next_constitution(tally, proposal, previous, valid_from=when)
    state = session.from_context(ctx)
    wallet = state.open()
    record = wallet.did(community)
    if record.did != read.community:
        raise UsageError(
            "unusableInput",
            f"--as {community[:40]!r} is not the community the tally is for "
            f"({read.community[:60]}).",
        )
    signed = issue(unsigned, wallet.signer(record.did))
    adopted = read_constitution(signed)
    summary: JsonObject = {
        "cid": object_cid(signed),
        "type": "Constitution",
        "community": adopted.community,
        "version": adopted.version,
        "ratifiedBy": adopted.ratified_by,
        "replaces": adopted.replaces,
    }
    title = f"constitution version {adopted.version} signed"
    emit_document(out, signed, out_file, title, summary, force=force)


def _at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_date_time(value, require_timezone=True, path="--at")
    except MalformedValueError as exc:
        raise UsageError(
            "unusableInput",
            "--at must be an RFC 3339 time with a zone, such as "
            f"2025-03-03T00:00:00Z, not {value[:40]!r}.",
        ) from exc


@app.command("in-force")
def in_force(
    community: CommunityArgument,
    bundles: BundlesOption = None,
    store_location: InputsStoreOption = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="Judge as of this time (RFC 3339 with a zone); default now.",
            show_default=False,
        ),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Say which constitution of a community is in force, from the evidence
    alone: each version must be issued by the community, cite a tally of a
    passed amendment proposing exactly its rules, under the version it
    replaces, take effect after that vote closed, and the tally must recount
    from the votes' inputs. Every version that is not in force is listed with
    the reason.

    Exit 0 when a version is in force, 1 when none is.

    Example: agora constitution in-force did:agora:z... --bundle history.jsonl
    """
    out = Output(json_mode=json_mode)
    _check_did(community)
    moment = _at(at) or datetime.now(UTC)
    inputs = gather_inputs(bundles, store_location, None)
    documents = inputs.documents
    by_type = {
        kind: [d for d in documents if kind in _types(d)]
        for kind in (CONSTITUTION_TYPE, "Tally", "Proposal")
    }
    chain = constitution_in_force(
        by_type[CONSTITUTION_TYPE],
        by_type["Tally"],
        by_type["Proposal"],
        community=community,
        logs=inputs.logs,
        verifier=tally_verifier(inputs.logs, at=moment),
        inputs=documents,
        at=moment,
    )
    versions = {
        object_cid(d): read_constitution(d)
        for d in by_type[CONSTITUTION_TYPE]
        if object_cid(d) in chain.chain
    }
    rows: list[JsonObject] = [
        {
            "cid": cid,
            "version": versions[cid].version,
            "validFrom": format_date_time(versions[cid].valid_from),
            "ratifiedBy": versions[cid].ratified_by,
            "state": "in force" if cid == chain.in_force else "superseded",
        }
        for cid in chain.chain
    ]
    if json_mode:
        out.json(
            {
                "community": community,
                "at": format_date_time(moment),
                "inForce": chain.in_force,
                "chain": rows,
                "refused": [{"cid": c, "reason": r} for c, r in chain.refused],
            }
        )
        return
    out.table(
        f"constitutions of {community} as of {format_date_time(moment)}",
        ["version", "CID", "valid from", "ratified by", "state"],
        [
            [
                str(row["version"]),
                str(row["cid"]),
                str(row["validFrom"]),
                str(row["ratifiedBy"]),
                str(row["state"]),
            ]
            for row in rows
        ],
    )
    for cid, reason in chain.refused:
        out.line(f"not in force: {cid}: {reason}")


def _types(document: JsonObject) -> tuple[str, ...]:
    value = document.get("type")
    if isinstance(value, str):
        return (value,)
    return (
        tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()
    )


# --- Helpers ----------------------------------------------------------------------


def rules_rows(rules: ConstitutionRules) -> list[tuple[str, str | tuple[str, ...]]]:
    """The rows of a readable summary of ``rules``."""
    signals = rules.signals
    rows: list[tuple[str, str | tuple[str, ...]]] = [
        ("proposers", ", ".join(rules.proposers)),
        (
            "signals",
            f"{signals.count} member(s)"
            if signals.share is None
            else f"{format_fraction(signals.share)} of the members, rounded up",
        ),
        (
            "voting period",
            f"{format_duration(rules.voting_period.min)} to "
            f"{format_duration(rules.voting_period.max)}",
        ),
        ("revoting", "yes" if rules.revoting else "no"),
        ("delegation", "yes" if rules.delegation else "no"),
        (
            "ballots",
            f"scores 0..{rules.max_score}, {rules.voice_credits} voice credits",
        ),
    ]
    for name, kind in rules.kinds.items():
        rows.append(
            (
                f"kind {name}",
                (
                    ", ".join(kind.methods),
                    f"quorum {format_fraction(kind.quorum)}, threshold "
                    f"{kind.threshold}",
                ),
            )
        )
    moderation = rules.moderation
    rows.append(
        (
            "labels",
            tuple(f"{label.value}: {label.action}" for label in moderation.labels),
        )
    )
    rows.append(
        (
            "moderation",
            (
                f"panel {moderation.panel_size}, agreement {moderation.agreement}",
                f"mandate term {format_duration(moderation.mandate_term)}",
                f"appeal panel {moderation.appeal_panel_size}, majority "
                f"{moderation.appeal_majority}",
            ),
        )
    )
    rows.append(("preamble", tuple(rules.preamble.strip().split("\n"))))
    return rows


def _show_rules(
    out: Output,
    rules_json: JsonObject,
    constitution: Constitution | None,
    cid: str | None = None,
) -> None:
    rules = parse_rules(rules_json)
    rules_cid = object_cid(rules_json)
    if out.json_mode:
        body: JsonObject = {"rulesCid": rules_cid, "rules": rules_json}
        if constitution is not None:
            body.update(
                {
                    "cid": cid,
                    "community": constitution.community,
                    "version": constitution.version,
                    "ratifiedBy": constitution.ratified_by,
                    "replaces": constitution.replaces,
                    "validFrom": _time(constitution),
                }
            )
        out.json(body)
        return
    rows = rules_rows(rules)
    title = "rules"
    if constitution is not None:
        title = f"constitution v{constitution.version}"
        head: list[tuple[str, str | tuple[str, ...]]] = [
            ("CID", cid or ""),
            ("community", constitution.community),
            ("valid from", _time(constitution)),
            ("ratified by", constitution.ratified_by),
        ]
        if constitution.replaces is not None:
            head.append(("replaces", constitution.replaces))
        rows = head + rows
    rows.insert(0, ("rules CID", rules_cid))
    out.panel(title, rows)


def _chain(versions: list[tuple[str, Constitution]]) -> list[JsonObject]:
    """Order versions from the genesis along ``replaces``; mark the gaps."""
    by_predecessor: dict[str | None, list[tuple[str, Constitution]]] = {}
    for cid, constitution in versions:
        by_predecessor.setdefault(constitution.replaces, []).append((cid, constitution))
    known = {cid for cid, _ in versions}
    rows: list[JsonObject] = []
    seen: set[str] = set()
    frontier: list[tuple[str, Constitution]] = sorted(
        by_predecessor.get(None, []), key=lambda item: item[0]
    )
    while frontier:
        cid, constitution = frontier.pop(0)
        if cid in seen:
            continue
        seen.add(cid)
        siblings = by_predecessor.get(constitution.replaces, [])
        note = (
            "fork: another version replaces the same one" if len(siblings) > 1 else None
        )
        rows.append(_row(cid, constitution, note))
        frontier.extend(sorted(by_predecessor.get(cid, []), key=lambda item: item[0]))
    for cid, constitution in sorted(
        versions, key=lambda item: (item[1].version, item[0])
    ):
        if cid not in seen:
            note = (
                "replaces a version not in the store"
                if constitution.replaces not in known
                else "not connected to the genesis"
            )
            rows.append(_row(cid, constitution, note))
    return rows


def _row(cid: str, constitution: Constitution, note: str | None) -> JsonObject:
    return {
        "version": constitution.version,
        "cid": cid,
        "validFrom": _time(constitution),
        "ratifiedBy": constitution.ratified_by,
        "replaces": constitution.replaces,
        "note": note,
    }


def _time(constitution: Constitution) -> str:
    moment = constitution.valid_from
    return format_date_time(moment, milliseconds=moment.microsecond != 0)


def _check_did(value: str) -> None:
    try:
        parse_did(value)
    except InvalidDIDError as exc:
        raise InvalidDIDError(f"COMMUNITY: {exc.detail}") from exc


def _read_text(source: str) -> str:
    data = read_bytes(source, limit=_MAX_TOML_BYTES)
    name = "standard input" if source == "-" else source
    if len(data) > _MAX_TOML_BYTES:
        raise UsageError(
            "unusableInput", f"{name} holds more than {_MAX_TOML_BYTES} bytes."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            "unusableInput", f"{name} is not UTF-8 text (byte {exc.start})."
        ) from exc


def load_rules_file(source: str) -> JsonObject:
    """Read a rules object from a JSON file (as ``draft`` writes it) or a
    ``.toml`` file, and check it.

    Raises:
        InvalidConstitutionError: the rules are inconsistent.
        UsageError: the file cannot be read or is not JSON.
    """
    if source.endswith(".toml"):
        return rules_from_toml(_read_text(source))
    data = read_bytes(source)
    try:
        document = load_json(data, max_bytes=MAX_DOCUMENT_BYTES)
    except ParsingError as exc:
        raise UsageError(
            "unusableInput", f"{source} is not usable JSON: {exc.detail}"
        ) from exc
    if not isinstance(document, dict):
        raise UsageError("unusableInput", f"{source} does not hold a JSON object.")
    parse_rules(document)
    return document
