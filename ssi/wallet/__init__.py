"""The encrypted wallet: keys, DIDs and credentials on disk under ``$AGORA_HOME``.

Names are imported when first used (PEP 562 module ``__getattr__``), so a
program that only needs :func:`default_home` (``agora did resolve``, say) does
not load the wallet's cryptography.
"""

import os
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ssi.wallet.agora import (
        WalletLogSource,
        agora_log,
        create_agora_did,
        deactivate_agora_did,
        import_agora_log,
        rotate_agora_did,
        update_agora_did,
    )
    from ssi.wallet.backup import ImportSummary
    from ssi.wallet.community import (
        CommunityRecord,
        WalletStatusSource,
        admit_member,
        community,
        create_community,
        import_status_list,
        set_member_status,
        status_list_credentials,
    )
    from ssi.wallet.crypto import KDF_PROFILES, KDFParams
    from ssi.wallet.migration import SCHEMA1_BACKUP
    from ssi.wallet.model import CredentialRecord, DIDRecord, KeyRecord
    from ssi.wallet.passphrase import MIN_PASSPHRASE_LENGTH
    from ssi.wallet.records import RecordStore, Transaction
    from ssi.wallet.sealing import MAX_RECORD_BYTES
    from ssi.wallet.wallet import Wallet
    from ssi.wallet.walletfile import SCHEMA_VERSION

__all__ = [
    "KDF_PROFILES",
    "MAX_RECORD_BYTES",
    "MIN_PASSPHRASE_LENGTH",
    "SCHEMA1_BACKUP",
    "SCHEMA_VERSION",
    "CommunityRecord",
    "CredentialRecord",
    "DIDRecord",
    "ImportSummary",
    "KDFParams",
    "KeyRecord",
    "RecordStore",
    "Transaction",
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
    "import_status_list",
    "rotate_agora_did",
    "set_member_status",
    "status_list_credentials",
    "update_agora_did",
]


def default_home() -> Path:
    """Return ``$AGORA_HOME``, or ``~/.agora`` when it is not set."""
    configured = os.environ.get("AGORA_HOME")
    return Path(configured) if configured else Path.home() / ".agora"


_MODULE_OF: dict[str, str] = {
    "CommunityRecord": "ssi.wallet.community",
    "CredentialRecord": "ssi.wallet.model",
    "DIDRecord": "ssi.wallet.model",
    "ImportSummary": "ssi.wallet.backup",
    "KDFParams": "ssi.wallet.crypto",
    "KDF_PROFILES": "ssi.wallet.crypto",
    "KeyRecord": "ssi.wallet.model",
    "MAX_RECORD_BYTES": "ssi.wallet.sealing",
    "MIN_PASSPHRASE_LENGTH": "ssi.wallet.passphrase",
    "RecordStore": "ssi.wallet.records",
    "SCHEMA1_BACKUP": "ssi.wallet.migration",
    "SCHEMA_VERSION": "ssi.wallet.walletfile",
    "Transaction": "ssi.wallet.records",
    "Wallet": "ssi.wallet.wallet",
    "WalletLogSource": "ssi.wallet.agora",
    "WalletStatusSource": "ssi.wallet.community",
    "admit_member": "ssi.wallet.community",
    "agora_log": "ssi.wallet.agora",
    "community": "ssi.wallet.community",
    "create_agora_did": "ssi.wallet.agora",
    "create_community": "ssi.wallet.community",
    "deactivate_agora_did": "ssi.wallet.agora",
    "import_agora_log": "ssi.wallet.agora",
    "import_status_list": "ssi.wallet.community",
    "rotate_agora_did": "ssi.wallet.agora",
    "set_member_status": "ssi.wallet.community",
    "status_list_credentials": "ssi.wallet.community",
    "update_agora_did": "ssi.wallet.agora",
}


def __getattr__(name: str) -> object:
    """Import a public name on first use and keep it in the module.

    Raises:
        AttributeError: ``name`` is not part of the public API.
    """
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'ssi.wallet' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names with the module's own, as if all were imported."""
    return sorted(set(globals()) | set(__all__))
