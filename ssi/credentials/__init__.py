"""Verifiable credentials and presentations: model, issue, verify, report."""

from ssi.credentials.issue import (
    DATA_INTEGRITY_CONTEXT,
    cosign,
    issue,
    present,
    signer,
)
from ssi.credentials.json_input import CheckedObject, check_json_value, load_json
from ssi.credentials.model import (
    VC_V1_CONTEXT,
    VC_V2_CONTEXT,
    Credential,
    Presentation,
    parse_credential,
    parse_presentation,
)
from ssi.credentials.report import (
    Check,
    Problem,
    ReportWarning,
    VerificationReport,
    problem_code,
)
from ssi.credentials.verifier import FixedClock, Verifier, system_clock
from ssi.credentials.verify import (
    StatusChecker,
    verify,
    verify_presentation,
    verify_read,
)

__all__ = [
    "DATA_INTEGRITY_CONTEXT",
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "Check",
    "CheckedObject",
    "Credential",
    "FixedClock",
    "Presentation",
    "Problem",
    "ReportWarning",
    "StatusChecker",
    "VerificationReport",
    "Verifier",
    "check_json_value",
    "cosign",
    "issue",
    "load_json",
    "parse_credential",
    "parse_presentation",
    "present",
    "problem_code",
    "signer",
    "system_clock",
    "verify",
    "verify_presentation",
    "verify_read",
]
