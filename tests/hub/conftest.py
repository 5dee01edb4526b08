"""Real hub processes for tests: ``start_hub`` runs ``agora hub serve`` on a
free loopback port and waits until it answers.

Other test modules reuse it::

    from tests.hub.conftest import start_hub

    hub = start_hub(tmp_path, db=f"sqlite:///{tmp_path / 'hub.sqlite'}")
    try:
        httpx.get(hub.url + "/healthz")
    finally:
        hub.stop()

or through the ``hub_process`` fixture (one hub per test, stopped after it).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.unit.bundle.corpus import Corpus, build_corpus

_START_SECONDS = 60.0
_ATTEMPTS = 3


@dataclass
class Hub:
    """A running hub process: its base URL and how to stop it."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_hub(
    tmp_path: Path,
    *,
    db: str | None = None,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Hub:
    """Start ``agora hub serve`` on a free loopback port; return once
    ``/healthz`` answers.

    Args:
        tmp_path: where the store (by default) and the server's log go.
        db: the store location (default: an SQLite file in ``tmp_path``).
        extra_args: more ``agora hub serve`` options (``--workers 2``).
        env: more environment variables (``AGORA_HUB_MAX_OBJECTS``...).
    """
    location = db or f"sqlite:///{tmp_path / 'hub.sqlite'}"
    environment = {**os.environ, **(env or {})}
    for attempt in range(_ATTEMPTS):
        port = _free_port()
        log = tmp_path / f"hub-{port}.log"
        command = [
            sys.executable,
            "-m",
            "wallet_cli",
            "hub",
            "serve",
            "--db",
            location,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *extra_args,
        ]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, env=environment
            )
        hub = Hub(f"http://127.0.0.1:{port}", process, log)
        if _wait_ready(hub):
            return hub
        hub.stop()
        if attempt == _ATTEMPTS - 1:
            break
    raise RuntimeError(
        f"the hub did not start; its log says:\n{log.read_text(errors='replace')}"
    )


def _wait_ready(hub: Hub) -> bool:
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            return False  # exited: the port was taken, or worse
        try:
            if httpx.get(hub.url + "/healthz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


@pytest.fixture
def hub_process(tmp_path: Path) -> Iterator[Callable[..., Hub]]:
    """Start hubs with ``hub_process(db=..., extra_args=..., env=...)``; every
    one is stopped after the test."""
    started: list[Hub] = []

    def start(**options: object) -> Hub:
        hub = start_hub(tmp_path, **options)  # type: ignore[arg-type]
        started.append(hub)
        return hub

    yield start
    for hub in started:
        hub.stop()


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """Signed posts by did:key and did:agora authors, with what verifies them."""
    return build_corpus(posts_per_author=2)
