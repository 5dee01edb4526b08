"""Every counting method against published worked examples
(tests/vectors/counting, sources in tests/vectors/SOURCES.md)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from ssi.social.counting import count
from tests.vectors.load import cases, json_file

_SHAPES = {
    "plurality": lambda b: b["ranking"][0],
    "approval": lambda b: b["approval"],
    "pav": lambda b: b["approval"],
    "seq-phragmen": lambda b: b["approval"],
    "score": lambda b: b["scores"],
    "star": lambda b: b["scores"],
    "quadratic": lambda b: b["votes"],
}


def _choice(method: str, ballot: dict[str, Any]) -> Any:
    shape = _SHAPES.get(method)
    return ballot["ranking"] if shape is None else shape(ballot)


def _check(result: dict[str, Any], expect: dict[str, Any]) -> None:
    for key, value in expect.items():
        if key == "stageVotes":  # Decimal votes after each stage, by option.
            assert len(result["rounds"]) == len(value)
            for got, want in zip(result["rounds"], value, strict=True):
                for option, votes in got["tallies"].items():
                    assert Fraction(votes) == Fraction(want.get(option, "0")), (
                        got["number"],
                        option,
                    )
        elif key == "stageExhausted":
            exhausted = [Fraction(r["exhausted"]) for r in result["rounds"]]
            assert exhausted == [Fraction(v) for v in value]
        elif key == "lockedSet":  # Locked victories, in any lock order.
            assert sorted(result["locked"]) == value
        elif key == "lockedFirst":  # The strongest victory is locked first.
            assert result["locked"][0] == value
        elif key == "committee":  # The winners as a set, sorted.
            assert sorted(result["winners"]) == value
        elif key == "rounds":
            assert len(result["rounds"]) == len(value)
            for got, want in zip(result["rounds"], value, strict=True):
                for field, expected in want.items():
                    assert got[field] == expected, (got["number"], field)
        else:
            assert result[key] == value, key


@pytest.mark.parametrize("file", cases("counting"))
def test_published_example(file: Path) -> None:
    vector = json_file("counting", file.name)
    options = vector["options"]
    for method, expect in vector["expect"].items():
        seats = expect.get("seats", 1)
        params = vector.get("parameters", {})
        ballots = [
            _choice(method, b) for b in vector["ballots"] for _ in range(b["count"])
        ]
        result = count(method, options, ballots, seats=seats, **params).to_json()
        _check(result, {k: v for k, v in expect.items() if k != "seats"})
        weighted = count(
            method,
            options,
            [_choice(method, b) for b in vector["ballots"]],
            weights=[b["count"] for b in vector["ballots"]],
            seats=seats,
            **params,
        ).to_json()
        assert weighted["ballots"] == len(vector["ballots"])
        assert weighted | {"ballots": result["ballots"]} == result
