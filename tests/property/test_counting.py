"""Property tests for ssi.social.count: Condorcet consistency, Schulze
monotonicity, conservation of votes through IRV and STV transfers, quadratic
budgets, and results independent of ballot order and of how weight is
spelled (k copies or weight k)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.errors import InvalidChoiceError
from ssi.social import METHODS, check_choice, count

RUN = settings(max_examples=150, deadline=None)
OPTIONS = ["a", "b", "c", "d", "e"]


@st.composite
def rankings(draw, options=OPTIONS, partial=True):
    order = draw(st.permutations(options))
    size = draw(st.integers(0 if partial else len(options), len(options)))
    return list(order[:size])


@st.composite
def profiles(draw, partial=True, min_size=1):
    k = draw(st.integers(2, len(OPTIONS)))
    options = OPTIONS[:k]
    ballots = draw(st.lists(rankings(options, partial), min_size=min_size, max_size=25))
    seed = draw(st.text(max_size=8))
    return options, ballots, seed


def _condorcet_winner(options, pairwise):
    for i, option in enumerate(options):
        if all(pairwise[i][j] > pairwise[j][i] for j in range(len(options)) if j != i):
            return option
    return None


@RUN
@given(profiles())
def test_a_condorcet_winner_wins_schulze_and_ranked_pairs(profile):
    options, ballots, seed = profile
    schulze = count("schulze", options, ballots, seed=seed)
    winner = _condorcet_winner(options, schulze.pairwise)
    if winner is not None:
        assert schulze.winners == (winner,)
        assert count("ranked-pairs", options, ballots, seed=seed).winners == (winner,)


def _beats_all(paths, i):
    return all(paths[i][j] > paths[j][i] for j in range(len(paths)) if j != i)


@RUN
@given(profiles(), st.data())
def test_ranking_the_schulze_winner_first_never_makes_it_lose(profile, data):
    # The guarantee is for a winner that beats every other option; one picked
    # by the tie-break among tied options has none (a ballot a > b added to
    # the cycle a, ac, b, ba, ba, c, c, cb makes b beat a outright).
    options, ballots, seed = profile
    before = count("schulze", options, ballots, seed=seed)
    winner = before.winners[0]
    w = options.index(winner)
    if not _beats_all(before.strongest_paths, w):
        return
    rest = data.draw(rankings([o for o in options if o != winner]))
    after = count("schulze", options, [*ballots, [winner, *rest]], seed=seed)
    paths = after.strongest_paths
    assert all(paths[w][x] >= paths[x][w] for x in range(len(options)))
    if after.winners[0] != winner:  # Only a tie, broken by the rule.
        assert after.tie_breaks


@RUN
@given(profiles(), st.lists(st.integers(1, 4), min_size=25, max_size=25))
def test_irv_conserves_votes_round_by_round(profile, weights):
    options, ballots, seed = profile
    weights = weights[: len(ballots)]
    result = count("irv", options, ballots, seed=seed, weights=weights)
    for before, after in zip(result.rounds, result.rounds[1:], strict=False):
        assert sum(before.tallies.values()) + before.exhausted == sum(weights)
        (loser,) = before.eliminated
        assert sum(t.papers for t in before.transfers) == before.tallies[loser]
        for option, votes in after.tallies.items():
            gained = sum(t.papers for t in before.transfers if t.target == option)
            assert votes == before.tallies[option] + gained
        gained = sum(t.papers for t in before.transfers if t.target is None)
        assert after.exhausted == before.exhausted + gained
    last = result.rounds[-1]
    assert sum(last.tallies.values()) + last.exhausted == sum(weights)


@RUN
@given(profiles(), st.integers(1, 3))
def test_stv_conserves_votes_round_by_round(profile, seats):
    options, ballots, seed = profile
    seats = min(seats, len(options))
    result = count("stv", options, ballots, seats=seats, seed=seed)
    assert len(result.winners) == seats
    assert result.quota == len(ballots) // (seats + 1) + 1
    for stage in result.rounds:
        total = sum(stage.tallies.values()) + stage.exhausted + stage.residual
        assert total == len(ballots)
        for source in stage.eliminated:
            moved = sum(t.votes for t in stage.transfers)
            assert moved == stage.tallies[source]
        for transfer in stage.transfers:
            if transfer.value is not None:  # A surplus: at most the surplus.
                surplus = stage.tallies[transfer.source] - result.quota
                assert 0 <= transfer.value * stage.tallies[transfer.source] <= surplus
    winners = set(result.winners)
    for stage in result.rounds:
        assert not winners & set(stage.eliminated)


@RUN
@given(
    st.dictionaries(st.sampled_from(OPTIONS), st.integers(0, 12), max_size=5),
    st.integers(0, 200),
)
def test_quadratic_budgets_are_enforced(votes, credits):
    cost = sum(v * v for v in votes.values())
    if cost <= credits:
        normal = check_choice("quadratic", OPTIONS, votes, voice_credits=credits)
        assert normal == {o: votes[o] for o in OPTIONS if votes.get(o)}
        result = count("quadratic", OPTIONS, [votes], voice_credits=credits)
        assert result.totals == {o: votes.get(o, 0) for o in OPTIONS}
    else:
        with pytest.raises(InvalidChoiceError, match="voice credits"):
            count("quadratic", OPTIONS, [{}, votes], voice_credits=credits)


def _shaped(method, ranking, options):
    if method == "plurality":
        return ranking[0] if ranking else options[0]
    if method in {"approval", "pav", "seq-phragmen"}:
        return ranking[:2]
    if method in {"score", "star"}:
        return {o: 5 - i for i, o in enumerate(ranking)}
    if method == "quadratic":
        return {o: 4 - i for i, o in enumerate(ranking[:4])}
    return ranking


@RUN
@given(st.sampled_from(METHODS), profiles(), st.randoms(use_true_random=False))
def test_ballot_order_does_not_change_the_json(method, profile, rnd):
    options, ballots, seed = profile
    shaped = [_shaped(method, b, options) for b in ballots]
    seats = min(2, len(options)) if method in {"stv", "pav", "seq-phragmen"} else 1
    first = count(method, options, shaped, seats=seats, seed=seed).to_json()
    rnd.shuffle(shaped)
    second = count(method, options, shaped, seats=seats, seed=seed).to_json()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


@RUN
@given(
    st.sampled_from(METHODS),
    profiles(),
    st.lists(st.integers(1, 5), min_size=25, max_size=25),
)
def test_weight_k_counts_as_k_copies(method, profile, weights):
    options, ballots, seed = profile
    weights = weights[: len(ballots)]
    shaped = [_shaped(method, b, options) for b in ballots]
    seats = min(2, len(options)) if method in {"stv", "pav", "seq-phragmen"} else 1
    weighted = count(method, options, shaped, seats=seats, seed=seed, weights=weights)
    copies = [b for b, w in zip(shaped, weights, strict=True) for _ in range(w)]
    expanded = count(method, options, copies, seats=seats, seed=seed)
    assert weighted.to_json() | {"ballots": len(copies)} == expanded.to_json()
    assert weighted.weight == sum(weights)
    if weighted.support is not None:
        assert 0 <= weighted.support <= Fraction(1)


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(alphabet="abz", max_size=3),
    st.binary(max_size=2),
    st.lists(st.one_of(st.sampled_from(OPTIONS), st.integers(), st.none()), max_size=4),
    st.tuples(st.sampled_from(OPTIONS), st.sampled_from(OPTIONS)),
    st.dictionaries(
        st.one_of(st.sampled_from(OPTIONS), st.integers()),
        st.one_of(st.integers(-3, 12), st.booleans(), st.floats(), st.lists(st.none())),
        max_size=3,
    ),
)


@RUN
@given(st.sampled_from(METHODS), st.lists(JUNK, min_size=1, max_size=6))
def test_any_ballot_is_counted_or_refused_by_index(method, ballots):
    try:
        result = count(method, OPTIONS, ballots)
    except InvalidChoiceError as error:
        index = int(error.detail.split(":")[0].removeprefix("Ballot "))
        with pytest.raises(InvalidChoiceError):
            check_choice(method, OPTIONS, ballots[index])
        for ballot in ballots[:index]:
            check_choice(method, OPTIONS, ballot)
    else:
        assert result.ballots == len(ballots)
        for ballot in ballots:
            check_choice(method, OPTIONS, ballot)
