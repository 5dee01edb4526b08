"""Petnames next to DIDs: how the CLI names other people's DIDs.

A DID that is one of the wallet's contacts is shown as ``petname (did:...)``;
one of the wallet's own DIDs as ``alias (did:..., own DID)`` (or
``did:... (own DID)`` without an alias); any other DID as
``did:... (not a contact)``, so a stranger's DID is never mistaken for a
friend's. Text that is not a DID (a URL issuer, say) is shown as it is. A DID
URL (``did:...#key-1``) is named after its DID.

The text returned is plain: like every string, it is escaped by
:class:`wallet_cli.output.Output` when it is written (the names themselves
were checked when they were added: no control characters).

Commands that open the wallet anyway build it with :meth:`Petnames.of`;
commands that need no wallet use :meth:`Petnames.at_hand`, which opens it
only when a passphrase is at hand (as evidence is looked up) and otherwise
names nobody, so they never prompt or fail for want of petnames.

Spec: docs/cli.md (Contacts and petnames)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ssi.errors import SSIError
from ssi.wallet import Wallet, petnames
from wallet_cli.errors import UsageError

if TYPE_CHECKING:
    from wallet_cli.output import Output
    from wallet_cli.session import Session

__all__ = ["NOT_A_CONTACT", "OWN_DID", "Petnames"]

NOT_A_CONTACT = "not a contact"
"""The mark after a DID that is neither a contact nor one of the wallet's."""

OWN_DID = "own DID"
"""The mark after one of the wallet's own DIDs."""

_DID_PART = re.compile(r"[/?#]")


def _base(did: str) -> str:
    """The DID of a DID URL (the text before its path, query or fragment)."""
    return _DID_PART.split(did, maxsplit=1)[0]


@dataclass(frozen=True, slots=True)
class Petnames:
    """The names the wallet gives to DIDs: contacts' petnames and its own aliases.

    Args:
        contacts: each contact's petname, by DID.
        own: the wallet's own DIDs, with their alias (or ``None``).
        known: whether the names were read from a wallet. Without them
            (``Petnames()``), nobody can be said not to be a contact, so
            DIDs are shown bare, without the mark.
    """

    contacts: Mapping[str, str] = field(default_factory=dict)
    own: Mapping[str, str | None] = field(default_factory=dict)
    known: bool = False

    @classmethod
    def of(cls, wallet: Wallet) -> Petnames:
        """Return the names of an open wallet (two reads, no passphrase asked)."""
        own = {record.did: record.alias for record in wallet.dids()}
        return cls(contacts=petnames(wallet), own=own, known=True)

    @classmethod
    def at_hand(cls, state: Session, out: Output | None = None) -> Petnames:
        """Return the wallet's names when it can be opened without asking
        (a passphrase at hand), else no names; ``out`` gets a notice saying
        why when the wallet exists and could not be opened."""
        wallet = state.evidence_wallet()
        if wallet is not None:
            return cls.of(wallet)
        try:
            state.raise_evidence_failure()
        except (SSIError, UsageError) as exc:
            if out is not None:
                out.notice(f"petnames not shown: {exc.detail}")
        return cls()

    def name(self, did: str) -> str | None:
        """Return the contact's petname for ``did`` (or its DID URL), or ``None``."""
        found = self.contacts.get(did)
        return found if found is not None else self.contacts.get(_base(did))

    def show(self, did: str) -> str:
        """Return ``did`` with its petname, or marked as not a contact.

        ``Ada (did:key:z6Mk...)``, ``alice (did:key:z6Mk..., own DID)``,
        ``did:key:z6Mk... (not a contact)``; text that is not a DID as it is,
        and every DID that is not named as it is when no wallet was read.
        """
        if not did.startswith("did:"):
            return did
        name = self.name(did)
        if name is not None:
            return f"{name} ({did})"
        base = _base(did)
        if base in self.own:
            alias = self.own[base]
            return f"{alias} ({did}, {OWN_DID})" if alias else f"{did} ({OWN_DID})"
        return f"{did} ({NOT_A_CONTACT})" if self.known else did

    def names_for(self, dids: Iterable[str]) -> dict[str, str]:
        """Return the petname of each of ``dids`` that is a contact, by DID
        (for ``--json`` output: ``{"did:...": "Ada"}``)."""
        found: dict[str, str] = {}
        for did in dids:
            name = self.name(did)
            if name is not None:
                found[did] = name
        return found
