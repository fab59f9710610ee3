"""Exporting event logs: the time window of an export and the snapshot that keeps its totals
stable while new events arrive.

Times are compared at the precision the wire shows (milliseconds): an event is in the window
when its ``eventLogDate`` is after ``startTimeAfter`` and on or before ``endTimeOnOrBefore``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mfadesk.domain.clock import format_timestamp

# An export's pages share the set of events that existed when its first page was read, for
# at most this long (a JWT lives at most an hour): then a new snapshot is taken.
SNAPSHOT_TTL = timedelta(hours=1)
_LAST_MICROSECOND_OF_MS = timedelta(microseconds=999)


def to_millisecond(moment: datetime) -> datetime:
    """UTC, cut to the millisecond (as ``eventLogDate`` shows it)."""
    utc = moment.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """``(after, until]`` in whole milliseconds, UTC."""

    after: datetime
    until: datetime

    @classmethod
    def of(cls, after: datetime, until: datetime) -> TimeWindow:
        return cls(to_millisecond(after), to_millisecond(until))

    @property
    def stored_after(self) -> datetime:
        """Stored times (microseconds) above this show as later than `after`."""
        return self.after + _LAST_MICROSECOND_OF_MS

    @property
    def stored_until(self) -> datetime:
        """Stored times (microseconds) up to this show as `until` or earlier."""
        return self.until + _LAST_MICROSECOND_OF_MS

    def describe(self) -> str:
        return f"{format_timestamp(self.after)}/{format_timestamp(self.until)}"


@dataclass(frozen=True, slots=True)
class ExportSnapshot:
    """The events an export's pages count: those up to `high_seq` that fall in its window."""

    key: str
    high_seq: int
    total: int
    taken_at: datetime

    def fresh(self, now: datetime) -> bool:
        return now - self.taken_at < SNAPSHOT_TTL
