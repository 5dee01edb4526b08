"""Panels by verifiable lot: recomputed here from docs/moderation.md with a
few lines of hashlib, the worked example of that page, and properties."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssi.cid import object_cid
from ssi.social import draw_panels, lot_key


def independent(subject, label, moderators, n, n_appeal, skip):
    """The documented rule, written again without the library."""
    keyed = sorted(
        (hashlib.sha256(f"{subject}|{label}|{d}".encode()).hexdigest(), d)
        for d in set(moderators)
    )
    order = [d for _, d in keyed if d not in set(skip)]
    return order[:n], order[n : n + n_appeal]


def test_the_worked_example_of_the_docs():
    subject = object_cid({"content": "Buy cheap engines now"})
    assert subject == "bagaaierakq4jfqlxpx3463cpordpv3khqpqiwvc7w7skk3xgk4vtztlcfgwq"
    moderators = [
        "did:example:ada",
        "did:example:bob",
        "did:example:cy",
        "did:example:dee",
    ]
    assert lot_key(subject, "spam", "did:example:cy") == (
        "2a94d6ec3662d96d09d8ad707932f81b4af9f3ff88b2f02b1e874792e43d1fdf"
    )
    drawn = draw_panels(
        subject, "spam", moderators, size=2, appeal_size=1, skip=["did:example:bob"]
    )
    assert drawn.order == ("did:example:cy", "did:example:dee", "did:example:ada")
    assert drawn.skipped == ("did:example:bob",)
    assert drawn.panel == ("did:example:cy", "did:example:dee")
    assert drawn.appeal_panel == ("did:example:ada",)


dids = st.lists(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12
    ).map(lambda s: "did:example:" + s),
    max_size=30,
)


@given(
    subject=st.text(max_size=20),
    label=st.sampled_from(["spam", "nsfw", "offtopic", "ünïcode|bar"]),
    moderators=dids,
    skip=dids,
    n=st.integers(1, 9),
    n_appeal=st.integers(0, 9),
)
def test_the_panels_are_the_documented_ones(
    subject, label, moderators, skip, n, n_appeal
):
    drawn = draw_panels(
        subject, label, reversed(moderators), size=n, appeal_size=n_appeal, skip=skip
    )
    panel, appeal = independent(subject, label, moderators, n, n_appeal, skip)
    assert list(drawn.panel) == panel
    assert list(drawn.appeal_panel) == appeal
    assert not set(drawn.panel) & set(drawn.appeal_panel)
    assert not set(drawn.panel) & set(skip)
    assert set(drawn.order) | set(drawn.skipped) == set(moderators)
    assert len(drawn.panel) == min(n, len(set(moderators) - set(skip)))


def test_the_caller_s_mistakes_are_value_errors():
    with pytest.raises(ValueError, match="size"):
        draw_panels("s", "spam", ["did:example:a"], size=0)
    with pytest.raises(ValueError, match="appeal_size"):
        draw_panels("s", "spam", ["did:example:a"], size=1, appeal_size=-1)
    with pytest.raises(ValueError, match="strings"):
        draw_panels("s", "spam", [1], size=1)  # type: ignore[list-item]
