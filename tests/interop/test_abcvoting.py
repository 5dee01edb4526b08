"""abcvoting as an interop peer: sequential PAV and sequential Phragmén.

On random weighted approval profiles, the committee ``ssi.social.count``
elects must be one of the committees abcvoting finds when it follows every
tie (``resolute=False``): the two implementations agree on the rule, and
ours only adds its own tie-break.
"""

from __future__ import annotations

import pytest
from abcvoting import abcrules
from abcvoting.preferences import Profile, Voter
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.social import count

pytestmark = pytest.mark.interop

OPTIONS = ["c0", "c1", "c2", "c3", "c4", "c5"]


@st.composite
def elections(draw):
    m = draw(st.integers(2, len(OPTIONS)))
    approvals = st.sets(st.integers(0, m - 1), min_size=1)
    voters = draw(
        st.lists(st.tuples(approvals, st.integers(1, 5)), min_size=1, max_size=20)
    )
    seats = draw(st.integers(1, min(4, m)))
    return m, voters, seats, draw(st.text(max_size=6))


def _abcvoting(method, m, voters, seats):
    profile = Profile(m)
    for approved, weight in voters:
        profile.add_voter(Voter(sorted(approved), weight=weight))
    if method == "pav":
        found = abcrules.compute_seqpav(profile, seats, resolute=False)
    else:
        found = abcrules.compute_seqphragmen(
            profile, seats, resolute=False, algorithm="standard-fractions"
        )
    return [{OPTIONS[c] for c in committee} for committee in found]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["pav", "seq-phragmen"]), elections())
def test_our_committee_is_one_abcvoting_elects(method, election):
    m, voters, seats, seed = election
    options = OPTIONS[:m]
    ballots = [[options[c] for c in sorted(approved)] for approved, _ in voters]
    weights = [weight for _, weight in voters]
    result = count(method, options, ballots, seats=seats, weights=weights, seed=seed)
    assert set(result.winners) in _abcvoting(method, m, voters, seats)
    if not result.tie_breaks:
        assert [set(result.winners)] == _abcvoting(method, m, voters, seats)
