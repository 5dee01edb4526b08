"""Where Agora keeps its files: ``$AGORA_HOME``, else ``~/.agora``.

The wallet (``ssi.wallet``) and the object store (``ssi.store``) both live
there; this module is below both so that each finds the same directory.

Spec: docs/wallet.md, docs/store.md
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["HOME_ENV", "default_home"]

HOME_ENV = "AGORA_HOME"
"""The environment variable that names the home directory."""


def default_home() -> Path:
    """Return ``$AGORA_HOME``, or ``~/.agora`` when it is not set.

    Spec: docs/wallet.md, docs/store.md (Locations)
    """
    configured = os.environ.get(HOME_ENV)
    return Path(configured) if configured else Path.home() / ".agora"
