"""The verification report: every check that ran, every problem found.

``verified`` is true only when at least one check ran, every check passed,
there is no problem, and every credential inside a presentation is verified:
a check that could not run counts as failed.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#problem-details
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ssi.errors import (
    CredentialError,
    DocumentLoadError,
    MalformedValueError,
    ParsingError,
    SSIError,
    ValidityRangeError,
    VerificationFailedError,
)
from ssi.types import JsonObject

__all__ = [
    "PROBLEM_TYPES",
    "Check",
    "Problem",
    "ReportWarning",
    "VerificationReport",
    "problem_code",
]

_VC = "https://www.w3.org/TR/vc-data-model#"

PROBLEM_TYPES: dict[str, str] = {
    "PARSING_ERROR": "Parsing error",
    "CRYPTOGRAPHIC_SECURITY_ERROR": "Cryptographic security error",
    "MALFORMED_VALUE_ERROR": "Malformed value",
    "RANGE_ERROR": "Range error",
}
"""The VC 2.0 problem types, with their titles."""


def problem_code(error: SSIError) -> str:
    """Return the VC 2.0 problem type of an error.

    Parsing failures are ``PARSING_ERROR``; values outside their allowed range
    (expired, not yet valid) ``RANGE_ERROR``; data-model violations, unknown
    contexts and other credential errors ``MALFORMED_VALUE_ERROR``; everything
    about proofs, keys, DID resolution and status ``CRYPTOGRAPHIC_SECURITY_ERROR``.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#problem-details
    """
    if isinstance(error, ParsingError):
        return "PARSING_ERROR"
    if isinstance(error, ValidityRangeError):
        return "RANGE_ERROR"
    if isinstance(error, MalformedValueError | DocumentLoadError):
        return "MALFORMED_VALUE_ERROR"
    if isinstance(error, CredentialError) and error.code in PROBLEM_TYPES:
        return error.code
    return "CRYPTOGRAPHIC_SECURITY_ERROR"


@dataclass(frozen=True, slots=True)
class Check:
    """One check of a verification: its name, whether it passed, a short note."""

    name: str
    passed: bool
    detail: str = ""

    def __reduce__(self) -> tuple[type[Check], tuple[str, bool, str]]:
        """Pickle as a constructor call: small and quick to load."""
        return (Check, (self.name, self.passed, self.detail))

    def to_json(self) -> JsonObject:
        """Return the check as JSON."""
        return {"check": self.name, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found by a check, typed with a VC 2.0 problem type.

    ``code`` is the VC problem type (``CRYPTOGRAPHIC_SECURITY_ERROR`` ...);
    ``error`` the specific library error (``error.code`` is the precise code,
    such as ``INVALID_CHALLENGE_ERROR`` or ``notFound``).
    """

    check: str
    error: SSIError

    def __reduce__(self) -> tuple[type[Problem], tuple[str, SSIError]]:
        """Pickle as a constructor call: small and quick to load."""
        return (Problem, (self.check, self.error))

    @property
    def code(self) -> str:
        """The VC 2.0 problem type code."""
        return problem_code(self.error)

    @property
    def type(self) -> str:
        """The VC 2.0 problem type URI."""
        return _VC + self.code

    @property
    def title(self) -> str:
        """The problem type's title."""
        return PROBLEM_TYPES[self.code]

    @property
    def detail(self) -> str:
        """One sentence about what went wrong."""
        return self.error.detail

    def to_json(self) -> JsonObject:
        """Return the problem as RFC 9457 problem details with our extensions."""
        return {
            "type": self.type,
            "title": self.title,
            "detail": self.detail,
            "check": self.check,
            "errorCode": self.error.code,
        }


class ReportWarning(str):
    """A warning with a stable code: the text ``"<code>: <detail>"``.

    It is a ``str``, so a report's ``warnings`` stay plain text (in JSON as
    well); ``code`` names the kind of warning for programs, such as
    ``holderNotSubject``, ``challengeNotChecked`` or ``domainNotChecked``.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verification

    Args:
        code: the warning's code, a camelCase keyword.
        detail: one sentence saying what was found.
    """

    code: str
    detail: str

    def __new__(cls, code: str, detail: str) -> ReportWarning:
        """Build the warning text from its code and detail."""
        self = super().__new__(cls, f"{code}: {detail}")
        self.code = code
        self.detail = detail
        return self

    def __reduce__(self) -> tuple[type[ReportWarning], tuple[str, str]]:
        """Pickle by code and detail (reports cross process pools)."""
        return (type(self), (self.code, self.detail))


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The outcome of verifying a credential or a presentation.

    Attributes:
        kind: ``"credential"`` or ``"presentation"``.
        checks: every check in the order it ran.
        problems: every problem found.
        warnings: observations that do not fail verification.
        credentials: for a presentation, the report of each credential in it.
    """

    kind: str
    checks: tuple[Check, ...] = ()
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()
    credentials: tuple[VerificationReport, ...] = field(default=())

    def __reduce__(
        self,
    ) -> tuple[
        type[VerificationReport],
        tuple[
            str,
            tuple[Check, ...],
            tuple[Problem, ...],
            tuple[str, ...],
            tuple[VerificationReport, ...],
        ],
    ]:
        """Pickle as a constructor call: reports cross process pools, and
        this form is about half the size of the default and loads faster."""
        return (
            VerificationReport,
            (self.kind, self.checks, self.problems, self.warnings, self.credentials),
        )

    @property
    def verified(self) -> bool:
        """True only if checks ran and all passed, with no problem anywhere."""
        return (
            bool(self.checks)
            and not self.problems
            and all(check.passed for check in self.checks)
            and all(report.verified for report in self.credentials)
        )

    def all_problems(self) -> tuple[Problem, ...]:
        """Return this report's problems and those of every credential inside."""
        nested = tuple(p for report in self.credentials for p in report.all_problems())
        return self.problems + nested

    def raise_for_problems(self) -> None:
        """Raise if not verified.

        Raises:
            VerificationFailedError: with every problem's error in ``problems``.
        """
        if self.verified:
            return
        problems = self.all_problems()
        detail = problems[0].detail if problems else "a required check did not pass."
        raise VerificationFailedError(
            f"the {self.kind} is not verified: {detail}",
            tuple(p.error for p in problems),
        )

    def to_json(self) -> JsonObject:
        """Return the report as JSON."""
        body: JsonObject = {
            "verified": self.verified,
            "kind": self.kind,
            "checks": [check.to_json() for check in self.checks],
            "problems": [problem.to_json() for problem in self.problems],
            "warnings": list(self.warnings),
        }
        if self.kind == "presentation":
            body["credentials"] = [report.to_json() for report in self.credentials]
        return body
