"""Counting ballots: pure, exact, deterministic functions of the options,
the ballots, their weights and the proposal's CID (the tie-break seed).

``count(method, options, ballots)`` dispatches to the method's module:
``single`` (plurality, approval, score, STAR, quadratic, Borda), ``ranked``
(IRV, Schulze, ranked pairs) and ``multi`` (STV, PAV, sequential Phragmén).

Spec: docs/counting.md
"""

from __future__ import annotations

from collections.abc import Sequence

from ssi.social.counting._common import (
    METHODS,
    Choice,
    CountResult,
    Round,
    TieBreak,
    Ties,
    Transfer,
    check_choice,
    check_method,
    tie_break_key,
)

__all__ = [
    "METHODS",
    "Choice",
    "CountResult",
    "Round",
    "TieBreak",
    "Transfer",
    "check_choice",
    "count",
    "tie_break_key",
]


def count(
    method: str,
    options: Sequence[str],
    ballots: Sequence[Choice],
    *,
    seats: int = 1,
    weights: Sequence[int] | None = None,
    seed: str = "",
    max_score: int = 5,
    voice_credits: int = 100,
) -> CountResult:
    """Count ``ballots`` over ``options`` by ``method``.

    Every ballot is checked as :func:`check_choice` does; identical ballots
    are added up, so the result does not depend on the order of the
    ballots. Ties are broken by :func:`tie_break_key` over ``seed`` (the
    proposal's CID) and the option ids, and each one is recorded in the
    result.

    Args:
        method: one of ``METHODS``.
        options: the option ids (for an election, the candidates' DIDs).
        ballots: the choices, one per counted ballot.
        seats: how many winners to return.
        weights: ``weights[i]`` is the positive weight of ballot ``i`` (a
            delegate votes for those who delegated); 1 each by default.
        seed: the proposal's CID, the input of the tie-break rule.
        max_score: the highest score of a score or STAR ballot.
        voice_credits: a quadratic ballot's budget.

    Spec: docs/counting.md

    Raises:
        UnknownMethodError: ``method`` is not one of ``METHODS``.
        InvalidChoiceError: a ballot is malformed; the detail names its
            index and what is wrong.
        ValueError: ``options`` are empty or repeated, ``seats`` is not
            between 1 and the number of options, or ``weights`` is not one
            positive int per ballot (the caller's mistakes, not the data's).
    """
    check_method(method)
    options = tuple(options)
    if not options or len(set(options)) != len(options):
        raise ValueError("options must be distinct and non-empty")
    if not set(map(type, options)) <= {str}:
        raise ValueError("options must be strings")
    if type(seats) is not int or not 1 <= seats <= len(options):
        raise ValueError("seats must be between 1 and the number of options")
    # The counting modules need numpy; they are imported when a count runs,
    # not when ssi.social is imported (every CLI command imports it).
    from ssi.social.counting._profile import build_profile
    from ssi.social.counting.multi import (
        count_pav,
        count_seq_phragmen,
        count_stv,
    )
    from ssi.social.counting.ranked import (
        count_irv,
        count_ranked_pairs,
        count_schulze,
    )
    from ssi.social.counting.single import (
        count_approval,
        count_borda,
        count_plurality,
        count_quadratic,
        count_score,
        count_star,
    )

    profile = build_profile(method, options, ballots, weights, max_score, voice_credits)
    ties = Ties(seed, options)
    match method:
        case "plurality":
            return count_plurality(options, profile, seats=seats, ties=ties)
        case "approval":
            return count_approval(options, profile, seats=seats, ties=ties)
        case "score":
            return count_score(
                options, profile, seats=seats, ties=ties, max_score=max_score
            )
        case "star":
            return count_star(
                options, profile, seats=seats, ties=ties, max_score=max_score
            )
        case "quadratic":
            return count_quadratic(options, profile, seats=seats, ties=ties)
        case "borda":
            return count_borda(options, profile, seats=seats, ties=ties)
        case "irv":
            return count_irv(options, profile, seats=seats, ties=ties)
        case "schulze":
            return count_schulze(options, profile, seats=seats, ties=ties)
        case "ranked-pairs":
            return count_ranked_pairs(options, profile, seats=seats, ties=ties)
        case "stv":
            return count_stv(options, profile, seats=seats, ties=ties)
        case "pav":
            return count_pav(options, profile, seats=seats, ties=ties)
        case _:
            return count_seq_phragmen(options, profile, seats=seats, ties=ties)
