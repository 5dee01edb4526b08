"""The profile of a count: distinct ballots as rows of an integer matrix,
each with the summed weight of the ballots that cast it.

Rows are, by method family: plurality and approval, 0/1 per option; ranked
methods, the position of each option in the ranking (0 = first) and ``m``
(the number of options) for an option left unranked; scored methods, the
value given to each option. Numbers are numpy int64: exact integers, no
floats.

Checking is cheap because it runs over distinct ballots, vectorised; when
anything does not fit, every ballot is checked again one by one by
:func:`normalise` so that the error names the first bad ballot's index.

Spec: docs/counting.md (Ballot shapes)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from math import isqrt
from operator import itemgetter
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ssi.errors import InvalidChoiceError
from ssi.social.counting._common import (
    RANKED_METHODS,
    SCORED_METHODS,
    normalise,
)

__all__ = ["MAX_TOTAL_WEIGHT", "Profile", "build_profile"]

MAX_TOTAL_WEIGHT: Final = 2**53
"""The largest total weight a count accepts (exact in every intermediate)."""

Matrix = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Profile:
    """Distinct ballots (rows of ``matrix``) and their summed ``weights``."""

    matrix: Matrix
    weights: Matrix
    ballots: int
    weight: int


class _FallbackError(Exception):
    """The fast path met something it does not check precisely."""


def build_profile(
    method: str,
    options: Sequence[str],
    ballots: Sequence[object],
    weights: Sequence[int] | None,
    max_score: int,
    voice_credits: int,
) -> Profile:
    """Check the ballots and add identical ones up.

    Raises:
        InvalidChoiceError: a ballot is malformed (the detail names its index).
        ValueError: ``weights`` is not one positive int per ballot.
    """
    total = _check_weights(ballots, weights)
    index = {o: i for i, o in enumerate(options)}
    try:
        matrix, sums = _fast(method, index, ballots, weights, max_score, voice_credits)
    except (_FallbackError, KeyError, TypeError, OverflowError, ValueError):
        normal: list[Any] = []
        for i, ballot in enumerate(ballots):
            try:
                normal.append(
                    normalise(method, options, ballot, max_score, voice_credits)
                )
            except InvalidChoiceError as exc:
                raise InvalidChoiceError(f"Ballot {i}: {exc.detail}") from None
        matrix, sums = _fast(
            method, index, normal, weights, max_score, voice_credits, normal=True
        )
    return Profile(matrix, sums, len(ballots), total)


def _check_weights(ballots: Sequence[object], weights: Sequence[int] | None) -> int:
    if weights is None:
        return len(ballots)
    if len(weights) != len(ballots):
        raise ValueError("weights must hold one weight per ballot")
    if weights and (not set(map(type, weights)) <= {int} or min(weights) < 1):
        raise ValueError("weights must be positive ints")
    total = sum(weights)
    if total > MAX_TOTAL_WEIGHT:
        raise ValueError("the total weight is too large to count exactly")
    return total


def _aggregate(
    keys: Iterable[Hashable], weights: Sequence[int] | None
) -> tuple[list[Any], Matrix]:
    counts: dict[Any, int]
    if weights is None:
        counts = Counter(keys)
    else:
        counts = {}
        for key, weight in zip(keys, weights, strict=True):
            counts[key] = counts.get(key, 0) + weight
    distinct = list(counts)
    sums = np.fromiter(counts.values(), np.int64, len(distinct))
    return distinct, sums


def _fast(
    method: str,
    index: dict[str, int],
    ballots: Sequence[Any],
    weights: Sequence[int] | None,
    max_score: int,
    voice_credits: int,
    *,
    normal: bool = False,
) -> tuple[Matrix, Matrix]:
    m = len(index)
    kinds = set(map(type, ballots))
    if method == "plurality":
        if not kinds <= {str}:
            raise _FallbackError
        keys, sums = _aggregate(ballots, weights)
        matrix = np.zeros((len(keys), m), np.int64)
        matrix[np.arange(len(keys)), [index[k] for k in keys]] = 1
        return matrix, sums
    if method in SCORED_METHODS:
        return _scored(
            method, index, ballots, weights, kinds, max_score, voice_credits, normal
        )
    if not kinds <= {list, tuple}:
        raise _FallbackError
    keys, sums = _aggregate(map(tuple, ballots) if not normal else ballots, weights)
    lengths = np.fromiter(map(len, keys), np.int64, len(keys))
    size = int(lengths.sum())
    # Items are looked up among the option ids: anything else (another
    # type, an unknown id) raises KeyError or TypeError, so no type check.
    flat = np.fromiter(
        map(index.__getitem__, chain.from_iterable(keys)), np.int64, size
    )
    rows = np.repeat(np.arange(len(keys)), lengths)
    if method in RANKED_METHODS:
        starts = np.cumsum(lengths) - lengths
        matrix = np.full((len(keys), m), m, np.int64)
        matrix[rows, flat] = np.arange(size) - np.repeat(starts, lengths)
        filled = (matrix < m).sum(axis=1)
    else:  # APPROVAL_METHODS
        matrix = np.zeros((len(keys), m), np.int64)
        matrix[rows, flat] = 1
        filled = matrix.sum(axis=1)
    if (filled != lengths).any():
        raise _FallbackError  # An option repeated within a ballot.
    return matrix, sums


def _scored(
    method: str,
    index: dict[str, int],
    ballots: Sequence[Any],
    weights: Sequence[int] | None,
    kinds: set[type],
    max_score: int,
    voice_credits: int,
    normal: bool,
) -> tuple[Matrix, Matrix]:
    m = len(index)
    if kinds <= {dict}:  # Mostly distinct: one row per ballot, no adding up.
        return _scored_rows(method, index, ballots, weights, max_score, voice_credits)
    if not normal:
        raise _FallbackError
    keys, sums = _aggregate(ballots, weights)  # Normal forms: tuples of pairs.
    lengths = np.fromiter(map(len, keys), np.int64, len(keys))
    pairs = list(chain.from_iterable(keys))
    if not set(map(type, map(itemgetter(0), pairs))) <= {str}:
        raise _FallbackError
    if not set(map(type, map(itemgetter(1), pairs))) <= {int}:
        raise _FallbackError
    flat = np.fromiter(map(index.__getitem__, map(itemgetter(0), pairs)), np.int64)
    values = np.fromiter(map(itemgetter(1), pairs), np.int64, len(pairs))
    _check_values(method, values, max_score, voice_credits)
    matrix = np.zeros((len(keys), m), np.int64)
    matrix[np.repeat(np.arange(len(keys)), lengths), flat] = values
    _check_budget(method, matrix, voice_credits)
    return matrix, sums


def _scored_rows(
    method: str,
    index: dict[str, int],
    ballots: Sequence[dict[Any, Any]],
    weights: Sequence[int] | None,
    max_score: int,
    voice_credits: int,
) -> tuple[Matrix, Matrix]:
    lengths = np.fromiter(map(len, ballots), np.int64, len(ballots))
    size = int(lengths.sum())
    values_of = dict.values
    if not set(map(type, chain.from_iterable(map(values_of, ballots)))) <= {int}:
        raise _FallbackError
    flat = np.fromiter(
        map(index.__getitem__, chain.from_iterable(ballots)), np.int64, size
    )
    values = np.fromiter(chain.from_iterable(map(values_of, ballots)), np.int64, size)
    _check_values(method, values, max_score, voice_credits)
    matrix = np.zeros((len(ballots), len(index)), np.int64)
    matrix[np.repeat(np.arange(len(ballots)), lengths), flat] = values
    _check_budget(method, matrix, voice_credits)
    if weights is None:
        sums = np.ones(len(ballots), np.int64)
    else:
        sums = np.fromiter(weights, np.int64, len(ballots))
    return matrix, sums


def _check_values(
    method: str, values: Matrix, max_score: int, voice_credits: int
) -> None:
    top = isqrt(voice_credits) if method == "quadratic" else max_score
    if len(values) and (values.min() < 0 or values.max() > top):
        raise _FallbackError


def _check_budget(method: str, matrix: Matrix, voice_credits: int) -> None:
    if method == "quadratic" and ((matrix * matrix).sum(axis=1) > voice_credits).any():
        raise _FallbackError
