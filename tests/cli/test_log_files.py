"""Bad did:agora ``--log`` files through the ``agora`` command (in-process).

A file that cannot be read makes ``did resolve --log`` and ``vc verify --log``
fail (exit 2) with ``cannot read FILE: <reason> at line N.`` (before: the file
was skipped and the DID was ``notFound``); a ``version`` of the wrong type is
``invalidLogVersion`` everywhere (before: a traceback from ``did resolve`` and a
PARSING_ERROR blamed on the credential by ``vc verify``); ``did log import``
reads the file with the same reader and says the same.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import ssi
from tests.unit.agora.builders import S1, U1, LogBuilder, at, key
from wallet_cli.app import app

runner = CliRunner()

BUILT = LogBuilder()
BUILT.add_service(U1, at(1), "hub")
DID = BUILT.did
LINE_1, LINE_2 = (json.dumps(e).encode() for e in BUILT.entries)

# name: (file content, the message after "cannot read FILE: ").
GARBAGE = {
    "truncated": (
        LINE_1 + b"\n" + LINE_2[:-1],
        f"not JSON (Expecting ',' delimiter at column {len(LINE_2)}) at line 2.",
    ),
    "empty": (b"", "it is empty."),
    "utf-8-bom": (b"\xef\xbb\xbf" + LINE_1, "a byte order mark at line 1."),
    "latin-1": (LINE_1 + b'\n{"note": "caf\xe9"}\n', "not UTF-8 at line 2."),
    "nan": (LINE_1 + b'\n{"a": NaN}\n', "the non-JSON value NaN at line 2."),
    "duplicate-key": (
        LINE_1 + b'\n{"a": 1, "a": 2}\n',
        "the member name 'a' twice in one object at line 2.",
    ),
    "not-an-object": (
        LINE_1 + b"\n[1]\n",
        "a value that is not a JSON object at line 2.",
    ),
    "too-deep": (
        LINE_1 + b"\n" + b"[" * 65 + b"]" * 65 + b"\n",
        "nesting deeper than 64 levels at line 2.",
    ),
}
WRONG_VERSION = (
    LINE_1 + b"\n" + json.dumps({**BUILT.entries[1], "version": [2]}).encode()
)


def invoke(home: Path, *args: str) -> Result:
    env = {
        "AGORA_HOME": str(home),
        "AGORA_PASSPHRASE": "agora test passphrase",
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    return runner.invoke(app, list(args), env=env)


def report_of(result: Result) -> dict[str, Any]:
    assert result.exit_code == 1, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["verified"] is False
    return report


@pytest.fixture(scope="module")
def credential(tmp_path_factory: pytest.TempPathFactory) -> Path:
    secured = ssi.issue(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": DID,
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:holder"},
        },
        ssi.LocalSigner(key(S1), f"{DID}#key-1"),
        created=at(1.5),
    )
    path = tmp_path_factory.mktemp("credential") / "credential.json"
    path.write_text(json.dumps(secured), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_resolve_and_verify_name_the_file_and_the_line(tmp_path, credential, name):
    data, message = GARBAGE[name]
    log = tmp_path / "alice.jsonl"
    log.write_bytes(data)
    expected = f"cannot read {log}: {message}"

    # An unreadable --log file is unusable input (exit 2, one error line),
    # not a DID that failed to resolve nor a credential that failed to verify.
    for args in (("did", "resolve", DID), ("vc", "verify", str(credential))):
        human = invoke(tmp_path, *args, "--log", str(log))
        assert human.exit_code == 2, human.output
        assert human.exception is None or isinstance(human.exception, SystemExit)
        assert human.stderr.splitlines() == [f"error[invalidLogEntry]: {expected}"]
        assert human.stdout == ""
        as_json = invoke(tmp_path, *args, "--log", str(log), "--json")
        assert as_json.exit_code == 2, as_json.output
        assert expected in as_json.stderr + as_json.stdout
        assert "PARSING_ERROR" not in as_json.stderr + as_json.stdout


def test_a_version_of_the_wrong_type_is_invalid_log_version(tmp_path, credential):
    log = tmp_path / "alice.jsonl"
    log.write_bytes(WRONG_VERSION)
    human = invoke(tmp_path, "did", "resolve", DID, "--log", str(log))
    assert human.exit_code == 1
    assert "Traceback" not in human.output
    assert "error[invalidLogVersion]: log entry 2: its version must be 2." in (
        human.stderr
    )
    report = report_of(
        invoke(tmp_path, "vc", "verify", str(credential), "--log", str(log), "--json")
    )
    (problem,) = report["problems"]
    assert (problem["check"], problem["errorCode"]) == ("proof", "invalidLogVersion")
    parsing = next(c for c in report["checks"] if c["check"] == "parsing")
    assert parsing["passed"] is True  # the credential is not to blame


def test_log_import_reads_with_the_same_reader(tmp_path):
    assert invoke(tmp_path, "init", "--kdf-profile", "test").exit_code == 0
    for name in ("truncated", "empty", "utf-8-bom", "nan", "not-an-object"):
        data, message = GARBAGE[name]
        log = tmp_path / f"{name}.jsonl"
        log.write_bytes(data)
        imported = invoke(tmp_path, "did", "log", "import", str(log))
        assert imported.exit_code == 2, name
        # The source is named by the command (the file, or "the log").
        (line,) = imported.stderr.splitlines()
        assert line.startswith("error[invalidLogEntry]: cannot read "), line
        assert line.endswith(f": {message}"), line
    log = tmp_path / "version.jsonl"
    log.write_bytes(WRONG_VERSION)
    imported = invoke(tmp_path, "did", "log", "import", str(log))
    assert "error[invalidLogVersion]: log entry 2" in imported.stderr
    # A repeated line is read once, as resolution reads it.
    log.write_bytes(b"\n".join([LINE_1, LINE_2, LINE_2]))
    imported = invoke(tmp_path, "did", "log", "import", str(log), "--json")
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["versionId"] == "2"
