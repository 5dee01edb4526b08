"""``agora resolver serve`` in a real uvicorn process on a free loopback port,
and ``agora did resolve --via`` against it: the same output as local
resolution, and the same error codes and exit codes."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.helpers import AGORA, environment, run

VECTORS = Path(__file__).parents[1] / "vectors" / "did-agora"
EXPECTED = json.loads((VECTORS / "expected.json").read_text())
KEY_DID = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a resolver serving the did:agora vectors (one DID each)."""
    home = tmp_path_factory.mktemp("home")
    logs = tmp_path_factory.mktemp("logs")
    for name in ("five-entry-seconds.jsonl", "deactivated.jsonl"):
        (logs / name).write_bytes((VECTORS / name).read_bytes())
    port = _free_port()
    assert AGORA is not None
    errors = home / "stderr.txt"
    with errors.open("wb") as sink:
        process = subprocess.Popen(
            [
                AGORA,
                "resolver",
                "serve",
                "--port",
                str(port),
                "--did-log",
                str(logs),
                "--log",
                str(home / "server.log"),
            ],
            env=environment(home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise AssertionError(errors.read_text())
            try:
                httpx.get(f"{url}/1.0/methods", timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the resolver did not start")
        yield url
        process.terminate()
        process.wait(timeout=20)
        server_log = (home / "server.log").read_text()
        assert "GET /1.0/methods" in server_log
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_served_over_http(served: str) -> None:
    response = httpx.get(f"{served}/1.0/identifiers/{KEY_DID}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/did-resolution"
    assert response.json()["didDocument"]["id"] == KEY_DID
    gone = httpx.get(
        f"{served}/1.0/identifiers/{EXPECTED['deactivated.jsonl']['did']}",
        headers={"Accept": "application/did+json"},
    )
    assert gone.status_code == 410
    assert gone.json()["didDocumentMetadata"]["deactivated"] is True
    assert httpx.get(f"{served}/1.0/identifiers/did:example:1").status_code == 501


@pytest.mark.parametrize("log", ["five-entry-seconds.jsonl", "deactivated.jsonl"])
@pytest.mark.parametrize("mode", [["--json"], [], ["--accept", "application/did+json"]])
def test_via_prints_what_local_resolution_prints(
    served: str, tmp_path: Path, mode: list[str], log: str
) -> None:
    env = environment(tmp_path)
    did = EXPECTED[log]["did"]
    local = run(
        "did",
        "resolve",
        did,
        "--log",
        str(VECTORS / log),
        *mode,
        env=env,
    )
    remote = run("did", "resolve", did, "--via", served, *mode, env=env)
    assert local.returncode == 0, local.stderr
    assert (remote.returncode, remote.stdout) == (0, local.stdout)
    assert did in remote.stdout


@pytest.mark.parametrize(
    ("did", "code", "exit_code"),
    [
        ("did:example:123", "methodNotSupported", 1),
        ("did:agora:zQmNoSuchLogAnywhereZZZZZZZZZZZZZZZZZZZZZZZZZZZ", "notFound", 1),
        ("did:key:not-base58-0OIl", "invalidDid", 2),
    ],
)
def test_via_errors_carry_the_code(
    served: str, tmp_path: Path, did: str, code: str, exit_code: int
) -> None:
    env = environment(tmp_path)
    remote = run("did", "resolve", did, "--via", served, "--json", env=env)
    assert remote.returncode == exit_code, remote.stderr
    body = json.loads(remote.stdout)
    assert body["didResolutionMetadata"]["error"] == code
    assert json.loads(remote.stderr)["code"] == code
    local = run("did", "resolve", did, "--json", env=env)
    assert local.returncode == exit_code
    assert json.loads(local.stderr)["code"] == code


def test_via_unreachable_is_a_transport_failure(tmp_path: Path) -> None:
    port = _free_port()
    remote = run(
        "did",
        "resolve",
        KEY_DID,
        "--via",
        f"http://127.0.0.1:{port}",
        env=environment(tmp_path),
    )
    assert remote.returncode == 3
    assert "could not be reached" in remote.stderr


def test_via_refuses_plain_http_off_loopback(tmp_path: Path) -> None:
    remote = run(
        "did",
        "resolve",
        KEY_DID,
        "--via",
        "http://example.org",
        env=environment(tmp_path),
    )
    assert remote.returncode == 3
    assert "refused" in remote.stderr


def test_serve_refuses_a_missing_log(tmp_path: Path) -> None:
    completed = run(
        "resolver",
        "serve",
        "--did-log",
        str(tmp_path / "missing"),
        env=environment(tmp_path),
    )
    assert completed.returncode == 2
    assert "error[unusableInput]" in completed.stderr


def test_via_and_log_together_are_a_usage_error(tmp_path: Path) -> None:
    completed = run(
        "did",
        "resolve",
        KEY_DID,
        "--via",
        "https://resolver.example",
        "--log",
        str(VECTORS / "deactivated.jsonl"),
        env=environment(tmp_path),
    )
    assert completed.returncode == 2
    assert "error[unusableOption]" in completed.stderr
