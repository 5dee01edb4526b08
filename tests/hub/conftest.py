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
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from hub.launch import LocalHub, launch
from tests.unit.bundle.corpus import Corpus, build_corpus

Hub = LocalHub
"""A running hub process: its base URL, the process and its log."""


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
    return launch(
        ["--db", location, *extra_args],
        env={**os.environ, **(env or {})},
        output=tmp_path / f"hub-{secrets.token_hex(4)}.log",
    )


def eventually(check: Callable[[], bool], what: str, seconds: float = 120.0) -> None:
    """Return once ``check()`` holds; fail the test, saying ``what`` did not
    happen, if it still does not after ``seconds``: a guard against a hang,
    generous so that a busy machine never trips it, not a speed check."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() >= deadline:
            pytest.fail(f"{what} (still not after {seconds:.0f} s)")
        time.sleep(0.1)


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
