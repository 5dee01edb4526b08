"""Running the real ``agora`` entry point in CLI tests.

The environment is built explicitly from the test's wallet home: every
``AGORA_*`` variable of the caller is dropped, so tests never touch the real
``~/.agora``; standard input is empty (not a terminal), so nothing prompts.
"""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

AGORA = shutil.which("agora", path=str(Path(sys.executable).parent))
PASSPHRASE = "agora test passphrase"


def environment(home: Path, passphrase: str | None = PASSPHRASE) -> dict[str, str]:
    """The environment for a wallet in ``home`` (no passphrase when None)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGORA_")}
    env.update(COLUMNS="200", NO_COLOR="1", AGORA_HOME=str(home))
    if passphrase is not None:
        env["AGORA_PASSPHRASE"] = passphrase
    return env


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``agora`` with ``args``; the result is returned whatever the exit code."""
    assert AGORA is not None, "the agora entry point is not installed in this venv"
    return subprocess.run(
        [AGORA, *args],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def as_json(completed: subprocess.CompletedProcess[str]) -> Any:
    """The JSON a successful command printed."""
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def one_error(result: Any, code: str, exit_code: int | None = None) -> str:
    """The one ``error[code]: …`` line a failed in-process command printed."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception
    )
    if exit_code is not None:
        assert result.exit_code == exit_code, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error[{code}]: "), lines[0]
    return str(lines[0])


def json_error(result: Any, code: str) -> str:
    """With --json, the RFC 9457 problem document on stderr, as text; its
    ``code`` must be ``code``."""
    assert result.exception is None or isinstance(result.exception, SystemExit)
    problem = json.loads(result.stderr)
    assert problem["code"] == code, problem
    assert {"type", "title", "detail"} <= set(problem), problem
    return str(result.stderr)
