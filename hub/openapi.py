"""The hub's published OpenAPI document (docs/hub-openapi.json).

``python -m hub.openapi [PATH]`` (``make openapi``) writes it; a test checks
that the file in the repository is the one the code makes.

Spec: docs/hub.md
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

from hub.app import create_app
from hub.settings import HubSettings

__all__ = ["DOCUMENT_PATH", "openapi_document", "openapi_text"]

DOCUMENT_PATH: Final = Path("docs") / "hub-openapi.json"
"""Where the document is published, from the repository's root."""


def openapi_document() -> dict[str, Any]:
    """Return the hub app's OpenAPI document (built over a throwaway store)."""
    with tempfile.TemporaryDirectory() as folder:
        settings = HubSettings(db=str(Path(folder) / "hub.sqlite"))
        app = create_app(settings)
        try:
            return app.openapi()
        finally:
            app.state.hub.close()


def openapi_text() -> str:
    """Return the document as the repository keeps it: sorted, indented JSON."""
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    """Write the document to ``argv[0]`` (default :data:`DOCUMENT_PATH`)."""
    target = Path(argv[0]) if argv else DOCUMENT_PATH
    target.write_text(openapi_text(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
