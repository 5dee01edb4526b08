"""The readers' fast paths give exactly what the full checks give.

``_fields.cid`` takes an object CID in the form ``ssi.cid`` writes by its
shape alone, and ``_fields.short_text`` skips the per-character check for
printable ASCII; each is compared here with the full path on the inputs
that matter (valid values, every one-letter change of them, the whole ASCII
range, arbitrary text) and shown to be the path actually taken.
"""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.cid import JSON_CODEC, RAW_CODEC, ContentID, blob_cid, object_cid
from ssi.errors import InvalidCIDError, MalformedValueError
from ssi.social import _fields as f

BASE32 = string.ascii_lowercase + "234567"
LETTERS = BASE32 + string.ascii_uppercase + "0189=-_ \u00e9"
SAMPLE = object_cid({"sample": 1})


def outcome(check, *args, **options):
    """What a check returns, or the type and message of what it raises."""
    try:
        return ("value", check(*args, **options))
    except (InvalidCIDError, MalformedValueError) as exc:
        return (type(exc).__name__, str(exc))


def same_cid_outcome(value, codec=JSON_CODEC):
    fast = outcome(f.cid, value, "$.x", codec=codec)
    full = outcome(f.parsed_cid, value, "$.x", codec=codec)
    assert fast == full, value
    return fast


@given(st.binary(min_size=32, max_size=32))
def test_every_object_cid_is_read_as_itself_by_both_paths(digest):
    text = str(ContentID(JSON_CODEC, digest))
    assert f._JSON_CID_RE.fullmatch(text)
    assert same_cid_outcome(text) == ("value", text)


@settings(max_examples=300)
@given(
    st.binary(min_size=32, max_size=32),
    st.integers(min_value=0, max_value=60),
    st.sampled_from(LETTERS),
)
def test_any_one_letter_change_gets_the_same_answer(digest, position, letter):
    text = str(ContentID(JSON_CODEC, digest))
    changed = text[:position] + letter + text[position + 1 :]
    same_cid_outcome(changed)
    same_cid_outcome(text[:position] + text[position + 1 :])  # one letter fewer
    same_cid_outcome(text[:position] + letter + text[position:])  # one more


def test_every_last_letter_gets_the_same_answer():
    # The last letter carries 4 unused bits: only a and q leave them zero.
    accepted = {
        letter
        for letter in BASE32
        if same_cid_outcome(SAMPLE[:-1] + letter)[0] == "value"
    }
    assert accepted == {"a", "q"}


@pytest.mark.parametrize(
    "value",
    [
        None,
        7,
        ["b"],
        "",
        "b",
        SAMPLE.upper(),
        "B" + SAMPLE[1:],
        SAMPLE + "a",
        SAMPLE[:-1],
        blob_cid(b"a blob"),  # codec raw where json is required
        "z" + SAMPLE[1:],
    ],
)
def test_values_that_are_not_object_cids_get_the_full_paths_answer(value):
    assert same_cid_outcome(value)[0] == "InvalidCIDError"


def test_blob_cids_take_the_full_path_for_their_codec():
    blob = blob_cid(b"a blob")
    assert same_cid_outcome(blob, RAW_CODEC) == ("value", blob)
    assert same_cid_outcome(SAMPLE, RAW_CODEC)[0] == "InvalidCIDError"


def test_the_shape_alone_decides_an_object_cid(monkeypatch):
    def refuse(*args, **options):
        raise AssertionError("parse_cid was called")

    monkeypatch.setattr(f, "parse_cid", refuse)
    assert f.cid(SAMPLE, "$.x") == SAMPLE
    with pytest.raises(AssertionError):
        f.cid(SAMPLE.upper(), "$.x")


# --- Short texts ------------------------------------------------------------------


def full_short_text(value, path, cap, *, allow_joiner=False):
    """short_text with the per-character check always run."""
    text = f.short_text(value, path, cap, allow_joiner=allow_joiner)
    f.characters(text, path, allow_joiner=allow_joiner)
    return text


@pytest.mark.parametrize("allow_joiner", [False, True])
def test_printable_ascii_is_exactly_the_ascii_that_passes_the_characters(
    allow_joiner,
):
    for code in range(128):
        char = chr(code)
        passes = outcome(f.characters, char, "$.x", allow_joiner=allow_joiner)
        assert (passes == ("value", None)) == char.isprintable(), code
        assert unicodedata.category(char) not in {"Cf", "Cs", "Zl", "Zp"}


@pytest.mark.parametrize("allow_joiner", [False, True])
@given(text=st.text(max_size=20))
def test_short_text_agrees_with_the_full_check(allow_joiner, text):
    for value in (text, "tag " + text, text + "\u200d"):
        fast = outcome(f.short_text, value, "$.t", 30, allow_joiner=allow_joiner)
        full = outcome(full_short_text, value, "$.t", 30, allow_joiner=allow_joiner)
        assert fast == full


def test_printable_ascii_skips_the_character_check(monkeypatch):
    def refuse(*args, **options):
        raise AssertionError("characters was called")

    monkeypatch.setattr(f, "characters", refuse)
    assert f.short_text("a tag", "$.t", 10) == "a tag"
    with pytest.raises(AssertionError):
        f.short_text("a\ttag", "$.t", 10)
