"""ssi.social.count and check_choice: ballot shapes, errors, ties, support
and the result JSON, on small hand-counted profiles."""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction

import pytest

from ssi.errors import InvalidChoiceError, MalformedValueError, UnknownMethodError
from ssi.social import METHODS, check_choice, count, tie_break_key


def test_methods_are_the_twelve_in_order():
    assert METHODS == (
        "plurality",
        "approval",
        "irv",
        "schulze",
        "ranked-pairs",
        "borda",
        "score",
        "star",
        "quadratic",
        "stv",
        "pav",
        "seq-phragmen",
    )


def test_unknown_method_has_its_code():
    with pytest.raises(UnknownMethodError) as info:
        count("condorcet", ["a", "b"], [])
    assert info.value.code == "unknownMethod"
    assert isinstance(info.value, MalformedValueError)
    with pytest.raises(UnknownMethodError):
        check_choice("dictator", ["a"], "a")


@pytest.mark.parametrize(
    ("method", "choice", "normal"),
    [
        ("plurality", "b", "b"),
        ("approval", ["c", "a"], ("a", "c")),
        ("pav", [], ()),
        ("irv", ["c", "a"], ("c", "a")),
        ("borda", ("b",), ("b",)),
        ("score", {"c": 5, "a": 0, "b": 2}, {"b": 2, "c": 5}),
        ("quadratic", {"b": 6, "a": 8}, {"a": 8, "b": 6}),
    ],
)
def test_check_choice_normalises(method, choice, normal):
    assert check_choice(method, ["a", "b", "c"], choice) == normal


@pytest.mark.parametrize(
    ("method", "choice", "reason"),
    [
        ("plurality", ["a"], "one option id"),
        ("plurality", "z", "not one of the proposal's options"),
        ("approval", ["a", "a"], "appears twice"),
        ("approval", "ab", "list of option ids"),
        ("irv", ["a", 1], "non-string item"),
        ("stv", {"a": 1}, "list of option ids"),
        ("score", ["a"], "map option ids to integers"),
        ("score", {"a": 6}, "outside 0..5"),
        ("star", {"a": True}, "not an integer"),
        ("star", {"a": 1.0}, "not an integer"),
        ("score", {1: 1}, "non-string key"),
        ("quadratic", {"a": -1}, "outside 0."),
        ("quadratic", {"a": 10, "b": 1}, "101 voice credits"),
    ],
)
def test_check_choice_refuses(method, choice, reason):
    with pytest.raises(InvalidChoiceError) as info:
        check_choice(method, ["a", "b", "c"], choice)
    assert info.value.code == "malformedChoice"
    assert reason in info.value.detail


def test_a_malformed_ballot_is_named_by_index():
    with pytest.raises(InvalidChoiceError) as info:
        count("irv", ["a", "b"], [["a"], ["b", "a"], ["b", "b"]])
    assert info.value.detail.startswith("Ballot 2: ")
    with pytest.raises(InvalidChoiceError, match=r"^Ballot 1: "):
        count("score", ["a", "b"], [{"a": 1}, {"a": 9}])
    with pytest.raises(InvalidChoiceError, match=r"^Ballot 0: "):
        count("plurality", ["a", "b"], [None, "a"])


def test_scores_and_budgets_follow_the_parameters():
    assert count("score", ["a", "b"], [{"a": 9}], max_score=10).totals == {
        "a": 9,
        "b": 0,
    }
    with pytest.raises(InvalidChoiceError):
        count("quadratic", ["a", "b"], [{"a": 4, "b": 4}], voice_credits=31)
    result = count("quadratic", ["a", "b"], [{"a": 4, "b": 4}], voice_credits=32)
    assert result.totals == {"a": 4, "b": 4}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"seats": 0},
        {"seats": 3},
        {"weights": [1]},
        {"weights": [1, 0]},
        {"weights": [1, True]},
    ],
)
def test_caller_mistakes_raise_value_error(kwargs):
    with pytest.raises(ValueError, match="must"):
        count("plurality", ["a", "b"], ["a", "b"], **kwargs)


def test_options_must_be_distinct():
    with pytest.raises(ValueError, match="distinct"):
        count("plurality", ["a", "a"], [])


def test_tie_break_key_is_sha256_of_seed_and_option():
    expected = hashlib.sha256(b"bafyseed|yes").hexdigest()
    assert tie_break_key("bafyseed", "yes") == expected


def test_a_plurality_tie_is_broken_by_the_key_and_recorded():
    options = ["a", "b", "c"]
    for seed in ["s1", "s2", "s3", "s4"]:
        result = count("plurality", options, ["a", "b", "c", "c"], seed=seed)
        assert result.winners == ("c",)
        order = sorted(["a", "b"], key=lambda o: tie_break_key(seed, o))
        assert result.ranking == ("c", *order)
        assert result.tie_breaks[0].tied == ("a", "b")
        assert result.tie_breaks[0].order == tuple(order)


def test_irv_eliminates_the_last_of_the_tie_order():
    options = ["a", "b", "c"]
    ballots = [["a"], ["a"], ["b", "a"], ["c", "b"]]
    seed = "x"
    result = count("irv", options, ballots, seed=seed)
    loser = max(["b", "c"], key=lambda o: tie_break_key(seed, o))
    assert result.rounds[0].eliminated == (loser,)
    assert result.tie_breaks[0].stage == "elimination 1"


def test_yes_no_support_is_the_share_of_yes():
    ballots = ["yes", "no", "yes", "yes"]
    result = count("plurality", ["yes", "no"], ballots)
    assert result.support == Fraction(3, 4)
    result = count("plurality", ["yes", "no"], ["no", "no", "yes"])
    assert result.winners == ("no",)
    assert result.support == Fraction(1, 3)
    ranked = [["no", "yes"], ["yes"], ["yes", "no"], []]
    for method in ["schulze", "ranked-pairs", "irv"]:
        assert count(method, ["yes", "no"], ranked).support == Fraction(2, 3)


def test_support_per_method():
    options = ["a", "b", "c"]
    assert count("approval", options, [["a", "b"], ["a"], []]).support == Fraction(2, 3)
    score = count("score", options, [{"a": 5}, {"a": 3, "b": 4}])
    assert score.support == Fraction(8, 10)
    quadratic = count("quadratic", options, [{"a": 3, "b": 1}, {"b": 3}])
    assert quadratic.winners == ("b",)
    assert quadratic.support == Fraction(4, 7)
    borda = count("borda", options, [["a", "b", "c"], ["b"]])
    assert borda.totals == {"a": 2, "b": 3, "c": 0}
    assert borda.support == Fraction(3, 4)
    irv = count("irv", options, [["a"], ["a"], ["b", "a"], ["c"], ["c"]])
    assert irv.winners == ("a",)
    assert irv.support == Fraction(3, 5)


def test_irv_transfers_and_exhausted_ballots():
    options = ["a", "b", "c"]
    ballots = [["a"], ["a", "b"], ["b"], ["b"], ["b"]] + [["c", "a"]] * 4
    result = count("irv", options, ballots)
    first, second, third = result.rounds
    assert first.tallies == {"a": 2, "b": 3, "c": 4}
    assert first.eliminated == ("a",)
    assert [(t.target, t.papers) for t in first.transfers] == [("b", 1), (None, 1)]
    assert second.tallies == {"b": 4, "c": 4}
    assert second.exhausted == 1
    assert result.tie_breaks[0].stage == "elimination 2"
    assert third.elected == result.winners
    assert sum(third.tallies.values()) + third.exhausted == 9


def test_star_runoff_can_overturn_the_score_leader():
    options = ["a", "b", "c"]
    ballots = [{"a": 5, "b": 4}] * 2 + [{"b": 5, "a": 0}] + [{"a": 0, "b": 1}] * 2
    result = count("star", options, ballots)
    assert result.totals == {"a": 10, "b": 15, "c": 0}
    assert result.winners == ("b",)
    ballots = [{"a": 5, "b": 1}] * 3 + [{"b": 5}] * 2
    result = count("star", options, ballots)
    assert result.totals == {"a": 15, "b": 13, "c": 0}
    assert result.winners == ("a",)
    assert result.support == Fraction(3, 5)


def test_star_tied_runoff_goes_to_the_higher_score():
    ballots = [{"a": 5, "b": 4}, {"b": 2, "a": 0}, {"c": 1}]
    result = count("star", ["a", "b", "c"], ballots)
    assert result.rounds[1].tallies == {"a": 1, "b": 1}
    assert result.rounds[1].exhausted == 1
    assert result.winners == ("b",)


def test_stv_small_count_by_hand():
    # 9 ballots, 2 seats: quota 9 // 3 + 1 = 4. a has 6: surplus 2 moves
    # at 2/6, truncated to 0.33333 per paper, to b (3 papers) and c (3).
    options = ["a", "b", "c", "d"]
    ballots = [["a", "b"]] * 3 + [["a", "c"]] * 3 + [["d"]] * 2 + [["c"]]
    result = count("stv", options, ballots, seats=2)
    assert result.quota == 4
    assert result.rounds[0].elected == ("a",)
    values = {t.target: t.votes for t in result.rounds[0].transfers}
    assert values == {"b": Fraction(99999, 100000), "c": Fraction(99999, 100000)}
    assert result.rounds[0].transfers[0].value == Fraction(2, 6)
    assert result.winners[0] == "a"
    assert result.winners[1] in {"c", "d"}
    assert result.support is None


def test_sequential_rules_rank_every_option():
    options = ["a", "b", "c", "d"]
    ballots = [["a", "b"], ["a", "b"], ["c"], []]
    for method in ["pav", "seq-phragmen"]:
        result = count(method, options, ballots, seats=2)
        assert result.winners == ("a", "c") or result.winners == ("a", "b")
        assert set(result.ranking) == set(options)
        assert result.ranking[-1] == "d"
        assert result.support is None


def test_weights_count_like_copies():
    options = ["a", "b", "c"]
    one = count("schulze", options, [["a", "b"], ["c"]], weights=[3, 2]).to_json()
    copies = count("schulze", options, [["a", "b"]] * 3 + [["c"]] * 2).to_json()
    assert one | {"ballots": 5} == copies
    assert one["weight"] == 5


def test_json_is_canonical_and_float_free():
    options = ["a", "b", "c", "d"]
    ballots = [["a", "b"]] * 3 + [["a", "c"]] * 3 + [["d"]] * 2 + [["c"]]
    for method in METHODS:
        shaped = _shape(method, ballots)
        seats = 2 if method in {"stv", "pav", "seq-phragmen"} else 1
        document = count(method, options, shaped, seats=seats, seed="s").to_json()
        text = json.dumps(document, sort_keys=True)
        assert "." not in text.replace('"', " ").split("method")[0]
        assert not _has_float(document)
        assert list(document["totals"]) == options


def _shape(method, ballots):
    if method == "plurality":
        return [b[0] for b in ballots]
    if method in {"approval", "pav", "seq-phragmen"}:
        return ballots
    if method in {"score", "star"}:
        return [{o: 5 - i for i, o in enumerate(b)} for b in ballots]
    if method == "quadratic":
        return [{o: 3 - i for i, o in enumerate(b)} for b in ballots]
    return ballots


def _has_float(value):
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


def test_fractions_are_written_p_over_q():
    result = count("stv", ["a", "b"], [["a", "b"]] * 3, seats=1).to_json()
    assert result["quota"] == 2
    votes = [t["votes"] for r in result["rounds"] for t in r["transfers"]]
    assert all(isinstance(v, str) and "/" in v for v in votes)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_counts_no_ballots_and_a_lone_option(method):
    empty = count(method, ["a", "b", "c"], [], seed="s")
    assert len(empty.winners) == 1
    assert empty.ballots == empty.weight == 0
    assert empty.support in {None, Fraction(0)}
    lone = count(method, ["a"], [], seed="s")
    assert lone.winners == ("a",)
    assert lone.ranking == ("a",)


def test_a_lone_option_support_is_the_share_that_chose_it():
    assert count("star", ["a"], [{"a": 3}, {}]).support == 1
    assert count("schulze", ["a"], [["a"], []]).support == Fraction(1, 2)


@pytest.mark.parametrize("seed", ["s1", "s2", "s3", "s4", "s5"])
def test_stv_breaks_an_exclusion_tie_by_an_earlier_stage(seed):
    # Quota 11 // 3 + 1 = 4. a's surplus of 1 gives b 5 x 1/5 = 1: b and c
    # both have 3 after it; d is excluded; b and c are still tied, and the
    # most recent stage where they differed is the first (b 2, c 3), so b
    # goes (rule 51(2)) whatever the seed.
    options = ["a", "b", "c", "d"]
    ballots = [["a", "b"]] * 5 + [["b"]] * 2 + [["c"]] * 3 + [["d"]]
    result = count("stv", options, ballots, seats=2, seed=seed)
    eliminated = [o for r in result.rounds for o in r.eliminated]
    assert eliminated == ["d", "b"]
    assert result.winners == ("a", "c")
    assert result.rounds[1].tallies["b"] == result.rounds[1].tallies["c"] == 3


def test_other_sequences_and_mappings_count_like_lists_and_dicts():
    from collections import UserList
    from types import MappingProxyType

    options = ["a", "b", "c"]
    plain = count("score", options, [{"a": 2, "b": 1}, {"a": 2, "b": 1}, {"c": 3}])
    other = count(
        "score",
        options,
        [MappingProxyType({"b": 1, "a": 2}), {"a": 2, "b": 1}, {"c": 3}],
    )
    assert other.to_json() == plain.to_json()
    plain = count("irv", options, [["b", "a"], ["c"]], weights=[2, 1])
    other = count("irv", options, [UserList(["b", "a"]), ("c",)], weights=[2, 1])
    assert other.to_json() == plain.to_json()
    plain = count("quadratic", options, [{"a": 2}])
    other = count("quadratic", options, [MappingProxyType({"a": 2, "b": 0})])
    assert other.to_json() == plain.to_json()
