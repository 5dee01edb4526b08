"""``agora moderation``: report a post, label it or withdraw a label, appeal
a label, give a verdict on an appeal, with a DID of the wallet.

Each command signs a moderation credential (docs/moderation.md) and writes
it to ``--out FILE``, or to standard output (``--out -``, the default), as
``agora post`` does. ``agora moderation log`` and ``case``, which read the
credentials back and show what they add up to, live in
:mod:`wallet_cli.commands.moderation_cases`.

Spec: docs/moderation.md (The objects), docs/cli.md (Moderation)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ssi.cid import JSON_CODEC, is_cid, object_cid
from ssi.credentials import issue
from ssi.errors import ObjectNotFoundError, SSIError, StoreAccessError
from ssi.social import (
    MAX_REASON,
    Appeal,
    Mandate,
    ModerationLabel,
    Report,
    Verdict,
    appeal_credential,
    label_credential,
    read_moderation_object,
    read_social_object,
    report_credential,
    verdict_credential,
)
from ssi.types import JsonObject
from wallet_cli import session
from wallet_cli.commands.credential import ForceOption, JsonOption
from wallet_cli.commands.post import (
    AsOption,
    LookupStoreOption,
    PostOutOption,
    SuiteOption,
    _check_did,
    _check_out,
    _check_suite,
    emit_document,
)
from wallet_cli.commands.post import _read_document as read_document
from wallet_cli.commands.vote import CommunityOption, _format, _time
from wallet_cli.errors import UsageError
from wallet_cli.output import Output

__all__ = ["app"]

app = typer.Typer(
    help="Moderation: report posts, label them, appeal and judge appeals; show "
    "the community's cases.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

PostArgument = Annotated[
    str,
    typer.Argument(
        metavar="POST",
        help="The post: its CID, or a file (or - for standard input) holding it.",
    ),
]
LabelOption = Annotated[
    str,
    typer.Option(
        "--label",
        metavar="VALUE",
        help="A label value of the community's vocabulary, such as spam.",
        show_default=False,
    ),
]
ReasonOption = Annotated[
    str,
    typer.Option(
        "--reason",
        metavar="TEXT",
        help=f"Why, in at most {MAX_REASON} characters.",
        show_default=False,
    ),
]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="TIME",
        help="The time you claim for the act (its validFrom; RFC 3339 with a "
        "zone); default now. Moderation judges every act by the time it claims.",
        show_default=False,
    ),
]


# --- Reports and labels --------------------------------------------------------


@app.command()
def report(
    ctx: typer.Context,
    target: PostArgument,
    community: CommunityOption,
    label: LabelOption,
    author: AsOption,
    reason: ReasonOption = "",
    at: AtOption = None,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Report a post: ask the community's moderators to give it a label.

    A report by a member opens the case (the post, the label) if nothing
    opened it before; its author is left out of the case's panel.

    Example: agora moderation report bagaaiera... --community did:agora:z...
    --label spam --reason "An advert" --as alice --out report.json
    """
    out = Output(json_mode=json_mode)
    post = _prepare(target, community, suite, out_file, force=force)
    when = _time(at)
    _check_reason(reason)
    _sign(
        ctx,
        author,
        lambda did: report_credential(
            did,
            community=community,
            post=post,
            label=label,
            valid_from=when,
            reason=reason,
        ),
        suite=suite,
        out=out,
        out_file=out_file,
        title="report signed",
        force=force,
    )


@app.command("label")
def label_command(
    ctx: typer.Context,
    target: PostArgument,
    community: CommunityOption,
    label: LabelOption,
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            metavar="TEXT",
            help=f"Why the post deserves the label (required; at most {MAX_REASON} "
            "characters): readers and an appeal panel read it.",
            show_default=False,
        ),
    ],
    author: AsOption,
    at: AtOption = None,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Label a post, as a moderator: the label counts if you sit on the case's
    panel and your mandate is valid at the label's time.

    Your latest label on a case is the one that counts; withdraw it with
    agora moderation withdraw.

    Example: agora moderation label bagaaiera... --community did:agora:z...
    --label spam --reason "Advert for a shop" --as bob --out label.json
    """
    out = Output(json_mode=json_mode)
    post = _prepare(target, community, suite, out_file, force=force)
    when = _time(at)
    if not reason.strip():
        raise UsageError("unusableInput", "--reason cannot be empty on a label.")
    _check_reason(reason)
    _sign(
        ctx,
        author,
        lambda did: label_credential(
            did,
            community=community,
            post=post,
            label=label,
            valid_from=when,
            reason=reason,
        ),
        suite=suite,
        out=out,
        out_file=out_file,
        title="label signed",
        force=force,
    )


@app.command()
def withdraw(
    ctx: typer.Context,
    target: PostArgument,
    community: CommunityOption,
    label: LabelOption,
    author: AsOption,
    reason: ReasonOption = "",
    at: AtOption = None,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Withdraw your label on a case: a negated label, later than the one it
    takes back.

    Example: agora moderation withdraw bagaaiera... --community did:agora:z...
    --label spam --as bob --out withdrawal.json
    """
    out = Output(json_mode=json_mode)
    post = _prepare(target, community, suite, out_file, force=force)
    when = _time(at)
    _check_reason(reason)
    _sign(
        ctx,
        author,
        lambda did: label_credential(
            did,
            community=community,
            post=post,
            label=label,
            valid_from=when,
            reason=reason,
            negated=True,
        ),
        suite=suite,
        out=out,
        out_file=out_file,
        title="withdrawal signed",
        force=force,
    )


# --- Appeals and verdicts ------------------------------------------------------


@app.command()
def appeal(
    ctx: typer.Context,
    target: PostArgument,
    community: CommunityOption,
    label: LabelOption,
    author: AsOption,
    reason: ReasonOption = "",
    at: AtOption = None,
    store_location: LookupStoreOption = None,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Appeal a label on your post to the case's appeal panel, which shares no
    member with the panel that labelled it.

    Only the post's author may appeal, once per decision. When the post is
    at hand (a file, or its CID in the store), signing as anyone else is
    refused (exit 2, notAuthor).

    Example: agora moderation appeal bagaaiera... --community did:agora:z...
    --label spam --reason "A builder's offer to members" --as carol --out
    appeal.json
    """
    out = Output(json_mode=json_mode)
    state = session.from_context(ctx)
    post, document = _subject(target, state, store_location)
    _prepare(post, community, suite, out_file, force=force)
    when = _time(at)
    _check_reason(reason)
    wallet = state.open()
    record = wallet.did(author)
    if document is not None:
        written_by = _author_of(document)
        if written_by is not None and written_by != record.did:
            raise UsageError(
                "notAuthor",
                f"only the post's author ({written_by[:80]}) may appeal a label on it.",
            )
    credential = appeal_credential(
        record.did,
        community=community,
        post=post,
        label=label,
        valid_from=when,
        reason=reason,
    )
    signed = issue(credential, wallet.signer(record.did), suite=suite)
    _emit(out, signed, out_file, "appeal signed", force=force)


@app.command()
def verdict(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            metavar="APPEAL",
            help="The appeal: its CID, or a file (or - for standard input) holding it.",
        ),
    ],
    community: CommunityOption,
    author: AsOption,
    uphold: Annotated[bool, typer.Option("--uphold", help="The label stands.")] = False,
    overturn: Annotated[
        bool, typer.Option("--overturn", help="The label is lifted.")
    ] = False,
    reason: ReasonOption = "",
    at: AtOption = None,
    suite: SuiteOption = "eddsa-jcs-2022",
    out_file: PostOutOption = "-",
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Judge an appeal, as a moderator of the appeal panel: uphold the label
    or overturn it.

    Your latest verdict on an appeal counts; the constitution's appeal
    majority of the appeal panel overturns a label for good.

    Example: agora moderation verdict bagaaiera... --community did:agora:z...
    --overturn --reason "On topic" --as dave --out verdict.json
    """
    out = Output(json_mode=json_mode)
    if uphold == overturn:
        raise UsageError("unusableInput", "give exactly one of --uphold, --overturn.")
    appeal_cid, document = _subject(target, None, None, what="APPEAL")
    _prepare(appeal_cid, community, suite, out_file, force=force)
    if document is not None:
        _check_appeal(document, community)
    when = _time(at)
    _check_reason(reason)
    _sign(
        ctx,
        author,
        lambda did: verdict_credential(
            did,
            community=community,
            appeal=appeal_cid,
            verdict="uphold" if uphold else "overturn",
            valid_from=when,
            reason=reason,
        ),
        suite=suite,
        out=out,
        out_file=out_file,
        title="verdict signed",
        force=force,
    )


# --- Helpers ----------------------------------------------------------------------


def _sign(
    ctx: typer.Context,
    author: str,
    build: Callable[[str], JsonObject],
    *,
    suite: str,
    out: Output,
    out_file: str,
    title: str,
    force: bool,
) -> None:
    """Open the wallet, build the credential for the DID ``author`` names,
    sign it with that DID's key and write it out."""
    wallet = session.from_context(ctx).open()
    record = wallet.did(author)
    signed = issue(build(record.did), wallet.signer(record.did), suite=suite)
    _emit(out, signed, out_file, title, force=force)


def _prepare(
    target: str, community: str, suite: str, out_file: str, *, force: bool
) -> str:
    """Check the options every signing command shares; return the subject's CID."""
    _check_suite(suite)
    _check_did(community, "--community")
    cid = _subject(target, None, None)[0]
    _check_out(out_file, force=force)
    return cid


def _subject(
    target: str,
    state: session.Session | None,
    store: str | None,
    *,
    what: str = "POST",
) -> tuple[str, JsonObject | None]:
    """The CID the argument names, and the object itself when it is at hand:
    a CID that names no file (looked up in the store with a ``state``), or a
    file (or standard input) holding the object."""
    if target != "-" and not Path(target).exists() and is_cid(target, codec=JSON_CODEC):
        if state is None:
            return target, None
        try:
            return target, read_document(target, state, store)
        except (ObjectNotFoundError, StoreAccessError):
            return target, None
    if target != "-" and not Path(target).exists():
        raise UsageError(
            "unusableInput",
            f"{what} {target[:80]!r} is neither a file nor a CID (bagaaiera...).",
        )
    document = read_document(target)
    return object_cid(document), document


def _author_of(document: JsonObject) -> str | None:
    """The author of a post at hand (None when it is not a social object)."""
    try:
        return read_social_object(document).author
    except SSIError:
        return None


def _check_appeal(document: JsonObject, community: str) -> None:
    """An appeal at hand must be an appeal, in this community."""
    try:
        item = read_moderation_object(document)
    except SSIError as exc:
        raise UsageError(
            "unusableInput", f"APPEAL is not a moderation object: {exc.detail}"
        ) from exc
    if not isinstance(item, Appeal):
        raise UsageError(
            "unusableInput", f"APPEAL is a {type(item).__name__}, not an Appeal."
        )
    if item.community != community:
        raise UsageError(
            "unusableInput",
            f"the appeal is in another community ({str(item.community)[:80]}).",
        )


def _check_reason(reason: str) -> None:
    if len(reason) > MAX_REASON:
        raise UsageError(
            "unusableInput",
            f"--reason holds {len(reason)} characters; at most {MAX_REASON}.",
        )


def _emit(
    out: Output, signed: JsonObject, out_file: str, title: str, *, force: bool
) -> None:
    item = read_moderation_object(signed)
    if isinstance(item, Mandate):
        raise UsageError("unusableInput", "a mandate is not signed here.")
    summary: JsonObject = {
        **item.to_json(),
        "cid": object_cid(signed),
        "author": _actor(item),
        "time": _format(item.time),
    }
    emit_document(out, signed, out_file, title, summary, force=force)


def _actor(item: Report | ModerationLabel | Appeal | Verdict) -> str:
    if isinstance(item, Report):
        return item.reporter
    if isinstance(item, Appeal):
        return item.appellant
    return item.moderator
