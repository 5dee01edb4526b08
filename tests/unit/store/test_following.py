"""Following a store, on every backend: ``latest_seq`` and ``wait_for_new``,
and stream positions (``cursor_for_seq`` / ``seq_of_cursor``).

A follower remembers the last sequence number it read and waits for a
larger one; an add through another handle (another worker) wakes it.
"""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssi.errors import InvalidCursorError, StoreError
from ssi.store import cursor_for_seq, seq_of_cursor

from .objects import many_posts, verifier

TEXTS = many_posts(6, offset=3000)


def test_latest_seq_is_the_largest_sequence_number(store):
    assert store.latest_seq() == 0
    store.add(TEXTS[:3], verifier=verifier())
    assert store.latest_seq() == max(item.seq for item in store.query().items)
    store.add(TEXTS[:3], verifier=verifier())  # all present: nothing new
    assert store.latest_seq() == max(item.seq for item in store.query().items)


def test_wait_for_new_answers_at_once_what_is_there(store):
    assert store.wait_for_new(0, 0) is False
    store.add(TEXTS[:2], verifier=verifier())
    latest = store.latest_seq()
    assert store.wait_for_new(0, 0) is True
    assert store.wait_for_new(latest - 1, 0) is True
    assert store.wait_for_new(latest, 0) is False
    assert store.wait_for_new(latest, 0.05) is False


def test_an_add_through_another_handle_wakes_a_waiter(open_backend):
    """The waiter and the writer are two handles (two workers of a hub)."""
    waiter, writer = open_backend(), open_backend()
    writer.add(TEXTS[:1], verifier=verifier())
    latest = waiter.latest_seq()
    assert waiter.wait_for_new(latest, 0) is False
    woken: list[bool] = []
    started = threading.Event()

    def wait() -> None:
        started.set()
        woken.append(waiter.wait_for_new(latest, 60))

    thread = threading.Thread(target=wait)
    thread.start()
    started.wait(10)
    writer.add(TEXTS[1:3], verifier=verifier())
    thread.join(90)
    assert woken == [True]
    assert waiter.latest_seq() > latest


def test_closing_a_store_ends_its_waits(open_backend):
    store = open_backend()
    outcome: list[object] = []
    started = threading.Event()

    def wait() -> None:
        started.set()
        try:
            outcome.append(store.wait_for_new(0, 60))
        except StoreError as exc:
            outcome.append(exc.code)

    thread = threading.Thread(target=wait)
    thread.start()
    started.wait(10)
    store.close()
    thread.join(90)
    assert not thread.is_alive()
    assert outcome == ["storeError"]
    with pytest.raises(StoreError):
        store.wait_for_new(0, 0)
    with pytest.raises(StoreError):
        store.latest_seq()


@pytest.mark.parametrize(
    ("after", "timeout", "error"),
    [
        ("1", 0, TypeError),
        (True, 0, TypeError),
        (1.0, 0, TypeError),
        (0, "1", TypeError),
        (0, -1, ValueError),
        (0, float("nan"), ValueError),
    ],
)
def test_wait_arguments_are_checked(store, after, timeout, error):
    with pytest.raises(error):
        store.wait_for_new(after, timeout)


# --- Stream positions -----------------------------------------------------------


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_a_stream_position_gives_back_its_number(seq):
    cursor = cursor_for_seq(seq)
    assert cursor.startswith("s1.")
    assert seq_of_cursor(cursor) == seq


@pytest.mark.parametrize(
    "text",
    [
        "",
        "s1.",
        "s1.AAAAAAAAAA",  # 10 characters: cut
        "s1.AAAAAAAAAAAA",  # 12 characters
        "s1.AAAAAAAAAA9",  # not the canonical form of any 8 bytes
        "s2.AAAAAAAAAAE",
        "s1.AAAAAAAAAA+",
        "s1.ééééééééééé",
        "c1." + "A" * 32,  # a page's cursor is not a stream position
        42,
        None,
    ],
)
def test_what_is_not_a_stream_position_is_refused(text):
    with pytest.raises(InvalidCursorError) as info:
        seq_of_cursor(text)
    assert info.value.code == "invalidCursor"


@pytest.mark.parametrize(("seq", "error"), [(-1, ValueError), (2**64, ValueError)])
def test_stream_positions_of_impossible_numbers(seq, error):
    with pytest.raises(error):
        cursor_for_seq(seq)
    with pytest.raises(TypeError):
        cursor_for_seq("1")  # type: ignore[arg-type]
