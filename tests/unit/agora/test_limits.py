"""did:agora logs that try to make the resolver work hard: copies, forks, size.

Work is counted, not timed: signature checks, canonicalizations (JCS) and
parsed lines, through counters put in place of the library's functions.
Identical entries count once; a forked log is validated as a tree, each
distinct entry once; logs over the limits fail with ``invalidLogSize``
before any signature is checked.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

import ssi
import ssi.agora.lines
import ssi.agora.log
import ssi.methods
from ssi.agora import add_service, resolve_log, split_lines, update_entry, validate_log
from ssi.agora.lines import MAX_LOG_BRANCHES, MAX_LOG_BYTES, MAX_LOG_ENTRIES
from ssi.errors import DuplicityError, InvalidDIDLogError, LogTooLargeError
from ssi.types import JsonObject
from tests.unit.agora.builders import U1, LogBuilder, at, jsonl, key, service

SIZE = "invalidLogSize"


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count signature checks, canonicalizations and parsed lines."""
    counts: Counter[str] = Counter()

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        ssi.agora.log,
        "check_signature",
        counted("signatures", ssi.agora.log.check_signature),
    )
    monkeypatch.setattr(
        ssi.agora.log,
        "canonicalize_jcs_with_and_without",
        counted("jcs", ssi.agora.log.canonicalize_jcs_with_and_without),
    )
    monkeypatch.setattr(
        ssi.agora.lines, "parse_line", counted("lines", ssi.agora.lines.parse_line)
    )
    return counts


BUILT = LogBuilder()
BUILT.add_service(U1, at(1), "hub")
DID = BUILT.did
FIRST, SECOND = BUILT.entries


def _copies(n: int) -> list[JsonObject]:
    """Entry 1, then ``n`` equal copies of entry 2 (distinct objects)."""
    return [FIRST, *(copy.deepcopy(SECOND) for _ in range(n))]


def _resolve_counting(work: Counter[str], log: Any) -> dict[str, int]:
    work.clear()
    result = ssi.methods.resolve(DID, log=log)
    assert result.ok, result.did_resolution_metadata
    assert result.did_document_metadata["versionId"] == "2"
    return dict(work)


@pytest.mark.parametrize("n", [200, 400])
def test_copies_of_an_entry_are_checked_once(work, n):
    # Before: every copy made a branch of its own, validated whole (2n
    # signature checks), and placing each copy scanned every branch.
    counts = _resolve_counting(work, _copies(n))
    assert counts["signatures"] == 2
    assert counts["jcs"] == n + 1  # one hash per entry, to find the copies


def test_work_on_copies_grows_linearly(work):
    small = _resolve_counting(work, _copies(300))
    large = _resolve_counting(work, _copies(600))
    assert large["signatures"] == small["signatures"] == 2
    assert large["jcs"] <= 2 * small["jcs"]


def test_copied_lines_are_parsed_once(work):
    line_1, line_2 = json.dumps(FIRST), json.dumps(SECOND)
    for n in (1000, 2000):
        counts = _resolve_counting(work, "\n".join([line_1] + [line_2] * n))
        assert counts == {"lines": 2, "jcs": 2, "signatures": 2}


def test_copies_written_differently_count_once(work):
    # The same entry with other whitespace: other lines, the same entry hash.
    line = json.dumps(SECOND)
    spaced = [line.replace(", ", "," + " " * k, 1) for k in range(1, 301)]
    counts = _resolve_counting(work, "\n".join([json.dumps(FIRST), *spaced]))
    assert counts["lines"] == 301
    assert counts["signatures"] == 2


def test_the_same_object_many_times_is_hashed_once(work):
    counts = _resolve_counting(work, [FIRST, *[SECOND] * 5000])
    assert counts == {"jcs": 2, "signatures": 2}


def test_a_repeated_first_entry_is_no_fork():
    result = ssi.methods.resolve(DID, log=[FIRST, SECOND, copy.deepcopy(FIRST), SECOND])
    assert result.ok
    assert result.did_document_metadata["versionId"] == "2"


def _comb(teeth: int) -> list[JsonObject]:
    """A chain of ``teeth + 1`` entries with a second entry after each of
    entries 1..teeth: ``teeth + 1`` branches, every entry valid."""
    builder = LogBuilder()
    forks = []
    for version in range(2, teeth + 2):
        other = add_service(builder.document, service(f"fork{version}"))
        forks.append(update_entry(builder.log, key(U1), other, when=at(version - 1.5)))
        builder.add_service(U1, at(version - 1), f"s{version}")
    return [*builder.entries, *forks]


def test_forks_are_validated_once_per_entry(work):
    # Before: each branch was validated from entry 1, so a comb of n teeth
    # cost about n * n / 2 signature checks.
    checks = {}
    for teeth in (10, 20, 40):
        entries = _comb(teeth)
        work.clear()
        with pytest.raises(DuplicityError) as caught:
            resolve_log(DID, [entries])
        assert caught.value.entry == 2  # the first fork is reported
        checks[teeth] = work["signatures"]
        assert checks[teeth] == len(entries) == 2 * teeth + 1
    assert checks[40] / checks[20] == pytest.approx(checks[20] / checks[10], rel=0.1)


def _star(branches: int) -> list[JsonObject]:
    """Entry 1 and ``branches`` different entries 2 after it."""
    builder = LogBuilder()
    seconds = [
        update_entry(
            builder.log,
            key(U1),
            add_service(builder.document, service(f"b{n}")),
            when=at(1) + timedelta(seconds=n),
        )
        for n in range(branches)
    ]
    return [*builder.entries, *seconds]


def test_a_log_with_many_forks_is_duplicity_up_to_the_limit(work):
    entries = _star(MAX_LOG_BRANCHES)
    work.clear()
    with pytest.raises(DuplicityError):
        resolve_log(DID, [entries])
    assert work["signatures"] == len(entries)


def test_a_log_with_more_branches_than_the_limit_fails_before_any_check(work):
    entries = _star(MAX_LOG_BRANCHES + 1)
    work.clear()
    with pytest.raises(LogTooLargeError) as caught:
        resolve_log(DID, [entries])
    assert caught.value.code == SIZE
    assert f"more than {MAX_LOG_BRANCHES} branches" in caught.value.detail
    assert work["signatures"] == 0
    result = ssi.methods.resolve(DID, log=jsonl(entries))
    assert result.error == SIZE


def test_too_many_entries_fail_before_any_check(work):
    entries = [FIRST, *[SECOND] * MAX_LOG_ENTRIES]
    result = ssi.methods.resolve(DID, log=entries)
    assert result.error == SIZE
    assert result.did_resolution_metadata["problemDetails"]["type"].endswith(SIZE)
    with pytest.raises(LogTooLargeError):
        validate_log(entries, did=DID)
    assert work["signatures"] == 0
    # Exactly at the limit the copies are dropped and the log resolves.
    assert ssi.methods.resolve(DID, log=entries[:MAX_LOG_ENTRIES]).ok


def test_too_many_lines_fail_while_reading(work):
    with pytest.raises(LogTooLargeError) as caught:
        split_lines("{}\n" * (MAX_LOG_ENTRIES + 1))
    assert caught.value.detail == (
        f"cannot read the log: more than {MAX_LOG_ENTRIES} entries "
        f"at line {MAX_LOG_ENTRIES + 1}."
    )
    assert work["lines"] == 1


@pytest.mark.parametrize("kind", [str, bytes])
def test_text_larger_than_the_limit_is_not_parsed(work, kind):
    data = " " * (MAX_LOG_BYTES + 1)
    with pytest.raises(LogTooLargeError) as caught:
        split_lines(data if kind is str else data.encode(), source="big.jsonl")
    assert caught.value.detail == (
        f"cannot read big.jsonl: it is larger than {MAX_LOG_BYTES} bytes."
    )
    assert work["lines"] == 0
    # Non-ASCII text is measured in bytes of UTF-8.
    with pytest.raises(LogTooLargeError):
        split_lines("é" * (MAX_LOG_BYTES // 2 + 1))


def test_a_long_forked_chain_is_walked_without_recursion():
    # Deeper than the interpreter's recursion limit, with a fork at the end.
    builder = LogBuilder()
    entries = list(builder.entries)
    log = builder.log
    for version in range(2, 1202):
        entry = update_entry(log, key(U1), builder.document, when=at(version))
        entries.append(entry)
        log = _after(log, entry)
    fork = update_entry(
        _before_last(log),
        key(U1),
        add_service(builder.document, service("x")),
        when=at(1201.5),
    )
    with pytest.raises(DuplicityError) as caught:
        resolve_log(builder.did, [[*entries, fork]])
    assert caught.value.entry == 1201


def _after(log: Any, entry: JsonObject) -> Any:
    """The log with one more state, trusted (the test validates at the end)."""
    from ssi.agora import AgoraLog, LogState, entry_hash
    from ssi.encoding import decode_multibase

    state = LogState(
        version=entry["version"],
        time=at(entry["version"]),
        time_text=entry["time"],
        digest=decode_multibase(entry_hash(entry)),
        document=entry["document"],
        update_keys=tuple(entry["updateKeys"]),
        next_key_hashes=tuple(entry["nextKeyHashes"]),
        deactivated=False,
        entry=entry,
    )
    return AgoraLog(log.did, (*log.states[-1:], state))


def _before_last(log: Any) -> Any:
    from ssi.agora import AgoraLog

    return AgoraLog(log.did, log.states[:-1])


def test_a_broken_entry_in_a_fork_fails_where_it_is():
    entries = _star(2)
    entries[2] = {**entries[2], "time": "not a time"}
    with pytest.raises(InvalidDIDLogError) as caught:
        resolve_log(DID, [entries])
    assert (caught.value.code, caught.value.entry) == ("invalidLogTime", 2)
