"""The plaintext message model: strict reading, faithful writing."""

from __future__ import annotations

import json

import pytest

from ssi.messaging import (
    PLAINTEXT,
    Attachment,
    MalformedMessageError,
    Message,
    MessageTooLargeError,
    pack_plaintext,
)
from ssi.messaging.message import MAX_DEPTH, load_json
from tests.vectors.load import json_file


def test_appendix_plaintext_reads_and_writes_back():
    obj = json_file("didcomm", "plaintext.json")
    message = Message.from_json(obj)
    assert message.from_ == "did:example:alice"
    assert message.to == ("did:example:bob",)
    assert message.expires_time == 1516385931
    assert message.thread_id == "1234567890"
    assert message.to_json() == {**obj, "typ": PLAINTEXT}


def test_unknown_headers_and_attachment_members_are_kept():
    obj = {
        "id": "1",
        "type": "t",
        "lang": "en",
        "thid": "th",
        "pthid": "p",
        "from_prior": "a.b.c",
        "attachments": [
            {
                "id": "a",
                "description": "d",
                "filename": "f.txt",
                "media_type": "text/plain",
                "format": "x",
                "lastmod_time": 5,
                "byte_count": 3,
                "data": {"links": ["https://example.org/f"], "hash": "h"},
                "other": [1],
            }
        ],
    }
    message = Message.from_json(obj)
    assert message.extra == {"lang": "en"}
    assert message.thread_id == "th"
    (attachment,) = message.attachments
    assert attachment.extra == {"other": [1]}
    assert Message.from_json(message.to_json()) == message
    assert message.to_json()["attachments"][0] == obj["attachments"][0]


def test_new_makes_fresh_ids_and_checks():
    first = Message.new("t", created_time=7)
    second = Message.new("t")
    assert first.id != second.id
    assert first.created_time == 7
    assert first.body == {}
    with pytest.raises(MalformedMessageError):
        Message.new("t", from_="not a did")


def test_short_typ_is_accepted():
    message = Message.from_json({"id": "1", "type": "t", "typ": "didcomm-plain+json"})
    assert message.id == "1"


@pytest.mark.parametrize(
    "obj",
    [
        {"id": "1", "type": "t", "typ": "application/json"},
        {"id": "1", "type": "t", "thid": 3},
        {"id": "1", "type": "t", "to": ["did:example:a#f"]},
        {"id": "1", "type": "t", "attachments": {}},
        {"id": "1", "type": "t", "attachments": [[]]},
        {"id": "1", "type": "t", "attachments": [{"data": []}]},
        {"id": "1", "type": "t", "attachments": [{"data": {"base64": 1}}]},
        {"id": "1", "type": "t", "attachments": [{"data": {"links": "x"}}]},
        {"id": "1", "type": "t", "attachments": [{"data": {"jws": 1}}]},
        {"id": "1", "type": "t", "attachments": [{"data": {"json": 1}, "id": 2}]},
        {"type": "t"},
    ],
)
def test_wrong_types_are_refused(obj):
    with pytest.raises(MalformedMessageError):
        Message.from_json(obj)


def test_nesting_limit_is_exact():
    assert load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(MalformedMessageError):
        load_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


def test_packing_refuses_an_oversized_message():
    big = Attachment(data={"base64": "A" * (1 << 20)})
    with pytest.raises(MessageTooLargeError):
        pack_plaintext(Message.new("t", attachments=[big]))


def test_many_brackets_side_by_side_are_not_deep():
    wide = "[" + ",".join(["[{}]"] * MAX_DEPTH) + "]"
    assert load_json(wide) == [[{}]] * MAX_DEPTH


def test_from_json_copies_and_from_parsed_takes_over():
    obj = {"id": "1", "type": "t", "body": {"n": [1]}, "x": {"y": 1}}
    copied, taken = Message.from_json(obj), Message.from_parsed(obj)
    obj["body"]["n"].append(2)
    obj["x"]["y"] = 2
    assert copied.body == {"n": [1]}
    assert copied.extra == {"x": {"y": 1}}
    assert taken.body is obj["body"]
    assert taken.extra["x"] is obj["x"]


def test_to_bytes_is_the_compact_json_of_to_json():
    message = Message.new(
        "https://example.org/t/1.0/m",
        {"text": "héllo", "n": [1, {"a": None}]},
        from_="did:example:alice",
        to=["did:example:bob"],
        attachments=[Attachment(data={"json": {"k": "v"}}, id="a")],
        extra={"custom": {"deep": [1]}},
    )
    expected = json.dumps(
        message.to_json(), separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert message.to_bytes() == expected
    assert Message.from_json(json.loads(message.to_bytes())) == message


def _nested(depth: int, inner: str = "1") -> str:
    text = inner
    for level in range(depth):
        text = f'{{"k{level}": {text}, "s": "[{{\\"]"}}' if level % 2 else f"[{text}]"
    return text


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        (_nested(MAX_DEPTH), False),
        (_nested(MAX_DEPTH + 1), True),
        # Brackets inside strings, escaped quotes and backslashes are no level.
        (_nested(MAX_DEPTH, '"\\\\\\"[[[[{{{{\\\\"'), False),
        ("[" + ",".join(['"[[[{{{"'] * 100) + "]", False),
        ("[" + ",".join([_nested(MAX_DEPTH - 1)] * 3) + "]", False),
        ("[" + ",".join([_nested(3), _nested(MAX_DEPTH)]) + "]", True),
    ],
)
def test_nesting_is_measured_on_the_structure_not_on_strings(text, deep):
    json.loads(text)
    if deep:
        with pytest.raises(MalformedMessageError, match="deeper"):
            load_json(text)
    else:
        assert load_json(text) == json.loads(text)
