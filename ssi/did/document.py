"""The DID document data model: DIDDocument, VerificationMethod, Service.

``from_json`` validates the rules of DID Core §5 and converts the camelCase
JSON names; ``to_json`` writes them back. Every DID URL in the model is
absolute: relative references such as ``#key-1`` are resolved against the
document's DID when parsed (DID Core §3.2.2), so lookups compare plain
strings. Properties the model does not know are kept in ``extra``.

Spec: https://www.w3.org/TR/did-core/#core-properties
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from ssi.did.syntax import (
    _SCHEME_RE,
    _URI_RE,
    DID,
    _show,
    parse_did,
    parse_did_url,
    resolve_relative,
)
from ssi.errors import (
    DIDNotFoundError,
    InvalidDIDDocumentError,
    InvalidDIDError,
    InvalidDIDURLError,
)
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
"""Verification relationships: JSON name to DIDDocument attribute, in output order."""

# RFC 7517 §8.1.1: members of the "Private" information class (and AKP "priv").
_PRIVATE_JWK: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"})
_VM_KEYS: Final = frozenset({"id", "type", "controller"})
_SERVICE_KEYS: Final = frozenset({"id", "type", "serviceEndpoint"})
_DOCUMENT_KEYS: Final = frozenset(
    {"@context", "id", "alsoKnownAs", "controller", "verificationMethod", "service"}
) | frozenset(RELATIONSHIPS)

Entry = str | Any  # Private alias for relationship entries while parsing.


def _fail(path: str, problem: str) -> InvalidDIDDocumentError:
    return InvalidDIDDocumentError(f"Invalid DID document: {path} {problem}.")


def _get(obj: JsonObject, key: str, path: str, kind: type | None = None) -> Any:
    """Return ``obj[key]``, failing when it is missing or not of ``kind``."""
    if key not in obj:
        raise _fail(path, f"has no {key!r}")
    value = obj[key]
    if kind is not None and not isinstance(value, kind):
        raise _fail(f"{path}.{key}", f"must be {'an array' if kind is list else 'a string'}")
    if kind is str and not value:
        raise _fail(f"{path}.{key}", "must not be empty")
    return value


def _object(value: JsonValue, path: str) -> JsonObject:
    if not isinstance(value, dict):
        raise _fail(path, "must be a JSON object")
    return value


def _did(value: JsonValue, path: str) -> str:
    if isinstance(value, str):
        try:
            return str(parse_did(value))
        except InvalidDIDError:
            pass
    raise _fail(path, f"{_show(str(value))} is not a DID")


def _did_url(value: JsonValue, base: DID | None, path: str) -> str:
    """Check a DID URL, making a relative one absolute against ``base``."""
    if isinstance(value, str):
        try:
            if _SCHEME_RE.match(value) is not None:
                return str(parse_did_url(value))
            if base is not None:
                return str(resolve_relative(value, base))
        except InvalidDIDURLError:
            pass
    raise _fail(path, f"{_show(str(value))} is not a DID URL")


def _uri(value: JsonValue, base: DID | None, path: str) -> str:
    """Check a URI; a relative reference is resolved against ``base`` if given."""
    if isinstance(value, str) and base is not None and not _SCHEME_RE.match(value):
        return _did_url(value, base, path)
    if not isinstance(value, str) or _URI_RE.fullmatch(value) is None:
        raise _fail(path, f"{_show(str(value))} is not a URI")
    return value


def _unique(items: list[str], path: str) -> tuple[str, ...]:
    for index, item in enumerate(items):
        if item in items[:index]:
            raise _fail(f"{path}[{index}]", f"repeats {_show(item)}")
    return tuple(items)


def _extra(obj: JsonObject, known: frozenset[str]) -> JsonObject:
    return {k: copy.deepcopy(v) for k, v in obj.items() if k not in known}


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """A verification method: a public key or other verification material.

    Attributes:
        id: the method's absolute DID URL.
        type: the verification method type, e.g. ``Multikey``.
        controller: the DID that controls the method.
        public_key_multibase: ``publicKeyMultibase``, if present.
        public_key_jwk: ``publicKeyJwk``, if present (public members only).
        extra: every other property, as found.

    Spec: https://www.w3.org/TR/did-core/#verification-methods
    """

    id: str
    type: str
    controller: str
    public_key_multibase: str | None = None
    public_key_jwk: JsonObject | None = None
    extra: JsonObject = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: JsonValue, *, base: str | None = None) -> VerificationMethod:
        """Build a verification method from its JSON map.

        A relative ``id`` (``#key-1``) is made absolute against ``base``.

        Spec: https://www.w3.org/TR/did-core/#verification-method-properties

        Raises:
            InvalidDIDDocumentError: ``id``, ``type`` or ``controller`` is missing
                or invalid, both key forms are present, or the JWK is not public.
            InvalidDIDError: ``base`` is not a DID.
        """
        return _parse_vm(obj, None if base is None else parse_did(base), "verificationMethod")

    def to_json(self) -> JsonObject:
        """Return the JSON map, with camelCase property names.

        Spec: https://www.w3.org/TR/did-core/#verification-method-properties
        """
        out: JsonObject = {"id": self.id, "type": self.type, "controller": self.controller}
        if self.public_key_multibase is not None:
            out["publicKeyMultibase"] = self.public_key_multibase
        if self.public_key_jwk is not None:
            out["publicKeyJwk"] = copy.deepcopy(self.public_key_jwk)
        return out | {k: copy.deepcopy(v) for k, v in self.extra.items() if k not in out}


def _parse_vm(value: JsonValue, base: DID | None, path: str) -> VerificationMethod:
    obj = _object(value, path)
    vm_id = _did_url(_get(obj, "id", path), base, f"{path}.id")
    vm_type = _get(obj, "type", path, str)
    controller = _did(_get(obj, "controller", path), f"{path}.controller")
    extra = _extra(obj, _VM_KEYS)
    multibase = extra.pop("publicKeyMultibase", None)
    if "publicKeyMultibase" in obj:
        _get(obj, "publicKeyMultibase", path, str)
    jwk = extra.pop("publicKeyJwk", None)
    if "publicKeyJwk" in obj:
        where = f"{path}.publicKeyJwk"
        if not isinstance(_object(jwk, where).get("kty"), str):
            raise _fail(where, "has no string 'kty'")
        if private := sorted(_PRIVATE_JWK & jwk.keys()):
            raise _fail(where, f"holds the private key member {private[0]!r}")
        if multibase is not None:
            raise _fail(path, "has both publicKeyMultibase and publicKeyJwk")
    return VerificationMethod(vm_id, vm_type, controller, multibase, jwk, extra)


@dataclass(frozen=True, slots=True)
class Service:
    """A service: a way to interact with the DID subject.

    Attributes:
        id: the service's URI, absolute when a base DID was known.
        type: one type, or a tuple of types when the JSON held an array.
        service_endpoint: a URI string, a map, or a list of those, as found.
        extra: every other property, as found.

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
        return _parse_service(obj, None if base is None else parse_did(base), "service")

    def to_json(self) -> JsonObject:
        """Return the JSON map, with camelCase property names.

        Spec: https://www.w3.org/TR/did-core/#service-properties
        """
        out: JsonObject = {
            "id": self.id,
            "type": self.type if isinstance(self.type, str) else list(self.type),
            "serviceEndpoint": copy.deepcopy(self.service_endpoint),
        }
        return out | {k: copy.deepcopy(v) for k, v in self.extra.items() if k not in out}


def _parse_service(value: JsonValue, base: DID | None, path: str) -> Service:
    obj = _object(value, path)
    service_id = _uri(_get(obj, "id", path), base, f"{path}.id")
    service_type = _get(obj, "type", path)
    if isinstance(service_type, list) and service_type:
        if not all(isinstance(item, str) and item for item in service_type):
            raise _fail(f"{path}.type", "must hold only non-empty strings")
        service_type = _unique(service_type, f"{path}.type")
    elif not isinstance(service_type, str) or not service_type:
        raise _fail(f"{path}.type", "must be a non-empty string or array of strings")
    endpoint = _get(obj, "serviceEndpoint", path)
    where = f"{path}.serviceEndpoint"
    for index, item in enumerate(endpoint if isinstance(endpoint, list) else [endpoint]):
        item_path = f"{where}[{index}]" if isinstance(endpoint, list) else where
        if isinstance(item, str):
            _uri(item, None, item_path)
        elif not isinstance(item, dict):
            raise _fail(item_path, "must be a URI string or a map")
    if endpoint == []:
        raise _fail(where, "must not be an empty array")
    return Service(service_id, service_type, copy.deepcopy(endpoint), _extra(obj, _SERVICE_KEYS))


def _parse_relationship(value: JsonValue, base: DID, name: str) -> tuple[Entry, ...]:
    if not isinstance(value, list):
        raise _fail(name, "must be an array")
    entries: list[Entry] = []
    for index, item in enumerate(value):
        path = f"{name}[{index}]"
        if isinstance(item, dict):
            entries.append(_parse_vm(item, base, path))
        elif (reference := _did_url(item, base, path)) in entries:
            raise _fail(path, f"repeats {_show(reference)}")
        else:
            entries.append(reference)
    return tuple(entries)


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
        authentication: the ``authentication`` relationship (likewise
            ``assertion_method``, ``key_agreement``, ``capability_invocation``
            and ``capability_delegation``).
        service: the services.
        extra: every other property, as found.
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
    single_values: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: JsonValue) -> DIDDocument:
        """Validate a DID document's JSON and build the model.

        Checks DID Core's rules: ``id`` is a DID; ``controller`` is a DID or a
        set of DIDs; verification methods are valid and their ids unique
        across the document (embedded ones and service ids included);
        relationship entries are DID URLs or embedded methods; services are
        valid. ``@context`` and unknown properties are kept as found.

        Spec: https://www.w3.org/TR/did-core/#core-properties

        Raises:
            InvalidDIDDocumentError: a rule is broken; the message names the
                field path, such as ``verificationMethod[1].controller``.
        """
        doc = _object(obj, "the document")
        fields: dict[str, Any] = {"id": _did(_get(doc, "id", "the document"), "id")}
        base = parse_did(fields["id"])
        single = {key for key in ("@context", "controller") if key in doc}
        for key, attribute in (("@context", "context"), ("controller", "controller")):
            if key in doc:
                value = doc[key]
                single &= set() if isinstance(value, list) else {key}
                fields[attribute] = tuple(value if isinstance(value, list) else [value])
        fields["context"] = copy.deepcopy(fields.get("context", ()))
        controllers = [_did(c, f"controller[{i}]") for i, c in enumerate(fields.get("controller", ()))]
        fields["controller"] = _unique(controllers, "controller")
        if "alsoKnownAs" in doc:
            aliases = _get(doc, "alsoKnownAs", "the document", list)
            uris = [_uri(a, None, f"alsoKnownAs[{i}]") for i, a in enumerate(aliases)]
            fields["also_known_as"] = _unique(uris, "alsoKnownAs")
        if "verificationMethod" in doc:
            methods = _get(doc, "verificationMethod", "the document", list)
            fields["verification_method"] = tuple(
                _parse_vm(m, base, f"verificationMethod[{i}]") for i, m in enumerate(methods)
            )
        for name, attribute in RELATIONSHIPS.items():
            if name in doc:
                fields[attribute] = _parse_relationship(doc[name], base, name)
        if "service" in doc:
            services = _get(doc, "service", "the document", list)
            fields["service"] = tuple(
                _parse_service(s, base, f"service[{i}]") for i, s in enumerate(services)
            )
        document = cls(**fields, extra=_extra(doc, _DOCUMENT_KEYS), single_values=frozenset(single))
        seen: dict[str, str] = {}
        for path, identifier in document._ids():
            if identifier in seen:
                raise _fail(f"{path}.id", f"repeats the id {_show(identifier)} of {seen[identifier]}")
            seen[identifier] = path
        return document

    def _ids(self) -> list[tuple[str, str]]:
        """List (field path, id) for every method and service in the document."""
        ids = [(f"verificationMethod[{i}]", m.id) for i, m in enumerate(self.verification_method)]
        for name, attribute in RELATIONSHIPS.items():
            entries = enumerate(getattr(self, attribute))
            ids += [(f"{name}[{i}]", e.id) for i, e in entries if not isinstance(e, str)]
        return ids + [(f"service[{i}]", s.id) for i, s in enumerate(self.service)]

    def to_json(self) -> JsonObject:
        """Return the document as JSON, with its properties in a fixed order.

        The order is ``@context``, ``id``, ``alsoKnownAs``, ``controller``,
        ``verificationMethod``, the relationships in :data:`RELATIONSHIPS`
        order, ``service``, then ``extra``. Empty properties are left out.

        Spec: https://www.w3.org/TR/did-core/#production-and-consumption
        """
        out: JsonObject = {}
        for key, values in (("@context", self.context), ("id", (self.id,))):
            if values:
                bare = key == "id" or (key in self.single_values and len(values) == 1)
                out[key] = copy.deepcopy(values[0] if bare else list(values))
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
        return out | {k: copy.deepcopy(v) for k, v in self.extra.items() if k not in out}

    def _methods(self) -> list[VerificationMethod]:
        """Every verification method in the document, top-level ones first."""
        methods = list(self.verification_method)
        for attribute in RELATIONSHIPS.values():
            methods += [e for e in getattr(self, attribute) if not isinstance(e, str)]
        return methods

    def _resolve(self, entry: str | VerificationMethod) -> VerificationMethod | None:
        if not isinstance(entry, str):
            return entry
        target = str(resolve_relative(entry, self.id))
        return next((m for m in self._methods() if m.id == target), None)

    def _relationship(self, name: str) -> tuple[str | VerificationMethod, ...]:
        if name not in RELATIONSHIPS:
            raise ValueError(f"unknown verification relationship {name!r}; use one of {', '.join(RELATIONSHIPS)}")
        entries: tuple[str | VerificationMethod, ...] = getattr(self, RELATIONSHIPS[name])
        return entries

    def find_verification_method(self, url: str, relationship: str | None = None) -> VerificationMethod:
        """Find a verification method by its DID URL or ``#fragment``.

        With ``relationship`` (a JSON name such as ``assertionMethod``) the
        method must also be listed under that relationship, by reference or
        embedded; a method that is only present elsewhere does not count.

        Spec: https://www.w3.org/TR/did-core/#verification-relationships

        Raises:
            InvalidDIDURLError: ``url`` is not a DID URL or relative reference.
            DIDNotFoundError: the document has no such method, or does not
                list it under ``relationship``.
            ValueError: ``relationship`` is not a key of :data:`RELATIONSHIPS`.
        """
        target = str(resolve_relative(url, self.id))
        entries = self._methods() if relationship is None else self._relationship(relationship)
        for entry in entries:
            if (entry if isinstance(entry, str) else entry.id) == target or (
                isinstance(entry, str) and str(resolve_relative(entry, self.id)) == target
            ):
                if (method := self._resolve(entry)) is not None:
                    return method
        where = f" under {relationship}" if relationship else ""
        raise DIDNotFoundError(
            f"The DID document {_show(self.id)} defines no verification method "
            f"{_show(target)}{where}."
        )

    def verification_methods_for(self, relationship: str) -> tuple[VerificationMethod, ...]:
        """Return the methods listed under a relationship, in document order.

        References to methods in other DID documents are left out: following
        them needs a resolver.

        Spec: https://www.w3.org/TR/did-core/#verification-relationships

        Raises:
            ValueError: ``relationship`` is not a key of :data:`RELATIONSHIPS`.
        """
        found = (self._resolve(entry) for entry in self._relationship(relationship))
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
            matches = exact or [s for s in self.service if s.id.partition("#")[2] == name]
        if len(matches) != 1:
            problem = "more than one service" if matches else "no service"
            raise DIDNotFoundError(f"The DID document {_show(self.id)} has {problem} {_show(id_or_fragment)}.")
        return matches[0]
