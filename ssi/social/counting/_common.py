"""What every counting method shares: the method names, the shape of a
result, the tie-break rule and the checking of ballot choices.

A count is a pure function of the options, the ballots, their weights and
the seed (the proposal's CID): no clock, no randomness, no floats. Identical
ballots are added up first (their weights summed), so the cost of a count
grows with the number of distinct ballots, and the order of the ballots
never changes the result.

Spec: docs/counting.md
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final, TypeAlias

from ssi.errors import InvalidChoiceError, UnknownMethodError
from ssi.types import JsonObject, JsonValue

__all__ = [
    "APPROVAL_METHODS",
    "METHODS",
    "RANKED_METHODS",
    "SCORED_METHODS",
    "Choice",
    "CountResult",
    "Number",
    "Round",
    "TieBreak",
    "Transfer",
    "check_choice",
    "tie_break_key",
]

METHODS: Final[tuple[str, ...]] = (
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
"""The counting methods, by the names proposals and constitutions use."""

RANKED_METHODS: Final = frozenset({"irv", "schulze", "ranked-pairs", "borda", "stv"})
"""Methods whose choice is a ranking: a list of option ids, best first."""
APPROVAL_METHODS: Final = frozenset({"approval", "pav", "seq-phragmen"})
"""Methods whose choice is a set of approved option ids (a list)."""
SCORED_METHODS: Final = frozenset({"score", "star", "quadratic"})
"""Methods whose choice maps option ids to non-negative integers."""

Choice: TypeAlias = str | Sequence[str] | Mapping[str, int]
"""A ballot's choice: an option id, a list of option ids, or scores."""
Number: TypeAlias = Fraction | int
"""A count: an integer, or an exact fraction where transfers split votes."""


def tie_break_key(seed: str, option: str) -> str:
    """Return the key that orders ``option`` among tied options.

    The key is the lowercase hex SHA-256 of the UTF-8 text
    ``<seed>|<option>``; tied options are ordered by it, ascending, and the
    first is the one preferred (elected, ranked higher, kept).

    Spec: docs/counting.md (Ties)
    """
    return hashlib.sha256(f"{seed}|{option}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TieBreak:
    """A tie the count broke by the tie-break rule.

    Attributes:
        stage: where the tie arose (``"ranking"``, ``"elimination 3"``...).
        tied: the tied options, in the proposal's option order.
        order: the same options in the order the rule chose, preferred first.

    Spec: docs/counting.md (Ties)
    """

    stage: str
    tied: tuple[str, ...]
    order: tuple[str, ...]

    def to_json(self) -> JsonObject:
        """Return the tie as JSON.

        Spec: docs/counting.md (Result)
        """
        return {"stage": self.stage, "tied": list(self.tied), "order": list(self.order)}


@dataclass(frozen=True, slots=True)
class Transfer:
    """Votes moved from one option to another (or to nobody) in a round.

    Attributes:
        source: the elected or eliminated option the votes leave.
        target: the option they go to; ``None`` when they are exhausted.
        papers: the weight of the ballots moved.
        votes: the value moved (papers times their value).
        value: the transfer value of a surplus; ``None`` for an elimination,
            where every ballot moves at the value it had.

    Spec: docs/counting.md (Result)
    """

    source: str
    target: str | None
    papers: int
    votes: Number
    value: Fraction | None = None

    def to_json(self) -> JsonObject:
        """Return the transfer as JSON.

        Spec: docs/counting.md (Result)
        """
        return {
            "from": self.source,
            "to": self.target,
            "papers": self.papers,
            "votes": _number(self.votes),
            "value": None if self.value is None else _number(self.value),
        }


@dataclass(frozen=True, slots=True)
class Round:
    """One round (stage) of an IRV, STV or STAR count.

    Attributes:
        number: the round's number, from 1.
        tallies: the votes of each continuing option at the start of the
            round, in option order.
        exhausted: the weight (or value) of ballots that count for no
            continuing option, at the start of the round.
        elected: options elected in the round.
        eliminated: options eliminated (excluded) in the round.
        transfers: what moved at the end of the round, source by source.
        residual: STV only: the value lost so far to truncating transfer
            values to five decimal places.

    Spec: docs/counting.md (Result)
    """

    number: int
    tallies: Mapping[str, Number]
    exhausted: Number = 0
    elected: tuple[str, ...] = ()
    eliminated: tuple[str, ...] = ()
    transfers: tuple[Transfer, ...] = ()
    residual: Number = 0

    def to_json(self) -> JsonObject:
        """Return the round as JSON.

        Spec: docs/counting.md (Result)
        """
        return {
            "number": self.number,
            "tallies": {k: _number(v) for k, v in self.tallies.items()},
            "exhausted": _number(self.exhausted),
            "elected": list(self.elected),
            "eliminated": list(self.eliminated),
            "transfers": [t.to_json() for t in self.transfers],
            "residual": _number(self.residual),
        }


@dataclass(frozen=True, slots=True)
class CountResult:
    """The result of a count, with what a person needs to follow it.

    Attributes:
        method: the counting method.
        options: the option ids, in the proposal's order.
        seats: how many winners were asked for.
        winners: the winners, in the order elected.
        ranking: every option, best first, where the method defines one;
            empty otherwise.
        totals: per option, the number the method ranks by (see
            docs/counting.md for each method).
        support: the share a constitution's threshold applies to; ``None``
            for multi-seat methods.
        ballots: the number of ballots counted.
        weight: their total weight (a delegate's ballot weighs more than 1).
        rounds: IRV and STV rounds, STAR's runoff.
        pairwise: ``pairwise[i][j]`` is the weight of ballots that rank
            option ``i`` above option ``j`` (Schulze, ranked pairs).
        strongest_paths: Schulze's strongest path strengths, same layout.
        locked: ranked pairs' locked victories ``(winner, loser)``, in lock
            order.
        quota: the STV quota; ``None`` for other methods.
        tie_breaks: every tie broken, in the order broken.

    Spec: docs/counting.md (Result)
    """

    method: str
    options: tuple[str, ...]
    seats: int
    winners: tuple[str, ...]
    ranking: tuple[str, ...]
    totals: Mapping[str, Number]
    support: Fraction | None
    ballots: int
    weight: int
    rounds: tuple[Round, ...] = ()
    pairwise: tuple[tuple[int, ...], ...] | None = None
    strongest_paths: tuple[tuple[int, ...], ...] | None = None
    locked: tuple[tuple[str, str], ...] = ()
    quota: Number | None = None
    tie_breaks: tuple[TieBreak, ...] = field(default=())

    def to_json(self) -> JsonObject:
        """Return the result as canonical JSON: fractions as ``"p/q"``
        strings, integers as numbers, options in the proposal's order.

        Recounting the same ballots, in any order, gives the same JSON (and
        so byte-identical JCS).

        Spec: docs/counting.md (Result)
        """
        return {
            "method": self.method,
            "options": list(self.options),
            "seats": self.seats,
            "winners": list(self.winners),
            "ranking": list(self.ranking),
            "totals": {k: _number(v) for k, v in self.totals.items()},
            "support": None if self.support is None else _number(self.support),
            "ballots": self.ballots,
            "weight": self.weight,
            "rounds": [r.to_json() for r in self.rounds],
            "pairwise": _matrix(self.pairwise),
            "strongestPaths": _matrix(self.strongest_paths),
            "locked": [list(pair) for pair in self.locked],
            "quota": None if self.quota is None else _number(self.quota),
            "tieBreaks": [t.to_json() for t in self.tie_breaks],
        }


def _number(value: Number) -> JsonValue:
    """An int as itself, a Fraction as ``"p/q"`` (always with ``/q``)."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return int(value)


def _matrix(rows: tuple[tuple[int, ...], ...] | None) -> JsonValue:
    return None if rows is None else [list(row) for row in rows]


class Ties:
    """Orders tied options by :func:`tie_break_key` and records each tie."""

    __slots__ = ("log", "priority")

    def __init__(self, seed: str, options: Sequence[str]) -> None:
        ordered = sorted(options, key=lambda o: tie_break_key(seed, o))
        self.priority = {o: i for i, o in enumerate(ordered)}
        self.log: list[TieBreak] = []

    def order(self, tied: Iterable[str], stage: str) -> tuple[str, ...]:
        """Return ``tied`` preferred first, recording the tie if there is one."""
        given = tuple(tied)
        chosen = tuple(sorted(given, key=self.priority.__getitem__))
        if len(given) > 1:
            self.log.append(TieBreak(stage, given, chosen))
        return chosen

    def rank(
        self, options: Sequence[str], score: Mapping[str, Number], stage: str
    ) -> tuple[str, ...]:
        """Return ``options`` by ``score``, highest first, ties by the rule."""
        groups: dict[Number, list[str]] = {}
        for option in options:
            groups.setdefault(score[option], []).append(option)
        ranking: list[str] = []
        for value in sorted(groups, reverse=True):
            ranking.extend(self.order(groups[value], stage))
        return tuple(ranking)


def share(part: Number, whole: Number) -> Fraction:
    """``part / whole`` exactly; 0 when ``whole`` is 0."""
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


def is_yes_no(options: Sequence[str]) -> bool:
    """Whether the options are exactly ``yes`` and ``no`` (a decision)."""
    return len(options) == 2 and set(options) == {"yes", "no"}


def check_choice(
    method: str,
    options: Sequence[str],
    choice: object,
    *,
    max_score: int = 5,
    voice_credits: int = 100,
) -> Choice:
    """Check a ballot's choice against its method and options; return it
    normalised.

    A plurality choice is an option id; an approval (``approval``, ``pav``,
    ``seq-phragmen``) choice is a list of distinct option ids, returned in
    option order; a ranking (``irv``, ``schulze``, ``ranked-pairs``,
    ``borda``, ``stv``) is a list of distinct option ids, best first,
    possibly partial, returned as given; a ``score`` or ``star`` choice maps
    option ids to integers ``0..max_score`` and a ``quadratic`` one to
    non-negative integers whose squares add up to at most ``voice_credits``
    (both returned as a dict in option order without zeros).

    Spec: docs/counting.md (Ballot shapes)

    Raises:
        UnknownMethodError: ``method`` is not in ``METHODS``.
        InvalidChoiceError: the choice has the wrong shape, names an option
            that is not one of ``options``, repeats one, or is out of range.
    """
    key = normalise(method, options, choice, max_score, voice_credits)
    if isinstance(key, tuple) and method in SCORED_METHODS:
        return dict(key)  # type: ignore[arg-type]
    return key  # type: ignore[return-value]


Key: TypeAlias = str | tuple[str, ...] | tuple[tuple[str, int], ...]


def check_method(method: str) -> None:
    """Raise UnknownMethodError unless ``method`` is a counting method."""
    if method not in METHODS:
        raise UnknownMethodError(
            f"Counting method {str(method)[:64]!r} is not one of {', '.join(METHODS)}."
        )


def normalise(
    method: str,
    options: Sequence[str],
    choice: object,
    max_score: int,
    voice_credits: int,
) -> Key:
    """The hashable normal form of a choice (see :func:`check_choice`)."""
    check_method(method)
    if method == "plurality":
        if not isinstance(choice, str):
            raise InvalidChoiceError("A plurality choice must be one option id.")
        _known(options, choice)
        return choice
    if method in SCORED_METHODS:
        return _scores(method, options, choice, max_score, voice_credits)
    if isinstance(choice, str | bytes) or not isinstance(choice, Sequence):
        raise InvalidChoiceError(f"A {method} choice must be a list of option ids.")
    seen: set[str] = set()
    for item in choice:
        if not isinstance(item, str):
            raise InvalidChoiceError(f"A {method} choice holds a non-string item.")
        _known(options, item)
        if item in seen:
            raise InvalidChoiceError(f"Option {item[:64]!r} appears twice.")
        seen.add(item)
    if method in APPROVAL_METHODS:
        return tuple(o for o in options if o in seen)
    return tuple(choice)


def _scores(
    method: str,
    options: Sequence[str],
    choice: object,
    max_score: int,
    voice_credits: int,
) -> tuple[tuple[str, int], ...]:
    if not isinstance(choice, Mapping):
        raise InvalidChoiceError(f"A {method} choice must map option ids to integers.")
    for option, value in choice.items():
        if not isinstance(option, str):
            raise InvalidChoiceError(f"A {method} choice has a non-string key.")
        _known(options, option)
        if type(value) is not int:
            raise InvalidChoiceError(
                f"The {method} value for {option[:64]!r} is not an integer."
            )
        if value < 0 or (method != "quadratic" and value > max_score):
            top = "" if method == "quadratic" else f"..{max_score}"
            raise InvalidChoiceError(
                f"The {method} value {value} for {option[:64]!r} is outside 0{top}."
            )
    if method == "quadratic":
        cost = sum(v * v for v in choice.values())
        if cost > voice_credits:
            raise InvalidChoiceError(
                f"Quadratic votes cost {cost} voice credits, "
                f"more than the {voice_credits} allowed."
            )
    return tuple((o, choice[o]) for o in options if choice.get(o, 0))


def _known(options: Sequence[str], option: str) -> None:
    if option not in options:
        raise InvalidChoiceError(
            f"Option {option[:64]!r} is not one of the proposal's options."
        )
