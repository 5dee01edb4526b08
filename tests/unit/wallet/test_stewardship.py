"""Stewards in separate wallets create a 2-of-3 community and sign its
credentials, through the library (the CLI tests run the same flow)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from ssi.agora import AgoraMethod, create_threshold_entry, steward_document
from ssi.credentials import Verifier
from ssi.did.methods import KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.errors import MalformedValueError, RecordConflictError, RecordNotFoundError
from ssi.wallet import (
    WalletLogSource,
    admit_member,
    community,
    community_entry,
    cosign_credential,
    cosign_entry,
    create_community,
    create_steward,
    import_agora_log,
    steward,
    stewards,
)
from ssi.wallet.stewardship import community_threshold
from tests.unit.wallet.helpers import new_wallet


@pytest.fixture
def three(tmp_path: Path):
    wallets = {name: new_wallet(tmp_path / name) for name in ("ada", "bob", "cy")}
    for name, wallet in wallets.items():
        create_steward(wallet, name)
    return wallets


def _create(three):
    packages = [steward(three[n], n).package for n in ("bob", "cy")]
    record = create_community(
        three["ada"], "Engines", alias="engines", steward="ada",
        stewards=packages, threshold=2,
    )  # fmt: skip
    return record, community_entry(three["ada"], record.did)


def test_a_steward_is_made_once(three):
    with pytest.raises(RecordConflictError):
        create_steward(three["ada"], "ada")
    assert [s.name for s in stewards(three["ada"])] == ["ada"]
    with pytest.raises(RecordNotFoundError):
        steward(three["ada"], "bob")


def test_the_entry_completes_in_the_second_stewards_wallet(three):
    record, entry = _create(three)
    assert record.threshold == 2
    assert record.to_json()["steward"] == "ada"
    assert community_threshold(three["ada"], record.did) is None  # 1 of 2
    signed, did, complete = cosign_entry(three["bob"], entry, "bob")
    assert (did, complete) == (record.did, True)
    assert community_threshold(three["bob"], did) == 2
    # Cosigning the entry again in a wallet that holds a longer log keeps it.
    again, _, complete = cosign_entry(three["bob"], signed, "bob")
    assert complete
    assert again == signed


def test_memberships_need_two_steward_proofs(three):
    _, entry = _create(three)
    signed, _, _ = cosign_entry(three["cy"], entry, "cy")
    membership = admit_member(three["ada"], "engines", "did:example:ada")
    del membership["credentialStatus"]  # status lists are tested in the CLI
    membership.pop("proof")
    first = cosign_credential(three["cy"], membership, "cy")
    resolver = Resolver(
        MethodRegistry([KeyMethod(), AgoraMethod([WalletLogSource(three["cy"])])]),
        cache_ttl=0,
    )
    verifier = Verifier(resolver=resolver)
    assert not verifier.verify(first).verified
    # bob joins from the log he imports.
    import_agora_log(three["bob"], [signed])
    second = cosign_credential(three["bob"], first, "bob")
    assert verifier.verify(second).verified
    assert community(three["ada"], "engines").members[0]["member"] == (
        "did:example:ada"
    )


def test_cosign_refuses_what_it_cannot_sign(three):
    _, entry = _create(three)
    outsider = new_wallet(three["ada"].home.parent / "dan")
    create_steward(outsider, "dan")
    with pytest.raises(MalformedValueError):
        cosign_entry(outsider, entry, "dan")
    with pytest.raises(MalformedValueError):
        cosign_entry(outsider, {"not": "an entry"}, "dan")
    later = copy.deepcopy(entry)
    later["version"] = 2
    with pytest.raises(MalformedValueError):
        cosign_entry(outsider, later, "dan")
    with pytest.raises(RecordNotFoundError):
        cosign_credential(outsider, {"issuer": "did:agora:zX"}, "dan")
    with pytest.raises(MalformedValueError):
        cosign_credential(outsider, [], "dan")  # type: ignore[arg-type]


def test_create_refuses_unusable_thresholds(three):
    with pytest.raises(ValueError, match="threshold"):
        create_community(three["ada"], "X", steward="ada", threshold=2)
    with pytest.raises(ValueError, match="share"):
        create_threshold_entry([steward(three["ada"], "ada").package] * 2, threshold=1)
    with pytest.raises(ValueError, match="at least one"):
        create_threshold_entry([], threshold=1)
    assert steward_document([])["assertionMethod"] == []
