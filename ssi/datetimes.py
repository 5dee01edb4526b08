"""XML Schema date-time values as the VC and Data Integrity specifications use them.

``dateTimeStamp`` (a ``dateTime`` with a required timezone) for VC 2.0 and
Data Integrity; plain ``dateTime`` (timezone optional, read as UTC) for VC 1.1.
Python's ``fromisoformat`` accepts looser forms (dates alone, a space for
``T``), so the lexical form is checked with a regular expression first.

Spec: https://www.w3.org/TR/xmlschema11-2/#dateTimeStamp,
https://www.w3.org/TR/vc-data-model-2.0/#validity-period
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ssi.errors import MalformedValueError
from ssi.types import JsonValue

__all__ = ["format_date_time", "parse_date_time"]

_DATE_TIME = re.compile(
    r"(?P<year>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))-(?P<month>0[1-9]|1[0-2])"
    r"-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?:(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9])"
    r"(?P<fraction>\.[0-9]+)?|(?P<midnight>24:00:00(?:\.0+)?))"
    r"(?P<tz>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)


def parse_date_time(
    value: JsonValue, *, require_timezone: bool = True, path: str = "$"
) -> datetime:
    """Parse an XML Schema ``dateTime`` (``dateTimeStamp`` when a timezone is
    required) into an aware datetime in UTC.

    Spec: https://www.w3.org/TR/xmlschema11-2/#dateTime

    Raises:
        MalformedValueError: not a string, not the lexical form, an impossible
            date, or no timezone where one is required.
    """
    if not isinstance(value, str):
        raise MalformedValueError(f"{path} must be a date-time string.")
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        raise MalformedValueError(
            f"{path} is not an XML Schema date-time: {value[:40]!r}."
        )
    tz = match["tz"]
    if tz is None and require_timezone:
        raise MalformedValueError(f"{path} must give a timezone (for example 'Z').")
    year = int(match["year"])
    if not 1 <= year <= 9999:
        raise MalformedValueError(f"{path} has a year this library cannot represent.")
    fraction = match["fraction"] or ""
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    try:
        if match["midnight"]:
            moment = datetime(year, int(match["month"]), int(match["day"]))
            moment += timedelta(days=1)
        else:
            moment = datetime(
                year,
                int(match["month"]),
                int(match["day"]),
                int(match["hour"]),
                int(match["minute"]),
                int(match["second"]),
                micro,
            )
    except (ValueError, OverflowError) as exc:
        raise MalformedValueError(
            f"{path} is not a real date: {value[:40]!r}."
        ) from exc
    if tz is None or tz == "Z":
        return moment.replace(tzinfo=UTC)
    sign = 1 if tz[0] == "+" else -1
    offset = timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6])) * sign
    try:
        return (moment - offset).replace(tzinfo=UTC)
    except OverflowError as exc:
        raise MalformedValueError(f"{path} is out of range.") from exc


def format_date_time(moment: datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DDTHH:MM:SSZ`` (whole seconds, UTC).

    Raises:
        ValueError: ``moment`` has no timezone.
    """
    if moment.tzinfo is None:
        raise ValueError("a datetime without timezone cannot be formatted")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
