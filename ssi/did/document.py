"""The DID document data model: DIDDocument, VerificationMethod, Service.

``from_json`` checks the rules of DID Core §5 and converts camelCase JSON
names; ``to_json`` writes them back. Every DID URL in the model is absolute:
relative references such as ``#key-1`` are resolved against the document's
DID when parsed (DID Core §3.2.2). Unknown properties are kept in ``extra``.

Spec: https://www.w3.org/TR/did-core/#core-properties
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, TypeAlias

from ssi.did.syntax import (
    _SCHEME_RE,
    _URI_RE,
    DID,
    _show,
    parse_did,
    parse_did_url,
    resolve_relative,
)
from ssi.errors import DIDNotFoundError, InvalidDIDDocumentError, SSIError
from ssi.types import JsonObject, JsonValue

__all__ = ["RELATIONSHIPS", "DIDDocument", "Service", "VerificationMethod"]

RELATIONSHIPS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "authentication": "authentication",
        "assertionMethod": "assertion_method",
        "capabilityDelegation": "capability_delegation",
        "capabilityInvocation": "capability_invocation",
        "keyAgreement": "key_agreement",
    }
)
"""Verification relationships: JSON name to DIDDocument attribute, in JSON order."""

# RFC 7517 §8.1.1: members of the "Private" information class (and AKP "priv").
_PRIVATE_JWK: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"})
_VM_KEYS: Final = frozenset(
    {"id", "type", "controller", "publicKeyMultibase", "publicKeyJwk"}
)
_SERVICE_KEYS: Final = frozenset({"id", "type", "serviceEndpoint"})
_CORE_KEYS: Final = {"@context", "alsoKnownAs", "controller", "verificationMethod"}
_DOCUMENT_KEYS: Final = frozenset({"id", "service", *_CORE_KEYS, *RELATIONSHIPS})

_Entry: TypeAlias = "str | VerificationMethod"
_KINDS: Final[dict[type, str]] = {str: "string", list: "array", dict: "JSON object"}


def _fail(path: str, problem: str) -> InvalidDIDDocumentError:
    return InvalidDIDDocumentError(f"Invalid DID document: {path} {problem}.")


def _get(obj: JsonValue, key: str, path: str, kind: type | None = None) -> Any:
    """Return ``obj[key]``, failing if ``obj`` is no map or the value is no ``kind``."""
    if not isinstance(obj, dict):
        raise _fail(path, "must be a JSON object")
    if key not in obj:
        raise _fail(path or "the document", f"has no {key!r}")
    value = obj[key]
    if kind is not None and (not isinstance(value, kind) or value in ("", {})):
        where = f"{path}.{key}" if path else key
        raise _fail(where, f"must be a non-empty {_KINDS[kind]}")
    return value


def _check(value: JsonValue, path: str, kind: str, base: DID | None = None) -> str:
    """Check that ``value`` is a DID, DID URL or URI string and return it.

    A relative reference is resolved against ``base`` when one is given.
    """
    if isinstance(value, str):
        checked = _checked(value, kind, base)
        if checked is not None:
            return checked
    raise _fail(path, f"{_show(str(value))} is not a {kind}")


# A fragment reference of plain characters (RFC 3986 section 3.5, without
# percent-encoding): the common "#key-1" needs no full parse.
_PLAIN_FRAGMENT = re.compile(r"#[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*")


@functools.lru_cache(maxsize=8192)
def _checked(value: str, kind: str, base: DID | None) -> str | None:
    """The checked form of ``value``, or None; pure, so remembered."""
    try:
        if base is not None and _SCHEME_RE.match(value) is None:
            if _PLAIN_FRAGMENT.fullmatch(value):
                return str(base) + value
            return str(resolve_relative(value, base))
        if kind == "DID":
            return str(parse_did(value))
        if kind == "DID URL":
            return str(parse_did_url(value))
        if _URI_RE.fullmatch(value):
            return value
    except SSIError:
        pass
    return None


def _unique(items: list[str], path: str) -> tuple[str, ...]:
    for index, item in enumerate(items):
        if item in items[:index]:
            raise _fail(f"{path}[{index}]", f"repeats {_show(item)}")
    return tuple(items)


def _extra(obj: JsonObject, known: frozenset[str]) -> JsonObject:
    return {k: copy.deepcopy(v) for k, v in obj.items() if k not in known}


def _merge(out: JsonObject, extra: JsonObject, known: frozenset[str]) -> JsonObject:
    """Append ``extra`` to ``out``, skipping names the model itself owns."""
    return out | {k: copy.deepcopy(v) for k, v in extra.items() if k not in known}


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """A verification method: a public key or other verification material.

    Attributes:
        id: the method's absolute DID URL.
        type: the verification method type, e.g. ``Multikey``.
        controller: the DID that controls the method.
        public_key_multibase: ``publicKeyMultibase``, if present.
        public_key_jwk: ``publicKeyJwk``, if present (public members only).
        extra: other properties, as found (core names here are not written).

    Spec: https://www.w3.org/TR/did-core/#verification-methods
    """

    id: str
    type: str
    controller: str
    public_key_multibase: str | None = None
    public_key_jwk: JsonObject | None = None
    extra: JsonObject = field(default_factory=dict)

    @classmethod
    def from_json(
        cls, obj: JsonValue, *, base: str | None = None
    ) -> VerificationMethod:
        """Build a verification method from its JSON map.

        A relative ``id`` (``#key-1``) is made absolute against ``base``.

        Spec: https://www.w3.org/TR/did-core/#verification-method-properties

        Raises:
            InvalidDIDDocumentError: ``id``, ``type`` or ``controller`` is missing
                or invalid, both key forms are present, or the JWK is not public.
            InvalidDIDError: ``base`` is not a DID.
        """
        base_did = None if base is None else parse_did(base)
        return _parse_vm(obj, base_did, "verificationMethod")

    def to_json(self) -> JsonObject:
        """Return the JSON map, with camelCase property names.

        Spec: https://www.w3.org/TR/did-core/#verification-method-properties
        """
        out: JsonObject = {"id": self.id, "type": self.type}
        out["controller"] = self.controller
        if self.public_key_multibase is not None:
            out["publicKeyMultibase"] = self.public_key_multibase
        if self.public_key_jwk is not None:
            out["publicKeyJwk"] = copy.deepcopy(self.public_key_jwk)
        return _merge(out, self.extra, _VM_KEYS)


def _parse_vm(obj: JsonValue, base: DID | None, path: str) -> VerificationMethod:
    vm_id = _check(_get(obj, "id", path), f"{path}.id", "DID URL", base)
    vm_type = _get(obj, "type", path, str)
    controller = _check(_get(obj, "controller", path), f"{path}.controller", "DID")
    multibase = jwk = None
    if "publicKeyMultibase" in obj:
        multibase = _get(obj, "publicKeyMultibase", path, str)
    if "publicKeyJwk" in obj:
        jwk = copy.deepcopy(_get(obj, "publicKeyJwk", path, dict))
        if not isinstance(jwk.get("kty"), str):
            raise _fail(f"{path}.publicKeyJwk", "has no string 'kty'")
        if private := sorted(_PRIVATE_JWK & jwk.keys()):
            raise _fail(
                f"{path}.publicKeyJwk", f"holds the private member {private[0]!r}"
            )
        if multibase is not None:
            raise _fail(path, "has both publicKeyMultibase and publicKeyJwk")
    extra = _extra(obj, _VM_KEYS)
    return VerificationMethod(vm_id, vm_type, controller, multibase, jwk, extra)


@dataclass(frozen=True, slots=True)
class Service:
    """A service: a way to interact with the DID subject.

    Attributes:
        id: the service's URI, absolute when a base DID was known.
        type: one type, or a tuple of types when the JSON held an array.
        service_endpoint: a URI string, a map, or a list of those, as found.
        extra: other properties, as found (core names here are not written).

    Spec: https://www.w3.org/TR/did-core/#services
    """

    id: str
    type: str | tuple[str, ...]
    service_endpoint: JsonValue
    extra: JsonObject = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: JsonValue, *, base: str | None = None) -> Service:
        """Build a service from its JSON map.

        A relative ``id`` (``#agent``) is made absolute against ``base``.

        Spec: https://www.w3.org/TR/did-core/#service-properties

        Raises:
            InvalidDIDDocumentError: ``id``, ``type`` or ``serviceEndpoint`` is
                missing or has a value DID Core does not allow.
            InvalidDIDError: ``base`` is not a DID.
        """
        base_did = None if base is None else parse_did(base)
        return _parse_service(obj, base_did, "service")

    def to_json(self) -> JsonObject:
        """Return the JSON map, with camelCase property names.

        Spec: https://www.w3.org/TR/did-core/#service-properties
        """
        service_type = self.type if isinstance(self.type, str) else list(self.type)
        endpoint = copy.deepcopy(self.service_endpoint)
        out = {"id": self.id, "type": service_type, "serviceEndpoint": endpoint}
        return _merge(out, self.extra, _SERVICE_KEYS)


def _parse_service(obj: JsonValue, base: DID | None, path: str) -> Service:
    service_id = _check(_get(obj, "id", path), f"{path}.id", "URI", base)
    service_type = _get(obj, "type", path)
    if isinstance(service_type, list) and service_type:
        for index, item in enumerate(service_type):
            if not isinstance(item, str) or not item:
                raise _fail(f"{path}.type[{index}]", "must be a non-empty string")
        service_type = _unique(service_type, f"{path}.type")
    elif not isinstance(service_type, str) or not service_type:
        raise _fail(f"{path}.type", "must be a non-empty string or array of strings")
    endpoint = _get(obj, "serviceEndpoint", path)
    items = endpoint if isinstance(endpoint, list) else [endpoint]
    if not items:
        raise _fail(f"{path}.serviceEndpoint", "must not be an empty array")
    for index, item in enumerate(items):
        where = f"{path}.serviceEndpoint" + (f"[{index}]" if items is endpoint else "")
        if isinstance(item, str):
            _check(item, where, "URI")
        elif not isinstance(item, dict):
            raise _fail(where, "must be a URI string or a map")
    extra = _extra(obj, _SERVICE_KEYS)
    return Service(service_id, service_type, copy.deepcopy(endpoint), extra)


def _parse_relationship(value: JsonValue, base: DID, name: str) -> tuple[_Entry, ...]:
    if not isinstance(value, list):
        raise _fail(name, "must be an array")
    entries: list[_Entry] = []
    for index, item in enumerate(value):
        path = f"{name}[{index}]"
        if isinstance(item, dict):
            entries.append(_parse_vm(item, base, path))
        elif (reference := _check(item, path, "DID URL", base)) in entries:
            raise _fail(path, f"repeats {_show(reference)}")
        else:
            entries.append(reference)
    return tuple(entries)


_FOUND_SIZE = 4096
_FOUND: dict[tuple[int, str, str | None], tuple[DIDDocument, VerificationMethod]] = {}
"""Successful lookups by (document identity, URL, relationship); the entry
keeps its document alive, so an identity is never reused while it is cached."""


@dataclass(frozen=True, slots=True)
class DIDDocument:
    """A DID document: the DID subject's verification methods and services.

    Each verification relationship holds, in document order, absolute DID
    URLs of methods defined elsewhere and embedded methods.

    Attributes:
        id: the DID of the subject.
        context: the ``@context`` entries, as found.
        also_known_as: other URIs for the subject.
        controller: the DIDs of the document's controllers.
        verification_method: the methods in ``verificationMethod``.
        authentication: the ``authentication`` relationship; likewise
            ``assertion_method``, ``key_agreement``, ``capability_invocation``
            and ``capability_delegation``.
        service: the services.
        extra: other properties, as found (core names here are not written).
        single_values: JSON names (``@context``, ``controller``) whose value was
            one bare item, not an array; ``to_json`` keeps that shape.

    Spec: https://www.w3.org/TR/did-core/#core-properties
    """

    id: str
    context: tuple[JsonValue, ...] = ()
    also_known_as: tuple[str, ...] = ()
    controller: tuple[str, ...] = ()
    verification_method: tuple[VerificationMethod, ...] = ()
    authentication: tuple[str | VerificationMethod, ...] = ()
    assertion_method: tuple[str | VerificationMethod, ...] = ()
    key_agreement: tuple[str | VerificationMethod, ...] = ()
    capability_invocation: tuple[str | VerificationMethod, ...] = ()
    capability_delegation: tuple[str | VerificationMethod, ...] = ()
    service: tuple[Service, ...] = ()
    extra: JsonObject = field(default_factory=dict)
    single_values: frozenset[str] = field(default=frozenset(), compare=False)

    @classmethod
    def from_json(cls, obj: JsonValue) -> DIDDocument:
        """Validate a DID document's JSON and build the model.

        Checks that ``id`` is a DID, ``controller`` a DID or set of DIDs, the
        verification methods valid with ids unique across the document
        (embedded methods and services included), relationship entries DID
        URLs or embedded methods, and services valid. ``@context`` and unknown
        properties are kept as found.

        Spec: https://www.w3.org/TR/did-core/#core-properties

        Raises:
            InvalidDIDDocumentError: a rule is broken; the message names the
                field path, such as ``verificationMethod[1].controller``.
        """
        top = ""
        if not isinstance(obj, dict):
            raise _fail("the document", "must be a JSON object")
        doc: JsonObject = obj
        fields: dict[str, Any] = {"id": _check(_get(doc, "id", top), "id", "DID")}
        base = parse_did(fields["id"])
        single = {k for k in ("@context", "controller") if k in doc}
        single = {k for k in single if not isinstance(doc[k], list)}
        if "@context" in doc:
            context = [doc["@context"]] if "@context" in single else doc["@context"]
            fields["context"] = tuple(copy.deepcopy(context))
        if "controller" in doc:
            items = [doc["controller"]] if "controller" in single else doc["controller"]
            dids = [_check(c, f"controller[{i}]", "DID") for i, c in enumerate(items)]
            fields["controller"] = _unique(dids, "controller")
        if "alsoKnownAs" in doc:
            aliases = _get(doc, "alsoKnownAs", top, list)
            uris = [
                _check(a, f"alsoKnownAs[{i}]", "URI") for i, a in enumerate(aliases)
            ]
            fields["also_known_as"] = _unique(uris, "alsoKnownAs")
        if "verificationMethod" in doc:
            methods = enumerate(_get(doc, "verificationMethod", top, list))
            vms = [_parse_vm(m, base, f"verificationMethod[{i}]") for i, m in methods]
            fields["verification_method"] = tuple(vms)
        for name, attribute in RELATIONSHIPS.items():
            if name in doc:
                fields[attribute] = _parse_relationship(doc[name], base, name)
        if "service" in doc:
            services = enumerate(_get(doc, "service", top, list))
            fields["service"] = tuple(
                _parse_service(s, base, f"service[{i}]") for i, s in services
            )
        extra = _extra(doc, _DOCUMENT_KEYS)
        document = cls(**fields, extra=extra, single_values=frozenset(single))
        seen: dict[str, str] = {}
        for path, identifier in document._ids():
            if identifier in seen:
                problem = f"repeats the id {_show(identifier)} of {seen[identifier]}"
                raise _fail(f"{path}.id", problem)
            seen[identifier] = path
        return document

    def _ids(self) -> list[tuple[str, str]]:
        """List (field path, id) for every method and service in the document."""
        vms = enumerate(self.verification_method)
        ids = [(f"verificationMethod[{i}]", m.id) for i, m in vms]
        for name, attribute in RELATIONSHIPS.items():
            entries = enumerate(getattr(self, attribute))
            ids += [
                (f"{name}[{i}]", e.id) for i, e in entries if not isinstance(e, str)
            ]
        return ids + [(f"service[{i}]", s.id) for i, s in enumerate(self.service)]

    def to_json(self) -> JsonObject:
        """Return the document as JSON, with its properties in a fixed order.

        The order is ``@context``, ``id``, ``alsoKnownAs``, ``controller``,
        ``verificationMethod``, the relationships in :data:`RELATIONSHIPS`
        order, ``service``, then ``extra``. Empty properties are left out.

        Spec: https://www.w3.org/TR/did-core/#production-and-consumption
        """
        out: JsonObject = {}
        if self.context:
            bare = "@context" in self.single_values and len(self.context) == 1
            out["@context"] = copy.deepcopy(
                self.context[0] if bare else list(self.context)
            )
        out["id"] = self.id
        if self.also_known_as:
            out["alsoKnownAs"] = list(self.also_known_as)
        if self.controller:
            bare = "controller" in self.single_values and len(self.controller) == 1
            out["controller"] = self.controller[0] if bare else list(self.controller)
        if self.verification_method:
            out["verificationMethod"] = [m.to_json() for m in self.verification_method]
        for name, attribute in RELATIONSHIPS.items():
            if entries := getattr(self, attribute):
                out[name] = [e if isinstance(e, str) else e.to_json() for e in entries]
        if self.service:
            out["service"] = [s.to_json() for s in self.service]
        return _merge(out, self.extra, _DOCUMENT_KEYS)

    def _methods(self) -> list[VerificationMethod]:
        """Every method defined in the document, top-level ones first."""
        methods = list(self.verification_method)
        for attribute in RELATIONSHIPS.values():
            methods += [e for e in getattr(self, attribute) if not isinstance(e, str)]
        return methods

    def _entries(self, relationship: str) -> tuple[_Entry, ...]:
        if relationship not in RELATIONSHIPS:
            known = ", ".join(RELATIONSHIPS)
            raise ValueError(
                f"unknown relationship {relationship!r}; use one of {known}"
            )
        entries: tuple[_Entry, ...] = getattr(self, RELATIONSHIPS[relationship])
        return entries

    def _method(self, entry: _Entry) -> VerificationMethod | None:
        """The method a relationship entry names, if this document defines it."""
        if not isinstance(entry, str):
            return entry
        # References read by from_json are absolute already; documents built in
        # code may still hold relative ones.
        if entry.startswith("#"):
            target = self.id + entry
        elif entry.startswith("did:"):
            target = entry
        else:
            target = str(resolve_relative(entry, self.id))
        # Top-level methods first, as _methods() lists them, without the list.
        for method in self.verification_method:
            if method.id == target:
                return method
        return next((m for m in self._methods() if m.id == target), None)

    def find_verification_method(
        self, url: str, relationship: str | None = None
    ) -> VerificationMethod:
        """Find a verification method by its DID URL or ``#fragment``.

        With ``relationship`` (a JSON name such as ``assertionMethod``) the
        method must also be listed under that relationship, by reference or
        embedded; a method only present elsewhere does not count. Successful
        lookups are remembered for the same document object, since verifiers
        ask the same question of a cached document many times.

        Spec: https://www.w3.org/TR/did-core/#verification-relationships

        Raises:
            InvalidDIDURLError: ``url`` is not a DID URL or relative reference.
            DIDNotFoundError: the document has no such method, or does not
                list it under ``relationship``.
            ValueError: ``relationship`` is not a key of :data:`RELATIONSHIPS`.
        """
        key = (id(self), url, relationship)
        found = _FOUND.get(key)
        if found is not None and found[0] is self:
            return found[1]
        method = self._find_verification_method(url, relationship)
        if len(_FOUND) >= _FOUND_SIZE:
            _FOUND.clear()
        _FOUND[key] = (self, method)
        return method

    def _find_verification_method(
        self, url: str, relationship: str | None = None
    ) -> VerificationMethod:
        """Look the method up; see :meth:`find_verification_method`."""
        entries: Sequence[_Entry] = (
            self._methods() if relationship is None else self._entries(relationship)
        )
        # Most lookups name an absolute URL exactly as the document spells it;
        # anything else is parsed and resolved against the document's DID.
        exact = url if url.startswith(self.id + "#") else None
        target = exact or str(resolve_relative(url, self.id))
        for entry in entries:
            if (method := self._method(entry)) is not None and method.id == target:
                return method
        if exact is not None:
            target = str(resolve_relative(url, self.id))
            for entry in entries:
                method = self._method(entry)
                if method is not None and method.id == target:
                    return method
        where = f" under {relationship}" if relationship else ""
        raise DIDNotFoundError(
            f"The DID document {_show(self.id)} has no verification method "
            f"{_show(target)}{where}."
        )

    def verification_methods_for(
        self, relationship: str
    ) -> tuple[VerificationMethod, ...]:
        """Return the methods listed under a relationship, in document order.

        References to methods in other DID documents are left out: following
        them needs a resolver.

        Spec: https://www.w3.org/TR/did-core/#verification-relationships

        Raises:
            ValueError: ``relationship`` is not a key of :data:`RELATIONSHIPS`.
        """
        found = (self._method(entry) for entry in self._entries(relationship))
        return tuple(method for method in found if method is not None)

    def find_service(self, id_or_fragment: str) -> Service:
        """Find a service by absolute id, ``#fragment`` or bare fragment name.

        A bare name (``agent``, as in the ``service`` DID parameter) matches
        the service with id ``<document DID>#agent``, else the only service
        whose id has that fragment.

        Spec: https://www.w3.org/TR/did-core/#services

        Raises:
            DIDNotFoundError: no service matches, or more than one does.
        """
        name = id_or_fragment
        if name.startswith("#"):
            name = f"{self.id}{name}"
        matches = [s for s in self.service if s.id == name]
        if not matches and _SCHEME_RE.match(name) is None:
            exact = [s for s in self.service if s.id == f"{self.id}#{name}"]
            fragment = [s for s in self.service if s.id.partition("#")[2] == name]
            matches = exact or fragment
        if len(matches) != 1:
            problem = "more than one service" if matches else "no service"
            raise DIDNotFoundError(
                f"The DID document {_show(self.id)} has {problem} "
                f"{_show(id_or_fragment)}."
            )
        return matches[0]
