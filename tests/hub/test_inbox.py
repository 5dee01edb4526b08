"""The hub's inboxes (hub.inbox, hub.mailbox, hub.client): delivery of
opaque encrypted messages, DID authentication (each refusal with its own
code), nobody but the DID reads its inbox, the database holds ciphertext
only, caps, rate limit and quotas; on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from jwcrypto import jwe, jwk

import ssi
from hub.app import create_app
from hub.client import InboxSession, deliver
from hub.didauth import CHALLENGE_SECONDS, TOKEN_SECONDS
from hub.inbox import ENCRYPTED_MEDIA_TYPE
from hub.limits import TokenBuckets
from hub.mailbox import FORGET_AFTER, INBOX_SUFFIX, SQLiteMailbox, open_mailbox
from hub.settings import HubSettings
from hub.state import HubState
from ssi.credentials import Verifier
from ssi.did.methods import KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.encoding import encode_base64url
from ssi.errors import InboxError, ProofGenerationError
from ssi.keys import Ed25519KeyPair, LocalKeyAgreer, LocalSigner
from ssi.messaging import (
    Message,
    default_resolver,
    key_agreement_keys,
    pack_authcrypt,
    unpack,
)
from ssi.store import open_store
from tests.hub.conftest import start_hub
from tests.pg import fresh_schema
from tests.unit.bundle.corpus import agora_identity
from tests.unit.proofs.doubles import StaticMethod, did_document

PROBLEM = "application/problem+json"
ORIGIN = "http://testserver"
SECRET = b"meet me at the old mill at nine - plaintext marker 7f3c"

ALICE_KEY = Ed25519KeyPair.from_seed(bytes([41]) * 32)
BOB_KEY = Ed25519KeyPair.from_seed(bytes([42]) * 32)
ALICE = ssi.did_key(ALICE_KEY)
BOB = ssi.did_key(BOB_KEY)
ALICE_SIGNER = ssi.signer(ALICE_KEY)
BOB_SIGNER = ssi.signer(BOB_KEY)
RECIPIENT_KEY = jwk.JWK.generate(kty="OKP", crv="X25519")


def packed(plaintext: bytes = SECRET, *, recipients: int = 1) -> bytes:
    """A JWE in general JSON serialization (ECDH-ES+A256KW, A256CBC-HS512)."""
    message = jwe.JWE(
        plaintext,
        protected={
            "alg": "ECDH-ES+A256KW",
            "enc": "A256CBC-HS512",
            "typ": ENCRYPTED_MEDIA_TYPE,
        },
    )
    for number in range(recipients):
        message.add_recipient(RECIPIENT_KEY, header={"kid": f"{ALICE}#x{number}"})
    value = json.loads(message.serialize())
    if "recipients" not in value:  # jwcrypto flattens one recipient
        header, key = value.pop("header"), value.pop("encrypted_key")
        value["recipients"] = [{"header": header, "encrypted_key": key}]
    return json.dumps(value).encode()


def decrypt(body: bytes) -> bytes:
    message = jwe.JWE()
    message.deserialize(body.decode(), key=RECIPIENT_KEY)
    return bytes(message.payload)


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgres":
        with fresh_schema() as schema:
            yield schema.location
        return
    yield f"sqlite:///{tmp_path / 'hub.sqlite'}"


def make_client(db: str, **settings: Any) -> TestClient:
    options: dict[str, Any] = {"rate": 10_000, "inbox_rate": 10_000, **settings}
    return TestClient(create_app(HubSettings(db=db, **options)))


@pytest.fixture
def client(db: str) -> Iterator[TestClient]:
    with make_client(db) as client:
        yield client


def is_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["detail"]
    return body


def post_message(client: TestClient, did: str, body: bytes | None = None) -> Any:
    return client.post(
        f"/inbox/{did}",
        content=packed() if body is None else body,
        headers={"Content-Type": ENCRYPTED_MEDIA_TYPE},
    )


def answer(
    client: TestClient,
    did: str,
    signer: LocalSigner,
    *,
    domain: str = ORIGIN,
    challenge: str | None = None,
    holder: str | None = None,
) -> str:
    """A DIDAuth header: a presentation by ``signer`` answering a challenge
    of ``did``'s inbox (or the one given)."""
    if challenge is None:
        response = client.post(f"/inbox/{did}/challenge")
        assert response.status_code == 200
        challenge = response.json()["challenge"]
    presentation = ssi.present(
        [], signer, challenge=challenge, domain=domain, holder=holder
    )
    return "DIDAuth " + encode_base64url(json.dumps(presentation).encode())


def auth(header: str) -> dict[str, str]:
    return {"Authorization": header}


def test_the_owner_lists_reads_and_deletes(client: TestClient) -> None:
    issued = client.post(f"/inbox/{ALICE}/challenge").json()
    assert issued["domain"] == ORIGIN
    assert len(issued["challenge"]) >= 43
    assert issued["expires"].endswith("Z")
    body = packed()
    first = post_message(client, ALICE, body)
    assert first.status_code == 202
    delivered = first.json()
    assert delivered["size"] == len(body)
    listing = client.get(
        f"/inbox/{ALICE}", headers=auth(answer(client, ALICE, ALICE_SIGNER))
    )
    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()["items"]] == [delivered["id"]]
    assert listing.json()["items"][0]["received"].endswith("Z")
    read = client.get(
        f"/inbox/{ALICE}/{delivered['id']}",
        headers=auth(answer(client, ALICE, ALICE_SIGNER)),
    )
    assert read.status_code == 200
    assert read.headers["content-type"] == ENCRYPTED_MEDIA_TYPE
    assert decrypt(read.content) == SECRET
    gone = client.delete(
        f"/inbox/{ALICE}/{delivered['id']}",
        headers=auth(answer(client, ALICE, ALICE_SIGNER)),
    )
    assert gone.status_code == 204
    again = client.get(
        f"/inbox/{ALICE}/{delivered['id']}",
        headers=auth(answer(client, ALICE, ALICE_SIGNER)),
    )
    is_problem(again, 404, "messageNotFound")
    empty = client.get(
        f"/inbox/{ALICE}", headers=auth(answer(client, ALICE, ALICE_SIGNER))
    )
    assert empty.json() == {"items": [], "cursor": None, "more": False}


def test_a_second_did_cannot_list_read_or_delete(client: TestClient) -> None:
    delivered = post_message(client, ALICE).json()
    path, message = f"/inbox/{ALICE}", f"/inbox/{ALICE}/{delivered['id']}"
    missing = f"/inbox/{ALICE}/AAAAAAAAAAAAAAAAAAAAAA"
    # Bob answers a challenge of Alice's inbox as himself.
    for method, url in (("GET", path), ("GET", message), ("DELETE", message)):
        header = answer(client, ALICE, BOB_SIGNER)
        refused = client.request(method, url, headers=auth(header))
        is_problem(refused, 401, "wrongHolder")
        assert "DIDAuth" in refused.headers["www-authenticate"]
    # Bob's own bearer token, presented at Alice's inbox.
    token = client.post(
        f"/inbox/{BOB}/token", headers=auth(answer(client, BOB, BOB_SIGNER))
    )
    bearer = {"Authorization": "Bearer " + token.json()["token"]}
    answers = [
        client.request(method, url, headers=bearer)
        for method, url in (("GET", path), ("GET", message), ("DELETE", message))
    ]
    for refused in answers:
        is_problem(refused, 403, "notYourInbox")
    # Without authentication: 401, the same whether the message exists or not.
    for url in (message, missing):
        is_problem(client.get(url), 401, "authenticationRequired")
        is_problem(client.delete(url), 401, "authenticationRequired")
    assert client.get(message).json()["detail"] == client.get(missing).json()["detail"]
    # Bob's own inbox is empty; Alice's message is still there.
    own = client.get(f"/inbox/{BOB}", headers=bearer)
    assert own.json()["items"] == []
    kept = client.get(message, headers=auth(answer(client, ALICE, ALICE_SIGNER)))
    assert decrypt(kept.content) == SECRET


def test_replayed_expired_wrong_domain_and_wrong_did_each_have_their_code(
    client: TestClient,
) -> None:
    path = f"/inbox/{ALICE}"
    header = answer(client, ALICE, ALICE_SIGNER)
    assert client.get(path, headers=auth(header)).status_code == 200
    is_problem(client.get(path, headers=auth(header)), 401, "challengeReplayed")

    late = answer(client, ALICE, ALICE_SIGNER)
    clock = time.time
    client.app.state.inbox_clock = lambda: clock() + CHALLENGE_SECONDS + 1  # type: ignore[attr-defined]
    is_problem(client.get(path, headers=auth(late)), 401, "challengeExpired")
    del client.app.state.inbox_clock  # type: ignore[attr-defined]

    elsewhere = answer(client, ALICE, ALICE_SIGNER, domain="https://other-hub.example")
    is_problem(client.get(path, headers=auth(elsewhere)), 401, "wrongDomain")

    bobs = answer(client, ALICE, BOB_SIGNER)
    is_problem(client.get(path, headers=auth(bobs)), 401, "wrongHolder")

    issued_for_bob = client.post(f"/inbox/{BOB}/challenge").json()["challenge"]
    crossed = answer(client, ALICE, ALICE_SIGNER, challenge=issued_for_bob)
    is_problem(client.get(path, headers=auth(crossed)), 401, "unknownChallenge")
    made_up = answer(client, ALICE, ALICE_SIGNER, challenge="never-issued")
    is_problem(client.get(path, headers=auth(made_up)), 401, "unknownChallenge")

    is_problem(
        client.get(path, headers=auth("DIDAuth not-a-presentation!")),
        401,
        "invalidPresentation",
    )
    # A presentation changed after signing does not verify (the challenge is
    # then still unused: the owner's own answer goes through).
    issued = client.post(f"/inbox/{ALICE}/challenge").json()["challenge"]
    presentation = ssi.present([], ALICE_SIGNER, challenge=issued, domain=ORIGIN)
    presentation["id"] = "urn:uuid:changed"
    tampered = "DIDAuth " + encode_base64url(json.dumps(presentation).encode())
    is_problem(client.get(path, headers=auth(tampered)), 401, "invalidPresentation")
    honest = answer(client, ALICE, ALICE_SIGNER, challenge=issued)
    assert client.get(path, headers=auth(honest)).status_code == 200

    is_problem(
        client.get(path, headers={"Authorization": "Bearer nothing"}),
        401,
        "invalidToken",
    )
    is_problem(
        client.get(path, headers={"Authorization": "Basic eDp5"}),
        401,
        "authenticationRequired",
    )


def test_a_key_not_in_authentication_is_refused(tmp_path: Path) -> None:
    did = "did:test:carol"
    signing, asserting = (
        Ed25519KeyPair.from_seed(bytes([43]) * 32),
        Ed25519KeyPair.from_seed(bytes([44]) * 32),
    )
    document = did_document(
        did,
        {"auth": signing, "assert": asserting},
        authentication=["auth"],
        assertionMethod=["assert"],
    )
    settings = HubSettings(
        db=f"sqlite:///{tmp_path / 'hub.sqlite'}", rate=10_000, inbox_rate=10_000
    )
    methods = MethodRegistry([KeyMethod(), StaticMethod({did: document})])
    state = HubState(
        settings, open_store(settings.db), Verifier(resolver=Resolver(methods))
    )
    try:
        with TestClient(create_app(settings, state=state)) as client:
            path = f"/inbox/{did}"
            wrong = answer(client, did, LocalSigner(asserting, f"{did}#assert"))
            is_problem(client.get(path, headers=auth(wrong)), 401, "keyNotAuthorized")
            right = answer(client, did, LocalSigner(signing, f"{did}#auth"))
            assert client.get(path, headers=auth(right)).status_code == 200
            unknown = "did:test:nobody"
            stranger = answer(client, unknown, LocalSigner(signing, f"{unknown}#auth"))
            is_problem(
                client.get(f"/inbox/{unknown}", headers=auth(stranger)),
                401,
                "unresolvableDid",
            )
    finally:
        state.close()


def test_bearer_tokens_expire_and_are_not_made_from_tokens(client: TestClient) -> None:
    token = client.post(
        f"/inbox/{ALICE}/token", headers=auth(answer(client, ALICE, ALICE_SIGNER))
    )
    assert token.status_code == 200
    assert token.json()["tokenType"] == "Bearer"
    bearer = {"Authorization": "Bearer " + token.json()["token"]}
    assert client.get(f"/inbox/{ALICE}", headers=bearer).status_code == 200
    assert client.get(f"/inbox/{ALICE}", headers=bearer).status_code == 200
    is_problem(
        client.post(f"/inbox/{ALICE}/token", headers=bearer),
        401,
        "authenticationRequired",
    )
    clock = time.time
    client.app.state.inbox_clock = lambda: clock() + TOKEN_SECONDS + 1  # type: ignore[attr-defined]
    is_problem(client.get(f"/inbox/{ALICE}", headers=bearer), 401, "invalidToken")


def test_the_database_holds_only_ciphertext(db: str, tmp_path: Path) -> None:
    with make_client(db) as client:
        body = packed()
        delivered = post_message(client, ALICE, body)
        assert delivered.status_code == 202
        state = client.app.state.hub  # type: ignore[attr-defined]
    ciphertext = json.loads(body)["ciphertext"].encode()
    if db.startswith("sqlite"):
        files = [
            path for path in tmp_path.iterdir() if path.name.startswith("hub.sqlite")
        ]
        assert any(path.name.endswith(INBOX_SUFFIX) for path in files)
        contents = b"".join(path.read_bytes() for path in files)
    else:
        url, _, schema = db.partition("?schema=")
        with psycopg.connect(url) as connection:
            rows = connection.execute(
                f"SELECT did, body FROM {schema}.inbox_messages"  # noqa: S608 - a test's own schema
            ).fetchall()
        assert [row[0] for row in rows] == [ALICE]
        contents = b"".join(bytes(row[1]) for row in rows)
    assert ciphertext in contents  # the scan sees what was stored...
    assert SECRET not in contents  # ...and no plaintext is among it
    assert state.mailbox is not None


def test_caps_media_type_shape_and_did(db: str) -> None:
    with make_client(db, inbox_max_message_bytes=2000, max_body_bytes=8000) as client:
        big = packed(b"x" * 3000)
        is_problem(post_message(client, ALICE, big), 413, "messageTooLarge")
        huge = packed(b"x" * 9000)
        is_problem(post_message(client, ALICE, huge), 413, "bodyTooLarge")
        wrong_type = client.post(
            f"/inbox/{ALICE}",
            content=packed(),
            headers={"Content-Type": "application/json"},
        )
        is_problem(wrong_type, 415, "unsupportedMediaType")
        flattened = json.loads(packed())
        only = flattened.pop("recipients")[0]
        flattened.update(only)
        is_problem(
            post_message(client, ALICE, json.dumps(flattened).encode()),
            400,
            "invalidMessage",
        )
        no_recipients = {**json.loads(packed()), "recipients": []}
        is_problem(
            post_message(client, ALICE, json.dumps(no_recipients).encode()),
            400,
            "invalidMessage",
        )
        is_problem(post_message(client, ALICE, b"{not json"), 400, "invalidMessage")
        is_problem(
            post_message(client, ALICE, json.dumps({"plain": "text"}).encode()),
            400,
            "invalidMessage",
        )
        is_problem(post_message(client, "not-a-did"), 400, "invalidDid")
        assert post_message(client, ALICE, packed(recipients=3)).status_code == 202


def test_deliveries_are_rate_limited_per_client(db: str) -> None:
    with make_client(db, inbox_rate=1.0) as client:
        client.app.state.inbox_buckets = TokenBuckets(1.0, 2.0, clock=lambda: 0.0)  # type: ignore[attr-defined]
        assert post_message(client, ALICE).status_code == 202
        assert post_message(client, BOB).status_code == 202
        refused = is_problem(post_message(client, ALICE), 429, "tooManyRequests")
        assert refused["retryAfter"] == 1
        assert client.post(f"/inbox/{ALICE}/challenge").status_code == 429


def test_quota_by_count_and_by_bytes(db: str) -> None:
    size = len(packed())
    with make_client(db, inbox_max_messages=2, inbox_max_bytes=10 * size) as client:
        first = post_message(client, ALICE).json()
        assert post_message(client, ALICE).status_code == 202
        is_problem(post_message(client, ALICE), 507, "inboxFull")
        assert post_message(client, BOB).status_code == 202  # Bob's inbox is his own
        deleted = client.delete(
            f"/inbox/{ALICE}/{first['id']}",
            headers=auth(answer(client, ALICE, ALICE_SIGNER)),
        )
        assert deleted.status_code == 204
        assert post_message(client, ALICE).status_code == 202
    with make_client(
        db, inbox_max_messages=100, inbox_max_bytes=size * 5 // 2
    ) as client:
        assert post_message(client, BOB).status_code == 202  # Bob now holds 2 messages
        is_problem(post_message(client, BOB), 507, "inboxFull")


def test_listing_is_paged(client: TestClient) -> None:
    ids = [post_message(client, ALICE).json()["id"] for _ in range(3)]
    token = client.post(
        f"/inbox/{ALICE}/token", headers=auth(answer(client, ALICE, ALICE_SIGNER))
    )
    bearer = {"Authorization": "Bearer " + token.json()["token"]}
    first = client.get(f"/inbox/{ALICE}", params={"limit": 2}, headers=bearer).json()
    assert [item["id"] for item in first["items"]] == ids[:2]
    assert first["more"] is True
    rest = client.get(
        f"/inbox/{ALICE}",
        params={"limit": 2, "cursor": first["cursor"]},
        headers=bearer,
    ).json()
    assert [item["id"] for item in rest["items"]] == ids[2:]
    assert rest["more"] is False
    bad = client.get(f"/inbox/{ALICE}", params={"cursor": "c1.nope"}, headers=bearer)
    is_problem(bad, 400, "invalidCursor")


def test_the_client_delivers_and_a_session_reads_with_one_authentication(
    client: TestClient,
) -> None:
    first = deliver(ORIGIN, ALICE, packed(), client=client)
    second = deliver(ORIGIN, ALICE, packed(b"second").decode(), client=client)
    session = InboxSession(ORIGIN, ALICE, ALICE_SIGNER, client=client)
    assert [entry.id for entry in session.list()] == [first, second]
    assert decrypt(session.read(second).encode()) == b"second"
    session.delete(first)
    assert [entry.id for entry in session.entries(limit=1)] == [second]
    assert session.authentications == 1  # one challenge answered, then the token
    with pytest.raises(InboxError) as missing:
        session.read(first)
    assert (missing.value.code, missing.value.status) == ("messageNotFound", 404)
    with pytest.raises(InboxError) as bad:
        deliver(ORIGIN, "not-a-did", packed(), client=client)
    assert bad.value.code == "invalidDid"
    elsewhere = InboxSession(
        ORIGIN, ALICE, ALICE_SIGNER, client=client, domain="https://hub.example"
    )
    with pytest.raises(InboxError) as refused:
        elsewhere.list()
    assert refused.value.code == "domainMismatch"
    impostor = InboxSession(ORIGIN, ALICE, BOB_SIGNER, client=client)
    with pytest.raises(ProofGenerationError):
        impostor.list()  # Bob's key cannot sign as Alice


def test_concurrent_deliveries_never_overfill_an_inbox(db: str, tmp_path: Path) -> None:
    # Two mailboxes on one database: two connections, as two workers have.
    mailbox, other = open_mailbox(db), open_mailbox(db)
    stored: list[str] = []
    refused: list[str] = []

    def worker(number: int) -> None:
        box = mailbox if number % 2 else other
        for _ in range(4):
            try:
                box.deliver(ALICE, b"{}", now=1.0, max_messages=5, max_bytes=10**6)
                stored.append("ok")
            except InboxError as exc:
                refused.append(exc.code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert len(stored) == 5
        assert refused == ["inboxFull"] * 11
        assert mailbox.usage(ALICE) == (5, 10)
        found, more = mailbox.messages(ALICE, limit=10)
        assert len(found) == 5
        assert not more
        assert mailbox.delete(ALICE, found[0].id)
        assert not mailbox.delete(ALICE, found[0].id)
        assert not mailbox.delete(BOB, found[1].id)  # not Bob's to delete
        assert mailbox.read(BOB, found[1].id) is None
        assert mailbox.usage(ALICE) == (4, 8)
    finally:
        mailbox.close()
        other.close()


def test_a_memory_store_gets_a_memory_mailbox() -> None:
    mailbox = open_mailbox(":memory:")
    try:
        assert isinstance(mailbox, SQLiteMailbox)
        info = mailbox.deliver(ALICE, b"x", now=1.0, max_messages=1, max_bytes=1)
        assert mailbox.read(ALICE, info.id) == b"x"
    finally:
        mailbox.close()


def test_inbox_settings_come_from_the_environment() -> None:
    settings = HubSettings.from_env(
        {
            "AGORA_HUB_DOMAIN": "https://hub.example",
            "AGORA_HUB_INBOX_MAX_MESSAGES": "7",
            "AGORA_HUB_INBOX_RATE": "2.5",
        }
    )
    assert (settings.domain, settings.inbox_max_messages, settings.inbox_rate) == (
        "https://hub.example",
        7,
        2.5,
    )
    assert HubSettings.from_env(settings.to_env()) == settings
    with pytest.raises(ValueError, match="inbox_max_bytes"):
        HubSettings(inbox_max_bytes=0)


def test_a_configured_domain_is_the_one_presentations_name(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    with make_client(db, domain="https://hub.example") as client:
        issued = client.post(f"/inbox/{ALICE}/challenge").json()
        assert issued["domain"] == "https://hub.example"
        local = answer(client, ALICE, ALICE_SIGNER, challenge=issued["challenge"])
        is_problem(
            client.get(f"/inbox/{ALICE}", headers=auth(local)), 401, "wrongDomain"
        )
        right = answer(client, ALICE, ALICE_SIGNER, domain="https://hub.example")
        assert client.get(f"/inbox/{ALICE}", headers=auth(right)).status_code == 200


def test_a_real_hub_process_keeps_an_inbox(tmp_path: Path) -> None:
    hub = start_hub(tmp_path)
    try:
        first = deliver(hub.url, ALICE, packed())
        with InboxSession(hub.url, ALICE, ALICE_SIGNER) as session:
            (entry,) = session.list()
            assert entry.id == first
            assert decrypt(session.read(first).encode()) == SECRET
            session.delete(first)
            assert session.list() == []
        with InboxSession(hub.url, BOB, BOB_SIGNER) as bob:
            assert bob.list() == []
            with pytest.raises(InboxError) as refused:
                bob.read(first)
            assert refused.value.code == "messageNotFound"
    finally:
        hub.stop()
    stored = (tmp_path / ("hub.sqlite" + INBOX_SUFFIX)).read_bytes()
    assert SECRET not in stored


def test_challenges_are_used_once_and_forgotten_an_hour_after_expiry(db: str) -> None:
    mailbox = open_mailbox(db)
    try:
        mailbox.add_challenge("first", ALICE, expires=10.0, now=0.0)
        mailbox.add_challenge("second", ALICE, expires=10.0, now=0.0)
        assert not mailbox.use_challenge("first", BOB, now=5.0)  # Alice's only
        assert mailbox.use_challenge("first", ALICE, now=5.0)
        assert not mailbox.use_challenge("first", ALICE, now=5.0)
        assert not mailbox.use_challenge("second", ALICE, now=11.0)  # expired
        mailbox.add_challenge("third", BOB, expires=30.0, now=20.0)
        kept = mailbox.challenge("second")
        assert kept is not None
        assert (kept.did, kept.used) == (ALICE, False)
        mailbox.add_challenge(
            "fourth", BOB, expires=99_999.0, now=10.0 + FORGET_AFTER + 1
        )
        assert mailbox.challenge("second") is None
        assert mailbox.challenge("third") is not None
        mailbox.add_token("digest", ALICE, expires=50.0)
        assert mailbox.token_did("digest", now=49.0) == ALICE
        assert mailbox.token_did("digest", now=51.0) is None
    finally:
        mailbox.close()


def test_an_authcrypt_message_travels_through_the_inbox(client: TestClient) -> None:
    def agreer(key: Ed25519KeyPair, did: str) -> LocalKeyAgreer:
        ((kid, _),) = key_agreement_keys(did, default_resolver)
        return LocalKeyAgreer(key.to_x25519(), kid)

    text = "authcrypt marker 5b1e: the minutes are ready"
    message = Message.new(
        "https://didcomm.org/basicmessage/2.0/message",
        {"content": text},
        from_=ALICE,
        to=(BOB,),
    )
    sealed = pack_authcrypt(message, agreer(ALICE_KEY, ALICE), [BOB])
    message_id = deliver(ORIGIN, BOB, sealed, client=client)
    with InboxSession(ORIGIN, BOB, BOB_SIGNER, client=client) as inbox:
        received = inbox.read(message_id)
    assert received == sealed
    opened = unpack(received, [agreer(BOB_KEY, BOB)])
    assert opened.sender_proven
    assert opened.sender_kid is not None
    assert opened.sender_kid.startswith(ALICE)
    assert opened.message.body == {"content": text}
    mailbox = client.app.state.hub.mailbox  # type: ignore[attr-defined]
    assert text.encode() not in mailbox.read(BOB, message_id)


def test_a_did_agora_authenticates_with_its_current_key_once_the_hub_has_its_log(
    client: TestClient,
) -> None:
    identity = agora_identity(77, rotate=True)
    (_, old), (_, current) = identity.signers
    path = f"/inbox/{identity.did}"
    unknown = answer(client, identity.did, current)
    is_problem(client.get(path, headers=auth(unknown)), 401, "unresolvableDid")
    client.app.state.hub.logbook.record(identity.log)  # type: ignore[attr-defined]
    rotated_out = answer(client, identity.did, old)
    is_problem(client.get(path, headers=auth(rotated_out)), 401, "keyNotAuthorized")
    assert (
        client.get(
            path, headers=auth(answer(client, identity.did, current))
        ).status_code
        == 200
    )
