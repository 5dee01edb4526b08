"""Verify credentials and presentations; every input gets a report, none raises.

Checks, in order: ``parsing`` (JSON, size, depth), ``model`` (VC Data Model
2.0 or 1.1), ``context`` (every context is one the loader knows), ``proof``
(each proof: suite allowed, key found and authorized for the purpose, issuer
or holder controls it, signature), ``validity`` (the validity period, for
credentials) and ``status`` (when the credential has ``credentialStatus``).
A check that cannot run is a failed check.

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

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from ssi.credentials.json_input import check_json_value, load_json
from ssi.credentials.model import (
    Credential,
    parse_credential,
    parse_presentation,
)
from ssi.credentials.report import Check, Problem, VerificationReport
from ssi.did.resolution import Resolver
from ssi.errors import (
    CryptographicSecurityError,
    DocumentLoadError,
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
    default_registry,
    proofs_of,
    verify_proof,
)
from ssi.types import JsonObject, JsonValue

__all__ = ["StatusChecker", "StatusOutcome", "verify", "verify_presentation"]


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
        self.checks.append(Check(name, True, detail))

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
    run = _Run("credential")

    def step(document: JsonObject, options: _Options) -> tuple[VerificationReport, ...]:
        _verify_credential(run, document, options)
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
    return run.report()


def verify_presentation(
    presentation: JsonValue | str | bytes,
    *,
    challenge: str | None,
    domain: str | None = None,
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
        challenge: the challenge the verifier issued; None accepts any and
            adds a warning (replay protection is then the caller's).
        domain: the domain the proof must be bound to, if any.
        resolver, suites, loader, now, skew, status: as for :func:`verify`;
            ``status`` checks the status of every credential inside.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-presentations

    Returns:
        The report, with one nested report per credential.
    """
    run = _Run("presentation")

    def step(document: JsonObject, options: _Options) -> tuple[VerificationReport, ...]:
        return _verify_presentation(run, document, options, challenge, domain)

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


def _guarded(
    run: _Run,
    value: JsonValue | str | bytes,
    options: Callable[[], _Options],
    step: Callable[[JsonObject, _Options], tuple[VerificationReport, ...]],
) -> tuple[VerificationReport, ...]:
    """Parse the input and run ``step`` on it; whatever fails becomes a problem
    in the report, so every input gets an answer."""
    try:
        chosen = options()
        document = _parse_input(run, value)
        if document is not None:
            return step(document, chosen)
    except SSIError as exc:
        run.failed("verification", exc)
    except Exception as exc:  # the report must answer every input, whatever fails
        run.failed(
            "verification", ParsingError(f"unexpected failure: {type(exc).__name__}.")
        )
    return ()


def _parse_input(run: _Run, value: JsonValue | str | bytes) -> JsonObject | None:
    try:
        document = load_json(value) if isinstance(value, str | bytes) else value
        check_json_value(document)
        if not isinstance(document, dict):
            raise ParsingError("the input is not a JSON object.")
    except ParsingError as exc:
        run.failed("parsing", exc)
        return None
    run.passed("parsing")
    return document


def _verify_credential(run: _Run, document: JsonObject, options: _Options) -> None:
    try:
        credential = parse_credential(document, checked=True)
    except SSIError as exc:
        run.failed("model", exc)
        return
    run.passed("model", f"VC Data Model {credential.version}")
    _verify_credential_parsed(run, credential, options)


def _verify_presentation(
    run: _Run,
    document: JsonObject,
    options: _Options,
    challenge: str | None,
    domain: str | None,
) -> tuple[VerificationReport, ...]:
    try:
        presentation = parse_presentation(document)
    except SSIError as exc:
        run.failed("model", exc)
        return ()
    run.passed("model", f"VC Data Model {presentation.version}")
    _check_contexts(run, document, options)
    if challenge is None:
        run.warnings.append(
            "no challenge was checked; the presentation may be replayed."
        )
    purpose = AuthenticationPurpose(challenge=challenge, domain=domain)
    _check_proofs(run, document, purpose, presentation.holder, options)
    reports = []
    for credential in presentation.credentials:
        inner = _Run("credential")
        inner.passed("parsing")
        inner.passed("model", f"VC Data Model {credential.version}")
        _verify_credential_parsed(inner, credential, options)
        reports.append(inner.report())
    return tuple(reports)


def _verify_credential_parsed(
    run: _Run, credential: Credential, options: _Options
) -> None:
    _check_contexts(run, credential.document, options)
    _check_proofs(
        run, credential.document, AssertionMethodPurpose(), credential.issuer, options
    )
    _check_validity(run, credential, options)
    _check_status(run, credential, options)


def _check_contexts(run: _Run, document: JsonObject, options: _Options) -> None:
    contexts = document.get("@context")
    entries = contexts if isinstance(contexts, list) else [contexts]
    bundled = options.loader if isinstance(options.loader, BundledLoader) else None
    for entry in entries:
        if isinstance(entry, str):
            if bundled is not None and bundled.knows(entry):
                continue
            try:
                options.loader(entry)
            except DocumentLoadError as exc:
                run.failed("context", exc)
                return
    run.passed("context")


def _check_proofs(
    run: _Run,
    document: JsonObject,
    purpose: ProofPurpose,
    controller: str | None,
    options: _Options,
) -> None:
    try:
        proofs = proofs_of(document)
    except MalformedValueError as exc:
        run.failed("proof", exc)
        return
    if not proofs:
        run.failed("proof", CryptographicSecurityError("the document has no proof."))
        return
    values = [p.get("proofValue") for p in proofs]
    if len(set(map(str, values))) != len(values):
        run.failed(
            "proof", MalformedValueError("the document carries the same proof twice.")
        )
        return
    for index, proof in enumerate(proofs):
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
