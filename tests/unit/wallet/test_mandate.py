"""Moderator mandates issued from the wallet: a revocation index in the
community's list, the credential stored as issued, a roster of mandates,
and revocation by credential id as for memberships."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import ssi
from ssi.agora import AgoraMethod
from ssi.cid import object_cid
from ssi.did.methods import KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.errors import (
    InvalidCIDError,
    MalformedValueError,
    RecordConflictError,
    RecordNotFoundError,
)
from ssi.social import read_mandate
from ssi.status import BitstringStatusChecker
from ssi.wallet import (
    KDFParams,
    Wallet,
    WalletLogSource,
    WalletStatusSource,
    admit_member,
    community,
    create_community,
    issue_mandate,
    set_member_status,
    status_list_versions,
)

# The wallet signs at the system clock's time; the term spans it.
START = datetime(2020, 1, 1, tzinfo=UTC)
END = datetime(2200, 1, 1, tzinfo=UTC)
ELECTION = object_cid({"an election tally": 1})
MONA = "did:example:mona"


@pytest.fixture
def wallet(tmp_path):
    wallet = Wallet.create(
        tmp_path / "w", "a test passphrase", kdf=KDFParams.profile("test")
    )
    create_community(wallet, "Engines", alias="engines")
    return wallet


def verified(wallet, document):
    resolver = Resolver(
        MethodRegistry([KeyMethod(), AgoraMethod([WalletLogSource(wallet)])])
    )
    checker = BitstringStatusChecker(WalletStatusSource(wallet))
    return ssi.verify(document, resolver=resolver, status=checker)


def issue(wallet, moderator=MONA, **changes):
    options = {"election": ELECTION, "valid_from": START, "valid_until": END}
    options.update(changes)
    return issue_mandate(wallet, "engines", moderator, **options)


def test_a_mandate_is_issued_stored_and_kept_in_the_roster(wallet):
    signed = issue(wallet)
    record = community(wallet, "engines")
    mandate = read_mandate(signed)
    assert (mandate.community, mandate.moderator) == (record.did, MONA)
    assert (mandate.election, mandate.valid_from, mandate.valid_until) == (
        ELECTION,
        START,
        END,
    )
    assert mandate.credential_id == signed["id"]
    (entry,) = mandate.status
    assert entry is not None
    assert (entry.purpose, entry.list_credential) == (
        "revocation",
        record.lists["revocation"],
    )
    assert wallet.credential(signed["id"]).direction == "issued"
    (row,) = record.mandates
    assert row["credentialId"] == signed["id"]
    assert (row["moderator"], row["election"], row["status"]) == (
        MONA,
        ELECTION,
        "active",
    )
    assert row["indexes"] == {"revocation": entry.index}
    assert record.to_json()["mandates"] == [row]
    assert record.members == ()
    assert verified(wallet, signed).verified


def test_mandates_and_memberships_never_share_an_index(wallet):
    member = admit_member(wallet, "engines", "did:example:ada", valid_from=START)
    mandates = [issue(wallet, f"did:example:m{i}") for i in range(5)]
    record = community(wallet, "engines")
    used = [row["indexes"]["revocation"] for row in record.mandates]
    used.append(record.members[0]["indexes"]["revocation"])
    assert len(set(used)) == 6
    assert read_mandate(mandates[0]).moderator == "did:example:m0"
    assert member["credentialSubject"]["id"] == "did:example:ada"


def test_a_mandate_is_revoked_by_its_credential_id(wallet):
    signed = issue(wallet)
    url = community(wallet, "engines").lists["revocation"]
    before = status_list_versions(wallet, url)
    row = set_member_status(wallet, "engines", signed["id"], "revoke")
    assert (row["status"], row["moderator"]) == ("revoked", MONA)
    report = verified(wallet, signed)
    assert [p.error.code for p in report.problems] == ["revoked"]
    assert len(status_list_versions(wallet, url)) == len(before) + 1
    assert community(wallet, "engines").mandates[0]["status"] == "revoked"
    with pytest.raises(RecordConflictError, match="revoked already"):
        set_member_status(wallet, "engines", signed["id"], "revoke")


@pytest.mark.parametrize("action", ["suspend", "reinstate"])
def test_a_mandate_is_only_revoked(wallet, action):
    signed = issue(wallet)
    with pytest.raises(RecordConflictError, match="mandate"):
        set_member_status(wallet, "engines", signed["id"], action)


def test_one_mandate_per_moderator_and_election_until_revoked(wallet):
    first = issue(wallet)
    with pytest.raises(RecordConflictError, match="already holds"):
        issue(wallet)
    other = object_cid({"another election": 1})
    issue(wallet, election=other)
    set_member_status(wallet, "engines", first["id"], "revoke")
    again = issue(wallet)
    assert again["id"] != first["id"]
    assert len(community(wallet, "engines").mandates) == 3


def test_bad_arguments_are_refused_and_nothing_is_stored(wallet):
    with pytest.raises(InvalidCIDError):
        issue(wallet, election="not a cid")
    with pytest.raises(MalformedValueError, match="validUntil"):
        issue(wallet, valid_until=START)
    with pytest.raises(MalformedValueError, match=r"credentialSubject\.id"):
        issue(wallet, "mona")
    with pytest.raises(RecordNotFoundError):
        issue_mandate(
            wallet,
            "nowhere",
            MONA,
            election=ELECTION,
            valid_from=START,
            valid_until=END,
        )
    assert community(wallet, "engines").mandates == ()


def test_the_rdfc_suite_can_be_chosen(wallet):
    signed = issue(wallet, suite="eddsa-rdfc-2022")
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert verified(wallet, signed).verified
