"""Moderation credentials: whatever a builder accepts, its reader reads back
as given; and a reader given any JSON value in place of a member either
reads it or refuses it with an SSIError, never a foreign exception."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.cid import object_cid
from ssi.errors import SSIError
from ssi.social import (
    MAX_LABEL_LENGTH,
    MAX_REASON,
    VERDICTS,
    appeal_credential,
    label_credential,
    mandate_credential,
    read_moderation_object,
    report_credential,
    verdict_credential,
)
from ssi.status import build_status_entry

_ALLOWED = st.characters(
    blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"),
)
labels = st.text(_ALLOWED, min_size=1, max_size=MAX_LABEL_LENGTH).filter(str.strip)
reasons = st.one_of(
    st.just(""),
    st.text(_ALLOWED, min_size=1, max_size=MAX_REASON).filter(str.strip),
)
times = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
dids = st.from_regex(r"did:example:[a-z0-9]{1,12}", fullmatch=True)
cids = st.binary(min_size=1, max_size=8).map(lambda data: object_cid({"x": data.hex()}))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(
    actor=dids,
    community=dids,
    post=cids,
    label=labels,
    reason=reasons,
    time=times,
    kind=st.sampled_from(["report", "label", "negated", "appeal"]),
)
def test_case_objects_round_trip(actor, community, post, label, reason, time, kind):
    fields = {"community": community, "post": post, "label": label}
    if kind == "report":
        credential = report_credential(actor, valid_from=time, reason=reason, **fields)
    elif kind == "appeal":
        credential = appeal_credential(actor, valid_from=time, reason=reason, **fields)
    else:
        negated = kind == "negated"
        reason = reason if negated or reason else "because"
        credential = label_credential(
            actor, valid_from=time, reason=reason, negated=negated, **fields
        )
    read = read_moderation_object(credential)
    assert (read.community, read.post, read.label) == (community, post, label)
    assert (read.time, read.reason, read.cid) == (time, reason, object_cid(credential))
    assert getattr(read, "negated", False) is (kind == "negated")


@settings(max_examples=40, deadline=None)
@given(
    actor=dids,
    community=dids,
    appeal=cids,
    verdict=st.sampled_from(VERDICTS),
    reason=reasons,
    time=times,
)
def test_verdicts_round_trip(actor, community, appeal, verdict, reason, time):
    credential = verdict_credential(
        actor,
        community=community,
        appeal=appeal,
        verdict=verdict,
        valid_from=time,
        reason=reason,
    )
    read = read_moderation_object(credential)
    assert (read.moderator, read.community, read.appeal) == (actor, community, appeal)
    assert (read.verdict, read.time, read.reason) == (verdict, time, reason)


@settings(max_examples=40, deadline=None)
@given(
    community=dids,
    moderator=dids,
    election=cids,
    start=times,
    term=st.integers(1, 10**9),
    index=st.integers(0, 2**17),
)
def test_mandates_round_trip(community, moderator, election, start, term, index):
    end = start + timedelta(seconds=term)
    entry = build_status_entry("https://c.example/status", index)
    credential = mandate_credential(
        community,
        moderator,
        election=election,
        valid_from=start,
        valid_until=end,
        status=[entry],
    )
    read = read_moderation_object(credential)
    assert (read.community, read.moderator, read.election) == (
        community,
        moderator,
        election,
    )
    assert (read.valid_from, read.valid_until) == (start, end)
    assert read.status[0] is not None
    assert read.status[0].index == index


def _valid_objects():
    time = datetime(2025, 1, 1, tzinfo=UTC)
    post = object_cid({"p": 1})
    case = {"community": "did:example:c", "post": post, "label": "spam"}
    return [
        report_credential("did:example:a", valid_from=time, **case),
        label_credential("did:example:a", valid_from=time, reason="r", **case),
        appeal_credential("did:example:a", valid_from=time, **case),
        verdict_credential(
            "did:example:a",
            community="did:example:c",
            appeal=post,
            verdict="uphold",
            valid_from=time,
        ),
        mandate_credential(
            "did:example:c",
            "did:example:m",
            election=post,
            valid_from=time,
            valid_until=time + timedelta(days=1),
            status=[build_status_entry("https://c.example/s", 1)],
        ),
    ]


@settings(max_examples=150, deadline=None)
@given(
    which=st.integers(0, 4),
    member=st.sampled_from(
        ["community", "post", "label", "reason", "negated", "appeal", "verdict",
         "election", "id", "type"]
    ),
    value=json_values,
)  # fmt: skip
def test_any_member_value_is_read_or_refused_with_a_code(which, member, value):
    credential = copy.deepcopy(_valid_objects()[which])
    credential["credentialSubject"][member] = value
    try:
        read_moderation_object(credential)
    except SSIError as exc:
        code = exc.code
    else:
        code = "read"
    assert code
