"""did:agora DIDs and communities kept by the wallet, in process: every
operation, the sources it offers to resolution and status checking, and the
refusals."""

# Test passphrases are not secrets.

from __future__ import annotations

import copy
import shutil

import pytest

import resolver
import ssi
from ssi.agora import AgoraMethod, FileLogSource
from ssi.did.methods import KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.errors import (
    DuplicityError,
    RecordConflictError,
    RecordNotFoundError,
    StatusRetrievalError,
)
from ssi.status import BitstringStatusChecker
from ssi.wallet import (
    KDFParams,
    Wallet,
    WalletLogSource,
    WalletStatusSource,
    admit_member,
    agora_log,
    community,
    create_agora_did,
    create_community,
    deactivate_agora_did,
    import_agora_log,
    rotate_agora_did,
    set_member_status,
    status_list_credentials,
    update_agora_did,
)


@pytest.fixture
def wallet(tmp_path):
    return Wallet.create(
        tmp_path / "w", "a test passphrase", kdf=KDFParams.profile("test")
    )


def resolver_for(wallet):
    return Resolver(
        MethodRegistry([KeyMethod(), AgoraMethod([WalletLogSource(wallet)])])
    )


def credential(issuer):
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "credentialSubject": {"id": "did:example:subject"},
    }


def test_agora_did_lifecycle(wallet, tmp_path):
    record = create_agora_did(
        wallet,
        alias="me",
        services=[
            {"id": "#hub", "type": "AgoraHub", "serviceEndpoint": "https://h.example"}
        ],
    )
    assert record.method == "agora"
    assert wallet.did("me").verification_method == record.did + "#key-1"
    res = resolver_for(wallet)
    first = ssi.issue(credential(record.did), wallet.signer("me"))
    assert ssi.verify(first, resolver=res).verified

    log = update_agora_did(
        wallet,
        "me",
        add_services=[
            {"id": "#feed", "type": "AgoraHub", "serviceEndpoint": "https://f.example"}
        ],
        remove_services=["hub"],
        add_key=True,
    )
    assert log.latest.version == 2
    document = res.resolve(record.did).did_document
    assert [s.id for s in document.service] == [record.did + "#feed"]
    assert [m.id.rsplit("#")[1] for m in document.verification_method] == [
        "key-1",
        "agreement-1",
        "key-2",
    ]
    with pytest.raises(RecordNotFoundError):
        update_agora_did(wallet, "me", remove_services=["nope"])
    with pytest.raises(RecordConflictError):
        update_agora_did(
            wallet,
            "me",
            add_services=[
                {"id": "#feed", "type": "X", "serviceEndpoint": "https://x.example"}
            ],
        )

    rotated = rotate_agora_did(wallet, "me")
    assert rotated.latest.version == 3
    assert wallet.did("me").verification_method == record.did + "#key-3"
    report = ssi.verify(first, resolver=res)
    assert report.verified
    assert report.warnings
    second = ssi.issue(credential(record.did), wallet.signer("me"))
    assert ssi.verify(second, resolver=res).verified

    marked = rotate_agora_did(wallet, "me", compromised=["#key-1"])
    assert len(marked.compromised) == 1
    assert not ssi.verify(first, resolver=res).verified
    with pytest.raises(RecordNotFoundError):
        rotate_agora_did(wallet, "me", compromised=["#key-99"])

    entries = agora_log(wallet, "me")
    assert entries == agora_log(wallet, record.did)
    assert [e["version"] for e in entries] == [1, 2, 3, 4]
    log_file = tmp_path / "me.jsonl"
    log_file.write_text("".join(ssi.agora.log.json.dumps(e) + "\n" for e in entries))
    outsider = Resolver(MethodRegistry([AgoraMethod([FileLogSource(log_file)])]))
    assert outsider.resolve(record.did).did_document_metadata["versionId"] == "4"

    gone = deactivate_agora_did(wallet, "me")
    assert gone.latest.deactivated
    assert res.resolve(record.did).did_document_metadata["deactivated"] is True
    with pytest.raises(RecordConflictError, match="deactivated"):
        rotate_agora_did(wallet, "me")


def test_importing_logs(wallet, tmp_path):
    other = Wallet.create(
        tmp_path / "other", "a test passphrase", kdf=KDFParams.profile("test")
    )
    theirs = create_agora_did(other, alias="them")
    imported = import_agora_log(wallet, agora_log(other, "them"))
    assert imported.did == theirs.did
    assert resolver_for(wallet).resolve(theirs.did).ok
    update_agora_did(
        other,
        "them",
        add_services=[
            {"id": "#x", "type": "AgoraHub", "serviceEndpoint": "https://x.example"}
        ],
    )
    longer = import_agora_log(wallet, agora_log(other, "them"))
    assert longer.latest.version == 2
    # A shorter log changes nothing: the wallet keeps (and returns) its own.
    assert import_agora_log(wallet, agora_log(other, "them")[:1]).latest.version == 2
    assert agora_log(wallet, theirs.did)[-1]["version"] == 2
    with pytest.raises(RecordNotFoundError):
        update_agora_did(wallet, theirs.did, add_key=True)  # not ours: no keys
    with pytest.raises(RecordNotFoundError):
        agora_log(wallet, "did:agora:zNothing")


def _service(name):
    return {
        "id": f"#{name}",
        "type": "AgoraHub",
        "serviceEndpoint": "https://x.example",
    }


def test_importing_a_log_reads_it_as_resolution_does(wallet, tmp_path):
    # Copies of an entry (equal objects) count once, as in resolution; a log
    # that forks into two valid branches is duplicity, not invalidLogVersion.
    home = tmp_path / "other"
    other = Wallet.create(home, "a test passphrase", kdf=KDFParams.profile("test"))
    theirs = create_agora_did(other, alias="them")
    shutil.copytree(home, tmp_path / "twin")
    twin = Wallet.open(tmp_path / "twin", "a test passphrase")
    update_agora_did(other, "them", add_services=[_service("a")])
    update_agora_did(twin, "them", add_services=[_service("b")])
    log = agora_log(other, "them")

    copied = import_agora_log(wallet, [log[0], copy.deepcopy(log[0]), *log[1:]])
    assert copied.did == theirs.did
    assert copied.latest.version == 2
    forked = [*log, agora_log(twin, "them")[1]]
    fresh = Wallet.create(
        tmp_path / "fresh", "a test passphrase", kdf=KDFParams.profile("test")
    )
    with pytest.raises(DuplicityError):
        import_agora_log(fresh, forked)
    assert fresh.records("agora") == []


def test_only_agora_dids_can_be_updated(wallet):
    wallet.create_did(alias="plain")
    with pytest.raises(RecordNotFoundError):
        rotate_agora_did(wallet, "plain")


def test_community_lifecycle(wallet):
    created = create_community(wallet, "Engines", alias="engines")
    assert created.did.startswith("did:agora:")
    assert set(created.lists) == {"revocation", "suspension"}
    with pytest.raises(ValueError, match="name"):
        create_community(wallet, "  ")
    ada = admit_member(wallet, "engines", "did:example:ada", role="moderator")
    bob = admit_member(wallet, "engines", "did:example:bob")
    assert len(ada["credentialStatus"]) == 2
    assert wallet.credential(ada["id"]).direction == "issued"
    roster = community(wallet, "engines")
    assert [m["member"] for m in roster.members] == [
        "did:example:ada",
        "did:example:bob",
    ]
    assert roster.to_json()["statusLists"] == roster.lists

    res = resolver_for(wallet)

    def verified(document):
        checker = BitstringStatusChecker(WalletStatusSource(wallet))
        return ssi.verify(document, resolver=res, status=checker)

    assert verified(ada).verified
    assert (
        set_member_status(wallet, "engines", bob["id"], "revoke")["status"] == "revoked"
    )
    report = verified(bob)
    assert not report.verified
    assert report.problems[0].error.code == "revoked"
    with pytest.raises(RecordConflictError):
        set_member_status(wallet, "engines", bob["id"], "reinstate")
    with pytest.raises(RecordConflictError):
        set_member_status(wallet, "engines", ada["id"], "reinstate")
    set_member_status(wallet, "engines", ada["id"], "suspend")
    assert verified(ada).problems[0].error.code == "suspended"
    set_member_status(wallet, "engines", ada["id"], "reinstate")
    assert verified(ada).verified
    with pytest.raises(RecordNotFoundError):
        set_member_status(wallet, "engines", "urn:uuid:none", "revoke")
    with pytest.raises(ValueError, match="action"):
        set_member_status(wallet, "engines", ada["id"], "delete")

    lists = status_list_credentials(wallet, "engines")
    assert set(lists) == {"revocation", "suspension"}
    assert lists["revocation"]["id"] == roster.lists["revocation"]
    with pytest.raises(StatusRetrievalError):
        WalletStatusSource(wallet).get("urn:uuid:unknown")
    with pytest.raises(RecordNotFoundError):
        community(wallet, wallet.create_did(alias="x").did)
    with pytest.raises(RecordNotFoundError):
        status_list_credentials(wallet, "x")


def test_status_url_names_the_lists(wallet):
    created = create_community(
        wallet, "Hubbed", status_url="https://hub.example/status/"
    )
    assert created.lists == {
        "revocation": "https://hub.example/status/revocation",
        "suspension": "https://hub.example/status/suspension",
    }


def test_the_resolver_package_re_exports_the_library():
    assert resolver.resolve is ssi.resolve
    assert resolver.Resolver is Resolver
    key = ssi.generate_key("Ed25519")
    assert resolver.resolve(ssi.did_key(key)).ok


def test_every_signed_version_of_a_status_list_is_kept(wallet):
    from datetime import UTC, datetime

    from ssi.wallet import status_list_versions

    created = create_community(wallet, "Engines", alias="engines")
    ada = admit_member(
        wallet,
        "engines",
        "did:example:ada",
        valid_from=datetime(2030, 1, 1, tzinfo=UTC),
    )
    assert ada["validFrom"] == "2030-01-01T00:00:00Z"
    url = created.lists["revocation"]
    first = status_list_versions(wallet, url)
    assert [c["id"] for c in first] == [url]
    set_member_status(
        wallet, "engines", ada["id"], "revoke", when=datetime(2031, 1, 1, tzinfo=UTC)
    )
    versions = status_list_versions(wallet, url)
    assert len(versions) == 2
    assert versions[0] == first[0]
    assert versions[1]["validFrom"] == "2031-01-01T00:00:00Z"
    assert versions[1] == status_list_credentials(wallet, "engines")["revocation"]
    assert status_list_versions(wallet, "urn:uuid:not-ours") == []
