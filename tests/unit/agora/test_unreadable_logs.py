"""Log text that cannot be read fails, with one wording, wherever it comes from.

Every bad line (not UTF-8, a byte order mark, not strict JSON, not an object,
too deep) is ``cannot read <source>: <reason> at line <n>.`` with the code
``invalidLogEntry``; an empty log is ``cannot read <source>: it is empty.``.
Before, a ``.jsonl`` file with such a line was skipped (the DID was then
``notFound``) or kept a placeholder entry, and the ``log`` option and
``did log import`` described the same line differently.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ssi
import ssi.methods
from ssi.agora import FileLogSource, split_lines
from ssi.errors import InvalidDIDLogError
from tests.unit.agora.builders import (
    NOW,
    S1,
    U1,
    LogBuilder,
    at,
    key,
    resolver_for,
)

BUILT = LogBuilder()
BUILT.add_service(U1, at(1), "hub")
DID = BUILT.did
LINE_1, LINE_2 = (json.dumps(e).encode() for e in BUILT.entries)
ENTRY = "invalidLogEntry"

# name: (file content, the reason, the line number; None: no line).
GARBAGE: dict[str, tuple[bytes, str, int | None]] = {
    "empty": (b"", "it is empty", None),
    "blank-lines-only": (b"\n  \n\r\n", "it is empty", None),
    "truncated": (
        LINE_1 + b"\n" + LINE_2[:-40] + b"\n",
        "not JSON (Unterminated string starting at",
        2,
    ),
    "truncated-without-newline": (
        LINE_1 + b"\n" + LINE_2[:-1],
        "not JSON (Expecting ',' delimiter at column",
        2,
    ),
    "utf-8-bom": (b"\xef\xbb\xbf" + LINE_1 + b"\n" + LINE_2, "a byte order mark", 1),
    "bom-on-a-later-line": (
        LINE_1 + b"\n\xef\xbb\xbf" + LINE_2,
        "a byte order mark",
        2,
    ),
    "latin-1": (
        LINE_1 + b'\n{"note": "caf\xe9"}\n',
        "not UTF-8",
        2,
    ),
    "nan": (LINE_1 + b'\n{"a": NaN}\n', "the non-JSON value NaN", 2),
    "infinity": (LINE_1 + b'\n{"a": -Infinity}\n', "the non-JSON value -Infinity", 2),
    "huge-float": (LINE_1 + b'\n{"a": 1e400}\n', "a number too large for a double", 2),
    "huge-int": (
        LINE_1 + b'\n{"a": ' + b"1" * 5000 + b"}\n",
        "an integer too long to read",
        2,
    ),
    "duplicate-key": (
        LINE_1 + b'\n{"version": 2, "version": 2}\n',
        "the member name 'version' twice in one object",
        2,
    ),
    "nested-duplicate-key": (
        LINE_1 + b'\n{"a": {"b": 1, "b": 2}}\n',
        "the member name 'b' twice in one object",
        2,
    ),
    "array-line": (LINE_1 + b"\n[1, 2]\n", "a value that is not a JSON object", 2),
    "number-line": (LINE_1 + b"\n\n42\n", "a value that is not a JSON object", 3),
    "null-line": (LINE_1 + b"\nnull\n", "a value that is not a JSON object", 2),
    "too-deep": (
        LINE_1 + b'\n{"a": ' + b"[" * 70 + b"]" * 70 + b"}\n",
        "nesting deeper than 64 levels",
        2,
    ),
    "far-too-deep": (
        LINE_1 + b"\n" + b"[" * 100_000,
        "nesting deeper than 64 levels",
        2,
    ),
    "lone-surrogate": (
        LINE_1 + b'\n{"a": "\\ud800"}\n',
        "an unpaired surrogate",
        2,
    ),
    "not-json-at-all": (
        b"this is not a log\n",
        "not JSON (Expecting value at column 1)",
        1,
    ),
}


def _message(source: str, reason: str, line: int | None) -> str:
    return f"cannot read {source}: {reason}" + (
        f" at line {line}." if line is not None else "."
    )


def _check(error_message: object, source: str, reason: str, line: int | None) -> None:
    assert isinstance(error_message, str)
    assert error_message.startswith(f"cannot read {source}: {reason}")
    expected_end = f" at line {line}." if line is not None else "."
    assert error_message.endswith(expected_end)
    if "(" not in reason:  # messages from the JSON parser say more
        assert error_message == _message(source, reason, line)


@pytest.fixture(params=sorted(GARBAGE), ids=str)
def garbage(request: pytest.FixtureRequest) -> tuple[bytes, str, int | None]:
    return GARBAGE[request.param]


def test_split_lines_says_what_and_where(garbage):
    data, reason, line = garbage
    with pytest.raises(InvalidDIDLogError) as caught:
        split_lines(data, source="alice.jsonl")
    assert caught.value.code == ENTRY
    _check(caught.value.detail, "alice.jsonl", reason, line)


def test_a_file_source_fails_instead_of_skipping_the_file(tmp_path, garbage):
    data, reason, line = garbage
    path = tmp_path / "alice.jsonl"
    path.write_bytes(data)
    with pytest.raises(InvalidDIDLogError) as caught:
        FileLogSource(path).logs_for(DID)
    _check(caught.value.detail, str(path), reason, line)
    for source in (path, tmp_path):  # the file, and its folder
        result = resolver_for(source).resolve(DID)
        assert result.did_document is None
        assert result.error == ENTRY  # before: notFound
        metadata = result.did_resolution_metadata
        _check(metadata["errorMessage"], str(path), reason, line)
        assert metadata["problemDetails"]["type"].endswith(ENTRY)


TEXT_GARBAGE = sorted(k for k, v in GARBAGE.items() if v[1] != "not UTF-8")


@pytest.mark.parametrize("name", TEXT_GARBAGE)
def test_the_log_option_fails_the_same_way(name):
    data, reason, line = GARBAGE[name]
    result = ssi.methods.resolve(DID, log=data.decode("utf-8"))
    assert result.error == ENTRY
    metadata = result.did_resolution_metadata
    _check(metadata["errorMessage"], "the log option", reason, line)


def test_a_credential_whose_issuer_log_is_unreadable_reports_the_log(tmp_path, garbage):
    data, reason, line = garbage
    path = tmp_path / "alice.jsonl"
    path.write_bytes(data)
    signer = ssi.LocalSigner(key(S1), f"{DID}#key-1")
    secured = ssi.issue(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": DID,
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:holder"},
        },
        signer,
        created=at(1.5),
    )
    report = ssi.verify(secured, resolver=resolver_for(path), now=NOW)
    assert not report.verified
    (problem,) = (p.to_json() for p in report.problems)
    assert problem["errorCode"] == ENTRY  # before: PARSING_ERROR or notFound
    _check(problem["detail"], str(path), reason, line)


def test_a_good_file_after_the_fix_still_resolves(tmp_path):
    path = tmp_path / "alice.jsonl"
    path.write_bytes(LINE_1 + b"\r\n\r\n" + LINE_2 + b"\r\n" + LINE_2 + b"\n")
    result = resolver_for(path).resolve(DID)
    assert result.ok
    assert result.did_document_metadata["versionId"] == "2"


def test_a_folder_fails_on_a_file_it_cannot_attribute(tmp_path):
    # The resolver cannot tell whose log an unreadable first line starts, so
    # the folder does not resolve until the file is fixed or removed.
    (tmp_path / "alice.jsonl").write_bytes(LINE_1 + b"\n" + LINE_2 + b"\n")
    (tmp_path / "junk.jsonl").write_bytes(b"\xef\xbb\xbf" + LINE_1)
    result = resolver_for(tmp_path).resolve(DID)
    assert result.error == ENTRY
    assert result.did_resolution_metadata["errorMessage"] == (
        f"cannot read {tmp_path / 'junk.jsonl'}: a byte order mark at line 1."
    )
    (tmp_path / "junk.jsonl").unlink()
    assert resolver_for(tmp_path).resolve(DID).ok


def test_a_file_of_another_did_with_a_bad_line_later_is_skipped(tmp_path):
    other = LogBuilder(update=3, next_keys=(4,))
    (tmp_path / "alice.jsonl").write_bytes(LINE_1 + b"\n" + LINE_2 + b"\n")
    (tmp_path / "other.jsonl").write_bytes(
        json.dumps(other.entries[0]).encode() + b"\n{oops\n"
    )
    assert resolver_for(tmp_path).resolve(DID).ok
    assert resolver_for(tmp_path).resolve(other.did).error == ENTRY


def test_a_file_that_cannot_be_opened_names_the_reason(tmp_path, monkeypatch):
    path = tmp_path / "alice.jsonl"
    path.write_bytes(LINE_1)

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    result = resolver_for(path).resolve(DID)
    assert result.error == "invalidDidLog"
    assert result.did_resolution_metadata["errorMessage"] == (
        f"cannot read {path}: permission denied."
    )


def test_the_entry_number_counts_entries_not_lines():
    text = (LINE_1 + b"\n\n\n" + b"{oops\n").decode()
    with pytest.raises(InvalidDIDLogError) as caught:
        split_lines(text)
    assert caught.value.entry == 2
    assert caught.value.detail.endswith("at line 4.")


def test_a_non_ascii_string_with_a_lone_surrogate_is_refused():
    text = LINE_1.decode() + '\n{"a": "\ud800"}'
    with pytest.raises(InvalidDIDLogError) as caught:
        split_lines(text)
    assert (
        caught.value.detail == "cannot read the log: an unpaired surrogate at line 2."
    )


def test_unicode_whitespace_inside_strings_is_kept(tmp_path: Path):
    value = {"a": "x\u2028y\x85z"}
    text = LINE_1.decode() + "\n" + json.dumps(value, ensure_ascii=False)
    assert split_lines(text)[1] == value


def test_a_line_of_unicode_spaces_is_not_blank():
    # Blank means spaces, tabs and carriage returns only (JSON whitespace).
    text = LINE_1.decode() + "\n\u2028\n \t\r\n"
    with pytest.raises(InvalidDIDLogError) as caught:
        split_lines(text)
    assert caught.value.detail.startswith("cannot read the log: not JSON (")
    assert caught.value.detail.endswith(" at line 2.")
    assert split_lines(LINE_1.decode() + "\n \t\r\n") == [BUILT.entries[0]]


def test_entry_numbers_count_a_repeated_line_once():
    data = b"\n".join([LINE_1, LINE_1, LINE_2, b'{"a": "\xe9"}'])
    with pytest.raises(InvalidDIDLogError) as caught:
        split_lines(data)
    assert (caught.value.entry, caught.value.detail) == (
        3,
        "cannot read the log: not UTF-8 at line 4.",
    )
    with pytest.raises(InvalidDIDLogError) as caught:
        split_lines(data.replace(b"\xe9", b"\\u00e9").replace(b"}", b"", 1))
    assert caught.value.entry == 1  # the first line, now cut short
