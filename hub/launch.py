"""Start ``agora hub serve`` as a child process on a free loopback port and
wait until it answers: what tests, benchmarks and the demo need to run a
real hub beside them.

The port is chosen by binding port 0 and releasing it, so another program
may take it before the hub binds it: :func:`launch` then tries again on
another port (three attempts by default).

Example::

    from hub.launch import launch

    hub = launch(["--db", "sqlite:///hub.sqlite"], output=Path("hub.log"))
    try:
        httpx.get(hub.url + "/healthz")
    finally:
        hub.stop()
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

__all__ = ["DEFAULT_COMMAND", "LocalHub", "free_port", "launch"]

DEFAULT_COMMAND: Final = (sys.executable, "-m", "wallet_cli")
"""How to run ``agora``: this interpreter's own copy of the command."""

_LOOPBACK: Final = "127.0.0.1"


@dataclass
class LocalHub:
    """A hub running as a child process: its base URL, the process, and the
    file its output goes to (``None``: discarded)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path | None

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the process (SIGTERM, then SIGKILL after ``timeout``
        seconds) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)

    def answers(self) -> bool:
        """Whether ``GET /healthz`` answers 200 now."""
        try:
            return httpx.get(self.url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


def free_port(host: str = _LOOPBACK) -> int:
    """Return a TCP port that was free on ``host`` a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def launch(
    args: Sequence[str],
    *,
    command: Sequence[str] = DEFAULT_COMMAND,
    env: Mapping[str, str] | None = None,
    output: Path | None = None,
    attempts: int = 3,
    seconds: float = 60.0,
    ready: Callable[[LocalHub], bool] | None = None,
    before_start: Callable[[Sequence[str]], None] | None = None,
) -> LocalHub:
    """Run ``agora hub serve --host 127.0.0.1 --port P ARGS`` on a free port
    P; return once the process answers ``/healthz`` (and ``ready`` holds).

    Args:
        args: more ``agora hub serve`` options (``--db URL``, ``--workers 2``).
        command: how to run ``agora`` (default: ``python -m wallet_cli``).
        env: the process's environment (default: this one's).
        output: a file for the process's output; ``None`` discards it.
        attempts: how many ports to try.
        seconds: how long to wait for each attempt to answer.
        ready: a further condition (every worker started, say).
        before_start: called with the ``agora`` arguments before each
            attempt (to show the command).

    Raises:
        RuntimeError: no attempt answered in time; the message ends with the
            output of the last one when it was kept.
    """
    environment = dict(os.environ if env is None else env)
    for _ in range(attempts):
        port = free_port()
        arguments = ["hub", "serve", "--host", _LOOPBACK, "--port", str(port), *args]
        if before_start is not None:
            before_start(arguments)
        with (output or Path(os.devnull)).open("wb") as sink:
            process = subprocess.Popen(  # noqa: S603 - agora itself
                [*command, *arguments],
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        hub = LocalHub(f"http://{_LOOPBACK}:{port}", process, output)
        if _wait(hub, seconds, ready):
            return hub
        hub.stop()
    said = "" if output is None else "; it said:\n" + output.read_text(errors="replace")
    raise RuntimeError(f"the hub did not start after {attempts} attempts{said}")


def _wait(
    hub: LocalHub, seconds: float, ready: Callable[[LocalHub], bool] | None
) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            return False  # it exited: the port was taken, or worse
        if (ready is None or ready(hub)) and hub.answers():
            return True
        time.sleep(0.1)
    return False
