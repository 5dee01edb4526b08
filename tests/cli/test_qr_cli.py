"""``agora qr encode`` / ``agora qr decode``: files and ``-``, several codes
named F-1.png, F-2.png, ..., ``--json``, and the errors with their codes.

Spec: docs/qr.md, docs/cli.md (QR codes)
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ssi.qr import MAX_COMPRESSED_BYTES, MAX_PART_BYTES
from tests.cli.helpers import AGORA, environment, json_error, one_error
from wallet_cli.app import app
from wallet_cli.commands import qr as qr_command
from wallet_cli.output import Output

runner = CliRunner()


def agora(home: Path, *args: str, input: bytes | None = None) -> Any:
    return runner.invoke(
        app,
        list(args),
        input=input,
        env={
            "AGORA_HOME": str(home / "no-wallet"),
            "AGORA_PASSPHRASE": None,
            "COLUMNS": "200",
            "NO_COLOR": "1",
        },
    )


def ok(result: Any) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return str(result.stdout)


def noise(size: int) -> bytes:
    blocks = (
        hashlib.sha256(n.to_bytes(4, "big")).digest() for n in range(size // 32 + 1)
    )
    return b"".join(blocks)[:size]


LOG = (
    b'{"version":1,"previous":null,"time":"2024-01-01T00:00:00.000Z",'
    b'"document":{"id":"did:agora:zExample"}}\n'
)


def test_encode_and_decode_one_code(tmp_path: Path):
    source = tmp_path / "log.jsonl"
    source.write_bytes(LOG)
    shown = ok(
        agora(tmp_path, "qr", "encode", str(source), "--out", str(tmp_path / "log.png"))
    )
    assert "QR code written" in shown
    assert (tmp_path / "log.png").read_bytes().startswith(b"\x89PNG")
    back = tmp_path / "back.jsonl"
    ok(agora(tmp_path, "qr", "decode", str(tmp_path / "log.png"), "--out", str(back)))
    assert back.read_bytes() == LOG


def test_several_codes_are_numbered_and_counted(tmp_path: Path):
    payload = noise(2 * MAX_PART_BYTES + 5)
    source = tmp_path / "big.bin"
    source.write_bytes(payload)
    body = json.loads(
        ok(
            agora(
                tmp_path,
                "qr",
                "encode",
                str(source),
                "--out",
                str(tmp_path / "b.png"),
                "--json",
            )
        )
    )
    files = [str(tmp_path / f"b-{n}.png") for n in (1, 2, 3)]
    assert body == {
        "codes": 3,
        "files": files,
        "bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    assert not (tmp_path / "b.png").exists()
    decoded = json.loads(
        ok(agora(tmp_path, "qr", "decode", files[2], files[0], files[1], "--json"))
    )
    assert decoded["bytes"] == len(payload)
    assert decoded["sha256"] == hashlib.sha256(payload).hexdigest()
    assert decoded["images"] == 3
    assert decoded["base64"]

    text = ok(
        agora(tmp_path, "qr", "encode", str(source), "--out", str(tmp_path / "c.svg"))
    )
    assert "3 QR codes written" in text
    assert (
        "Give all 3 codes"
        in agora(
            tmp_path,
            "qr",
            "encode",
            str(source),
            "--out",
            str(tmp_path / "c.svg"),
            "--force",
        ).stderr
    )
    assert all(
        (tmp_path / f"c-{n}.svg").read_bytes().startswith(b"<?xml") for n in (1, 2, 3)
    )


def test_stdin_in_and_stdout_out_byte_for_byte(tmp_path: Path):
    out = tmp_path / "in.png"
    ok(agora(tmp_path, "qr", "encode", "-", "--out", str(out), input=LOG))
    assert AGORA is not None
    env = environment(tmp_path / "no-wallet", passphrase=None)
    piped = subprocess.run(
        [AGORA, "qr", "decode", "-"],
        input=out.read_bytes(),
        capture_output=True,
        check=False,
        env=env,
        timeout=60,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == LOG
    as_json = json.loads(ok(agora(tmp_path, "qr", "decode", str(out), "--json")))
    assert as_json["text"] == LOG.decode()
    assert as_json["out"] == "-"


def test_a_missing_part_is_reported(tmp_path: Path):
    source = tmp_path / "big.bin"
    source.write_bytes(noise(2 * MAX_PART_BYTES + 5))
    ok(agora(tmp_path, "qr", "encode", str(source), "--out", str(tmp_path / "b.png")))
    line = one_error(
        agora(
            tmp_path,
            "qr",
            "decode",
            str(tmp_path / "b-1.png"),
            str(tmp_path / "b-3.png"),
        ),
        "qrPartMissing",
        2,
    )
    assert "part 2 of 3 is missing" in line


def test_over_the_cap_is_refused_and_nothing_is_written(tmp_path: Path):
    source = tmp_path / "huge.bin"
    source.write_bytes(noise(MAX_COMPRESSED_BYTES + 1))
    result = agora(
        tmp_path, "qr", "encode", str(source), "--out", str(tmp_path / "h.png")
    )
    line = one_error(result, "qrTooLarge", 2)
    assert str(MAX_COMPRESSED_BYTES) in line
    assert list(tmp_path.glob("h*.png")) == []
    json_error(
        agora(
            tmp_path,
            "qr",
            "encode",
            str(source),
            "--out",
            str(tmp_path / "h.png"),
            "--json",
        ),
        "qrTooLarge",
    )


def test_a_corrupted_image_is_reported_by_name(tmp_path: Path):
    broken = tmp_path / "broken.png"
    ok(agora(tmp_path, "qr", "encode", "-", "--out", str(broken), input=LOG))
    broken.write_bytes(broken.read_bytes()[:200])
    line = one_error(agora(tmp_path, "qr", "decode", str(broken)), "qrUnreadable", 2)
    assert "broken.png" in line


def test_output_names_and_existing_files(tmp_path: Path):
    source = tmp_path / "log.jsonl"
    source.write_bytes(LOG)
    one_error(
        agora(tmp_path, "qr", "encode", str(source), "--out", str(tmp_path / "x.gif")),
        "unusableInput",
        2,
    )
    ok(agora(tmp_path, "qr", "encode", str(source), "--out", str(tmp_path / "x.png")))
    one_error(
        agora(tmp_path, "qr", "encode", str(source), "--out", str(tmp_path / "x.png")),
        "fileExists",
        2,
    )
    ok(
        agora(
            tmp_path,
            "qr",
            "encode",
            str(source),
            "--out",
            str(tmp_path / "x.png"),
            "--force",
        )
    )
    one_error(
        agora(tmp_path, "qr", "decode", str(tmp_path / "x.png"), "--out", str(source)),
        "fileExists",
        2,
    )


def test_a_missing_extra_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(qr_command, "missing_dependencies", lambda: ["zxing-cpp"])
    line = one_error(
        agora(tmp_path, "qr", "decode", str(tmp_path / "any.png")), "qrUnavailable", 2
    )
    assert "agora-ssi[qr]" in line
    assert "zxing-cpp" in line


def test_help_has_examples(tmp_path: Path):
    assert "Example: agora qr encode" in ok(agora(tmp_path, "qr", "encode", "--help"))
    assert "Example: agora qr decode" in ok(agora(tmp_path, "qr", "decode", "--help"))


def test_a_payload_on_a_terminal_is_escaped_or_refused(monkeypatch, capsys):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    out = Output()
    assert out.payload(b'{"x": "\x1b[2J\xe2\x80\xae"}\nline 2\n')
    shown = capsys.readouterr().out
    assert "\x1b" not in shown
    assert "\u202e" not in shown
    assert shown.splitlines() == ['{"x": "\\x1b[2J\\u202e"}', "line 2"]
    assert not out.payload(b"\xff\xfe binary")
    assert capsys.readouterr().out == ""


def test_a_payload_into_a_pipe_is_exact(monkeypatch, capsysbinary):
    data = b"\x1b[2J\xff raw bytes\n"
    assert Output().payload(data)
    assert capsysbinary.readouterr().out == data
