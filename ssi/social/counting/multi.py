"""Multi-seat counting methods: the single transferable vote under the
Scottish STV rules, sequential proportional approval voting (PAV) and
sequential Phragmén.

STV keeps vote values as fixed-point integers in units of 1/100000, as the
Scottish rules count "to five decimal places (any remainder being
ignored)"; PAV and Phragmén compute with exact fractions.

Spec: docs/counting.md (STV, PAV, Sequential Phragmén)
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Final

import numpy as np
import numpy.typing as npt

from ssi.social.counting._common import (
    CountResult,
    Number,
    Round,
    Ties,
    Transfer,
)
from ssi.social.counting._profile import Matrix, Profile

__all__ = ["STV_UNIT", "count_pav", "count_seq_phragmen", "count_stv"]

STV_UNIT: Final = 100_000
"""One vote in STV's fixed-point arithmetic (five decimal places)."""


def _tops(positions: Matrix, hopeful: npt.NDArray[np.bool_], m: int) -> Matrix:
    """Each row's next available preference among ``hopeful``, or -1."""
    masked = np.where(hopeful[None, :], positions, m)
    top: Matrix = masked.argmin(axis=1)
    top[masked[np.arange(len(top)), top] >= m] = -1
    return top


class _STVCount:
    """The state of a Scottish STV count between stages."""

    def __init__(
        self, options: Sequence[str], profile: Profile, seats: int, ties: Ties
    ) -> None:
        self.options = options
        self.m = len(options)
        self.profile = profile
        self.seats = seats
        self.ties = ties
        self.quota = profile.weight // (seats + 1) + 1  # Rule 46.
        self.hopeful = np.ones(self.m, dtype=bool)
        self.value = np.full(len(profile.weights), STV_UNIT, np.int64)
        self.holder = _tops(profile.matrix, self.hopeful, self.m)
        self.votes = [0] * self.m  # In units, per candidate holding papers.
        for c in range(self.m):
            self.votes[c] = int(profile.weights[self.holder == c].sum()) * STV_UNIT
        self.elected: list[int] = []
        self.pending: list[int] = []  # Elected, surplus not yet transferred.
        self.excluded: list[int] = []
        # Non-transferable value, and value lost to truncation, in units.
        self.residual = 0
        self.exhausted = (
            profile.weight - int(profile.weights[self.holder >= 0].sum())
        ) * STV_UNIT
        # Votes at the end of each stage, the first stage (rule 45) included.
        self.history: list[list[int]] = [list(self.votes)]
        self.rounds: list[Round] = []

    def standing(self) -> dict[str, Number]:
        return {
            self.options[c]: Fraction(self.votes[c], STV_UNIT)
            for c in range(self.m)
            if c not in self.excluded
        }

    def prior(self, tied: list[int], highest: bool) -> list[int]:
        """Narrow a tie by the most recent earlier stage where the tied
        candidates' votes differed (rules 49(2) and 51(2))."""
        for tallies in reversed(self.history):
            values = [tallies[c] for c in tied]
            if len(set(values)) > 1:
                best = max(values) if highest else min(values)
                tied = [c for c in tied if tallies[c] == best]
                if len(tied) == 1:
                    break
        return tied

    def pick(self, tied: list[int], highest: bool, stage: str) -> int:
        tied = self.prior(tied, highest)
        names = [self.options[c] for c in sorted(tied)]
        order = self.ties.order(names, stage)
        return self.options.index(order[0] if highest else order[-1])

    def move(
        self, source: int, rows: npt.NDArray[np.bool_], surplus: int | None
    ) -> tuple[Transfer, ...]:
        """Transfer the papers in ``rows`` from ``source`` to their next
        available preferences (rules 48 and 50)."""
        weights = self.profile.weights[rows]
        old = self.value[rows]
        held = self.votes[source]
        if surplus is not None:
            new = (surplus * old) // held  # Rule 48(3), truncated.
            value: Fraction | None = Fraction(surplus, held)
        else:
            new = old
            value = None
        targets = _tops(self.profile.matrix[rows], self.hopeful, self.m)
        self.holder[rows] = targets
        self.value[rows] = new
        moved = weights * new
        transfers = []
        credited = 0
        for t in [*range(self.m), -1]:
            mask = targets == t
            papers = int(weights[mask].sum())
            if not papers:
                continue
            units = int(moved[mask].sum())
            if t >= 0:
                self.votes[t] += units
                credited += units
            transfers.append(
                Transfer(
                    self.options[source],
                    None if t < 0 else self.options[t],
                    papers,
                    Fraction(units, STV_UNIT),
                    value,
                )
            )
        given = held - self.quota * STV_UNIT if surplus is not None else held
        lost = int(moved[targets < 0].sum())
        self.exhausted += lost
        self.residual += given - credited - lost
        self.votes[source] = self.quota * STV_UNIT if surplus is not None else 0
        return tuple(transfers)

    def run(self) -> None:
        quota = self.quota * STV_UNIT
        while True:
            start = self.standing()
            exhausted = Fraction(self.exhausted, STV_UNIT)
            residual = Fraction(self.residual, STV_UNIT)
            reached = [
                c for c in range(self.m) if self.hopeful[c] and self.votes[c] >= quota
            ]
            newly: list[int] = []
            while reached:  # Rule 47, highest votes first.
                top = max(self.votes[c] for c in reached)
                c = self.pick(
                    [c for c in reached if self.votes[c] == top],
                    True,
                    f"election {len(self.rounds) + 1}",
                )
                reached.remove(c)
                newly.append(c)
            for c in newly:
                self.hopeful[c] = False
                self.elected.append(c)
                if self.votes[c] > quota:
                    self.pending.append(c)
            left = self.seats - len(self.elected)
            hopeful = [c for c in range(self.m) if self.hopeful[c]]
            if left <= 0 or len(hopeful) <= left:  # Rule 52.
                if left > 0:
                    ordered = self.ties.rank(
                        [self.options[c] for c in hopeful],
                        {self.options[c]: self.votes[c] for c in hopeful},
                        f"election {len(self.rounds) + 1}",
                    )
                    for name in ordered:
                        c = self.options.index(name)
                        self.hopeful[c] = False
                        self.elected.append(c)
                        newly.append(c)
                self.rounds.append(
                    Round(
                        len(self.rounds) + 1,
                        start,
                        exhausted,
                        tuple(self.options[c] for c in newly),
                        residual=residual,
                    )
                )
                return
            stage = len(self.rounds) + 1
            if self.pending:  # Rules 48 and 49.
                top = max(self.votes[c] for c in self.pending)
                source = self.pick(
                    [c for c in self.pending if self.votes[c] == top],
                    True,
                    f"surplus {stage}",
                )
                self.pending.remove(source)
                surplus = self.votes[source] - quota
                transfers = self.move(source, self.holder == source, surplus)
                eliminated: tuple[str, ...] = ()
            else:  # Rules 50 and 51.
                low = min(self.votes[c] for c in hopeful)
                source = self.pick(
                    [c for c in hopeful if self.votes[c] == low],
                    False,
                    f"exclusion {stage}",
                )
                self.hopeful[source] = False
                self.excluded.append(source)
                transfers = self.move(source, self.holder == source, None)
                eliminated = (self.options[source],)
            self.history.append(list(self.votes))
            self.rounds.append(
                Round(
                    stage,
                    start,
                    exhausted,
                    tuple(self.options[c] for c in newly),
                    eliminated,
                    transfers,
                    residual,
                )
            )


def count_stv(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count by STV under the Scottish Local Government Elections Order 2007,
    schedule 1, rules 45 to 52 (weighted inclusive Gregory transfers).

    Spec: docs/counting.md (STV), https://www.legislation.gov.uk/ssi/2007/42/schedule/1/made
    """
    state = _STVCount(options, profile, seats, ties)
    first = {o: int(v // STV_UNIT) for o, v in zip(options, state.votes, strict=True)}
    state.run()
    hopeful = [options[c] for c in range(len(options)) if state.hopeful[c]]
    rest = ties.rank(
        hopeful, {o: state.votes[options.index(o)] for o in hopeful}, "ranking"
    )
    ranking = (
        *(options[c] for c in state.elected),
        *rest,
        *(options[c] for c in reversed(state.excluded)),
    )
    return CountResult(
        method="stv",
        options=tuple(options),
        seats=seats,
        winners=tuple(options[c] for c in state.elected),
        ranking=ranking,
        totals=first,
        support=None,
        ballots=profile.ballots,
        weight=profile.weight,
        rounds=tuple(state.rounds),
        quota=state.quota,
        tie_breaks=tuple(ties.log),
    )


def _approval_groups(profile: Profile) -> tuple[Matrix, list[int]]:
    """Distinct approval sets (rows) and the total weight of each."""
    sets, inverse = np.unique(profile.matrix, axis=0, return_inverse=True)
    sums = np.zeros(len(sets), np.int64)
    np.add.at(sums, inverse.reshape(-1), profile.weights)
    return sets, [int(s) for s in sums.tolist()]


def _sequential(
    method: str,
    options: Sequence[str],
    profile: Profile,
    seats: int,
    ties: Ties,
) -> CountResult:
    sets, weights = _approval_groups(profile)
    m = len(options)
    members = [[g for g in range(len(sets)) if sets[g][c]] for c in range(m)]
    chosen: list[int] = []
    satisfied = [0] * len(sets)  # PAV: approved members chosen so far.
    loads = [Fraction(0)] * len(sets)  # Phragmén: each group's voter load.
    rounds: list[Round] = []
    while len(chosen) < m:
        scores: dict[str, Number] = {}
        for c in range(m):
            if c in chosen or not members[c]:
                continue
            if method == "pav":
                scores[options[c]] = sum(
                    (Fraction(weights[g], 1 + satisfied[g]) for g in members[c]),
                    Fraction(0),
                )
            else:
                support = sum(weights[g] for g in members[c])
                spent = sum((weights[g] * loads[g] for g in members[c]), Fraction(0))
                scores[options[c]] = (1 + spent) / support
        stage = f"seat {len(chosen) + 1}"
        if scores:
            best = max(scores.values()) if method == "pav" else min(scores.values())
            pick = ties.order([o for o, v in scores.items() if v == best], stage)[0]
        else:  # Options no one approves come last, by the tie-break rule.
            rest = [options[c] for c in range(m) if c not in chosen]
            pick = ties.order(rest, stage)[0]
        c = options.index(pick)
        chosen.append(c)
        for g in members[c]:
            satisfied[g] += 1
            if method != "pav":
                loads[g] = Fraction(scores[pick])
        rounds.append(Round(len(rounds) + 1, scores, 0, (pick,)))
    ranking = tuple(options[c] for c in chosen)
    approvals = profile.weights @ profile.matrix
    return CountResult(
        method=method,
        options=tuple(options),
        seats=seats,
        winners=ranking[:seats],
        ranking=ranking,
        totals={o: int(v) for o, v in zip(options, approvals.tolist(), strict=True)},
        support=None,
        ballots=profile.ballots,
        weight=profile.weight,
        rounds=tuple(rounds),
        tie_breaks=tuple(ties.log),
    )


def count_pav(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count by sequential PAV: seat by seat, the option that adds the most
    harmonic satisfaction (a ballot with ``k`` approved winners already
    gains ``1/(k+1)`` of its weight).

    Spec: docs/counting.md (PAV)
    """
    return _sequential("pav", options, profile, seats, ties)


def count_seq_phragmen(
    options: Sequence[str], profile: Profile, *, seats: int, ties: Ties
) -> CountResult:
    """Count by sequential Phragmén: seat by seat, the option whose approvers
    would carry the lowest maximal load.

    Spec: docs/counting.md (Sequential Phragmén)
    """
    return _sequential("seq-phragmen", options, profile, seats, ties)
