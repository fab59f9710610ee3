"""The time window of the event-log exports (admin log, user event log).

``startTimeAfter`` (exclusive) and ``endTimeOnOrBefore`` (inclusive) are ISO 8601 with an
offset: ``2026-11-22T07:10:00.000Z``, ``2026-11-22T08:10:00.000+01:00``. An unencoded ``+`` in
a query string arrives as a space; that form is accepted too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from mfadesk.wire.base import QueryModel
from mfadesk.wire.paging import PageQuery

_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?"
    r"(?:(?P<utc>[Zz])|(?P<sign>[-+ ])(\d\d):?(\d\d))"
)
TIMESTAMP_PROBLEM = (
    "must be an ISO 8601 time with an offset, such as 2026-11-22T07:10:00.000Z"
    " or 2026-11-22T08:10:00.000+01:00"
)


def parse_timestamp(value: Any) -> datetime:
    """An aware datetime (UTC) from the wire's text; the offset is required."""
    if isinstance(value, datetime):
        return value
    match = _ISO.fullmatch(value.strip("\t\r\n")) if isinstance(value, str) else None
    if match is None:
        raise PydanticCustomError("timestamp", TIMESTAMP_PROBLEM)
    year, month, day, hour, minute, second, fraction = match.groups()[:7]
    try:
        if match["utc"]:
            zone: timezone = UTC
        else:
            hours, minutes = int(match.group(10)), int(match.group(11))
            offset = timedelta(hours=hours, minutes=minutes)
            zone = timezone(-offset if match["sign"] == "-" else offset)
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=zone,
        )
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as error:  # no such day, or before year 1 / after 9999
        raise PydanticCustomError("timestamp", TIMESTAMP_PROBLEM) from error


# What `parse_timestamp` accepts, for the document, with the calendar's own rules, which
# ``format: date-time`` states. Narrower than the parser: the first day of year 1 with a
# positive offset and the last of year 9999 with a negative one are left out (some of their
# times are before or after any UTC time), and an unencoded ``+`` arriving as a space is
# accepted but not shown.
TIMESTAMP_PATTERN = (
    r"^(?!0000)(?!0001-01-01[Tt][^Zz]*\+)(?!9999-12-31[Tt][^Zz]*-)"
    r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]"
    r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.,][0-9]{1,9})?"
    r"([Zz]|[-+]([01][0-9]|2[0-3]):?[0-5][0-9])$"
)


QueryTimestamp = Annotated[
    datetime,
    BeforeValidator(parse_timestamp),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": TIMESTAMP_PATTERN,
            "examples": ["2026-11-22T07:10:00.000Z"],
        }
    ),
]


class EventLogWindow(QueryModel):
    """Both bounds are required; the window may end in the future."""

    startTimeAfter: Annotated[
        QueryTimestamp, Field(description="Events logged after this time (exclusive).")
    ]
    endTimeOnOrBefore: Annotated[
        QueryTimestamp, Field(description="Events logged on or before this time (inclusive).")
    ]


class EventLogQuery(PageQuery, EventLogWindow):
    """The window, then the page (``startTimeAfter``, ``endTimeOnOrBefore``, ``pageNumber``,
    ``pageSize``)."""
