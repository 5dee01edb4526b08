"""Counting methods that add points per option: plurality, approval, score,
STAR, quadratic and Borda.

Each ranks the options by their total, highest first, ties broken by the
tie-break rule; the winners are the top ``seats`` of that ranking (STAR
decides its first place by an automatic runoff between the top two).

Spec: docs/counting.md (Plurality, Approval, Score, STAR, Quadratic, Borda)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

from ssi.social.counting._common import (
    CountResult,
    Number,
    Round,
    Ties,
    is_yes_no,
    share,
)
from ssi.social.counting._profile import Matrix, Profile

__all__ = [
    "count_approval",
    "count_borda",
    "count_plurality",
    "count_quadratic",
    "count_score",
    "count_star",
]


def _by_totals(
    method: str,
    options: Sequence[str],
    profile: Profile,
    seats: int,
    ties: Ties,
    totals: dict[str, Number],
    support: Callable[[str], Fraction],
) -> CountResult:
    ranking = ties.rank(options, totals, "ranking")
    if is_yes_no(options):
        decided = share(totals["yes"], totals["yes"] + totals["no"])
    else:
        decided = support(ranking[0])
    return CountResult(
        method=method,
        options=tuple(options),
        seats=seats,
        winners=ranking[:seats],
        ranking=ranking,
        totals=totals,
        support=decided,
        ballots=profile.ballots,
        weight=profile.weight,
        tie_breaks=tuple(ties.log),
    )


def _sums(
    options: Sequence[str], profile: Profile, matrix: Matrix | None = None
) -> dict[str, Number]:
    rows = profile.matrix if matrix is None else matrix
    column_sums = profile.weights @ rows
    return {o: int(v) for o, v in zip(options, column_sums.tolist(), strict=True)}


def count_plurality(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count plurality ballots: one vote (of the ballot's weight) per ballot.

    Spec: docs/counting.md (Plurality)
    """
    totals = _sums(options, profile)
    return _by_totals(
        "plurality",
        options,
        profile,
        seats,
        ties,
        totals,
        lambda o: share(totals[o], profile.weight),
    )


def count_approval(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count approval ballots: one vote for each approved option.

    Spec: docs/counting.md (Approval)
    """
    totals = _sums(options, profile)
    return _by_totals(
        "approval",
        options,
        profile,
        seats,
        ties,
        totals,
        lambda o: share(totals[o], profile.weight),
    )


def count_score(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties, max_score: int
) -> CountResult:
    """Count score ballots: the sum of each option's scores.

    Spec: docs/counting.md (Score)
    """
    totals = _sums(options, profile)
    return _by_totals(
        "score",
        options,
        profile,
        seats,
        ties,
        totals,
        lambda o: share(totals[o], max_score * profile.weight),
    )


def count_quadratic(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count quadratic ballots: the sum of each option's votes.

    Spec: docs/counting.md (Quadratic)
    """
    totals = _sums(options, profile)
    cast = sum(totals.values())
    return _by_totals(
        "quadratic",
        options,
        profile,
        seats,
        ties,
        totals,
        lambda o: share(totals[o], cast),
    )


def count_borda(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count ranked ballots by Borda points: ``m - 1 - position`` for each
    ranked option, 0 for an unranked one.

    Spec: docs/counting.md (Borda)
    """
    m = len(options)
    points = np.where(profile.matrix < m, m - 1 - profile.matrix, 0)
    totals = _sums(options, profile, points)
    return _by_totals(
        "borda",
        options,
        profile,
        seats,
        ties,
        totals,
        lambda o: share(totals[o], (m - 1) * profile.weight),
    )


def count_star(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties, max_score: int
) -> CountResult:
    """Count STAR ballots: the two options with the highest score totals go
    to an automatic runoff, won by the one more ballots score higher; a tied
    runoff goes to the higher score total, then to the tie-break rule.

    Spec: docs/counting.md (STAR), https://www.starvoting.org/
    """
    del max_score
    totals = _sums(options, profile)
    by_score = ties.rank(options, totals, "scoring")
    if len(by_score) == 1:  # A lone option meets a runner-up scored 0.
        (winner,) = by_score
        column = profile.matrix[:, 0]
        prefer = {winner: int(profile.weights[column > 0].sum())}
        rounds = (
            Round(1, dict(totals)),
            Round(2, dict(prefer), profile.weight - prefer[winner], (winner,)),
        )
        return _star(options, profile, seats, ties, totals, by_score, prefer, rounds)
    first, second = by_score[0], by_score[1]
    index = {o: i for i, o in enumerate(options)}
    a = profile.matrix[:, index[first]]
    b = profile.matrix[:, index[second]]
    prefer = {
        first: int(profile.weights[a > b].sum()),
        second: int(profile.weights[b > a].sum()),
    }
    equal = profile.weight - prefer[first] - prefer[second]
    if prefer[first] != prefer[second]:
        winner = max(prefer, key=prefer.__getitem__)
    elif totals[first] != totals[second]:
        winner = first  # The higher score total; by_score put it first.
    else:
        winner = ties.order((first, second), "runoff")[0]
    runner_up = second if winner == first else first
    ranking = (winner, runner_up, *by_score[2:])
    rounds = (
        Round(1, dict(totals), eliminated=by_score[2:]),
        Round(2, {o: prefer[o] for o in options if o in prefer}, equal, (winner,)),
    )
    return _star(options, profile, seats, ties, totals, ranking, prefer, rounds)


def _star(
    options: Sequence[str],
    profile: Profile,
    seats: int,
    ties: Ties,
    totals: dict[str, Number],
    ranking: tuple[str, ...],
    prefer: dict[str, int],
    rounds: tuple[Round, ...],
) -> CountResult:
    winner = ranking[0]
    subject = "yes" if is_yes_no(options) else winner
    return CountResult(
        method="star",
        options=tuple(options),
        seats=seats,
        winners=ranking[:seats],
        ranking=ranking,
        totals=totals,
        support=share(prefer[subject], sum(prefer.values())),
        ballots=profile.ballots,
        weight=profile.weight,
        rounds=rounds,
        tie_breaks=tuple(ties.log),
    )
