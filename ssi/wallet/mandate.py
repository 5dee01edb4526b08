"""Moderator mandates issued by a community of the wallet.

A mandate is issued like a membership (:func:`ssi.wallet.admit_member`): it
gets a random, never reused index in the community's revocation list, the
signed credential is stored as issued, and the community record keeps a
roster of its mandates (``mandates``) next to its members. A recall or an
early end revokes it by its credential id with
:func:`ssi.wallet.set_member_status` (``agora community revoke``), which
re-signs the revocation list. A community of stewards signs with this
wallet's steward only; the others cosign the file.

Spec: docs/moderation.md (Mandates)
"""

from __future__ import annotations

from datetime import datetime

from ssi.credentials import issue
from ssi.errors import RecordConflictError
from ssi.social import mandate_credential
from ssi.status import StatusListState
from ssi.types import JsonObject
from ssi.wallet.community import _KIND, _load, _urn
from ssi.wallet.model import now
from ssi.wallet.operations import signer_of
from ssi.wallet.wallet import Wallet

__all__ = ["issue_mandate"]

_PURPOSE = "revocation"


def issue_mandate(
    wallet: Wallet,
    reference: str,
    moderator: str,
    *,
    election: str,
    valid_from: datetime,
    valid_until: datetime,
    suite: str = "eddsa-jcs-2022",
) -> JsonObject:
    """Issue a ``ModeratorMandate`` of the community ``reference`` to
    ``moderator``, elected by the tally ``election``, for the term
    ``valid_from`` to ``valid_until``; store it as issued and add it to the
    community's roster of mandates.

    Nothing here checks the election (``ssi.social.check_mandates`` judges
    the mandate against the tally and the constitution's term).

    Spec: docs/moderation.md (Mandates)

    Raises:
        RecordNotFoundError: not a community of this wallet.
        MalformedValueError: the moderator is not a DID, or the term is
            empty.
        InvalidCIDError: ``election`` is not an object CID.
        RecordConflictError: the moderator already holds a mandate from the
            same election that is not revoked.
        DIDDeactivatedError: the community's DID is deactivated.
        ValueError: a time has no timezone.
    """
    with wallet.transaction() as tx:
        data = _load(tx, reference)
        mandates: list[JsonObject] = data.setdefault("mandates", [])
        for existing in mandates:
            if (
                existing["moderator"] == moderator
                and existing["election"] == election
                and existing["status"] != "revoked"
            ):
                raise RecordConflictError(
                    f"{moderator[:80]} already holds a mandate of this election "
                    f"({existing['credentialId']})."
                )
        state = StatusListState.from_json(data["lists"][_PURPOSE])
        credential_id = _urn()
        index = state.allocate()
        unsigned = mandate_credential(
            data["did"],
            moderator,
            election=election,
            valid_from=valid_from,
            valid_until=valid_until,
            status=[state.entry(index, entry_id=f"{credential_id}#{_PURPOSE}")],
            credential_id=credential_id,
        )
        signed = issue(unsigned, signer_of(tx, data["did"]), suite=suite)
        data["lists"][_PURPOSE] = state.to_json()
        mandates.append(
            {
                "credentialId": credential_id,
                "moderator": moderator,
                "election": election,
                "validFrom": unsigned["validFrom"],
                "validUntil": unsigned["validUntil"],
                "indexes": {_PURPOSE: index},
                "status": "active",
                "issued": now(),
            }
        )
        tx.put(_KIND, f"{_KIND}/{data['did']}", data)
        tx.put(
            "credential",
            "vc/" + credential_id,
            {"credential": signed, "direction": "issued", "stored": now()},
        )
        return signed
