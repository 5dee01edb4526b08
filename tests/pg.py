"""PostgreSQL for the tests: a server's URL, and a fresh schema per test.

The server is, in order:

1. ``$AGORA_TEST_POSTGRES_URL`` (it must answer);
2. ``postgresql://127.0.0.1:5432/test`` when it answers (a local server,
   trust authentication, as CI provides);
3. a private server, started once per test process with ``initdb`` and
   ``pg_ctl`` (from ``/usr/lib/postgresql/*/bin`` or the ``PATH``) in a
   temporary folder, and stopped at exit.

Otherwise the tests that need PostgreSQL FAIL (never skip) with a message
that says how to provide one. Each test gets its own schema
(``agora_t_<random>``), dropped afterwards, so tests never see each other's
objects, even on a shared server.

Use the fixture ``pg_schema`` (import it into a ``conftest.py``, as
tests/unit/store/conftest.py does) or the context manager
:func:`fresh_schema`; ``Schema.location`` is an ``open_store`` location.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ENVIRONMENT = "AGORA_TEST_POSTGRES_URL"
LOCAL_URL = "postgresql://127.0.0.1:5432/test"

HELP = (
    "The store tests need PostgreSQL. Provide one of: "
    f"${ENVIRONMENT}=postgresql://USER@HOST:PORT/DB (a database the tests may "
    "create schemas in); a server at 127.0.0.1:5432 with a database 'test' and "
    "trust authentication for the current user; or PostgreSQL's server binaries "
    "(initdb, pg_ctl; e.g. apt-get install postgresql) so the tests can start a "
    "private server (not as root)."
)


@dataclass(frozen=True)
class Schema:
    """A fresh schema for one test: give both to ``PostgresStore``."""

    url: str
    schema: str

    @property
    def location(self) -> str:
        """The ``open_store`` location of a store in this schema."""
        mark = "&" if "?" in self.url else "?"
        return f"{self.url}{mark}schema={self.schema}"


def _answers(url: str) -> str | None:
    """None when a server answers at ``url``, else why not."""
    try:
        with psycopg.connect(url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    return None


@functools.cache
def postgres_url() -> str:
    """The URL of a server for the tests (see the module docstring).

    Fails the calling test (pytest.fail) when there is none.
    """
    given = os.environ.get(ENVIRONMENT)
    if given:
        problem = _answers(given)
        if problem is not None:
            pytest.fail(f"${ENVIRONMENT} does not answer ({problem}). {HELP}")
        return given
    if _answers(LOCAL_URL) is None:
        return LOCAL_URL
    return _private_server()


def _binaries() -> tuple[str, str] | None:
    folders = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda folder: (
            int(Path(folder).parent.name) if Path(folder).parent.name.isdigit() else 0
        ),
        reverse=True,
    )
    for folder in folders:
        initdb, pg_ctl = Path(folder) / "initdb", Path(folder) / "pg_ctl"
        if initdb.is_file() and pg_ctl.is_file():
            return str(initdb), str(pg_ctl)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _private_server() -> str:
    found = _binaries()
    if found is None:
        pytest.fail(f"No PostgreSQL server answers at {LOCAL_URL}. {HELP}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.fail(
            f"No PostgreSQL server answers at {LOCAL_URL}, and initdb refuses to "
            f"run as root. {HELP}"
        )
    initdb, pg_ctl = found
    home = Path(tempfile.mkdtemp(prefix="agora-pg-"))
    data, port = home / "data", _free_port()
    try:
        subprocess.run(
            [initdb, "-D", str(data), "-A", "trust", "-U", "agora", "-E", "UTF8"],
            check=True,
            capture_output=True,
        )
        options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [
                pg_ctl,
                "-D",
                str(data),
                "-l",
                str(home / "log"),
                "-w",
                "-o",
                options,
                "start",
            ],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(home, ignore_errors=True)
        pytest.fail(f"Could not start a private PostgreSQL server ({exc}). {HELP}")

    def stop() -> None:
        subprocess.run(
            [pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(home, ignore_errors=True)

    atexit.register(stop)
    admin = f"postgresql://agora@127.0.0.1:{port}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("CREATE DATABASE test")
    return f"postgresql://agora@127.0.0.1:{port}/test"


@contextlib.contextmanager
def fresh_schema() -> Iterator[Schema]:
    """A schema name no one uses, on the tests' server; dropped (with all it
    holds) afterwards."""
    url = postgres_url()
    schema = Schema(url, "agora_t_" + secrets.token_hex(6))
    try:
        yield schema
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema.schema)
                )
            )


@pytest.fixture
def pg_schema() -> Iterator[Schema]:
    """A fresh schema on the tests' PostgreSQL server (see :func:`fresh_schema`)."""
    with fresh_schema() as schema:
        yield schema
