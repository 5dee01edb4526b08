"""Property tests for DID and DID URL syntax (DID Core §3.1, §3.2).

The generators below are built from the ABNF on their own, not from the
parser's regular expressions, so the two implementations check each other.
"""

from __future__ import annotations

import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ssi.did import (
    DIDDocument,
    dereference_in_document,
    is_did,
    is_did_url,
    parse_did,
    parse_did_url,
    resolve_relative,
)
from ssi.errors import (
    DIDNotFoundError,
    InvalidDIDDocumentError,
    InvalidDIDError,
    InvalidDIDURLError,
)

HEX = "0123456789abcdefABCDEF"
pct_encoded = st.builds(
    lambda a, b: f"%{a}{b}", st.sampled_from(HEX), st.sampled_from(HEX)
)
idchar = st.sampled_from(string.ascii_letters + string.digits + "._-") | pct_encoded
method_name = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
segment = st.lists(idchar, max_size=8).map("".join)
last_segment = st.lists(idchar, min_size=1, max_size=16).map("".join)
method_specific_id = st.builds(
    lambda head, last: "".join(f"{s}:" for s in head) + last,
    st.lists(segment, max_size=4),
    last_segment,
)
dids = st.builds(lambda m, i: f"did:{m}:{i}", method_name, method_specific_id)

pchar = (
    st.sampled_from(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@")
    | pct_encoded
)
path_abempty = st.lists(
    st.lists(pchar, max_size=6).map(lambda chars: "/" + "".join(chars)), max_size=4
).map("".join)
query_or_fragment = st.lists(pchar | st.sampled_from("/?"), max_size=12).map("".join)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
DOCUMENT = DIDDocument.from_json(
    {
        "id": "did:example:123",
        "verificationMethod": [
            {"id": "#key-1", "type": "Multikey", "controller": "did:example:123"}
        ],
        "service": [
            {"id": "#s", "type": "X", "serviceEndpoint": "https://x.example/a"}
        ],
    }
)


@given(method_name, method_specific_id)
def test_generated_dids_parse_and_round_trip(method, msid):
    text = f"did:{method}:{msid}"
    did = parse_did(text)
    assert (did.method, did.method_specific_id) == (method, msid)
    assert str(did) == text
    assert is_did(text)
    assert parse_did(str(did)) == did


@given(dids, path_abempty, st.none() | query_or_fragment, st.none() | query_or_fragment)
def test_generated_did_urls_parse_and_round_trip(did, path, query, fragment):
    text = did + path
    text += "" if query is None else f"?{query}"
    text += "" if fragment is None else f"#{fragment}"
    url = parse_did_url(text)
    assert (str(url.did), url.path, url.query, url.fragment) == (
        did,
        path,
        query,
        fragment,
    )
    assert str(url) == text
    assert is_did_url(text)
    assert is_did(text) == url.is_bare_did


@settings(max_examples=500)
@given(st.text())
@example("did:example:123")
@example("did:example:123#key-1")
@example("DID:example:123")
def test_arbitrary_text_fails_only_with_our_errors(text):
    try:
        did = parse_did(text)
    except InvalidDIDError:
        assert not is_did(text)
    else:
        assert str(did) == text
    try:
        url = parse_did_url(text)
    except InvalidDIDURLError:
        assert not is_did_url(text)
    else:
        assert str(url) == text
    try:
        resolve_relative(text, "did:example:123")
    except InvalidDIDURLError:
        pass


@given(st.text(alphabet=string.printable + "\u00e9\u200b\u0000", max_size=40))
def test_arbitrary_did_like_text_fails_only_with_our_errors(tail):
    for text in (f"did:{tail}", f"did:example:{tail}", f"did:example:1{tail}"):
        try:
            assert str(parse_did(text)) == text
        except InvalidDIDError:
            pass
        try:
            assert str(parse_did_url(text)) == text
        except InvalidDIDURLError:
            pass


@given(json_values)
def test_any_json_value_fails_only_with_our_errors(value):
    try:
        parse_did(value)
    except InvalidDIDError:
        pass
    try:
        parse_did_url(value)
    except InvalidDIDURLError:
        pass
    if not isinstance(value, str):
        assert not is_did(value)
        assert not is_did_url(value)


@given(dids, st.sampled_from(' \t\n#/?[]<>"\\^`{|}~+@!\u00e9\u0000'), st.data())
def test_a_forbidden_character_in_the_method_specific_id_is_rejected(did, char, data):
    start = did.index(":", 4) + 1
    position = data.draw(st.integers(min_value=start, max_value=len(did)))
    text = did[:position] + char + did[position:]
    try:
        parse_did(text)
    except InvalidDIDError:
        return
    raise AssertionError(f"accepted {text!r}")


@given(st.text(max_size=60))
def test_dereferencing_fails_only_with_our_errors(text):
    for url in (
        text,
        f"did:example:123{text}",
        f"did:example:123?service=s&relativeRef={text}",
    ):
        try:
            dereference_in_document(DOCUMENT, url)
        except (InvalidDIDURLError, DIDNotFoundError, InvalidDIDDocumentError):
            pass
