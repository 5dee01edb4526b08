"""The errors of the terminal wallet itself.

Library failures are :class:`ssi.errors.SSIError`; a command that cannot run
with the options, files or passphrases it was given raises :class:`UsageError`.
``wallet_cli.app`` turns both into one line on stderr (a JSON problem document
with ``--json``) and an exit code. A command that has already written its
result, such as a report that does not verify, raises :class:`ResultShown`
so that only the exit code follows.
"""

from __future__ import annotations

from ssi.errors import SSIError

__all__ = ["PROBLEM_TYPE_BASE", "ResultShown", "UsageError"]

PROBLEM_TYPE_BASE = "urn:agora:error:"
"""The problem type URIs of the wallet's own errors: this prefix and the code."""


class UsageError(Exception):
    """The command cannot run with what it was given (exit 2).

    Attributes:
        code: a short camelCase keyword, printed as ``error[code]``.
        detail: one sentence saying what to change.
    """

    title = "Unusable input"

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail

    def to_problem(self) -> dict[str, str]:
        """Return the error as RFC 9457 problem details, with its ``code``.

        Spec: https://www.rfc-editor.org/rfc/rfc9457#section-3
        """
        return {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": self.title,
            "detail": self.detail,
            "code": self.code,
        }


class ResultShown(Exception):  # noqa: N818 - a signal, not an error to show
    """The command wrote its result and failed with ``error``: exit with its code.

    Nothing more is written; ``wallet_cli.app`` only maps ``error`` to the
    exit code, as it would if ``error`` had been raised.

    Attributes:
        error: the failure the result shows, such as a
            :class:`~ssi.errors.VerificationFailedError`.
    """

    def __init__(self, error: SSIError | UsageError) -> None:
        super().__init__(str(error))
        self.error = error
