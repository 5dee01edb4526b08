"""XML Schema date-time values as the VC and Data Integrity specifications use them.

``dateTimeStamp`` (a ``dateTime`` with a required timezone) for VC 2.0 and
Data Integrity; plain ``dateTime`` (timezone optional, read as UTC) for VC 1.1.
Python's ``fromisoformat`` accepts looser forms (dates alone, a space for
``T``), so the lexical form is checked with a regular expression first.

Spec: https://www.w3.org/TR/xmlschema11-2/#dateTimeStamp,
https://www.w3.org/TR/vc-data-model-2.0/#representing-time
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

from ssi.describe import json_kind, quote
from ssi.errors import MalformedValueError
from ssi.types import JsonValue

__all__ = ["format_date_time", "parse_date_time"]


# XML Schema 1.1 Part 2 dateTime, lexical form (section 3.3.7); the time zone
# is optional here and required by the caller for dateTimeStamp (3.4.28).
_DATE_TIME: Final = re.compile(
    r"(?P<year>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))"
    r"-(?P<month>0[1-9]|1[0-2])"
    r"-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?:(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9])"
    r":(?P<second>[0-5][0-9])(?:\.(?P<fraction>[0-9]+))?"
    r"|(?P<midnight>24:00:00(?:\.0+)?))"
    r"(?P<zone>Z|(?P<sign>[+-])(?P<zh>0[0-9]|1[0-3]):(?P<zm>[0-5][0-9])|[+-]14:00)?"
)
_LONGEST_DATE_TIME: Final = 64


def parse_date_time(value: JsonValue, *, require_timezone: bool, path: str) -> datetime:
    """Read an XML Schema ``dateTime`` (or ``dateTimeStamp``) as a UTC datetime.

    The lexical form is exactly XML Schema's: a year of four or more digits,
    ``T``, hours ``00``-``23`` (or ``24:00:00`` for the end of the day), an
    optional fraction of a second, then ``Z`` or an offset up to ``±14:00``.
    Looser forms such as ``2024-01-01`` or ``2024-01-01 00:00:00`` are refused.
    Without an offset the time is read as UTC, as VC 2.0 section 5.8 requires.

    Args:
        value: the JSON value to read.
        require_timezone: refuse a value without ``Z`` or an offset (the
            ``dateTimeStamp`` type of VC 2.0's ``validFrom``/``validUntil``).
        path: the field path used in messages.

    Returns:
        An aware datetime in UTC, cut to microseconds.

    Spec: https://www.w3.org/TR/xmlschema11-2/#dateTime,
    https://www.w3.org/TR/xmlschema11-2/#dateTimeStamp,
    https://www.w3.org/TR/vc-data-model-2.0/#representing-time

    Raises:
        MalformedValueError: the value is not a string in that form, names a
            day that does not exist, has no offset while one is required, or
            lies outside the years 0001 to 9999.
    """
    if type(value) is str:
        cached = _PARSED.get((value, require_timezone))
        if cached is None and not require_timezone:
            # Read with an offset required, the value had one: the same moment.
            cached = _PARSED.get((value, True))
        if cached is not None:
            return cached
    moment = _parse(value, require_timezone, path)
    if len(_PARSED) >= _PARSED_SIZE:
        _PARSED.clear()
    _PARSED[(value, require_timezone)] = moment
    return moment


_PARSED_SIZE: Final = 4096
_PARSED: dict[tuple[str, bool], datetime] = {}
"""Date-times already read; the same issuance and proof times recur."""


def _parse(value: JsonValue, require_timezone: bool, path: str) -> datetime:
    wanted = "dateTimeStamp" if require_timezone else "dateTime"
    example = "2024-01-01T00:00:00Z"
    if not isinstance(value, str):
        raise MalformedValueError(
            f"{path} must be an XML Schema {wanted} string such as {example}, "
            f"not {json_kind(value)}."
        )
    match = _DATE_TIME.fullmatch(value) if len(value) <= _LONGEST_DATE_TIME else None
    if match is None:
        raise MalformedValueError(
            f"{path} is {quote(value)}, not an XML Schema {wanted} such as {example}."
        )
    if match["zone"] is None and require_timezone:
        raise MalformedValueError(
            f"{path} is {quote(value)}, which has no time zone offset; an XML "
            f"Schema dateTimeStamp ends in Z or an offset, as in {example}."
        )
    year = int(match["year"])
    if not 1 <= year <= 9999:
        raise MalformedValueError(
            f"{path} is {quote(value)}, outside the years 0001 to 9999 that "
            "this library supports."
        )
    try:
        if match["midnight"] is not None:
            moment = datetime(year, int(match["month"]), int(match["day"]))
            moment += timedelta(days=1)
        else:
            fraction = (match["fraction"] or "")[:6].ljust(6, "0")
            moment = datetime(
                year,
                int(match["month"]),
                int(match["day"]),
                int(match["hour"]),
                int(match["minute"]),
                int(match["second"]),
                int(fraction),
            )
        moment = moment.replace(tzinfo=_zone(match))
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise MalformedValueError(
            f"{path} is {quote(value)}, which is not a moment on the calendar "
            "(no such day, or out of range in UTC)."
        ) from exc


def _zone(match: re.Match[str]) -> timezone:
    zone = match["zone"]
    if zone is None or zone == "Z":
        return UTC
    if match["sign"] is None:  # The only other form: +14:00 or -14:00.
        hours, minutes = 14, 0
        negative = zone.startswith("-")
    else:
        hours, minutes = int(match["zh"]), int(match["zm"])
        negative = match["sign"] == "-"
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if negative else offset)


def format_date_time(moment: datetime, *, milliseconds: bool = False) -> str:
    """Format an aware datetime in UTC as ``YYYY-MM-DDTHH:MM:SSZ``, or with
    ``milliseconds`` as ``YYYY-MM-DDTHH:MM:SS.mmmZ``.

    Raises:
        ValueError: ``moment`` has no timezone.
    """
    if moment.tzinfo is None:
        raise ValueError("a datetime without timezone cannot be formatted")
    utc = moment.astimezone(UTC)
    if milliseconds:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
