"""Counting methods over rankings: instant runoff, Schulze and ranked pairs.

A ranking lists option ids best first and may stop early: a ranked option
is preferred to every unranked one, and unranked options are preferred
equally. The totals of these methods are first preferences.

Spec: docs/counting.md (IRV, Schulze, Ranked pairs)
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from ssi.social.counting._common import (
    CountResult,
    Number,
    Round,
    TieBreak,
    Ties,
    Transfer,
    is_yes_no,
    share,
)
from ssi.social.counting._profile import Matrix, Profile

__all__ = ["count_irv", "count_ranked_pairs", "count_schulze", "pairwise_matrix"]


def pairwise_matrix(profile: Profile, m: int) -> list[list[int]]:
    """``d[a][b]``: the weight of ballots that rank option ``a`` above ``b``.

    Spec: docs/counting.md (Pairwise matrix)
    """
    small = np.int8 if m < 127 else np.int32
    columns = np.ascontiguousarray(profile.matrix.T.astype(small))
    weights = profile.weights
    rows = [((columns[a][None, :] < columns) * weights).sum(axis=1) for a in range(m)]
    return [[int(v) for v in row.tolist()] for row in rows]


def _first_preferences(options: Sequence[str], profile: Profile) -> dict[str, Number]:
    column_sums = profile.weights @ (profile.matrix == 0)
    return {o: int(v) for o, v in zip(options, column_sums.tolist(), strict=True)}


def _pair_support(
    options: Sequence[str],
    d: list[list[int]],
    ranking: tuple[str, ...],
    profile: Profile,
) -> Fraction:
    if len(ranking) < 2:  # A lone option: the share of ballots ranking it.
        return share(
            int(profile.weights[profile.matrix[:, 0] == 0].sum()), profile.weight
        )
    index = {o: i for i, o in enumerate(options)}
    if is_yes_no(options):
        a, b = index["yes"], index["no"]
    else:
        a, b = index[ranking[0]], index[ranking[1]]
    return share(d[a][b], d[a][b] + d[b][a])


def count_schulze(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count by the Schulze method with winning-votes path strengths.

    Spec: docs/counting.md (Schulze), https://arxiv.org/abs/1804.02973
    """
    m = len(options)
    d = pairwise_matrix(profile, m)
    p = [[d[i][j] if d[i][j] > d[j][i] else 0 for j in range(m)] for i in range(m)]
    for k in range(m):
        pk = p[k]
        for i in range(m):
            if i == k:
                continue
            pik = p[i][k]
            if not pik:
                continue
            pi = p[i]
            for j in range(m):
                if j != i and j != k:
                    via = pik if pik < pk[j] else pk[j]
                    if via > pi[j]:
                        pi[j] = via
    remaining = list(range(m))
    ranking: list[str] = []
    while remaining:
        best = [
            options[a]
            for a in remaining
            if all(p[a][b] >= p[b][a] for b in remaining if b != a)
        ]
        chosen = ties.order(best, f"rank {len(ranking) + 1}")[0]
        ranking.append(chosen)
        remaining.remove(options.index(chosen))
    order = tuple(ranking)
    return CountResult(
        method="schulze",
        options=tuple(options),
        seats=seats,
        winners=order[:seats],
        ranking=order,
        totals=_first_preferences(options, profile),
        support=_pair_support(options, d, order, profile),
        ballots=profile.ballots,
        weight=profile.weight,
        pairwise=tuple(tuple(row) for row in d),
        strongest_paths=tuple(tuple(row) for row in p),
        tie_breaks=tuple(ties.log),
    )


def count_ranked_pairs(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count by Tideman's ranked pairs, victories ordered by winning votes.

    Spec: docs/counting.md (Ranked pairs)
    """
    m = len(options)
    d = pairwise_matrix(profile, m)
    prio = [ties.priority[o] for o in options]
    pairs = [(a, b) for a in range(m) for b in range(m) if d[a][b] > d[b][a]]
    pairs.sort(
        key=lambda ab: (-d[ab[0]][ab[1]], d[ab[1]][ab[0]], prio[ab[0]], -prio[ab[1]])
    )
    strength: dict[tuple[int, int], list[str]] = {}
    for a, b in pairs:
        strength.setdefault((d[a][b], d[b][a]), []).append(f"{options[a]}>{options[b]}")
    for (win, loss), group in strength.items():
        if len(group) > 1:
            ties.log.append(
                TieBreak(f"lock order {win}:{loss}", tuple(sorted(group)), tuple(group))
            )
    beats: list[set[int]] = [set() for _ in range(m)]
    locked: list[tuple[str, str]] = []
    for a, b in pairs:
        if not _reaches(beats, b, a):
            beats[a].add(b)
            locked.append((options[a], options[b]))
    remaining = set(range(m))
    ranking: list[str] = []
    while remaining:
        sources = [
            options[a]
            for a in sorted(remaining)
            if not any(a in beats[x] for x in remaining)
        ]
        chosen = ties.order(sources, f"rank {len(ranking) + 1}")[0]
        ranking.append(chosen)
        remaining.discard(options.index(chosen))
    order = tuple(ranking)
    return CountResult(
        method="ranked-pairs",
        options=tuple(options),
        seats=seats,
        winners=order[:seats],
        ranking=order,
        totals=_first_preferences(options, profile),
        support=_pair_support(options, d, order, profile),
        ballots=profile.ballots,
        weight=profile.weight,
        pairwise=tuple(tuple(row) for row in d),
        locked=tuple(locked),
        tie_breaks=tuple(ties.log),
    )


def _reaches(beats: list[set[int]], start: int, goal: int) -> bool:
    """Whether locked victories lead from ``start`` to ``goal``."""
    stack, seen = [start], {start}
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in beats[node] - seen:
            seen.add(nxt)
            stack.append(nxt)
    return False


def _tops(positions: Matrix, continuing: npt.NDArray[np.bool_], m: int) -> Matrix:
    """Each row's highest-ranked continuing option, or -1 when exhausted."""
    masked = np.where(continuing[None, :], positions, m)
    top: Matrix = masked.argmin(axis=1)
    top[masked[np.arange(len(top)), top] >= m] = -1
    return top


def count_irv(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count by instant runoff: eliminate the option with the fewest votes,
    one per round, until one holds a majority of the continuing votes.

    Spec: docs/counting.md (IRV)
    """
    m = len(options)
    weights = profile.weights
    continuing = np.ones(m, dtype=bool)
    top = _tops(profile.matrix, continuing, m)
    rounds: list[Round] = []
    eliminated: list[str] = []
    winner = None
    tallies: dict[str, Number] = {}
    while winner is None:
        tallies = {
            options[c]: int(weights[top == c].sum()) for c in range(m) if continuing[c]
        }
        exhausted = profile.weight - sum(tallies.values())
        live = sum(tallies.values())
        leader = max(tallies.values())
        if len(tallies) == 1 or 2 * leader > live:
            leaders = [o for o, v in tallies.items() if v == leader]
            winner = leaders[0]
            rounds.append(Round(len(rounds) + 1, tallies, exhausted, (winner,)))
            break
        fewest = min(tallies.values())
        lowest = [o for o, v in tallies.items() if v == fewest]
        loser = ties.order(lowest, f"elimination {len(rounds) + 1}")[-1]
        x = options.index(loser)
        continuing[x] = False
        moving = top == x
        new_top = _tops(profile.matrix[moving], continuing, m)
        moved = weights[moving]
        transfers = tuple(
            Transfer(loser, None if t < 0 else options[t], papers, papers)
            for t in [*range(m), -1]
            if (papers := int(moved[new_top == t].sum()))
        )
        top[moving] = new_top
        eliminated.append(loser)
        rounds.append(
            Round(len(rounds) + 1, tallies, exhausted, (), (loser,), transfers)
        )
    others = [o for o in options if o in tallies and o != winner]
    ranking = (
        winner,
        *ties.rank(others, tallies, "ranking"),
        *reversed(eliminated),
    )
    first = rounds[0].tallies
    if is_yes_no(options):
        support = share(first["yes"], first["yes"] + first["no"])
    else:
        support = share(tallies[winner], sum(tallies.values()))
    return CountResult(
        method="irv",
        options=tuple(options),
        seats=seats,
        winners=ranking[:seats],
        ranking=ranking,
        totals=dict(first),
        support=support,
        ballots=profile.ballots,
        weight=profile.weight,
        rounds=tuple(rounds),
        tie_breaks=tuple(ties.log),
    )
