"""The one error of the terminal wallet itself.

Library failures are :class:`ssi.errors.SSIError`; a command that cannot run
with the options, files or passphrases it was given raises :class:`UsageError`.
``wallet_cli.app`` turns both into one line on stderr and an exit code.
"""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(Exception):
    """The command cannot run with what it was given (exit 2).

    Attributes:
        code: a short camelCase keyword, printed as ``error[code]``.
        detail: one sentence saying what to change.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
