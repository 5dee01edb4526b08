"""What the example scripts share: a runner for the ``agora`` command that
shows each command it runs, wrapped explanations, and throwaway wallets.

Not an example itself: the scripts next to it import it (the folder of a
script that runs is on ``sys.path``).
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

WIDTH = 88
"""Lines are wrapped at word boundaries to this width."""

INDENT = "    "
"""Explanations and command output are indented by this much."""


IN_PROCESS = os.environ.get("AGORA_DEMO_IN_PROCESS") == "1"
"""Whether commands run inside this process instead of as ``agora``
processes: the test suite sets AGORA_DEMO_IN_PROCESS=1 so that the hundred
commands of a demo pay Python's start-up and imports once; ``make demo``
runs each as a person would, a process of its own."""


class Agora:
    """Runs this venv's ``agora`` entry point with ``--json`` and shows each
    command, with the wallet it runs in, and temporary paths and DIDs replaced
    by short names."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        program = shutil.which("agora", path=str(Path(sys.executable).parent))
        if program is None:
            raise SystemExit("the agora command is not installed; run `make demo`.")
        self.program = program
        self.env = env
        self.names = {str(root): "$TMP"}

    def _run_here(
        self, args: list[str], env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        """Run the command in this process, with exactly the environment a
        process would have (no other ``AGORA_`` variable of this one)."""
        from typer.testing import CliRunner

        from wallet_cli.app import app

        changes: dict[str, str | None] = {
            key: None for key in os.environ if key.startswith("AGORA_")
        }
        changes.update(env)
        result = CliRunner().invoke(app, args, env=changes)
        if result.exception is not None and not isinstance(
            result.exception, SystemExit
        ):
            raise result.exception
        return subprocess.CompletedProcess(
            args, result.exit_code, result.stdout, result.stderr
        )

    def shorten(self, text: str) -> str:
        """Replace temporary paths and DIDs by their short names."""
        for value, name in self.names.items():
            text = text.replace(value, name)
        return text

    def command_lines(self, args: tuple[str, ...]) -> str:
        """The command as the shell would take it, broken between arguments
        (never inside one) with a backslash at the end of each broken line."""
        lines = ["    $ agora"]
        for arg in args:
            word = self.shorten(shlex.quote(arg))
            if len(lines[-1]) + 1 + len(word) + 2 > WIDTH and lines[-1].strip():
                lines[-1] += " \\"
                lines.append("        " + word)
            else:
                lines[-1] += " " + word
        return "\n".join(lines)

    def _run(
        self, args: tuple[str, ...], env: dict[str, str] | None, *, json_mode: bool
    ) -> subprocess.CompletedProcess[str]:
        env = env or self.env
        wallet = args[1] if args[:1] == ("--home",) else env["AGORA_HOME"]
        print(f"  [wallet {self.shorten(wallet)}]")
        print(self.command_lines(args))
        if IN_PROCESS:
            return self._run_here([*args, *(["--json"] if json_mode else [])], env)
        try:
            return subprocess.run(  # noqa: S603 - the venv's own agora
                [self.program, *args, *(["--json"] if json_mode else [])],
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SystemExit("agora did not answer within 60 s") from None

    def __call__(
        self, *args: str, expect: int = 0, env: dict[str, str] | None = None
    ) -> Any:
        completed = self._run(args, env, json_mode=True)
        if completed.returncode != expect:
            raise SystemExit(f"agora failed: {completed.stderr.strip()}")
        try:
            return json.loads(completed.stdout) if completed.stdout.strip() else None
        except json.JSONDecodeError:
            raise SystemExit(f"agora answered no JSON: {completed.stdout}") from None

    def text(
        self,
        *args: str,
        expect: int = 0,
        env: dict[str, str] | None = None,
        columns: int = WIDTH - len(INDENT),
    ) -> str:
        """Run a command without ``--json``, as a person at a terminal
        ``columns`` wide would, and print what it writes, indented, with
        temporary paths and DIDs shortened. Returns that text."""
        env = dict(env or self.env, COLUMNS=str(columns))
        completed = self._run(args, env, json_mode=False)
        if completed.returncode != expect:
            raise SystemExit(f"agora failed: {completed.stderr.strip()}")
        shown = self.shorten(completed.stdout.rstrip("\n"))
        print(textwrap.indent(shown, INDENT, lambda line: bool(line.strip())))
        return shown


def say(text: str) -> None:
    """Print an explanation, wrapped at word boundaries."""
    print(
        textwrap.fill(
            text,
            WIDTH,
            initial_indent=INDENT,
            subsequent_indent=INDENT,
            break_on_hyphens=False,  # never inside a file name
        )
    )


def environment(root: Path, home: str) -> dict[str, str]:
    """The environment of a wallet in ``root / home``, unlocked with a random
    passphrase, with no other ``AGORA_`` setting of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGORA_")}
    env.update(
        AGORA_HOME=str(root / home),
        AGORA_PASSPHRASE=secrets.token_urlsafe(18),
        COLUMNS="100",
    )
    return env


class HubProcess:
    """An ``agora hub serve`` process on a free loopback port, shown like
    the other commands; :meth:`stop` ends it (call it in a ``finally``)."""

    def __init__(
        self, run: Agora, name: str, *args: str, env: dict[str, str], log: Path
    ) -> None:
        from hub.launch import launch

        self.name = name

        def show(arguments: Sequence[str]) -> None:
            print(f"  [wallet {run.shorten(env['AGORA_HOME'])}]")
            print(run.command_lines(_without_host(arguments)))

        try:
            self.hub = launch(
                [*args, "--log", str(log)],
                command=[run.program],
                env=env,
                before_start=show,
            )
        except RuntimeError:
            raise SystemExit(f"{name} did not start; its log is {log}.") from None
        self.url = self.hub.url
        run.names[self.url] = "$" + name.upper().replace(" ", "_")

    def count(self) -> int:
        """How many objects the hub holds (it pages through GET /objects)."""
        import httpx

        total, cursor = 0, None
        while True:
            params = {"limit": "500", **({"cursor": cursor} if cursor else {})}
            page = httpx.get(self.url + "/objects", params=params, timeout=10).json()
            total += len(page["items"])
            cursor = page.get("cursor")
            if not page.get("more") or not page["items"]:
                return total

    def stop(self) -> None:
        """End the process (SIGTERM, then SIGKILL) and wait for it."""
        self.hub.stop()


def _without_host(arguments: Sequence[str]) -> list[str]:
    """The command as the reader needs it: ``--host 127.0.0.1`` is the
    default of ``agora hub serve``, so it is left out of what is shown."""
    shown = list(arguments)
    if "--host" in shown:
        at = shown.index("--host")
        del shown[at : at + 2]
    return shown
