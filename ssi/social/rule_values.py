"""The values a constitution's rules are written with: exact fractions,
passing thresholds and ISO 8601 durations, read from their JSON strings and
written back in one canonical form.

Fractions are strings, never JSON numbers: ``"p/q"`` or a decimal such as
``"0.5"``, read exactly with :class:`fractions.Fraction`. A threshold is
``">p/q"``, ``">=p/q"`` or ``"none"``. A duration is ``P[nD][T[nH][nM][nS]]``
with whole numbers of days, hours, minutes and seconds only.

Spec: docs/governance.md (Constitution rules)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from typing import Final

from ssi.describe import json_kind, quote
from ssi.errors import InvalidConstitutionError
from ssi.types import JsonValue

__all__ = [
    "Threshold",
    "format_duration",
    "format_fraction",
    "parse_duration",
    "parse_fraction",
    "parse_threshold",
]

_FRACTION_RE: Final = re.compile(
    r"(?P<sign>-?)(?P<whole>[0-9]{1,18})(?:/(?P<den>[0-9]{1,18})|\.(?P<dec>[0-9]{1,18}))?",
    re.ASCII,
)
_THRESHOLD_RE: Final = re.compile(r"(?P<op>>=|>)(?P<fraction>.*)", re.ASCII | re.S)
_DURATION_RE: Final = re.compile(
    r"P(?:(?P<d>[0-9]{1,6})D)?"
    r"(?:T(?:(?P<h>[0-9]{1,8})H)?(?:(?P<m>[0-9]{1,10})M)?(?:(?P<s>[0-9]{1,12})S)?)?",
    re.ASCII,
)
_MAX_DURATION: Final = timedelta(days=999_999)
_NONE: Final = "none"


def fail(field: str, reason: str) -> InvalidConstitutionError:
    """Return the error for ``field`` (a rules path; ``""`` is the whole object).

    The message is the path followed by ``reason``.
    """
    shown = field or "the rules"
    return InvalidConstitutionError(f"{shown} {reason}", field=field)


@dataclass(frozen=True, slots=True)
class Threshold:
    """A passing threshold: more than, or at least, a share of the support.

    Attributes:
        operator: ``">"``, ``">="`` or ``"none"`` (every count passes).
        fraction: the share compared with (0 for ``"none"``).
    """

    operator: str
    fraction: Fraction = Fraction(0)

    def passes(self, support: Fraction) -> bool:
        """Say whether a count whose ``support`` is this share passes.

        Spec: docs/governance.md (Thresholds)
        """
        if self.operator == ">":
            return support > self.fraction
        if self.operator == ">=":
            return support >= self.fraction
        return True

    def __str__(self) -> str:
        """Return the canonical text: ``>1/2``, ``>=2/3`` or ``none``."""
        if self.operator == _NONE:
            return _NONE
        return f"{self.operator}{format_fraction(self.fraction)}"


def format_fraction(value: Fraction) -> str:
    """Return the canonical text of a fraction: ``1/2``, ``0``, ``1``."""
    return str(value)


def parse_fraction(value: JsonValue, field: str) -> Fraction:
    """Read a share from 0 to 1 written as ``"p/q"`` or a decimal string.

    Spec: docs/governance.md (Fractions)

    Raises:
        InvalidConstitutionError: not such a string, or outside 0..1.
    """
    fraction = _fraction(value, field)
    if not 0 <= fraction <= 1:
        raise fail(field, f"must be between 0 and 1, not {quote(str(value))}.")
    return fraction


def _fraction(value: JsonValue, field: str) -> Fraction:
    if not isinstance(value, str):
        raise fail(
            field,
            f'must be a string such as "1/3" or "0.5", not {json_kind(value)}.',
        )
    match = _FRACTION_RE.fullmatch(value)
    if match is None:
        raise fail(
            field, f'must be a fraction such as "1/3" or "0.5", not {quote(value)}.'
        )
    if match["den"] is not None:
        if int(match["den"]) == 0:
            raise fail(field, f"has a zero denominator: {quote(value)}.")
        fraction = Fraction(int(match["whole"]), int(match["den"]))
    elif match["dec"] is not None:
        fraction = Fraction(f"{match['whole']}.{match['dec']}")
    else:
        fraction = Fraction(int(match["whole"]))
    return -fraction if match["sign"] else fraction


def parse_threshold(
    value: JsonValue, field: str, *, allow_none: bool = True
) -> Threshold:
    """Read a threshold: ``">p/q"``, ``">=p/q"`` (0 <= p/q <= 1) or ``"none"``.

    Spec: docs/governance.md (Thresholds)

    Raises:
        InvalidConstitutionError: not such a string, a share outside 0..1, or
            ``"none"`` where it is not allowed.
    """
    if not isinstance(value, str):
        raise fail(field, f'must be a string such as ">1/2", not {json_kind(value)}.')
    if value == _NONE:
        if not allow_none:
            raise fail(field, 'must be ">p/q" or ">=p/q" here, not "none".')
        return Threshold(_NONE)
    match = _THRESHOLD_RE.fullmatch(value)
    if match is None:
        raise fail(
            field,
            f'must be ">p/q", ">=p/q" or "none" (such as ">1/2"), not {quote(value)}.',
        )
    fraction = _fraction(match["fraction"], field)
    if not 0 <= fraction <= 1:
        raise fail(field, f"must compare with a share from 0 to 1, not {quote(value)}.")
    return Threshold(match["op"], fraction)


def parse_duration(value: JsonValue, field: str) -> timedelta:
    """Read an ISO 8601 duration of days, hours, minutes and seconds.

    Whole numbers only; years, months and weeks are refused (their length
    varies or is easily misread); at least one component; at most 999,999
    days in all.

    Spec: docs/governance.md (Durations)

    Raises:
        InvalidConstitutionError: not such a duration.
    """
    if not isinstance(value, str):
        raise fail(field, f'must be a string such as "P14D", not {json_kind(value)}.')
    match = _DURATION_RE.fullmatch(value)
    if match is None or value in {"P", "PT"} or value.endswith("T"):
        raise fail(
            field,
            "must be an ISO 8601 duration of days, hours, minutes and seconds "
            f'such as "P14D" or "PT36H", not {quote(value)}.',
        )
    duration = timedelta(
        days=int(match["d"] or 0),
        hours=int(match["h"] or 0),
        minutes=int(match["m"] or 0),
        seconds=int(match["s"] or 0),
    )
    if duration > _MAX_DURATION:
        raise fail(field, f"is longer than 999999 days: {quote(value)}.")
    return duration


def format_duration(duration: timedelta) -> str:
    """Return the canonical text of a duration: ``P1DT2H``, ``PT90M`` is
    written ``PT1H30M``, zero is ``PT0S``.

    Raises:
        ValueError: a negative duration or one with microseconds (misuse).
    """
    if duration < timedelta(0) or duration.microseconds:
        raise ValueError("durations are whole, non-negative numbers of seconds")
    hours, rest = divmod(duration.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "P" + (f"{duration.days}D" if duration.days else "")
    time = "".join(
        f"{amount}{unit}"
        for amount, unit in ((hours, "H"), (minutes, "M"), (seconds, "S"))
        if amount
    )
    if time:
        text += "T" + time
    return text if text != "P" else "PT0S"
