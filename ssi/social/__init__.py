"""The social layer: communities and membership; posts, retractions and
reactions (votes and moderation come in later issues)."""

from ssi.social.community import (
    AGORA_CONTEXT,
    MEMBERSHIP_TYPE,
    Membership,
    membership_credential,
    read_membership,
)
from ssi.social.post import (
    MAX_ATTACHMENTS,
    MAX_CONTENT_BYTES,
    MAX_MENTIONS,
    MAX_TAGS,
    POST_TYPE,
    Attachment,
    Post,
    post_credential,
    read_post,
)
from ssi.social.reaction import (
    MAX_EMOJI_LENGTH,
    REACTION_TYPE,
    REACTIONS,
    RETRACTION_TYPE,
    Reaction,
    Retraction,
    reaction_credential,
    read_reaction,
    read_retraction,
    retraction_credential,
)

__all__ = [
    "AGORA_CONTEXT",
    "MAX_ATTACHMENTS",
    "MAX_CONTENT_BYTES",
    "MAX_EMOJI_LENGTH",
    "MAX_MENTIONS",
    "MAX_TAGS",
    "MEMBERSHIP_TYPE",
    "POST_TYPE",
    "REACTIONS",
    "REACTION_TYPE",
    "RETRACTION_TYPE",
    "Attachment",
    "Membership",
    "Post",
    "Reaction",
    "Retraction",
    "membership_credential",
    "post_credential",
    "reaction_credential",
    "read_membership",
    "read_post",
    "read_reaction",
    "read_retraction",
    "retraction_credential",
]
