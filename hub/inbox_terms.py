"""The inbox's terms that both the hub and its client need, in a module light
enough for the client to import (no FastAPI): lifetimes and the media type.

Spec: docs/hub.md (Inbox)
"""

from __future__ import annotations

from typing import Final

from ssi.messaging import ENCRYPTED

__all__ = ["CHALLENGE_SECONDS", "ENCRYPTED_MEDIA_TYPE", "TOKEN_SECONDS"]

CHALLENGE_SECONDS: Final = 120
"""How long a challenge may be answered."""

TOKEN_SECONDS: Final = 300
"""How long a bearer token from ``POST /inbox/{did}/token`` is accepted."""

ENCRYPTED_MEDIA_TYPE: Final = ENCRYPTED
"""The only media type ``POST /inbox/{did}`` accepts."""
