"""DID and DID URL syntax: parse, check and format identifiers; no I/O.

The grammar is exactly the ABNF of DID Core §3.1 and §3.2, with the
``path-abempty``, ``query`` and ``fragment`` rules of RFC 3986::

    did                = "did:" method-name ":" method-specific-id
    method-name        = 1*method-char
    method-char        = %x61-7A / DIGIT
    method-specific-id = *( *idchar ":" ) 1*idchar
    idchar             = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded
    pct-encoded        = "%" HEXDIG HEXDIG
    did-url            = did path-abempty [ "?" query ] [ "#" fragment ]

One deliberate narrowing: the ``did:`` scheme must be written in lower case.
ABNF string literals are case-insensitive, but DIDs are compared as plain
strings, so accepting ``DID:`` would let two spellings name one subject.

Spec: https://www.w3.org/TR/did-core/#did-syntax
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote

from ssi.errors import DIDError, InvalidDIDError, InvalidDIDURLError

__all__ = [
    "DID",
    "DIDURL",
    "DID_PARAMETERS",
    "MAX_DID_LENGTH",
    "PARSE_CACHE_SIZE",
    "is_did",
    "is_did_url",
    "parse_did",
    "parse_did_url",
    "resolve_relative",
]

MAX_DID_LENGTH: Final = 8 * 1024
"""The longest DID or DID URL accepted, in characters (8 KiB of ASCII)."""

PARSE_CACHE_SIZE: Final = 4096
"""How many parsed DID URLs :func:`parse_did_url` remembers."""

DID_PARAMETERS: Final = ("service", "relativeRef", "versionId", "versionTime", "hl")
"""The DID parameters DID Core §3.2.1 defines for every DID method."""

_PCT = r"%[0-9A-Fa-f]{2}"
_IDCHAR = rf"(?:[A-Za-z0-9._-]|{_PCT})"
_METHOD_NAME = r"[a-z0-9]+"
_METHOD_SPECIFIC_ID = rf"(?:{_IDCHAR}*:)*{_IDCHAR}+"
_PCHAR = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|{_PCT})"
_PATH = rf"(?:/{_PCHAR}*)*"
_QUERY_OR_FRAGMENT = rf"(?:{_PCHAR}|[/?])*"

_DID_RE: Final = re.compile(
    rf"did:(?P<method>{_METHOD_NAME}):(?P<msid>{_METHOD_SPECIFIC_ID})"
)
_DID_URL_RE: Final = re.compile(
    rf"(?P<did>did:{_METHOD_NAME}:{_METHOD_SPECIFIC_ID})"
    rf"(?P<path>{_PATH})"
    rf"(?:\?(?P<query>{_QUERY_OR_FRAGMENT}))?"
    rf"(?:#(?P<fragment>{_QUERY_OR_FRAGMENT}))?"
)
# The same grammar without percent-encoding, written so that the regular
# expression engine does not try alternatives at every character: every text
# it matches, _DID_URL_RE matches with the same groups (a test checks this on
# many inputs), so parse_did_url tries it first and falls back on _DID_URL_RE.
_PLAIN_DID_RE: Final = re.compile(
    rf"did:(?P<method>{_METHOD_NAME}):(?P<msid>[A-Za-z0-9._:-]*[A-Za-z0-9._-])"
)
_PLAIN_PCHAR = r"[A-Za-z0-9\-._~!$&'()*+,;=:@]"
_PLAIN_DID_URL_RE: Final = re.compile(
    rf"(?P<did>did:(?P<method>{_METHOD_NAME}):"
    r"(?P<msid>[A-Za-z0-9._:-]*[A-Za-z0-9._-]))"
    rf"(?P<path>(?:/{_PLAIN_PCHAR}*)*)"
    rf"(?:\?(?P<query>[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*))?"
    rf"(?:#(?P<fragment>[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*))?"
)
_METHOD_NAME_RE: Final = re.compile(_METHOD_NAME)
_METHOD_SPECIFIC_ID_RE: Final = re.compile(_METHOD_SPECIFIC_ID)
_PATH_RE: Final = re.compile(_PATH)
_QUERY_OR_FRAGMENT_RE: Final = re.compile(_QUERY_OR_FRAGMENT)

# RFC 3986 Appendix B: split any URI reference into its five components.
_URI_REFERENCE_RE: Final = re.compile(
    r"(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"
    r"(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?(?:#(?P<fragment>.*))?",
    re.DOTALL,
)

# A URI (absolute, RFC 3986 §3) and the scheme that makes a reference absolute.
_URI_RE: Final = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*"
)
_SCHEME_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

_ALNUM = frozenset(string.ascii_letters + string.digits)
_HEXDIG = frozenset(string.hexdigits)
_METHOD_CHARS = frozenset(string.ascii_lowercase + string.digits)
_ID_CHARS = _ALNUM | frozenset(".-_:")
_PCHARS = _ALNUM | frozenset("-._~!$&'()*+,;=:@")
_PATH_CHARS = _PCHARS | {"/"}
_QUERY_CHARS = _PCHARS | {"/", "?"}
_SHOWN = 80


def _show(text: str) -> str:
    """Quote untrusted text for a message: ASCII-escaped, cut to ~80 chars."""
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 3] + "..."
    return ascii(text)


def _describe(char: str) -> str:
    code = ord(char)
    if char == " ":
        return "a space"
    if code < 0x20 or code == 0x7F:
        return f"the control character U+{code:04X}"
    if code > 0x7E:
        return f"the non-ASCII character U+{code:04X}"
    return f"the character {char!r}"


def _scan(part: str, allowed: frozenset[str], where: str) -> str | None:
    """Return why ``part`` breaks its character rules, or None."""
    i = 0
    while i < len(part):
        char = part[i]
        if char == "%":
            if len(part) >= i + 3 and set(part[i + 1 : i + 3]) <= _HEXDIG:
                i += 3
                continue
            return f"the {where} has the malformed percent-encoding {part[i : i + 3]!r}"
        if char not in allowed:
            return f"the {where} contains {_describe(char)}"
        i += 1
    return None


def _checked(text: object, error: type[DIDError], what: str) -> str:
    """Return ``text`` if it is a string within the length cap; raise otherwise."""
    if not isinstance(text, str):
        raise error(f"Invalid {what}: expected a string, got {type(text).__name__}.")
    if len(text) > MAX_DID_LENGTH:
        limit = f"it is longer than {MAX_DID_LENGTH} characters"
        raise error(f"Invalid {what} {_show(text)}: {limit}.")
    return text


def _explain_did(text: str) -> str:
    """Say why ``text`` (already known to be invalid) is not a DID."""
    if not text:
        return "it is empty"
    if text != text.strip():
        return "it has leading or trailing whitespace"
    if not text.startswith("did:"):
        if text[:4].lower() == "did:":
            return "the scheme 'did' must be written in lower case"
        return "it does not start with 'did:'"
    method, colon, msid = text[4:].partition(":")
    if not colon:
        return "it has no ':' between the method name and the method-specific id"
    if not method:
        return "the method name is empty"
    for char in method:
        if char not in _METHOD_CHARS:
            return f"the method name may hold only a-z and 0-9, not {_describe(char)}"
    if not msid:
        return "the method-specific id is empty"
    if msid.endswith(":"):
        return "the method-specific id ends with ':'"
    return _scan(msid, _ID_CHARS, "method-specific id") or "it breaks the DID syntax"


def _explain_did_url(text: str) -> str:
    """Say why ``text`` (already known to be invalid) is not a DID URL."""
    cut = min((i for i in map(text.find, "/?#") if i >= 0), default=len(text))
    did_part, rest = text[:cut], text[cut:]
    if _DID_RE.fullmatch(did_part) is None:
        return _explain_did(did_part)
    rest, hash_mark, fragment = rest.partition("#")
    path, question_mark, query = rest.partition("?")
    reason = (
        _scan(path, _PATH_CHARS, "path")
        or (question_mark and _scan(query, _QUERY_CHARS, "query"))
        or (hash_mark and _scan(fragment, _QUERY_CHARS, "fragment"))
    )
    return reason or "it breaks the DID URL syntax"


@dataclass(frozen=True, slots=True)
class DID:
    """A decentralized identifier: ``did:<method>:<method-specific-id>``.

    Attributes:
        method: the method name, lowercase letters and digits.
        method_specific_id: everything after the second colon, as written.

    Spec: https://www.w3.org/TR/did-core/#did-syntax

    Raises:
        InvalidDIDError: a component breaks the DID syntax.
    """

    method: str
    method_specific_id: str

    def __post_init__(self) -> None:
        if not isinstance(self.method, str) or not isinstance(
            self.method_specific_id, str
        ):
            raise TypeError("DID components must be strings")
        if _METHOD_NAME_RE.fullmatch(self.method) is None or (
            _METHOD_SPECIFIC_ID_RE.fullmatch(self.method_specific_id) is None
        ):
            text = str(self)
            raise InvalidDIDError(f"Invalid DID {_show(text)}: {_explain_did(text)}.")

    def __str__(self) -> str:
        return f"did:{self.method}:{self.method_specific_id}"


@dataclass(frozen=True, slots=True)
class DIDURL:
    """A DID URL: a DID with an optional path, query and fragment.

    ``query`` and ``fragment`` are ``None`` when absent and ``""`` when the
    ``?`` or ``#`` is present with nothing after it, so ``str()`` gives back
    the text that was parsed.

    Attributes:
        did: the DID the URL starts with.
        path: the path, empty or starting with ``/``.
        query: the text after ``?``, still percent-encoded.
        fragment: the text after ``#``, still percent-encoded.

    Spec: https://www.w3.org/TR/did-core/#did-url-syntax

    Raises:
        InvalidDIDURLError: the path, query or fragment breaks its syntax.
    """

    did: DID
    path: str = ""
    query: str | None = None
    fragment: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.did, DID):
            raise TypeError("DIDURL.did must be a DID")
        if (
            _PATH_RE.fullmatch(self.path) is None
            or (
                self.query is not None
                and not _QUERY_OR_FRAGMENT_RE.fullmatch(self.query)
            )
            or (
                self.fragment is not None
                and not _QUERY_OR_FRAGMENT_RE.fullmatch(self.fragment)
            )
        ):
            text = str(self)
            raise InvalidDIDURLError(
                f"Invalid DID URL {_show(text)}: {_explain_did_url(text)}."
            )

    def __str__(self) -> str:
        text = f"{self.did}{self.path}"
        if self.query is not None:
            text += f"?{self.query}"
        if self.fragment is not None:
            text += f"#{self.fragment}"
        return text

    @property
    def is_bare_did(self) -> bool:
        """Tell whether the URL is just its DID: no path, query or fragment."""
        return not self.path and self.query is None and self.fragment is None

    @property
    def params(self) -> tuple[tuple[str, str], ...]:
        """Return the query as ordered ``(name, value)`` pairs, percent-decoded.

        Pairs are separated by ``&``; a name without ``=`` has the value ``""``;
        empty pieces are skipped. ``+`` is kept as is (this is not a form), and
        bytes that are not UTF-8 decode to U+FFFD.

        Spec: https://www.w3.org/TR/did-core/#did-parameters
        """
        if not self.query:
            return ()
        pairs = []
        for piece in self.query.split("&"):
            if piece:
                name, _, value = piece.partition("=")
                pairs.append((unquote(name), unquote(value)))
        return tuple(pairs)

    def param(self, name: str) -> str | None:
        """Return the decoded value of the query parameter ``name``, or None.

        Spec: https://www.w3.org/TR/did-core/#did-parameters

        Raises:
            InvalidDIDURLError: the parameter appears more than once, so which
                value is meant is ambiguous.
        """
        values = [value for key, value in self.params if key == name]
        if len(values) > 1:
            raise InvalidDIDURLError(
                f"Invalid DID URL {_show(str(self))}: "
                f"the parameter {name!r} appears more than once."
            )
        return values[0] if values else None


def parse_did(text: str) -> DID:
    """Parse a DID, rejecting anything the DID syntax does not allow.

    Untrusted input of any JSON type may be passed: a non-string fails with
    :class:`InvalidDIDError` like any other bad value. The last
    :data:`PARSE_CACHE_SIZE` DIDs parsed are remembered (a DID is
    immutable); text that fails is not.

    Spec: https://www.w3.org/TR/did-core/#did-syntax

    Raises:
        InvalidDIDError: ``text`` is not a string, is longer than
            :data:`MAX_DID_LENGTH`, or breaks the DID syntax (a DID URL with a
            path, query or fragment is not a DID).
    """
    return _parse_did(_checked(text, InvalidDIDError, "DID"))


@functools.lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_did(text: str) -> DID:
    match = _PLAIN_DID_RE.fullmatch(text) or _DID_RE.fullmatch(text)
    if match is None:
        if _DID_URL_RE.fullmatch(text) is not None:
            reason = "it is a DID URL with a path, query or fragment, not a DID"
        else:
            reason = _explain_did(text)
        raise InvalidDIDError(f"Invalid DID {_show(text)}: {reason}.")
    return _trusted_did(match["method"], match["msid"])


def parse_did_url(text: str) -> DIDURL:
    """Parse a DID URL (a bare DID is a DID URL too).

    Text that is not even a DID fails with :class:`InvalidDIDURLError` here,
    because the caller asked for a DID URL. The last
    :data:`PARSE_CACHE_SIZE` URLs parsed are remembered (a DID URL is
    immutable); text that fails is not.

    Spec: https://www.w3.org/TR/did-core/#did-url-syntax

    Raises:
        InvalidDIDURLError: ``text`` is not a string, is longer than
            :data:`MAX_DID_LENGTH`, or breaks the DID URL syntax.
    """
    return _parse_did_url(_checked(text, InvalidDIDURLError, "DID URL"))


@functools.lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_did_url(text: str) -> DIDURL:
    match = _PLAIN_DID_URL_RE.fullmatch(text)
    if match is not None:
        method, msid = match["method"], match["msid"]
    else:
        match = _DID_URL_RE.fullmatch(text)
        if match is None:
            raise InvalidDIDURLError(
                f"Invalid DID URL {_show(text)}: {_explain_did_url(text)}."
            )
        method, _, msid = match["did"][4:].partition(":")
    # The grammar matched the whole text, so the components' own checks
    # (DID.__post_init__, DIDURL.__post_init__) could not fail: skip them.
    url = object.__new__(DIDURL)
    object.__setattr__(url, "did", _trusted_did(method, msid))
    object.__setattr__(url, "path", match["path"])
    object.__setattr__(url, "query", match["query"])
    object.__setattr__(url, "fragment", match["fragment"])
    return url


def _trusted_did(method: str, msid: str) -> DID:
    """A DID from components a full match of the grammar gave, unchecked."""
    did = object.__new__(DID)
    object.__setattr__(did, "method", method)
    object.__setattr__(did, "method_specific_id", msid)
    return did


def is_did(text: object) -> bool:
    """Tell whether ``text`` is a string that is a DID (not a DID URL).

    Spec: https://www.w3.org/TR/did-core/#did-syntax
    """
    return is_did_url(text) and (
        _PLAIN_DID_RE.fullmatch(str(text)) is not None
        or _DID_RE.fullmatch(str(text)) is not None
    )


def is_did_url(text: object) -> bool:
    """Tell whether ``text`` is a string that is a DID URL (a DID counts).

    Spec: https://www.w3.org/TR/did-core/#did-url-syntax
    """
    return (
        isinstance(text, str)
        and len(text) <= MAX_DID_LENGTH
        and (
            _PLAIN_DID_URL_RE.fullmatch(text) is not None
            or _DID_URL_RE.fullmatch(text) is not None
        )
    )


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 for a path that starts with ``/``."""
    segments = path.split("/")[1:]
    output: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment in (".", ".."):
            if segment == ".." and output:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/" + "/".join(output)


def resolve_relative(ref: str, base: DID | str) -> DIDURL:
    """Resolve a (relative) DID URL reference such as ``#key-1`` against a DID.

    The algorithm is RFC 3986 §5.2 with the DID as base URI; as DID Core
    §3.2.2 says, ``<method-name>:<method-specific-id>`` plays the part of the
    authority, so ``/path`` and ``path`` both become ``did:...:.../path``.
    An absolute DID URL is returned as parsed.

    Spec: https://www.w3.org/TR/did-core/#relative-did-urls

    Raises:
        InvalidDIDError: ``base`` is a string that is not a DID.
        InvalidDIDURLError: ``ref`` is not a string, is absolute but not a DID
            URL, is a network-path reference (``//...``), or resolves to text
            that breaks the DID URL syntax.
    """
    base_did = parse_did(base) if isinstance(base, str) else base
    if not isinstance(base_did, DID):
        raise TypeError("base must be a DID or a DID string")
    parts = _URI_REFERENCE_RE.fullmatch(
        _checked(ref, InvalidDIDURLError, "DID URL reference")
    )
    if parts is None:  # pragma: no cover - the pattern matches every string
        raise InvalidDIDURLError(f"Invalid DID URL reference {_show(ref)}.")
    if parts["scheme"] is not None:
        return parse_did_url(ref)
    if parts["authority"] is not None:
        raise InvalidDIDURLError(
            f"Invalid DID URL reference {_show(ref)}: "
            "a network-path reference ('//') cannot be resolved against a DID."
        )
    path = parts["path"]
    if path:
        path = _remove_dot_segments(path if path.startswith("/") else "/" + path)
    target = f"{base_did}{path}"
    if parts["query"] is not None:
        target += f"?{parts['query']}"
    if parts["fragment"] is not None:
        target += f"#{parts['fragment']}"
    return parse_did_url(target)
