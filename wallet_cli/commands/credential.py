"""``agora vc`` and ``agora vp``: verify credentials and presentations."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ssi.credentials import VerificationReport, verify, verify_presentation
from wallet_cli.output import Output

__all__ = ["vc_app", "vp_app"]

vc_app = typer.Typer(
    help="Verifiable credentials.", no_args_is_help=True, rich_markup_mode=None
)
vp_app = typer.Typer(
    help="Verifiable presentations.", no_args_is_help=True, rich_markup_mode=None
)

SourceArgument = Annotated[
    str, typer.Argument(help="A JSON file, or - to read standard input.")
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Write one JSON document to stdout.")
]

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""Largest input read; the verifier refuses documents long before this."""


def read_source(source: str, out: Output) -> bytes:
    """Read a file or standard input, or exit 2 with one clear line."""
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with Path(source).open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        out.error("unusableInput", f"cannot read {source}: {exc.strerror or exc}.")
        raise typer.Exit(2) from exc
    return data


def show_report(report: VerificationReport, out: Output) -> None:
    """Print a report (panel or JSON) and exit with its code.

    Exit 0 verified, 1 not verified, 2 when the input could not be parsed.
    """
    if out.json_mode:
        out.json(report.to_json())
    else:
        _panel(report, out, report.kind)
    if report.verified:
        raise typer.Exit(0)
    unusable = any(c.name == "parsing" and not c.passed for c in report.checks)
    raise typer.Exit(2 if unusable else 1)


def _panel(report: VerificationReport, out: Output, title: str) -> None:
    rows: list[tuple[str, str]] = []
    for check in report.checks:
        mark = "ok" if check.passed else "FAILED"
        rows.append((check.name, f"{mark}  {check.detail}".rstrip()))
    for problem in report.problems:
        rows.append(
            (
                "problem",
                f"{problem.code} ({problem.error.code}) in {problem.check}: "
                f"{problem.detail}",
            )
        )
    for warning in report.warnings:
        rows.append(("warning", warning))
    verdict = "verified" if report.verified else "NOT verified"
    out.panel(f"{title}: {verdict}", rows, ok=report.verified)
    for index, inner in enumerate(report.credentials):
        _panel(inner, out, f"credential {index}")


@vc_app.command("verify")
def vc_verify(source: SourceArgument, json_mode: JsonOption = False) -> None:
    """Verify a credential: model, contexts, proofs, validity, status.

    Exit 0 verified, 1 not verified, 2 unusable input.

    Example: agora vc verify credential.json
    """
    out = Output(json_mode=json_mode)
    show_report(verify(read_source(source, out)), out)


@vp_app.command("verify")
def vp_verify(
    source: SourceArgument,
    challenge: Annotated[
        str, typer.Option("--challenge", help="The challenge you gave the holder.")
    ],
    domain: Annotated[
        str | None, typer.Option("--domain", help="The domain the proof must name.")
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Verify a presentation and every credential in it.

    Exit 0 verified, 1 not verified, 2 unusable input.

    Example: agora vp verify presentation.json --challenge 8f2c --domain example.org
    """
    out = Output(json_mode=json_mode)
    report = verify_presentation(
        read_source(source, out), challenge=challenge, domain=domain
    )
    show_report(report, out)
