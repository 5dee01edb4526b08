"""The encrypted wallet: keys, DIDs and credentials on disk under ``$AGORA_HOME``."""

from ssi.home import default_home
from ssi.wallet.agora import (
    WalletLogSource,
    agora_log,
    create_agora_did,
    deactivate_agora_did,
    import_agora_log,
    prior_signer,
    rotate_agora_did,
    update_agora_did,
)
from ssi.wallet.backup import ImportSummary
from ssi.wallet.community import (
    CommunityRecord,
    WalletStatusSource,
    admit_member,
    community,
    community_entry,
    create_community,
    import_status_list,
    set_member_status,
    status_list_credentials,
    status_list_versions,
)
from ssi.wallet.contacts import (
    ContactRecord,
    add_contact,
    check_petname,
    contact,
    contact_for,
    contacts,
    petnames,
    remove_contact,
)
from ssi.wallet.crypto import KDF_PROFILES, KDFParams
from ssi.wallet.mandate import issue_mandate
from ssi.wallet.migration import SCHEMA1_BACKUP
from ssi.wallet.model import CredentialRecord, DIDRecord, KeyRecord
from ssi.wallet.passphrase import MIN_PASSPHRASE_LENGTH
from ssi.wallet.records import RecordStore, Transaction
from ssi.wallet.sealing import MAX_RECORD_BYTES
from ssi.wallet.stewardship import (
    StewardRecord,
    cosign_credential,
    cosign_entry,
    create_steward,
    next_package,
    reconfigure_community,
    rotate_steward,
    steward,
    stewards,
)
from ssi.wallet.wallet import Wallet
from ssi.wallet.walletfile import SCHEMA_VERSION

__all__ = [
    "KDF_PROFILES",
    "MAX_RECORD_BYTES",
    "MIN_PASSPHRASE_LENGTH",
    "SCHEMA1_BACKUP",
    "SCHEMA_VERSION",
    "CommunityRecord",
    "ContactRecord",
    "CredentialRecord",
    "DIDRecord",
    "ImportSummary",
    "KDFParams",
    "KeyRecord",
    "RecordStore",
    "StewardRecord",
    "Transaction",
    "Wallet",
    "WalletLogSource",
    "WalletStatusSource",
    "add_contact",
    "admit_member",
    "agora_log",
    "check_petname",
    "community",
    "community_entry",
    "contact",
    "contact_for",
    "contacts",
    "cosign_credential",
    "cosign_entry",
    "create_agora_did",
    "create_community",
    "create_steward",
    "deactivate_agora_did",
    "default_home",
    "import_agora_log",
    "import_status_list",
    "issue_mandate",
    "next_package",
    "petnames",
    "prior_signer",
    "reconfigure_community",
    "remove_contact",
    "rotate_agora_did",
    "rotate_steward",
    "set_member_status",
    "status_list_credentials",
    "status_list_versions",
    "steward",
    "stewards",
    "update_agora_did",
]
