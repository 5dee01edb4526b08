"""Communities in the wallet: a did:agora DID, two status lists (revocation and
suspension), a roster of the memberships issued, and the signed lists to
publish.

Every membership gets a random, never reused index in each list (herd
privacy); revoking, suspending or reinstating re-signs the list it changes.
Each operation is one transaction of the wallet's record store: one atomic
change of the wallet file.

Spec: docs/vocabulary.md, https://www.w3.org/TR/vc-bitstring-status-list/
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ssi.agora import Steward
from ssi.cid import object_cid
from ssi.credentials import issue
from ssi.datetimes import parse_date_time
from ssi.errors import (
    InvalidRoleError,
    MalformedValueError,
    RecordConflictError,
    RecordNotFoundError,
    SSIError,
    StatusRetrievalError,
)
from ssi.social import membership_credential
from ssi.status import StatusListState
from ssi.types import JsonObject
from ssi.wallet.agora import create_agora_did_in
from ssi.wallet.model import now
from ssi.wallet.operations import find_did, signer_of
from ssi.wallet.records import Transaction
from ssi.wallet.stewardship import create_threshold_community_entry
from ssi.wallet.wallet import Wallet

__all__ = [
    "CommunityRecord",
    "WalletStatusSource",
    "admit_member",
    "community",
    "community_entry",
    "create_community",
    "import_status_list",
    "set_member_status",
    "status_list_credentials",
    "status_list_versions",
]

_KIND = "community"
_LIST_KIND = "statuslist"
_VERSION_KIND = "statuslistversion"
_PURPOSES = ("revocation", "suspension")


@dataclass(frozen=True, slots=True)
class CommunityRecord:
    """A community the wallet runs."""

    did: str
    name: str
    alias: str | None
    members: tuple[JsonObject, ...]
    lists: dict[str, str]
    """Status list credential URL by purpose."""
    threshold: int = 1
    """How many stewards' proofs its entries and credentials need (m of n)."""
    steward: str | None = None
    """The wallet's steward that signs for it (a threshold community)."""
    mandates: tuple[JsonObject, ...] = ()
    """The moderator mandates it issued (``ssi.wallet.issue_mandate``)."""

    def to_json(self) -> JsonObject:
        """Return the record as JSON."""
        body: JsonObject = {
            "did": self.did,
            "name": self.name,
            "alias": self.alias,
            "statusLists": dict(self.lists),
            "members": [dict(m) for m in self.members],
        }
        if self.mandates:
            body["mandates"] = [dict(m) for m in self.mandates]
        if self.steward is not None:
            body["threshold"] = self.threshold
            body["steward"] = self.steward
        return body


def _urn() -> str:
    return "urn:uuid:" + str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))


def _record(data: JsonObject) -> CommunityRecord:
    return CommunityRecord(
        did=data["did"],
        name=data["name"],
        alias=data.get("alias"),
        members=tuple(data.get("members", [])),
        lists={p: data["lists"][p]["url"] for p in _PURPOSES},
        threshold=int(data.get("threshold", 1)),
        steward=data.get("steward"),
        mandates=tuple(data.get("mandates", [])),
    )


def _sign_lists(
    tx: Transaction, data: JsonObject, purposes: tuple[str, ...], when: datetime | None
) -> None:
    signer = signer_of(tx, data["did"])
    published = data.setdefault("published", {})
    for purpose in purposes:
        state = StatusListState.from_json(data["lists"][purpose])
        unsigned = state.credential(data["did"], valid_from=when or datetime.now(UTC))
        published[purpose] = issue(unsigned, signer)
        if int(data.get("threshold", 1)) == 1:
            # Every version is kept: a tally judges status as of a proposal's
            # times, not by the newest list. A steward's one proof is not a
            # version (the cosigned file is, and stays with the stewards).
            signed = published[purpose]
            tx.put(
                _VERSION_KIND,
                f"{_VERSION_KIND}/{signed['id']}/{object_cid(signed)}",
                {"credential": signed},
            )


def status_list_versions(wallet: Wallet, url: str) -> list[JsonObject]:
    """Return every version the wallet signed of its community's status list
    ``url``, oldest first (by ``validFrom``, then CID); empty for a list it
    does not publish, or one of a community of stewards (each version is the
    file the stewards cosigned).

    Spec: docs/tallies.md (Eligibility)
    """
    found = []
    for _, record in wallet.snapshot().records(_VERSION_KIND):
        credential = record.get("credential")
        if isinstance(credential, dict) and credential.get("id") == url:
            found.append(dict(credential))
    found.sort(key=lambda c: (_signed_at(c), object_cid(c)))
    return found


def _signed_at(credential: JsonObject) -> datetime:
    try:
        return parse_date_time(
            credential.get("validFrom"), require_timezone=True, path="$.validFrom"
        )
    except SSIError:
        return datetime.min.replace(tzinfo=UTC)


def create_community(
    wallet: Wallet,
    name: str,
    *,
    alias: str | None = None,
    status_url: str | None = None,
    when: datetime | None = None,
    steward: str | None = None,
    stewards: Sequence[Steward] = (),
    threshold: int = 1,
) -> CommunityRecord:
    """Create a community: a did:agora DID (with ``alias``), a revocation list
    and a suspension list, signed and ready to publish.

    ``status_url`` is the base URL where the lists will be published
    (``<status_url>/revocation`` and ``<status_url>/suspension``); by default
    each list is named by a ``urn:uuid:`` and travels as a file.

    With ``steward`` (a steward of this wallet, see
    :func:`~ssi.wallet.stewardship.create_steward`), the DID is controlled by
    ``threshold`` of the stewards (``stewards``, packages of the others; the
    wallet's own is added first when missing): its first entry, signed by
    this wallet's steward, is kept in the record as ``entry`` until the other
    stewards cosign it, and the status lists carry this steward's proof only.

    Spec: docs/did-agora.md (4.5 Threshold DIDs)

    Raises:
        InvalidAliasError, RecordConflictError: as ``create_agora_did``.
        RecordNotFoundError: no steward ``steward`` in the wallet.
        ValueError: an empty name, or unusable stewards or threshold.
    """
    if not name.strip():
        raise ValueError("a community needs a name")
    lists: JsonObject = {}
    for purpose in _PURPOSES:
        url = f"{status_url.rstrip('/')}/{purpose}" if status_url else _urn()
        lists[purpose] = StatusListState(url, purpose=purpose).to_json()
    # The DID, its keys, its log and the community: one transaction, one write.
    with wallet.transaction() as tx:
        data: JsonObject
        if steward is None:
            record = create_agora_did_in(tx, alias=alias, when=when)
            data = {
                "did": record.did,
                "name": name,
                "alias": alias,
                "lists": lists,
                "members": [],
            }
        else:
            did, entry = create_threshold_community_entry(
                tx, steward, stewards, threshold=threshold, alias=alias, when=when
            )
            data = {
                "did": did,
                "name": name,
                "alias": alias,
                "lists": lists,
                "members": [],
                "threshold": threshold,
                "steward": steward,
                "entry": entry,
            }
        _sign_lists(tx, data, _PURPOSES, when)
        tx.put(_KIND, f"{_KIND}/{data['did']}", data)
    return _record(data)


def community_entry(wallet: Wallet, reference: str) -> JsonObject:
    """Return the first log entry of a threshold community as this wallet
    signed it (to pass to the other stewards).

    Raises:
        RecordNotFoundError: not a threshold community of this wallet.
    """
    data = _load(wallet.snapshot(), reference)
    if "entry" not in data:
        raise RecordNotFoundError(f"{data['did']} is not a threshold community.")
    return dict(data["entry"])


def _load(tx: Transaction, reference: str) -> JsonObject:
    did = find_did(tx, reference).did
    data = tx.get(_KIND, f"{_KIND}/{did}")
    if data is None:
        raise RecordNotFoundError(
            f"{reference[:80]!r} is not a community of this wallet."
        )
    return data


def community(wallet: Wallet, reference: str) -> CommunityRecord:
    """Return a community by its DID or alias.

    Raises:
        RecordNotFoundError: no such community.
    """
    return _record(_load(wallet.snapshot(), reference))


def admit_member(
    wallet: Wallet,
    reference: str,
    member: str,
    *,
    role: str = "member",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    suite: str = "eddsa-jcs-2022",
) -> JsonObject:
    """Issue a membership credential with revocation and suspension entries,
    store it as issued, and add the member to the roster.

    ``valid_from`` (default now) is when the membership begins.

    Raises:
        RecordNotFoundError: not a community of this wallet.
        MalformedValueError: the member is not a DID or URL.
        InvalidRoleError: the role is empty or white space.
        RecordConflictError: the member already holds a membership that is not
            revoked.
        DIDDeactivatedError: the community's DID is deactivated.
    """
    if not isinstance(role, str) or not role.strip():
        raise InvalidRoleError("a membership needs a role that is not empty.")
    with wallet.transaction() as tx:
        data = _load(tx, reference)
        for existing in data["members"]:
            if existing["member"] == member and existing["status"] != "revoked":
                raise RecordConflictError(
                    f"{member[:80]} is already a member of {data['did']} "
                    f"({existing['credentialId']}, {existing['status']})."
                )
        states = {p: StatusListState.from_json(data["lists"][p]) for p in _PURPOSES}
        credential_id = _urn()
        indexes = {p: states[p].allocate() for p in _PURPOSES}
        entries = [
            states[p].entry(indexes[p], entry_id=f"{credential_id}#{p}")
            for p in _PURPOSES
        ]
        unsigned = membership_credential(
            data["did"],
            member,
            role=role,
            community_name=data["name"],
            credential_id=credential_id,
            valid_from=valid_from,
            valid_until=valid_until,
            status=entries,
        )
        signed = issue(unsigned, signer_of(tx, data["did"]), suite=suite)
        for purpose in _PURPOSES:
            data["lists"][purpose] = states[purpose].to_json()
        data["members"].append(
            {
                "credentialId": credential_id,
                "member": member,
                "role": role,
                "indexes": indexes,
                "status": "active",
                "admitted": now(),
            }
        )
        tx.put(_KIND, f"{_KIND}/{data['did']}", data)
        tx.put(
            "credential",
            "vc/" + credential_id,
            {"credential": signed, "direction": "issued", "stored": now()},
        )
        return signed


def set_member_status(
    wallet: Wallet,
    reference: str,
    credential_id: str,
    action: str,
    *,
    when: datetime | None = None,
) -> JsonObject:
    """Revoke, suspend or reinstate a membership and re-sign the list it changes.

    ``action`` is ``revoke`` (permanent), ``suspend`` or ``reinstate``; the
    re-signed list is valid from ``when`` (default now): a tally takes the
    list in force at a proposal's close. A moderator mandate the community
    issued (:func:`ssi.wallet.issue_mandate`) is found by its credential id
    too, and can only be revoked. Returns the roster entry.

    Raises:
        RecordNotFoundError: no such membership or mandate in the rosters.
        RecordConflictError: it is revoked already (revocation is final),
            reinstating one that is not suspended, or suspending or
            reinstating a mandate.
        ValueError: an unknown action.
    """
    if action not in ("revoke", "suspend", "reinstate"):
        raise ValueError(f"unknown action {action!r}")
    with wallet.transaction() as tx:
        data = _load(tx, reference)
        roster = [*data["members"], *data.get("mandates", [])]
        entry = next((m for m in roster if m["credentialId"] == credential_id), None)
        if entry is None:
            raise RecordNotFoundError(
                f"no membership or mandate {credential_id[:80]!r} in {data['did']}."
            )
        if entry["status"] == "revoked":
            raise RecordConflictError(f"{credential_id} is revoked already.")
        if "moderator" in entry and action != "revoke":
            raise RecordConflictError(
                f"{credential_id} is a moderator mandate: it can be revoked, not "
                "suspended or reinstated."
            )
        if action == "reinstate" and entry["status"] != "suspended":
            raise RecordConflictError(f"{credential_id} is not suspended.")
        purpose = "revocation" if action == "revoke" else "suspension"
        state = StatusListState.from_json(data["lists"][purpose])
        index = entry["indexes"][purpose]
        getattr(state, action)(index)
        data["lists"][purpose] = state.to_json()
        entry["status"] = {"revoke": "revoked", "suspend": "suspended"}.get(
            action, "active"
        )
        _sign_lists(tx, data, (purpose,), when)
        tx.put(_KIND, f"{_KIND}/{data['did']}", data)
        return dict(entry)


def status_list_credentials(wallet: Wallet, reference: str) -> dict[str, JsonObject]:
    """Return the community's current signed status lists, by purpose.

    Raises:
        RecordNotFoundError: not a community of this wallet.
    """
    data = _load(wallet.snapshot(), reference)
    return {p: data["published"][p] for p in _PURPOSES}


def import_status_list(wallet: Wallet, credential: JsonObject) -> str:
    """Keep someone's status list credential so that :class:`WalletStatusSource`
    serves it; a newer copy of the same list replaces the one kept. Returns
    the list's id (its URL). The list is not verified here: a status check
    verifies it when it is used.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential

    Raises:
        MalformedValueError: not a status list credential with an ``id``.
        RecordConflictError: one of the wallet's communities publishes that list.
        RecordTooLargeError: the list is over the record size limit.
    """
    list_id = credential.get("id") if isinstance(credential, dict) else None
    types = credential.get("type", []) if isinstance(credential, dict) else []
    if not isinstance(list_id, str) or not list_id:
        raise MalformedValueError("a status list credential needs an id.")
    if "BitstringStatusListCredential" not in (
        [types] if isinstance(types, str) else types
    ):
        raise MalformedValueError(
            f"{list_id[:80]} is not a BitstringStatusListCredential."
        )
    with wallet.transaction() as tx:
        if _published(tx, list_id) is not None:
            raise RecordConflictError(
                f"the wallet publishes {list_id[:80]} itself; it is not imported."
            )
        tx.put(_LIST_KIND, f"{_LIST_KIND}/{list_id}", {"credential": credential})
    return list_id


def _published(tx: Transaction, url: str) -> JsonObject | None:
    for _, data in tx.records(_KIND):
        for credential in data.get("published", {}).values():
            if isinstance(credential, dict) and credential.get("id") == url:
                return dict(credential)
    return None


class WalletStatusSource:
    """The signed status lists of the wallet's communities, as a status source."""

    def __init__(self, wallet: Wallet) -> None:
        self.wallet = wallet

    def get(self, url: str) -> JsonObject:
        """Return the list credential published at ``url``.

        Raises:
            StatusRetrievalError: no community of the wallet publishes it, and
                no list with that id was imported.
        """
        snapshot = self.wallet.snapshot()
        published = _published(snapshot, url)
        if published is not None:
            return published
        imported = snapshot.get(_LIST_KIND, f"{_LIST_KIND}/{url}")
        if imported is not None and isinstance(imported.get("credential"), dict):
            return dict(imported["credential"])
        raise StatusRetrievalError(f"the wallet publishes no status list {url[:80]}.")
