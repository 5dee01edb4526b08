"""Verify credentials and presentations; every input gets a report, none raises.

Checks, in order: ``parsing`` (JSON, size, depth), ``model`` (VC Data Model
2.0 or 1.1), ``context`` (every context is one the loader knows, the
top-level one and every ``@context`` embedded at any depth), ``proof`` (each
proof that concerns the check, as ``ProofPurpose.match`` decides: suite
allowed, key found and authorized for the purpose, issuer or holder controls
it, signature; proofs of other purposes, or by other DIDs beside one by the
issuer or holder, are not verified and leave a ``proofNotMatched`` warning),
``validity`` (the validity period, for
credentials), ``status`` (when the credential has ``credentialStatus``) and,
for presentations that require it, ``holderBinding``. A check that cannot run
is a failed check. ``ssi.credentials.Verifier`` holds these options as one
reusable configuration and adds ``verify_many``.

A presentation's verifier states what it expects: a ``challenge`` and a
``domain``, each a non-empty string that the proof must carry, or ``False``
to skip that check on purpose, which the report records as a warning
(``challengeNotChecked``, ``domainNotChecked``). Holder binding follows VC 2.0
(Validation, Holder): a credential is bound to the presentation when its
``holder`` is the ``id`` of at least one of its ``credentialSubject``
objects. Every credential that is not bound gets a ``holderNotSubject``
warning, or, with ``require_holder_binding=True``, a ``holderNotSubject``
problem that fails the presentation.

Status is checked by a :class:`StatusChecker` passed as ``status=`` (the
Bitstring Status List one is ``ssi.status.BitstringStatusChecker``; this layer
only defines the protocol, so credentials never import status). Without one,
a credential with ``credentialStatus`` fails its ``status`` check: its status
is unknown. The checker verifies status list credentials with this module's
own :func:`verify` and the same options, status checking off.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#verification,
https://www.w3.org/TR/vc-data-integrity/#verify-proof
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from ssi.credentials.json_input import (
    CheckedObject,
    check_json_value,
    load_json,
    path_to,
)
from ssi.credentials.model import (
    Credential,
    Presentation,
    parse_credential,
    parse_presentation,
)
from ssi.credentials.report import Check, Problem, ReportWarning, VerificationReport
from ssi.credentials.threshold import issuer_threshold
from ssi.did.resolution import Resolver
from ssi.errors import (
    CryptographicSecurityError,
    DocumentLoadError,
    HolderBindingError,
    InvalidProofPurposeError,
    MalformedValueError,
    ParsingError,
    SSIError,
    StatusRetrievalError,
    StatusVerificationError,
    ValidityRangeError,
)
from ssi.jsonld.loader import BundledLoader, DocumentLoader, default_loader
from ssi.proofs import (
    DEFAULT_SKEW,
    AssertionMethodPurpose,
    AuthenticationPurpose,
    ProofPurpose,
    SuiteRegistry,
    VerifiedProof,
    default_registry,
    proofs_of,
    verify_proof,
)
from ssi.types import JsonObject, JsonValue

__all__ = [
    "StatusChecker",
    "StatusOutcome",
    "verify",
    "verify_presentation",
    "verify_read",
]


class StatusOutcome(Protocol):
    """What a status check that passed reports."""

    @property
    def detail(self) -> str:
        """One line for the report, such as ``revocation: not revoked``."""
        ...

    @property
    def warnings(self) -> tuple[str, ...]:
        """Information for ``report.warnings`` (a status message, say)."""
        ...


class StatusChecker(Protocol):
    """Checks one ``credentialStatus`` entry of a credential.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#status
    """

    def check(
        self,
        credential: Credential,
        entry: JsonObject,
        *,
        verify_list: Callable[[JsonObject], VerificationReport],
        now: datetime,
    ) -> StatusOutcome:
        """Return the outcome, or raise when the status rules the credential out.

        ``verify_list`` verifies a status list credential with the same
        options as the credential, status checking off.

        Raises:
            SSIError: the status is set (revoked, suspended) or cannot be
                established; the error names which.
        """
        ...


class _Run:
    """Collects the checks and problems of one verification."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.checks: list[Check] = []
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def passed(self, name: str, detail: str = "") -> None:
        self.checks.append(_passed(name, detail))

    def failed(self, name: str, error: SSIError) -> None:
        self.checks.append(Check(name, False, error.detail))
        self.problems.append(Problem(name, error))

    def report(
        self, credentials: tuple[VerificationReport, ...] = ()
    ) -> VerificationReport:
        return VerificationReport(
            self.kind,
            tuple(self.checks),
            tuple(self.problems),
            tuple(self.warnings),
            credentials,
        )


@functools.lru_cache(maxsize=1024)
def _passed(name: str, detail: str) -> Check:
    """A passed check; checks are immutable, and the same few pass every time
    (``parsing``, ``context``, a proof by one issuer's key), so they are shared."""
    return Check(name, True, detail)


class _Options:
    """The verification options shared by a presentation and its credentials."""

    def __init__(
        self,
        *,
        resolver: Resolver | None,
        suites: SuiteRegistry | Iterable[str] | None,
        loader: DocumentLoader | None,
        now: datetime | None,
        skew: timedelta,
        status: StatusChecker | None = None,
    ) -> None:
        self.resolver = resolver
        self.registry = _registry(suites)
        self.loader = loader or default_loader()
        self.now = now or datetime.now(UTC)
        self.skew = skew
        self.status = status

    def verify_list(self, document: JsonObject) -> VerificationReport:
        """Verify a status list credential with these options, status off."""
        return verify(
            document,
            resolver=self.resolver,
            suites=self.registry,
            loader=self.loader,
            now=self.now,
            skew=self.skew,
        )


def _registry(suites: SuiteRegistry | Iterable[str] | None) -> SuiteRegistry:
    if suites is None:
        return default_registry()
    if isinstance(suites, SuiteRegistry):
        return suites
    names = [suites] if isinstance(suites, str) else list(suites)
    every = default_registry()
    return SuiteRegistry(every.get(name) for name in names)


def verify(
    credential: JsonValue | str | bytes,
    *,
    resolver: Resolver | None = None,
    suites: SuiteRegistry | Iterable[str] | None = None,
    loader: DocumentLoader | None = None,
    now: datetime | None = None,
    skew: timedelta = DEFAULT_SKEW,
    status: StatusChecker | None = None,
) -> VerificationReport:
    """Verify a credential (a JSON object, or JSON text or bytes).

    Args:
        credential: the secured credential.
        resolver: resolves DIDs of verification methods (default: did:key, did:jwk).
        suites: the cryptosuites accepted (names or a registry; default: all shipped).
        loader: the JSON-LD document loader (default: bundled contexts only).
        now: the time to check validity against (default: the system clock).
        skew: tolerance for clock differences on time checks.
        status: checks ``credentialStatus`` entries (such as
            ``ssi.status.BitstringStatusChecker(source)``); without one, a
            credential that has status fails the ``status`` check.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verification

    Returns:
        The report; ``report.verified`` is true only if every check passed.
    """
    return verify_read(
        credential,
        resolver=resolver,
        suites=suites,
        loader=loader,
        now=now,
        skew=skew,
        status=status,
    )[0]


def verify_read(
    credential: JsonValue | str | bytes | CheckedObject,
    *,
    resolver: Resolver | None = None,
    suites: SuiteRegistry | Iterable[str] | None = None,
    loader: DocumentLoader | None = None,
    now: datetime | None = None,
    skew: timedelta = DEFAULT_SKEW,
    status: StatusChecker | None = None,
) -> tuple[VerificationReport, Credential | None]:
    """Verify a credential as :func:`verify` does, and also return the data
    model summary the verification parsed (None if it could not), so a caller
    that reads the credential next does not parse it again.

    Args:
        credential: as for :func:`verify`, or a :class:`CheckedObject`
            (a credential already checked as JSON and canonicalized), which
            is not checked again: its ``parsing`` check passes, and its
            canonical bytes serve its JCS proofs.
        resolver, suites, loader, now, skew, status: as for :func:`verify`.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verification

    Returns:
        The report and the parsed credential (the document passed its
        ``parsing`` and ``model`` checks) or None.
    """
    run = _Run("credential")
    parsed: list[Credential] = []
    canonical = credential.canonical if isinstance(credential, CheckedObject) else None

    def step(
        document: JsonObject, embedded: tuple[JsonObject, ...], options: _Options
    ) -> tuple[VerificationReport, ...]:
        found = _verify_credential(run, document, embedded, options, canonical)
        if found is not None:
            parsed.append(found)
        return ()

    def options() -> _Options:
        return _Options(
            resolver=resolver,
            suites=suites,
            loader=loader,
            now=now,
            skew=skew,
            status=status,
        )

    _guarded(run, credential, options, step)
    return run.report(), (parsed[0] if parsed else None)


def verify_presentation(
    presentation: JsonValue | str | bytes,
    *,
    challenge: str | Literal[False],
    domain: str | Literal[False],
    require_holder_binding: bool = False,
    resolver: Resolver | None = None,
    suites: SuiteRegistry | Iterable[str] | None = None,
    loader: DocumentLoader | None = None,
    now: datetime | None = None,
    skew: timedelta = DEFAULT_SKEW,
    status: StatusChecker | None = None,
) -> VerificationReport:
    """Verify a presentation's proof and every credential inside it.

    Args:
        presentation: the secured presentation (object, or JSON text or bytes).
        challenge: the challenge the verifier issued, which the proof must
            carry; or False to accept any challenge (or none), which the
            report records as a ``challengeNotChecked`` warning: replay
            protection is then the caller's.
        domain: the domain the proof must be bound to; or False to accept
            any domain (or none), recorded as a ``domainNotChecked`` warning
            that names the domain the proof carries.
        require_holder_binding: fail the presentation (a ``holderBinding``
            check with ``holderNotSubject`` problems) unless its holder is
            the ``id`` of a subject of every credential in it; without it,
            each such credential gets a ``holderNotSubject`` warning.
        resolver, suites, loader, now, skew, status: as for :func:`verify`;
            ``status`` checks the status of every credential inside.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-presentations,
    https://www.w3.org/TR/vc-data-model-2.0/#validation,
    https://www.w3.org/TR/vc-data-integrity/#proof-purposes

    Returns:
        The report, with one nested report per credential.

    Raises:
        TypeError: ``challenge`` or ``domain`` is neither a string nor False
            (None included: the choice must be explicit), or
            ``require_holder_binding`` is not a bool.
        ValueError: ``challenge`` or ``domain`` is the empty string.
    """
    expected_challenge = _expected("challenge", challenge)
    expected_domain = _expected("domain", domain)
    if not isinstance(require_holder_binding, bool):
        raise TypeError(
            "require_holder_binding must be a bool, not "
            f"{type(require_holder_binding).__name__}"
        )
    run = _Run("presentation")
    expected = _Expected(expected_challenge, expected_domain, require_holder_binding)

    def step(
        document: JsonObject, embedded: tuple[JsonObject, ...], options: _Options
    ) -> tuple[VerificationReport, ...]:
        return _verify_presentation(run, document, embedded, options, expected)

    def options() -> _Options:
        return _Options(
            resolver=resolver,
            suites=suites,
            loader=loader,
            now=now,
            skew=skew,
            status=status,
        )

    return run.report(_guarded(run, presentation, options, step))


def _expected(name: str, value: object) -> str | None:
    """Return the value a proof must carry, or None when the check is skipped."""
    if value is False:
        return None
    if isinstance(value, str):
        if not value:
            raise ValueError(
                f"{name} must not be empty; pass {name}=False to skip the check"
            )
        return value
    raise TypeError(
        f"{name} must be a non-empty string, or {name}=False to skip the check "
        f"on purpose, not {type(value).__name__}"
    )


class _Expected:
    """What the verifier of a presentation expects of it."""

    def __init__(
        self, challenge: str | None, domain: str | None, require_holder_binding: bool
    ) -> None:
        self.challenge = challenge
        self.domain = domain
        self.require_holder_binding = require_holder_binding


_Step = Callable[
    [JsonObject, tuple[JsonObject, ...], _Options], tuple[VerificationReport, ...]
]


def _guarded(
    run: _Run,
    value: JsonValue | str | bytes | CheckedObject,
    options: Callable[[], _Options],
    step: _Step,
) -> tuple[VerificationReport, ...]:
    """Parse the input and run ``step`` on it; whatever fails becomes a problem
    in the report, so every input gets an answer."""
    try:
        chosen = options()
        parsed = _parse_input(run, value)
        if parsed is not None:
            return step(*parsed, chosen)
    except SSIError as exc:
        run.failed("verification", exc)
    except Exception as exc:  # the report must answer every input, whatever fails
        run.failed(
            "verification", ParsingError(f"unexpected failure: {type(exc).__name__}.")
        )
    return ()


def _parse_input(
    run: _Run, value: JsonValue | str | bytes | CheckedObject
) -> tuple[JsonObject, tuple[JsonObject, ...]] | None:
    """Return the document and its objects with an embedded ``@context``."""
    if isinstance(value, CheckedObject):
        run.passed("parsing")
        return value.document, value.embedded
    try:
        document = load_json(value) if isinstance(value, str | bytes) else value
        embedded = check_json_value(document)
        if not isinstance(document, dict):
            raise ParsingError("the input is not a JSON object.")
    except ParsingError as exc:
        run.failed("parsing", exc)
        return None
    run.passed("parsing")
    return document, embedded


def _verify_credential(
    run: _Run,
    document: JsonObject,
    embedded: tuple[JsonObject, ...],
    options: _Options,
    canonical: bytes | None = None,
) -> Credential | None:
    try:
        credential = parse_credential(document, checked=True)
    except SSIError as exc:
        run.failed("model", exc)
        return None
    run.passed("model", f"VC Data Model {credential.version}")
    faults = _embedded_faults(embedded, [credential], options)
    error = _located(faults[0], [(document, "$")], options)[1] if faults else None
    _verify_credential_parsed(run, credential, options, error, canonical)
    return credential


def _verify_presentation(
    run: _Run,
    document: JsonObject,
    embedded: tuple[JsonObject, ...],
    options: _Options,
    expected: _Expected,
) -> tuple[VerificationReport, ...]:
    try:
        presentation = parse_presentation(document, checked=True)
    except SSIError as exc:
        run.failed("model", exc)
        return ()
    run.passed("model", f"VC Data Model {presentation.version}")
    credentials = presentation.credentials
    # An embedded context that fails belongs to the innermost document holding
    # it: a credential's own report fails, as it would on its own.
    roots = {id(credential.document) for credential in credentials}
    faults = _embedded_faults(
        [node for node in embedded if id(node) not in roots],
        [presentation, *credentials],
        options,
    )
    errors: dict[int | None, SSIError] = {}
    if faults:
        places = [
            (credential.document, _credential_path(document, index))
            for index, credential in enumerate(credentials)
        ]
        for fault in faults:
            owner, error = _located(fault, [*places, (document, "$")], options)
            errors.setdefault(None if owner == len(places) else owner, error)
    _check_contexts(run, document, options, errors.get(None))
    _warn_unchecked(run, presentation, expected)
    purpose = AuthenticationPurpose(
        challenge=expected.challenge, domain=expected.domain
    )
    _check_proofs(run, document, purpose, presentation.holder, options)
    _check_holder_binding(run, presentation, expected.require_holder_binding)
    reports = []
    for index, credential in enumerate(credentials):
        inner = _Run("credential")
        inner.passed("parsing")
        inner.passed("model", f"VC Data Model {credential.version}")
        _verify_credential_parsed(inner, credential, options, errors.get(index))
        reports.append(inner.report())
    return tuple(reports)


def _credential_path(document: JsonObject, index: int) -> str:
    """Return the path of a presentation's credential, as the model names it."""
    if isinstance(document.get("verifiableCredential"), dict):
        return "$.verifiableCredential"
    return f"$.verifiableCredential[{index}]"


def _verify_credential_parsed(
    run: _Run,
    credential: Credential,
    options: _Options,
    embedded_error: SSIError | None = None,
    canonical: bytes | None = None,
) -> None:
    _check_contexts(run, credential.document, options, embedded_error)
    _check_proofs(
        run,
        credential.document,
        AssertionMethodPurpose(),
        credential.issuer,
        options,
        canonical,
    )
    _check_validity(run, credential, options)
    _check_status(run, credential, options)


def _check_contexts(
    run: _Run,
    document: JsonObject,
    options: _Options,
    embedded_error: SSIError | None = None,
) -> None:
    """Check the top-level contexts, then report the embedded contexts' fault.

    The top-level shape was checked with the data model; ``embedded_error``
    is the first fault found among the document's embedded contexts, if any.
    """
    error = _context_error(document.get("@context"), options, None)
    if error is None:
        error = embedded_error
    if error is not None:
        run.failed("context", error)
        return
    run.passed("context")


def _context_error(
    contexts: JsonValue, options: _Options, path: str | None
) -> SSIError | None:
    """Return what is wrong with one ``@context`` value, or None.

    ``path`` is None for the top-level value (its shape is the data model's:
    URLs and context objects) and the value's JSON path for an embedded one,
    which is checked for shape here: a URL, a context object, or a non-empty
    array of those. Every URL must be one the loader has.
    """
    if isinstance(contexts, list):
        if not contexts and path is not None:
            return MalformedValueError(f"The embedded context at {path} is empty.")
        entries: list[JsonValue] = contexts
    else:
        entries = [contexts]
    bundled = options.loader if isinstance(options.loader, BundledLoader) else None
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            if bundled is not None and bundled.knows(entry):
                continue
            try:
                options.loader(entry)
            except DocumentLoadError as exc:
                if path is None:
                    return exc
                return DocumentLoadError(
                    f"The embedded context at {_entry(path, contexts, index)} "
                    f"cannot be loaded: {exc.detail[:1].lower()}{exc.detail[1:]}"
                )
        elif path is not None and not isinstance(entry, dict):
            return MalformedValueError(
                f"The embedded context at {_entry(path, contexts, index)} is "
                f"{_kind(entry)}, not a context URL or a context object."
            )
    return None


def _entry(path: str, contexts: JsonValue, index: int) -> str:
    return f"{path}[{index}]" if isinstance(contexts, list) else path


def _kind(value: JsonValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "an array"  # Strings and objects are allowed entries.


def _embedded_faults(
    nodes: Sequence[JsonObject],
    documents: Sequence[Credential | Presentation],
    options: _Options,
) -> list[JsonObject]:
    """Return the objects whose embedded ``@context`` fails the check.

    A copy of the first document's top-level ``@context``, or a proof's copy
    of its own document's (JCS suites make one), is judged by the top-level
    check. Paths are only computed for the objects returned, so a document
    whose embedded contexts are fine costs one lookup per object and URL.
    """
    if not nodes:
        return []
    top = documents[0].document.get("@context")
    copies: set[int] | None = None
    faults = []
    for node in nodes:
        value = node["@context"]
        if value == top:
            continue
        if copies is None:
            copies = {
                id(proof)
                for document in documents
                for proof in document.proofs
                if proof.get("@context") == document.document.get("@context")
            }
        if id(node) not in copies and _context_error(value, options, "$") is not None:
            faults.append(node)
    return faults


def _located(
    node: JsonObject, places: list[tuple[JsonObject, str]], options: _Options
) -> tuple[int, SSIError]:
    """Find which of ``places`` holds ``node`` (the first that does, so an
    enclosing document goes last) and return its index and the error, whose
    message names the path of the embedded ``@context``."""
    index, path = len(places) - 1, "$"
    for place, (root, root_path) in enumerate(places):
        found = path_to(root, node, path=root_path)
        if found is not None:
            index, path = place, found
            break
    error = _context_error(node["@context"], options, f"{path}.@context")
    if error is None:  # Not reachable: the node was found faulty.
        error = MalformedValueError(f"The embedded context at {path} is refused.")
    return index, error


def _warn_unchecked(run: _Run, presentation: Presentation, expected: _Expected) -> None:
    """Record, as warnings, that the challenge or domain was not checked."""
    for name, value in (
        ("challenge", expected.challenge),
        ("domain", expected.domain),
    ):
        if value is not None:
            continue
        carried = [proof[name] for proof in presentation.proofs if name in proof]
        shown = ", ".join(_show(item) for item in carried)
        what = (
            f"the proof carries the {name} {shown}"
            if carried
            else (f"the proof carries no {name}")
        )
        consequence = (
            "the presentation may be a replay"
            if name == "challenge"
            else "it may have been made for another verifier"
        )
        run.warnings.append(
            ReportWarning(
                f"{name}NotChecked",
                f"no {name} was checked, so {consequence}; {what}.",
            )
        )


def _show(value: JsonValue) -> str:
    """Quote a value from the document for a message, cut short."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


def _check_holder_binding(
    run: _Run, presentation: Presentation, required: bool
) -> None:
    """Check that the holder is a subject of every credential (VC 2.0 Validation).

    A credential is bound when the presentation's ``holder`` equals the
    ``id`` of at least one of its ``credentialSubject`` objects. Without a
    holder, or without subject ids, binding cannot be shown.
    """
    holder = presentation.holder
    unbound: list[str] = []
    for index, credential in enumerate(presentation.credentials):
        subject_ids = {s["id"] for s in credential.subjects if "id" in s}
        if holder is not None and holder in subject_ids:
            continue
        label = f"credential {index}"
        if credential.id is not None:
            label += f" ({_show(credential.id)})"
        if holder is None:
            unbound.append(
                f"the presentation names no holder, so it cannot be shown to be "
                f"a subject of {label}."
            )
        elif not subject_ids:
            unbound.append(
                f"no credentialSubject of {label} has an id, so the holder "
                f"{holder[:120]} cannot be shown to be its subject."
            )
        else:
            unbound.append(
                f"the holder {holder[:120]} is not the id of any "
                f"credentialSubject of {label}."
            )
    if not required:
        run.warnings.extend(
            ReportWarning(HolderBindingError.code, detail) for detail in unbound
        )
        return
    if not unbound:
        run.passed("holderBinding", "the holder is a subject of every credential")
        return
    run.checks.append(Check("holderBinding", False, unbound[0]))
    run.problems.extend(
        Problem("holderBinding", HolderBindingError(detail)) for detail in unbound
    )


def _check_proofs(
    run: _Run,
    document: JsonObject,
    purpose: ProofPurpose,
    controller: str | None,
    options: _Options,
    canonical: bytes | None = None,
) -> None:
    """Verify the proofs that concern ``purpose``; ``canonical``, the JCS
    bytes of ``document`` when known, serves JCS proofs."""
    try:
        proofs = proofs_of(document)
    except MalformedValueError as exc:
        run.failed("proof", exc)
        return
    if not proofs:
        run.failed("proof", CryptographicSecurityError("the document has no proof."))
        return
    if len(proofs) == 1:
        # One proof: it is verified if it has the purpose, whichever DID its
        # key belongs to (the rule below keeps it either way).
        if not purpose.match(proofs[0]):
            run.failed("proof", _no_matching_proof(proofs, purpose, controller))
            return
        matched = [(0, proofs[0])]
    else:
        matched = _matched(run, proofs, purpose, controller)
        if not matched:
            return
    verified_proofs: list[VerifiedProof] = []
    for index, proof in matched:
        name = "proof" if len(proofs) == 1 else f"proof[{index}]"
        try:
            verified = verify_proof(
                document,
                proof,
                purpose=purpose,
                registry=options.registry,
                resolver=options.resolver,
                loader=options.loader,
                now=options.now,
                skew=options.skew,
                canonical_secured=canonical,
            )
            if controller is not None and verified.controller.id != controller:
                raise InvalidProofPurposeError(
                    f"the proof's key is controlled by {verified.controller.id}, "
                    f"not by {controller[:120]}."
                )
        except SSIError as exc:
            run.failed(name, exc)
            continue
        run.passed(name, f"{verified.suite.name} by {verified.method.id}")
        run.warnings.extend(verified.warnings)
        verified_proofs.append(verified)
    if purpose.term == "assertionMethod" and verified_proofs:
        _check_threshold(run, verified_proofs)


def _check_threshold(run: _Run, verified: list[VerifiedProof]) -> None:
    """Record the ``threshold`` check of an issuer with m of n stewards."""
    try:
        detail = issuer_threshold(verified)
    except SSIError as exc:
        run.failed("threshold", exc)
        return
    if detail is not None:
        run.passed("threshold", detail)


def _matched(
    run: _Run,
    proofs: list[JsonObject],
    purpose: ProofPurpose,
    controller: str | None,
) -> list[tuple[int, JsonObject]]:
    """Return the proofs of a set to verify, with their indexes; record the
    set's problem (and return nothing) or the skipped proofs' warnings."""
    values = [p.get("proofValue") for p in proofs]
    if len(set(map(str, values))) != len(values):
        run.failed(
            "proof", MalformedValueError("the document carries the same proof twice.")
        )
        return []
    # Proofs of another purpose are not verified. Among those of the purpose,
    # proofs by keys of another DID than the expected controller are skipped
    # when one by the controller's key is there; a set with none of those is
    # verified as it is, so each proof fails with its own precise error.
    matched = [(i, proof) for i, proof in enumerate(proofs) if purpose.match(proof)]
    if not matched:
        run.failed("proof", _no_matching_proof(proofs, purpose, controller))
        return []
    own = [
        (i, proof)
        for i, proof in matched
        if purpose.match(proof, controller=controller)
    ]
    matched = own or matched
    for index, proof in enumerate(proofs):
        if all(index != i for i, _ in matched):
            run.warnings.append(_not_matched(index, proof, purpose))
    return matched


def _no_matching_proof(
    proofs: list[JsonObject], purpose: ProofPurpose, controller: str | None
) -> InvalidProofPurposeError:
    """The problem of a document none of whose proofs concerns the check."""
    by = f" (by a key of {controller[:120]})" if controller is not None else ""
    if len(proofs) == 1:
        return InvalidProofPurposeError(
            f"the proof's purpose is {_show(proofs[0].get('proofPurpose'))}, "
            f"expected {purpose.term!r}{by}."
        )
    return InvalidProofPurposeError(
        f"none of the {len(proofs)} proofs has the purpose {purpose.term!r}{by}."
    )


def _not_matched(index: int, proof: JsonObject, purpose: ProofPurpose) -> ReportWarning:
    """The warning for a proof of the set that was skipped, not verified."""
    return ReportWarning(
        "proofNotMatched",
        f"proof[{index}] (purpose {_show(proof.get('proofPurpose'))}, "
        f"verificationMethod {_show(proof.get('verificationMethod'))}) does not "
        f"concern the {purpose.term} check and was not verified.",
    )


def _check_status(run: _Run, credential: Credential, options: _Options) -> None:
    """Check every ``credentialStatus`` entry; each is a check of its own."""
    entries = credential.status
    for index, entry in enumerate(entries):
        name = "status" if len(entries) == 1 else f"status[{index}]"
        if options.status is None:
            run.failed(
                name,
                StatusRetrievalError(
                    "the credential has credentialStatus, and no status source is "
                    "configured to check it."
                ),
            )
            continue
        try:
            outcome = options.status.check(
                credential, entry, verify_list=options.verify_list, now=options.now
            )
        except SSIError as exc:
            run.failed(name, exc)
            continue
        except Exception as exc:  # a failing checker must fail the check, not pass
            run.failed(
                name,
                StatusVerificationError(
                    f"the status check failed unexpectedly: {type(exc).__name__}."
                ),
            )
            continue
        run.passed(name, outcome.detail)
        run.warnings.extend(outcome.warnings)


def _check_validity(run: _Run, credential: Credential, options: _Options) -> None:
    now, skew = options.now, options.skew
    if credential.valid_from is not None and now + skew < credential.valid_from:
        run.failed("validity", ValidityRangeError("the credential is not valid yet."))
        return
    if credential.valid_until is not None and now - skew > credential.valid_until:
        run.failed("validity", ValidityRangeError("the credential has expired."))
        return
    run.passed("validity")
