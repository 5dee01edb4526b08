"""The social layer: communities and membership (posts, votes and moderation
come in later issues)."""

from ssi.social.community import (
    AGORA_CONTEXT,
    MEMBERSHIP_TYPE,
    Membership,
    membership_credential,
    read_membership,
)

__all__ = [
    "AGORA_CONTEXT",
    "MEMBERSHIP_TYPE",
    "Membership",
    "membership_credential",
    "read_membership",
]
