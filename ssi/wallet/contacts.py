"""Contacts: the names (petnames) a person gives to other people's DIDs.

A petname is local: chosen by the wallet's owner, never sent, never taken
from what a stranger claims. Each contact is one encrypted record of the
wallet (kind ``contact``, id ``contact/<DID>``; on disk the id is opaque,
like every record's). Two contacts cannot share a name (compared without
case, after Unicode NFC normalization) nor a DID, and a name cannot be taken
for a DID or hide characters a terminal acts on.

Example:
    >>> add_contact(wallet, "Ada", "did:key:z6Mk...")
    >>> contact_for(wallet, "did:key:z6Mk...").name
    'Ada'

Spec: docs/cli.md (Contacts and petnames)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final

from ssi.did.syntax import parse_did
from ssi.errors import InvalidPetnameError, RecordConflictError, RecordNotFoundError
from ssi.types import JsonObject
from ssi.wallet.model import now
from ssi.wallet.records import Transaction
from ssi.wallet.wallet import Wallet

__all__ = [
    "CONTACT_KIND",
    "MAX_PETNAME_LENGTH",
    "ContactRecord",
    "add_contact",
    "check_petname",
    "contact",
    "contact_for",
    "contacts",
    "petnames",
    "remove_contact",
]

CONTACT_KIND: Final = "contact"
"""The wallet record kind of contacts."""

MAX_PETNAME_LENGTH: Final = 64
"""The longest petname, in characters (after NFC normalization)."""

_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
"""Controls, format characters (bidi overrides, zero-width), surrogates,
private use, line and paragraph separators."""


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A contact: a petname for someone else's DID."""

    name: str
    did: str
    added: str

    def to_json(self) -> JsonObject:
        """Return the contact as JSON."""
        return {"name": self.name, "did": self.did, "added": self.added}


def check_petname(name: str) -> str:
    """Return ``name`` in Unicode NFC, or refuse it.

    A petname is 1 to :data:`MAX_PETNAME_LENGTH` characters, with no white
    space at either end, no control, format, private-use or separator
    character (only the plain space U+0020 separates words), and does not
    start with ``did:`` (in any case).

    Spec: docs/cli.md (Contacts and petnames)

    Raises:
        InvalidPetnameError: ``emptyPetname``, ``petnameTooLong``,
            ``petnameControlCharacter`` or ``petnameLooksLikeDid``.
    """
    if not isinstance(name, str):
        raise TypeError("a petname is a str")
    name = unicodedata.normalize("NFC", name)
    if not name.strip():
        raise InvalidPetnameError("a contact needs a name.", code="emptyPetname")
    if len(name) > MAX_PETNAME_LENGTH:
        raise InvalidPetnameError(
            f"a contact's name has at most {MAX_PETNAME_LENGTH} characters; this "
            f"one has {len(name)}.",
            code="petnameTooLong",
        )
    for character in name:
        category = unicodedata.category(character)
        if category in _REFUSED_CATEGORIES or (category == "Zs" and character != " "):
            raise InvalidPetnameError(
                f"a contact's name cannot hold the character U+{ord(character):04X}.",
                code="petnameControlCharacter",
            )
    if name != name.strip(" "):
        raise InvalidPetnameError(
            "a contact's name cannot start or end with a space.",
            code="petnameControlCharacter",
        )
    if name[:4].casefold() == "did:":
        raise InvalidPetnameError(
            "a contact's name cannot start with 'did:': it would look like a DID.",
            code="petnameLooksLikeDid",
        )
    return name


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _record(data: JsonObject) -> ContactRecord:
    return ContactRecord(str(data["alias"]), str(data["did"]), str(data["added"]))


def _all(tx: Transaction) -> list[ContactRecord]:
    return [_record(data) for _, data in tx.records(CONTACT_KIND)]


def add_contact(wallet: Wallet, name: str, did: str) -> ContactRecord:
    """Name a DID: store a new contact.

    The name is kept as the record's ``alias`` (so that importing a backup
    refuses a contact whose name is taken, as for any alias).

    Raises:
        InvalidPetnameError: the name is refused (see :func:`check_petname`).
        InvalidDIDError: ``did`` is not a DID (a DID URL is not one either).
        RecordConflictError: a contact has that name, or that DID, already.
    """
    name = check_petname(name)
    parse_did(did)
    with wallet.transaction() as tx:
        existing = tx.get(CONTACT_KIND, f"{CONTACT_KIND}/{did}")
        if existing is not None:
            raise RecordConflictError(
                f"{did[:80]} is a contact already, named {existing['alias']!r}."
            )
        for other in _all(tx):
            if _key(other.name) == _key(name):
                raise RecordConflictError(
                    f"the name {name!r} is taken by the contact {other.did[:80]}."
                )
        data: JsonObject = {"did": did, "alias": name, "added": now()}
        tx.put(CONTACT_KIND, f"{CONTACT_KIND}/{did}", data)
    return _record(data)


def contacts(wallet: Wallet) -> list[ContactRecord]:
    """Every contact, in the order added."""
    return _all(wallet.snapshot())


def _find(tx: Transaction, reference: str) -> ContactRecord:
    if reference.startswith("did:"):
        data = tx.get(CONTACT_KIND, f"{CONTACT_KIND}/{reference}")
        if data is not None:
            return _record(data)
    else:
        wanted = _key(reference)
        for record in _all(tx):
            if _key(record.name) == wanted:
                return record
    raise RecordNotFoundError(f"no contact {reference[:80]!r} in the wallet.")


def contact(wallet: Wallet, reference: str) -> ContactRecord:
    """Return the contact with this name (any case) or DID.

    Raises:
        RecordNotFoundError: no such contact.
    """
    return _find(wallet.snapshot(), reference)


def contact_for(wallet: Wallet, did: str) -> ContactRecord | None:
    """Return the contact whose DID is ``did``, or ``None``."""
    data = wallet.snapshot().get(CONTACT_KIND, f"{CONTACT_KIND}/{did}")
    return _record(data) if data is not None else None


def petnames(wallet: Wallet) -> dict[str, str]:
    """Return every contact's name by DID (one read of the wallet)."""
    return {record.did: record.name for record in contacts(wallet)}


def remove_contact(wallet: Wallet, reference: str) -> ContactRecord:
    """Forget a contact, named by its name (any case) or its DID.

    Raises:
        RecordNotFoundError: no such contact.
    """
    with wallet.transaction() as tx:
        record = _find(tx, reference)
        tx.delete(CONTACT_KIND, f"{CONTACT_KIND}/{record.did}")
    return record
