"""A client of hub inboxes: deliver a packed message to a DID, and list,
read and delete one's own messages after DID authentication.

:func:`deliver` posts one packed encrypted message. :class:`InboxSession`
speaks for one DID: on first use it asks the hub for a challenge, checks
that the hub names the domain it was reached at, answers with a
presentation signed by the DID's ``signer`` (``proofPurpose``
authentication, the challenge and the domain), exchanges it for a bearer
token and uses the token until it expires or is refused.

Every failure is an :class:`ssi.errors.SSIError`: a hub's problem answer an
:class:`~ssi.errors.InboxError` with the problem's ``code`` and ``status``;
no answer, or one that cannot be read, a :class:`~ssi.errors.TransportError`.

Spec: docs/hub.md (Inbox)
"""

from __future__ import annotations

import builtins
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Final
from urllib.parse import quote

import httpx

from hub.inbox_terms import ENCRYPTED_MEDIA_TYPE, TOKEN_SECONDS
from ssi.credentials import present
from ssi.encoding import encode_base64url
from ssi.errors import InboxError, TransportError
from ssi.http_client import make_client
from ssi.keys import Signer
from ssi.types import JsonObject

__all__ = ["InboxEntry", "InboxSession", "deliver", "inbox_client"]

_SUITES: Final = {"EdDSA": "eddsa-jcs-2022", "ES256": "ecdsa-jcs-2019"}
_TIMEOUT: Final = 30.0
_MAX_ANSWER: Final = 16 * 1024 * 1024
_TOKEN_MARGIN: Final = 10.0
"""Seconds before a token's expiry at which a session asks for a new one."""


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """One message in an inbox, as listed.

    Attributes:
        id: its id in the inbox.
        received: when the hub received it (ISO 8601, UTC).
        size: its length in bytes.
    """

    id: str
    received: str
    size: int


def inbox_client() -> httpx.Client:
    """Return the client inbox calls use by default (``ssi.http_client``'s
    limits and timeouts; plain http to the loopback interface allowed, for
    local hubs).

    Spec: docs/hub.md (Inbox)
    """
    return make_client(
        timeout=_TIMEOUT, max_bytes=_MAX_ANSWER, allow_loopback_http=True
    )


def _base(hub_url: str) -> str:
    return hub_url.rstrip("/")


def _inbox_url(hub_url: str, did: str) -> str:
    return f"{_base(hub_url)}/inbox/{quote(did, safe=':')}"


def _origin(hub_url: str) -> str:
    try:
        url = httpx.URL(hub_url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise TransportError(f"{hub_url[:120]!r} is not a URL.") from exc
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}"


def _send(client: httpx.Client, request: httpx.Request) -> httpx.Response:
    try:
        response = client.send(request)
        response.read()
    except httpx.HTTPError as exc:
        raise TransportError(
            f"{request.method} {request.url} failed ({type(exc).__name__})."
        ) from exc
    return response


def _refusal(response: httpx.Response) -> InboxError:
    """The error a problem answer (or any other failure status) stands for."""
    code, detail = "inboxError", f"the hub answered HTTP {response.status_code}."
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("code"), str):
            code = body["code"]
        if isinstance(body.get("detail"), str):
            detail = body["detail"]
    return InboxError(detail[:500], code=code[:80], status=response.status_code)


def _json_object(response: httpx.Response) -> JsonObject:
    try:
        body = response.json()
    except ValueError as exc:
        raise TransportError(f"{response.url} answered with no JSON.") from exc
    if not isinstance(body, dict):
        raise TransportError(f"{response.url} answered with no JSON object.")
    return body


def _string(body: JsonObject, name: str, url: httpx.URL) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise TransportError(f"{url} answered with no {name}.")
    return value


def deliver(
    hub_url: str,
    did: str,
    packed: str | bytes,
    *,
    client: httpx.Client | None = None,
) -> str:
    """Deliver one packed encrypted message to ``did``'s inbox on a hub.

    Args:
        hub_url: the hub's base URL.
        did: the recipient's DID.
        packed: the encrypted message (JWE, general JSON serialization).
        client: the HTTP client (default: :func:`inbox_client`).

    Returns:
        The message's id in the inbox.

    Spec: docs/hub.md (Inbox: POST /inbox/{did})

    Raises:
        InboxError: the hub refused it (``code``: ``messageTooLarge``,
            ``inboxFull``, ``invalidMessage``, ``invalidDid``,
            ``tooManyRequests``, ...).
        TransportError: the hub cannot be reached or answers badly.
    """
    body = packed.encode("utf-8") if isinstance(packed, str) else packed
    owned = client is None
    http = inbox_client() if client is None else client
    try:
        request = http.build_request(
            "POST",
            _inbox_url(hub_url, did),
            content=body,
            headers={"Content-Type": ENCRYPTED_MEDIA_TYPE},
        )
        response = _send(http, request)
        if response.status_code != 202:
            raise _refusal(response)
        answer = _json_object(response)
        return _string(answer, "id", response.url)
    finally:
        if owned:
            http.close()


class InboxSession:
    """Read and delete the messages of one DID's inbox on a hub.

    Args:
        hub_url: the hub's base URL.
        did: the DID whose inbox this is.
        signer: signs the authentication presentations; its key must be in
            ``did``'s ``authentication`` (an Ed25519 or P-256 key).
        client: the HTTP client (default: :func:`inbox_client`, closed with
            the session).
        domain: the domain the hub must name in its challenges (default: the
            origin of ``hub_url``); a hub that names another is refused.

    Spec: docs/hub.md (Inbox: authentication)

    Raises:
        ValueError: the signer's algorithm has no authentication suite here.
    """

    def __init__(
        self,
        hub_url: str,
        did: str,
        signer: Signer,
        *,
        client: httpx.Client | None = None,
        domain: str | None = None,
    ) -> None:
        suite = _SUITES.get(signer.algorithm)
        if suite is None:
            raise ValueError(f"no authentication suite signs with {signer.algorithm}")
        self.hub_url = _base(hub_url)
        self.did = did
        self._signer = signer
        self._suite = suite
        self._owned = client is None
        self._client = inbox_client() if client is None else client
        self._domain = domain
        self._token: str | None = None
        self._expires = 0.0
        self.authentications = 0
        """How many times the session has answered a challenge."""

    def __enter__(self) -> InboxSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client if the session made it."""
        if self._owned:
            self._client.close()

    def authorization(self) -> str:
        """Return a fresh ``DIDAuth`` header value: a presentation answering a
        new challenge of the hub (each one can be used once).

        Spec: docs/hub.md (Inbox: authentication)

        Raises:
            InboxError: the hub refused, or named another domain
                (``domainMismatch``).
            TransportError: the hub cannot be reached or answers badly.
        """
        url = _inbox_url(self.hub_url, self.did)
        response = _send(
            self._client, self._client.build_request("POST", url + "/challenge")
        )
        if response.status_code != 200:
            raise _refusal(response)
        answer = _json_object(response)
        challenge = _string(answer, "challenge", response.url)
        domain = _string(answer, "domain", response.url)
        expected = self._domain or _origin(self.hub_url)
        if domain != expected:
            raise InboxError(
                f"the hub asks to sign for {domain[:120]!r}, not {expected[:120]!r}.",
                code="domainMismatch",
            )
        presentation = present(
            [],
            self._signer,
            challenge=challenge,
            domain=domain,
            suite=self._suite,
            holder=self.did,
        )
        self.authentications += 1
        encoded = encode_base64url(
            json.dumps(presentation, separators=(",", ":")).encode("utf-8")
        )
        return f"DIDAuth {encoded}"

    def _bearer(self) -> str:
        if self._token is not None and time.monotonic() < self._expires:
            return f"Bearer {self._token}"
        url = _inbox_url(self.hub_url, self.did) + "/token"
        request = self._client.build_request(
            "POST", url, headers={"Authorization": self.authorization()}
        )
        response = _send(self._client, request)
        if response.status_code != 200:
            raise _refusal(response)
        answer = _json_object(response)
        self._token = _string(answer, "token", response.url)
        # The hub's clock may differ: count the lifetime from now, less a margin.
        self._expires = time.monotonic() + TOKEN_SECONDS - _TOKEN_MARGIN
        return f"Bearer {self._token}"

    def _authorized(self, method: str, url: str, **params: str) -> httpx.Response:
        def attempt() -> httpx.Response:
            request = self._client.build_request(
                method,
                url,
                params=params or None,
                headers={"Authorization": self._bearer()},
            )
            return _send(self._client, request)

        response = attempt()
        if response.status_code == 401 and self._token is not None:
            self._token = None  # expired or forgotten: authenticate again
            response = attempt()
        return response

    def entries(self, *, limit: int | None = None) -> Iterator[InboxEntry]:
        """Yield the inbox's messages, oldest first, page by page.

        Raises:
            InboxError: the hub refused.
            TransportError: the hub cannot be reached or answers badly.
        """
        url = _inbox_url(self.hub_url, self.did)
        cursor: str | None = None
        while True:
            params = {} if cursor is None else {"cursor": cursor}
            if limit is not None:
                params["limit"] = str(limit)
            response = self._authorized("GET", url, **params)
            if response.status_code != 200:
                raise _refusal(response)
            page = _json_object(response)
            items = page.get("items")
            if not isinstance(items, list):
                raise TransportError(f"{response.url} answered with no items.")
            for item in items:
                if not isinstance(item, dict):
                    raise TransportError(f"{response.url} listed a non-object.")
                size = item.get("size")
                yield InboxEntry(
                    _string(item, "id", response.url),
                    _string(item, "received", response.url),
                    size if isinstance(size, int) else 0,
                )
            next_cursor = page.get("cursor")
            if page.get("more") is not True or not isinstance(next_cursor, str):
                return
            cursor = next_cursor

    def list(self) -> builtins.list[InboxEntry]:
        """Return every message of the inbox, oldest first.

        Spec: docs/hub.md (Inbox: GET /inbox/{did})

        Raises:
            InboxError: the hub refused.
            TransportError: the hub cannot be reached or answers badly.
        """
        return [*self.entries()]

    def read(self, message_id: str) -> str:
        """Return one message, packed as it was delivered.

        Spec: docs/hub.md (Inbox: GET /inbox/{did}/{id})

        Raises:
            InboxError: no such message (``messageNotFound``), or refused.
            TransportError: the hub cannot be reached or answers badly.
        """
        url = f"{_inbox_url(self.hub_url, self.did)}/{quote(message_id, safe='')}"
        response = self._authorized("GET", url)
        if response.status_code != 200:
            raise _refusal(response)
        try:
            return response.content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TransportError(f"{response.url} answered with no text.") from exc

    def delete(self, message_id: str) -> None:
        """Delete one message.

        Spec: docs/hub.md (Inbox: DELETE /inbox/{did}/{id})

        Raises:
            InboxError: no such message (``messageNotFound``), or refused.
            TransportError: the hub cannot be reached or answers badly.
        """
        url = f"{_inbox_url(self.hub_url, self.did)}/{quote(message_id, safe='')}"
        response = self._authorized("DELETE", url)
        if response.status_code != 204:
            raise _refusal(response)
