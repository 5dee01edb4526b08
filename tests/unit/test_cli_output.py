"""``wallet_cli.output``: untrusted text reaches the terminal escaped, ids whole."""

from __future__ import annotations

import json
import re

import pytest

from wallet_cli.output import Output, escape_untrusted, show_controls

# Everything a terminal would act on, as the output must never hold it
# (a line feed only ends the lines Output itself writes).
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

HOSTILE = (
    "\x1b[31mred\x1b[0m \x9b2J \x07bell \x7fdel \x00nul \r\n"
    "\u202egnp.exe\u202c \u2066iso\u2069 \u200f\u200e\u061c \u2028\u2029 "
    "[bold]markup[/bold] [link=https://evil.example]x[/link]"
)

DID_KEY = "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"
DID_AGORA = "did:agora:zQmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"
VM = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"  # noqa: E501
UUID = "urn:uuid:0b0f6a5e-8c1b-4f0e-9b55-2f1f4b1f1c2a"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b", "\\x1b"),
        ("\x07", "\\x07"),
        ("\x00", "\\x00"),
        ("\n", "\\x0a"),
        ("\x7f", "\\x7f"),
        ("\x85", "\\x85"),
        ("\x9b", "\\x9b"),
        ("\u061c", "\\u061c"),
        ("\u200e", "\\u200e"),
        ("\u200f", "\\u200f"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
        ("\u202a", "\\u202a"),
        ("\u202e", "\\u202e"),
        ("\u2066", "\\u2066"),
        ("\u2069", "\\u2069"),
        ("\ud800", "\\ud800"),
    ],
)
def test_each_control_character_becomes_a_visible_escape(raw, shown):
    assert show_controls(f"a{raw}b") == f"a{shown}b"


def test_printable_text_is_kept():
    text = "Ada Lovelace, née Byron: 数学者 ✓ \\x1b stays as typed"
    assert show_controls(text) == text


def test_markup_is_escaped_after_controls():
    assert escape_untrusted("\x1b[bold]x[/bold]") == "\\x1b\\[bold]x\\[/bold]"


def hostile_output(capsys, columns: int) -> tuple[str, str]:
    out = Output()
    out.panel(HOSTILE, [(HOSTILE, HOSTILE), ("lines", (HOSTILE, HOSTILE))])
    out.table(HOSTILE, [HOSTILE, "b"], [[HOSTILE, (HOSTILE, "x")]])
    out.line(HOSTILE)
    out.error(HOSTILE, HOSTILE)
    out.notice(HOSTILE)
    captured = capsys.readouterr()
    return captured.out, captured.err


@pytest.mark.parametrize("columns", [40, 1000])
def test_no_control_character_or_markup_reaches_the_terminal(
    capsys, monkeypatch, columns
):
    monkeypatch.setenv("COLUMNS", str(columns))
    stdout, stderr = hostile_output(capsys, columns)
    for text in (stdout, stderr):
        assert RAW.search(text) is None, ascii(text)
        assert "\\x1b[31mred" in text
        assert "\\u202egnp.exe" in text
        assert "[bold]markup[/bold]" in text


def test_json_stays_exact(capsys):
    value = {HOSTILE: [HOSTILE, {"k\x9b": "v\u202e"}]}
    Output(json_mode=True).json(value)
    stdout = capsys.readouterr().out
    assert json.loads(stdout) == value
    assert not re.search(
        "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", stdout
    )
    assert "\\u009b" in stdout
    assert "\\u202e" in stdout


def test_json_keeps_printable_non_ascii_text(capsys):
    value = {"name": "Zoë 日本 🙂", "lone": "\ud800"}
    Output(json_mode=True).json(value)
    stdout = capsys.readouterr().out
    assert "Zoë 日本 🙂" in stdout
    assert "\\ud800" in stdout
    assert json.loads(stdout) == value


def test_problem_is_one_json_line_on_stderr(capsys):
    problem = {"type": "urn:x", "title": "T", "detail": HOSTILE, "code": "c"}
    Output(json_mode=True).problem(problem)
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert json.loads(line) == problem


def lines_holding(text: str, value: str) -> list[str]:
    return [line for line in text.splitlines() if value in line]


@pytest.mark.parametrize("columns", [80, 100])
@pytest.mark.parametrize("value", [DID_KEY, DID_AGORA, VM, UUID])
def test_ids_are_never_broken_across_lines(capsys, monkeypatch, columns, value):
    monkeypatch.setenv("COLUMNS", str(columns))
    out = Output()
    out.panel(value, [("id", value), ("several", (value, "more")), ("short", "x")])
    out.table(
        f"Members of ({value})",
        ["credential", "member", "role"],
        [[UUID, value, "member"], [UUID, (value, value), "admin"]],
    )
    stdout = capsys.readouterr().out
    # The title, the row, the first of the two lines, and the table's cells.
    assert len(lines_holding(stdout, value)) >= 7, stdout
    pieces = {value[:20], value[-20:]}
    for piece in pieces:
        for line in lines_holding(stdout, piece):
            assert value in line, stdout


def test_a_panel_that_fits_keeps_its_box(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    Output().panel("DID created", [("DID", DID_KEY), ("alias", "alice")])
    stdout = capsys.readouterr().out
    assert stdout.startswith("╭")
    [line] = lines_holding(stdout, DID_KEY)
    assert line.startswith("│")


def test_a_panel_too_wide_becomes_plain_lines(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    Output().panel("resolved", [("DID", DID_KEY), ("method", (VM, "  type Multikey"))])
    assert capsys.readouterr().out.splitlines() == [
        "resolved",
        f"  DID     {DID_KEY}",
        f"  method  {VM}",
        "            type Multikey",
    ]
