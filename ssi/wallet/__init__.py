"""The encrypted wallet: keys, DIDs and credentials on disk under ``$AGORA_HOME``."""

import os
from pathlib import Path

from ssi.wallet.agora import (
    WalletLogSource,
    agora_log,
    create_agora_did,
    deactivate_agora_did,
    import_agora_log,
    rotate_agora_did,
    update_agora_did,
)
from ssi.wallet.community import (
    CommunityRecord,
    WalletStatusSource,
    admit_member,
    community,
    create_community,
    set_member_status,
    status_list_credentials,
)
from ssi.wallet.crypto import KDF_PROFILES, KDFParams
from ssi.wallet.storage import SCHEMA_VERSION
from ssi.wallet.wallet import (
    CredentialRecord,
    DIDRecord,
    ImportSummary,
    KeyRecord,
    Wallet,
)

__all__ = [
    "KDF_PROFILES",
    "SCHEMA_VERSION",
    "CommunityRecord",
    "CredentialRecord",
    "DIDRecord",
    "ImportSummary",
    "KDFParams",
    "KeyRecord",
    "Wallet",
    "WalletLogSource",
    "WalletStatusSource",
    "admit_member",
    "agora_log",
    "community",
    "create_agora_did",
    "create_community",
    "deactivate_agora_did",
    "default_home",
    "import_agora_log",
    "rotate_agora_did",
    "set_member_status",
    "status_list_credentials",
    "update_agora_did",
]


def default_home() -> Path:
    """Return ``$AGORA_HOME``, or ``~/.agora`` when it is not set."""
    configured = os.environ.get("AGORA_HOME")
    return Path(configured) if configured else Path.home() / ".agora"
