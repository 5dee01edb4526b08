"""``agora qr``: carry a small object (a DID log, a credential, a post) as QR
codes, and read it back.

Neither command opens the wallet. Drawing and reading codes needs the ``qr``
extra (``pip install 'agora-ssi[qr]'``); without it both fail with
``error[qrUnavailable]`` naming it.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Annotated, Literal

import typer

from ssi.errors import QRCodeTooLargeError
from ssi.qr import (
    MAX_CODES,
    MAX_PAYLOAD_BYTES,
    decode_images,
    missing_dependencies,
    render_codes,
)
from ssi.types import JsonObject
from wallet_cli.commands.credential import (
    ForceOption,
    JsonOption,
    check_out_file,
    write_output,
)
from wallet_cli.commands.inputs import read_bytes
from wallet_cli.errors import UsageError
from wallet_cli.output import Output

__all__ = ["MAX_IMAGE_FILE_BYTES", "app", "code_paths"]

app = typer.Typer(
    help="QR codes: carry a small object (a DID log, a credential, a post) "
    "as one or more codes.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

MAX_IMAGE_FILE_BYTES = 32 * 1024 * 1024
"""The largest image file ``agora qr decode`` reads."""

_KINDS: dict[str, Literal["png", "svg"]] = {".png": "png", ".svg": "svg"}


def _require_extra() -> None:
    missing = missing_dependencies()
    if missing:
        raise UsageError(
            "qrUnavailable",
            "QR codes need the qr extra, which is not installed (missing: "
            f"{', '.join(missing)}): pip install 'agora-ssi[qr]'.",
        )


def code_paths(out_file: Path, count: int) -> list[Path]:
    """Return the files of ``count`` codes: ``out_file`` itself for one code,
    else ``F-1.png``, ``F-2.png``, ... beside it."""
    if count == 1:
        return [out_file]
    return [
        out_file.with_name(f"{out_file.stem}-{n}{out_file.suffix}")
        for n in range(1, count + 1)
    ]


@app.command()
def encode(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="The object to carry (any file, typically JSON or JSON Lines), "
            "or - to read standard input.",
        ),
    ],
    out_file: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="F.png|F.svg",
            help="Where to write the code; when several are needed they are "
            "F-1.png, F-2.png, ... (existing files are replaced only with --force).",
            show_default=False,
        ),
    ],
    scale: Annotated[
        int,
        typer.Option(
            "--scale", min=1, max=40, metavar="N", help="Pixels (units) per module."
        ),
    ] = 4,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Write a small object as compressed QR codes (PNG or SVG), over several
    codes when one is not enough.

    At most 16 codes (15,600 bytes once compressed) carry one object; a larger
    one is refused with error[qrTooLarge]. See docs/qr.md for the format.

    Example: agora qr encode ada.jsonl --out ada-log.png
    """
    out = Output(json_mode=json_mode)
    kind = _KINDS.get(out_file.suffix.lower())
    if kind is None:
        raise UsageError("unusableInput", f"--out {out_file} must end in .png or .svg.")
    _require_extra()
    payload = read_bytes(source, limit=MAX_PAYLOAD_BYTES)
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise QRCodeTooLargeError(
            f"{source} is over {MAX_PAYLOAD_BYTES} bytes; QR codes carry far less "
            "(send it as a file)."
        )
    images = render_codes(payload, kind=kind, scale=scale)
    paths = code_paths(out_file, len(images))
    for path in paths:
        check_out_file(path, force=force)
    for path, image in zip(paths, images, strict=True):
        write_output(path, image, force=force)
    if json_mode:
        out.json(
            {
                "codes": len(paths),
                "files": [str(path) for path in paths],
                "bytes": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
            }
        )
        return
    rows: list[tuple[str, str | tuple[str, ...]]] = [
        ("codes", f"{len(paths)} (of at most {MAX_CODES})"),
        ("bytes", str(len(payload))),
        ("files", tuple(str(path) for path in paths)),
    ]
    title = "QR code written" if len(paths) == 1 else f"{len(paths)} QR codes written"
    out.panel(title, rows)
    if len(paths) > 1:
        out.notice(f"Give all {len(paths)} codes to `agora qr decode`, in any order.")


@app.command()
def decode(
    images: Annotated[
        list[str],
        typer.Argument(
            metavar="IMAGE...",
            help="The image files (PNG, JPEG, ...) holding the codes, in any "
            "order; one image may hold several codes; - reads one image from "
            "standard input.",
        ),
    ],
    out_file: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE|-",
            help="Write the object to FILE (replaced only with --force); - or "
            "nothing writes it to standard output.",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    json_mode: JsonOption = False,
) -> None:
    """Read an object back from its QR codes, checking that every part is
    there, once, from the same object, and that the whole matches its digest.

    With --json a summary is printed (and, without --out FILE, the object
    itself, as "text" when it is UTF-8, else as "base64").

    Example: agora qr decode ada-log-1.png ada-log-2.png --out ada.jsonl
    """
    out = Output(json_mode=json_mode)
    target = None if out_file in (None, "-") else Path(str(out_file))
    check_out_file(target, force=force)
    _require_extra()
    data: list[bytes] = []
    for name in images:
        image = read_bytes(name, limit=MAX_IMAGE_FILE_BYTES)
        if len(image) > MAX_IMAGE_FILE_BYTES:
            raise UsageError(
                "unusableInput",
                f"{name} is over {MAX_IMAGE_FILE_BYTES} bytes; it is not read.",
            )
        data.append(image)
    names = ["standard input" if n == "-" else n for n in images]
    payload = decode_images(data, names=names)
    if target is not None:
        write_output(target, payload, force=force)
    summary: JsonObject = {
        "images": len(images),
        "bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "out": str(target) if target is not None else "-",
    }
    if json_mode:
        if target is None:
            try:
                summary["text"] = payload.decode("utf-8")
            except UnicodeDecodeError:
                summary["base64"] = base64.b64encode(payload).decode("ascii")
        out.json(summary)
        return
    if target is not None:
        out.panel(
            "QR codes decoded",
            [("bytes", str(len(payload))), ("written to", str(target))],
        )
        return
    if not out.payload(payload):
        raise UsageError(
            "binaryOutput",
            "the object is not text; write it with --out FILE, or pipe it.",
        )
