"""``agora resolver``: serve the DID Resolution HTTP binding (docs/resolution.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssi.agora import FileLogSource, LogSource
from ssi.did.resolution import Resolver
from ssi.methods import default_methods
from wallet_cli.errors import UsageError
from wallet_cli.output import Output

__all__ = ["app"]

app = typer.Typer(
    help="Serve DID resolution over HTTP (the DIF Universal Resolver's interface).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option("--host", metavar="HOST", help="The address to listen on."),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", metavar="PORT", min=0, max=65535, help="The port."),
    ] = 8080,
    log: Annotated[
        list[Path] | None,
        typer.Option(
            "--log",
            metavar="FILE",
            help="A did:agora log (.jsonl) or a folder of them to resolve "
            "did:agora DIDs from; may be repeated. Files are read again on "
            "each request, so appended entries are seen at once.",
        ),
    ] = None,
) -> None:
    """Serve GET /1.0/identifiers/{did} for did:key, did:jwk and did:agora (from
    the --log files) until interrupted.

    The answer follows the Accept header: the resolution result
    (application/did-resolution, the default) or the DID document alone
    (application/did+json, application/did+ld+json); failures carry the W3C
    error code with status 400, 404, 406, 410 (deactivated) or 501. Nothing
    is fetched from the network. Bind to 127.0.0.1 (the default) unless a
    proxy in front of it handles TLS.

    Example: agora resolver serve --port 8080 --log logs/
    """
    import uvicorn

    from resolver.service import create_app

    sources: list[LogSource] = []
    for path in log or []:
        if not path.exists():
            raise UsageError("unusableInput", f"there is no log file or folder {path}.")
        sources.append(FileLogSource(path))
    resolver = Resolver(default_methods(agora_sources=sources))
    Output().line(f"Resolving DIDs at http://{host}:{port}/1.0/identifiers/")
    uvicorn.run(create_app(resolver), host=host, port=port, log_level="warning")
