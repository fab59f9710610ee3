"""SQLite hands back naive datetimes; everything we store is UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    tz = value.tzinfo
    if tz is None:
        return value.replace(tzinfo=UTC)
    return value if tz is UTC else value.astimezone(UTC)


def as_utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)
