"""DID rotation in DIDComm: the ``from_prior`` JWT, and did:agora key rotations
announced with it.

A ``from_prior`` header is a compact JWT whose ``iss`` is the prior DID and
``sub`` the new one, signed by a key of the prior DID. A did:agora DID keeps
its identifier across a key rotation, so the rotation is announced with
``iss`` and ``sub`` both the DID, the ``kid`` naming the prior version with
``?versionId=``, and the DID's log attached to the message, so the
correspondent can check the rotation without a server (docs/messaging.md,
"Rotation").

Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#did-rotation
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from jwcrypto import jwk, jws

from ssi.agora import AgoraLog, document_for, resolve_log, select_state
from ssi.did.document import DIDDocument
from ssi.did.syntax import is_did, is_did_url, parse_did_url
from ssi.encoding import decode_base64url, encode_base64url
from ssi.errors import DIDError, DIDNotFoundError, SSIError
from ssi.keys.base import Signer
from ssi.messaging.errors import (
    InvalidFromPriorError,
    MalformedMessageError,
    UnresolvableDIDError,
)
from ssi.messaging.keys import DidResolver, did_of, memoized, method_key
from ssi.messaging.message import Attachment, FromPrior, Message, load_json
from ssi.types import JsonObject, JsonValue

__all__ = [
    "LOG_ATTACHMENT_FORMAT",
    "LOG_ATTACHMENT_ID",
    "announce_rotation",
    "attached_log",
    "check_from_prior",
    "log_attachment",
    "make_from_prior",
    "resolver_with_log",
]

LOG_ATTACHMENT_ID: Final = "did-log"
"""The ``id`` of the attachment that carries a did:agora log."""
LOG_ATTACHMENT_FORMAT: Final = "did:agora log"
"""The ``format`` of that attachment: ``data.json`` is the log's entries."""

_ALGORITHMS: Final = frozenset({"EdDSA", "ES256"})
_HEADER_KEYS: Final = frozenset({"typ", "alg", "kid", "crv"})
_VERSION_QUERY = re.compile(r"versionId=([1-9][0-9]{0,8})")
_MAX_JWT: Final = 16_384
_SKEW: Final = timedelta(minutes=5)


def _json_segment(value: JsonObject) -> str:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return encode_base64url(text.encode("utf-8"))


def make_from_prior(
    prior_signer: Signer, iss: str, sub: str, *, iat: int | None = None
) -> str:
    """Return a ``from_prior`` JWT: ``iss`` the prior DID, ``sub`` the new DID,
    ``iat`` the time of the rotation (now by default), signed by
    ``prior_signer``, whose ``key_id`` is a DID URL of ``iss`` and becomes the
    JWT's ``kid``.

    For a did:agora key rotation ``iss`` and ``sub`` are the same DID and the
    ``kid`` names the prior version (``did:agora:...?versionId=2#key-1``);
    :func:`announce_rotation` builds that case from the log.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#did-rotation

    Raises:
        ValueError: the signer's key id is not a DID URL of ``iss`` with a
            fragment, its algorithm is not EdDSA or ES256, or ``iss`` equals
            ``sub`` without a ``versionId`` in the key id.
    """
    kid = prior_signer.key_id
    if not is_did(iss) or not is_did(sub):
        raise ValueError("from_prior iss and sub must be DIDs")
    if not is_did_url(kid) or parse_did_url(kid).fragment in (None, ""):
        raise ValueError("the prior signer's key_id must be a DID URL with a fragment")
    url = parse_did_url(kid)
    if str(url.did) != iss:
        raise ValueError("the prior signer's key is not a key of the prior DID")
    if prior_signer.algorithm not in _ALGORITHMS:
        raise ValueError(
            f"from_prior is signed with EdDSA or ES256, not {prior_signer.algorithm}"
        )
    if iss == sub and (url.query is None or not _VERSION_QUERY.fullmatch(url.query)):
        raise ValueError("a rotation within one DID names the prior version in the kid")
    header: JsonObject = {"typ": "JWT", "alg": prior_signer.algorithm, "kid": kid}
    now = int(datetime.now(UTC).timestamp())
    claims: JsonObject = {"iss": iss, "sub": sub, "iat": now if iat is None else iat}
    # The key stays behind the Signer seam (a wallet), so the JWS signing
    # input (RFC 7515 section 5.1) is put together here; receivers verify with
    # jwcrypto.
    signing_input = _json_segment(header) + "." + _json_segment(claims)
    signature = prior_signer.sign(signing_input.encode("ascii"))
    return signing_input + "." + encode_base64url(signature)


def log_attachment(entries: Sequence[JsonObject]) -> Attachment:
    """Return the attachment that carries a did:agora log (every entry, in
    order) with a message.

    Spec: docs/messaging.md (Rotation)
    """
    return Attachment(
        data={"json": [dict(entry) for entry in entries]},
        id=LOG_ATTACHMENT_ID,
        media_type="application/json",
        format=LOG_ATTACHMENT_FORMAT,
    )


def attached_log(message: Message) -> list[JsonValue] | None:
    """Return the did:agora log a message carries, or None when it has none.

    Spec: docs/messaging.md (Rotation)

    Raises:
        InvalidFromPriorError: the message has more than one log attachment,
            or one whose ``data.json`` is not an array.
    """
    found = [
        a
        for a in message.attachments
        if a.id == LOG_ATTACHMENT_ID and a.format == LOG_ATTACHMENT_FORMAT
    ]
    if not found:
        return None
    if len(found) > 1:
        raise InvalidFromPriorError("The message carries more than one DID log.")
    entries = found[0].data.get("json")
    if not isinstance(entries, list) or not entries:
        raise InvalidFromPriorError("The DID log attachment holds no array of entries.")
    return list(entries)


def announce_rotation(
    prior_signer: Signer, did: str, log: Sequence[JsonObject]
) -> tuple[str, Attachment]:
    """Return the ``from_prior`` JWT and the log attachment that announce the
    latest rotation of a did:agora DID.

    ``prior_signer`` holds an ``authentication`` key of the version before
    the latest entry; its ``key_id`` must name that version
    (``<did>?versionId=<n>#<fragment>``). ``iat`` is the latest entry's
    ``time`` in whole seconds.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#did-rotation,
    docs/messaging.md (Rotation)

    Raises:
        ValueError: the log has a single entry, or the key id does not name
            the version before the latest one.
    """
    if len(log) < 2:
        raise ValueError("a log of one entry has no rotation to announce")
    prior = len(log) - 1
    url = parse_did_url(prior_signer.key_id)
    if str(url.did) != did or url.query != f"versionId={prior}":
        raise ValueError(f"the prior signer's key_id must name {did}?versionId={prior}")
    latest = log[-1]
    time_text = latest.get("time")
    if not isinstance(time_text, str):
        raise ValueError("the latest log entry has no time")
    iat = int(datetime.fromisoformat(time_text.replace("Z", "+00:00")).timestamp())
    return make_from_prior(prior_signer, did, did, iat=iat), log_attachment(log)


def _not_found(error: BaseException) -> bool:
    """Whether a resolution failure says the DID is unknown (and nothing
    worse, such as a forked or broken log)."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DIDNotFoundError):
            return True
        cause = cause.__cause__
    return False


def _extending_log(
    did: str, log: Sequence[JsonValue], resolver: DidResolver, now: datetime
) -> AgoraLog:
    """Validate a received log of ``did`` and check it extends the history
    ``resolver`` knows (the known document is one of its versions)."""
    try:
        agora_log = resolve_log(did, [log], now=now)
    except SSIError as exc:
        raise InvalidFromPriorError(
            f"The attached log of {did!r} is not valid: {exc.code}."
        ) from exc
    try:
        known: DIDDocument | None = resolver(did)
    except UnresolvableDIDError as exc:
        if not _not_found(exc):
            raise InvalidFromPriorError(
                f"The known history of {did!r} cannot be read: {exc}"
            ) from exc
        known = None
    if known is not None:
        seen = known.to_json()
        if all(document_for(did, s).to_json() != seen for s in agora_log.states):
            raise InvalidFromPriorError(
                f"The attached log of {did!r} does not extend the known history."
            )
    return agora_log


def resolver_with_log(
    resolver: DidResolver | None,
    did: str,
    log: Sequence[JsonValue],
    *,
    now: datetime | None = None,
) -> DidResolver:
    """Return a resolver that resolves ``did`` to the latest state of a log
    received with a message, and every other DID as ``resolver`` does.

    The log is validated as did:agora resolution does (its first entry
    derives the DID, every entry is signed by an authorized key). It must
    extend what ``resolver`` knows: the document ``resolver`` gives for
    ``did``, if any, must be the document of one of the log's versions;
    otherwise the log is older than, or forks from, the known history.

    Spec: docs/messaging.md (Rotation), docs/did-agora.md (Read)

    Raises:
        InvalidFromPriorError: the log is invalid, is not ``did``'s, or does
            not extend the known history.
    """
    inner = memoized(resolver)
    agora_log = _extending_log(did, log, inner, now or datetime.now(UTC))
    latest = document_for(did, agora_log.latest)

    def resolve(asked: str) -> DIDDocument:
        return latest if asked == did else inner(asked)

    return resolve


def _parse(token: str) -> tuple[JsonObject, JsonObject]:
    parts = token.split(".")
    if len(token) > _MAX_JWT or len(parts) != 3 or not all(parts):
        raise InvalidFromPriorError("from_prior is not a compact JWT.")
    decoded: list[JsonObject] = []
    for part, what in zip(parts[:2], ("header", "claims"), strict=True):
        try:
            value = load_json(decode_base64url(part), what=f"from_prior {what}")
        except (SSIError, ValueError) as exc:
            raise InvalidFromPriorError(f"The from_prior {what} is not JSON.") from exc
        if not isinstance(value, dict):
            raise InvalidFromPriorError(f"The from_prior {what} is not a JSON object.")
        decoded.append(value)
    return decoded[0], decoded[1]


def _check_header(header: JsonObject) -> str:
    if header.keys() - _HEADER_KEYS:
        raise InvalidFromPriorError("The from_prior header has an unknown member.")
    if header.get("alg") not in _ALGORITHMS:
        raise InvalidFromPriorError("from_prior is not signed with EdDSA or ES256.")
    if "typ" in header and header["typ"] != "JWT":
        raise InvalidFromPriorError("The from_prior typ is not JWT.")
    kid = header.get("kid")
    if (
        not isinstance(kid, str)
        or not is_did_url(kid)
        or parse_did_url(kid).fragment in (None, "")
    ):
        raise InvalidFromPriorError(
            "The from_prior kid is not a DID URL with a fragment."
        )
    return kid


def _did_claim(claims: JsonObject, name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not is_did(value):
        raise InvalidFromPriorError(f"The from_prior {name} is not a DID.")
    return value


def _check_claims(
    claims: JsonObject, kid: str, message_from: str, now: datetime
) -> tuple[str, str, int]:
    iss = _did_claim(claims, "iss")
    sub = _did_claim(claims, "sub")
    iat = claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool) or iat < 0:
        raise InvalidFromPriorError("The from_prior iat is not a time in seconds.")
    if iat > now.timestamp() + _SKEW.total_seconds():
        raise InvalidFromPriorError("The from_prior iat lies in the future.")
    exp = claims.get("exp")
    if "exp" in claims and (
        not isinstance(exp, int) or isinstance(exp, bool) or exp <= now.timestamp()
    ):
        raise InvalidFromPriorError("The from_prior has expired.")
    nbf = claims.get("nbf")
    if "nbf" in claims and (
        not isinstance(nbf, int)
        or isinstance(nbf, bool)
        or nbf > now.timestamp() + _SKEW.total_seconds()
    ):
        raise InvalidFromPriorError("The from_prior is not valid yet (nbf).")
    if str(parse_did_url(kid).did) != iss:
        raise InvalidFromPriorError(
            f"The from_prior kid {kid!r} is not a key of {iss!r}."
        )
    sender = did_of(message_from)
    if sub != sender:
        raise InvalidFromPriorError(
            f"The from_prior sub is not the message's from {sender!r}."
        )
    return iss, sub, iat


def _prior_method(
    iss: str,
    sub: str,
    iat: int,
    kid: str,
    resolver: DidResolver,
    log: Sequence[JsonValue] | None,
    now: datetime,
) -> tuple[DIDDocument, str, frozenset[str]]:
    """Return the document in which the kid must be an authentication key,
    the kid as that document names it, and the keys marked compromised."""
    url = parse_did_url(kid)
    if url.query is None and url.path == "":
        if iss == sub:
            raise InvalidFromPriorError("The from_prior iss and sub are the same DID.")
        return resolver(iss), kid, frozenset()
    match = _VERSION_QUERY.fullmatch(url.query or "")
    if url.path != "" or match is None or not iss.startswith("did:agora:"):
        raise InvalidFromPriorError(
            f"The from_prior kid {kid!r} has a path or query other than a "
            "did:agora versionId."
        )
    if log is None:
        raise InvalidFromPriorError(
            f"The from_prior names a version of {iss!r} but the message carries no log."
        )
    agora_log = _extending_log(iss, log, resolver, now)
    try:
        state = select_state(agora_log, {"versionId": match.group(1)})
        document = document_for(iss, state)
    except SSIError as exc:
        raise InvalidFromPriorError(
            f"The from_prior names a version of {iss!r} its log lacks: {exc.code}."
        ) from exc
    if iss == sub:
        if state.version >= agora_log.latest.version:
            raise InvalidFromPriorError(
                f"The log of {iss!r} has no entry after the version the kid names."
            )
        if iat != int(agora_log.latest.time.timestamp()):
            raise InvalidFromPriorError(
                "The from_prior iat is not the time of the log's latest entry."
            )
    return document, f"{iss}#{url.fragment}", agora_log.compromised


def check_from_prior(
    jwt: str,
    message_from: str,
    resolver: DidResolver | None = None,
    *,
    log: Sequence[JsonValue] | None = None,
    now: datetime | None = None,
) -> FromPrior:
    """Check a ``from_prior`` JWT against the message that carries it.

    The JWT is a compact JWS (EdDSA or ES256) with ``typ`` JWT; ``iss`` is a
    DID and the ``kid`` a DID URL of it whose key is listed under
    ``authentication`` in ``iss``'s document; ``sub`` is the message's
    ``from``; ``iat``
    an integer not in the future. A ``kid`` with ``?versionId=<n>`` (did:agora)
    is looked up in version n of the log the message carries (``log``, see
    :func:`attached_log`); with ``iss`` equal to ``sub`` the log must go on
    after version n, ``iat`` must be the time of its latest entry, and the key
    must not be marked compromised (docs/messaging.md, "Rotation").

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#did-rotation

    Raises:
        InvalidFromPriorError: any of these checks fails, or the signature does
            not verify.
        UnresolvableDIDError: the prior DID does not resolve.
    """
    moment = now or datetime.now(UTC)
    resolve_did = memoized(resolver)
    header, claims = _parse(jwt)
    kid = _check_header(header)
    iss, sub, iat = _check_claims(claims, kid, message_from, moment)
    document, method_kid, compromised = _prior_method(
        iss, sub, iat, kid, resolve_did, log, moment
    )
    try:
        method = document.find_verification_method(method_kid, "authentication")
        public = method_key(method)
    except (DIDError, MalformedMessageError) as exc:
        raise InvalidFromPriorError(
            f"The from_prior kid {kid!r} is not an authentication key of {iss!r}."
        ) from exc
    if public.export_multikey() in compromised:
        raise InvalidFromPriorError(
            f"The from_prior key {kid!r} is marked compromised."
        )
    if public.algorithm != header["alg"]:
        raise InvalidFromPriorError(f"The from_prior alg does not fit the key {kid!r}.")
    try:
        token = jws.JWS()
        token.deserialize(jwt)
        token.verify(jwk.JWK(**public.export_jwk()), alg=str(header["alg"]))
    except Exception as exc:  # jwcrypto raises several unrelated classes.
        raise InvalidFromPriorError(
            "The from_prior signature does not verify."
        ) from exc
    return FromPrior(iss=iss, sub=sub, iat=iat, kid=kid)
